#!/usr/bin/env bash
# Installs what signalbox needs to build, test and benchmark on Debian 12, as root.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    # build
    build-essential cmake pkg-config
    # libraries
    libutf8proc-dev zlib1g-dev libyaml-dev libevent-dev libhiredis-dev libcurl4-openssl-dev librdkafka-dev
    protobuf-c-compiler libprotobuf-c-dev libssl-dev
    # tests, fuzzing, formatting
    libcmocka-dev clang libclang-rt-14-dev clang-format
    # services and clients of the integration tests, quick start and benchmark helpers
    redis-server kcat jq python3 curl
    # tests/deploy/check_manifests.sh: YAML, and compose's own validation of the compose file
    python3-yaml docker-compose
)
# node and the aws CLI may already be on the machine from elsewhere: take Debian's only if not
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
command -v aws >/dev/null 2>&1 || PACKAGES+=(awscli)

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

# the pinned test clients (tests/package-lock.json)
if [ -f tests/package-lock.json ] && { [ ! -d tests/node_modules/@aws-sdk/client-eventbridge ] ||
    [ ! -d tests/node_modules/kafkajs ] || [ ! -d tests/node_modules/fauxqs ] ||
    [ ! -d tests/node_modules/@aws-sdk/client-sqs ] || [ ! -d tests/node_modules/@aws-sdk/client-sns ]; }; then
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
