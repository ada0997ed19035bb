#!/usr/bin/env node
'use strict';
// Registers the demo sensor feed on a running dev chain (what `./scripts/dev.sh` does once the
// node is up): Charlie (an approved manufacturer in the dev preset) registers a solar-inverter
// device with a fresh key, declares a stream for it, and registers a feed on the sensor
// simulator's /solar endpoint, every 2 relay-chain blocks (the dev chain mocks one per block).
// The dev node's off-chain worker (Alice's operator key) then brings a value on chain every
// round: watch `sensorFeeds.ValueUpdated` in polkadot.js.
//
//   node scripts/e2e/demo-feed.js [ws://127.0.0.1:9944] [http://127.0.0.1:8787]
// Does nothing if a feed on that URL exists already (a chain kept with --base-path).

const { ApiPromise, WsProvider, Keyring } = require('@polkadot/api');
const { cryptoWaitReady } = require('@polkadot/util-crypto');
const devices = require('./lib/devices');
const feeds = require('./lib/feeds');

const [wsUrl = 'ws://127.0.0.1:9944', simUrl = 'http://127.0.0.1:8787'] = process.argv.slice(2);
const feedUrl = `${simUrl}/solar`;

function send(tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) return reject(new Error(dispatchError.toString()));
      if (status.isInBlock) resolve(events);
    }).catch(reject);
  });
}

async function main() {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(wsUrl), noInitWarn: true });
  const existing = await api.query.sensorFeeds.feeds.entries();
  const found = existing.find(([, feed]) => feed.unwrap().spec.url.toUtf8() === feedUrl);
  if (found) {
    console.log(`demo feed ${found[0].args[0]} already registered on ${feedUrl}`);
    return api.disconnect();
  }
  const keyring = new Keyring({ type: 'sr25519' });
  const charlie = keyring.addFromUri('//Charlie');
  const device = devices.sr25519Device(keyring);
  let events = await send(devices.registerTx(api, charlie, device, 'demo solar inverter'), charlie);
  const deviceId = devices.eventOf(events, 'deviceRegistry', 'DeviceRegistered').data.device.toNumber();
  events = await send(api.tx.provenance.createStream(deviceId,
    { name: 'power', unit: 'W', valueType: 'Integer', samplingIntervalMs: 12000, schema: 'FeedReading (SCALE), value ×10⁻¹ W' }), charlie);
  const stream = devices.eventOf(events, 'provenance', 'StreamCreated').data.stream.toNumber();
  events = await send(api.tx.sensorFeeds.registerFeed(deviceId, stream, {
    url: feedUrl, pointer: '/inverter/power_w', valueType: 'Decimal', decimals: 1, unit: 'W',
    interval: 2, operatorsPerRound: 1, quorum: 1,
  }, feeds.PREPAID), charlie);
  const feed = devices.eventOf(events, 'sensorFeeds', 'FeedRegistered').data.feed.toNumber();
  console.log(`demo feed ${feed} registered: device ${deviceId}, stream ${stream}, ${feedUrl} → /inverter/power_w every 2 relay blocks`);
  console.log(`watch sensorFeeds.ValueUpdated in polkadot.js; curl the worker's view: iot_feedStatus(${feed})`);
  await api.disconnect();
}

main().catch((e) => { console.error(`demo feed: ${e.message}`); process.exit(1); });
