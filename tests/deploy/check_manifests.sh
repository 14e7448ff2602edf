#!/usr/bin/env bash
# The Dockerfile, deploy/kubernetes/ and deploy/compose/, checked with what runs without a
# container engine or a cluster (docs/deployment.md, "What is validated"):
#   1. every YAML and JSON file under deploy/ parses (python3-yaml);
#   2. every SIGNALBOX_* variable they name is a setting of `signalbox serve --help`;
#   3. every path they name exists (COPY sources, not excluded by .dockerignore; compose build
#      contexts and volumes; kustomization resources; probes, ports, ConfigMaps, grace periods
#      consistent; the rules of the ConfigMaps pass `signalbox check`);
#   4. the runtime stage installs exactly the packages of the libraries the binary links
#      (readelf NEEDED -> ldd -> dpkg -S), and everything ldd loads comes with them;
#   5. `docker compose config` (or docker-compose's) when a client is there, else a note;
#   and each signalbox container's settings start the router, the image's health check
#   passes on it, and SIGTERM ends it with exit 0.
# usage: check_manifests.sh [SIGNALBOX [REPO_DIR]]   (or SB_TEST_SIGNALBOX)
set -u
SB=${1:-${SB_TEST_SIGNALBOX:-}}
REPO=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "$SB" ] || [ ! -x "$SB" ]; then
    echo "usage: check_manifests.sh SIGNALBOX [REPO_DIR] (or set SB_TEST_SIGNALBOX)" >&2
    exit 2
fi
SB=$(cd "$(dirname "$SB")" && pwd)/$(basename "$SB")
if ! python3 -c 'import yaml' 2>/dev/null; then
    echo "FAIL python3 with the yaml module is needed (scripts/install-deps.sh installs python3-yaml)"
    echo "0 passed, 1 failed"
    exit 1
fi

out=$(python3 "$REPO/tests/deploy/manifests.py" "$SB" "$REPO" 2>&1)
summary=$(echo "$out" | tail -n 1)
echo "$out" | sed '$d'
pass=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
fail=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
if [ -z "$pass" ]; then
    echo "FAIL manifests.py ended without its summary"
    pass=0
    fail=1
fi

compose_file="$REPO/deploy/compose/compose.yaml"
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
else
    compose=()
    echo "note: no docker compose client here; 'compose config' skipped (the checks above still ran)"
fi
if [ ${#compose[@]} -gt 0 ]; then
    if out=$("${compose[@]}" -f "$compose_file" config -q 2>&1); then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL ${compose[*]} config: $out"
    fi
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
