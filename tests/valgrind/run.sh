#!/usr/bin/env bash
# Runs integration suites with every router under Valgrind memcheck: any memory error or
# definite/indirect leak makes the router exit 99, which the tests see (they assert exit code 0
# at each stop). Not part of scripts/test.sh (Valgrind is 20-50x slower); run it before a
# release and after changes to memory handling.
#
#   tests/valgrind/run.sh [TEST_FILE...]    (default: the suites listed below)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x build/signalbox ] || scripts/build.sh
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    files=(tests/integration/ingest.test.mjs tests/integration/events.test.mjs
           tests/integration/drain.test.mjs tests/integration/auth.test.mjs
           tests/integration/kafka_protobuf.test.mjs)
fi
export SB_TEST_SIGNALBOX="$PWD/build/signalbox"
export SB_TEST_WRAPPER="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-fds=no"
exec node --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
