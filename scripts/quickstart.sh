#!/usr/bin/env bash
# The README's first command: install, build, and run signalbox on the example rules.
# Until the router lands (issue 3), "run" means: test the example rule's pattern against an
# example event, as EventBridge's TestEventPattern would.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
rule=rules/ec2-instance-stopped.json
for event in examples/events/ec2-instance-stopped.json examples/events/ec2-instance-running.json; do
    printf '%s  vs  %s: ' "$rule" "$event"
    build/signalbox test-pattern --pattern "$(jq -c .EventPattern "$rule")" --event @"$event" || true
done
