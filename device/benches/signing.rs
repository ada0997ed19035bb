//! Signing cost per anchor statement on the host, for each key type, and the streaming batch
//! builder's cost per reading: `cargo bench -p iot-device --bench signing` (README figures).

use criterion::{criterion_group, criterion_main, Criterion};
use iot_device::{
	batch::BatchBuilder,
	iot_formats::{
		provenance::{AnchorPayload, ANCHOR_TAG},
		SoftwareBlake2,
	},
	sign_anchor,
	signer::*,
	Signer,
};
use std::hint::black_box;

struct BenchRng(u64);
impl rand_core::RngCore for BenchRng {
	fn next_u32(&mut self) -> u32 {
		self.next_u64() as u32
	}
	fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}
	fn fill_bytes(&mut self, dest: &mut [u8]) {
		for chunk in dest.chunks_mut(8) {
			let bytes = self.next_u64().to_le_bytes();
			chunk.copy_from_slice(&bytes[..chunk.len()]);
		}
	}
	fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
		self.fill_bytes(dest);
		Ok(())
	}
}
impl rand_core::CryptoRng for BenchRng {}

fn anchor() -> AnchorPayload<'static> {
	AnchorPayload {
		tag: ANCHOR_TAG,
		genesis_hash: [0x11; 32],
		device: 7,
		stream: 3,
		sequence: 42,
		root: [0x22; 32],
		count: 1_000,
		first_timestamp: 1_700_000_000_000,
		last_timestamp: 1_700_000_999_000,
		content_id: None,
	}
}

fn bench_one(c: &mut Criterion, name: &str, signer: &mut impl Signer) {
	let anchor = anchor();
	c.bench_function(&format!("sign anchor {name}"), |b| {
		b.iter(|| sign_anchor(signer, black_box(&anchor)).expect("signs"))
	});
}

fn signing(c: &mut Criterion) {
	bench_one(c, "ed25519", &mut Ed25519Signer::from_seed(&[1; 32]));
	bench_one(c, "sr25519", &mut Sr25519Signer::from_seed(&[2; 32], BenchRng(7)).expect("seed"));
	bench_one(c, "secp256k1", &mut Secp256k1Signer::from_secret(&[3; 32]).expect("secret"));
	bench_one(c, "p256", &mut P256Signer::from_secret(&[4; 32]).expect("secret"));
	let readings: Vec<[u8; 12]> = (0..1_000u32)
		.map(|i| {
			let mut r = [0u8; 12];
			r[..4].copy_from_slice(&i.to_le_bytes());
			r
		})
		.collect();
	c.bench_function("stream 1,000 readings into a root", |b| {
		b.iter(|| {
			let mut batch = BatchBuilder::<SoftwareBlake2>::new();
			for r in &readings {
				batch.push(r).expect("room");
			}
			batch.finish()
		})
	});
}

criterion_group!(benches, signing);
criterion_main!(benches);
