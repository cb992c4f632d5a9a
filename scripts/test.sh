#!/usr/bin/env bash
# The whole test suite: installs what it needs (Debian packages as root, npm packages with the dev ones),
# type-checks, lints, runs jest. The local binaries only: a bare npx may fetch an unrelated package of the same name.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-setup.sh
node_modules/.bin/tsc --noEmit
# Lint and formatting (eslint, prettier --check): npm run format rewrites what prettier refuses.
node_modules/.bin/eslint .
node_modules/.bin/prettier --check --log-level warn .
# --forceExit: a leaked handle in one test file must not hold CI until its 90-minute limit.
node --experimental-vm-modules node_modules/jest/bin/jest.js --forceExit "$@"
