#!/usr/bin/env bash
# Packs Xref.Client, Xref.Server and Xref.Testing into $1 (default .artifacts/packages), then proves the packages are
# enough: tests/package-consumer, copied outside the repository (so none of its build settings apply) and restored
# from those packages alone with a private package folder, starts a sandbox and prints "1 Website relaunch".
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-.artifacts/packages}" && cd "${1:-.artifacts/packages}" && pwd)
for project in Xref.Client Xref.Server Xref.Testing; do
  dotnet pack "src/$project" -c Release -o "$out" --nologo -v quiet
done
work=$(mktemp -d /tmp/xref-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp tests/package-consumer/Consumer.csproj tests/package-consumer/Program.cs "$work/"
cat > "$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="xref-local" value="$out" />
  </packageSources>
</configuration>
CONFIG
printed=$(cd "$work" && NUGET_PACKAGES="$work/packages" dotnet run -c Release --nologo -v quiet)
if [[ "$printed" != "1 Website relaunch" ]]; then
  echo "pack.sh: the package consumer printed '$printed', not '1 Website relaunch'" >&2
  exit 1
fi
echo "pack.sh: $(ls "$out"/*.nupkg | xargs -n1 basename | tr '\n' ' ')work from a project that references Xref.Testing alone"
