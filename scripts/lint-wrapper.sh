#!/bin/sh
# RUSTC_WORKSPACE_WRAPPER of the scripts (scripts/lib.sh, use_lint_wrapper): cargo calls it with
# the path of rustc and its arguments for each of our own crates, never for a dependency.
# clippy-driver compiles exactly as rustc does and runs Clippy's lints on the way; `-D warnings`
# makes any warning (rustc's or Clippy's) fail the build. The lint levels we set are in
# Cargo.toml ([workspace.lints]) and in the crates.
#
# SYSROOT: clippy-driver asks the `rustc` on PATH for its sysroot, and the rustup proxy answers for
# the current directory. The runtime's WASM builder probes from a temporary directory outside the
# repository, where rust-toolchain.toml does not apply: the driver of the pinned release then took
# the default toolchain's standard library (seen on a fresh machine: "Rust WASM target ... is not
# properly installed"). The sysroot is the driver's own toolchain, wherever cargo calls it from.
driver="${IOT_CLIPPY_DRIVER:?set by scripts/lib.sh use_lint_wrapper}"
SYSROOT="$(dirname "$(dirname "$driver")")"
export SYSROOT
exec "$driver" "$@" -D warnings
