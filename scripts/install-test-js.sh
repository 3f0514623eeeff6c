#!/usr/bin/env bash
# The JavaScript the tests read our files with: Thunderbird's calendar parser (ical.js),
# pinned in tests/js/package-lock.json, installed into tests/js/node_modules from the
# npm registry. Needs Node and npm (scripts/install-system-deps.sh installs Debian's);
# without them it says so and the tests that need it are skipped.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/../tests/js"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node/npm not found: calendar tests with ical.js will be skipped (make system-deps)." >&2
  exit 0
fi
if [ -f node_modules/.package-lock.json ] && cmp -s <(node -e \
    'process.stdout.write(require("./node_modules/ical.js/package.json").version)') \
    <(node -e 'process.stdout.write(require("./package-lock.json").packages["node_modules/ical.js"].version)'); then
  exit 0
fi
npm ci --no-audit --no-fund --silent
