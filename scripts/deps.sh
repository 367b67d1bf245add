#!/usr/bin/env bash
# Installs the Debian packages upravdom needs to build and run, if missing.
# Usage: scripts/deps.sh [test]   — "test" adds what `make check` needs.
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
            libpq-dev libsodium-dev libicu-dev libxlsxwriter-dev libcurl4-openssl-dev
            libhpdf-dev libqrencode-dev libharfbuzz-dev fonts-paratype)
test_pkgs=(libcmocka-dev postgresql postgresql-client chromium clang-format cppcheck nodejs npm
           python3-aiosmtpd python3-openpyxl poppler-utils zbar-tools libpng-dev)

want=("${build_pkgs[@]}")
[ "${1:-}" = test ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  # npm ships with some Node installs outside Debian: a working command is enough.
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "scripts/deps.sh: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
