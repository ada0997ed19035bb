//! The firmware example's output, checked on the host: run by `scripts/firmware-qemu.sh`, which
//! builds `device/firmware-example` for `thumbv7em-none-eabihf`, runs it under QEMU
//! (`mps2-an386`) and passes what the emulated device printed in `IOT_FIRMWARE_OUTPUT`.
//!
//! What it checks: every reading the device printed is in its batch (the root the device built in
//! constant memory is the chain's tree over those readings), each anchor statement's signature
//! passes the chain's own check with the example's keys, and the device's peak stack use.

use iot_device::{
	iot_formats::{
		device::{DeviceKey, DeviceSignature},
		provenance::{batch, AnchorPayload, ANCHOR_TAG},
		SoftwareBlake2,
	},
	signer::{P256Signer, Sr25519Signer},
	Signer,
};
use iot_primitives::device::verify_signature;
use serde_json::Value;
use std::collections::BTreeMap;

fn hex(s: &str) -> Vec<u8> {
	let s = s.strip_prefix("0x").expect("0x-prefixed hex");
	(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn number(v: &Value, field: &str) -> u64 {
	v[field].as_u64().unwrap_or_else(|| panic!("{field} in {v}"))
}

/// A `rand_core` generator that is never asked (public keys need no randomness).
struct NoRng;
impl rand_core::RngCore for NoRng {
	fn next_u32(&mut self) -> u32 {
		unreachable!()
	}
	fn next_u64(&mut self) -> u64 {
		unreachable!()
	}
	fn fill_bytes(&mut self, _: &mut [u8]) {
		unreachable!()
	}
	fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), rand_core::Error> {
		unreachable!()
	}
}
impl rand_core::CryptoRng for NoRng {}

#[test]
#[ignore = "needs the firmware's QEMU output: run scripts/firmware-qemu.sh"]
fn what_the_emulated_device_signed_is_what_the_chain_accepts() {
	let path = std::env::var("IOT_FIRMWARE_OUTPUT").expect("IOT_FIRMWARE_OUTPUT: the QEMU output");
	let genesis = hex(&std::env::var("IOT_FIRMWARE_GENESIS").expect("IOT_FIRMWARE_GENESIS"));
	let output = std::fs::read_to_string(&path).expect("QEMU output readable");
	let lines: Vec<Value> = output
		.lines()
		.filter(|l| l.starts_with('{'))
		.map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
		.collect();
	let mut readings: BTreeMap<u64, Vec<Vec<u8>>> = BTreeMap::new();
	for line in lines.iter().filter(|l| l["kind"] == "reading") {
		let device = number(line, "device");
		let list = readings.entry(device).or_default();
		assert_eq!(number(line, "index") as usize, list.len(), "readings in order");
		list.push(hex(line["bytes"].as_str().unwrap()));
	}
	let expected_keys = [
		("p256", P256Signer::from_secret(&[0x41; 32]).unwrap().public_key()),
		("sr25519", Sr25519Signer::from_seed(&[0x42; 32], NoRng).unwrap().public_key()),
	];
	let anchors: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "anchor").collect();
	assert_eq!(anchors.len(), 2, "one anchor per key: {output}");
	for (anchor, (kind, key)) in anchors.iter().zip(expected_keys) {
		assert_eq!(anchor["keyType"], kind);
		assert_eq!(hex(anchor["publicKey"].as_str().unwrap()), key.as_bytes());
		let device = number(anchor, "device");
		let batch_readings = &readings[&device];
		let (root, count) = batch::root::<SoftwareBlake2>(batch_readings).unwrap();
		assert_eq!(hex(anchor["root"].as_str().unwrap()), root, "the device's streamed root");
		assert_eq!(number(anchor, "count"), u64::from(count));
		let statement = AnchorPayload {
			tag: ANCHOR_TAG,
			genesis_hash: genesis.clone().try_into().unwrap(),
			device,
			stream: number(anchor, "stream"),
			sequence: number(anchor, "sequence"),
			root,
			count,
			first_timestamp: number(anchor, "firstTimestamp"),
			last_timestamp: number(anchor, "lastTimestamp"),
			content_id: None,
		};
		let signature = hex(anchor["signature"].as_str().unwrap());
		let signature = match key {
			DeviceKey::P256(_) => DeviceSignature::P256(signature.try_into().unwrap()),
			DeviceKey::Sr25519(_) => DeviceSignature::Sr25519(signature.try_into().unwrap()),
			_ => unreachable!(),
		};
		assert!(
			verify_signature(&key, &statement.signing_bytes(), &signature),
			"the chain's check refuses the {kind} anchor"
		);
	}
	let done = lines.iter().find(|l| l["kind"] == "done").expect("the firmware finished");
	println!(
		"firmware: peak stack {} bytes, batch builder {} bytes",
		number(done, "stackBytes"),
		number(done, "builderBytes")
	);
}
