#!/usr/bin/env bash
# Starts the exporter; installs the npm dependencies first on a fresh checkout, then builds dist/ from src/
# (a fraction of a second) so plain node runs it, as the image does.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --omit=dev >&2 || npm ci --no-audit --no-fund >&2
fi
node scripts/build.mjs
# V8 tuned for a small resident set (1 MiB semi-spaces, one background thread, heap growth favouring size):
# see "Resident memory" in docs/BENCHMARKS.md.
exec node --max-semi-space-size=1 --v8-pool-size=1 --optimize-for-size dist/main.js "$@"
