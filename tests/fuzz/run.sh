#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, replays the regressions, then fuzzes each target for
# a bounded time. Used by CI; see tests/fuzz/README.md.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]        (default 20)
#
# Environment:
#   BUILD_DIR    build folder, configured with CC=clang -DSB_FUZZ=ON (default: build-fuzz)
#   CC           the clang to use (default: clang)
#   TARGETS      which targets (default: "pattern flatten json cloudevent_pb transform putevents
#                events rules")
#   MAX_LEN      largest input libFuzzer makes, in bytes (default: 4096)
#   ARTIFACTS    where crashing inputs are written (default: a temporary folder, printed)
#   KEEP=1       keep the temporary folder (logs, grown corpora) even when all is well
#   SB_FUZZ_UBSAN_RECOVER  UBSan checks that only print instead of aborting (default: none)
#
# Each file of tests/fuzz/regressions/TARGET/ is run once through its target first; then the
# target fuzzes a copy of tests/fuzz/corpus/TARGET/ in a temporary folder, so the repository is
# never written. Exits 0 when nothing failed, 1 when a regression fails again or a target
# crashes, leaks, trips a sanitizer, times out or exceeds its memory, 2 when the build fails.
set -euo pipefail

cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET=${1:-20}
BUILD_DIR=${BUILD_DIR:-build-fuzz}
CC=${CC:-clang}
TARGETS=${TARGETS:-pattern flatten json cloudevent_pb transform putevents events rules}
MAX_LEN=${MAX_LEN:-4096}
case $SECONDS_PER_TARGET in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
    ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/signalbox-fuzz.XXXXXX")
ARTIFACTS=${ARTIFACTS:-$work/artifacts}
mkdir -p "$ARTIFACTS"
status=0
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ "$status" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
        rm -rf "$work"
    else
        echo "logs and corpora kept in $work" >&2
    fi
}
trap cleanup EXIT

# ---- build ----
if [ -f "$BUILD_DIR/CMakeCache.txt" ] &&
    ! grep -qE '^CMAKE_C_COMPILER_ID:.*Clang|^CMAKE_C_COMPILER:FILEPATH=.*clang' "$BUILD_DIR/CMakeCache.txt"; then
    echo "$BUILD_DIR was configured with another compiler than clang: remove it or set BUILD_DIR" >&2
    status=2
    exit 2
fi
read -r -a targets <<<"$TARGETS"
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "fuzz_$t"); done
if ! CC=$CC cmake -S . -B "$BUILD_DIR" -DSB_FUZZ=ON -DSB_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSB_FUZZ_UBSAN_RECOVER="${SB_FUZZ_UBSAN_RECOVER:-}" \
    >"$work/build.log" 2>&1 ||
    ! cmake --build "$BUILD_DIR" -j"$(nproc)" "${build_targets[@]}" >>"$work/build.log" 2>&1; then
    echo "fuzz build failed:" >&2
    tail -40 "$work/build.log" >&2
    status=2
    exit 2
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# a hard stop well after libFuzzer's own, should the process hang outside an input
hard_limit=$((SECONDS_PER_TARGET + 120))

for t in "${targets[@]}"; do
    bin="$BUILD_DIR/tests/fuzz/fuzz_$t"

    # ---- replay the regressions ----
    regs=()
    if [ -d "tests/fuzz/regressions/$t" ]; then
        while IFS= read -r -d '' f; do regs+=("$f"); done \
            < <(find "tests/fuzz/regressions/$t" -type f ! -name '.*' -print0 | sort -z)
    fi
    if [ ${#regs[@]} -gt 0 ]; then
        if timeout -k 10 "$hard_limit" "$bin" -rss_limit_mb=2048 -timeout=10 \
            -artifact_prefix="$ARTIFACTS/$t-replay-" "${regs[@]}" >"$work/$t.replay.log" 2>&1; then
            echo "fuzz_$t: ${#regs[@]} regression input(s) pass"
        else
            echo "fuzz_$t: a regression input fails again:"
            tail -40 "$work/$t.replay.log"
            status=1
            continue
        fi
    fi

    # ---- fuzz a copy of the seed corpus ----
    mkdir -p "$work/corpus/$t"
    cp -R "tests/fuzz/corpus/$t/." "$work/corpus/$t/"
    log="$work/$t.log"
    rc=0
    timeout -k 10 "$hard_limit" "$bin" -max_total_time="$SECONDS_PER_TARGET" \
        -max_len="$MAX_LEN" -rss_limit_mb=2048 -timeout=10 -dict="tests/fuzz/$t.dict" \
        -artifact_prefix="$ARTIFACTS/$t-" -print_final_stats=1 "$work/corpus/$t" \
        >"$log" 2>&1 || rc=$?
    runs=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log")
    speed=$(awk '/^stat::average_exec_per_sec:/ {print $2}' "$log")
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz_$t: ${runs:-?} runs in ${SECONDS_PER_TARGET}s (${speed:-?} exec/s), ${cov:-cov: ?}, no failure"
    else
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            echo "fuzz_$t: FAILED: did not stop within ${hard_limit}s"
        else
            echo "fuzz_$t: FAILED (exit $rc); reproducer in $ARTIFACTS:"
        fi
        for a in "$ARTIFACTS/$t"-*; do [ -e "$a" ] && echo "  $a"; done
        grep -E 'ERROR|runtime error|SUMMARY|fuzz_[a-z]+: ' "$log" | head -5 || true
        tail -60 "$log"
        status=1
    fi
done
exit $status
