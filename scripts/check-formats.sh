#!/usr/bin/env bash
# The byte-formats crate as device firmware uses it: without default features (no std, no
# allocator, no SCALE), with the P-256 verifier and the software BLAKE2b. Checks that it pulls in
# none of the chain's crates (no sp-io, no sp-runtime, no FRAME, no codec) and that it builds for
# a target that has no std (`wasm32v1-none`, installed for the runtime anyway).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

features=(-p iot-formats --no-default-features --features p256,software-hash)
deps="$(cargo tree --locked "${features[@]}" -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)"
forbidden="$(grep -E '^(sp-|frame-|polkadot-sdk$|parity-scale-codec$|scale-info$|serde)' <<<"$deps" || true)"
[ -z "$forbidden" ] || die "iot-formats without default features depends on: $(tr '\n' ' ' <<<"$forbidden")"
log "iot-formats (device configuration) depends on: $(grep -v '^iot-formats$' <<<"$deps" | tr '\n' ' ')"
cargo check --locked "${features[@]}" --target wasm32v1-none

# The device crate as firmware uses it: no std, no allocator, every signer, built for a Cortex-M4F
# (thumbv7em-none-eabihf, a target of rust-toolchain.toml). Same rule for its dependencies.
device=(-p iot-device --no-default-features --features ed25519,sr25519,secp256k1,p256)
deps="$(cargo tree --locked "${device[@]}" -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)"
forbidden="$(grep -E '^(sp-|frame-|polkadot-sdk$|parity-scale-codec$|scale-info$|serde)' <<<"$deps" || true)"
[ -z "$forbidden" ] || die "iot-device without default features depends on: $(tr '\n' ' ' <<<"$forbidden")"
cargo build --locked "${device[@]}" --target thumbv7em-none-eabihf
