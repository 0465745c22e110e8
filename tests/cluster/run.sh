#!/usr/bin/env bash
# The cluster test (issue 14): three Xref nodes on one PostgreSQL behind haproxy. See tests/cluster/README.md.
#
#   flock /tmp/xref-build.lock tests/cluster/run.sh [cluster.py options: --clients 32 --load-seconds 30 --kill-at 12 --keep]
#
# Publishes Xref (Release) into a temporary folder (XREF_BIN=/path/to/xref skips it), installs haproxy with apt-get
# if it is missing, and runs cluster.py under scripts/with-postgres.sh (a throwaway cluster, removed afterwards).
# Takes no lock itself (wrap it as above on a shared machine). Exits non-zero if any check fails.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d /tmp/xref-cluster-run.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if ! command -v haproxy >/dev/null; then
  echo "== installing haproxy from Debian"
  { apt-get install -y haproxy || { apt-get update && apt-get install -y haproxy; }; } >"$tmp/apt.log" 2>&1 \
    || { tail -n 20 "$tmp/apt.log" >&2; echo "run.sh: could not install haproxy" >&2; exit 2; }
fi
if [[ -n "${XREF_BIN:-}" ]]; then
  xref=$XREF_BIN
else
  echo "== publishing Xref (Release) into $tmp/xref"
  (cd "$repo" && dotnet publish src/Xref.Server -c Release -o "$tmp/xref" -nologo -v quiet) >"$tmp/publish.log" 2>&1 \
    || { cat "$tmp/publish.log" >&2; echo "run.sh: publish failed" >&2; exit 2; }
  xref=$tmp/xref/xref
fi
echo "== cluster test: $(haproxy -v | head -n 1)"
# psql (for the checks) from the cluster's own binaries.
"$repo/scripts/with-postgres.sh" bash -c 'PATH="$XREF_PG_BIN:$PATH" exec python3 "$0" --xref "$1" "${@:2}"' \
  "$here/cluster.py" "$xref" "$@"
