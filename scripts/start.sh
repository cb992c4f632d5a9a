#!/usr/bin/env bash
# Starts the exporter; installs the npm dependencies first on a fresh checkout, then builds dist/ from src/
# (a fraction of a second) so plain node runs it, as the image does.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only when a production dependency is missing or not the wanted version: a checkout with the dev dependencies too
# (after npm test) keeps them, so a test that runs npm start cannot take jest and tsc away from the suite.
if [ ! -d node_modules ] || ! npm ls --omit=dev --depth=0 >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --omit=dev >&2 || npm ci --no-audit --no-fund >&2
fi
node scripts/build.mjs
# V8 tuned for a small resident set (1 MiB semi-spaces, one background thread, heap growth favouring size):
# see "Resident memory" in docs/BENCHMARKS.md.
exec node --max-semi-space-size=1 --v8-pool-size=1 --optimize-for-size dist/main.js "$@"
