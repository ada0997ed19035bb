#!/usr/bin/env bash
# Times the README's test command as CI runs it on a fresh machine: a fresh clone of this
# repository's HEAD, an empty cargo home (registry), target dir and npm cache, and a copy of
# this machine's rustup state, then `/usr/bin/time -v bash .ci/run`. Nothing else should run
# on the machine meanwhile (another build skews the figure by minutes).
#
#   ./scripts/cold-run.sh [WORK_DIR]     default /tmp/cold; the log is WORK_DIR/cold.log
#
# Per-step times end up in WORK_DIR/target/test-times.txt, the build's per-crate timings in
# WORK_DIR/target/cargo-timings/.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/cold}"
mkdir -p "$work"
cd "$work" || exit 1
rm -rf repo cargo-home target npm-cache
# The image's rustup state, copied once: later runs reuse it (its targets may then be installed).
[ -d rustup ] || cp -a "${RUSTUP_HOME:-$HOME/.rustup}" rustup
git clone -q "$repo" repo
mkdir -p cargo-home
export RUSTUP_HOME="$work/rustup" CARGO_HOME="$work/cargo-home" CARGO_TARGET_DIR="$work/target"
export npm_config_cache="$work/npm-cache"
# cargo's per-crate timings of the build step: WORK_DIR/target/cargo-timings/.
export IOT_BUILD_TIMINGS=1
export PATH="$HOME/.cargo/bin:$PATH"
cd repo || exit 1
git log --oneline | head -1
/usr/bin/time -v bash .ci/run 2>&1 | tee "$work/cold.log"
echo "exit=${PIPESTATUS[0]}"
