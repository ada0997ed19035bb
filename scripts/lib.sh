# Shared by the scripts: paths, prerequisites and the one way the node is built.
# Source it; do not run it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One target dir outside the clone, shared by the scripts, CI and every checkout.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/iot-parachain/target}"
IOT_NODE_BIN="$CARGO_TARGET_DIR/debug/iot-node"

log() { printf '\033[1;34m[iot]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[iot] error:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		die "need root to run: $* (install it yourself or run as root)"
	fi
}

# Debian/Ubuntu packages the build needs: protoc (libp2p), clang/libclang (RocksDB bindings),
# mold (the linker .cargo/config.toml selects), libssl-dev (OpenSSL is linked, not compiled).
ensure_apt_packages() {
	local wanted=(protobuf-compiler clang libclang-dev mold libssl-dev pkg-config make)
	local missing=()
	for pkg in "${wanted[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
	done
	if [ "${#missing[@]}" -gt 0 ]; then
		command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get; install them by hand"
		log "installing ${missing[*]}"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

# rustup installs the toolchain, WASM targets and rust-src that rust-toolchain.toml pins.
ensure_rust() {
	command -v rustup >/dev/null || die "rustup not found: install it from https://rustup.rs"
	(cd "$REPO_ROOT" && rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install)
	(cd "$REPO_ROOT" && rustup target list --installed | grep -q wasm32v1-none) ||
		(cd "$REPO_ROOT" && rustup toolchain install)
}

ensure_node_js() {
	command -v node >/dev/null && command -v npm >/dev/null && return
	log "installing Node.js and npm"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
}

# The single build of the node (dev profile, optimised dependencies; see Cargo.toml).
build_node() {
	log "building iot-node (target dir: $CARGO_TARGET_DIR)"
	(cd "$REPO_ROOT" && cargo build --locked -p iot-node)
	[ -x "$IOT_NODE_BIN" ] || die "build finished but $IOT_NODE_BIN is missing"
}
