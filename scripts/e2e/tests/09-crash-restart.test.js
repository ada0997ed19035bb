'use strict';
// Crash safety: the dev node is killed with SIGKILL while it takes a write load (device-signed
// anchors and voucher claims), restarted on the same database, and must still have every block
// it had finalized, with the same hashes, and go on producing and finalizing blocks. The load's
// state (the stream's anchors, the channel's claims) is as the last finalized block says.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startNode, signAndFinalize, devKeyring, sleep } = require('../lib/node');
const devices = require('../lib/devices');
const provenance = require('../lib/provenance');
const channels = require('../lib/channels');

const IOT = 10n ** 12n;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iot-e2e-crash-'));
let node;

after(async () => {
  if (node) await node.stop();
  fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
});

async function finalizedHashes(api) {
  const head = await api.rpc.chain.getFinalizedHead();
  const top = (await api.rpc.chain.getHeader(head)).number.toNumber();
  const hashes = [];
  for (let n = 0; n <= top; n += 1) hashes.push((await api.rpc.chain.getBlockHash(n)).toHex());
  return hashes;
}

test('a node killed under load keeps every finalized block and goes on', { timeout: 300_000 }, async () => {
  node = await startNode({ basePath: dataDir });
  let api = node.api;
  const { keyring, charlie: owner, dave: gateway, alice, bob } = await devKeyring();

  // What the load writes to: a device's stream, and a channel from Alice to Bob.
  const device = devices.sr25519Device(keyring);
  const registered = await signAndFinalize(devices.registerTx(api, owner, device, 'crash-logger'), owner);
  const deviceId = devices.eventOf(registered.events, 'deviceRegistry', 'DeviceRegistered').data.device.toNumber();
  const created = await signAndFinalize(api.tx.provenance.createStream(deviceId,
    { name: 'load', unit: '', valueType: 'Integer', samplingIntervalMs: 1000, schema: '' }), owner);
  const stream = devices.eventOf(created.events, 'provenance', 'StreamCreated').data.stream.toNumber();
  const pay = channels.payer(alice);
  const opened = await signAndFinalize(api.tx.paymentChannels.open(bob.address, 1000n * IOT, pay.signer, 100, null), alice);
  const channel = devices.eventOf(opened.events, 'paymentChannels', 'Opened').data.channel.toNumber();
  const genesisHash = api.genesisHash.toU8a();

  // The load: an anchor and a claim per round, sent without waiting, for a few seconds.
  let sequence = 0;
  const pending = [];
  const until = Date.now() + 6_000;
  while (Date.now() < until) {
    sequence += 1;
    const root = new Uint8Array(32).fill(sequence % 256);
    const statement = { sequence, root, count: 1, firstTimestamp: sequence, lastTimestamp: sequence, contentId: null };
    const signature = device.sign(provenance.anchorSigningBytes({
      ...statement, genesisHash, device: deviceId, stream }));
    pending.push(api.tx.provenance.anchor(stream, statement, { Sr25519: signature })
      .signAndSend(gateway, { nonce: -1 }).catch(() => {}));
    const voucher = pay.signVoucher({ genesisHash, channel, amount: BigInt(sequence) * IOT / 100n, nonce: sequence });
    pending.push(api.tx.paymentChannels.claim(channel, voucher).signAndSend(bob, { nonce: -1 }).catch(() => {}));
    await sleep(150);
  }
  const before = await finalizedHashes(api);
  assert.ok(before.length > 5, 'blocks were finalized under the load');
  node.child.kill('SIGKILL');
  await node.stop();
  await Promise.allSettled(pending);

  node = await startNode({ basePath: dataDir, minBlocks: before.length + 2 });
  api = node.api;
  // Every block finalized before the kill is there, with the same hash.
  for (const [n, hash] of before.entries()) {
    assert.equal((await api.rpc.chain.getBlockHash(n)).toHex(), hash, `block ${n}`);
  }
  // And the chain goes on: new blocks get finalized.
  const head = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  assert.ok(head >= before.length, `finalized ${head} after the restart, had ${before.length - 1}`);
  // The state is consistent with the chain: the stream's last sequence matches its anchors, the
  // channel's claimed amount its nonce (each claim paid exactly its voucher's amount).
  const record = (await api.query.provenance.streams(stream)).unwrap();
  const count = record.anchorCount.toNumber();
  assert.ok(count > 0, 'anchors of the load landed');
  const held = (await api.query.paymentChannels.channels(channel)).unwrap();
  assert.equal(held.claimed.toBigInt(), held.nonce.toBigInt() * IOT / 100n);
  // A new transaction lands after the restart.
  const again = await signAndFinalize(api.tx.balances.transferKeepAlive(owner.address, IOT), alice);
  assert.ok(again.blockHash);
});

