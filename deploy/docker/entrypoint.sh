#!/bin/sh
# `doctor [flags]` runs every check once and prints the diagnosis; anything else starts the exporter with
# those flags. Both read $ONLYOFFICE_EXPORTER_CONFIG unless --config.file is given.
set -eu
cd /app
program=src/main.ts
if [ "${1:-}" = doctor ]; then
  program=src/doctor.ts
  shift
fi
case " $* " in
  *" --config.file"*) ;;
  *) set -- "--config.file=${ONLYOFFICE_EXPORTER_CONFIG:-/etc/onlyoffice-exporter/config.yml}" "$@" ;;
esac
exec node --import tsx "$program" "$@"
