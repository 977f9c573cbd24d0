#!/usr/bin/env bash
# Regenerates the TypeScript client's types (clients/typescript/src/schema.ts) from the gateway's OpenAPI document,
# built in process. Run it after changing a route or a body; the drift test (tests/clients) fails until you do.
# Usage: scripts/client-types.sh [OUTPUT [DOCUMENT]]
#   OUTPUT    default: clients/typescript/src/schema.ts
#   DOCUMENT  an OpenAPI document already exported (the drift test's); default: exported here
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUTPUT="${1:-$ROOT/clients/typescript/src/schema.ts}"
GENERATOR="$ROOT/clients/node_modules/.bin/openapi-typescript"

if [ ! -x "$GENERATOR" ]; then
    (cd "$ROOT/clients" && npm ci --no-audit --no-fund --silent)
fi
document="${2:-}"
if [ -z "$document" ]; then
    document="$(mktemp --suffix=.json)"
    trap 'rm -f "$document"' EXIT
    (cd "$ROOT" && uv run --frozen python -m mathreel_gateway.openapi >"$document")
fi
"$GENERATOR" "$document" --output "$OUTPUT" --alphabetize --silent
