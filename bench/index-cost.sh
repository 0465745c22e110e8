#!/usr/bin/env bash
# What each secondary index of external_references costs the upsert path (issue 4). See bench/README.md.
#
#   bench/index-cost.sh --db sqlite|postgres [--refs 1000000] [--duration 10]
#
# Builds the data set and the database once (the same as bench/run.sh), then measures the upsert scenario
# (wrk/upsert.lua, run.sh's scenario 6) and the listing each index serves, first with every index, then without
# each of external_references_by_synced, _by_created and _by_service_status in turn: the server is stopped, the
# index dropped with the database's own client, the server restarted, warmed up and the upsert measured, the
# server restarted and the listing measured, the server stopped and the index recreated from its CREATE INDEX
# statement in the migration files (read at run time); last, every index again, to show the drift over the run.
# Before each server start the references the upserts created are deleted, so every measurement starts from
# the same data. Prints the table and writes it to bench/results/index-cost-<db>-<date>.txt.
# One wrk pass per measurement. It measures; it asserts nothing.
#
# Holds /tmp/xref-build.lock like run.sh (see there); stops everything it started on exit, even on failure.
set -euo pipefail

usage() { sed -n '4,5p' "$0" | sed 's/^# *//' >&2; exit 2; }

DB="" REFS=1000000 DURATION=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --db) DB=${2:-}; shift 2 ;;
    --refs) REFS=${2:-}; shift 2 ;;
    --duration) DURATION=${2:-}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "index-cost.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ "$DB" == sqlite || "$DB" == postgres ]] || usage
[[ "$REFS" =~ ^[0-9]+$ && "$DURATION" =~ ^[0-9]+$ ]] || usage

source "$(dirname "$0")/lib.sh"
bench_lock --db "$DB" --refs "$REFS" --duration "$DURATION"
bench_start "/tmp/xref-index-cost-last-$DB"

FIRST_WARMUP=10 WARMUP=5 QUERY_WARMUP=2
LIST=/api/v1/external_references
INDEXES=(external_references_by_synced external_references_by_created external_references_by_service_status)
declare -A QUERY=(
  [external_references_by_synced]="subject_type=TimeEntry"
  [external_references_by_created]="subject_type=TimeEntry&order=created_at:desc"
  [external_references_by_service_status]="subject_type=TimeEntry&status=failed&service_name=jira"
)
MIGRATIONS=$ROOT/src/Xref.Server/Storage/Migrations/$DB

# The statement that creates the index as the migrations leave it: the last CREATE INDEX of that name in the
# migration files, in the order they are applied (a later DROP INDEX and CREATE INDEX replace an earlier one).
migration_index_def() { # index name
  python3 - "$MIGRATIONS" "$1" <<'EOF'
import os, re, sys
folder, name = sys.argv[1], sys.argv[2]
found = None
for f in sorted(os.listdir(folder)):
    if not f.endswith(".sql"):
        continue
    text = open(os.path.join(folder, f), encoding="utf-8").read()
    text = re.sub(r"--[^\n]*", "", text)  # comments (none of them hold a quote or a semicolon)
    for stmt in text.split(";"):
        stmt = " ".join(stmt.split())
        if re.match(rf"CREATE (UNIQUE )?INDEX (IF NOT EXISTS )?{re.escape(name)} ON ", stmt, re.I):
            found = stmt
        elif re.fullmatch(rf"DROP INDEX (IF EXISTS )?{re.escape(name)}", stmt, re.I):
            found = None
if not found:
    sys.exit(f"no CREATE INDEX {name} in {folder}")
print(found)
EOF
}

db_index_def() { # index name -> the definition the database holds ('' when absent)
  if [[ $DB == postgres ]]; then db_sql "SELECT indexdef FROM pg_indexes WHERE indexname = '$1'"
  else db_sql "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '$1'"; fi
}
db_index_size() { # index name -> bytes, or '-'
  if [[ $DB == postgres ]]; then db_sql "SELECT pg_relation_size('$1')"
  else db_sql "SELECT SUM(pgsize) FROM dbstat WHERE name = '$1'" 2>/dev/null || echo -; fi
}
db_client() {
  if [[ $DB == postgres ]]; then echo "psql $("$XREF_PG_BIN/psql" --version | awk '{print $3}')"
  elif command -v sqlite3 >/dev/null; then echo "sqlite3 CLI $(sqlite3 --version | awk '{print $1}')"
  else echo "Python sqlite3 module $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')"; fi
}
timed_sql() { # meta-key statement: runs it, records its wall clock in ms
  local t0
  t0=$(now_ms)
  db_sql "$2" >/dev/null
  meta "$1" "$(( $(now_ms) - t0 ))"
}
meta_rows() { meta "rows_$1" "$(db_sql "SELECT COUNT(*) FROM external_references")"; }

install_wrk
publish_xref
meta db "$DB"; meta refs "$REFS"; meta duration "$DURATION"
meta warmups "$FIRST_WARMUP s at the first start, $WARMUP s at the others, $QUERY_WARMUP s of each query before its pass"
meta_machine
generate_data
setup_database
create_accounts
import_all
meta client "$(db_client)"

for idx in "${INDEXES[@]}"; do
  def=$(migration_index_def "$idx")
  meta "def_$idx" "$def"
  [[ -n "$(db_index_def "$idx")" ]] || { echo "index-cost.sh: the database has no index $idx" >&2; exit 1; }
  meta "dbdef_$idx" "$(db_index_def "$idx")"
  meta "size_$idx" "$(db_index_size "$idx")"
done

upsert() { # label warm-up-seconds
  log "[$1] warming up for $2 s (upserts)"
  run_wrk "warmup-$1" "$2" upsert.lua /health "$RES/warmup-$1.txt"
  log "[$1] upsert, ${DURATION} s"
  run_wrk "upsert-$1" "$DURATION" upsert.lua /health
}
query() { # index label
  local path="$LIST?${QUERY[$1]}"
  log "[$2] GET $path"
  run_wrk "query-warmup-$1-$2" "$QUERY_WARMUP" get.lua "$path" "$RES/query-warmup-$1-$2.txt"
  run_wrk "query-$1-$2" "$DURATION" get.lua "$path"
}
# Each phase runs two servers one after the other on the same data: the first is warmed up with upserts and
# measures the upsert; the second measures the listing(s), each warmed up for 2 s. They are kept apart because
# on PostgreSQL a listing without its index (a sort of every TimeEntry row, tens of them at once) slowed the
# upserts run right after it on the same server by a third, whatever the index (first version of this script).
phase() { # label warm-up-seconds index...
  local label=$1 warm=$2 idx; shift 2
  settle "$label"
  start_server "$label"
  upsert "$label" "$warm"
  stop_server "$label"
  settle "$label-lists"
  start_server "$label-lists"
  for idx in "$@"; do query "$idx" "$label"; done
  stop_server "$label-lists"
}

# Every index.
phase all "$FIRST_WARMUP" "${INDEXES[@]}"

# Without each secondary index in turn.
for idx in "${INDEXES[@]}"; do
  log "dropping $idx"
  timed_sql "drop_ms_$idx" "DROP INDEX $idx"
  [[ -z "$(db_index_def "$idx")" ]] || { echo "index-cost.sh: $idx still there after DROP INDEX" >&2; exit 1; }
  phase "no-$idx" "$WARMUP" "$idx"
  log "recreating $idx"
  timed_sql "create_ms_$idx" "$(migration_index_def "$idx")"
  after=$(db_index_def "$idx")
  [[ "$after" == "$(grep -m1 "^dbdef_$idx=" "$RES/meta.txt" | cut -d= -f2-)" ]] \
    || { echo "index-cost.sh: $idx recreated as '$after', not as before the drop" >&2; exit 1; }
done

# Every index again, the same as the first phase: how far the rates drifted over the run.
phase final "$WARMUP" "${INDEXES[@]}"
settle end
meta total_seconds "$(( ($(now_ms) - RUN_STARTED) / 1000 ))"

mkdir -p "$BENCH/results"
REPORT=$BENCH/results/index-cost-$DB-$STAMP.txt
python3 - "$BENCH" "$RES" "${INDEXES[@]}" <<'EOF' | tee "$REPORT"
import os, sys
sys.path.insert(0, sys.argv[1])
from report import parse_wrk, fmt_rps, fmt_ms

res, indexes = sys.argv[2], sys.argv[3:]
meta = {}
for line in open(os.path.join(res, "meta.txt"), encoding="utf-8"):
    k, _, v = line.rstrip("\n").partition("=")
    meta.setdefault(k, v)
QUERIES = {
    "external_references_by_synced": "?subject_type=TimeEntry (default order, last_synced_at desc)",
    "external_references_by_created": "?subject_type=TimeEntry&order=created_at:desc",
    "external_references_by_service_status": "?subject_type=TimeEntry&status=failed&service_name=jira",
}
wrk = lambda name: parse_wrk(os.path.join(res, f"wrk-{name}.txt"))
problems = []

def cell(r, name):
    if r is None or r["rps"] is None:
        problems.append(f"{name}: wrk failed")
        return "FAIL"
    s = fmt_rps(r["rps"])
    if r["non2xx"] or r["socket"]:
        problems.append(f"{name}: {r['non2xx']} non-2xx, {r['socket']} socket errors out of {r['requests']} requests")
        s += f" ({r['non2xx'] + r['socket']} errors)"
    return s

def size(v):
    try:
        return f"{int(v) / 1048576:.0f} MB"
    except ValueError:
        return "-"

all_up = wrk("upsert-all")
all_cell = cell(all_up, "upsert, all indexes")
rows, details = [], []
for idx in indexes:
    no = wrk(f"upsert-no-{idx}")
    qw, qo, qf = wrk(f"query-{idx}-all"), wrk(f"query-{idx}-no-{idx}"), wrk(f"query-{idx}-final")
    change = "-"
    if all_up and no and all_up["rps"] and no["rps"]:
        change = f"{(no['rps'] - all_up['rps']) / all_up['rps'] * 100:+.1f}%"
    rows.append([idx, QUERIES[idx], all_cell,
                 cell(no, f"upsert without {idx}"), change, cell(qw, f"query with {idx}"), cell(qo, f"query without {idx}")])
    lat = lambda r: "-" if not r else f"{fmt_ms(r['p50'])}/{fmt_ms(r['p99'])}"
    details.append(f"{idx} ({size(meta.get('size_' + idx, '-'))}, drop {meta.get('drop_ms_' + idx)} ms, recreate "
                   f"{meta.get('create_ms_' + idx)} ms): p50/p99 ms upsert {lat(all_up)} -> {lat(no)}; query {lat(qw)} -> {lat(qo)}; "
                   f"query with every index again at the end {cell(qf, f'query with {idx}, at the end')} req/s")

header = ["index", "the query it serves (GET /api/v1/external_references)", "upsert req/s, all indexes",
          "upsert req/s, without it", "change", "query req/s, with it", "query req/s, without it"]
widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
line = lambda cells: "| " + " | ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"
out = [f"Xref index cost: {meta.get('db')}, {int(meta.get('refs', 0)):,} references in account 1 (+1% in each of accounts 2-4); "
       f"{meta.get('date')}; commit {meta.get('commit')}",
       f"machine: {meta.get('machine')}; {meta.get('wrk')}; .NET SDK {meta.get('dotnet')}",
       f"database: {meta.get('database')}; indexes dropped and recreated with {meta.get('client')}",
       f"server environment: {meta.get('env') or '-'} (plus XREF_RATE_LIMIT=off)",
       f"upsert = wrk/upsert.lua (run.sh scenario 6: half updates, half creates on TimeEntry); wrk -t2 -c32 -d{meta.get('duration')}s "
       f"--latency, ONE pass per cell; warm-up with upserts {meta.get('warmups')}",
       "", line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
out += [line(r) for r in rows]
out.append("")
final = wrk("upsert-final")
out.append(f"upsert with every index again at the end: {cell(final, 'upsert, all indexes, at the end')} req/s "
           f"(first {fmt_rps(all_up and all_up['rps'])}: the difference is the drift over the run)")
phases = ["all"] + [f"no-{i}" for i in indexes] + ["final"]
out.append("the references the upserts created (service_name svc-...) were deleted with their reference_stats rows before "
           "each server: " + ", ".join(meta.get(f"svc_rows_{p}-lists", "?") for p in phases) + " after the upsert servers in turn; "
           "external_references rows at each server start: " + ", ".join(sorted({meta.get(f"rows_{p}{s}", "?") for p in phases for s in ("", "-lists")})) +
           "; reference_stats rows: " + ", ".join(sorted({meta.get(f"stats_rows_{p}{s}", "?") for p in phases for s in ("", "-lists")})))
out += details
for idx in indexes:
    d, m = meta.get("dbdef_" + idx), meta.get("def_" + idx)
    out.append(f"recreated from the migrations as: {m}" + ("" if d == m else f"  [database holds: {d}]"))
if problems:
    out.append("ERRORS: " + "; ".join(problems))
out.append(f"whole run {meta.get('total_seconds')} s; import of account 1 {meta.get('import_1')} s; database size after import {meta.get('db_size')}")
print("\n".join(out))
EOF
log "report written to ${REPORT#"$ROOT"/}"
