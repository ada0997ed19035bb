#!/usr/bin/env bash
# Zombienet smoke test of the IoT parachain (native provider: every node is a local process).
#
#   ./zombienet/run.sh          build what is missing, then run smoke.zndsl (exit code = result)
#   ./zombienet/run.sh test     same as above
#   ./zombienet/run.sh spawn    build what is missing, then spawn network.toml and keep it running
#                               (Ctrl-C stops it); RPC ports are printed by zombienet
#   ./zombienet/run.sh build    only build the binaries
#
# Environment:
#   CARGO_TARGET_DIR     shared cargo target dir (default: $HOME/.cache/iot-parachain/target)
#   ZOMBIENET_REBUILD=1  run `cargo build` even if the binaries already exist (cargo is
#                        incremental; without this, existing binaries are used as they are)
#   ZOMBIENET_DIR        directory for the network's files and logs (zombienet `-d`); default: a
#                        fresh /tmp/zombie-* directory chosen by zombienet
#
# Cost on a 2-core machine: iot-node from scratch is the long full collator build; the relay
# binaries (polkadot with the native rococo runtime + 2 PVF workers) took ~15 min on top of an
# already built iot-node dependency set (more from scratch); the test itself takes a few minutes.
set -euo pipefail

mode="${1:-test}"
case "$mode" in
	test | spawn | build) ;;
	-h | --help)
		sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "usage: $0 [test|spawn|build]" >&2
		exit 2
		;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# The project's shared helpers: CARGO_TARGET_DIR default, apt packages, rustup toolchain, Node.js
# and `build_node collator` (the relay-connected iot-node: `cargo build --locked -p iot-node
# --features collator`, copied to $IOT_COLLATOR_BIN).
# shellcheck source=SCRIPTDIR/../scripts/lib.sh
source "$root/scripts/lib.sh"
bin_dir="$CARGO_TARGET_DIR/debug"

relay_bins=(polkadot polkadot-prepare-worker polkadot-execute-worker)

need_relay=0
for b in "${relay_bins[@]}"; do
	[[ -x "$bin_dir/$b" ]] || need_relay=1
done
need_node=0
[[ -x "$IOT_COLLATOR_BIN" ]] || need_node=1
if [[ "${ZOMBIENET_REBUILD:-0}" == 1 ]]; then
	need_relay=1
	need_node=1
fi

if ((need_relay || need_node)); then
	ensure_apt_packages
	ensure_rust
fi

if ((need_node)); then
	build_node collator
fi

if ((need_relay)); then
	# Run cargo from inside zombienet/relay: it is its own workspace (so `rococo-native` never
	# enters the collator's feature set) and it still picks up the root's .cargo/config.toml and
	# rust-toolchain.toml, which cargo/rustup find by walking up from the current directory.
	log "building polkadot + PVF workers (zombienet/relay, dev profile) into $bin_dir"
	log "(first build: ~15 min with iot-node's dependencies already built, more from scratch)"
	# The root's .cargo/config.toml points the WASM builder at the root workspace's Cargo.lock;
	# rococo-runtime's WASM must be resolved against this workspace's lock instead.
	(cd "$here/relay" && WASM_BUILD_WORKSPACE_HINT="$here/relay" cargo build --locked --bins)
fi

for b in "${relay_bins[@]}"; do
	[[ -x "$bin_dir/$b" ]] || {
		die "$bin_dir/$b is missing after the build"
	}
done

# polkadot refuses PVF workers whose --version differs from its own node version.
node_version="$("$bin_dir/polkadot" --version | awk '{print $2}' | cut -d- -f1)"
for w in polkadot-prepare-worker polkadot-execute-worker; do
	worker_version="$("$bin_dir/$w" --version)"
	if [[ "$worker_version" != "$node_version" ]]; then
		die "$w --version is '$worker_version', polkadot is '$node_version'; rebuild with ZOMBIENET_REBUILD=1"
	fi
done
log "polkadot $node_version (workers match), $("$IOT_COLLATOR_BIN" --version)"

[[ "$mode" == build ]] && exit 0

# Zombienet finds the binaries through these variables (network.toml is a nunjucks template) and,
# as a fallback, through PATH. The workers must sit next to `polkadot`, which they do.
export PATH="$bin_dir:$PATH"
export POLKADOT_BIN="$bin_dir/polkadot"
export IOT_NODE_BIN="$IOT_COLLATOR_BIN"

ensure_node_js
cd "$here"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
	log "npm ci (zombienet $(node -p 'require("./package.json").devDependencies["@zombienet/cli"]'))"
	npm ci --no-audit --no-fund
fi

dir_args=()
if [[ -n "${ZOMBIENET_DIR:-}" ]]; then
	dir_args=(-d "$ZOMBIENET_DIR" -f)
fi

case "$mode" in
	test)
		log "zombienet test smoke.zndsl"
		exec ./node_modules/.bin/zombienet --provider native "${dir_args[@]}" test smoke.zndsl
		;;
	spawn)
		log "zombienet spawn network.toml (Ctrl-C to stop)"
		exec ./node_modules/.bin/zombienet --provider native "${dir_args[@]}" spawn network.toml
		;;
esac
