#!/usr/bin/env bash
# Voucher signing and verification per second (criterion, `primitives/benches/vouchers.rs`), next
# to raw signature checks of the same key type measured in the same run, and the ratios
# voucher / raw. The issue's budget: voucher verification at least 0.8× the raw rate.
#
#   ./scripts/bench-vouchers.sh             full run (a few seconds per figure)
#   QUICK=1 ./scripts/bench-vouchers.sh     shorter measurement, report only (what the test command
#                                           runs: one-second samples on a busy 2-core machine are
#                                           too noisy to fail a build on)
#
# Built with the dev profile like everything else here (dependencies at opt-level 2, the
# primitives crate itself at opt-level 0: the voucher side carries its unoptimised encoding).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_apt_packages
ensure_rust

timing=(--warm-up-time 1 --measurement-time 3)
if [ "${QUICK:-0}" = 1 ]; then
	timing=(--warm-up-time 0.3 --measurement-time 1)
fi

log "criterion: voucher vs raw signatures (dev profile)"
# `--workspace`: the features of the test command's build (a `-p iot-primitives` build would resolve
# fewer and compile part of the tree again).
use_lint_wrapper
(cd "$REPO_ROOT" && cargo bench --locked --profile dev --workspace --bench vouchers -- \
	--noplot "${timing[@]}")

# criterion writes target/criterion/<group>/<function>/new/estimates.json (mean in ns).
python3 - "$CARGO_TARGET_DIR/criterion" "${QUICK:-0}" <<'PY'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
quick = sys.argv[2] == "1"
def mean_ns(group, name):
    return json.loads((root / group / name / "new" / "estimates.json").read_text())["mean"]["point_estimate"]
failed = False
print("| key | raw verify /s (chain's check) | voucher verify /s | ratio | direct verify /s (sp_core, no sp_io) | raw sign /s | voucher sign /s |")
print("|---|---|---|---|---|---|---|")
for group in ["sr25519", "ed25519", "p256"]:
    raw, voucher = mean_ns(group, "raw_verify"), mean_ns(group, "voucher_verify")
    ratio = raw / voucher
    signs = ""
    if (root / group / "raw_sign").exists():
        signs = f"{1e9 / mean_ns(group, 'raw_sign'):,.0f} | {1e9 / mean_ns(group, 'voucher_sign'):,.0f}"
    else:
        signs = "– | –"
    direct = 1e9 / mean_ns(group, "direct_verify")
    print(f"| {group} | {1e9 / raw:,.0f} | {1e9 / voucher:,.0f} | {ratio:.2f} | {direct:,.0f} | {signs} |")
    if ratio < 0.8:
        failed = True
        print(f"  {group}: voucher verification is {ratio:.2f}× the raw rate (budget ≥ 0.8×)")
if failed and quick:
    print("  (quick run: reported, not enforced; ./scripts/bench-vouchers.sh measures for real)")
sys.exit(1 if failed and not quick else 0)
PY
