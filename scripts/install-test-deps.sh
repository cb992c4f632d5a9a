#!/usr/bin/env bash
# Installs the real servers the integration tests start (all from Debian's packages).
# As root: installs what is missing. Otherwise: lists what is missing and how to get it.
#
# It may run on a machine that serves users (a DocumentServer host, say), so it never stops a service that was
# running before it, and it keeps the packages it installs from starting theirs: a policy-rc.d that refuses every
# start is in place during the install (invoke-rc.d and deb-systemd-invoke both ask it), and apt-get may not remove
# any package to make room (--no-remove). A service that still started during the install is stopped afterwards,
# and only such a one.
set -euo pipefail

PACKAGES=(nginx rabbitmq-server postgresql redis-server prometheus prometheus-alertmanager
          docker.io busybox-static chromium openssl prometheus-blackbox-exporter docker-compose
          fonts-wqy-microhei)
# The services those packages bring; tests start private instances on free ports, never these.
SERVICES=(nginx rabbitmq-server postgresql redis-server prometheus prometheus-alertmanager docker containerd
          prometheus-blackbox-exporter)
# Where invoke-rc.d looks; the variable is for this script's own test only.
POLICY_RC_D=${OOE_POLICY_RC_D:-/usr/sbin/policy-rc.d}

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "The integration tests need these Debian packages, which are not installed: ${missing[*]}" >&2
  echo "Install them as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

running() { command -v service >/dev/null 2>&1 && service "$1" status >/dev/null 2>&1; }

was_running=()
for svc in "${SERVICES[@]}"; do
  if running "$svc"; then was_running+=("$svc"); fi
done

if [ ! -e "$POLICY_RC_D" ]; then
  printf '#!/bin/sh\n# Written by onlyoffice-exporter scripts/install-test-deps.sh for the length of one install.\nexit 101\n' >"$POLICY_RC_D"
  chmod 755 "$POLICY_RC_D"
  trap 'rm -f "$POLICY_RC_D"' EXIT
fi

echo "Installing test dependencies (as root, from Debian's packages; no service is started or stopped): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends --no-remove "${missing[@]}" >/dev/null

for svc in "${SERVICES[@]}"; do
  case " ${was_running[*]-} " in *" $svc "*) continue ;; esac
  if running "$svc"; then
    echo "Stopping $svc, which its package started during this install"
    service "$svc" stop >/dev/null 2>&1 || true
  fi
done
