'use strict';
// The Rust example client of payment channels (examples/channel-demo, binary
// `channel-demo`) against a real node: it opens a channel from Ferdie to Dave with transactions it
// builds and signs itself, signs 1,000 vouchers and verifies them as the payee, claims the last
// one, and prints a RESULT line. The chain must agree with what it reports: the channel record,
// the Claimed event, and exactly the claimed amount moving from Dave's hold to his free balance.
// Errors must end the program with a non-zero status and a readable message.
//
// Build the client first: cargo build -p channel-demo

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { u8aToHex } = require('@polkadot/util');

const { useNode } = require('../lib/suite');

const ctx = useNode();

const MILLI_IOT = 10n ** 9n;
const VOUCHERS = 1000;
const AMOUNT_MILLI = 100_000n; // 100 IOT
const RUN_TIMEOUT_MS = 240_000;

/** Path of the client: $IOT_CHANNEL_DEMO_BIN or the cargo debug build (target dir as for iot-node). */
function demoBinary() {
  if (process.env.IOT_CHANNEL_DEMO_BIN) return process.env.IOT_CHANNEL_DEMO_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache/iot-parachain/target');
  return path.join(target, 'debug', 'channel-demo');
}

function requireBinary() {
  const bin = demoBinary();
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    assert.fail(`channel-demo not found or not executable: ${bin}\n` +
      'Build it with `cargo build -p channel-demo` (or point IOT_CHANNEL_DEMO_BIN at it).');
  }
  return bin;
}

/** Runs channel-demo with `args`; resolves with { code, stdout, stderr } whatever the exit status. */
function runDemo(args) {
  const bin = requireBinary();
  return new Promise((resolve, reject) => {
    execFile(bin, args, { encoding: 'utf8', timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          // Not an exit status: spawn failure or killed by the timeout.
          reject(new Error(`channel-demo did not finish: ${error.message}\n${stdout}\n${stderr}`));
          return;
        }
        resolve({ code: error ? error.code : 0, stdout, stderr });
      });
  });
}

/** The `KEY key=value ...` line of `stdout` as an object. */
function lineOf(stdout, key) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${key} `));
  assert.ok(line, `no ${key} line in the output:\n${stdout}`);
  return Object.fromEntries(line.slice(key.length + 1).trim().split(/\s+/).map((kv) => {
    const at = kv.indexOf('=');
    return [kv.slice(0, at), kv.slice(at + 1)];
  }));
}

/** Free and reserved balance of `who` (BigInts) at block `at`. */
async function balances(api, who, at) {
  const { data } = await (await api.at(at)).query.system.account(who.address);
  return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt() };
}

/** Balances of `who` just before and just after block `blockHash`. */
async function aroundBlock(api, blockHash, who) {
  const { parentHash } = await api.rpc.chain.getHeader(blockHash);
  return { before: await balances(api, who, parentHash), after: await balances(api, who, blockHash) };
}

test('channel-demo opens a channel, pays 1,000 vouchers with one claim, and the chain agrees', async () => {
  const { api, ferdie: payer, dave: payee } = ctx;
  const { code, stdout, stderr } = await runDemo([
    '--url', ctx.node.wsUrl,
    '--payer', '//Ferdie',
    '--payee', '//Dave',
    '--amount-milli', String(AMOUNT_MILLI),
    '--vouchers', String(VOUCHERS),
    '--step-milli', '1',
  ]);
  assert.equal(code, 0, `channel-demo exited with ${code}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);

  const result = lineOf(stdout, 'RESULT');
  const channel = Number(result.channel);
  const claimed = BigInt(result.claimed);
  const signPerS = Number(result.sign_per_s);
  const verifyPerS = Number(result.verify_per_s);
  console.log(`channel-demo (Rust, debug build): signed ${result.vouchers} vouchers at ${signPerS}/s, ` +
    `verified them at ${verifyPerS}/s; channel ${channel}, claimed ${claimed} units`);
  assert.ok(Number.isInteger(channel) && channel >= 0, `channel id: ${result.channel}`);
  assert.equal(Number(result.vouchers), VOUCHERS);
  assert.equal(claimed, BigInt(VOUCHERS) * MILLI_IOT, '1,000 vouchers of 0.001 IOT more each: 1 IOT');
  assert.ok(signPerS > 0 && verifyPerS > 0, `rates: ${signPerS}, ${verifyPerS}`);

  // The channel record on chain.
  const record = (await api.query.paymentChannels.channels(channel)).unwrap();
  assert.equal(record.payer.toString(), payer.address);
  assert.equal(record.payee.toString(), payee.address);
  assert.equal(record.funds.toBigInt(), AMOUNT_MILLI * MILLI_IOT);
  assert.equal(record.claimed.toBigInt(), claimed);
  assert.equal(record.nonce.toNumber(), VOUCHERS);
  assert.equal(u8aToHex(record.signer.asSr25519), u8aToHex(payer.publicKey), "the payer's own key signs");
  assert.ok(record.expiresAt.isNone);
  assert.equal(record.challengePeriod.toNumber(), api.consts.paymentChannels.minChallengePeriod.toNumber());

  // Opening moved the funds onto Dave's hold.
  const opened = await aroundBlock(api, result.open_block, payee);
  assert.equal(opened.after.reserved - opened.before.reserved, AMOUNT_MILLI * MILLI_IOT,
    'the channel funds are held on the payee');

  // The claim: its event, its fee, and exactly `claimed` from Dave's hold to his free balance.
  const events = await (await api.at(result.claim_block)).query.system.events();
  const claimedEvent = events.find(({ event }) => api.events.paymentChannels.Claimed.is(event) &&
    event.data.channel.toNumber() === channel);
  assert.ok(claimedEvent, `no Claimed event for channel ${channel} in ${result.claim_block}`);
  assert.equal(claimedEvent.event.data.amount.toBigInt(), claimed);
  assert.equal(claimedEvent.event.data.nonce.toNumber(), VOUCHERS);
  const feePaid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event) &&
    event.data.who.toString() === payee.address);
  assert.ok(feePaid, 'the payee paid a fee for its claim');
  const fee = feePaid.event.data.actualFee.toBigInt();
  assert.equal(BigInt(result.claim_fee), fee, 'channel-demo reports the fee the chain charged');

  const around = await aroundBlock(api, result.claim_block, payee);
  assert.equal(around.before.reserved - around.after.reserved, claimed, "exactly `claimed` leaves the payee's hold");
  assert.equal(around.after.free - around.before.free, claimed - fee, 'and reaches its free balance, minus the fee');
});

test('channel-demo fails with a non-zero status and a message', async () => {
  // Checked before touching the chain.
  const same = await runDemo(['--url', ctx.node.wsUrl, '--payer', '//Ferdie', '--payee', '//Ferdie']);
  assert.notEqual(same.code, 0);
  assert.match(same.stderr, /^error: .*payer and payee must be different/m);

  // Refused by the node: a fresh account cannot pay the fee.
  const poor = await runDemo(['--url', ctx.node.wsUrl, '--payer', '//NobodyFundedThis', '--payee', '//Dave']);
  assert.notEqual(poor.code, 0, `expected a failure:\n${poor.stdout}`);
  assert.match(poor.stderr, /^error: open: the node refused the transaction/m);
  assert.doesNotMatch(poor.stdout, /^RESULT /m);
  assert.match(poor.stderr, /Inability to pay some fees/);

  // Included but failed: the payee account does not exist. The pallet error is named.
  const failed = await runDemo(['--url', ctx.node.wsUrl, '--payer', '//Ferdie', '--payee', '//NobodyFundedThis',
    '--vouchers', '1']);
  assert.notEqual(failed.code, 0, `expected a failure:\n${failed.stdout}`);
  assert.match(failed.stderr, /^error: open failed in block 0x[0-9a-f]{64}: PaymentChannels\(PayeeCannotReceive\)/m);

  // No node at all.
  const nowhere = await runDemo(['--url', 'ws://127.0.0.1:9', '--vouchers', '1']);
  assert.notEqual(nowhere.code, 0);
  assert.match(nowhere.stderr, /^error: cannot connect to ws:\/\/127\.0\.0\.1:9/m);
});
