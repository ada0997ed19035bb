'use strict';
// Payment-channel vouchers in JavaScript: the bytes a payer signs off chain, the hash lock of a
// preimage, a payer that signs vouchers fast and a payee that checks each voucher it receives.
// The one definition is primitives/src/channel.rs (module docs);
// tests/11-channel-vectors.test.js checks this file against primitives/test-vectors/channels.json.
//
// A voucher states the *cumulative* amount owed on one channel; the payee keeps the latest and
// redeems it whenever it likes (`paymentChannels.claim`). Objects returned by `signVoucher` are
// `SignedVoucher`s ready for a call: byte strings are hex (polkadot.js reads a Uint8Array given
// for `Bytes` as already SCALE encoded), integers are BigInts.

const {
  blake2AsU8a, ed25519Verify, secp256k1Verify, sr25519Verify,
} = require('@polkadot/util-crypto');
const { p256 } = require('@noble/curves/p256');
const {
  hexToU8a, isHex, isU8a, stringToU8a, u8aEq, u8aToHex,
} = require('@polkadot/util');

/** Domain tag of the voucher statement, 41 bytes. */
const VOUCHER_TAG = stringToU8a('iot-parachain:payment-channels:voucher:v1');
/** Longest preimage a hash-locked voucher can be redeemed with, in bytes. */
const MAX_PREIMAGE_LEN = 64;

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

/** `value` as a Uint8Array: a Uint8Array as is, a hex string decoded. */
function bytesOf(value, what) {
  if (isU8a(value)) return value;
  if (isHex(value)) return hexToU8a(value);
  throw new Error(`${what}: expected a Uint8Array or a hex string, got ${typeof value}`);
}

function fixed(value, length, what) {
  const bytes = bytesOf(value, what);
  if (bytes.length !== length) throw new Error(`${what}: expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

function uint(value, max, what) {
  const n = BigInt(value);
  if (n < 0n || n > max) throw new Error(`${what} out of range: ${value}`);
  return n;
}

/**
 * The bytes the payer's voucher key signs (primitives/src/channel.rs, VoucherPayload):
 * tag (41) ‖ genesis hash (32) ‖ channel u64 ‖ cumulative amount u128 ‖ nonce u64 ‖
 * lock (`0x00` | `0x01` ‖ 32 bytes) ‖ pays for (`0x00` | `0x01` ‖ stream u64 ‖ anchor index u64),
 * integers little-endian: 107 bytes for a plain voucher, 155 with both options.
 *
 * @param {object} v { genesisHash: Uint8Array(32), channel: number|bigint, amount: bigint,
 *                     nonce: number|bigint, lock?: Uint8Array(32)|null,
 *                     paysFor?: [stream, index]|null }
 *                   (genesisHash and lock may also be hex strings)
 * @returns {Uint8Array}
 */
function voucherSigningBytes({ genesisHash, channel, amount, nonce, lock = null, paysFor = null }) {
  const lockBytes = lock === null || lock === undefined ? null : fixed(lock, 32, 'lock');
  const anchor = paysFor === null || paysFor === undefined ? null : paysFor;
  if (anchor !== null && anchor.length !== 2) throw new Error('paysFor: expected [stream, index]');
  const amountN = uint(amount, U128_MAX, 'amount');

  const out = new Uint8Array(105 + (lockBytes ? 33 : 1) + (anchor ? 17 : 1));
  const view = new DataView(out.buffer);
  out.set(VOUCHER_TAG, 0);
  out.set(fixed(genesisHash, 32, 'genesisHash'), 41);
  view.setBigUint64(73, uint(channel, U64_MAX, 'channel'), true);
  view.setBigUint64(81, amountN & U64_MAX, true); // u128 LE: low half first
  view.setBigUint64(89, amountN >> 64n, true);
  view.setBigUint64(97, uint(nonce, U64_MAX, 'nonce'), true);
  let at = 105;
  if (lockBytes) {
    out[at] = 1;
    out.set(lockBytes, at + 1);
    at += 33;
  } else {
    at += 1; // 0x00: already zero
  }
  if (anchor) {
    out[at] = 1;
    view.setBigUint64(at + 1, uint(anchor[0], U64_MAX, 'paysFor stream'), true);
    view.setBigUint64(at + 9, uint(anchor[1], U64_MAX, 'paysFor index'), true);
  }
  return out;
}

/** The hash lock a preimage (a Uint8Array of at most 64 bytes) opens: BLAKE2b-256(preimage). */
function lockOf(preimage) {
  if (!isU8a(preimage)) throw new Error('lockOf: the preimage is a Uint8Array');
  if (preimage.length > MAX_PREIMAGE_LEN) {
    throw new Error(`lockOf: a preimage has at most ${MAX_PREIMAGE_LEN} bytes, got ${preimage.length}`);
  }
  return blake2AsU8a(preimage, 256);
}

// sr25519 through the wasm build of schnorrkel when it is there (@polkadot/wasm-crypto, installed
// with @polkadot/util-crypto): about 6x faster than the pure-JS keyring path (@scure/sr25519) for
// both signing and checking. Anything unexpected falls back to the keyring / util-crypto.
let wasm = null;
try {
  wasm = require('@polkadot/wasm-crypto');
} catch {
  wasm = null;
}
const wasmReady = () => Boolean(wasm && typeof wasm.isReady === 'function' && wasm.isReady());

/** The 64-byte secret of an unlocked keyring pair, from its unencrypted PKCS#8 form, or null. */
function secretOf(pair) {
  try {
    const encoded = pair.encodePkcs8();
    // header (16) ‖ secret (64) ‖ divider (5) ‖ public key (32)
    if (encoded.length !== 117 || !u8aEq(encoded.subarray(85), pair.publicKey)) return null;
    return encoded.slice(16, 80);
  } catch {
    return null;
  }
}

/** A signing function for an sr25519 keyring pair: wasm when it proves right, else `pair.sign`. */
function sr25519Signer(pair) {
  const slow = (message) => pair.sign(message);
  const secret = wasmReady() ? secretOf(pair) : null;
  if (!secret) return { sign: slow, fast: false };
  const fast = (message) => wasm.sr25519Sign(pair.publicKey, secret, message);
  try {
    const probe = stringToU8a('iot-parachain:channels.js self-check');
    if (sr25519Verify(probe, fast(probe), pair.publicKey)) return { sign: fast, fast: true };
  } catch {
    // fall through
  }
  return { sign: slow, fast: false };
}

/**
 * A payer signing vouchers with a keyring sr25519 pair (the channel's signer is then
 * `payer.signer`, i.e. `{ Key: { Sr25519: publicKey } }`).
 *
 * `signVoucher({ genesisHash, channel, amount, nonce, lock?, paysFor? })` returns a `SignedVoucher`
 * ready for `paymentChannels.claim`: `{ voucher: { amount, nonce, lock, paysFor },
 * signature: { Sr25519: hex }, preimage: null }` (amount and nonce BigInts, lock hex or null).
 *
 * @param pair a KeyringPair of type sr25519, unlocked
 * @returns {{ publicKey: Uint8Array, signer: object, fast: boolean, signVoucher: Function }}
 */
function payer(pair) {
  if (pair.type !== 'sr25519') throw new Error(`payer: an sr25519 pair, not ${pair.type}`);
  const { sign, fast } = sr25519Signer(pair);
  return {
    publicKey: pair.publicKey,
    signer: { Key: { Sr25519: u8aToHex(pair.publicKey) } },
    fast,
    signVoucher({ genesisHash, channel, amount, nonce, lock = null, paysFor = null }) {
      const signature = sign(voucherSigningBytes({ genesisHash, channel, amount, nonce, lock, paysFor }));
      return {
        voucher: {
          amount: BigInt(amount),
          nonce: BigInt(nonce),
          lock: lock === null || lock === undefined ? null : u8aToHex(fixed(lock, 32, 'lock')),
          paysFor: paysFor === null || paysFor === undefined ? null : [BigInt(paysFor[0]), BigInt(paysFor[1])],
        },
        signature: { Sr25519: u8aToHex(signature) },
        preimage: null,
      };
    },
  };
}

/** `signed` with the preimage of its lock attached (as hex, for the call). */
function withPreimage(signed, preimage) {
  const bytes = bytesOf(preimage, 'preimage');
  if (bytes.length > MAX_PREIMAGE_LEN) throw new Error(`a preimage has at most ${MAX_PREIMAGE_LEN} bytes`);
  return { ...signed, preimage: u8aToHex(bytes) };
}

/** The only (variant, value) of a polkadot.js-style enum object such as `{ Sr25519: key }`. */
function variantOf(value, what) {
  const entries = Object.entries(value || {});
  if (entries.length !== 1) throw new Error(`${what}: expected one variant, e.g. { Sr25519: ... }`);
  return entries[0];
}

/**
 * Whether `signature` (a DeviceSignature, e.g. `{ Sr25519: hex }`) is `key`'s (a DeviceKey, e.g.
 * `{ Sr25519: publicKey }`) signature of `message`, under the rules of primitives/src/device.rs:
 * sr25519 and ed25519 over the raw message, secp256k1 over blake2b-256 of it, P-256 over
 * SHA-256 of it with low S only. A signature of another scheme than the key's is false.
 */
function verifyDeviceSignature(key, message, signature) {
  const [keyType, keyValue] = variantOf(key, 'key');
  const [sigType, sigValue] = variantOf(signature, 'signature');
  if (keyType !== sigType) return false;
  try {
    const publicKey = bytesOf(keyValue, 'key');
    const sig = bytesOf(sigValue, 'signature');
    switch (keyType) {
      case 'Sr25519':
        if (publicKey.length !== 32 || sig.length !== 64) return false;
        return wasmReady() ? wasm.sr25519Verify(sig, message, publicKey) : sr25519Verify(message, sig, publicKey);
      case 'Ed25519':
        return publicKey.length === 32 && sig.length === 64 && ed25519Verify(message, sig, publicKey);
      case 'Secp256k1':
        return publicKey.length === 33 && sig.length === 65 && secp256k1Verify(message, sig, publicKey, 'blake2');
      case 'P256':
        return publicKey.length === 33 && sig.length === 64 &&
          p256.verify(sig, message, publicKey, { prehash: true, lowS: true });
      default:
        return false;
    }
  } catch {
    return false; // malformed key or signature
  }
}

/** The voucher key of a channel: a DeviceKey object, or a raw sr25519 public key. */
function keyOf(signer) {
  if (isU8a(signer) || isHex(signer)) return { Sr25519: fixed(signer, 32, 'signer') };
  if (signer && signer.Key) return signer.Key; // a VoucherSigner::Key
  return signer;
}

/**
 * Whether `signed` (a SignedVoucher as `signVoucher` returns it) carries a valid signature of
 * its voucher on `channel` of the chain with `genesisHash`, by `signer` (the channel's key: a
 * DeviceKey like `{ Sr25519: publicKey }`, a `{ Key: DeviceKey }` VoucherSigner, or a raw
 * sr25519 public key).
 */
function verifyVoucher({ genesisHash, channel, signer }, signed) {
  const { amount, nonce, lock, paysFor } = signed.voucher;
  const bytes = voucherSigningBytes({ genesisHash, channel, amount, nonce, lock, paysFor });
  return verifyDeviceSignature(keyOf(signer), bytes, signed.signature);
}

/**
 * The payee's side of a channel: checks each voucher as it arrives and keeps the best one.
 * `check(signed)` returns null for a voucher worth keeping, else why not ('bad signature',
 * 'stale nonce', 'lower amount', 'above the channel's funds'); `accept(signed)` checks and, if
 * fine, keeps it as `latest`. A hash-locked voucher is only worth something with its preimage.
 *
 * @param {object} c { genesisHash, channel, signer (as for verifyVoucher),
 *                     funds?: bigint (the channel's funds, if known),
 *                     nonce?: last redeemed nonce (default 0), claimed?: bigint (default 0) }
 */
function payee({ genesisHash, channel, signer, funds = null, nonce = 0n, claimed = 0n }) {
  const context = { genesisHash: fixed(genesisHash, 32, 'genesisHash'), channel, signer: keyOf(signer) };
  let latest = null;
  let lastNonce = BigInt(nonce);
  let lastAmount = BigInt(claimed);
  const check = (signed) => {
    const amount = BigInt(signed.voucher.amount);
    if (BigInt(signed.voucher.nonce) <= lastNonce) return 'stale nonce';
    if (amount < lastAmount) return 'lower amount';
    if (funds !== null && amount > BigInt(funds)) return "above the channel's funds";
    if (!verifyVoucher(context, signed)) return 'bad signature';
    return null;
  };
  return {
    check,
    accept(signed) {
      const reason = check(signed);
      if (reason === null) {
        latest = signed;
        lastNonce = BigInt(signed.voucher.nonce);
        lastAmount = BigInt(signed.voucher.amount);
      }
      return reason;
    },
    /** The best voucher accepted so far (null before the first). */
    get latest() {
      return latest;
    },
  };
}

module.exports = {
  VOUCHER_TAG, MAX_PREIMAGE_LEN, voucherSigningBytes, lockOf, payer, withPreimage,
  verifyDeviceSignature, verifyVoucher, payee,
};
