//! Gateway ingest throughput: readings accepted **and persisted** per second, in batches of
//! 1,000 readings (16 bytes each, the size of a timestamped sensor value) whose JSON is parsed,
//! hex decoded, Merkle root computed, device signature checked (sr25519 and P-256 devices, half
//! each) and stored in SQLite with `synchronous = FULL` before the answer, with 64 batches in
//! flight (many devices at once). The chain's facts come from a table (no node: the chain is
//! not what is measured here).
//!
//! ```text
//! cargo bench --locked --profile dev -p iot-gateway --bench ingest [-- BATCHES]
//! ```
//!
//! Prints readings/s of the whole path and, from the same run, of its parts, so that the
//! ratios say where the time goes. The target is 200,000 readings/s on the 2-core machine.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use iot_device::{
	iot_formats::{
		provenance::{batch, AnchorPayload, ANCHOR_TAG},
		SoftwareBlake2,
	},
	signer::{P256Signer, Sr25519Signer},
	Signer,
};
use iot_gateway::{
	batch::{BatchRequest, Limits, StreamFacts},
	ingest::Ingest,
	metrics::Metrics,
	store::Store,
	to_hex,
};
use std::{collections::HashMap, sync::Arc, time::Instant};

const GENESIS: [u8; 32] = [0x33; 32];
const READINGS: u32 = 1_000;
const DEVICES: u64 = 64;

fn reading(stream: u64, sequence: u64, i: u32) -> Vec<u8> {
	let mut r = Vec::with_capacity(16);
	r.extend_from_slice(&(1_700_000_000_000 + u64::from(i) * 1000 + sequence).to_le_bytes());
	r.extend_from_slice(&(stream * 1_000_000 + u64::from(i)).to_le_bytes());
	r
}

fn signed_body(signer: &mut dyn Signer, device: u64, stream: u64, sequence: u64) -> Vec<u8> {
	let readings: Vec<Vec<u8>> = (0..READINGS).map(|i| reading(stream, sequence, i)).collect();
	let (root, count) = batch::root::<SoftwareBlake2>(&readings).unwrap();
	let statement = AnchorPayload {
		tag: ANCHOR_TAG,
		genesis_hash: GENESIS,
		device,
		stream,
		sequence,
		root,
		count,
		first_timestamp: 1_700_000_000_000,
		last_timestamp: 1_700_000_999_000,
		content_id: None,
	};
	let bytes = statement.signing_bytes();
	let signature = signer.sign(&bytes).unwrap();
	let request = BatchRequest {
		stream,
		device: Some(device),
		sequence,
		first_timestamp: 1_700_000_000_000,
		last_timestamp: 1_700_000_999_000,
		readings: readings.iter().map(|r| to_hex(r)).collect(),
		root: Some(to_hex(&root)),
		count: Some(count),
		content_id: None,
		key_type: iot_gateway::batch::signature_type_name(&signature).into(),
		signature: to_hex(iot_gateway::batch::signature_bytes(&signature)),
	};
	serde_json::to_vec(&request).unwrap()
}

fn rate(readings: u64, seconds: f64) -> f64 {
	readings as f64 / seconds
}

fn main() {
	// `cargo bench` passes `--bench`; `cargo test --all-targets` runs this once as a smoke test.
	let measuring = std::env::args().any(|a| a == "--bench");
	let batches: u64 = std::env::args()
		.skip(1)
		.find_map(|a| a.parse().ok())
		.unwrap_or(if measuring { 1_000 } else { 20 });
	// 64 devices, one stream each, half P-256 and half sr25519.
	let mut signers: Vec<Box<dyn Signer>> = Vec::new();
	let mut facts = HashMap::new();
	for d in 0..DEVICES {
		let signer: Box<dyn Signer> = if d % 2 == 0 {
			Box::new(P256Signer::from_secret(&[d as u8 + 1; 32]).unwrap())
		} else {
			Box::new(Sr25519Signer::from_seed(&[d as u8 + 1; 32], rand_core::OsRng).unwrap())
		};
		facts.insert(
			d,
			StreamFacts {
				device: 100 + d,
				last_sequence: None,
				key: signer.public_key(),
				active: true,
			},
		);
		signers.push(signer);
	}
	eprintln!("signing {batches} batches of {READINGS} readings (not measured)…");
	let bodies: Vec<(u64, Vec<u8>)> = (0..batches)
		.map(|b| {
			let stream = b % DEVICES;
			(
				stream,
				signed_body(&mut *signers[stream as usize], 100 + stream, stream, b / DEVICES + 1),
			)
		})
		.collect();
	let readings = batches * u64::from(READINGS);
	let bytes: usize = bodies.iter().map(|(_, b)| b.len()).sum();

	let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(&dir.path().join("bench.sqlite")).unwrap();
	let ingest = Ingest::new(
		store.clone(),
		Arc::new(facts.clone()),
		GENESIS,
		Limits::default(),
		std::time::Duration::from_secs(3600),
		Arc::new(Metrics::default()),
		Arc::new(tokio::sync::Notify::new()),
	);

	// The whole path: every device sends its batches one after the other (as devices do: a
	// sequence is only accepted above the last), all devices at once, so 64 batches in flight.
	let mut per_device: Vec<Vec<Vec<u8>>> = vec![Vec::new(); DEVICES as usize];
	for (stream, body) in &bodies {
		per_device[*stream as usize].push(body.clone());
	}
	let started = Instant::now();
	runtime.block_on(async {
		let tasks: Vec<_> = per_device
			.into_iter()
			.map(|device_bodies| {
				let ingest = ingest.clone();
				tokio::spawn(async move {
					for body in device_bodies {
						ingest.submit(body, "http").await.unwrap();
					}
				})
			})
			.collect();
		for t in tasks {
			t.await.unwrap();
		}
	});
	let whole = started.elapsed().as_secs_f64();
	assert_eq!(store.unresolved(usize::MAX >> 1).unwrap().len() as u64, batches);

	// Its parts, on one core, from the same bodies.
	let started = Instant::now();
	let parsed: Vec<_> = bodies
		.iter()
		.map(|(_, b)| BatchRequest::from_json(b).unwrap().parse(&Limits::default()).unwrap())
		.collect();
	let parse = started.elapsed().as_secs_f64();
	let started = Instant::now();
	for p in parsed {
		let f = facts[&p.stream].clone();
		p.verify(&f, GENESIS).unwrap();
	}
	let verify = started.elapsed().as_secs_f64();

	println!(
		"ingest benchmark: {batches} batches × {READINGS} readings, {} MiB of JSON",
		bytes >> 20
	);
	println!(
		"  whole path (JSON, hex, root, signature, SQLite FULL sync), 64 in flight, 2 cores: {:>9.0} readings/s  ({:.1} batches/s)",
		rate(readings, whole),
		batches as f64 / whole
	);
	println!(
		"  of it, on one core: JSON + hex + Merkle root {:>9.0} readings/s ({:.2}× the whole path's time per reading)",
		rate(readings, parse),
		parse / whole
	);
	println!(
		"  of it, on one core: signature check         {:>9.0} readings/s ({:.2}×)",
		rate(readings, verify),
		verify / whole
	);
}
