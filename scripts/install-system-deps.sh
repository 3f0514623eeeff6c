#!/usr/bin/env bash
# System packages the application needs beyond Python: the Pango/HarfBuzz stack
# that WeasyPrint renders PDF with (lists of participants, badges, reports),
# fonts with Arabic, Chinese/Japanese/Korean and Cyrillic glyphs, and
# poppler-utils (pdftoppm, pdftotext) for tests that look at rendered pages, and a
# Java runtime for the Nu HTML Checker (vnu.jar) that checks every page is valid HTML5;
# postgresql-client (pg_dump, pg_restore) for `flask backup` on PostgreSQL;
# then Node.js and ical.js for the calendar tests (scripts/install-node-tools.sh).
# With --runtime (make run): only what the application itself needs (Pango and fonts).
#
# Idempotent: installs only what is missing, and refreshes the package lists
# only when something is. Run as root (CI and the development machines are).
set -euo pipefail

PACKAGES=(
  libpango-1.0-0
  libpangoft2-1.0-0
  libharfbuzz0b
  libharfbuzz-subset0
  libfontconfig1
  fontconfig
  fonts-dejavu-core
  fonts-noto-core
  fonts-noto-cjk
)
RUNTIME_ONLY=false
[ "${1:-}" = "--runtime" ] && RUNTIME_ONLY=true
# What only the tests need: page rendering to images, the HTML checker's Java, and
# pg_dump/pg_restore (flask backup on PostgreSQL; production installs them itself).
$RUNTIME_ONLY || PACKAGES+=(poppler-utils default-jre-headless postgresql-client)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Node.js and ical.js, the second calendar parser of the tests (its own idempotent script).
node_tools() {
  $RUNTIME_ONLY || bash "$(dirname "$0")/install-node-tools.sh"
}

if [ "${#missing[@]}" -eq 0 ]; then
  echo "System packages already installed."
  node_tools
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages (${missing[*]}): run 'sudo make system-deps'." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Package lists older than a day (or none at all) are refreshed first.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
  apt-get update -q
fi
apt-get install -y -q --no-install-recommends "${missing[@]}"
fc-cache -f >/dev/null 2>&1 || true
echo "Installed: ${missing[*]}"
node_tools
