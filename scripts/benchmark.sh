#!/usr/bin/env bash
# Runs the FRAME benchmarks of the runtime on this machine and writes the weight files.
#
#   ./scripts/benchmark.sh                 every IoT pallet + the baseline (pallet_balances)
#   ./scripts/benchmark.sh PALLET...       only these (e.g. pallet_device_registry)
#
# Environment: STEPS (default 50), REPEAT (default 20), CARGO_TARGET_DIR (shared target dir).
#
# What is measured: the runtime WASM built with `--features runtime-benchmarks` (always a release
# WASM build), executed by the same `iot-node` binary the tests use (dev profile, dependencies
# optimised: its wasmtime compiles the WASM, so the node's own optimisation level does not enter
# the figures), on the `development` genesis preset, with RocksDB weights for storage.
#
# Outputs:
#   pallets/<name>/src/weights.rs           each IoT pallet (template: scripts/pallet-weight-template.hbs)
#   runtime/src/weights/pallet_balances.rs  the baseline every IoT figure is compared with
#   $CARGO_TARGET_DIR/benchmarks/*.json     raw results
#
# Cost: building the benchmark WASM takes a few minutes the first time (its dependencies are
# built once with the feature); afterwards the normal WASM is restored (~3 min), then each pallet
# runs for a few minutes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
BENCH_DIR="$CARGO_TARGET_DIR/benchmarks"
WBUILD="$CARGO_TARGET_DIR/debug/wbuild/iot-runtime"
BENCH_WASM="$BENCH_DIR/iot_runtime_benchmarks.wasm"

ensure_apt_packages
ensure_rust
use_lint_wrapper
mkdir -p "$BENCH_DIR"

log "building the runtime WASM with --features runtime-benchmarks"
# Both builds (with and without the feature) write the same file; touching build.rs makes the
# build script run again, so the file is the one of the build that ran last.
touch "$REPO_ROOT/runtime/build.rs"
(cd "$REPO_ROOT" && cargo check --locked -p iot-runtime --features runtime-benchmarks)
grep -q dispatch_benchmark "$WBUILD/iot_runtime.wasm" || die "the WASM has no benchmarks compiled in"
cp "$WBUILD/iot_runtime.wasm" "$BENCH_WASM"

# The benchmark build wrote its WASM where the normal build keeps its own; make the normal build
# script run again so the node never embeds the benchmark WASM.
touch "$REPO_ROOT/runtime/build.rs"
build_node
if grep -q dispatch_benchmark "$WBUILD/iot_runtime.wasm"; then
	die "the normal WASM still has benchmarks compiled in"
fi

pallets=("$@")
if [ "${#pallets[@]}" -eq 0 ]; then
	pallets=(pallet_balances)
	for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
		dir="$(dirname "$manifest")"
		pallets+=("pallet_$(basename "$dir" | tr - _)")
	done
fi

for pallet in "${pallets[@]}"; do
	crate_dir="$REPO_ROOT/pallets/${pallet#pallet_}"
	crate_dir="${crate_dir//_/-}"
	if [ -d "$crate_dir" ]; then
		output=("--output" "$crate_dir/src/weights.rs" "--template" "$REPO_ROOT/scripts/pallet-weight-template.hbs")
	else
		mkdir -p "$REPO_ROOT/runtime/src/weights"
		output=("--output" "$REPO_ROOT/runtime/src/weights/$pallet.rs")
	fi
	log "benchmarking $pallet (steps $STEPS, repeat $REPEAT)"
	"$IOT_NODE_BIN" benchmark pallet \
		--runtime "$BENCH_WASM" \
		--genesis-builder-preset development \
		--pallet "$pallet" --extrinsic '*' \
		--steps "$STEPS" --repeat "$REPEAT" \
		--heap-pages 4096 \
		--header "$REPO_ROOT/scripts/weights-header.txt" \
		--json-file "$BENCH_DIR/$pallet.json" \
		"${output[@]}"
	if [ ! -d "$crate_dir" ]; then
		# The runtime reaches FRAME and the SDK's pallets through the umbrella crate; the SDK's
		# template names them as crates.
		sed -i -e 's/^use frame_support::/use polkadot_sdk::frame_support::/' \
			-e "s/impl<T: frame_system::Config> $pallet::/impl<T: polkadot_sdk::frame_system::Config> polkadot_sdk::$pallet::/" \
			"${output[1]}"
	fi
done

log "figures against balances.transfer_keep_alive (the runtime's weight tests)"
# The feature set and the lint wrapper of the test command, so nothing is rebuilt for this.
for t in device_registry provenance payment_channels sensor_feeds; do
	(cd "$REPO_ROOT" && cargo test --locked --workspace --test "$t" -- --nocapture --test-threads 1)
done
