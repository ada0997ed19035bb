#!/usr/bin/env bash
# Fails when the workspace's tests, benches or other members turn on a feature, in a crate the
# node also builds, that `cargo build -p iot-node` does not: cargo would then compile that crate
# and everything above it a second time (a cold `cargo test --workspace` after the node build once
# recompiled much of the node's tree for 13.5 min, because criterion's `half` added `derive` to
# `zerocopy`). Fix a failure by adding the feature to the "Feature unification" entries of
# node/Cargo.toml. Compares `cargo tree` of both builds: a few seconds, nothing is compiled.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
python3 - <<'PY'
import collections, subprocess, sys

def features(args):
    """{package: {feature set, ...}} of every package of a `cargo tree` (host and target builds
    of a package are separate entries)."""
    out = subprocess.run(
        ["cargo", "tree", "--locked", "--prefix", "none", "-f", "{p}|{f}", *args],
        check=True, capture_output=True, text=True).stdout
    found = collections.defaultdict(set)
    for line in out.splitlines():
        if "|" not in line:
            continue
        package, feats = line.split("|", 1)
        found[package.strip()].add(feats.replace("(*)", "").strip())
    return found

node = features(["-p", "iot-node", "-e", "normal,build"])
workspace = features(["--workspace", "-e", "normal,build,dev"])
differ = [(p, fs, workspace.get(p, set())) for p, fs in sorted(node.items()) if workspace.get(p, set()) != fs]
for package, in_node, in_workspace in differ:
    print(f"{package}: node build {sorted(in_node)}, workspace tests {sorted(in_workspace)}")
if differ:
    print(f"{len(differ)} crates would be compiled twice; add the workspace's features to the "
          "'Feature unification' entries of node/Cargo.toml (our own crates: the "
          "`/default` entries of runtime/Cargo.toml's std feature)", file=sys.stderr)
    sys.exit(1)
print(f"feature unification: the {len(node)} crates of the node build have the same "
      "features in the workspace's test build")
PY
