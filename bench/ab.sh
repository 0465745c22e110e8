#!/usr/bin/env bash
# A/B of two revisions on one machine and one copy of the data. See bench/README.md.
#
#   bench/ab.sh --db sqlite|postgres --base REV --head REV [--refs 200000] [--duration 10] [--rounds 2]
#
# Publishes both revisions in Release from detached git worktrees in the work folder, generates the data set
# once, creates the database and imports it once with the head build's CLI (refused unless the two revisions have
# the same src/Xref.Server/Storage/Migrations: one database serves both builds), then runs the two builds in turn,
# A B B A in odd rounds and B A A B in even ones (A = base, B = head), so that a drift over the run weighs on both
# alike. Each slot: the references the upserts created are deleted, the build's server started on the database
# (XREF_RATE_LIMIT=off), warmed up (mixed load), then one wrk pass (-t2 -c32 --latency) each of /health (the
# slot's baseline), the narrow list and the upsert; the server stopped. Prints the table (each slot, the median
# per build, head/base of the medians) and writes it to bench/results/ab-<db>-<date>.txt. It measures; it asserts
# nothing.
#
# Holds /tmp/xref-build.lock like run.sh (see there); stops everything it started on exit, even on failure,
# and removes its worktrees (`git worktree prune`).
set -euo pipefail

usage() { sed -n '4,5p' "$0" | sed 's/^# *//' >&2; exit 2; }

ARGS=("$@")
DB="" BASE="" HEAD="" REFS=200000 DURATION=10 ROUNDS=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --db) DB=${2:-}; shift 2 ;;
    --base) BASE=${2:-}; shift 2 ;;
    --head) HEAD=${2:-}; shift 2 ;;
    --refs) REFS=${2:-}; shift 2 ;;
    --duration) DURATION=${2:-}; shift 2 ;;
    --rounds) ROUNDS=${2:-}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "ab.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ "$DB" == sqlite || "$DB" == postgres ]] || usage
[[ -n "$BASE" && -n "$HEAD" ]] || usage
[[ "$REFS" =~ ^[0-9]+$ && "$DURATION" =~ ^[0-9]+$ && "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || usage

source "$(dirname "$0")/lib.sh"

# Both revisions, and the same schema for both: checked before waiting for the lock.
MIGRATIONS=src/Xref.Server/Storage/Migrations
for rev in "$BASE" "$HEAD"; do
  git -C "$ROOT" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "ab.sh: no commit $rev" >&2; exit 2; }
done
BASE_SHA=$(git -C "$ROOT" rev-parse "$BASE^{commit}") HEAD_SHA=$(git -C "$ROOT" rev-parse "$HEAD^{commit}")
if ! git -C "$ROOT" diff --quiet "$BASE_SHA" "$HEAD_SHA" -- "$MIGRATIONS"; then
  echo "ab.sh: $MIGRATIONS differs between $BASE and $HEAD; one database cannot serve both builds:" >&2
  git -C "$ROOT" diff --stat "$BASE_SHA" "$HEAD_SHA" -- "$MIGRATIONS" >&2
  exit 1
fi

bench_lock "${ARGS[@]}"
bench_start "/tmp/xref-ab-last-$DB"

WARMUP=5
LIST=/api/v1/external_references
NARROW="$LIST?subject_type=TimeEntry&status=failed&service_name=jira"

install_wrk
declare -A BIN
for build in base head; do
  if [[ $build == base ]]; then rev=$BASE_SHA; else rev=$HEAD_SHA; fi
  add_worktree "tree-$build" "$rev"
  publish_xref "$WT" "xref-$build"
  BIN[$build]=$XREF
  meta "commit_$build" "$COMMIT"
  meta "subject_$build" "$(git -C "$ROOT" log -1 --format=%s "$rev")"
done
meta db "$DB"; meta refs "$REFS"; meta duration "$DURATION"; meta rounds "$ROUNDS"; meta warmup "$WARMUP"
meta_machine
meta bench "$(git -C "$ROOT" rev-parse --short HEAD)$([[ -n "$(git -C "$ROOT" status --porcelain -- bench)" ]] && echo +uncommitted-bench)"
meta migrations "$(git -C "$ROOT" ls-tree --name-only "$HEAD_SHA" "$MIGRATIONS/$DB/" | xargs -n1 basename | tr '\n' ' ')"

generate_data
setup_database
XREF=${BIN[head]}  # the CLI that creates and imports the database
create_accounts
import_all

# One slot: a clean start of one build on the data as imported (less the upserts' creates), its three passes.
slot() { # number round build
  local label="$1-$3"
  XREF=${BIN[$3]}
  meta "slot_$1" "$2 $3"
  settle "$label"
  start_server "$label"
  log "[slot $1, round $2, $3] warming up for $WARMUP s (mixed load)"
  run_wrk "warmup-$label" "$WARMUP" mixed.lua /health "$RES/warmup-$label.txt"
  log "[slot $1, round $2, $3] /health, narrow, upsert: ${DURATION} s each"
  run_wrk "$label-health" "$DURATION" get.lua /health
  run_wrk "$label-narrow" "$DURATION" get.lua "$NARROW"
  run_wrk "$label-upsert" "$DURATION" upsert.lua /health
  stop_server "$label"
}

n=0
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2 == 1)); then order=(base head head base); else order=(head base base head); fi
  for build in "${order[@]}"; do
    n=$((n + 1))
    slot "$n" "$round" "$build"
  done
done
settle end
meta slots "$n"
meta total_seconds "$(( ($(now_ms) - RUN_STARTED) / 1000 ))"

mkdir -p "$BENCH/results"
REPORT=$BENCH/results/ab-$DB-$STAMP.txt
python3 - "$BENCH" "$RES" <<'EOF' | tee "$REPORT"
import os, statistics, sys
sys.path.insert(0, sys.argv[1])
from report import parse_wrk, fmt_rps, fmt_ms

res = sys.argv[2]
meta = {}
for line in open(os.path.join(res, "meta.txt"), encoding="utf-8"):
    k, _, v = line.rstrip("\n").partition("=")
    meta.setdefault(k, v)
BUILDS = ("base", "head")
SCEN = ("narrow", "upsert")
slots = []  # (number, round, build, {health, narrow, upsert})
problems = []
for n in range(1, int(meta["slots"]) + 1):
    rnd, build = meta[f"slot_{n}"].split()
    runs = {s: parse_wrk(os.path.join(res, f"wrk-{n}-{build}-{s}.txt")) for s in ("health",) + SCEN}
    for s, r in runs.items():
        if r is None or r["rps"] is None:
            problems.append(f"slot {n} ({build}) {s}: wrk failed")
            runs[s] = None
        elif r["non2xx"] or r["socket"]:
            problems.append(f"slot {n} ({build}) {s}: {r['non2xx']} non-2xx, {r['socket']} socket errors out of {r['requests']} requests")
    slots.append((n, int(rnd), build, runs))

def value(runs, s, key):
    r = runs[s]
    if r is None:
        return None
    if key == "x":
        h = runs["health"]
        return r["rps"] / h["rps"] if h and h["rps"] else None
    return r[key]

def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

short = lambda subject: subject.split(";")[0] if len(subject) <= 100 or ";" in subject[:100] else subject[:97] + "..."
fmt_x = lambda v: "-" if v is None else f"{v:.3f}"
fmt_ratio = lambda v: "-" if v is None else f"{v:.3f}"
COLS = [("health", "rps", "/health req/s", fmt_rps)]
for s in SCEN:
    COLS += [(s, "rps", f"{s} req/s", fmt_rps), (s, "p50", "p50 ms", fmt_ms), (s, "p99", "p99 ms", fmt_ms),
             (s, "x", "x /health", fmt_x)]
header = ["build", "slot", "round"] + [c[2] for c in COLS]
rows, med = [], {}
for b in BUILDS:
    mine = [sl for sl in slots if sl[2] == b]
    for n, rnd, _, runs in mine:
        rows.append([f"{b} {meta['commit_' + b]}", str(n), str(rnd)] + [f(value(runs, s, k)) for s, k, _, f in COLS])
    med[b] = {(s, k): median(value(runs, s, k) for _, _, _, runs in mine) for s, k, _, _ in COLS}
    rows.append([f"{b} median", "", ""] + [f(med[b][(s, k)]) for s, k, _, f in COLS])
ratio = lambda s, k: (med["head"][(s, k)] / med["base"][(s, k)]) if med["head"][(s, k)] and med["base"][(s, k)] else None
rows.append(["head/base (medians)", "", ""] + [fmt_ratio(ratio(s, k)) for s, k, _, _ in COLS])

widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
line = lambda cells: "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"
rounds = int(meta["rounds"])
out = [f"Xref A/B: {meta.get('db')}, {int(meta.get('refs', 0)):,} references in account 1 (+1% in each of accounts 2-4); "
       f"{meta.get('date')}",
       f"base {meta['commit_base']} ({short(meta['subject_base'])}); head {meta['commit_head']} ({short(meta['subject_head'])}); "
       f"both on the same schema: {meta['migrations'].strip()}",
       f"machine: {meta.get('machine')}; {meta.get('wrk')}; .NET SDK {meta.get('dotnet')}; bench scripts {meta.get('bench')}",
       f"database: {meta.get('database')}; created and imported once, with the head build's CLI",
       f"server environment: {meta.get('env') or '-'} (plus XREF_RATE_LIMIT=off)",
       f"{rounds} round(s) of four slots, A B B A then B A A B (A = base, B = head); each slot: the svc-... references of the "
       f"upserts deleted, the build's server started, warm-up {meta.get('warmup')} s mixed load, then one pass each of "
       f"wrk -t2 -c32 -d{meta.get('duration')}s --latency: /health, narrow, upsert; server stopped",
       "narrow = GET /api/v1/external_references?subject_type=TimeEntry&status=failed&service_name=jira (wrk/get.lua); "
       "upsert = wrk/upsert.lua (half updates, half creates on TimeEntry); x /health = req/s over the same slot's /health",
       "", line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
out += [line(r) for r in rows]
out.append("")
summary = []
for s in SCEN:
    summary.append(f"{s} {fmt_ratio(ratio(s, 'rps'))} in req/s, {fmt_ratio(ratio(s, 'x'))} in x /health, "
                   f"p99 {fmt_ratio(ratio(s, 'p99'))}")
out.append("head/base of the medians: " + "; ".join(summary))
# Per round: the mean of head's two slots over the mean of base's two, which share that round's drift.
per_round = []
for s in SCEN:
    rs = []
    for rnd in range(1, rounds + 1):
        m = {b: [value(runs, s, "rps") for _, r_, b_, runs in slots if r_ == rnd and b_ == b] for b in BUILDS}
        if all(m[b] and None not in m[b] for b in BUILDS):
            rs.append(f"{statistics.mean(m['head']) / statistics.mean(m['base']):.3f}")
        else:
            rs.append("-")
    per_round.append(f"{s} {' / '.join(rs)}")
out.append("head/base per round (mean of its two slots each): " + "; ".join(per_round))
spread = []
for s in SCEN:
    for b in BUILDS:
        xs = [value(runs, s, "rps") for _, _, b_, runs in slots if b_ == b]
        xs = [x for x in xs if x]
        if xs:
            spread.append(f"{s} {b} {min(xs):,.0f}-{max(xs):,.0f} ({max(xs) / min(xs):.2f}x)")
out.append("spread of req/s within one build (min-max over its slots): " + "; ".join(spread))
labels = [f"{n}-{b}" for n, _, b, _ in slots]
out.append("start-up to first 200 from /ready, ms, slot by slot: " + ", ".join(f"{l} {meta.get('startup_' + l, '?')}" for l in labels))
out.append("peak memory VmHWM, slot by slot: " + ", ".join(f"{l} {meta.get('vmhwm_' + l, '?')}" for l in labels))
out.append("svc-... references deleted before each slot (created by the previous slot's warm-up and upserts): " +
           ", ".join(meta.get(f"svc_rows_{l}", "?") for l in labels[1:] + ["end"]) +
           "; external_references rows at each server start: " + ", ".join(sorted({meta.get(f"rows_{l}", "?") for l in labels})))
if problems:
    out.append("ERRORS: " + "; ".join(problems))
out.append(f"whole run {meta.get('total_seconds')} s; import of account 1 {meta.get('import_1')} s "
           f"[{meta.get('import_1_summary')}]; database size after import {meta.get('db_size')}")
print("\n".join(out))
EOF
log "report written to ${REPORT#"$ROOT"/}"
