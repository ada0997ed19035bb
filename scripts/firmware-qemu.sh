#!/usr/bin/env bash
# The firmware example on an emulated Cortex-M4F: builds device/firmware-example for
# thumbv7em-none-eabihf (release, size-optimised), prints its flash and RAM size, runs it under
# QEMU (machine mps2-an386, Debian `qemu-system-arm`, installed if missing) and checks on the host
# what the emulated device printed (device/tests/qemu.rs: its streamed roots are the chain's
# trees over its readings, its P-256 and sr25519 anchor signatures pass the chain's check).
#
#   ./scripts/firmware-qemu.sh        output in $CARGO_TARGET_DIR/firmware/qemu-output.jsonl
#
# Env: IOT_FIRMWARE_GENESIS (the genesis hash the device signs for; default 0x11…11).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_apt_packages qemu-system-arm
ensure_rust
use_lint_wrapper

fw="$REPO_ROOT/device/firmware-example"
out="$CARGO_TARGET_DIR/firmware"
mkdir -p "$out"
# Its own workspace and lock file; its own target dir under ours (another target, other profiles).
(cd "$fw" && cargo build --locked --release --target-dir "$out/target")
elf="$out/target/thumbv7em-none-eabihf/release/iot-device-firmware-example"
[ -f "$elf" ] || die "firmware build finished but $elf is missing"

# Flash = code and read-only data and the initial values of data; RAM = data, bss and the stack
# the firmware measured. From the ELF's section headers (no ARM binutils needed).
python3 - "$elf" >"$out/size.txt" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
shoff, = struct.unpack_from("<I", data, 0x20)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
sections = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
names = sections[shstrndx]
def name(s):
    start = names[4] + s[0]
    return data[start:data.index(b"\0", start)].decode()
size = {name(s): s[5] for s in sections}
flash = size.get(".vector_table", 0) + size.get(".text", 0) + size.get(".rodata", 0) + size.get(".data", 0)
ram = size.get(".data", 0) + size.get(".bss", 0) + size.get(".uninit", 0)
print(f"flash {flash} bytes (vector table {size.get('.vector_table', 0)}, text {size.get('.text', 0)}, rodata {size.get('.rodata', 0)}, data {size.get('.data', 0)}); static RAM {ram} bytes (data + bss)")
PY
log "firmware size: $(cat "$out/size.txt")"

genesis="${IOT_FIRMWARE_GENESIS:-0x$(printf 'a5%.0s' $(seq 32))}"
log "running the firmware under QEMU (mps2-an386)"
# Arguments: genesis hash, P-256 device and stream, sr25519 device and stream, first sequence.
timeout 300 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none \
	-semihosting-config enable=on,target=native -kernel "$elf" \
	-append "$genesis 0 0 1 1 5" >"$out/qemu-output.jsonl" </dev/null ||
	die "the firmware failed under QEMU (exit $?); output: $out/qemu-output.jsonl"
log "the emulated device printed $(grep -c '"kind":"reading"' "$out/qemu-output.jsonl") readings and $(grep -c '"kind":"anchor"' "$out/qemu-output.jsonl") anchors"
(cd "$REPO_ROOT" && IOT_FIRMWARE_OUTPUT="$out/qemu-output.jsonl" IOT_FIRMWARE_GENESIS="$genesis" \
	cargo test --locked --workspace --test qemu -- --ignored --nocapture)
