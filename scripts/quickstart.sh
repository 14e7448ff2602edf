#!/usr/bin/env bash
# The README's first command: install, build, and run the router on its defaults - a local
# redis-server on 127.0.0.1:6379 (started here unless one already answers), the in-process
# Kafka mock cluster with the topics `events` (EventBridge JSON) and `raw` (plain JSON), and the
# example rules in rules/ - listening on http://127.0.0.1:8080 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
redis_pid=
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    pidfile=$(mktemp -u /tmp/signalbox-quickstart-redis.XXXXXX.pid)
    redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --pidfile "$pidfile" >/dev/null
    for _ in $(seq 50); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis_pid=$(cat "$pidfile")
    echo "quickstart: started redis-server on 127.0.0.1:6379 (pid $redis_pid)"
fi
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true; }
trap cleanup EXIT
build/signalbox check rules
cat <<'TXT'

signalbox is starting on http://127.0.0.1:8080 (Ctrl-C stops it). In another terminal:

  curl -s http://127.0.0.1:8080/events -H 'Content-Type: application/json' \
    -d '{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification",
         "detail":{"instance-id":"i-0abc","state":"stopped"}}'
  redis-cli XRANGE ec2-stopped - +

Kafka: the log line "mock cluster: bootstrap.servers=..." names the address; for example
  echo '{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"instance-id":"i-1","state":"stopped"}}' \
    | kcat -P -b BOOTSTRAP -t events

TXT
build/signalbox serve --rules rules --kafka-mock --kafka-topics events:eventbridge,raw:plain
