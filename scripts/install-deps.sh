#!/usr/bin/env bash
# Installs what ll2d needs to build and test on Debian 12 (as root, or via sudo).
# --build-only: what building the binary and its .deb needs (the Dockerfile).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PACKAGES=(
  build-essential cmake pkg-config
  libboost1.81-dev libsqlite3-dev rapidjson-dev libfmt-dev libcli11-dev libcmark-dev
  libpq-dev libssl-dev libcurl4-openssl-dev zlib1g-dev libjemalloc-dev libxxhash-dev
)
if [ "${1:-}" != "--build-only" ]; then
  PACKAGES+=(libgtest-dev libgmock-dev libbenchmark-dev sqlite3 curl postgresql postgresql-client
             wrk)  # wrk: the soak test (scripts/soak.sh)
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
