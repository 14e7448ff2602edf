#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]   (default 20)
# Every file in tests/fuzz/regressions/TARGET/ is replayed first. Fuzzing runs on a copy of
# the seed corpus in a temporary folder, so the repository is never written. Exits non-zero
# when a target crashes, leaks or trips a sanitizer; the reproducer is left in $ARTIFACTS
# (default: a temporary folder, printed).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET=${1:-20}
BUILD_DIR=${BUILD_DIR:-build-fuzz}
CC=clang cmake -S . -B "$BUILD_DIR" -DSB_FUZZ=ON -DSB_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target fuzz_pattern fuzz_flatten fuzz_json >/dev/null
work=$(mktemp -d)
ARTIFACTS=${ARTIFACTS:-$work/artifacts}
mkdir -p "$ARTIFACTS"
trap 'rm -rf "$work/corpus"' EXIT
status=0
for t in pattern flatten json; do
    bin="$BUILD_DIR/tests/fuzz/fuzz_$t"
    regs=(tests/fuzz/regressions/$t/*)
    if [ -e "${regs[0]}" ]; then
        if ! "$bin" "${regs[@]}" >"$work/$t.replay.log" 2>&1; then
            echo "fuzz_$t: a regression input fails again:"; tail -30 "$work/$t.replay.log"; status=1; continue
        fi
    fi
    mkdir -p "$work/corpus/$t"
    cp tests/fuzz/corpus/$t/* "$work/corpus/$t/"
    if "$bin" -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
        -dict=tests/fuzz/$t.dict -artifact_prefix="$ARTIFACTS/$t-" -print_final_stats=1 \
        "$work/corpus/$t" >"$work/$t.log" 2>&1; then
        echo "fuzz_$t: $(grep -E '^stat::number_of_executed_units' "$work/$t.log" | awk '{print $2}') runs in ${SECONDS_PER_TARGET}s, $(grep -oE 'cov: [0-9]+' "$work/$t.log" | tail -1), no crash"
    else
        echo "fuzz_$t: FAILED (reproducer in $ARTIFACTS):"; tail -40 "$work/$t.log"; status=1
    fi
done
exit $status
