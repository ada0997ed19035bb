#!/usr/bin/env bash
# Runs the runtime fuzzer (runtime/tests/fuzz.rs) on new seeds for MINUTES minutes (default 10)
# and prints how many blocks and calls it executed. A failure prints the seed that found it:
# rerun it alone with IOT_FUZZ_FIRST_SEED=<seed> IOT_FUZZ_SEEDS=1.
#
#   ./scripts/fuzz-runtime.sh [MINUTES]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
minutes="${1:-10}"
ensure_rust
use_lint_wrapper
cd "$REPO_ROOT"
cargo test --locked --workspace --test fuzz --no-run
deadline=$(($(date +%s) + minutes * 60))
first="${IOT_FUZZ_FIRST_SEED:-$(date +%s)}"
per_run="${IOT_FUZZ_SEEDS:-50}"
blocks=0 calls=0 runs=0
while [ "$(date +%s)" -lt "$deadline" ]; do
	out="$(IOT_FUZZ_FIRST_SEED="$first" IOT_FUZZ_SEEDS="$per_run" \
		cargo test --locked -q --workspace --test fuzz -- --nocapture 2>&1)" || {
		printf '%s\n' "$out" >&2
		die "the fuzzer found a failure in seeds $first..$((first + per_run))"
	}
	line="$(grep '^fuzz:' <<<"$out")"
	blocks=$((blocks + $(sed -E 's/.*, ([0-9]+) blocks.*/\1/' <<<"$line")))
	calls=$((calls + $(sed -E 's/.*blocks, ([0-9]+) calls.*/\1/' <<<"$line")))
	runs=$((runs + 1))
	first=$((first + per_run))
done
log "fuzzed for $minutes min: $((runs * per_run)) seeds, $blocks blocks, $calls calls, no invariant broken"
