'use strict';
// The JavaScript registry and feed formats (lib/devices.js, lib/feeds.js) agree byte for byte
// with the Rust ones: every vector in primitives/test-vectors/device.json and feeds.json,
// written by the primitives' tests. No node needed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { hexToU8a, u8aToHex } = require('@polkadot/util');

const devices = require('../lib/devices');
const feeds = require('../lib/feeds');
const p = require('../lib/provenance');

const dir = path.join(__dirname, '..', '..', '..', 'primitives', 'test-vectors');
const device = require(path.join(dir, 'device.json'));
const feed = require(path.join(dir, 'feeds.json'));
const TYPE = { ed25519: 'Ed25519', sr25519: 'Sr25519', secp256k1: 'Secp256k1', p256: 'P256' };

const genesis = hexToU8a(device.genesisHash);
const owner = hexToU8a(device.owner);
const key = (k) => [TYPE[k.type], hexToU8a(k.publicKey)];

test('register, rotate and claim payloads match for all four key types', () => {
  for (const v of device.register.vectors) {
    assert.equal(u8aToHex(devices.scaleKey(...key(v.key))), v.key.scale);
    assert.equal(u8aToHex(devices.registrationBytes(genesis, owner, ...key(v.key))), v.signingBytes, v.key.type);
  }
  for (const v of device.rotate.vectors) {
    assert.equal(u8aToHex(devices.rotationBytes(genesis, device.rotate.device, device.rotate.rotation, ...key(v.key))),
      v.signingBytes, v.key.type);
  }
  for (const v of device.claim.vectors) {
    assert.equal(u8aToHex(devices.claimBytes(genesis, device.claim.batch, owner, ...key(v.key))), v.signingBytes, v.key.type);
  }
});

test('a factory batch of five keys: leaves, root and every proof match', () => {
  // A batch leaf is the reading-tree leaf of SCALE(key): the same tree, other contents.
  const leavesOf = device.batchTree.keys.map((k) => devices.scaleKey(...key(k)));
  assert.deepEqual(leavesOf.map((bytes) => u8aToHex(p.leafHash(bytes))), device.batchTree.leaves);
  const { root, count } = p.batchRoot(leavesOf);
  assert.equal(u8aToHex(root), device.batchTree.root);
  assert.equal(count, device.batchTree.count);
  leavesOf.forEach((bytes, i) => {
    assert.deepEqual(p.batchProof(leavesOf, i).map((h) => u8aToHex(h)), device.batchTree.proofs[i], `proof of key ${i}`);
  });
});

test('feed reports match for values of both signs and both i128 extremes', () => {
  const g = hexToU8a(feed.genesisHash);
  for (const r of feed.reports) {
    assert.equal(u8aToHex(feeds.reportBytes(g, r.feed, r.round, BigInt(r.value))), r.signingBytes, r.value);
  }
});
