//! Voucher signing and verification per second, next to raw signature signing and verification
//! of the same key type in the same run: what a payer device and a payee gateway can do off
//! chain. A voucher check is the raw check plus building and encoding the 107-byte statement.
//!
//! `raw_verify` is the chain's own check (`iot_primitives::device::verify_signature`, the
//! `sp_io` path) over already encoded bytes, so the ratio voucher / raw is the cost of the
//! voucher format alone. `direct_verify` calls the curve library through `sp_core` without
//! `sp_io`, for reference: for ed25519 the `sp_io` path is slower on its own (it verifies with
//! `ed25519-dalek`'s consensus rules, `sp_core` with `ed25519-zebra`).
//!
//! Run with `./scripts/bench-vouchers.sh` (dev profile: dependencies optimised, like the node),
//! which also prints the ratios voucher / raw.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use iot_primitives::{
	channel::{sign, verify_voucher, Voucher, VoucherPayload},
	device::{verify_signature, DeviceKey, DeviceSignature},
};
use p256::ecdsa::{signature::Signer as _, signature::Verifier as _, SigningKey};
use polkadot_sdk::sp_core::{ed25519, sr25519, Pair};

const GENESIS: [u8; 32] = [0xab; 32];
const CHANNEL: u64 = 7;

fn voucher(nonce: u64) -> Voucher<u128> {
	Voucher { amount: u128::from(nonce) * 1_000_000_000, nonce, lock: None, pays_for: None }
}

fn sr25519_group(c: &mut Criterion) {
	let pair = sr25519::Pair::from_seed(&[1; 32]);
	let key = DeviceKey::Sr25519(pair.public().0);
	let payload = VoucherPayload::new(GENESIS, CHANNEL, &voucher(10_000));
	let bytes = payload.signing_bytes();
	let signature = sign::sr25519(&pair, &payload);
	let raw = pair.sign(&bytes);

	let mut group = c.benchmark_group("sr25519");
	group.throughput(Throughput::Elements(1));
	group.bench_function("raw_verify", |b| {
		b.iter(|| verify_signature(&key, black_box(&bytes[..]), black_box(&signature)))
	});
	group.bench_function("direct_verify", |b| {
		b.iter(|| sr25519::Pair::verify(black_box(&raw), black_box(&bytes[..]), &pair.public()))
	});
	group.bench_function("voucher_verify", |b| {
		b.iter(|| {
			let payload = VoucherPayload::new(GENESIS, CHANNEL, black_box(&voucher(10_000)));
			verify_voucher(&key, &payload, black_box(&signature))
		})
	});
	group.bench_function("raw_sign", |b| b.iter(|| pair.sign(black_box(&bytes[..]))));
	group.bench_function("voucher_sign", |b| {
		b.iter(|| {
			let payload = VoucherPayload::new(GENESIS, CHANNEL, black_box(&voucher(10_000)));
			sign::sr25519(&pair, &payload)
		})
	});
	group.finish();
	assert!(verify_voucher(&key, &payload, &signature));
}

fn ed25519_group(c: &mut Criterion) {
	let pair = ed25519::Pair::from_seed(&[2; 32]);
	let key = DeviceKey::Ed25519(pair.public().0);
	let payload = VoucherPayload::new(GENESIS, CHANNEL, &voucher(10_000));
	let bytes = payload.signing_bytes();
	let signature = sign::ed25519(&pair, &payload);
	let raw = pair.sign(&bytes);

	let mut group = c.benchmark_group("ed25519");
	group.throughput(Throughput::Elements(1));
	group.bench_function("raw_verify", |b| {
		b.iter(|| verify_signature(&key, black_box(&bytes[..]), black_box(&signature)))
	});
	group.bench_function("direct_verify", |b| {
		b.iter(|| ed25519::Pair::verify(black_box(&raw), black_box(&bytes[..]), &pair.public()))
	});
	group.bench_function("voucher_verify", |b| {
		b.iter(|| {
			let payload = VoucherPayload::new(GENESIS, CHANNEL, black_box(&voucher(10_000)));
			verify_voucher(&key, &payload, black_box(&signature))
		})
	});
	group.finish();
	assert!(verify_voucher(&key, &payload, &signature));
}

fn p256_group(c: &mut Criterion) {
	let secret = SigningKey::from_slice(&[3; 32]).expect("valid scalar");
	let point = secret.verifying_key().to_encoded_point(true);
	let key = DeviceKey::P256(point.as_bytes().try_into().expect("33 bytes"));
	let payload = VoucherPayload::new(GENESIS, CHANNEL, &voucher(10_000));
	let bytes = payload.signing_bytes();
	let raw: p256::ecdsa::Signature = secret.sign(&bytes);
	let raw = raw.normalize_s().unwrap_or(raw);
	let signature = DeviceSignature::P256(raw.to_bytes().as_slice().try_into().expect("64 bytes"));
	let verifying = *secret.verifying_key();

	let mut group = c.benchmark_group("p256");
	group.throughput(Throughput::Elements(1));
	group.bench_function("raw_verify", |b| {
		b.iter(|| verify_signature(&key, black_box(&bytes[..]), black_box(&signature)))
	});
	group.bench_function("direct_verify", |b| {
		b.iter(|| verifying.verify(black_box(&bytes[..]), black_box(&raw)).is_ok())
	});
	group.bench_function("voucher_verify", |b| {
		b.iter(|| {
			let payload = VoucherPayload::new(GENESIS, CHANNEL, black_box(&voucher(10_000)));
			verify_voucher(&key, &payload, black_box(&signature))
		})
	});
	group.finish();
	assert!(verify_voucher(&key, &payload, &signature));
}

criterion_group!(benches, sr25519_group, ed25519_group, p256_group);
criterion_main!(benches);
