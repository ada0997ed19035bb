#!/usr/bin/env bash
# Installs what is missing and runs every test: rustfmt, the feature-unification check, the build
# of the node and the workspace, the Rust unit, runtime and doc tests, the pallets' benchmark
# tests, Clippy (warnings are errors) on every target of our crates, a short voucher benchmark,
# then the end-to-end suite (polkadot.js against a real `iot-node --dev`; the gateway against the
# node and a real mosquitto broker, fed by the firmware example under QEMU). With
# IOT_NEWEST_CLIPPY=1 also Clippy of the newest installed stable (scripts/clippy-newest.sh); with
# IOT_COLLATOR=1 also the relay-connected node (`build_node collator`, its code linted).
#
#   ./scripts/test.sh            everything (what CI runs)
#   ./scripts/test.sh --no-e2e   Rust tests only
#   ./scripts/test.sh --e2e      end-to-end suite only (builds the node if needed)
#
# One build serves every step: our crates are compiled through clippy-driver (scripts/lib.sh,
# use_lint_wrapper), so the build and the tests are the Clippy run as well, and the node, the
# tests and the benches resolve the same dependency features (scripts/check-features.sh). What
# each step took is printed at the end and kept in $CARGO_TARGET_DIR/test-times.txt.
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
times=()
# step NAME COMMAND...: runs the command from the repository root and records its duration.
step() {
	local name="$1" t0
	shift
	log "$name"
	t0=$(date +%s)
	(cd "$REPO_ROOT" && "$@")
	times+=("$(printf '%5d s  %s' "$(($(date +%s) - t0))" "$name")")
}

# QEMU for the firmware example; mosquitto and its clients for the gateway's MQTT e2e tests.
step "Debian packages" ensure_apt_packages qemu-system-arm mosquitto mosquitto-clients
t0=$(date +%s)
ensure_rust
times+=("$(printf '%5d s  %s' "$(($(date +%s) - t0))" "Rust $RUST_TOOLCHAIN, its targets and components")")
use_lint_wrapper

if [ "$rust" = 1 ]; then
	step "cargo fmt --check (rustfmt.toml: the SDK's layout)" cargo fmt --all --check
	step "feature unification (scripts/check-features.sh)" "$REPO_ROOT/scripts/check-features.sh"
fi

# The node first: the same artifacts serve the tests, the e2e node and benchmarks.
step "cargo build --workspace (iot-node, the example client; lints)" build_node

if [ "$rust" = 1 ]; then
	step "cargo test --workspace --all-targets (unit, runtime and bench-target tests; lints)" \
		cargo test --locked --workspace --all-targets
	step "cargo test --workspace --doc" cargo test --locked --workspace --doc
	step "iot-formats and iot-device as firmware uses them (no std, no allocator, no sp-io; thumbv7em)" \
		"$REPO_ROOT/scripts/check-formats.sh"
	step "firmware example on an emulated Cortex-M4F (scripts/firmware-qemu.sh)" \
		"$REPO_ROOT/scripts/firmware-qemu.sh"
	# Each pallet's benchmarks run once as tests against its mock (real signatures, worst cases).
	# They need the FRAME crates a second time, with `runtime-benchmarks`: ~6 min of a cold run,
	# all CPU. When the end-to-end suite follows (it mostly waits for blocks), that build runs
	# beside it at the lowest priority and the tests run after it; otherwise here.
	bench_features=()
	for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
		crate="$(basename "$(dirname "$manifest")")"
		bench_features+=("--features" "pallet-$crate/runtime-benchmarks" "-p" "pallet-$crate")
	done
	bench_tests=(cargo test --locked "${bench_features[@]}" --lib)
	if [ "$e2e" = 0 ]; then
		step "benchmark tests of the pallets (--features runtime-benchmarks; lints)" \
			"${bench_tests[@]}" -- benchmarking
	fi
	# The runtime's own benchmark wiring (runtime/src/benchmarks.rs, `--features
	# runtime-benchmarks`) is compiled and linted by ./scripts/benchmark.sh, not here: checking the
	# runtime with the feature resolves its build-dependencies (substrate-wasm-builder and its
	# tree) with other features and compiled them again, minutes of a cold run.
	# Voucher verification vs raw signature checks (criterion, short run, reported; the full
	# run, ./scripts/bench-vouchers.sh, fails below 0.8×).
	step "voucher benchmark (criterion, short)" env QUICK=1 "$REPO_ROOT/scripts/bench-vouchers.sh"
	# Users build with whatever stable they have: with IOT_NEWEST_CLIPPY=1, Clippy of the newest
	# installed stable too, if it is newer than the pinned one. Opt-in: its first run checks every
	# dependency with the other compiler (tens of minutes), more than CI's budget allows.
	if [ "${IOT_NEWEST_CLIPPY:-0}" = 1 ]; then
		step "Clippy of the newest installed stable (scripts/clippy-newest.sh)" \
			"$REPO_ROOT/scripts/clippy-newest.sh"
	fi
fi

if [ "$e2e" = 1 ]; then
	ensure_node_js
	# The gateway's e2e test runs the firmware example under QEMU with the test chain's genesis
	# hash: with --e2e alone, build (and check) it here.
	if [ "$rust" = 0 ]; then
		step "firmware example on an emulated Cortex-M4F (scripts/firmware-qemu.sh)" \
			"$REPO_ROOT/scripts/firmware-qemu.sh"
	fi
	# Started last: while it runs, every other cargo command waits for its lock on the target dir.
	if [ "$rust" = 1 ]; then
		bench_log="$CARGO_TARGET_DIR/benchmark-tests-build.log"
		log "building the pallets' benchmark tests beside the end-to-end suite (log: $bench_log)"
		(cd "$REPO_ROOT" && exec nice -n 19 "${bench_tests[@]}" --no-run) >"$bench_log" 2>&1 &
		bench_build=$!
		# Never leave it running when a later step fails.
		trap 'kill "$bench_build" 2>/dev/null || true' EXIT
	fi
	step "end-to-end tests against $IOT_NODE_BIN" \
		env IOT_NODE_BIN="$IOT_NODE_BIN" IOT_GATEWAY_BIN="$CARGO_TARGET_DIR/debug/iot-gateway" \
		"$REPO_ROOT/scripts/e2e/run.sh"
fi

if [ -n "${bench_build:-}" ]; then
	# Not through `step`: only this shell can wait for its own background job.
	log "waiting for the benchmark tests' build"
	t0=$(date +%s)
	wait "$bench_build" || {
		tail -n 60 "$bench_log" >&2
		die "the benchmark tests did not build (whole log: $bench_log)"
	}
	trap - EXIT
	times+=("$(printf '%5d s  %s' "$(($(date +%s) - t0))" "rest of the benchmark tests' build (it ran beside the end-to-end suite)")")
	step "benchmark tests of the pallets (--features runtime-benchmarks; lints)" \
		"${bench_tests[@]}" -- benchmarking
fi

# The relay-connected node (`--features collator`): opt-in, its embedded relay-chain node is
# ~30 min more of a cold build on 2 cores; zombienet builds and runs it. Last, because it leaves
# debug/iot-node as the collator build (the next `build_node` relinks the dev one).
if [ "${IOT_COLLATOR:-0}" = 1 ]; then
	step "iot-node --features collator (build_node collator; lints)" build_node collator
fi

total=$(($(date +%s) - started))
{
	printf 'test.sh %s, Rust %s, %s\n' "$(date -u +%FT%TZ)" "$RUST_TOOLCHAIN" "${1:-all}"
	printf '%s\n' "${times[@]}"
	printf '%5d s  total\n' "$total"
} | tee "$CARGO_TARGET_DIR/test-times.txt" >&2
log "all tests passed in $total s"
