#!/bin/sh
# Container health check of iot-node: healthy when the node answers the `system_health` JSON-RPC
# call over HTTP with a result (not a JSON-RPC error). Port: $IOT_RPC_PORT, default 9944.
set -eu
port="${IOT_RPC_PORT:-9944}"
body="$(curl -fsS --max-time 4 -H 'Content-Type: application/json' \
	-d '{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}' \
	"http://127.0.0.1:${port}/")" || exit 1
case "$body" in
	*'"result"'*) exit 0 ;;
	*) echo "unexpected system_health answer: $body" >&2; exit 1 ;;
esac
