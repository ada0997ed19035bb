'use strict';
// Provenance against a real node: a JS device signs a batch of 1,000 readings, a gateway that is
// not the device submits the root, reading #537 is proven included through the runtime API and
// through `iot_verifyInclusion`, a tampered reading is not; a replayed anchor is refused; a
// certifier attests the anchor and revokes it; a P-256 device (secure-element curve) anchors too.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { u8aToHex, stringToU8a } = require('@polkadot/util');

const { useNode } = require('../lib/suite');
const { signAndFinalize } = require('../lib/node');
const { relayNow } = require('../lib/relay');
const devices = require('../lib/devices');
const provenance = require('../lib/provenance');
const { callView } = require('../lib/views');

const ctx = useNode();
const story = {};

/** Reading i: u64 LE time in ms ‖ i64 LE power in W (the stream's declared format). */
function reading(i) {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, 1_700_000_000_000n + BigInt(i) * 1000n, true);
  view.setBigInt64(8, 2_000n + BigInt(i % 50), true);
  return out;
}

test('an owner registers a device and declares a stream for it', async () => {
  const { api, charlie: owner } = ctx;
  const device = devices.sr25519Device(ctx.keyring);
  const registered = await signAndFinalize(devices.registerTx(api, owner, device, 'solar-logger'), owner);
  const deviceId = devices.eventOf(registered.events, 'deviceRegistry', 'DeviceRegistered').data.device.toNumber();

  const info = { name: 'power', unit: 'W', valueType: 'Integer', samplingIntervalMs: 1000, schema: 'u64 ms ‖ i64 W' };
  const created = await signAndFinalize(api.tx.provenance.createStream(deviceId, info), owner);
  const stream = devices.eventOf(created.events, 'provenance', 'StreamCreated').data.stream.toNumber();
  const deposit = api.consts.provenance.streamDeposit.toBigInt();
  assert.ok(deposit > 0n);
  Object.assign(story, { device, deviceId, stream });
});

test('a gateway relays 1,000 device-signed readings; #537 is proven, a tampered one is not', async () => {
  const { api, dave: gateway } = ctx;
  const { device, deviceId, stream } = story;
  const readings = Array.from({ length: 1000 }, (_, i) => reading(i));
  const { root, count } = provenance.batchRoot(readings);
  const contentId = 'ipfs://bafy-batch-1';
  // polkadot.js reads a Uint8Array given for `Bytes` as already SCALE-encoded (length first):
  // byte strings go to the API as hex or text, to the signing code as bytes.
  const statement = {
    sequence: 1, root, count,
    firstTimestamp: 1_700_000_000_000, lastTimestamp: 1_700_000_999_000,
    contentId,
  };
  const signature = device.sign(provenance.anchorSigningBytes({
    ...statement, contentId: stringToU8a(contentId),
    genesisHash: api.genesisHash.toU8a(), device: deviceId, stream,
  }));
  const tx = api.tx.provenance.anchor(stream, statement, { Sr25519: signature });
  const { events } = await signAndFinalize(tx, gateway);
  const anchored = devices.eventOf(events, 'provenance', 'Anchored').data;
  assert.equal(anchored.submitter.toString(), gateway.address, 'the gateway, not the device, paid');
  assert.equal(u8aToHex(anchored.root), u8aToHex(root));
  const index = anchored.index.toNumber();

  const proof = provenance.batchProof(readings, 537);
  assert.equal((await api.call.provenanceApi.verifyInclusion(
    stream, index, u8aToHex(readings[537]), 537, proof)).isTrue, true);
  const viaRpc = await ctx.node.provider.send('iot_verifyInclusion',
    [stream, index, u8aToHex(readings[537]), 537, proof.map((h) => u8aToHex(h))]);
  assert.equal(viaRpc, true);

  const tampered = readings[537].slice();
  tampered[8] ^= 1;
  assert.equal((await api.call.provenanceApi.verifyInclusion(
    stream, index, u8aToHex(tampered), 537, proof)).isTrue, false);
  assert.equal(await ctx.node.provider.send('iot_verifyInclusion',
    [stream, index, u8aToHex(tampered), 537, proof.map((h) => u8aToHex(h))]), false);

  const latest = (await api.call.provenanceApi.latestAnchor(stream)).unwrap();
  assert.equal(latest.count.toNumber(), 1000);

  // The same reads as view functions (what PAPI and subxt call): the same bytes as the runtime API.
  const viewLatest = await callView(api, 'Provenance', 'latest_anchor', [stream]);
  assert.equal(viewLatest.toHex(), (await api.call.provenanceApi.latestAnchor(stream)).toHex());
  const viewAnchor = await callView(api, 'Provenance', 'anchor_of', [stream, index]);
  assert.equal(viewAnchor.unwrap().count.toNumber(), 1000);
  const page = await callView(api, 'Provenance', 'anchors', [stream, null, 10]);
  assert.deepEqual(page.map((a) => a.index.toNumber()), [index]);
  assert.equal((await callView(api, 'Provenance', 'verify_inclusion',
    [stream, index, u8aToHex(readings[537]), 537, proof])).isTrue, true);
  assert.equal((await callView(api, 'Provenance', 'verify_inclusion',
    [stream, index, u8aToHex(tampered), 537, proof])).isTrue, false);
  Object.assign(story, { index, statement, signature });
});

test('the same anchor relayed again is refused: sequence numbers only go up', async () => {
  const { api, eve } = ctx;
  const { stream, statement, signature } = story;
  await assert.rejects(
    signAndFinalize(api.tx.provenance.anchor(stream, statement, { Sr25519: signature }), eve),
    (err) => err.errorName === 'provenance.StaleSequence' || assert.fail(err.message));
});

test('a certifier attests the anchor, then revokes it', async () => {
  const { api, ferdie: certifier } = ctx;
  const { stream, index } = story;
  const subject = { Anchor: [stream, index] };
  // Validity windows are relay-chain block numbers (lib/relay.js): valid from the current one.
  const now = await relayNow(api);
  const attested = await signAndFinalize(
    api.tx.provenance.attest(subject, '0x' + '11'.repeat(32), null, now, null, null), certifier);
  const id = devices.eventOf(attested.events, 'provenance', 'Attested').data.id.toNumber();
  const atAttest = await relayNow(api, attested.blockHash);
  assert.equal((await api.call.provenanceApi.attestationValidAt(id, atAttest)).isTrue, true);
  const page = await api.call.provenanceApi.attestationsOf(subject, null, 10);
  assert.deepEqual(page.map(([attestation]) => attestation.toNumber()), [id]);

  const revoked = await signAndFinalize(api.tx.provenance.revokeAttestation(id), certifier);
  devices.eventOf(revoked.events, 'provenance', 'AttestationRevoked');
  const revokedAt = await relayNow(api, revoked.blockHash);
  const [[, record]] = await api.call.provenanceApi.attestationsOf(subject, null, 10);
  assert.equal(record.revokedAt.unwrap().toNumber(), revokedAt, 'revoked at the relay block number');
  assert.equal((await api.call.provenanceApi.attestationValidAt(id, revokedAt)).isTrue, false);
  assert.equal((await api.call.provenanceApi.attestationValidAt(id, revokedAt - 1)).isTrue,
    revokedAt - 1 >= now, 'valid from its start until the revocation');
});

test('a P-256 device (secure element) anchors a batch too', async () => {
  const { api, charlie: owner, dave: gateway } = ctx;
  const device = devices.p256Device();
  const registered = await signAndFinalize(devices.registerTx(api, owner, device, 'se050-meter'), owner);
  const deviceId = devices.eventOf(registered.events, 'deviceRegistry', 'DeviceRegistered').data.device.toNumber();
  const info = { name: 'energy', unit: 'Wh', valueType: 'Unsigned', samplingIntervalMs: 60000, schema: '' };
  const created = await signAndFinalize(api.tx.provenance.createStream(deviceId, info), owner);
  const stream = devices.eventOf(created.events, 'provenance', 'StreamCreated').data.stream.toNumber();

  const readings = Array.from({ length: 10 }, (_, i) => reading(i));
  const { root, count } = provenance.batchRoot(readings);
  const statement = { sequence: 7, root, count, firstTimestamp: 1, lastTimestamp: 2, contentId: null };
  const signature = device.sign(provenance.anchorSigningBytes({
    ...statement, contentId: undefined, genesisHash: api.genesisHash.toU8a(), device: deviceId, stream,
  }));
  const { events } = await signAndFinalize(api.tx.provenance.anchor(stream, statement, { P256: signature }), gateway);
  const index = devices.eventOf(events, 'provenance', 'Anchored').data.index.toNumber();
  const proof = provenance.batchProof(readings, 9);
  assert.equal((await api.call.provenanceApi.verifyInclusion(
    stream, index, u8aToHex(readings[9]), 9, proof)).isTrue, true);
});
