#!/bin/sh
# RUSTC_WORKSPACE_WRAPPER of the scripts (scripts/lib.sh, use_lint_wrapper): cargo calls it with
# the path of rustc and its arguments for each of our own crates, never for a dependency.
# clippy-driver compiles exactly as rustc does and runs Clippy's lints on the way; `-D warnings`
# makes any warning (rustc's or Clippy's) fail the build. The lint levels we set are in
# Cargo.toml ([workspace.lints]) and in the crates.
exec "${IOT_CLIPPY_DRIVER:?set by scripts/lib.sh use_lint_wrapper}" "$@" -D warnings
