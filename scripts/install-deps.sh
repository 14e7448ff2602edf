#!/usr/bin/env bash
# Installs what signalbox needs to build, test and benchmark on Debian 12, as root.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

PACKAGES=(
    # build
    build-essential cmake pkg-config
    # libraries
    libutf8proc-dev zlib1g-dev libyaml-dev
    # tests, fuzzing, formatting
    libcmocka-dev clang libclang-rt-14-dev clang-format
    # quick start and benchmark helpers
    jq python3
)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-deps: need root to install: ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "install-deps: installed ${missing[*]}"
fi
