# Shared by the scripts: paths, prerequisites and the one way the node is built.
# Source it; do not run it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One target dir outside the clone, shared by the scripts, CI and every checkout.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/iot-parachain/target}"
IOT_NODE_BIN="$CARGO_TARGET_DIR/debug/iot-node"
# The relay-connected build (`--features collator`, see node/Cargo.toml), kept beside the dev
# build: cargo writes both to debug/iot-node, so `build_node collator` copies it here.
IOT_COLLATOR_BIN="$CARGO_TARGET_DIR/debug/iot-node-collator"

log() { printf '\033[1;34m[iot]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[iot] error:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		die "need root to run: $* (install it yourself or run as root)"
	fi
}

# Debian/Ubuntu packages the build needs: protoc (libp2p), clang/libclang (RocksDB bindings),
# mold (the linker .cargo/config.toml selects), libssl-dev (OpenSSL is linked, not compiled).
# ensure_apt_packages [EXTRA...]: the packages every build needs, and EXTRA ones a step needs.
ensure_apt_packages() {
	local wanted=(protobuf-compiler clang libclang-dev mold libssl-dev pkg-config make "$@")
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

# The toolchain rust-toolchain.toml pins (an exact release), with its targets and components.
# Installs exactly that release (never updates a floating channel such as `stable`), then checks
# what rustup really installed: a missing `wasm32v1-none` would otherwise make the runtime build
# fall back to `wasm32-unknown-unknown` with only a warning.
RUST_TOOLCHAIN_FILE="$REPO_ROOT/rust-toolchain.toml"
toolchain_field() { # the TOML list or string value of a field of rust-toolchain.toml, one per line
	sed -n "s/^$1 *= *//p" "$RUST_TOOLCHAIN_FILE" | tr -d '[]",' | tr ' ' '\n' | sed '/^$/d'
}
# ensure_rustup_parts target|component TOOLCHAIN NAME...: adds what `rustup KIND list --installed`
# lacks, then checks that list again (what rustup reports as installed, not what it said it did).
# Installed components may carry the host triple (`clippy-x86_64-unknown-linux-gnu`).
ensure_rustup_parts() {
	local kind="$1" toolchain="$2" installed missing=() name host
	shift 2
	host="$(rustup run "$toolchain" rustc -vV | sed -n 's/^host: //p')"
	has_part() { grep -qx -e "$1" -e "$1-$host" <<<"$installed"; }
	installed="$(rustup "$kind" list --installed --toolchain "$toolchain")"
	for name in "$@"; do has_part "$name" || missing+=("$name"); done
	if [ "${#missing[@]}" -gt 0 ]; then
		log "installing ${kind}s ${missing[*]} for Rust $toolchain"
		rustup "$kind" add --toolchain "$toolchain" "${missing[@]}" >/dev/null 2>&1 || true
	fi
	installed="$(rustup "$kind" list --installed --toolchain "$toolchain")"
	for name in "$@"; do
		has_part "$name" ||
			die "Rust $toolchain has no $kind $name after 'rustup $kind add' (rustup $kind list --installed --toolchain $toolchain)"
	done
}
ensure_rust() {
	command -v rustup >/dev/null || die "rustup not found: install it from https://rustup.rs"
	[ -z "${RUSTUP_TOOLCHAIN:-}" ] ||
		die "RUSTUP_TOOLCHAIN=$RUSTUP_TOOLCHAIN overrides rust-toolchain.toml; unset it (other toolchains: README, Toolchain)"
	local toolchain targets components
	toolchain="$(toolchain_field channel)"
	[[ "$toolchain" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
		die "rust-toolchain.toml must pin an exact release (channel = \"1.x.y\"), not '$toolchain'"
	mapfile -t targets < <(toolchain_field targets)
	mapfile -t components < <(toolchain_field components)
	if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
		log "installing Rust $toolchain"
		rustup toolchain install "$toolchain" --profile minimal --no-self-update >/dev/null ||
			die "rustup could not install Rust $toolchain"
	fi
	ensure_rustup_parts target "$toolchain" "${targets[@]}"
	ensure_rustup_parts component "$toolchain" "${components[@]}"
	local active
	active="$(cd "$REPO_ROOT" && rustc --version)"
	[[ "$active" == "rustc $toolchain "* ]] ||
		die "rustc in $REPO_ROOT is '$active', not $toolchain (is a rustup override set? rustup override list)"
	RUST_TOOLCHAIN="$toolchain"
}

# Every cargo command of the scripts compiles our own crates through clippy-driver (rustc plus
# Clippy's lints; warnings are errors), dependencies with plain rustc. Linting while building
# means the lints need no second, check-mode compilation of the ~1,400 dependencies (`cargo
# clippy` would check them all again: about a quarter of a cold build), and the scripts share one
# set of artifacts. A plain `cargo build` by hand compiles our crates again without the wrapper.
use_lint_wrapper() {
	IOT_CLIPPY_DRIVER="$(cd "$REPO_ROOT" && rustup which clippy-driver)" ||
		die "clippy-driver not found for Rust ${RUST_TOOLCHAIN:-?} (rustup component add clippy)"
	export IOT_CLIPPY_DRIVER
	export RUSTC_WORKSPACE_WRAPPER="$REPO_ROOT/scripts/lint-wrapper.sh"
}

ensure_node_js() {
	command -v node >/dev/null && command -v npm >/dev/null && return
	log "installing Node.js and npm"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
}

# The single build of the node and the workspace's other binaries (dev profile, optimised
# dependencies; see Cargo.toml). `--workspace` and `-p iot-node` resolve the same features
# (scripts/check-features.sh), so this shares every artifact with the test command. That node
# runs `--dev` only.
#
# build_node collator: the relay-connected node (`--features collator`: the embedded relay-chain
# node, RocksDB; ~30 min more from a build of the dev node on 2 cores), copied to
# $IOT_COLLATOR_BIN. Its dependencies with other features are kept beside the dev build's, so
# switching between the two later relinks the node only.
build_node() {
	use_lint_wrapper
	local what=(--workspace)
	[ "${1:-}" = collator ] && what=(-p iot-node --features collator)
	log "building iot-node: cargo build ${what[*]} (target dir: $CARGO_TARGET_DIR)"
	# IOT_BUILD_TIMINGS=1 (scripts/cold-run.sh sets it): cargo's per-crate report, in
	# $CARGO_TARGET_DIR/cargo-timings/.
	[ "${IOT_BUILD_TIMINGS:-0}" = 1 ] && what+=(--timings)
	(cd "$REPO_ROOT" && cargo build --locked "${what[@]}")
	[ -x "$IOT_NODE_BIN" ] || die "build finished but $IOT_NODE_BIN is missing"
	[ "${1:-}" != collator ] || cp "$IOT_NODE_BIN" "$IOT_COLLATOR_BIN"
}
