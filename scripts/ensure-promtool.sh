#!/usr/bin/env bash
# The alert tests run `promtool test rules`; install it from Debian's prometheus package if missing.
set -euo pipefail
command -v promtool >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "promtool not found: installing Debian's prometheus package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
else
  echo "promtool not found: install it (Debian: apt-get install prometheus)" >&2
  exit 1
fi
