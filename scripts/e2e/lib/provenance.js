'use strict';
// Provenance formats in JavaScript: the reading Merkle tree, inclusion proofs and the anchor
// statement a device signs. The one definition is primitives/src/provenance.rs (module docs);
// tests/10-provenance-vectors.test.js checks this file against primitives/test-vectors/.

const { blake2AsU8a } = require('@polkadot/util-crypto');
const { u8aConcat, stringToU8a, u8aEq, compactToU8a } = require('@polkadot/util');

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
const MAX_DEPTH = 32;
const ANCHOR_TAG = stringToU8a('iot-parachain:provenance:anchor:v1');

const H = (data) => blake2AsU8a(data, 256);

/** Leaf of one reading (a Uint8Array in the stream's format): H(0x00 ‖ reading). */
function leafHash(reading) {
  return H(u8aConcat(Uint8Array.of(LEAF_PREFIX), reading));
}

/** Inner node: H(0x01 ‖ left ‖ right). */
function nodeHash(left, right) {
  return H(u8aConcat(Uint8Array.of(NODE_PREFIX), left, right));
}

function nextLevel(level) {
  const next = [];
  for (let i = 0; i < level.length; i += 2) {
    // The last node of an odd level is promoted unchanged.
    next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
  }
  return next;
}

/** { root, count } of a batch of readings (at least one). */
function batchRoot(readings) {
  if (readings.length === 0) throw new Error('a batch has at least one reading');
  let level = readings.map(leafHash);
  while (level.length > 1) level = nextLevel(level);
  return { root: level[0], count: readings.length };
}

/** Siblings of reading `index`, leaf level first (levels where it is promoted are skipped). */
function batchProof(readings, index) {
  if (!(index >= 0 && index < readings.length)) throw new Error(`no reading ${index}`);
  let level = readings.map(leafHash);
  let i = index;
  const siblings = [];
  while (level.length > 1) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < level.length) siblings.push(level[sibling]);
    i = Math.floor(i / 2);
    level = nextLevel(level);
  }
  return siblings;
}

/** The root a proof leads to, or null if the proof cannot belong to a tree of `count` leaves. */
function rootFromProof(leaf, index, count, proof) {
  if (!(index >= 0 && index < count) || proof.length > MAX_DEPTH) return null;
  let hash = leaf;
  let i = index;
  let width = count;
  let used = 0;
  while (width > 1) {
    if (i % 2 === 1) {
      if (used >= proof.length) return null;
      hash = nodeHash(proof[used++], hash);
    } else if (i + 1 < width) {
      if (used >= proof.length) return null;
      hash = nodeHash(hash, proof[used++]);
    }
    i = Math.floor(i / 2);
    width = Math.ceil(width / 2);
  }
  return used === proof.length ? hash : null;
}

/** Whether `reading` is reading `index` of the batch anchored as (root, count). */
function verifyReading(root, count, reading, index, proof) {
  const computed = rootFromProof(leafHash(reading), index, count, proof);
  return computed !== null && u8aEq(computed, root);
}

function u32le(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function u64le(n) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

/**
 * The bytes a device signs to anchor a batch (primitives/src/provenance.rs, AnchorPayload).
 * @param {object} a { genesisHash: Uint8Array(32), device, stream, sequence, root: Uint8Array(32),
 *                     count, firstTimestamp, lastTimestamp (ms), contentId?: Uint8Array }
 */
function anchorSigningBytes(a) {
  const contentId = a.contentId
    ? u8aConcat(Uint8Array.of(1), compactToU8a(a.contentId.length), a.contentId)
    : Uint8Array.of(0);
  return u8aConcat(
    ANCHOR_TAG, a.genesisHash, u64le(a.device), u64le(a.stream), u64le(a.sequence), a.root,
    u32le(a.count), u64le(a.firstTimestamp), u64le(a.lastTimestamp), contentId);
}

module.exports = {
  ANCHOR_TAG, leafHash, nodeHash, batchRoot, batchProof, rootFromProof, verifyReading,
  anchorSigningBytes,
};
