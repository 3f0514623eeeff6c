#!/usr/bin/env bash
# Install the browser of the browser tests: Debian's chromium at /usr/bin/chromium.
#
# Idempotent: does nothing when /usr/bin/chromium is already there. Runs
# `apt-get update` only when the package lists do not know chromium yet.
# Playwright's own browser download is never used (`playwright install` is
# not run): the tests launch this chromium through executable_path.
# Needs root (CI runs as root), or sudo when it is available.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) already at $CHROMIUM"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-browser: $CHROMIUM is missing and installing it needs root (apt-get)." >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: $CHROMIUM is missing and this is not a Debian system (no apt-get)." >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# A candidate version means the package lists already know chromium.
candidate="$(apt-cache policy chromium 2>/dev/null | awk '/Candidate:/ {print $2}')"
if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    echo "install-browser: apt-get update (the package lists do not know chromium yet)"
    "${SUDO[@]}" apt-get update -q
fi

install() {
    "${SUDO[@]}" apt-get install -y -q --no-install-recommends chromium fonts-liberation
}
echo "install-browser: apt-get install chromium"
if ! install; then
    # Package lists that are known but stale name files the mirror no longer has.
    echo "install-browser: install failed; apt-get update and one more try"
    "${SUDO[@]}" apt-get update -q
    install
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "install-browser: apt-get finished but $CHROMIUM is still missing." >&2
    exit 1
fi
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed at $CHROMIUM"
