# Shared by bench/run.sh, bench/index-cost.sh and bench/ab.sh (sourced, not run): the build lock, the work folder and
# its clean-up, git worktrees of other revisions, wrk, the Release publish, the data set, the database (SQLite file or
# a throwaway PostgreSQL cluster, started by scripts/pg-cluster.sh, the one shared with scripts/with-postgres.sh),
# accounts and a write token via the CLI, the import, SQL through the database's own client, the server and wrk.
# See bench/README.md.
#
# The sourcing script sets `set -euo pipefail` and DB, REFS; the functions set the globals named in their comments.

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
LOCK=/tmp/xref-build.lock
SCRIPT=$(basename "$0")
# shellcheck source=../scripts/pg-cluster.sh
source "$ROOT/scripts/pg-cluster.sh"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

# True when the build lock is held by this process or one of its ancestors (e.g. `flock LOCK bench/run.sh`).
lock_held_by_ancestor() {
  [[ -e $LOCK ]] || return 1
  local inode holders p
  inode=$(stat -c %i "$LOCK")
  holders=$(awk -v ino="$inode" '$2 != "->" { n = split($6, f, ":"); if (f[n] == ino) print $5 }' /proc/locks)
  [[ -n "$holders" ]] || return 1
  p=$$
  while [[ -n "$p" && "$p" -gt 1 ]]; do
    grep -qx "$p" <<<"$holders" && return 0
    p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
  done
  return 1
}

# Re-runs the calling script (with the arguments given) under the build lock, unless a parent already holds it
# or XREF_BENCH_NO_LOCK=1. Sets LOCK_HELD (1: the whole run holds the lock).
bench_lock() { # script arguments...
  if [[ -z "${XREF_BENCH_NO_LOCK:-}" ]] && ! lock_held_by_ancestor; then
    echo "$SCRIPT: waiting for $LOCK (held while anything builds or tests on this machine)..." >&2
    exec flock "$LOCK" "$0" "$@"
  fi
  LOCK_HELD=0
  if lock_held_by_ancestor; then LOCK_HELD=1; fi
}

# Creates the work folder and the EXIT trap that stops everything started. Sets WORK, RES, KEEP, RUN_STARTED,
# WORKTREES (the worktrees add_worktree made, removed on exit).
bench_start() { # folder that keeps the logs of the last run
  KEEP=$1
  WORK=$(mktemp -d /tmp/xref-bench.XXXXXX)
  chmod 755 "$WORK"
  RES=$WORK/results
  mkdir -p "$RES"
  SERVER_PID=""
  WORKTREES=()
  RUN_STARTED=$(now_ms)
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  local rc=$?
  set +e
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null
  fi
  pg_cluster_stop
  remove_worktrees
  # Keep the logs of the last run (server logs cut to their first and last 200 lines) for a post-mortem.
  rm -rf "$KEEP" && mkdir -p "$KEEP"
  for f in "$WORK"/*.log "$WORK"/pg/*.log; do
    [[ -f $f ]] || continue
    if [[ $(wc -l <"$f") -gt 400 ]]; then { head -n 200 "$f"; echo "... $(wc -l <"$f") lines ..."; tail -n 200 "$f"; } >"$KEEP/$(basename "$f")"
    else cp "$f" "$KEEP/"; fi
  done
  cp -r "$RES" "$KEEP/" 2>/dev/null
  if [[ $rc -ne 0 ]]; then
    log "FAILED (exit $rc); logs kept in $KEEP:"
    for f in "$WORK"/*.log; do [[ -f $f ]] && { echo "--- $f (last 20 lines)" >&2; tail -n 20 "$f" >&2; }; done
  fi
  rm -rf "$WORK"
  exit $rc
}

meta() { printf '%s=%s\n' "$1" "$2" >>"$RES/meta.txt"; }

# A detached git worktree of a revision in WORK/<name>, to publish a build other than the working tree's.
# Sets WT (its path). bench_cleanup removes it and prunes the repository's worktree list.
add_worktree() { # name revision
  WT=$WORK/$1
  git -C "$ROOT" worktree add --detach "$WT" "$2" >>"$WORK/worktree.log" 2>&1 \
    || { echo "$SCRIPT: git worktree add $2 failed" >&2; tail -n 5 "$WORK/worktree.log" >&2; exit 1; }
  WORKTREES+=("$WT")
}
remove_worktrees() {
  local wt
  [[ ${#WORKTREES[@]} -gt 0 ]] || return 0
  for wt in "${WORKTREES[@]}"; do
    git -C "$ROOT" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
  done
  git -C "$ROOT" worktree prune
  WORKTREES=()
}

install_wrk() {
  if ! command -v wrk >/dev/null; then
    log "installing wrk from Debian"
    { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; } >"$WORK/apt.log" 2>&1
  fi
}

# Publishes src/Xref.Server of the working tree (or of the tree given, e.g. a worktree) in Release into WORK/xref
# (or WORK/<out>). Sets XREF (the binary), COMMIT, STAMP.
publish_xref() { # [tree [out]]
  local tree=${1:-$ROOT} out=${2:-xref}
  log "publishing Xref (Release)${1:+ from $(git -C "$tree" rev-parse --short HEAD)}"
  local publish=(timeout 900 dotnet publish "$tree/src/Xref.Server" -c Release -o "$WORK/$out" --nologo)
  if [[ $LOCK_HELD == 1 ]]; then "${publish[@]}" >"$WORK/publish${2:+-$2}.log" 2>&1
  else flock "$LOCK" "${publish[@]}" >"$WORK/publish${2:+-$2}.log" 2>&1; fi
  XREF=$WORK/$out/xref
  [[ -x $XREF ]] || { echo "$SCRIPT: publish produced no $XREF" >&2; exit 1; }
  COMMIT=$(git -C "$tree" rev-parse --short HEAD)
  if [[ -n "$(git -C "$tree" status --porcelain -- src 2>/dev/null)" ]]; then COMMIT="$COMMIT+uncommitted-src"; fi
  STAMP=$(date -u +%Y-%m-%dT%H%MZ)
}

# The date, commit, machine and tool versions, and the server's environment.
meta_machine() {
  meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"; meta commit "$COMMIT"
  meta machine "$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GB", $2/1048576 }' /proc/meminfo) RAM"
  meta wrk "$(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}')"
  meta dotnet "$(dotnet --version)"
  meta env "$(env | grep -E '^(XREF_|Logging__|ASPNETCORE_|DOTNET_)' | grep -Ev '^(XREF_BENCH|XREF_TOKEN|XREF_DATABASE|XREF_TEST_POSTGRES|XREF_PG_)' | sort | tr '\n' ' ')"
}

# Sets TE_FIRST, TE_LAST (account 1's TimeEntry subject ids).
generate_data() {
  log "generating $REFS references"
  python3 "$BENCH/generate.py" --refs "$REFS" --out "$WORK/data" >"$WORK/generate.log"
  meta generate "$(tail -n 1 "$WORK/generate.log")"
  TE_FIRST=$(layout TimeEntry first_id) TE_LAST=$(layout TimeEntry last_id)
}
layout() { python3 -c "import json,sys; l=json.load(open('$WORK/data/layout.json')); print(l['accounts']['1'][sys.argv[1]][sys.argv[2]])" "$@"; }

# A SQLite file in WORK, or a PostgreSQL cluster of its own on 127.0.0.1 in WORK/pg (pg_cluster_start of
# scripts/pg-cluster.sh; bench_cleanup stops it). Sets DBURL (the server's), CLI_DBURL (the CLI's), and for
# PostgreSQL the XREF_PG_* variables of pg_cluster_start (XREF_PG_BIN, XREF_PG_PORT, XREF_PG_USER, ...).
setup_database() {
  if [[ $DB == sqlite ]]; then
    DBURL="sqlite:$WORK/xref.db"
    CLI_DBURL=$DBURL
    meta database "SQLite file in a temp dir ($(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)') in Python; Xref uses its bundled e_sqlite3)"
  else
    local settings="shared_buffers=512MB max_connections=200 fsync=on synchronous_commit=on full_page_writes=on max_wal_size=4GB checkpoint_timeout=15min effective_cache_size=8GB work_mem=16MB"
    local opts="" s
    for s in $settings; do opts="$opts -c $s"; done
    log "starting a PostgreSQL cluster (scripts/pg-cluster.sh)"
    pg_cluster_start "$WORK/pg" "$opts" || exit 1
    log "PostgreSQL cluster up on 127.0.0.1:$XREF_PG_PORT"
    DBURL=$XREF_PG_URL
    # The CLI runs with a long command timeout. Only the server fails fast (1 s to connect, 2 s per command: meant
    # for requests, that would cut a bulk-import batch short on a loaded database); the CLI already keeps Npgsql's
    # defaults (30 s per command), so the 600 s is a belt-and-braces. The server keeps its fail-fast defaults.
    CLI_DBURL="$DBURL?CommandTimeout=600"
    meta database "PostgreSQL $("$XREF_PG_BIN/postgres" --version | awk '{print $3}'), own cluster on loopback: $settings"
  fi
}
psql_q() { "$XREF_PG_BIN/psql" -X "$XREF_PG_URL" -v ON_ERROR_STOP=1 -At -c "$1"; }

# SQL through the database's own client, out of the server: sqlite3 (or Python's sqlite3 module), or psql.
db_sql() { # statement -> rows, columns separated by |
  if [[ $DB == postgres ]]; then psql_q "$1"
  elif command -v sqlite3 >/dev/null; then sqlite3 -batch -bail -cmd '.timeout 30000' "$WORK/xref.db" "$1"
  else
    python3 - "$WORK/xref.db" "$1" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
for row in c.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
c.close()
EOF
  fi
}

# Takes out what the upserts added, so that every server starts from the same data (run with no server up):
# upsert.lua and mixed.lua create their references with a new service_name each ("svc-..."), and each adds a
# reference_stats row that a listing's count and version then sum over (tens of thousands after one upsert pass at
# 1M: enough to slow the broad listing down). The updates of existing references stay. PostgreSQL: VACUUM ANALYZE,
# so no server inherits dead tuples. meta svc_rows_<label> (deleted), rows_<label>, stats_rows_<label> (left).
settle() { # label
  meta "svc_rows_$1" "$(db_sql "SELECT COUNT(*) FROM external_references WHERE service_name LIKE 'svc-%'")"
  db_sql "DELETE FROM external_references WHERE service_name LIKE 'svc-%'" >/dev/null
  db_sql "DELETE FROM reference_stats WHERE service_name LIKE 'svc-%'" >/dev/null
  if [[ $DB == postgres ]]; then
    db_sql "VACUUM ANALYZE external_references" >/dev/null
    db_sql "VACUUM ANALYZE reference_stats" >/dev/null
  fi
  meta "rows_$1" "$(db_sql "SELECT COUNT(*) FROM external_references")"
  meta "stats_rows_$1" "$(db_sql "SELECT COUNT(*) FROM reference_stats")"
}

# Accounts 1-4, one user each, a write token for user 1. Sets and exports XREF_TOKEN and what the wrk scripts read.
create_accounts() {
  log "creating accounts, users and a write token"
  local a
  for a in 1 2 3 4; do
    "$XREF" accounts create --database "$CLI_DBURL" --id "$a" --name "Bench account $a" >>"$WORK/cli.log" 2>&1
    "$XREF" users create --database "$CLI_DBURL" --account "$a" --id "$a" --name "Bench user $a" --email "bench$a@example.com" >>"$WORK/cli.log" 2>&1
  done
  TOKEN=$("$XREF" tokens create --database "$CLI_DBURL" --user 1 --scope write 2>>"$WORK/cli.log")
  [[ -n "$TOKEN" ]] || { echo "$SCRIPT: no token" >&2; exit 1; }
  export XREF_TOKEN=$TOKEN BENCH_WRK_DIR=$BENCH/wrk BENCH_TE_FIRST=$TE_FIRST BENCH_TE_LAST=$TE_LAST
}

import_refs() { # account -> meta import_<a> (seconds, wall clock of the `xref import` process)
  local a=$1 t0 t1 rc=0
  t0=$(now_ms)
  timeout 1800 "$XREF" import "$WORK/data/account-$a/refs.jsonl" --account "$a" --database "$CLI_DBURL" >"$WORK/import-refs-$a.log" 2>&1 || rc=$?
  t1=$(now_ms)
  [[ $rc -eq 0 || $rc -eq 2 ]] || { echo "$SCRIPT: import of account $a failed (exit $rc)" >&2; tail -n 20 "$WORK/import-refs-$a.log" >&2; exit 1; }
  meta "import_$a" "$(python3 -c "print(f'{($t1-$t0)/1000:.1f}')")"
  meta "import_${a}_summary" "$(grep -E '^references:' "$WORK/import-refs-$a.log" | tail -n 1)"
}

# `xref import --subjects` then `xref import` for accounts 1-4; then the database size.
import_all() {
  local a t0
  : >"$WORK/empty.jsonl"
  for a in 1 2 3 4; do
    log "importing account $a: subjects"
    t0=$(now_ms)
    timeout 900 "$XREF" import "$WORK/empty.jsonl" --subjects "$WORK/data/account-$a/subjects.jsonl" --account "$a" --database "$CLI_DBURL" \
      >"$WORK/import-subjects-$a.log" 2>&1 || { echo "$SCRIPT: subject import of account $a failed" >&2; tail -n 20 "$WORK/import-subjects-$a.log" >&2; exit 1; }
    if [[ $a == 1 ]]; then meta import_subjects_1 "$(python3 -c "print(f'{($(now_ms)-$t0)/1000:.1f}')")"; fi
    log "importing account $a: references"
    import_refs "$a"
  done
  if [[ $DB == sqlite ]]; then
    meta db_size "$(du -sh "$WORK"/xref.db* | awk '{s = s $1 " " } END { print s }')(db, wal, shm)"
  else
    meta db_size "$(psql_q "SELECT pg_size_pretty(pg_database_size('postgres'))")"
    meta pg_analyzed_after_import "$(psql_q "SELECT COALESCE(GREATEST(last_analyze, last_autoanalyze)::text, 'not yet') FROM pg_stat_user_tables WHERE relname = 'external_references'")"
  fi
}

# Starts the published binary on loopback (XREF_RATE_LIMIT=off) and waits for a 200 from /ready.
# Sets SERVER_PORT, SERVER_PID; meta startup_<label> (ms from exec to the first 200).
SERVER_PORT=""
start_server() { # label [ENV=value ...]
  local label=$1; shift
  SERVER_PORT=$(free_port)
  local t0
  t0=$(date +%s%N)
  env "$@" XREF_RATE_LIMIT=off "$XREF" --urls "http://127.0.0.1:$SERVER_PORT" --database "$DBURL" >"$WORK/server-$label.log" 2>&1 &
  SERVER_PID=$!
  local ms
  ms=$(python3 - "$t0" "$SERVER_PORT" "$SERVER_PID" <<'EOF'
import http.client, os, sys, time
t0, port, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", "/ready")
        if c.getresponse().status == 200:
            print(f"{(time.time_ns() - t0) / 1e6:.0f}")
            sys.exit(0)
    except OSError:
        pass
    if not os.path.exists(f"/proc/{pid}"):
        sys.exit("server exited")
    time.sleep(0.01)
sys.exit("no 200 from /ready within 120 s")
EOF
) || { echo "$SCRIPT: server $label did not become ready" >&2; exit 1; }
  meta "startup_$label" "$ms"
  log "server $label ready in $ms ms (port $SERVER_PORT, pid $SERVER_PID)"
}
stop_server() { # label
  meta "vmhwm_$1" "$(awk '/^VmHWM:/ { printf "%.0f MB", $2/1024 }' "/proc/$SERVER_PID/status")"
  meta "vmrss_$1" "$(awk '/^VmRSS:/ { printf "%.0f MB", $2/1024 }' "/proc/$SERVER_PID/status")"
  meta "server_log_lines_$1" "$(wc -l <"$WORK/server-$1.log")"
  kill -TERM "$SERVER_PID"
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

run_wrk() { # name seconds script path [out]
  local name=$1 seconds=$2 script=$3 path=$4 out=${5:-$RES/wrk-$1.txt} xref_before pg_before
  xref_before=$(xref_ticks) pg_before=$(pg_ticks)
  timeout $((seconds + 60)) wrk -t2 -c32 -d"${seconds}s" --timeout 10s --latency -s "$BENCH/wrk/$script" \
    "http://127.0.0.1:$SERVER_PORT$path" >"$out" 2>&1 || echo "wrk exited with $?" >>"$out"
  # "Xref before, PostgreSQL 0, Xref after, PostgreSQL during", in clock ticks, for report.py.
  echo "$xref_before 0 $(xref_ticks) $(awk 'NR == FNR { before[$1] = $2; next } { t += $2 - before[$1] } END { print t + 0 }' \
    <(echo "$pg_before") <(pg_ticks))" >"$out.cpu"
}

# CPU time (utime + stime, clock ticks) of the server process (SERVER_PID), and "pid ticks" lines for the PostgreSQL
# cluster's postmaster and every process it started (backends, autovacuum, WAL writer...; none on SQLite). run_wrk
# takes both around each pass, so the report can split the CPU of a request between Xref and PostgreSQL. PostgreSQL's
# time is summed per process over those alive at the end: a backend the pool opened during the pass counts whole, one
# it closed during the pass is lost (summing totals instead lost every closed backend's whole life).
process_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # PID
xref_ticks() {
  if [[ -n "${SERVER_PID:-}" && -r /proc/$SERVER_PID/stat ]]; then process_ticks "$SERVER_PID"; else echo 0; fi
}
pg_ticks() {
  [[ $DB == postgres && -r "$XREF_PG_DATA/postmaster.pid" ]] || return 0
  local postmaster p
  postmaster=$(head -n 1 "$XREF_PG_DATA/postmaster.pid")
  for p in "$postmaster" $(pgrep -P "$postmaster"); do
    awk -v pid="$p" '{ print pid, $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true
  done
}

# The "fresh" scenario (issue 14): a database of its own (PostgreSQL: database `fresh` in the run's cluster; SQLite:
# WORK/fresh.db), empty but for account 1, its user and 5,000 TimeEntry subjects; a server started on it; 16 s of
# upserts (wrk/fresh_upsert.lua: 8 service names); then at once the narrow and the broad list, then /health, one
# pass each, all within the server's first minute. Nobody analyses the database by hand.
# Writes RES/wrk-F1-upsert.txt, F2-narrow, F3-broad, F0-baseline; meta fresh_*.
run_fresh() {
  local url cli token t0
  log "fresh: an empty database, upserts through the API, then the lists"
  if [[ $DB == postgres ]]; then
    psql_q "CREATE DATABASE fresh" >/dev/null
    url="${XREF_PG_URL%/postgres}/fresh"; cli="$url?CommandTimeout=600"
  else
    url="sqlite:$WORK/fresh.db"; cli=$url
  fi
  FRESH_URL=$url
  "$XREF" accounts create --database "$cli" --id 1 --name "Fresh account" >>"$WORK/cli.log" 2>&1
  "$XREF" users create --database "$cli" --account 1 --id 1 --name "Fresh user" --email fresh@example.com >>"$WORK/cli.log" 2>&1
  token=$("$XREF" tokens create --database "$cli" --user 1 --scope write 2>>"$WORK/cli.log")
  python3 -c 'import json
for i in range(1, 5001): print(json.dumps({"type": "TimeEntry", "id": i, "title": f"Time entry {i}"}))' >"$WORK/fresh-subjects.jsonl"
  : >"$WORK/empty.jsonl"
  "$XREF" import "$WORK/empty.jsonl" --subjects "$WORK/fresh-subjects.jsonl" --account 1 --database "$cli" >"$WORK/import-fresh.log" 2>&1 \
    || { echo "$SCRIPT: fresh subject import failed" >&2; tail -n 20 "$WORK/import-fresh.log" >&2; exit 1; }
  local main_url=$DBURL
  DBURL=$url
  start_server fresh
  DBURL=$main_url
  t0=$(now_ms)
  export XREF_TOKEN=$token BENCH_WRK_DIR=$BENCH/wrk
  run_wrk fresh-upsert 16 fresh_upsert.lua /health "$RES/wrk-F1-upsert.txt"
  run_wrk fresh-narrow "$DURATION" get.lua "$LIST?subject_type=TimeEntry&status=failed&service_name=svc3" "$RES/wrk-F2-narrow.txt"
  run_wrk fresh-broad "$DURATION" get.lua "$LIST?subject_type=TimeEntry" "$RES/wrk-F3-broad.txt"
  run_wrk fresh-baseline "$DURATION" get.lua /health "$RES/wrk-F0-baseline.txt"
  meta fresh_seconds "$(( ($(now_ms) - t0) / 1000 ))"
  meta fresh_count "$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$SERVER_PORT$LIST?subject_type=TimeEntry&per_page=1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["count"])' 2>/dev/null || echo '?')"
  if [[ $DB == postgres ]]; then
    meta fresh_analyzed "$("$XREF_PG_BIN/psql" -X "$url" -At -c "SELECT string_agg(relname || ' ' || COALESCE(GREATEST(last_analyze, last_autoanalyze)::time(0)::text, 'never') || ' (' || analyze_count || '+' || autoanalyze_count || ')', ', ' ORDER BY relname) FROM pg_stat_user_tables WHERE relname IN ('external_references', 'reference_stats', 'reference_totals', 'subjects')")"
  fi
  stop_server fresh
}

# --metrics-ab (issue 14: "the narrow list may lose at most 5% with metrics on"): on the fresh database, after the
# fresh scenario, two servers at once, one without and one with --metrics (XREF_METRICS=true), each warmed up 5 s on
# the narrow list, then measured on it in turn, rounds ordered off on on off (4 rounds: 8 passes), so that a drift of
# the machine over the run weighs on both alike. Restarting a server per pass (the first version of this A/B) let
# each pass's JIT warm-up and the machine's drift decide the result: off passes of one build differed by 11-17%.
# Each pass also records the server's CPU time (utime + stime of its process, in clock ticks), so the report gives
# the CPU per request that --metrics adds, which the machine's other load does not change.
# Writes RES/wrk-M-<off|on>-<round>.txt and meta metrics_cpu_<off|on>_<round> (ticks).
METRICS_AB_ROUNDS=4
run_metrics_ab() {
  local round mode narrow="$LIST?subject_type=TimeEntry&status=failed&service_name=svc3"
  local main_url=$DBURL
  local -A pid port
  DBURL=$FRESH_URL
  for mode in off on; do
    if [[ $mode == on ]]; then start_server "metrics-$mode" XREF_METRICS=true; else start_server "metrics-$mode"; fi
    pid[$mode]=$SERVER_PID port[$mode]=$SERVER_PORT
  done
  for mode in off on; do
    SERVER_PORT=${port[$mode]}
    run_wrk "metrics-warmup" 5 get.lua "$narrow" "$RES/warmup-M-$mode.txt"
  done
  for round in $(seq "$METRICS_AB_ROUNDS"); do
    local order="off on"; if (( round % 2 == 0 )); then order="on off"; fi
    for mode in $order; do
      log "metrics A/B: narrow list, metrics $mode, round $round"
      SERVER_PORT=${port[$mode]}
      local before; before=$(process_ticks "${pid[$mode]}")
      run_wrk "metrics-$mode" "$DURATION" get.lua "$narrow" "$RES/wrk-M-$mode-$round.txt"
      meta "metrics_cpu_${mode}_$round" "$(( $(process_ticks "${pid[$mode]}") - before ))"
    done
  done
  SERVER_PORT=${port[on]}
  meta metrics_families "$(curl -s "http://127.0.0.1:$SERVER_PORT/metrics" | grep -c '^# TYPE' || true)"
  for mode in off on; do SERVER_PID=${pid[$mode]}; stop_server "metrics-$mode"; done
  meta metrics_rounds "$METRICS_AB_ROUNDS"
  DBURL=$main_url
}
