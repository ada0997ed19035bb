'use strict';
// The sub-commands people use to register the parachain on a relay chain and to make chain specs.
// No running node needed: each test runs the binary once.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { nodeBinary } = require('../lib/node');

function run(...args) {
  return execFileSync(nodeBinary(), args, {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024,
  });
}

test('export-genesis-head on the local spec prints the genesis header as hex', () => {
  const head = run('export-genesis-head', '--chain', 'local').trim();
  assert.match(head, /^0x[0-9a-f]+$/);
  // A header: parent hash (32 bytes) + compact number + state root + extrinsics root + digest.
  assert.ok(head.length >= 2 + 2 * (32 + 1 + 32 + 32 + 1), `header too short: ${head}`);
  // Genesis has a zero parent hash and block number 0.
  assert.ok(head.startsWith(`0x${'00'.repeat(32)}00`), `not a genesis header: ${head.slice(0, 80)}`);
});

test('export-genesis-wasm on the local spec prints the runtime WASM', () => {
  const wasm = run('export-genesis-wasm', '--chain', 'local').trim();
  assert.match(wasm, /^0x[0-9a-f]+$/);
  // Compressed runtime blobs start with zstd's magic prefix used by sp-maybe-compressed-blob;
  // uncompressed ones with "\0asm".
  const prefix = wasm.slice(2, 18);
  assert.ok(prefix.startsWith('52bc537646db8e05') || prefix.startsWith('0061736d'), `unknown blob prefix ${prefix}`);
  assert.ok(wasm.length > 2 * 100_000, 'runtime blob suspiciously small');
});

test('export-chain-spec carries the para extension and token properties', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iot-spec-'));
  try {
    const file = path.join(dir, 'local.json');
    run('export-chain-spec', '--chain', 'local', '--output', file);
    const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(spec.id, 'iot_local');
    assert.equal(spec.relay_chain, 'rococo-local');
    assert.equal(spec.para_id, 1000);
    assert.deepEqual(spec.properties, { tokenSymbol: 'IOT', tokenDecimals: 12, ss58Format: 42 });
    assert.equal(spec.genesis.runtimeGenesis.patch.parachainInfo.parachainId, 1000);
    assert.equal(spec.genesis.runtimeGenesis.patch.collatorSelection.invulnerables.length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a default (dev-only) build asked for a relay-connected node says how to get one', (t) => {
  const { spawnSync } = require('node:child_process');
  // No RPC or p2p port is opened before the node decides how to start.
  const out = spawnSync(nodeBinary(), ['--chain', 'local', '--tmp', '--no-hardware-benchmarks'], {
    encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024,
  });
  if (out.signal) {
    // Still running after a minute: a `--features collator` build, following a relay chain.
    t.skip('this iot-node is a collator build (IOT_NODE_BIN); nothing to check');
    return;
  }
  assert.notEqual(out.status, 0, 'a dev-only build must not start without --dev');
  assert.match(out.stderr, /built without the relay-chain node/);
  assert.match(out.stderr, /--features collator/);
});
