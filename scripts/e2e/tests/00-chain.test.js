'use strict';
// Basic chain behaviour of iot-node in dev mode: metadata, properties, block
// production and finality, transfers, batching, node info RPC, error decoding.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { useNode } = require('../lib/suite');
const {
  signAndFinalize, waitForFinalizedHeight, randomAccount, freeBalance,
} = require('../lib/node');

const ctx = useNode();

/** A transfer amount comfortably above the existential deposit: max(10 * ED, 1 IOT). */
function transferAmount(api) {
  const ed = api.consts.balances.existentialDeposit.toBigInt();
  const oneUnit = 10n ** BigInt(api.registry.chainDecimals[0]);
  return ed * 10n > oneUnit ? ed * 10n : oneUnit;
}

function findEvent(events, section, method) {
  return events.find(({ event }) => event.section === section && event.method === method)?.event;
}

test('metadata lists the core pallets', async () => {
  const metadata = await ctx.api.rpc.state.getMetadata();
  const pallets = metadata.asLatest.pallets.map((p) => p.name.toString());
  for (const name of ['System', 'Balances', 'Sudo', 'Utility', 'ParachainSystem', 'Aura']) {
    assert.ok(pallets.includes(name), `pallet ${name} missing from metadata: ${pallets.join(', ')}`);
  }
});

test('each IoT call carries its whole contract in the metadata docs wallets show', async () => {
  const sections = ['## Dispatch Origin', '## Details', '## Errors', '## Events', '## Complexity'];
  for (const pallet of ['deviceRegistry', 'provenance', 'paymentChannels', 'sensorFeeds']) {
    const calls = Object.entries(ctx.api.tx[pallet]);
    assert.ok(calls.length > 0, `no calls of ${pallet} in the metadata`);
    for (const [name, call] of calls) {
      const docs = call.meta.docs.map((line) => line.toString()).join('\n');
      for (const section of sections) {
        assert.ok(docs.includes(section), `${pallet}.${name}: no "${section}" in its metadata docs`);
      }
    }
  }
  // The known drift the move fixed: suspend is O(ops) when an operator calls, and says so.
  const suspend = ctx.api.tx.deviceRegistry.suspend.meta.docs.map((l) => l.toString()).join('\n');
  assert.match(suspend, /InvalidTransition/);
  assert.match(suspend, /MaxOperators/);
});

test('every IoT pallet has view functions, listed in metadata v16', async () => {
  const { viewFunctionNames } = require('../lib/views');
  const names = await viewFunctionNames(ctx.api);
  const expected = {
    DeviceRegistry: ['device', 'device_by_key', 'devices_of', 'manufacturer', 'batch', 'operators'],
    Provenance: ['stream', 'anchor_of', 'latest_anchor', 'anchors', 'verify_inclusion', 'recorded_of',
      'latest_recorded', 'recorded', 'verify_recorded', 'attestation', 'attestations_of', 'attestation_valid_at'],
    PaymentChannels: ['channel', 'channels_of', 'check_voucher', 'device_bound'],
    SensorFeeds: ['feed', 'latest_value', 'feed_balance', 'feeds_of_device'],
  };
  for (const [pallet, fns] of Object.entries(expected)) {
    assert.deepEqual([...(names[pallet] || [])].sort(), [...fns].sort(), `view functions of ${pallet}`);
  }
});

test('chain properties: IOT, 12 decimals, ss58 42', async () => {
  const props = await ctx.api.rpc.system.properties();
  assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'IOT');
  assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 12);
  assert.equal(props.ss58Format.unwrap().toNumber(), 42);
  // and the API picked them up
  assert.deepEqual(ctx.api.registry.chainTokens, ['IOT']);
  assert.deepEqual(ctx.api.registry.chainDecimals, [12]);
  assert.equal(ctx.api.registry.chainSS58, 42);
});

test('blocks are produced and finalized', async () => {
  const { api } = ctx;
  const start = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  const reached = await waitForFinalizedHeight(api, start + 2);
  assert.ok(reached >= start + 2);
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  assert.ok(best >= reached, `best ${best} behind finalized ${reached}`);
});

test('iot_nodeInfo reports dev mode and para id 1000', async () => {
  const info = (await ctx.api.rpc.iot.nodeInfo()).toJSON();
  assert.equal(info.mode, 'dev');
  assert.equal(info.paraId, 1000);
  assert.equal(typeof info.name, 'string');
  assert.ok(info.name.length > 0, 'empty name');
  assert.equal(typeof info.version, 'string');
  assert.ok(info.version.length > 0, 'empty version');
  assert.equal(typeof info.chain, 'string');
  // Same answer over the raw provider, as a client without the type bundle sees it.
  assert.deepEqual(await ctx.node.provider.send('iot_nodeInfo', []), info);
});

test('transferKeepAlive from Alice funds a new account and costs a fee', async () => {
  const { api, alice, keyring } = ctx;
  const dest = randomAccount(keyring);
  const amount = transferAmount(api);

  const { blockHash, events } = await signAndFinalize(
    api.tx.balances.transferKeepAlive(dest.address, amount), alice);

  assert.equal(await freeBalance(api, dest.address), amount);

  // Compare Alice's balance just before and after the inclusion block, so
  // nothing else happening on chain in between can blur the difference.
  // (Alice also authors the dev blocks: if the runtime ever pays fees to the
  // author, the drop would be only `amount`; rely on TransactionFeePaid then.)
  const { parentHash } = await api.rpc.chain.getHeader(blockHash);
  const before = await freeBalance(api, alice.address, parentHash);
  const after = await freeBalance(api, alice.address, blockHash);
  assert.ok(before - after > amount, `Alice paid ${before - after}, expected more than ${amount}`);

  const feePaid = findEvent(events, 'transactionPayment', 'TransactionFeePaid');
  assert.ok(feePaid, 'no transactionPayment.TransactionFeePaid event');
  assert.equal(feePaid.data[0].toString(), alice.address);
  assert.ok(feePaid.data[1].toBigInt() > 0n, 'fee is zero');
});

test('a watched transaction goes InBlock before Finalized, as on a real chain', async () => {
  const { api, alice, keyring } = ctx;
  const dest = randomAccount(keyring);
  const statuses = [];
  const inBlock = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Finalized within 30 s: ${statuses.join(' → ')}`)), 30_000);
    let hash = null;
    api.tx.balances.transferKeepAlive(dest.address, transferAmount(api))
      .signAndSend(alice, ({ status }) => {
        statuses.push(status.type);
        if (status.isInBlock) hash = status.asInBlock.toHex();
        if (status.isFinalized) {
          clearTimeout(timer);
          resolve({ hash, finalized: status.asFinalized.toHex() });
        }
      })
      .catch((e) => { clearTimeout(timer); reject(e); });
  });
  const firstInBlock = statuses.indexOf('InBlock');
  assert.ok(firstInBlock >= 0, `no InBlock status: ${statuses.join(' → ')}`);
  assert.ok(firstInBlock < statuses.indexOf('Finalized'), statuses.join(' → '));
  assert.equal(inBlock.hash, inBlock.finalized, 'finalized a different block than the one it was in');
});

test('utility.batchAll with two transfers', async () => {
  const { api, bob, keyring } = ctx;
  const [a, b] = [randomAccount(keyring), randomAccount(keyring)];
  const amount = transferAmount(api);

  const { events } = await signAndFinalize(api.tx.utility.batchAll([
    api.tx.balances.transferKeepAlive(a.address, amount),
    api.tx.balances.transferKeepAlive(b.address, amount * 2n),
  ]), bob);

  assert.ok(findEvent(events, 'utility', 'BatchCompleted'), 'no utility.BatchCompleted event');
  assert.equal(await freeBalance(api, a.address), amount);
  assert.equal(await freeBalance(api, b.address), amount * 2n);
});

// Note: since the fungible-trait rewrite of pallet-balances, a transfer above
// the balance fails with DispatchError::Token(FundsUnavailable), not with a
// balances module error; the module-error path is covered by the two sudo
// tests below.
test('transfer above the free balance fails with token.FundsUnavailable', async () => {
  const { api, bob, keyring } = ctx;
  const tooMuch = (await freeBalance(api, bob.address)) + 1n;

  await assert.rejects(
    signAndFinalize(api.tx.balances.transferKeepAlive(randomAccount(keyring).address, tooMuch), bob),
    (err) => {
      assert.ok(err.dispatchError, `not a dispatch error: ${err.message}`);
      assert.ok(err.dispatchError.isToken, `expected a token error, got ${err.errorName}`);
      assert.ok(err.dispatchError.asToken.isFundsUnavailable);
      assert.equal(err.errorName, 'token.FundsUnavailable');
      assert.match(err.message, /balances\.transferKeepAlive failed: token\.FundsUnavailable/);
      return true;
    });
});

test('sudo from a non-sudo account fails with module error sudo.RequireSudo', async () => {
  const { api, bob } = ctx;
  await assert.rejects(
    signAndFinalize(api.tx.sudo.sudo(api.tx.system.remark('0x00')), bob),
    (err) => {
      assert.ok(err.dispatchError?.isModule, `expected a module error, got: ${err.message}`);
      assert.equal(err.module.section, 'sudo');
      assert.equal(err.module.name, 'RequireSudo');
      assert.equal(err.errorName, 'sudo.RequireSudo');
      return true;
    });
});

test('a failing call under sudo reports the inner balances module error', async () => {
  const { api, alice } = ctx;
  // Root may adjust total issuance, but a zero delta is rejected with balances.DeltaZero.
  // The extrinsic succeeds; the error is in sudo.Sudid { sudo_result: Err(..) }.
  await assert.rejects(
    signAndFinalize(api.tx.sudo.sudo(api.tx.balances.forceAdjustTotalIssuance('Increase', 0)), alice),
    (err) => {
      assert.ok(err.dispatchError?.isModule, `expected a module error, got: ${err.message}`);
      assert.equal(err.module.section, 'balances');
      assert.equal(err.module.name, 'DeltaZero');
      assert.match(err.message, /in sudo\.Sudid/);
      return true;
    });
});
