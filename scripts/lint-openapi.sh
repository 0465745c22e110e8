#!/usr/bin/env bash
# Lints Xref's OpenAPI document with a pinned Redocly CLI (its recommended rules, scripts/redocly.yaml).
#   scripts/lint-openapi.sh                    the document of the server at $XREF_URL (default http://127.0.0.1:5080)
#   scripts/lint-openapi.sh <file or URL>      that document
# Redocly is installed once into .tools/redocly-<version>/ in the repository (ignored by git), not globally.
# Exits non-zero when Redocly reports an error; warnings are printed and allowed.
set -euo pipefail
cd "$(dirname "$0")/.."

version=2.77.0
tools=".tools/redocly-$version"
if [[ ! -x "$tools/node_modules/.bin/redocly" ]]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "@redocly/cli@$version" >&2
fi

source="${1:-${XREF_URL:-http://127.0.0.1:5080}/openapi/v1.json}"
document="$source"
if [[ "$source" == http://* || "$source" == https://* ]]; then
  document=$(mktemp --suffix=.json)
  trap 'rm -f "$document"' EXIT
  curl --fail --silent --show-error "$source" -o "$document"
fi
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$tools/node_modules/.bin/redocly" lint --config scripts/redocly.yaml --format stylish "$document"
