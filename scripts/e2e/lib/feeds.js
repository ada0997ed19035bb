'use strict';
// Sensor-feed formats in JavaScript: the report an operator signs and the reading the pallet
// records in provenance. The one definition is primitives/src/feeds.rs (module docs) and the
// pallet's `FeedReading`; tests/12-registry-feed-vectors.test.js checks the report against
// primitives/test-vectors/feeds.json.

const { u8aConcat, stringToU8a, bnToU8a, compactToU8a } = require('@polkadot/util');

const REPORT_TAG = stringToU8a('iot-parachain:sensor-feeds:report:v1');

/** tag ‖ genesis hash ‖ feed u64 LE ‖ round u64 LE ‖ value i128 LE (two's complement). */
function reportBytes(genesisHash, feed, round, value) {
  return u8aConcat(REPORT_TAG, genesisHash, bnToU8a(feed, { bitLength: 64 }),
    bnToU8a(round, { bitLength: 64 }), bnToU8a(value, { bitLength: 128, isNegative: true }));
}

/** SCALE(FeedReading { feed u64, round u64, value i128, decimals u8, reporters Vec<[u8; 32]> }). */
function readingBytes(feed, round, value, decimals, reporters) {
  return u8aConcat(bnToU8a(feed, { bitLength: 64 }), bnToU8a(round, { bitLength: 64 }),
    bnToU8a(value, { bitLength: 128, isNegative: true }), Uint8Array.of(decimals),
    compactToU8a(reporters.length), ...reporters);
}

// The feeds pallet's account, which records settled values in provenance: `modl` ‖ `iot/feed` ‖
// 20 zero bytes (PalletId("iot/feed").into_account_truncating()).
function palletAccount() {
  return u8aConcat(stringToU8a('modl'), stringToU8a('iot/feed'), new Uint8Array(20));
}

// What the tests and the demo prepay per feed: 1 IOT, a thousand rounds of quorum 1 at the dev
// runtime's reward of 1 mIOT per counted report.
const PREPAID = 10n ** 12n;
// The dev runtime's `ReportReward` (the existential deposit).
const REPORT_REWARD = 10n ** 9n;

module.exports = { reportBytes, readingBytes, palletAccount, PREPAID, REPORT_REWARD };
