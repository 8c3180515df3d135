#!/usr/bin/env bash
# The tests start real Redis servers; install redis-server from Debian's packages if missing.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "redis-server not found: installing it from Debian's packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
else
  echo "redis-server not found: install it (Debian: apt-get install redis-server)" >&2
  exit 1
fi
