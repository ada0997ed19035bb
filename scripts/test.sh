#!/usr/bin/env bash
# Installs what is missing and runs every test: rustfmt, the Rust unit and runtime tests of the
# whole workspace, the pallets' benchmark tests and clippy, then the end-to-end suite (polkadot.js
# against a real `iot-node --dev`).
#
#   ./scripts/test.sh            everything (what CI runs)
#   ./scripts/test.sh --no-e2e   Rust tests only
#   ./scripts/test.sh --e2e      end-to-end suite only (builds the node if needed)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

rust=1 e2e=1
case "${1:-}" in
	--no-e2e) e2e=0 ;;
	--e2e) rust=0 ;;
	"") ;;
	*) die "unknown option $1 (see the header of $0)" ;;
esac

started=$(date +%s)
ensure_apt_packages
ensure_rust

# Build the node first: the same artifacts serve the tests, the e2e node and benchmarks.
build_node

if [ "$rust" = 1 ]; then
	log "cargo fmt --check (rustfmt.toml: the SDK's layout)"
	(cd "$REPO_ROOT" && cargo fmt --all --check)
	# The example client is checked on its own: built together with the node, its jsonrpsee
	# client feature would unify into the node's dependencies and rebuild the node's RPC stack.
	log "cargo test --workspace (the example client apart)"
	(cd "$REPO_ROOT" && cargo test --locked --workspace --exclude payment-channel-client)
	# Each pallet's benchmarks run once as tests against its mock (real signatures, worst cases).
	bench_features=()
	for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
		crate="$(basename "$(dirname "$manifest")")"
		bench_features+=("--features" "pallet-$crate/runtime-benchmarks" "-p" "pallet-$crate")
	done
	log "benchmark tests of the pallets (--features runtime-benchmarks)"
	(cd "$REPO_ROOT" && cargo test --locked "${bench_features[@]}" --lib -- benchmarking)
	log "cargo clippy --workspace --all-targets (warnings are errors)"
	(cd "$REPO_ROOT" && cargo clippy --locked --workspace --exclude payment-channel-client \
		--all-targets -- -D warnings)
	(cd "$REPO_ROOT" && cargo clippy --locked -p payment-channel-client --all-targets -- -D warnings)
	# The benchmark code of the pallets and the runtime; SKIP_WASM_BUILD keeps this check from
	# rebuilding (and replacing) the runtime WASM the node embeds.
	log "cargo clippy of the benchmark code (warnings are errors)"
	(cd "$REPO_ROOT" && SKIP_WASM_BUILD=1 cargo clippy --locked "${bench_features[@]}" \
		-p iot-runtime --features iot-runtime/runtime-benchmarks --all-targets -- -D warnings)
	# Voucher verification vs raw signature checks (criterion, short run, reported; the full
	# run, ./scripts/bench-vouchers.sh, fails below 0.8×).
	QUICK=1 "$REPO_ROOT/scripts/bench-vouchers.sh"
fi

if [ "$e2e" = 1 ]; then
	ensure_node_js
	# The Rust example client of payment channels; an e2e test runs it against the dev node.
	log "building the payment-channel example client"
	(cd "$REPO_ROOT" && cargo build --locked -p payment-channel-client)
	log "end-to-end tests against $IOT_NODE_BIN"
	IOT_NODE_BIN="$IOT_NODE_BIN" "$REPO_ROOT/scripts/e2e/run.sh"
fi

log "all tests passed in $(( $(date +%s) - started )) s"
