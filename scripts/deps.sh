#!/usr/bin/env bash
# Installs what building and testing shmqueue needs on Debian (idempotent: skips what is there).
# Usage: scripts/deps.sh [extra Debian packages...]
set -euo pipefail
packages=(php8.2-dev php8.2-cli php8.2-fpm clang libclang-dev libfcgi-bin redis-server php8.2-redis "$@")
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "cargo is required (rustup)"; exit 1; }
