#!/usr/bin/env bash
# System packages the build and the test suites need (Debian 12): every program a suite runs comes
# from this list (infra/test/ciSetup.test.ts holds it to that), never from what a machine happened to have.
set -euo pipefail
packages=(libsqlite3-dev mariadb-server mariadb-client postgresql postgresql-client redis-server chromium fonts-dejavu-core
  nginx openssl systemd prometheus prometheus-alertmanager prometheus-node-exporter prometheus-mysqld-exporter
  prometheus-redis-exporter prometheus-postgres-exporter prometheus-blackbox-exporter mtail curl jq shellcheck wrk rsyslog)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
