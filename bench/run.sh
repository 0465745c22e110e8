#!/usr/bin/env bash
# The Xref benchmark (issue 4). See bench/README.md.
#
#   bench/run.sh --db sqlite|postgres [--refs 1000000] [--duration 10] [--warmup 20] [--fresh-only [--metrics-ab]]
#
# Publishes Xref (Release), generates the data set, creates the database (PostgreSQL: a throwaway cluster of
# its own), runs the "fresh" scenario on an empty database of its own (--fresh-only: only that), imports, starts the published binary on loopback, warms up, runs every scenario twice with wrk,
# walks a whole listing, prints the table and writes it to bench/results/<db>-<date>.txt. Stops everything it
# started on exit, even on failure. It measures; it asserts nothing.
#
# The whole run holds /tmp/xref-build.lock (so no build or test run on this machine overlaps it), unless
# a parent process already holds it (`flock /tmp/xref-build.lock bench/run.sh ...`) or XREF_BENCH_NO_LOCK=1,
# in which case only the publish takes the lock. The shared pieces are in bench/lib.sh.
set -euo pipefail

usage() { sed -n '4,4p' "$0" | sed 's/^# *//' >&2; exit 2; }

DB="" REFS=1000000 DURATION=10 WARMUP=20 FRESH_ONLY=0 METRICS_AB=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --db) DB=${2:-}; shift 2 ;;
    --refs) REFS=${2:-}; shift 2 ;;
    --duration) DURATION=${2:-}; shift 2 ;;
    --warmup) WARMUP=${2:-}; shift 2 ;;
    --fresh-only) FRESH_ONLY=1; shift ;;
    --metrics-ab) METRICS_AB=1; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ "$DB" == sqlite || "$DB" == postgres ]] || usage
[[ "$REFS" =~ ^[0-9]+$ && "$DURATION" =~ ^[0-9]+$ && "$WARMUP" =~ ^[0-9]+$ ]] || usage

source "$(dirname "$0")/lib.sh"
ARGS=(--db "$DB" --refs "$REFS" --duration "$DURATION" --warmup "$WARMUP")
if [[ $FRESH_ONLY == 1 ]]; then ARGS+=(--fresh-only); fi
if [[ $METRICS_AB == 1 ]]; then ARGS+=(--metrics-ab); fi
bench_lock "${ARGS[@]}"
bench_start "/tmp/xref-bench-last-$DB"

# ---------------------------------------------------------------- 1. wrk
install_wrk

# ---------------------------------------------------------------- 2. publish (Release)
publish_xref
meta db "$DB"; meta refs "$REFS"; meta duration "$DURATION"; meta warmup "$WARMUP"
meta_machine

# ---------------------------------------------------------------- 3. data set
if [[ $FRESH_ONLY == 0 ]]; then generate_data; fi

# ---------------------------------------------------------------- 4. database
LIST=/api/v1/external_references
setup_database
run_fresh
if [[ $FRESH_ONLY == 1 ]]; then
  if [[ $METRICS_AB == 1 ]]; then run_metrics_ab; fi
  meta total_seconds "$(( ($(now_ms) - RUN_STARTED) / 1000 ))"
  mkdir -p "$BENCH/results"
  REPORT=$BENCH/results/fresh-$DB-$STAMP.txt
  python3 "$BENCH/report.py" "$RES" | tee "$REPORT"
  log "report written to ${REPORT#"$ROOT"/}"
  exit 0
fi
create_accounts
import_all

# ---------------------------------------------------------------- 5. server
scenario() { # name script path
  for pass in 1 2; do
    log "scenario $1, pass $pass"
    run_wrk "$1" "$DURATION" "$2" "$3" "$RES/wrk-$1-$pass.txt"
  done
}

start_server main
log "warming up for ${WARMUP} s (mixed load)"
run_wrk warmup "$WARMUP" mixed.lua /health "$RES/warmup.txt"
scenario 1-baseline get.lua /health
scenario 2-narrow get.lua "$LIST?subject_type=TimeEntry&status=failed&service_name=jira"
scenario 3-broad get.lua "$LIST?subject_type=TimeEntry"
BENCH_MAX_PAGE=500 scenario 4-random random_page.lua "$LIST"
scenario 7-include get.lua "$LIST?subject_type=TimeEntry&status=failed&service_name=jira&include=subject"
log "scenario 5: full walk of Workspace, per_page=200"
timeout 1000 python3 "$BENCH/walk.py" --port "$SERVER_PORT" --token "$TOKEN" --subject-type Workspace --per-page 200 --max-seconds 900 \
  >"$RES/walk.json" 2>"$WORK/walk.log" || true
scenario 6-upsert upsert.lua /health
stop_server main

start_server nocache XREF_PAGE_CACHE=off
UNCACHED_WARMUP=$(( WARMUP / 4 > 3 ? WARMUP / 4 : 3 ))
log "warming up the restarted server for ${UNCACHED_WARMUP} s"
BENCH_MAX_PAGE=5000 run_wrk warmup-nocache "$UNCACHED_WARMUP" random_page.lua "$LIST" "$RES/warmup-nocache.txt"
BENCH_MAX_PAGE=5000 scenario 4b-random-uncached random_page.lua "$LIST"
stop_server nocache

meta total_seconds "$(( ($(now_ms) - RUN_STARTED) / 1000 ))"

# ---------------------------------------------------------------- 9. report
mkdir -p "$BENCH/results"
REPORT=$BENCH/results/$DB-$STAMP.txt
python3 "$BENCH/report.py" "$RES" | tee "$REPORT"
log "report written to ${REPORT#"$ROOT"/}"
