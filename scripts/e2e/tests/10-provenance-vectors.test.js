'use strict';
// The JavaScript provenance formats (lib/provenance.js) agree byte for byte with the Rust ones:
// every vector in primitives/test-vectors/provenance.json, written by the primitives' tests.
// No node needed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { hexToU8a, u8aToHex } = require('@polkadot/util');

const p = require('../lib/provenance');
const vectors = require(path.join(__dirname, '..', '..', '..', 'primitives', 'test-vectors', 'provenance.json'));

// Not `map(u8aToHex)`: its second parameter is a bit length, and map passes the index.
const hexes = (list) => list.map((bytes) => u8aToHex(bytes));

test('small batches: leaves, roots and every proof match the Rust vectors', () => {
  for (const set of vectors.small) {
    const readings = set.readings.map((h) => hexToU8a(h));
    assert.deepEqual(hexes(readings.map(p.leafHash)), set.leaves);
    const { root, count } = p.batchRoot(readings);
    assert.equal(u8aToHex(root), set.root);
    assert.equal(count, set.count);
    readings.forEach((reading, i) => {
      const proof = p.batchProof(readings, i);
      assert.deepEqual(hexes(proof), set.proofs[i], `proof of reading ${i} of ${count}`);
      assert.ok(p.verifyReading(root, count, reading, i, proof));
    });
  }
});

/** Reading i of the large vector batch: u64 LE time ‖ i64 LE value. */
function sampleReading(i) {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, 1_700_000_000_000n + BigInt(i) * 1000n, true);
  view.setBigInt64(8, BigInt(i) * 3n - 100n, true);
  return out;
}

test('1,000 readings: root and the proof of reading #537 match; a tampered reading fails', () => {
  const readings = Array.from({ length: 1000 }, (_, i) => sampleReading(i));
  const { root, count } = p.batchRoot(readings);
  assert.equal(u8aToHex(root), vectors.large.root);
  assert.equal(count, vectors.large.count);
  assert.equal(u8aToHex(readings[537]), vectors.large.reading);
  const proof = p.batchProof(readings, 537);
  assert.deepEqual(hexes(proof), vectors.large.proof);
  assert.ok(p.verifyReading(root, count, readings[537], 537, proof));
  const tampered = readings[537].slice();
  tampered[8] ^= 1;
  assert.equal(p.verifyReading(root, count, tampered, 537, proof), false);
  assert.equal(p.verifyReading(root, count, readings[537], 536, proof), false);
  assert.equal(p.verifyReading(root, count, readings[537], 537, proof.slice(1)), false);
});

test('anchor signing bytes match, with and without a content id', () => {
  const a = vectors.anchor;
  const base = {
    genesisHash: hexToU8a(a.genesisHash), device: a.device, stream: a.stream, sequence: a.sequence,
    root: hexToU8a(vectors.large.root), count: vectors.large.count,
    firstTimestamp: a.firstTimestamp, lastTimestamp: a.lastTimestamp,
  };
  assert.equal(u8aToHex(p.anchorSigningBytes({ ...base, contentId: hexToU8a(a.contentId) })), a.signingBytes);
  assert.equal(u8aToHex(p.anchorSigningBytes(base)), a.signingBytesWithoutContentId);
  assert.equal(p.anchorSigningBytes(base).length, 143);
});
