#!/usr/bin/env bash
# Node.js and the npm packages the tests read our output with (tests/node/package.json,
# pinned in tests/node/package-lock.json): ical.js, the iCalendar parser of Thunderbird,
# reads every .ics file we write as a second, independent parser.
#
# Idempotent: installs Debian's nodejs and npm only when `node` or `npm` is missing (as
# root), and runs `npm ci` only when tests/node/node_modules does not match the lock file.
set -euo pipefail
cd "$(dirname "$0")/../tests/node"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Node.js and npm (calendar tests) are missing: run 'sudo make node-tools'." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
    apt-get update -q
  fi
  missing=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci wipes and rebuilds node_modules: only when the lock file is newer than the last run.
stamp=node_modules/.installed-from-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "Node test tools already installed."
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
echo "Installed the node test tools (tests/node/node_modules)."
