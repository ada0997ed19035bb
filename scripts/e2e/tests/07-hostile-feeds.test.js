'use strict';
// Sensor feeds against a hostile feed server (lib/hostile-server.js) next to good feeds on the
// same host and port, on a real dev node: the good feeds keep getting their own values round
// after round (no value crosses from the server's smuggled responses, no connection is reused,
// a hanging endpoint delays none of them); the bad ones get no value, and `iot_feedStatus` says
// why for each.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');

const { useNode } = require('../lib/suite');
const { signAndFinalize } = require('../lib/node');
const devices = require('../lib/devices');
const { PREPAID } = require('../lib/feeds');
const { startHostileServer } = require('../lib/hostile-server');

const ctx = useNode();
let server;

after(async () => { if (server) await server.stop(); });

function spec(url) {
  return { url, pointer: '/value', valueType: 'Decimal', decimals: 0, unit: '', interval: 2, operatorsPerRound: 1, quorum: 1 };
}

function registeredFeeds(events) {
  return events.filter(({ event }) => event.section === 'sensorFeeds' && event.method === 'FeedRegistered')
    .map(({ event }) => event.data.feed.toNumber());
}

test('good feeds keep their own values next to a hostile server; bad ones get none, and say why', async () => {
  const { api, charlie: owner } = ctx;
  server = await startHostileServer();
  const base = `http://127.0.0.1:${server.port}`;

  const device = devices.sr25519Device(ctx.keyring);
  const registered = await signAndFinalize(devices.registerTx(api, owner, device, 'hostile-site'), owner);
  const deviceId = devices.eventOf(registered.events, 'deviceRegistry', 'DeviceRegistered').data.device.toNumber();
  const bad = [
    ['/smuggle', null], // its own declared answer is a value; what it smuggles must reach no one
    ['/hang-head', 'timeout'],
    ['/hang-body', 'timeout'],
    ['/short', 'unreachable'],
    ['/exponent', 'value out of range'],
    ['/redirect', 'http status 302'],
    ['/gzip', 'invalid json'],
  ];
  const good = [1, 2, 3];
  // One stream per feed: each settled value is recorded in its own stream.
  const streamCalls = [...good, ...bad].map((_, i) => api.tx.provenance.createStream(deviceId,
    { name: `feed-${i}`, unit: '', valueType: 'Integer', samplingIntervalMs: 2000, schema: '' }));
  const created = await signAndFinalize(api.tx.utility.batchAll(streamCalls), owner);
  const streams = created.events.filter(({ event }) => event.section === 'provenance' && event.method === 'StreamCreated')
    .map(({ event }) => event.data.stream.toNumber());
  const urls = [...good.map((n) => `/good/${n}`), ...bad.map(([path]) => path)];
  const calls = urls.map((path, i) => api.tx.sensorFeeds.registerFeed(deviceId, streams[i], spec(`${base}${path}`), PREPAID));
  const feeds = registeredFeeds((await signAndFinalize(api.tx.utility.batchAll(calls), owner)).events);
  assert.equal(feeds.length, urls.length);
  const goodFeeds = feeds.slice(0, good.length);
  const badFeeds = feeds.slice(good.length);

  // Watch 12 finalized blocks (6 rounds of 2 relay blocks in the dev chain): every value of a
  // good feed must be its own, and each must settle round after round.
  const values = new Map(feeds.map((f) => [f, []]));
  await new Promise((resolve, reject) => {
    let seen = 0;
    const unsubscribe = api.rpc.chain.subscribeFinalizedHeads(async (header) => {
      try {
        const events = await (await api.at(header.hash)).query.system.events();
        for (const { event } of events) {
          if (event.section === 'sensorFeeds' && event.method === 'ValueUpdated') {
            const feed = event.data.feed.toNumber();
            if (values.has(feed)) values.get(feed).push([event.data.round.toNumber(), event.data.value.toNumber()]);
          }
        }
        if (++seen >= 12) { (await unsubscribe)(); resolve(); }
      } catch (e) { reject(e); }
    });
  });

  for (const [i, feed] of goodFeeds.entries()) {
    const got = values.get(feed);
    const rounds = got.map(([round]) => round);
    console.log(`# good feed ${feed} (/good/${good[i]}): values ${JSON.stringify(got)}`);
    for (const [, value] of got) assert.equal(value, 1000 + good[i], `feed ${feed} got only its own value`);
    // Rounds in a row: the hanging endpoints next to it cost it no round.
    assert.ok(got.length >= 5, `feed ${feed} settled ${got.length} of ~6 rounds`);
    assert.equal(rounds[rounds.length - 1] - rounds[0] + 1, rounds.length, `no round missed: ${rounds}`);
    const status = await ctx.node.provider.send('iot_feedStatus', [feed]);
    assert.equal(status.lastError, null);
    assert.ok(status.lastLatencyMs < 1000, `its own latency, not the hanging feed's (${status.lastLatencyMs} ms)`);
    assert.ok(status.lastIncludedRound >= status.lastRound - 1, 'its reports land');
  }
  for (const [i, feed] of badFeeds.entries()) {
    const [path, error] = bad[i];
    const status = await ctx.node.provider.send('iot_feedStatus', [feed]);
    if (error === null) {
      for (const [, value] of values.get(feed)) assert.equal(value, 1, `${path}: its declared answer`);
      continue;
    }
    assert.deepEqual(values.get(feed), [], `${path}: no value`);
    assert.equal(status.lastError, error, path);
  }
  const { maxRequestsPerConnection, hits } = server.stats();
  console.log(`# hostile server: ${JSON.stringify(hits)}`);
  assert.equal(maxRequestsPerConnection, 1, 'no connection carried a second request');
});
