'use strict';
// The gateway against a real node and a real broker: the firmware example, run under QEMU with
// this chain's genesis hash, signs two batches (P-256 and sr25519); they reach the chain through
// the gateway (one over HTTP, one over MQTT), are anchored in finalized blocks, and a reading of
// each is proven with the proof the gateway serves, by `iot_verifyInclusion`, the runtime API
// and `iot-gateway verify`. Bad batches are refused with reasons over both transports (MQTT's
// to the dead-letter topic). Then the gateway is killed with SIGKILL while devices send and
// anchors are in flight, restarted on the same database, and every acknowledged batch ends up
// anchored exactly once, its proofs served.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { u8aToHex, hexToU8a } = require('@polkadot/util');
const { p256 } = require('@noble/curves/p256');

const { useNode } = require('../lib/suite');
const { signAndFinalize } = require('../lib/node');
const devices = require('../lib/devices');
const gw = require('../lib/gateway');

const ctx = useNode();
const story = {};
let dir;
let broker;
let gateway;

// Started by the first test, once the node is up (root-level before hooks of node:test run
// beside the suite's own, which starts the node).
let started;
function ready() {
  started ||= (async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iot-gateway-e2e-'));
    broker = await gw.startBroker(dir);
    story.database = path.join(dir, 'gateway.sqlite');
    gateway = await gw.startGateway({
      dir, database: story.database, nodeWs: ctx.node.wsUrl, mqttPort: broker.port,
    });
    story.answers = gw.subscribe(broker.port, 'iot/gateway/#', dir, 'answers');
  })();
  return started;
}

after(async () => {
  story.answers?.stop();
  await gateway?.stop();
  await broker?.stop();
  if (dir && process.env.IOT_E2E_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
});

/** The firmware example's keys (device/firmware-example/src/main.rs), as JS devices. */
function firmwareDevices(keyring) {
  const p256Secret = new Uint8Array(32).fill(0x41);
  const srPair = keyring.addFromSeed(new Uint8Array(32).fill(0x42), {}, 'sr25519');
  return {
    p256: {
      type: 'P256',
      publicKey: p256.getPublicKey(p256Secret, true),
      sign: (m) => p256.sign(m, p256Secret, { prehash: true, lowS: true }).toCompactRawBytes(),
    },
    sr25519: { type: 'Sr25519', publicKey: srPair.publicKey, sign: (m) => srPair.sign(m) },
  };
}

async function registerWithStream(api, owner, device, model) {
  const registered = await signAndFinalize(devices.registerTx(api, owner, device, model), owner);
  const deviceId = devices.eventOf(registered.events, 'deviceRegistry', 'DeviceRegistered').data.device.toNumber();
  const info = { name: 'power', unit: 'W', valueType: 'Integer', samplingIntervalMs: 1000, schema: 'u64 ms ‖ u32 W' };
  const created = await signAndFinalize(api.tx.provenance.createStream(deviceId, info), owner);
  const stream = devices.eventOf(created.events, 'provenance', 'StreamCreated').data.stream.toNumber();
  return { deviceId, stream };
}

async function checkProof(api, stream, sequence, index) {
  const { status, body: proof } = await gw.request(`${gateway.url}/v1/streams/${stream}/batches/${sequence}/readings/${index}`);
  assert.equal(status, 200, JSON.stringify(proof));
  assert.equal(proof.state, 'anchored');
  // The served call, sent as it is.
  const { method, params } = proof.verifyInclusion;
  assert.equal(method, 'iot_verifyInclusion');
  assert.equal(await ctx.node.provider.send(method, params), true);
  assert.equal((await api.call.provenanceApi.verifyInclusion(...params)).isTrue, true);
  const cli = await gw.verifyWithCli(ctx.node.wsUrl, proof);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(cli.verdict, { proofMatchesRoot: true, anchorOnChain: true, rpc: true, runtimeApi: true });
  // A tampered reading is not proven, and the CLI says so with exit code 1.
  const tampered = hexToU8a(proof.reading);
  tampered[0] ^= 1;
  const bad = { ...proof, reading: u8aToHex(tampered) };
  assert.equal(await ctx.node.provider.send(method, [params[0], params[1], bad.reading, params[3], params[4]]), false);
  const refused = await gw.verifyWithCli(ctx.node.wsUrl, bad);
  assert.equal(refused.code, 1, JSON.stringify(refused));
  return proof;
}

test('the emulated device signs, the gateway anchors over HTTP and MQTT, the chain proves its readings', async () => {
  await ready();
  const { api, charlie: owner } = ctx;
  const fw = firmwareDevices(ctx.keyring);
  const a = await registerWithStream(api, owner, fw.p256, 'fw-p256');
  const b = await registerWithStream(api, owner, fw.sr25519, 'fw-sr25519');
  const output = await gw.runFirmware([
    u8aToHex(api.genesisHash.toU8a()), a.deviceId, a.stream, b.deviceId, b.stream, 1,
  ]);
  const readings = {};
  for (const line of output.filter((l) => l.kind === 'reading')) {
    (readings[line.device] ||= []).push(line.bytes);
  }
  const anchors = output.filter((l) => l.kind === 'anchor');
  assert.equal(anchors.length, 2, JSON.stringify(output.slice(-3)));
  const body = (anchor) => ({
    stream: anchor.stream,
    device: anchor.device,
    sequence: anchor.sequence,
    firstTimestamp: anchor.firstTimestamp,
    lastTimestamp: anchor.lastTimestamp,
    readings: readings[anchor.device],
    root: anchor.root,
    count: anchor.count,
    keyType: anchor.keyType,
    signature: anchor.signature,
  });
  const [p256Anchor, srAnchor] = [anchors.find((x) => x.keyType === 'p256'), anchors.find((x) => x.keyType === 'sr25519')];

  // P-256 over HTTP: 202 once stored.
  const posted = await gw.request(`${gateway.url}/v1/batches`, 'POST', body(p256Anchor));
  assert.equal(posted.status, 202, JSON.stringify(posted.body));
  // sr25519 over MQTT: acknowledged on the answer topic once stored.
  await gw.publish(broker.port, `iot/batches/${b.deviceId}`, JSON.stringify(body(srAnchor)));
  const accepted = await story.answers.next((m) => m.topic === 'iot/gateway/accepted' && m.body.stream === b.stream);
  assert.equal(accepted.body.sequence, srAnchor.sequence);

  for (const [anchor, ids] of [[p256Anchor, a], [srAnchor, b]]) {
    const state = await gw.waitForState(gateway.url, ids.stream, anchor.sequence);
    assert.equal(state.state, 'anchored', JSON.stringify(state));
    const onChain = (await api.call.provenanceApi.latestAnchor(ids.stream)).unwrap();
    assert.equal(u8aToHex(onChain.root), anchor.root, 'the root the emulated device streamed');
    assert.equal(onChain.index.toNumber(), state.anchor.anchorIndex);
    const blockHash = (await api.rpc.chain.getBlockHash(state.anchor.blockNumber)).toHex();
    assert.equal(blockHash, state.anchor.blockHash);
    const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    assert.ok(state.anchor.blockNumber <= finalized, 'anchored in a finalized block');
    await checkProof(api, ids.stream, anchor.sequence, 5);
    await checkProof(api, ids.stream, anchor.sequence, anchor.count - 1);
  }
  Object.assign(story, { fw, a, b, p256Anchor, srAnchor, body });
});

test('bad batches are refused with reasons: over HTTP with a 4xx, over MQTT to the dead-letter topic', async () => {
  await ready();
  const { api } = ctx;
  const { fw, a, b, p256Anchor, srAnchor, body } = story;
  // The anchored batch again: a retry, answered as the batch it is.
  const again = await gw.request(`${gateway.url}/v1/batches`, 'POST', body(p256Anchor));
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.deepEqual([again.body.duplicate, again.body.state], [true, 'anchored']);
  const earlier = gw.signedBatch({
    genesisHash: api.genesisHash.toU8a(), device: fw.p256, deviceId: a.deviceId, stream: a.stream,
    sequence: 0, readings: [new Uint8Array([1, 2, 3])],
  });
  const cases = [
    [earlier, 409, 'stale_sequence'], // properly signed, but sequence 0 is below 1
    [{ ...body(p256Anchor), sequence: 9 }, 422, 'bad_signature'], // signed for sequence 1
    [{ ...body(p256Anchor), sequence: 9, readings: body(p256Anchor).readings.slice(1) }, 400, 'count_mismatch'],
    [{ ...body(p256Anchor), stream: 999_999 }, 422, 'unknown_stream'],
    [{ ...body(p256Anchor), keyType: 'rsa' }, 400, 'bad_key_type'],
  ];
  for (const [value, status, code] of cases) {
    const got = await gw.request(`${gateway.url}/v1/batches`, 'POST', value);
    assert.deepEqual([got.status, got.body.error], [status, code], JSON.stringify(got.body));
    assert.ok(got.body.reason.length > 10, got.body.reason);
  }
  const junk = await gw.request(`${gateway.url}/v1/batches`, 'POST', '{"stream": 1,');
  assert.deepEqual([junk.status, junk.body.error], [400, 'bad_json']);

  await gw.publish(broker.port, `iot/batches/${b.deviceId}`, 'this is not a batch');
  const dead = await story.answers.next((m) => m.topic === 'iot/gateway/dead-letter' && m.body.payload === 'this is not a batch');
  assert.equal(dead.body.error, 'bad_json');
  await gw.publish(broker.port, `iot/batches/${b.deviceId}`, JSON.stringify({ ...body(srAnchor), sequence: 7 }));
  const forged = await story.answers.next((m) => m.topic === 'iot/gateway/dead-letter' && m.body.error === 'bad_signature');
  assert.match(forged.body.reason, new RegExp(`device ${b.deviceId}`));
  // The gateway is still up and says what it refused.
  const metrics = (await gw.request(`${gateway.url}/metrics`)).body;
  assert.match(metrics, /iot_gateway_batches_rejected_total\{source="mqtt",reason="bad_json"\} 1/);
  assert.match(metrics, /iot_gateway_batches_rejected_total\{source="http",reason="bad_signature"\} 1/);
  assert.match(metrics, /iot_gateway_batches_anchored_total 2/);
  const health = await gw.request(`${gateway.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(health.body.batches.anchored, 2);
});

test('kill -9 while devices send and anchors are in flight: every acknowledged batch is anchored exactly once', async () => {
  await ready();
  const { api, charlie: owner } = ctx;
  const genesisHash = api.genesisHash.toU8a();
  const fleet = [];
  for (let i = 0; i < 4; i++) {
    const device = devices.sr25519Device(ctx.keyring);
    fleet.push({ device, ...(await registerWithStream(api, owner, device, `crash-${i}`)) });
  }
  const perDevice = 25;
  const batches = [];
  for (const { device, deviceId, stream } of fleet) {
    for (let s = 1; s <= perDevice; s++) {
      const readings = Array.from({ length: 50 }, (_, i) => new TextEncoder().encode(`${stream}:${s}:${i}`));
      batches.push(gw.signedBatch({ genesisHash, device, deviceId, stream, sequence: s, readings }));
    }
  }
  // Devices send in order, each its own stream, all at once; a device whose request failed (the
  // gateway died) sends that batch again until it is acknowledged, as a device does.
  const acknowledged = new Set();
  let current = gateway;
  const send = async (batch) => {
    for (;;) {
      try {
        const got = await gw.request(`${current.url}/v1/batches`, 'POST', batch);
        if (got.status === 202 || got.status === 200) {
          acknowledged.add(`${batch.stream}/${batch.sequence}`);
          return;
        }
        throw new Error(`refused: ${JSON.stringify(got.body)}`);
      } catch (e) {
        if (String(e.message).startsWith('refused')) throw e;
        await gw.sleep(200);
      }
    }
  };
  // A batch every 100 ms per device: 2.5 s of sending, with anchoring going on meanwhile.
  const senders = fleet.map(({ stream }) => (async () => {
    for (const batch of batches.filter((x) => x.stream === stream)) {
      await send(batch);
      await gw.sleep(100);
    }
  })());

  // Kill when part is acknowledged and some anchors are in flight.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const metrics = (await gw.request(`${current.url}/metrics`)).body;
    const submitted = Number((/iot_gateway_batches_submitted_total (\d+)/.exec(metrics) || [])[1] || 0);
    const inFlight = Number((/iot_gateway_in_flight (\d+)/.exec(metrics) || [])[1] || 0);
    if (acknowledged.size >= 30 && submitted >= 5 && inFlight >= 1) break;
    assert.ok(Date.now() < deadline, `no load built up: ${acknowledged.size} acknowledged`);
    await gw.sleep(50);
  }
  const beforeKill = acknowledged.size;
  const killed = await current.kill();
  assert.equal(killed.signal, 'SIGKILL');
  await gw.sleep(1500);
  current = await gw.startGateway({
    dir, database: story.database, nodeWs: ctx.node.wsUrl, mqttPort: broker.port, name: 'gateway-restarted',
  });
  gateway = current;
  await Promise.all(senders);
  assert.equal(acknowledged.size, batches.length);
  assert.ok(beforeKill < batches.length, 'the kill came while devices were still sending');

  for (const { stream } of fleet) {
    for (let s = 1; s <= perDevice; s++) {
      const state = await gw.waitForState(current.url, stream, s, { timeoutMs: 300_000 });
      assert.equal(state.state, 'anchored', JSON.stringify(state));
    }
    // Exactly once: 25 anchors were made on the stream, the last with sequence 25 (sequences
    // only go up, so each of 1..25 once); the window (the newest 16) holds 10..25 in order.
    const record = (await api.query.provenance.streams(stream)).unwrap();
    assert.equal(record.anchorCount.toNumber(), perDevice);
    assert.equal(record.lastSequence.unwrap().toNumber(), perDevice);
    const page = await api.call.provenanceApi.anchors(stream, null, 100);
    const sequences = page.map((x) => x.sequence.toNumber()).reverse();
    assert.deepEqual(sequences, Array.from({ length: 16 }, (_, i) => perDevice - 15 + i));
  }
  const sample = fleet[2];
  await checkProof(api, sample.stream, 13, 49);
  const log = current.log();
  assert.doesNotMatch(log, /panicked/);
});
