#!/usr/bin/env bash
# Installs the real servers the integration tests start (all from Debian's packages).
# As root: installs what is missing. Otherwise: lists what is missing and how to get it.
set -euo pipefail

PACKAGES=(nginx rabbitmq-server postgresql redis-server prometheus prometheus-alertmanager
          docker.io busybox-static chromium openssl prometheus-blackbox-exporter docker-compose
          fonts-wqy-microhei)

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

echo "Installing test dependencies: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged services must not be running: tests start private instances on free ports.
for svc in nginx rabbitmq-server postgresql redis-server prometheus prometheus-alertmanager docker prometheus-blackbox-exporter; do
  (command -v service >/dev/null && service "$svc" stop >/dev/null 2>&1) || true
done
