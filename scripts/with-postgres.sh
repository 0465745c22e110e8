#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 cluster on 127.0.0.1 and a free port, then removes it.
# The cluster's connection string is exported as XREF_TEST_POSTGRES (Npgsql format) and XREF_PG_URL (postgres:// URL).
# Usage: scripts/with-postgres.sh <command> [args...]
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
  echo "with-postgres: PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin); install postgresql-15" >&2
  exit 2
fi

dir=$(mktemp -d /tmp/xref-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ $(id -u) -eq 0 ]]; then chown postgres "$dir"; pg_user=postgres; else pg_user=$(id -un); fi

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$dir/data" -U "$pg_user" -A trust -E UTF8 --no-locale >/dev/null
# A disposable cluster: durability off for speed; enough connections for parallel test classes.
as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null

export XREF_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=$pg_user;Database=postgres"
export XREF_PG_URL="postgres://$pg_user@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
