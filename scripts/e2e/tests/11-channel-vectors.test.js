'use strict';
// The JavaScript voucher format (lib/channels.js) agrees byte for byte with the Rust one: every
// vector in primitives/test-vectors/channels.json, written by the primitives' tests. Also checks
// that a voucher signed here verifies only in its own context (chain, channel, amount, nonce,
// lock, signer). No node needed.

const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Keyring } = require('@polkadot/keyring');
const { hexToU8a, u8aToHex, stringToU8a } = require('@polkadot/util');
const { cryptoWaitReady } = require('@polkadot/util-crypto');

const ch = require('../lib/channels');
const vectors = require(path.join(__dirname, '..', '..', '..', 'primitives', 'test-vectors', 'channels.json'));

before(cryptoWaitReady); // sr25519 (wasm) for the signing tests

test('the tag is the 41 bytes the Rust side uses', () => {
  assert.equal(vectors.tag.length, 41);
  assert.equal(u8aToHex(ch.VOUCHER_TAG), u8aToHex(stringToU8a(vectors.tag)));
});

test('signing bytes and locks match every Rust vector', () => {
  assert.ok(vectors.vouchers.length >= 2);
  for (const v of vectors.vouchers) {
    let lock = null;
    if (v.lock !== null) {
      assert.equal(typeof v.preimage, 'string', 'a locked vector names its preimage');
      lock = ch.lockOf(stringToU8a(v.preimage));
      assert.equal(u8aToHex(lock), v.lock, `lock of "${v.preimage}"`);
    }
    const bytes = ch.voucherSigningBytes({
      genesisHash: hexToU8a(vectors.genesisHash),
      channel: v.channel,
      amount: BigInt(v.amount),
      nonce: BigInt(v.nonce),
      lock,
      paysFor: v.paysFor,
    });
    assert.equal(u8aToHex(bytes), v.bytes, `voucher on channel ${v.channel}, nonce ${v.nonce}`);
    assert.equal(bytes.length, 105 + (lock ? 33 : 1) + (v.paysFor ? 17 : 1));
  }
});

test('numbers and bigints give the same bytes; out-of-range values are refused', () => {
  const base = { genesisHash: new Uint8Array(32).fill(7), channel: 5, amount: 1000n, nonce: 9 };
  const plain = ch.voucherSigningBytes(base);
  assert.equal(plain.length, 107);
  assert.equal(u8aToHex(ch.voucherSigningBytes({ ...base, channel: 5n, nonce: 9n })), u8aToHex(plain));
  assert.throws(() => ch.voucherSigningBytes({ ...base, amount: 1n << 128n }), /amount out of range/);
  assert.throws(() => ch.voucherSigningBytes({ ...base, nonce: -1 }), /nonce out of range/);
  assert.throws(() => ch.voucherSigningBytes({ ...base, genesisHash: new Uint8Array(31) }), /32 bytes/);
  assert.throws(() => ch.voucherSigningBytes({ ...base, lock: new Uint8Array(33) }), /32 bytes/);
  assert.throws(() => ch.lockOf(new Uint8Array(65)), /at most 64/);
});

test('a signed voucher verifies only in its own context', () => {
  const keyring = new Keyring({ type: 'sr25519' });
  const alice = ch.payer(keyring.addFromUri('//Alice'));
  const charlie = keyring.addFromUri('//Charlie');
  const genesisHash = new Uint8Array(32).fill(0xab);
  const lock = ch.lockOf(stringToU8a('key of batch 1'));
  const context = { genesisHash, channel: 3, signer: alice.publicKey };
  const signed = alice.signVoucher({ genesisHash, channel: 3, amount: 10n ** 12n, nonce: 1, lock, paysFor: [2, 9] });

  assert.equal(signed.preimage, null);
  assert.equal(signed.voucher.lock, u8aToHex(lock));
  assert.deepEqual(signed.voucher.paysFor, [2n, 9n]);
  assert.match(signed.signature.Sr25519, /^0x[0-9a-f]{128}$/);
  assert.ok(ch.verifyVoucher(context, signed));
  assert.ok(ch.verifyVoucher({ ...context, signer: alice.signer }, signed), 'a VoucherSigner::Key works too');
  assert.equal(ch.withPreimage(signed, stringToU8a('key of batch 1')).preimage, u8aToHex(stringToU8a('key of batch 1')));

  const otherChain = new Uint8Array(32).fill(0xac);
  assert.equal(ch.verifyVoucher({ ...context, genesisHash: otherChain }, signed), false);
  assert.equal(ch.verifyVoucher({ ...context, channel: 4 }, signed), false);
  assert.equal(ch.verifyVoucher({ ...context, signer: charlie.publicKey }, signed), false);
  for (const change of [{ amount: 10n ** 12n + 1n }, { nonce: 2n }, { lock: null }, { paysFor: null }]) {
    assert.equal(ch.verifyVoucher(context, { ...signed, voucher: { ...signed.voucher, ...change } }), false,
      `changed ${Object.keys(change)[0]}`);
  }
  // The wasm path and the pure-JS path of util-crypto agree.
  const viaKeyring = keyring.addFromUri('//Alice').sign(ch.voucherSigningBytes({
    genesisHash, channel: 3, amount: 5n, nonce: 2,
  }));
  assert.ok(ch.verifyVoucher(context, {
    voucher: { amount: 5n, nonce: 2n, lock: null, paysFor: null }, signature: { Sr25519: u8aToHex(viaKeyring) },
  }));
});

test('the payee keeps the best voucher and refuses stale, lower, oversized and forged ones', () => {
  const keyring = new Keyring({ type: 'sr25519' });
  const alice = ch.payer(keyring.addFromUri('//Alice'));
  const charlie = ch.payer(keyring.addFromUri('//Charlie'));
  const genesisHash = new Uint8Array(32).fill(1);
  const bob = ch.payee({ genesisHash, channel: 0, signer: alice.signer, funds: 100n });
  const v = (payer, amount, nonce) => payer.signVoucher({ genesisHash, channel: 0, amount, nonce });

  assert.equal(bob.latest, null);
  assert.equal(bob.accept(v(alice, 10n, 1)), null);
  assert.equal(bob.accept(v(alice, 20n, 2)), null);
  assert.equal(bob.accept(v(alice, 30n, 2)), 'stale nonce');
  assert.equal(bob.accept(v(alice, 19n, 3)), 'lower amount');
  assert.equal(bob.accept(v(alice, 101n, 3)), "above the channel's funds");
  assert.equal(bob.accept(v(charlie, 30n, 3)), 'bad signature');
  assert.equal(bob.latest.voucher.amount, 20n);
  assert.equal(bob.latest.voucher.nonce, 2n);
});
