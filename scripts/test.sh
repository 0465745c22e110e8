#!/usr/bin/env bash
# The whole test suite, on SQLite and on a throwaway PostgreSQL cluster this script starts and removes.
# Ends with the totals alone on a line: "N passed, M failed". Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh  # Debian's chromium, for the dashboard's browser tests

results=$(mktemp -d /tmp/xref-test-results.XXXXXX)
trap 'rm -rf "$results"' EXIT

status=0
scripts/with-postgres.sh dotnet test Xref.slnx -c Release \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=minimal" \
  --results-directory "$results" "$@" || status=$?

mapfile -t trxs < <(find "$results" -name '*.trx')
if [[ ${#trxs[@]} -eq 0 ]]; then
  echo "test.sh: no test results were written (build failure?)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# One .trx per test project: their counters are summed.
passed=0 failed=0
for trx in "${trxs[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  passed=$((passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
  failed=$((failed + $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters") + $(sed -E 's/.* error="([0-9]+)".*/\1/' <<<"$counters")))
done
# The packages (CI packs them) and a project outside the repository that uses them count as one more test.
if [[ $# -eq 0 ]]; then
  if scripts/pack.sh "$results/packages"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $status -eq 0 ]]
