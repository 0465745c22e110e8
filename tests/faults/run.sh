#!/usr/bin/env bash
# Fault-injection suite: publishes Xref (Release) into a temporary directory, then runs
#   1. crash.py --db sqlite      kill -9 under a 32-thread write load, restart, no acknowledged write lost
#   2. crash.py --db postgres    the same on a throwaway cluster (scripts/with-postgres.sh)
#   3. outage.py                 PostgreSQL stopped and restarted under load: 503 + Retry-After, recovery, no loss
#   4. outage.py --stop-mode freeze   PostgreSQL hung (SIGSTOP) for 12 s under load: the same, every answer within 5 s
#   5. hostile.py --db sqlite    hostile requests (30,000-level form keys, 1 MiB of empty details, a maximal page read
#                                by stalled clients, 2,500 bogus tokens, /ready and /openapi hammered): no attack raises
#                                the server's RSS by more than 50 MB, /health answers 200 every 200 ms throughout
#   6. hostile.py --db postgres  the same on a throwaway cluster
# and exits non-zero if any of them fails. Everything listens on 127.0.0.1 only; everything started is stopped.
# Each PostgreSQL test has a cluster of its own from scripts/with-postgres.sh (the one the test suite and the
# benchmark use): crash.py runs under it here; outage.py runs itself under it, with PostgreSQL's durability
# defaults, and stops, starts or freezes it through the XREF_PG_* variables it exports.
#
# The build and the load are CPU-heavy: on a shared machine run it as
#   flock /tmp/xref-build.lock tests/faults/run.sh
# (this script takes no lock itself, so that the wrapping above cannot deadlock).
# XREF_BIN=/path/to/published/xref skips the publish step and uses that binary.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d /tmp/xref-faults.XXXXXX)
children=()

cleanup() {
  local pid i
  for pid in "${children[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  # On SIGTERM the scripts stop their server, and scripts/with-postgres.sh stops and removes its cluster; give them
  # the time to.
  for pid in "${children[@]}"; do
    for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

# Runs one step in its own process group (so cleanup can stop all of it) and waits for it.
step() {
  setsid -w "$@" &
  local pid=$!
  children+=("$pid")
  wait "$pid"
}

started=$(date +%s)
if [[ -n "${XREF_BIN:-}" ]]; then
  xref=$XREF_BIN
else
  echo "== publishing Xref (Release) into $tmp/xref"
  if ! (cd "$repo" && dotnet publish src/Xref.Server -c Release -o "$tmp/xref" -nologo -v quiet) >"$tmp/publish.log" 2>&1; then
    cat "$tmp/publish.log" >&2
    echo "run.sh: publish failed" >&2
    exit 2
  fi
  xref=$tmp/xref/xref
fi

declare -A results
failed=0
run_test() {
  local name=$1; shift
  echo
  echo "== $name"
  if step "$@"; then results[$name]=PASS; else results[$name]=FAIL; failed=1; fi
}

run_test "crash (sqlite)" python3 "$here/crash.py" --db sqlite --xref "$xref"
run_test "crash (postgres)" "$repo/scripts/with-postgres.sh" python3 "$here/crash.py" --db postgres --xref "$xref"
run_test "outage (postgres)" python3 "$here/outage.py" --xref "$xref"
run_test "hung database (postgres)" python3 "$here/outage.py" --xref "$xref" --stop-mode freeze --outage 12
run_test "hostile (sqlite)" python3 "$here/hostile.py" --db sqlite --xref "$xref"
run_test "hostile (postgres)" "$repo/scripts/with-postgres.sh" python3 "$here/hostile.py" --db postgres --xref "$xref"

echo
echo "== fault-injection summary ($(( $(date +%s) - started )) s)"
for name in "crash (sqlite)" "crash (postgres)" "outage (postgres)" "hung database (postgres)" "hostile (sqlite)" "hostile (postgres)"; do
  echo "$name: ${results[$name]}"
done
exit $failed
