#!/usr/bin/env bash
# Starts the exporter; installs the npm dependencies first on a fresh checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --omit=dev >&2 || npm ci --no-audit --no-fund >&2
fi
exec node --import tsx src/main.ts "$@"
