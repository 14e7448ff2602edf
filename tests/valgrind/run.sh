#!/usr/bin/env bash
# Runs the integration suite with every signalbox it starts (serve, the dlq CLI, the refused
# starts) under Valgrind memcheck: a memory error or a definite/indirect leak makes that process
# exit 99, which fails the test that checks its exit code; every report is printed at the end,
# and fails the run, which also catches a process whose exit code no test looks at. Not checked:
# `signalbox kafka-mock` (the tests' stand-in broker) and routers killed with SIGKILL (no report).
# Time budgets too tight under Valgrind scale by the harness's SLOWDOWN; no test is skipped.
#
# Covers every tests/integration/*.test.mjs: 88 tests in 17 files, 121 processes under
# Valgrind, all clean with no suppressions; about 5 minutes on 2 cores (docs/security.md). Not
# part of scripts/test.sh or CI for that time; run it before a release and after changes to
# memory handling.
#
#   tests/valgrind/run.sh [TEST_FILE...]    (default: every tests/integration/*.test.mjs)
#
#   SB_TEST_SIGNALBOX  the binary (default build/signalbox, built if missing); a RelWithDebInfo
#                      build (-O2 -g) gives the reports line numbers
#   SB_VALGRIND_LOGS   keep the reports, one PID.log per process, in this folder (by default a
#                      temporary one, removed when every report is clean)
#   SB_TEST_SLOWDOWN   the time budgets' factor under Valgrind (3)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
if [ -z "${SB_TEST_SIGNALBOX:-}" ]; then
    [ -x build/signalbox ] || scripts/build.sh
    SB_TEST_SIGNALBOX="$PWD/build/signalbox"
fi
export SB_TEST_SIGNALBOX
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/integration/*.test.mjs)

if [ -n "${SB_VALGRIND_LOGS:-}" ]; then
    mkdir -p "$SB_VALGRIND_LOGS"
    logs=$(cd "$SB_VALGRIND_LOGS" && pwd) keep=yes
else
    logs=$(mktemp -d "${TMPDIR:-/tmp}/sb-valgrind.XXXXXX") keep=
fi
export SB_TEST_WRAPPER="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-fds=no --log-file=$logs/%p.log"

rc=0
node --test --test-concurrency=1 --test-timeout=600000 "${files[@]}" || rc=$?

# every memcheck error and leak record comes with a stack ("at 0x...")
mapfile -t bad < <(grep -lE '^==[0-9]+== +(at|by) 0x' "$logs"/*.log 2>/dev/null || true)
for f in "${bad[@]}"; do printf '\n== %s\n' "$f" >&2; cat "$f" >&2; done
if [ ${#bad[@]} -gt 0 ]; then
    echo "valgrind: ${#bad[@]} process(es) reported memory errors or leaks (reports in $logs)" >&2
    exit 99
fi
echo "valgrind: $(ls "$logs" | wc -l) processes ran under memcheck, every report clean"
[ -n "$keep" ] || rm -rf "$logs"
exit "$rc"
