#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 cluster on 127.0.0.1 and a free port, then removes it (on the
# command's exit, on failure, on Ctrl-C or SIGTERM); exits with the command's status.
# Usage: scripts/with-postgres.sh <command> [args...]
#
# The test suite (scripts/test.sh), the fault tests (tests/faults) and, through scripts/pg-cluster.sh which holds
# the implementation, the benchmark (bench/lib.sh) all get their cluster this way.
#
# Exported to the command:
#   XREF_TEST_POSTGRES  the connection string, Npgsql format (the test suite reads it)
#   XREF_PG_URL         the same as postgres://USER@127.0.0.1:PORT/postgres
#   XREF_PG_BIN XREF_PG_DATA XREF_PG_LOG XREF_PG_PORT XREF_PG_USER
#                       server binaries, data folder, server log, port, owner: what a command needs to stop, start
#                       or freeze the cluster (tests/faults/outage.py): pg_ctl -D "$XREF_PG_DATA" -m fast stop, then
#                       pg_ctl -D "$XREF_PG_DATA" -l "$XREF_PG_LOG" -w start restarts it with the same settings
#                       (run pg_ctl as XREF_PG_USER: as root, runuser -u postgres --).
# Environment read:
#   XREF_PG_SETTINGS    the server settings, "-c name=value -c name=value ...". Unset: the test suite's
#                       (durability off for speed, enough connections for parallel test classes); set, even to
#                       "", they replace those, on PostgreSQL's defaults.
#   PG_BIN              the server binaries' folder, instead of /usr/lib/postgresql/15/bin or the newest
#                       /usr/lib/postgresql/*/bin (as root, postgresql-15 is installed with apt-get when there are none).
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: scripts/with-postgres.sh <command> [args...]" >&2
  exit 2
fi
source "$(dirname "${BASH_SOURCE[0]}")/pg-cluster.sh"

# The test suite's cluster: durability off for speed; enough connections for parallel test classes.
TEST_SETTINGS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"

dir=""
cleanup() {
  set +e
  pg_cluster_stop
  if [[ -n "$dir" ]]; then rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dir=$(mktemp -d /tmp/xref-pg.XXXXXX)
pg_cluster_start "$dir" "${XREF_PG_SETTINGS-$TEST_SETTINGS}" || exit 2
echo "with-postgres: PostgreSQL $("$XREF_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$XREF_PG_PORT" >&2
"$@"
