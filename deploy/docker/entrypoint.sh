#!/bin/sh
# `doctor [flags]` runs every check once and prints the diagnosis; anything else starts the exporter with
# those flags. Both read $ONLYOFFICE_EXPORTER_CONFIG unless --config.file is given.
set -eu
cd /app
program=dist/main.js
if [ "${1:-}" = doctor ]; then
  program=dist/doctor.js
  shift
fi
case " $* " in
  *" --config.file"*) ;;
  *) set -- "--config.file=${ONLYOFFICE_EXPORTER_CONFIG:-/etc/onlyoffice-exporter/config.yml}" "$@" ;;
esac
# The node flags of scripts/start.sh (a small resident set): see "Resident memory" in docs/BENCHMARKS.md.
exec node --max-semi-space-size=1 --v8-pool-size=1 --optimize-for-size "$program" "$@"
