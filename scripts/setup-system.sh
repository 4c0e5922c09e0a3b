#!/usr/bin/env bash
# Installs what the tests need and pip cannot (README, "Sviluppo"):
#   - Debian's Chromium and axe-core (npm) for the browser and accessibility tests;
#   - Debian's PostgreSQL 15 with the RUM extension for the PostgreSQL engine's tests.
#     They run `initdb` in temporary folders as an unprivileged user, since PostgreSQL
#     refuses to run as root: the `postgres` system user that Debian's package creates.
# Safe to run again; does nothing that is already done. As root it installs what is
# missing; otherwise it prints what is missing and how to install it, and the tests
# that need it skip with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(chromium postgresql-15 postgresql-15-rum)
DPKG_LOCK=/var/lib/dpkg/lock-frontend
LOCK_TIMEOUT=600 # seconds apt waits for another apt or dpkg (a shared machine has them)

say() { echo "setup-system: $*" >&2; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# The process holding the dpkg lock, read from /proc/locks (taking the lock to test it
# could make another apt fail).
lock_holder() {
  [ -e "$DPKG_LOCK" ] || return 0
  local inode pid
  inode=$(stat -c %i "$DPKG_LOCK")
  pid=$(awk -v inode="$inode" '{ split($6, id, ":"); if (id[3] == inode) { print $5; exit } }' /proc/locks 2>/dev/null)
  [ -n "$pid" ] && echo "$pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo '?'))"
  return 0
}

apt() {
  local holder
  holder=$(lock_holder)
  if [ -n "$holder" ]; then
    say "waiting up to ${LOCK_TIMEOUT} s for the dpkg lock, held by process $holder, to run: apt-get $*"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$LOCK_TIMEOUT" "$@"
}

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${missing[*]} from Debian (apt-get update first)"
    apt update -qq
    apt install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing Debian packages: ${missing[*]}"
    say "  install them with: sudo apt-get install ${missing[*]}"
    say "  until then the browser and PostgreSQL tests skip, saying what is missing"
  fi
fi

# The unprivileged user the PostgreSQL tests run initdb/postgres as. Debian's
# postgresql-common creates it; make sure it exists even where it was removed.
if installed postgresql-15 && ! id -u postgres >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    say "creating the system user postgres (PostgreSQL refuses to run as root)"
    adduser --system --quiet --group --home /var/lib/postgresql --shell /bin/bash postgres
  else
    say "there is no postgres user: sudo adduser --system --group postgres"
  fi
fi

if [ ! -f node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null; then
    if ! npm install --silent --no-audit --no-fund --no-save axe-core@4 >/dev/null; then
      say "npm could not install axe-core: the accessibility checks will be skipped"
      [ "$(id -u)" != 0 ] || exit 1 # where it can be installed, CI must not skip them
    fi
  else
    say "npm is missing: the accessibility checks will be skipped"
  fi
fi
