'use strict';
// The device registry against a real node: devices whose keys the test generates sign their
// proof of possession here in JS (sr25519 and P-256, the secure-element curve), are registered by
// a manufacturer, pass manufacturer → dealer → customer, are suspended and resumed by the
// customer, and a replayed registration is refused. Reads go through the runtime API
// (`api.call.deviceRegistryApi`) and the node's `iot_*` RPC methods.
//
// Byte layouts: primitives/src/device.rs (module docs).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { p256 } = require('@noble/curves/p256');
const { u8aToHex } = require('@polkadot/util');

const { useNode } = require('../lib/suite');
const { signAndFinalize } = require('../lib/node');
const devices = require('../lib/devices');
const { callView } = require('../lib/views');

const ctx = useNode();

const { registrationPayload, p256Device, registerTx } = devices;
const sr25519Device = () => devices.sr25519Device(ctx.keyring);
const eventOf = (events, method) => devices.eventOf(events, 'deviceRegistry', method);

/** The DeviceRegistry hold of `who`, as a BigInt (0 if none). */
async function registryHold(api, who, reason) {
  const holds = await api.query.balances.holds(who.address);
  return holds
    .filter((h) => h.id.isDeviceRegistry && h.id.asDeviceRegistry.type === reason)
    .reduce((sum, h) => sum + h.amount.toBigInt(), 0n);
}

function rpc(method, params) {
  return ctx.node.provider.send(method, params);
}

// State shared by the tests below, in order: each test is a step of one story.
const story = {};

test('the demo manufacturer is approved at genesis and sudo approves another', async () => {
  const { api, alice, charlie, ferdie } = ctx;
  assert.deepEqual(await rpc('iot_manufacturer', [charlie.address]),
    { name: 'Demo Devices Ltd', metadata: '', status: 'active' });

  const approve = api.tx.deviceRegistry.approveManufacturer(ferdie.address, 'Ferdie Sensors', 'https://ferdie.example');
  const { events } = await signAndFinalize(api.tx.sudo.sudo(approve), alice);
  assert.equal(eventOf(events, 'ManufacturerApproved').data.manufacturer.toString(), ferdie.address);
  const info = (await api.call.deviceRegistryApi.manufacturer(ferdie.address)).unwrap();
  assert.equal(info.status.type, 'Active');
  assert.equal(info.name.toUtf8(), 'Ferdie Sensors');
});

test('a manufacturer registers an sr25519 device that signed its proof of possession in JS', async () => {
  const { api, charlie } = ctx;
  const device = sr25519Device();
  const deposit = api.consts.deviceRegistry.deviceDeposit.toBigInt();
  const heldBefore = await registryHold(api, charlie, 'DeviceDeposit');

  const tx = registerTx(api, charlie, device, 'washer-3000');
  const { events } = await signAndFinalize(tx, charlie);
  const registered = eventOf(events, 'DeviceRegistered');
  const id = registered.data.device.toNumber();
  assert.equal(registered.data.owner.toString(), charlie.address);

  const record = (await api.call.deviceRegistryApi.device(id)).unwrap();
  assert.equal(record.owner.toString(), charlie.address);
  assert.equal(record.manufacturer.unwrap().toString(), charlie.address, 'recorded as built by Charlie');
  assert.equal(record.status.type, 'Active');
  assert.equal(await registryHold(api, charlie, 'DeviceDeposit'), heldBefore + deposit);

  const byKey = await rpc('iot_deviceByKey', [{ type: 'sr25519', publicKey: u8aToHex(device.publicKey) }]);
  assert.equal(byKey.id, id);
  assert.equal(byKey.model, 'washer-3000');
  assert.equal(byKey.owner, charlie.address);
  assert.equal(byKey.deposit, deposit.toString());

  // The view functions answer with the runtime API's bytes.
  const viaView = await callView(api, 'DeviceRegistry', 'device', [id]);
  assert.equal(viaView.toHex(), (await api.call.deviceRegistryApi.device(id)).toHex());
  const found = await callView(api, 'DeviceRegistry', 'device_by_key', [{ Sr25519: device.publicKey }]);
  assert.equal(found.unwrap()[0].toNumber(), id);
  const page = await callView(api, 'DeviceRegistry', 'devices_of', [charlie.address, null, 100]);
  assert.ok(page.some(([d]) => d.toNumber() === id), 'the device is in its owner\'s page');
  assert.equal(page.toHex(), (await api.call.deviceRegistryApi.devicesOf(charlie.address, null, 100)).toHex());
  // signAndSend signed `tx` in place: keep the exact bytes for the replay test.
  Object.assign(story, { device, id, signedHex: tx.toHex() });
});

test('the same registration replayed, or by another owner, is refused and changes nothing', async () => {
  const { api, charlie, bob } = ctx;
  const { device, id, signedHex } = story;
  const nextIdBefore = (await api.query.deviceRegistry.nextDeviceId()).toNumber();

  // The very same signed extrinsic, byte for byte: the pool refuses it (its nonce is used).
  await assert.rejects(api.rpc.author.submitExtrinsic(signedHex),
    // The pool answers 1012 "temporarily banned" (it remembers included transactions) or 1010
    // "outdated" (the nonce is used) - either way, nothing is applied twice.
    (err) => /outdated|stale|banned|1010|1012/i.test(err.message) || assert.fail(err.message));

  // The exact extrinsic again (new nonce, same key and proof): the key is taken.
  await assert.rejects(signAndFinalize(registerTx(api, charlie, device, 'washer-3000'), charlie),
    (err) => err.errorName === 'deviceRegistry.AlreadyExists' || assert.fail(err.message));
  // A front-runner: Bob sees a device's proof made for Charlie and submits it first, for himself.
  // The proof binds the owner, so it is worthless to him.
  const fresh = sr25519Device();
  const forCharlie = registerTx(api, charlie, fresh, 'washer-3000');
  const stolen = api.tx.deviceRegistry.registerDevice(
    { Sr25519: fresh.publicKey }, forCharlie.args[1], forCharlie.args[2]);
  await assert.rejects(signAndFinalize(stolen, bob),
    (err) => err.errorName === 'deviceRegistry.BadSignature' || assert.fail(err.message));

  assert.equal((await api.query.deviceRegistry.nextDeviceId()).toNumber(), nextIdBefore);
  assert.equal((await api.call.deviceRegistryApi.device(id)).unwrap().owner.toString(), charlie.address);
});

test('a P-256 device (secure-element curve) registers with a JS-made proof', async () => {
  const { api, charlie } = ctx;
  const device = p256Device();
  const { events } = await signAndFinalize(registerTx(api, charlie, device, 'meter-p256'), charlie);
  const id = eventOf(events, 'DeviceRegistered').data.device.toNumber();
  const json = await rpc('iot_device', [id]);
  assert.equal(json.key.type, 'p256');
  assert.equal(json.key.publicKey, u8aToHex(device.publicKey));
  assert.equal(json.status, 'active');

  // A high-S twin of a valid signature is refused (ECDSA malleability).
  const other = p256Device();
  const payload = registrationPayload(api, charlie, 'P256', other.publicKey);
  const sig = p256.Signature.fromCompact(other.sign(payload));
  const highS = new p256.Signature(sig.r, p256.CURVE.n - sig.s).toCompactRawBytes();
  const tx = api.tx.deviceRegistry.registerDevice({ P256: other.publicKey }, { P256: highS },
    { model: 'x', firmwareVersion: '', firmwareHash: null, uri: '' });
  await assert.rejects(signAndFinalize(tx, charlie),
    (err) => err.errorName === 'deviceRegistry.BadSignature' || assert.fail(err.message));
});

test('manufacturer → dealer → customer by offer and acceptance; deposits follow the owner', async () => {
  const { api, charlie, dave: dealer, eve: customer } = ctx;
  const { id } = story;
  const deposit = api.consts.deviceRegistry.deviceDeposit.toBigInt();
  const heldByMaker = await registryHold(api, charlie, 'DeviceDeposit');

  for (const [from, to] of [[charlie, dealer], [dealer, customer]]) {
    const offered = await signAndFinalize(api.tx.deviceRegistry.offerTransfer(id, to.address), from);
    assert.equal(eventOf(offered.events, 'TransferOffered').data.to.toString(), to.address);
    // Until accepted, the device stays with its owner.
    assert.equal((await rpc('iot_device', [id])).owner, from.address);
    const accepted = await signAndFinalize(api.tx.deviceRegistry.acceptTransfer(id), to);
    const moved = eventOf(accepted.events, 'DeviceTransferred').data;
    assert.equal(moved.from.toString(), from.address);
    assert.equal(moved.to.toString(), to.address);
  }

  const record = (await api.call.deviceRegistryApi.device(id)).unwrap();
  assert.equal(record.owner.toString(), customer.address);
  assert.equal(record.manufacturer.unwrap().toString(), charlie.address, 'the maker stays on record');
  assert.equal(await registryHold(api, charlie, 'DeviceDeposit'), heldByMaker - deposit);
  assert.equal(await registryHold(api, dealer, 'DeviceDeposit'), 0n);
  assert.equal(await registryHold(api, customer, 'DeviceDeposit'), deposit);

  const page = await rpc('iot_devicesOf', [customer.address, null, 10]);
  assert.deepEqual(page.devices.map((d) => d.id), [id]);
  assert.equal(page.next, null);
  const viaApi = await api.call.deviceRegistryApi.devicesOf(customer.address, null, 10);
  assert.deepEqual(viaApi.map(([deviceId]) => deviceId.toNumber()), [id]);
});

test('the customer suspends and resumes the device; the dealer no longer can', async () => {
  const { api, dave: dealer, eve: customer } = ctx;
  const { id } = story;

  await assert.rejects(signAndFinalize(api.tx.deviceRegistry.suspend(id), dealer),
    (err) => err.errorName === 'deviceRegistry.NotOwner' || assert.fail(err.message));

  const suspended = await signAndFinalize(api.tx.deviceRegistry.suspend(id), customer);
  eventOf(suspended.events, 'DeviceSuspended');
  assert.equal((await rpc('iot_device', [id])).status, 'suspended');

  await assert.rejects(signAndFinalize(api.tx.deviceRegistry.suspend(id), customer),
    (err) => err.errorName === 'deviceRegistry.InvalidTransition' || assert.fail(err.message));

  const resumed = await signAndFinalize(api.tx.deviceRegistry.resume(id), customer);
  eventOf(resumed.events, 'DeviceResumed');
  assert.equal((await rpc('iot_device', [id])).status, 'active');
});

test('RPC answers unknown devices with null and malformed keys with a clear error', async () => {
  assert.equal(await rpc('iot_device', [999_999]), null);
  await assert.rejects(rpc('iot_deviceByKey', [{ type: 'sr25519', publicKey: '0x0102' }]),
    (err) => /32 bytes/.test(err.message) || assert.fail(err.message));
});
