#!/usr/bin/env bash
# PostgreSQL alone, on the fresh scenario's database (issue 14). See bench/README.md, "PostgreSQL alone".
#
#   bench/pg-breakdown.sh [--duration 8] [--rounds 3]
#
# Sets up as `bench/run.sh --db postgres --fresh-only` does (a throwaway cluster, an empty database, 16 s of upserts
# through the API), stops the server, then drives PostgreSQL directly with pgbench: 16 clients (Xref's pool on 2
# cores), 2 threads, prepared statements, plan_cache_mode=force_generic_plan as Xref sets it; no Xref, no HTTP:
#   select1       SELECT 1, the floor of one statement;
#   narrow        the narrow list's two statements as Xref sends them (count and version, then the page);
#   upsert        create_or_update's statement as Xref sends it, in an implicit transaction;
#   upsert-bare   the same with the count triggers (counts, totals, sync hours) disabled: what they cost;
#   upsert-group  16 of those statements in one pipelined implicit transaction from 2 clients, as Xref's group
#                 commit sends them (Storage/PostgresGroupCommit.cs); its tps counts groups.
# The three upsert cases alternate for --rounds rounds. Prints transactions/s per pass. It measures; it asserts nothing.
set -euo pipefail

DURATION=8 ROUNDS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) sed -n '4,4p' "$0" | sed 's/^# *//' >&2; exit 2 ;;
  esac
done
DB=postgres DURATION_ARG=$DURATION
source "$(dirname "$0")/lib.sh"
bench_lock --duration "$DURATION" --rounds "$ROUNDS"
bench_start /tmp/xref-pg-breakdown-last
install_wrk
publish_xref
setup_database
# run_fresh's list passes last DURATION seconds: 3 are enough here, where only the database they leave is used.
LIST=/api/v1/external_references DURATION=3
run_fresh
DURATION=$DURATION_ARG

T="ALTER TABLE external_references"
triggers() { "$XREF_PG_BIN/psql" -X "$FRESH_URL" -v ON_ERROR_STOP=1 -qc "$T $1 TRIGGER reference_counts_on_insert; $T $1 TRIGGER reference_counts_on_update"; }

cat >"$WORK/select1.sql" <<'EOF'
SELECT 1;
EOF
# ExternalReferenceStore.StatsSql and the page query (ListAsync) for ?subject_type=TimeEntry&status=failed&service_name=svc3.
cat >"$WORK/narrow.sql" <<'EOF'
SELECT CASE WHEN (:svc)::text IS NULL
            THEN (SELECT COALESCE(SUM(n), 0) FROM reference_totals WHERE account_id = :acc AND subject_type = (:typ)::text AND ((:st)::text IS NULL OR status = (:st)::text))
            ELSE (SELECT COALESCE(SUM(n), 0) FROM reference_stats WHERE account_id = :acc AND subject_type = (:typ)::text AND service_name = (:svc)::text AND ((:st)::text IS NULL OR status = (:st)::text))
       END AS count,
       (SELECT COALESCE(SUM(writes), 0) FROM reference_totals WHERE account_id = :acc AND subject_type = (:typ)::text) AS version;
SELECT id, account_id, subject_type, subject_id, service_name, service_model, service_model_ref, status, external_link, external_status,
       external_message, locked, created_at, updated_at, last_synced_at
FROM external_references WHERE account_id = :acc AND subject_type = (:typ)::text AND status = (:st)::text AND service_name = (:svc)::text
ORDER BY last_synced_at DESC, id ASC LIMIT 20 OFFSET :off;
EOF
# UpsertCommand's statement, with wrk/fresh_upsert.lua's keys and statuses.
cat >"$WORK/upsert.sql" <<'EOF'
\set subject random(1, 5000)
\set service random(0, 7)
\set pick random(0, 5)
\set now 1764633600 + random(0, 86400)
INSERT INTO external_references (account_id, subject_type, subject_id, service_name, service_model, service_model_ref, status,
    external_link, external_status, external_message, locked, created_at, updated_at, last_synced_at)
SELECT :acc, (:typ)::text, :subject, 'svc' || :service, 'Record', 'FRESH', CASE WHEN :pick < 4 THEN 'successful' WHEN :pick = 4 THEN 'pending' ELSE 'failed' END,
    'https://example.com/f', 'bench', NULL, FALSE, :now, :now, :now
WHERE EXISTS (SELECT 1 FROM subjects WHERE type = (:typ)::text AND id = :subject AND account_id = :acc)
ON CONFLICT (account_id, subject_type, subject_id, service_name) DO UPDATE SET
    service_model = excluded.service_model, service_model_ref = excluded.service_model_ref, status = excluded.status,
    external_link = excluded.external_link, external_status = excluded.external_status,
    updated_at = excluded.updated_at, last_synced_at = excluded.last_synced_at, revision = external_references.revision + 1
RETURNING id, account_id, subject_type, subject_id, service_name, service_model, service_model_ref, status, external_link,
    external_status, external_message, locked, created_at, updated_at, last_synced_at, revision;
EOF

# The same statement 16 times in one pipelined implicit transaction, as Storage/PostgresGroupCommit sends a group.
{
  for i in $(seq 16); do echo "\\set subject$i random(1, 5000)"; echo "\\set service$i random(0, 7)"; echo "\\set pick$i random(0, 5)"; done
  echo '\set now 1764633600 + random(0, 86400)'
  echo '\startpipeline'
  for i in $(seq 16); do
    sed -n '/^INSERT INTO external_references/,/revision;$/p' "$WORK/upsert.sql" | sed -e "s/:subject/:subject$i/g" -e "s/:service/:service$i/g" -e "s/:pick/:pick$i/g"
  done
  echo '\endpipeline'
} >"$WORK/upsert-group.sql"

pass() { # label script [clients]
  local tps
  tps=$(PGOPTIONS="-c plan_cache_mode=force_generic_plan" "$XREF_PG_BIN/pgbench" -n -M prepared -c "${3:-16}" -j 2 -T "$DURATION" \
    -D acc=1 -D typ=TimeEntry -D svc=svc3 -D st=failed -D off=0 -f "$WORK/$2.sql" "$FRESH_URL" 2>"$WORK/pgbench-$1.err" \
    | awk '/^tps/ { printf "%.0f", $3 }')
  [[ -n "$tps" ]] || { echo "$SCRIPT: pgbench $1 failed" >&2; tail -n 5 "$WORK/pgbench-$1.err" >&2; exit 1; }
  printf '  %-12s %8s tps\n' "$1" "$tps"
  echo "$1=$tps" >>"$RES/tps.txt"
}

REPORT=$BENCH/results/pg-breakdown-$STAMP.txt
mkdir -p "$BENCH/results"
{
  echo "PostgreSQL alone on the fresh scenario's database; commit $COMMIT; $(date -u '+%Y-%m-%d %H:%M UTC'); PostgreSQL $("$XREF_PG_BIN/postgres" --version | awk '{print $3}')"
  echo "pgbench -c 16 -j 2 -T $DURATION -M prepared, plan_cache_mode=force_generic_plan; $(nproc) cores shared with pgbench"
  echo "references after the upserts through the API: $(awk -F= '$1 == "fresh_count" { print $2 }' "$RES/meta.txt")"
  pass select1 select1
  pass narrow narrow
  pass narrow narrow
  for round in $(seq "$ROUNDS"); do
    triggers ENABLE; pass upsert upsert
    triggers DISABLE; pass upsert-bare upsert
    triggers ENABLE; pass upsert-group upsert-group 2
  done
  python3 - "$RES/tps.txt" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    k, v = line.strip().split("=")
    runs.setdefault(k, []).append(float(v))
m = {k: statistics.median(v) for k, v in runs.items()}
print(f"medians: SELECT 1 {m['select1']:,.0f}/s; narrow list {m['narrow']:,.0f}/s ({m['narrow'] / m['select1']:.3f} x SELECT 1); "
      f"upsert {m['upsert']:,.0f}/s with the count triggers, {m['upsert-bare']:,.0f}/s without: "
      f"the triggers take {(1 - m['upsert'] / m['upsert-bare']) * 100:.0f}% of PostgreSQL's upsert throughput; "
      f"in groups of 16 from 2 clients {m['upsert-group'] * 16:,.0f} upserts/s ({m['upsert-group'] * 16 / m['upsert']:.2f} x one per transaction)")
EOF
} | tee "$REPORT"
log "report written to ${REPORT#"$ROOT"/}"
