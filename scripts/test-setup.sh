#!/usr/bin/env bash
# What the test suite needs before it runs: the real servers (Debian packages, as root) and the npm dependencies
# with the dev ones, whatever ran before (`npm start` installs the production ones only).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! bash scripts/install-test-deps.sh; then
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true and test dependencies are missing: failing." >&2
    exit 1
  fi
  echo "Continuing: integration tests that need the missing programs will be skipped (they fail when CI=true)." >&2
fi

# npm ls exits non-zero when a dependency, dev ones included, is missing or not the locked version.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || ! npm ls --include=dev --depth=0 >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi
