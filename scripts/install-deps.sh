#!/usr/bin/env bash
# Install the Debian 12 packages that building, running and testing Usher
# need. Runs apt-get only when something is missing; uses sudo when not
# root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git curl ca-certificates python3
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libssl-dev
  libssh-dev libcurl4-openssl-dev libcjose-dev libcmocka-dev
  sqlite3 openssh-client postgresql postgresql-contrib
  clang-format nodejs npm wrk nginx-light
)

missing=()
for p in "${packages[@]}"; do
  # A Node.js build that bundles npm (NodeSource's does) conflicts with
  # Debian's npm package; the command is what the tests need.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
