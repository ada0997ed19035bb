#!/usr/bin/env bash
# Clippy with the newest stable Rust installed on this machine, when it is newer than the release
# rust-toolchain.toml pins: users build with whatever stable they have, and each release adds
# lints. Skipped (exit 0) when no newer stable is installed, as on a machine as it comes; to
# check against one, install it (`rustup toolchain install 1.x.y --profile minimal -c clippy`).
#
#   ./scripts/clippy-newest.sh              newest installed stable, if newer than ours
#   ./scripts/clippy-newest.sh 1.99.1       this toolchain
#
# A check (no build): a separate target dir, $CARGO_TARGET_DIR/clippy-<version>, because another
# compiler shares no artifacts with ours; the first run checks every dependency (tens of minutes
# on 2 cores), later runs only our crates.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pinned="$(toolchain_field channel)"
version_of() { rustup run "$1" rustc --version 2>/dev/null | awk '{print $2}'; }
newer() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" = "$1" ]; }

toolchain="${1:-}"
if [ -z "$toolchain" ]; then
	best=""
	while read -r name _; do
		case "$name" in nightly* | beta* | *-nightly* | *-beta*) continue ;; esac
		v="$(version_of "$name")"
		[[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || continue
		if [ -z "$best" ] || newer "$v" "$(version_of "$best")"; then best="$name"; fi
	done < <(rustup toolchain list)
	if [ -z "$best" ] || ! newer "$(version_of "$best")" "$pinned"; then
		log "no stable toolchain newer than $pinned is installed: nothing to check"
		exit 0
	fi
	toolchain="$best"
fi
version="$(version_of "$toolchain")"
[ -n "$version" ] || die "toolchain $toolchain is not installed"
rustup run "$toolchain" cargo clippy --version >/dev/null 2>&1 ||
	die "toolchain $toolchain ($version) has no clippy: rustup component add clippy --toolchain $toolchain"

export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/clippy-$version"
log "Clippy of Rust $version (the project pins $pinned), target dir $CARGO_TARGET_DIR"
bench_features=()
for manifest in "$REPO_ROOT"/pallets/*/Cargo.toml; do
	crate="$(basename "$(dirname "$manifest")")"
	bench_features+=("--features" "pallet-$crate/runtime-benchmarks" "-p" "pallet-$crate")
done
cd "$REPO_ROOT"
# SKIP_WASM_BUILD: the runtime's WASM is the pinned toolchain's business; a check needs none.
export SKIP_WASM_BUILD=1
cargo "+$toolchain" clippy --locked --workspace --all-targets -- -D warnings
cargo "+$toolchain" clippy --locked "${bench_features[@]}" -p iot-runtime \
	--features iot-runtime/runtime-benchmarks --all-targets -- -D warnings
log "Clippy of Rust $version: clean"
