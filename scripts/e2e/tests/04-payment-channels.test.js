'use strict';
// Payment channels against a real node: Alice opens a 100 IOT channel to Bob (the funds are held
// on Bob, the record deposit on Alice), signs 10,000 vouchers off chain that Bob checks one by
// one as they arrive, Bob redeems only the last; replayed, forged, foreign-chain, wrong-channel
// and lower vouchers are refused; a hash-locked voucher pays exactly when its preimage is
// revealed; Alice starts a unilateral close, Bob still claims inside the challenge period, and
// after it anyone settles: Alice gets the rest and her record deposit back. The challenge period
// and `settleAfter` are relay-chain block numbers (lib/relay.js).
//
// Voucher bytes: primitives/src/channel.rs (module docs); JS side: lib/channels.js.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { u8aToHex, stringToU8a } = require('@polkadot/util');

const { useNode } = require('../lib/suite');
const { signAndFinalize } = require('../lib/node');
const { relayNow, waitForRelay } = require('../lib/relay');
const devices = require('../lib/devices');
const channels = require('../lib/channels');
const { callView } = require('../lib/views');

const ctx = useNode();

const IOT = 10n ** 12n;
const MILLI_IOT = 10n ** 9n;
const CHALLENGE_PERIOD = 10; // relay-chain blocks
const VOUCHERS = 10_000;

const eventOf = (events, method) => devices.eventOf(events, 'paymentChannels', method);

/** `paymentChannels.<name>` must be the module error `err` carries. */
const isError = (name) => (err) => err.errorName === `paymentChannels.${name}` || assert.fail(err.message);

/** Free and reserved balance of `who` (BigInts), at block `at` or now. */
async function balances(api, who, at) {
  const source = at ? await api.at(at) : api;
  const { data } = await source.query.system.account(who.address);
  return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt() };
}

/**
 * Balances of each of `accounts` just before and just after block `blockHash`, so nothing else
 * happening on chain can blur the differences: [{ before, after }, ...] in the same order.
 */
async function aroundBlock(api, blockHash, accounts) {
  const { parentHash } = await api.rpc.chain.getHeader(blockHash);
  return Promise.all(accounts.map(async (who) => ({
    before: await balances(api, who, parentHash),
    after: await balances(api, who, blockHash),
  })));
}

/**
 * The fee `who` paid for the extrinsic whose `events` these are, from
 * transactionPayment.TransactionFeePaid { who, actualFee, tip } (0 if the extrinsic paid none).
 * Fees are burned on this chain (no author share), so the signer's balance moves by exactly this.
 */
function feeOf(events, who) {
  const paid = events.find(({ event }) => event.section === 'transactionPayment' &&
    event.method === 'TransactionFeePaid' && event.data[0].toString() === who.address);
  if (!paid) return 0n;
  return paid.event.data[1].toBigInt(); // actualFee, tip included
}

/** PaymentChannels ChannelFunds holds on `who`, summed (0n if none). */
async function channelFundsHeld(api, who) {
  const holds = await api.query.balances.holds(who.address);
  return holds
    .filter((h) => h.id.isPaymentChannels && h.id.asPaymentChannels.type === 'ChannelFunds')
    .reduce((sum, h) => sum + h.amount.toBigInt(), 0n);
}

/** `paymentChannels.claim` of a SignedVoucher as lib/channels.js makes it. */
const claimTx = (api, channel, signed) => api.tx.paymentChannels.claim(channel, signed);

// State shared by the tests below, in order: each test is a step of one story.
const story = {};

test('Alice opens a 100 IOT channel to Bob: funds held on Bob, record deposit on Alice', async () => {
  const { api, alice, bob } = ctx;
  const amount = 100n * IOT;
  const deposit = api.consts.paymentChannels.channelDeposit.toBigInt();

  const tx = api.tx.paymentChannels.open(
    bob.address, amount, { Key: { Sr25519: alice.publicKey } }, CHALLENGE_PERIOD, null);
  const { blockHash, events } = await signAndFinalize(tx, alice);

  const opened = eventOf(events, 'Opened').data;
  const channel = opened.channel.toNumber();
  assert.equal(opened.payer.toString(), alice.address);
  assert.equal(opened.payee.toString(), bob.address);
  assert.equal(opened.amount.toBigInt(), amount);
  assert.equal(opened.challengePeriod.toNumber(), CHALLENGE_PERIOD);
  assert.ok(opened.expiresAt.isNone, 'opened without an expiry');

  const record = (await api.query.paymentChannels.channels(channel)).unwrap();
  assert.equal(record.payer.toString(), alice.address);
  assert.equal(record.payee.toString(), bob.address);
  assert.equal(record.funds.toBigInt(), amount);
  assert.equal(record.claimed.toBigInt(), 0n);
  assert.equal(record.nonce.toNumber(), 0);
  assert.equal(u8aToHex(record.signer.asSr25519), u8aToHex(alice.publicKey));
  const viaView = await callView(api, 'PaymentChannels', 'channel', [channel]);
  assert.equal(viaView.unwrap().toHex(), record.toHex(), 'the stored record');
  const ofBob = await callView(api, 'PaymentChannels', 'channels_of', [bob.address, null, 100]);
  assert.deepEqual(ofBob.map(([id]) => id.toNumber()), [channel]);

  const fee = feeOf(events, alice);
  assert.ok(fee > 0n, 'opening a channel costs a fee');
  const [a, b] = await aroundBlock(api, blockHash, [alice, bob]);
  assert.equal(a.before.free - a.after.free, amount + deposit + fee, 'Alice pays amount + deposit + fee');
  assert.equal(a.after.reserved - a.before.reserved, deposit, 'the record deposit is held on Alice');
  assert.equal(b.after.reserved - b.before.reserved, amount, 'the channel funds are held on Bob');
  assert.equal(b.after.free, b.before.free, "Bob's free balance does not move");
  assert.equal(await channelFundsHeld(api, bob), amount);

  Object.assign(story, {
    channel, amount, deposit,
    bobReservedBefore: b.before.reserved,
    genesisHash: api.genesisHash.toU8a(),
    pay: channels.payer(alice),
  });
});

test('Alice signs 10,000 vouchers of 0.001 IOT more each; Bob checks every one as it arrives', () => {
  const { alice } = ctx;
  const { channel, amount, genesisHash, pay } = story;
  const bobSide = channels.payee({ genesisHash, channel, signer: { Sr25519: alice.publicKey }, funds: amount });

  let signNs = 0n;
  let checkNs = 0n;
  const refused = [];
  for (let i = 1; i <= VOUCHERS; i++) {
    const t0 = process.hrtime.bigint();
    const signed = pay.signVoucher({ genesisHash, channel, amount: BigInt(i) * MILLI_IOT, nonce: i });
    const t1 = process.hrtime.bigint();
    const reason = bobSide.accept(signed);
    checkNs += process.hrtime.bigint() - t1;
    signNs += t1 - t0;
    if (reason !== null) refused.push(`#${i}: ${reason}`);
  }
  const rate = (ns) => Math.round(VOUCHERS / (Number(ns) / 1e9));
  console.log(`payment channel: Alice signed ${VOUCHERS} vouchers at ${rate(signNs)}/s, ` +
    `Bob verified them at ${rate(checkNs)}/s (sr25519 ${pay.fast ? 'wasm' : 'pure JS'})`);

  assert.deepEqual(refused, [], 'Bob accepts every voucher');
  const last = bobSide.latest;
  assert.equal(last.voucher.amount, 10n * IOT);
  assert.equal(last.voucher.nonce, BigInt(VOUCHERS));
  assert.equal(last.preimage, null);
  Object.assign(story, { bobSide, last });
});

test('Bob redeems only the last voucher: 10 IOT move from his hold to his free balance', async () => {
  const { api, alice, bob } = ctx;
  const { channel, last } = story;

  const { blockHash, events } = await signAndFinalize(claimTx(api, channel, last), bob);
  const claimed = eventOf(events, 'Claimed').data;
  assert.equal(claimed.channel.toNumber(), channel);
  assert.equal(claimed.amount.toBigInt(), 10n * IOT, 'paid now');
  assert.equal(claimed.claimed.toBigInt(), 10n * IOT, 'paid so far');
  assert.equal(claimed.nonce.toBigInt(), BigInt(VOUCHERS));
  assert.ok(claimed.paysFor.isNone);

  const fee = feeOf(events, bob);
  const [a, b] = await aroundBlock(api, blockHash, [alice, bob]);
  assert.equal(b.after.free - b.before.free, 10n * IOT - fee, 'Bob receives 10 IOT, minus his fee');
  assert.equal(b.before.reserved - b.after.reserved, 10n * IOT, "10 IOT leave Bob's hold");
  assert.deepEqual(a.after, a.before, "Alice's balances do not move");

  const record = (await api.query.paymentChannels.channels(channel)).unwrap();
  assert.equal(record.claimed.toBigInt(), 10n * IOT);
  assert.equal(record.nonce.toBigInt(), BigInt(VOUCHERS));
});

test('replayed, forged, foreign-chain, wrong-channel and lower vouchers are refused', async () => {
  const { api, alice, bob, charlie, eve } = ctx;
  const { channel, genesisHash, pay, bobSide, last } = story;
  const next = { channel, amount: 11n * IOT, nonce: VOUCHERS + 1 };

  // The voucher Bob already redeemed: the dry run says why before he pays a fee, then the claim.
  const dryRun = await callView(api, 'PaymentChannels', 'check_voucher', [channel, last]);
  assert.equal(dryRun.isErr, true);
  assert.equal(dryRun.toHex(), (await api.call.paymentChannelsApi.checkVoucher(channel, last)).toHex());
  await assert.rejects(signAndFinalize(claimTx(api, channel, last), bob), isError('StaleNonce'));

  // Signed by Charlie, not by the channel's key.
  const forged = channels.payer(charlie).signVoucher({ genesisHash, ...next });
  assert.equal(bobSide.check(forged), 'bad signature');
  await assert.rejects(signAndFinalize(claimTx(api, channel, forged), bob), isError('BadSignature'));

  // Signed by Alice, for another chain.
  const otherChain = genesisHash.slice();
  otherChain[0] ^= 0xff;
  const foreign = pay.signVoucher({ genesisHash: otherChain, ...next });
  assert.equal(bobSide.check(foreign), 'bad signature');
  await assert.rejects(signAndFinalize(claimTx(api, channel, foreign), bob), isError('BadSignature'));

  // Signed by Alice for the next channel (Alice → Eve, same voucher key), redeemed on this one.
  const second = await signAndFinalize(api.tx.paymentChannels.open(
    eve.address, 1n * IOT, { Key: { Sr25519: alice.publicKey } }, CHALLENGE_PERIOD, null), alice);
  const secondId = eventOf(second.events, 'Opened').data.channel.toNumber();
  assert.equal(secondId, channel + 1, 'channel ids are sequential');
  const otherChannel = pay.signVoucher({ genesisHash, ...next, channel: secondId });
  assert.equal(bobSide.check(otherChannel), 'bad signature');
  await assert.rejects(signAndFinalize(claimTx(api, channel, otherChannel), bob), isError('BadSignature'));

  // A valid signature, a newer nonce, but less than already claimed: nothing to pay.
  const lower = pay.signVoucher({ genesisHash, ...next, amount: 5n * IOT });
  assert.equal(bobSide.check(lower), 'lower amount');
  await assert.rejects(signAndFinalize(claimTx(api, channel, lower), bob), isError('NothingToClaim'));

  const record = (await api.query.paymentChannels.channels(channel)).unwrap();
  assert.equal(record.claimed.toBigInt(), 10n * IOT, 'nothing more was paid');
  assert.equal(record.nonce.toBigInt(), BigInt(VOUCHERS), 'the refused vouchers used no nonce');
});

test('a hash-locked voucher pays only with its preimage, which the chain then publishes', async () => {
  const { api, bob } = ctx;
  const { channel, genesisHash, pay, bobSide } = story;
  const preimage = stringToU8a('key of batch 1');
  const lock = channels.lockOf(preimage);
  const locked = pay.signVoucher({ genesisHash, channel, amount: 11n * IOT, nonce: VOUCHERS + 1, lock });
  assert.equal(bobSide.accept(locked), null);
  assert.equal(locked.voucher.lock, u8aToHex(lock));

  await assert.rejects(signAndFinalize(claimTx(api, channel, locked), bob), isError('WrongPreimage'));
  const wrong = channels.withPreimage(locked, stringToU8a('key of batch 2'));
  await assert.rejects(signAndFinalize(claimTx(api, channel, wrong), bob), isError('WrongPreimage'));

  const { events } = await signAndFinalize(claimTx(api, channel, channels.withPreimage(locked, preimage)), bob);
  const revealed = eventOf(events, 'PreimageRevealed').data;
  assert.equal(revealed.channel.toNumber(), channel);
  assert.equal(u8aToHex(revealed.lock), u8aToHex(lock));
  assert.equal(u8aToHex(revealed.preimage.toU8a(true)), u8aToHex(preimage), 'the preimage is public now');
  assert.equal(revealed.preimage.toUtf8(), 'key of batch 1');

  const claimed = eventOf(events, 'Claimed').data;
  assert.equal(claimed.amount.toBigInt(), 1n * IOT, 'pays the difference to what was claimed');
  assert.equal(claimed.claimed.toBigInt(), 11n * IOT);
  assert.equal(claimed.nonce.toBigInt(), BigInt(VOUCHERS + 1));
});

test('Alice closes alone: Bob claims inside the challenge period, then anyone settles', async () => {
  const { api, alice, bob, dave } = ctx;
  const { channel, amount, deposit, genesisHash, pay, bobSide, bobReservedBefore } = story;

  const started = await signAndFinalize(api.tx.paymentChannels.startClose(channel), alice);
  const closeStarted = eventOf(started.events, 'CloseStarted').data;
  assert.equal(closeStarted.channel.toNumber(), channel);
  const settleAfter = closeStarted.settleAfter.toNumber();
  // The deadline is a relay block number: the relay number the closing block saw plus the period.
  const startedAt = await relayNow(api, started.blockHash);
  assert.equal(settleAfter, startedAt + CHALLENGE_PERIOD, 'Bob has the challenge period to claim');
  const startedBlock = (await api.rpc.chain.getHeader(started.blockHash)).number.toNumber();
  assert.notEqual(settleAfter, startedBlock + CHALLENGE_PERIOD, 'not a parachain block number');

  // Both at once (different signers), to stay well inside the period: settling is refused while
  // Bob may still claim, and Bob's newer voucher is paid.
  const newer = pay.signVoucher({ genesisHash, channel, amount: 12n * IOT, nonce: VOUCHERS + 2 });
  assert.equal(bobSide.accept(newer), null);
  const [, claimedInPeriod] = await Promise.all([
    assert.rejects(signAndFinalize(api.tx.paymentChannels.settle(channel), dave), isError('StillOpen')),
    signAndFinalize(claimTx(api, channel, newer), bob),
  ]);
  const claimedAt = await relayNow(api, claimedInPeriod.blockHash);
  assert.ok(claimedAt <= settleAfter, `claimed at relay block ${claimedAt}, after the period (${settleAfter})`);
  const claimed = eventOf(claimedInPeriod.events, 'Claimed').data;
  assert.equal(claimed.amount.toBigInt(), 1n * IOT);
  assert.equal(claimed.claimed.toBigInt(), 12n * IOT);

  // Hash-locked vouchers still redeem for lockGracePeriod relay blocks after the deadline, and
  // settling waits for them. A finalized relay number past that implies the next blocks' are too.
  const grace = api.consts.paymentChannels.lockGracePeriod.toNumber();
  assert.equal(grace, 10, 'one minute of relay blocks');
  await waitForRelay(api, settleAfter + grace + 1);
  const { blockHash, events } = await signAndFinalize(api.tx.paymentChannels.settle(channel), dave);
  const closed = eventOf(events, 'Closed').data;
  assert.equal(closed.channel.toNumber(), channel);
  assert.equal(closed.paid.toBigInt(), 12n * IOT);
  assert.equal(closed.refunded.toBigInt(), amount - 12n * IOT, '88 IOT go back to Alice');

  const [a, b] = await aroundBlock(api, blockHash, [alice, bob]);
  assert.equal(a.after.free - a.before.free, 88n * IOT + deposit, 'Alice gets the rest and her deposit back');
  assert.equal(a.before.reserved - a.after.reserved, deposit, "Alice's record deposit is released");
  assert.equal(b.after.free, b.before.free, 'settling pays Bob nothing more');
  assert.equal(b.after.reserved, bobReservedBefore, "Bob's reserved is back to before the channel");
  assert.equal(await channelFundsHeld(api, bob), 0n);
  assert.ok((await api.query.paymentChannels.channels(channel)).isNone, 'the record is gone');
});
