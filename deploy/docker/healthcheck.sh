#!/bin/bash
# signalbox-healthcheck [PATH]: exits 0 when signalbox answers GET PATH (default /healthz) with
# 200, else 1. The image's HEALTHCHECK; bash's /dev/tcp does the request, so the slim image
# needs no curl. The address is SIGNALBOX_ADMIN_LISTEN's when set (the admin endpoints are
# there then), else SIGNALBOX_LISTEN's, with 0.0.0.0 and [::] ("every interface") reached on
# 127.0.0.1 and ::1; a specific host is used as it is.
set -u
path=${1:-/healthz}
listen=${SIGNALBOX_ADMIN_LISTEN:-${SIGNALBOX_LISTEN:-127.0.0.1:8080}}
port=${listen##*:}
host=${listen%:*}
host=${host#[}
host=${host%]}
case $host in
'' | 0.0.0.0) host=127.0.0.1 ;;
::) host=::1 ;;
esac
{ exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || {
    echo "signalbox-healthcheck: cannot connect to $host port $port" >&2
    exit 1
}
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 2 status <&3 || status=
exec 3<&-
case $status in
"HTTP/1."?" 200 "*) exit 0 ;;
esac
echo "signalbox-healthcheck: GET $path: ${status:-no answer}" >&2
exit 1
