'use strict';
// A node whose operator refuses private feed hosts (`--feed-private-hosts deny`, the default
// outside `--dev`): feeds at loopback in any spelling get no value, the server never sees a
// request, and `iot_feedStatus` says why. A name is fetched only once the node resolved it, and
// this machine's own host name resolves to a private address, so it is refused too.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const dns = require('node:dns').promises;
const os = require('node:os');

const { useNode } = require('../lib/suite');
const { signAndFinalize } = require('../lib/node');
const devices = require('../lib/devices');
const { PREPAID } = require('../lib/feeds');
const { startHostileServer } = require('../lib/hostile-server');

const ctx = useNode({ args: ['--feed-private-hosts', 'deny'] });
let server;

after(async () => { if (server) await server.stop(); });

function spec(url) {
  return { url, pointer: '/value', valueType: 'Decimal', decimals: 0, unit: '', interval: 2, operatorsPerRound: 1, quorum: 1 };
}

async function waitBlocks(api, n) {
  const start = (await api.rpc.chain.getHeader()).number.toNumber();
  while ((await api.rpc.chain.getHeader()).number.toNumber() < start + n) {
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('loopback and private hosts are refused unfetched; the status says why', async () => {
  const { api, charlie: owner } = ctx;
  server = await startHostileServer();
  const port = server.port;
  const device = devices.sr25519Device(ctx.keyring);
  const registered = await signAndFinalize(devices.registerTx(api, owner, device, 'lan-logger'), owner);
  const deviceId = devices.eventOf(registered.events, 'deviceRegistry', 'DeviceRegistered').data.device.toNumber();
  const created = await signAndFinalize(api.tx.provenance.createStream(deviceId,
    { name: 'lan', unit: '', valueType: 'Integer', samplingIntervalMs: 2000, schema: '' }), owner);
  const stream = devices.eventOf(created.events, 'provenance', 'StreamCreated').data.stream.toNumber();

  const literal = [`http://127.0.0.1:${port}/good/1`, `http://2130706433:${port}/good/1`,
    `http://[::ffff:127.0.0.1]:${port}/good/1`, `http://localhost:${port}/good/1`, `http://127.1:${port}/good/1`];
  // This machine's name, if the resolver knows it, and only if it is private (it usually is).
  const hostname = os.hostname();
  let byName = null;
  try {
    const addresses = await dns.lookup(hostname, { all: true });
    const isPrivate = (a) => /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd]|fe80)/.test(a.address);
    if (addresses.length > 0 && addresses.every(isPrivate)) byName = `http://${hostname}:${port}/good/1`;
  } catch { /* not resolvable: that part is skipped */ }
  const urls = byName ? [...literal, byName] : literal;
  const calls = urls.map((url) => api.tx.sensorFeeds.registerFeed(deviceId, stream, spec(url), PREPAID));
  const { events } = await signAndFinalize(api.tx.utility.batchAll(calls), owner);
  const feeds = events.filter(({ event }) => event.section === 'sensorFeeds' && event.method === 'FeedRegistered')
    .map(({ event }) => event.data.feed.toNumber());
  assert.equal(feeds.length, urls.length, 'the chain accepts them: the policy is the node\'s');

  // A few rounds; the node resolves names every 2 s.
  await waitBlocks(api, 8);
  for (const [i, feed] of feeds.entries()) {
    const status = await ctx.node.provider.send('iot_feedStatus', [feed]);
    assert.equal(status.lastError, 'private or local address refused by this node', urls[i]);
    assert.equal(status.lastSuccessBlock, null, urls[i]);
    assert.ok((await api.query.sensorFeeds.feeds(feed)).unwrap().last.isNone, urls[i]);
  }
  if (!byName) console.log(`# ${hostname} does not resolve to private addresses only here: name check skipped`);
  assert.deepEqual(server.stats().hits, {}, 'the server never saw a request');
});
