#!/usr/bin/env bash
# End-to-end tests against a real iot-node in dev mode.
#
#   scripts/e2e/run.sh                          # all tests/*.test.js
#   scripts/e2e/run.sh tests/00-chain.test.js   # selected files
#
# Env: IOT_NODE_BIN, IOT_E2E_BLOCK_TIME, IOT_E2E_READY_TIMEOUT_MS,
#      IOT_E2E_TX_TIMEOUT_MS, IOT_E2E_KEEP (see README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Reinstall only when the lock file changed since the last install.
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules || ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

if (( $# > 0 )); then
  files=("$@")
else
  shopt -s nullglob
  files=(tests/*.test.js)
  if (( ${#files[@]} == 0 )); then
    echo "no test files in $(pwd)/tests" >&2
    exit 1
  fi
fi

# One file at a time: each starts its own node, and the machine is small.
exec node --test --test-concurrency=1 "${files[@]}"
