#!/usr/bin/env bash
# Installs what is missing, builds iot-node and runs the single-node dev chain (no relay chain).
#
#   ./scripts/dev.sh                       throw-away chain in a temp dir
#   ./scripts/dev.sh --base-path ~/.iot    keep the chain between runs
#   ./scripts/dev.sh --base-path ~/.iot --clean   ... starting from genesis again
#   ./scripts/dev.sh --block-time 1000     one-second blocks (default 6000)
#   ./scripts/dev.sh --no-demo             without the sensor simulator and the demo feed
#   ./scripts/dev.sh -- --rpc-external     anything after -- goes to iot-node
#
# Besides the node it starts the sensor simulator (scripts/sensor-sim/sim.js, port 8787) and, once
# the chain is up, registers a demo feed on it (scripts/e2e/demo-feed.js): values arrive on chain
# every two blocks (`sensorFeeds.ValueUpdated` in polkadot.js). The node's `--dev` mode puts the
# dev feed operator's key (Alice, key type `iotf`) into its keystore.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

base_path="" clean=0 block_time=6000 rpc_port=9944 demo=1 extra=()
while [ $# -gt 0 ]; do
	case "$1" in
		--base-path) base_path="${2:?--base-path needs a directory}"; shift 2 ;;
		--clean) clean=1; shift ;;
		--block-time) block_time="${2:?--block-time needs milliseconds}"; shift 2 ;;
		--rpc-port) rpc_port="${2:?--rpc-port needs a port}"; shift 2 ;;
		--no-build) no_build=1; shift ;;
		--no-demo) demo=0; shift ;;
		--) shift; extra=("$@"); break ;;
		-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
		*) die "unknown option $1 (see --help)" ;;
	esac
done

ensure_apt_packages
ensure_rust
[ "${no_build:-0}" = 1 ] || build_node

args=(--dev --dev-block-time "$block_time" --rpc-port "$rpc_port" --rpc-cors all)
if [ -n "$base_path" ]; then
	if [ "$clean" = 1 ]; then
		log "removing the dev chain under $base_path"
		"$IOT_NODE_BIN" purge-chain --dev --base-path "$base_path" -y >/dev/null 2>&1 || true
		rm -rf "$base_path/chains/iot_dev"
	fi
	args+=(--base-path "$base_path")
else
	[ "$clean" = 0 ] || log "--clean has no effect without --base-path: every run starts fresh"
fi

url="ws://127.0.0.1:$rpc_port"
log "dev chain RPC at $url"
log "polkadot.js Apps: https://polkadot.js.org/apps/?rpc=$(printf '%s' "$url" | sed 's/:/%3A/g; s#/#%2F#g')#/explorer"
if [ "$demo" = 0 ]; then
	exec "$IOT_NODE_BIN" "${args[@]}" "${extra[@]}"
fi

ensure_node_js
(cd "$REPO_ROOT/scripts/e2e" && { [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null; })
node "$REPO_ROOT/scripts/sensor-sim/sim.js" --port 8787 &
sim_pid=$!
"$IOT_NODE_BIN" "${args[@]}" "${extra[@]}" &
node_pid=$!
trap 'kill "$sim_pid" "$node_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 120); do
	curl -s -o /dev/null -H 'Content-Type: application/json' \
		-d '{"id":1,"jsonrpc":"2.0","method":"system_health"}' "http://127.0.0.1:$rpc_port" && break
	kill -0 "$node_pid" 2>/dev/null || die "iot-node exited"
	sleep 1
done
node "$REPO_ROOT/scripts/e2e/demo-feed.js" "$url" "http://127.0.0.1:8787" ||
	log "the demo feed was not registered (see above); the chain runs anyway"
wait "$node_pid"
