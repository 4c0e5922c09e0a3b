#!/usr/bin/env bash
# Installs what the browser tests need and pip cannot: Debian's Chromium and axe-core.
# Safe to run again; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: sudo apt-get install chromium (browser tests will be skipped)" >&2
  fi
fi

if [ ! -f node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null; then
    npm install --silent --no-audit --no-fund --no-save axe-core@4 >/dev/null
  else
    echo "npm is missing: the accessibility checks will be skipped" >&2
  fi
fi
