'use strict';
// The relay-chain block number: the clock of every period of the IoT pallets (payment-channel
// challenge periods, expiries and `settleAfter`, attestation windows, sensor-feed rounds). They
// are relay block numbers, not parachain ones, so that faster parachain blocks cannot shorten
// them. On `iot-node --dev` the node mocks the relay chain: one relay block per parachain block,
// numbered from two hours before the node started in 6-second slots (≈ 3 × 10⁸), so distances
// are the same as in parachain blocks but the numbers are not.

const { withTimeout } = require('./node');

// The harness's default (`IOT_E2E_TX_TIMEOUT_MS`, see lib/node.js).
const DEFAULT_TIMEOUT_MS = Number(process.env.IOT_E2E_TX_TIMEOUT_MS) || 60_000;

/**
 * The relay block number the chain saw in block `at` (a hash; the best block if omitted):
 * `parachainSystem.lastRelayChainBlockNumber`, the relay parent of that block, which its
 * extrinsics saw as "now". A transaction submitted next sees this number or a later one.
 */
async function relayNow(api, at) {
  const source = at ? await api.at(at) : api;
  return (await source.query.parachainSystem.lastRelayChainBlockNumber()).toNumber();
}

/**
 * Waits until a finalized block's relay number is `>= n` and returns it: a transaction submitted
 * afterwards lands in a block whose relay number is at least that (relay numbers never go down).
 */
async function waitForRelay(api, n, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  let unsub = null;
  let done = false;
  let last = -1;
  const reached = new Promise((resolve, reject) => {
    api.rpc.chain.subscribeFinalizedHeads(async (header) => {
      try {
        last = await relayNow(api, header.hash);
        if (last >= n) resolve(last);
      } catch (e) { reject(e); }
    }).then((u) => {
      unsub = u;
      if (done) u();
    }, (e) => reject(new Error(`waiting for relay block ${n}: ${e.message}`)));
  });
  try {
    return await withTimeout(reached, timeoutMs, () => `relay block ${n} not reached (last seen ${last})`);
  } finally {
    done = true;
    if (unsub) unsub();
  }
}

module.exports = { relayNow, waitForRelay };
