'use strict';
// Devices as the tests make them: fresh keys generated here, signing like devices do
// (sr25519 as a Linux gateway or a car's TCU would; P-256 as a secure element: ECDSA over
// SHA-256, low S). Byte layouts: primitives/src/device.rs (module docs).

const { p256 } = require('@noble/curves/p256');
const { mnemonicGenerate } = require('@polkadot/util-crypto');
const { u8aConcat, stringToU8a, bnToU8a } = require('@polkadot/util');

const REGISTER_TAG = stringToU8a('iot-parachain:device-registry:register:v1');
const ROTATE_TAG = stringToU8a('iot-parachain:device-registry:rotate:v1');
const CLAIM_TAG = stringToU8a('iot-parachain:device-registry:claim:v1');
const KEY_VARIANT = { Ed25519: 0, Sr25519: 1, Secp256k1: 2, P256: 3 };

/** SCALE(DeviceKey): the variant byte, then the raw key. */
function scaleKey(type, publicKey) {
  return u8aConcat(Uint8Array.of(KEY_VARIANT[type]), publicKey);
}

/** The registration payload a device signs: tag ‖ genesis hash ‖ owner ‖ SCALE(key). */
function registrationBytes(genesisHash, ownerRaw, type, publicKey) {
  return u8aConcat(REGISTER_TAG, genesisHash, ownerRaw, scaleKey(type, publicKey));
}

/** `registrationBytes` on the chain of `api`, for the keyring pair `owner`. */
function registrationPayload(api, owner, type, publicKey) {
  return registrationBytes(api.genesisHash.toU8a(), owner.addressRaw, type, publicKey);
}

/** What the new key signs on rotation: tag ‖ genesis hash ‖ device u64 LE ‖ rotation u32 LE ‖ SCALE(new key). */
function rotationBytes(genesisHash, device, rotation, type, publicKey) {
  return u8aConcat(ROTATE_TAG, genesisHash, bnToU8a(device, { bitLength: 64 }),
    bnToU8a(rotation, { bitLength: 32 }), scaleKey(type, publicKey));
}

/** What a batch device signs when claimed: tag ‖ genesis hash ‖ batch u64 LE ‖ owner ‖ SCALE(key). */
function claimBytes(genesisHash, batch, ownerRaw, type, publicKey) {
  return u8aConcat(CLAIM_TAG, genesisHash, bnToU8a(batch, { bitLength: 64 }), ownerRaw, scaleKey(type, publicKey));
}

/** A device with a fresh sr25519 key. */
function sr25519Device(keyring) {
  const pair = keyring.addFromUri(mnemonicGenerate(), {}, 'sr25519');
  return { type: 'Sr25519', publicKey: pair.publicKey, sign: (message) => pair.sign(message) };
}

/** A device with a fresh P-256 key, signing like a secure element. */
function p256Device() {
  const secret = p256.utils.randomPrivateKey();
  return {
    type: 'P256',
    publicKey: p256.getPublicKey(secret, true),
    sign: (message) => p256.sign(message, secret, { prehash: true, lowS: true }).toCompactRawBytes(),
  };
}

/** `deviceRegistry.registerDevice` for `device`, owned by `owner`, with its proof of possession. */
function registerTx(api, owner, device, model) {
  const signature = device.sign(registrationPayload(api, owner, device.type, device.publicKey));
  const metadata = { model, firmwareVersion: '1.0.0', firmwareHash: null, uri: 'ipfs://bafy-demo' };
  return api.tx.deviceRegistry.registerDevice(
    { [device.type]: device.publicKey }, { [device.type]: signature }, metadata);
}

/** The pallet event `section.method` among `events` (fails the test if absent). */
function eventOf(events, section, method) {
  const found = events.find(({ event }) => event.section === section && event.method === method);
  if (!found) {
    throw new Error(`no ${section}.${method} in ${events.map(({ event }) => `${event.section}.${event.method}`)}`);
  }
  return found.event;
}

module.exports = {
  scaleKey, registrationBytes, registrationPayload, rotationBytes, claimBytes,
  sr25519Device, p256Device, registerTx, eventOf,
};
