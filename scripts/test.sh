#!/usr/bin/env bash
# The README's second command (and CI's): install, build and run every test, then the whole
# suite again under AddressSanitizer + UndefinedBehaviorSanitizer, the format check and a
# short bounded run of each fuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== format check"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src tests -name '*.[ch]')
clang-format --dry-run -Werror $files

echo "== build and test (release)"
BUILD_DIR=build scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")

echo "== build and test (ASan + UBSan)"
BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo scripts/build.sh -DSB_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j"$(nproc)")

echo "== fuzzers (bounded)"
tests/fuzz/run.sh "${FUZZ_SECONDS:-20}"
