use crate::{
	batch::{BatchBuilder, BatchError, ProofBuilder},
	sequence::{CounterStore, MemoryStore, SequenceCounter, SequenceError},
	signer::*,
	*,
};
use iot_formats::{
	channel::{Voucher, VoucherPayload},
	device::{ClaimPayload, DeviceKey, RegistrationPayload, RotationPayload},
	provenance::{batch, verify_reading, AnchorPayload, ANCHOR_TAG},
	SoftwareBlake2,
};
use iot_primitives::device::verify_signature;
use std::{vec, vec::Vec};

type Builder = BatchBuilder<SoftwareBlake2>;

fn readings(n: u32) -> Vec<Vec<u8>> {
	(0..n).map(format_reading).collect()
}

fn format_reading(i: u32) -> Vec<u8> {
	let mut r = b"reading-".to_vec();
	r.extend_from_slice(&i.to_le_bytes());
	r
}

fn streamed(readings: &[Vec<u8>]) -> Option<([u8; 32], u32)> {
	let mut builder = Builder::new();
	for r in readings {
		builder.push(r).unwrap();
	}
	builder.finish()
}

fn streamed_proof(readings: &[Vec<u8>], index: u32) -> Option<([u8; 32], u32, Vec<[u8; 32]>)> {
	let mut builder = ProofBuilder::<SoftwareBlake2>::new(index);
	for r in readings {
		builder.push(r).unwrap();
	}
	builder.finish().map(|(root, count, proof, len)| (root, count, proof[..len].to_vec()))
}

/// Every batch size up to 300 and sizes around powers of two up to 2^14: the streamed root is
/// the chain's (the formats crate's level-by-level tree).
#[test]
fn the_streamed_root_is_the_chains_for_every_batch_size() {
	let mut sizes: Vec<u32> = (1..=300).collect();
	for k in 9..=14 {
		sizes.extend([(1 << k) - 1, 1 << k, (1 << k) + 1, (1 << k) + (1 << (k - 1)) + 3]);
	}
	let all = readings(*sizes.iter().max().unwrap());
	for n in sizes {
		let batch_readings = &all[..n as usize];
		assert_eq!(streamed(batch_readings), batch::root::<SoftwareBlake2>(batch_readings), "{n}");
	}
	assert_eq!(Builder::new().finish(), None, "an empty batch has no root");
}

/// Every index of every batch size up to 70, and first/middle/last indices of bigger ones: the
/// streamed proof is the chain's and verifies against the root.
#[test]
fn the_streamed_proof_is_the_chains_for_every_index() {
	let all = readings(5_000);
	let mut cases: Vec<(u32, u32)> = Vec::new();
	for n in 1..=70u32 {
		cases.extend((0..n).map(|i| (n, i)));
	}
	for n in [127u32, 128, 129, 1_000, 4_097, 5_000] {
		cases.extend([(n, 0), (n, n / 2), (n, n - 2), (n, n - 1)]);
	}
	for (n, i) in cases {
		let batch_readings = &all[..n as usize];
		let (root, count, proof) = streamed_proof(batch_readings, i).unwrap();
		assert_eq!(Some((root, count)), batch::root::<SoftwareBlake2>(batch_readings), "{n}/{i}");
		assert_eq!(
			Some(proof.clone()),
			batch::proof::<SoftwareBlake2>(batch_readings, i),
			"{n}/{i}"
		);
		assert!(verify_reading::<SoftwareBlake2>(&root, count, &all[i as usize], i, &proof));
	}
	// A target the batch never reached: no proof.
	assert!(streamed_proof(&all[..3], 3).is_none());
	assert!(ProofBuilder::<SoftwareBlake2>::new(0).finish().is_none());
}

/// A million readings in constant memory: the builder is 1 KiB of hashes plus its count, and
/// its root is the chain's.
#[test]
fn a_million_readings_in_about_one_kib() {
	assert!(core::mem::size_of::<Builder>() <= 1_040, "{}", core::mem::size_of::<Builder>());
	assert!(core::mem::size_of::<ProofBuilder<SoftwareBlake2>>() <= 2_100);
	let n = 1_000_000u32;
	let mut builder = Builder::new();
	let mut leaves = Vec::with_capacity(n as usize);
	for i in 0..n {
		let leaf = iot_formats::provenance::reading_leaf_hash::<SoftwareBlake2>(&i.to_le_bytes());
		builder.push_leaf(leaf).unwrap();
		leaves.push(leaf);
	}
	assert_eq!(builder.count(), n);
	let expected = iot_formats::device::merkle::root_of_leaves::<SoftwareBlake2>(leaves);
	assert_eq!(builder.finish(), expected);
}

#[test]
fn a_batch_stops_at_u32_max_readings() {
	// Not by pushing 4 billion leaves: the count is checked before anything else.
	let mut full = Builder::new();
	full.set_count_for_test(u32::MAX);
	assert_eq!(full.push(b"y"), Err(BatchError::BatchFull));
	let mut full = ProofBuilder::<SoftwareBlake2>::new(0);
	full.set_count_for_test(u32::MAX);
	assert_eq!(full.push(b"y"), Err(BatchError::BatchFull));
}

struct TestRng(u64);
impl rand_core::RngCore for TestRng {
	fn next_u32(&mut self) -> u32 {
		self.next_u64() as u32
	}
	fn next_u64(&mut self) -> u64 {
		// splitmix64: deterministic, fine for a test of nonce plumbing (never for a device).
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
impl rand_core::CryptoRng for TestRng {}

fn software_signers() -> Vec<Box<dyn Signer>> {
	vec![
		Box::new(Ed25519Signer::from_seed(&[1; 32])),
		Box::new(Sr25519Signer::from_seed(&[2; 32], TestRng(7)).unwrap()),
		Box::new(Secp256k1Signer::from_secret(&[3; 32]).unwrap()),
		Box::new(P256Signer::from_secret(&[4; 32]).unwrap()),
	]
}

use std::boxed::Box;

impl Signer for Box<dyn Signer> {
	fn public_key(&self) -> DeviceKey {
		(**self).public_key()
	}
	fn sign(&mut self, message: &[u8]) -> Result<DeviceSignature, SignError> {
		(**self).sign(message)
	}
}

/// Every statement, signed by every software signer, passes the chain's own signature check over
/// the formats crate's bytes.
#[test]
fn every_statement_of_every_signer_verifies_as_the_chain_checks_it() {
	let genesis = [0x11; 32];
	let owner = [0x07; 32];
	for mut signer in software_signers() {
		let key = signer.public_key();
		let check = |bytes: Vec<u8>, signature: DeviceSignature| {
			assert!(verify_signature(&key, &bytes, &signature), "{key:?}");
			// And not for other bytes.
			let mut other = bytes.clone();
			other[0] ^= 1;
			assert!(!verify_signature(&key, &other, &signature), "{key:?}");
		};
		let signature = sign_registration(&mut signer, genesis, owner).unwrap();
		check(RegistrationPayload::new(genesis, owner, key).signing_bytes(), signature);
		let signature = sign_rotation(&mut signer, genesis, 9, 2).unwrap();
		check(RotationPayload::new(genesis, 9, 2, key).signing_bytes(), signature);
		let signature = sign_claim(&mut signer, genesis, 4, owner).unwrap();
		check(ClaimPayload::new(genesis, 4, owner, key).signing_bytes(), signature);
		let anchor = anchor(Some(b"bafybeigdyrzt"));
		let signature = sign_anchor(&mut signer, &anchor).unwrap();
		check(anchor.signing_bytes(), signature);
		let voucher = VoucherPayload::new(
			genesis,
			3,
			&Voucher { amount: 500u128, nonce: 2, lock: Some([9; 32]), pays_for: Some((3, 1)) },
		);
		let signature = sign_voucher(&mut signer, &voucher).unwrap();
		check(voucher.signing_bytes(), signature);
	}
}

fn anchor(content_id: Option<&[u8]>) -> AnchorPayload<'_> {
	AnchorPayload {
		tag: ANCHOR_TAG,
		genesis_hash: [0x11; 32],
		device: 7,
		stream: 3,
		sequence: 42,
		root: [0x22; 32],
		count: 5,
		first_timestamp: 1_700_000_000_000,
		last_timestamp: 1_700_000_999_000,
		content_id,
	}
}

#[test]
fn a_content_id_too_long_for_the_buffer_is_an_error_not_a_truncated_statement() {
	let mut signer = P256Signer::from_secret(&[4; 32]).unwrap();
	assert!(sign_anchor(&mut signer, &anchor(Some(&[0x5a; 111]))).is_ok());
	assert_eq!(
		sign_anchor(&mut signer, &anchor(Some(&[0x5a; 112]))),
		Err(SignError::PayloadTooLong)
	);
}

/// The software signers derive the keys the SDK (and polkadot.js) derive from the same seeds.
#[test]
fn seeds_give_the_sdks_keys() {
	use polkadot_sdk::sp_core::{ecdsa, ed25519, sr25519, Pair};
	let ed = ed25519::Pair::from_seed(&[1; 32]);
	assert_eq!(Ed25519Signer::from_seed(&[1; 32]).public_key(), DeviceKey::Ed25519(ed.public().0));
	let sr = sr25519::Pair::from_seed(&[2; 32]);
	let ours = Sr25519Signer::from_seed(&[2; 32], TestRng(0)).unwrap();
	assert_eq!(ours.public_key(), DeviceKey::Sr25519(sr.public().0));
	let k1 = ecdsa::Pair::from_seed(&[3; 32]);
	assert_eq!(
		Secp256k1Signer::from_secret(&[3; 32]).unwrap().public_key(),
		DeviceKey::Secp256k1(k1.public().0)
	);
	assert_eq!(P256Signer::from_secret(&[0; 32]).err(), Some(SignError::InvalidSecret));
}

/// A secure element that signs with a software key and returns high S when told to.
struct FakeElement {
	key: p256::ecdsa::SigningKey,
	high_s: bool,
	corrupt: bool,
}

impl P256SecureElement for FakeElement {
	fn public_key(&self) -> [u8; 33] {
		let point = self.key.verifying_key().to_encoded_point(true);
		point.as_bytes().try_into().unwrap()
	}
	fn sign_digest(&mut self, digest: &[u8; 32]) -> Result<[u8; 64], &'static str> {
		use p256::ecdsa::signature::hazmat::PrehashSigner;
		let signature: p256::ecdsa::Signature = self.key.sign_prehash(digest).unwrap();
		let low = signature.normalize_s().unwrap_or(signature);
		let mut out: [u8; 64] = low.to_bytes().into();
		if self.high_s {
			let s: [u8; 32] = out[32..].try_into().unwrap();
			let n = p256_order();
			out[32..].copy_from_slice(&sub(&n, &s));
		}
		if self.corrupt {
			out[0] ^= 1;
		}
		Ok(out)
	}
}

fn p256_order() -> [u8; 32] {
	let mut n = [0u8; 32];
	n.copy_from_slice(&hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"));
	n
}

fn hex(s: &str) -> Vec<u8> {
	(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
	// Reference subtraction through u128 halves, independent of the crate's.
	let (ah, al) = (
		u128::from_be_bytes(a[..16].try_into().unwrap()),
		u128::from_be_bytes(a[16..].try_into().unwrap()),
	);
	let (bh, bl) = (
		u128::from_be_bytes(b[..16].try_into().unwrap()),
		u128::from_be_bytes(b[16..].try_into().unwrap()),
	);
	let (lo, borrow) = al.overflowing_sub(bl);
	let hi = ah - bh - u128::from(borrow);
	let mut out = [0u8; 32];
	out[..16].copy_from_slice(&hi.to_be_bytes());
	out[16..].copy_from_slice(&lo.to_be_bytes());
	out
}

#[test]
fn a_secure_elements_high_s_is_normalised_and_a_bad_signature_caught() {
	let key = p256::ecdsa::SigningKey::from_slice(&[5; 32]).unwrap();
	for high_s in [false, true] {
		let mut signer =
			SecureElementSigner(FakeElement { key: key.clone(), high_s, corrupt: false });
		let message = b"an anchor statement";
		let DeviceSignature::P256(signature) = signer.sign(message).unwrap() else { panic!() };
		assert!(verify_signature(&signer.public_key(), message, &DeviceSignature::P256(signature)));
		// The chain refuses the high-S twin: the wrapper must never return it.
		let s: [u8; 32] = signature[32..].try_into().unwrap();
		let mut twin = signature;
		twin[32..].copy_from_slice(&sub(&p256_order(), &s));
		assert!(!verify_signature(&signer.public_key(), message, &DeviceSignature::P256(twin)));
	}
	let mut broken = SecureElementSigner(FakeElement { key, high_s: false, corrupt: true });
	assert!(matches!(broken.sign(b"x"), Err(SignError::Hardware(_))));
}

#[test]
fn normalisation_refuses_what_is_not_a_signature() {
	let n = p256_order();
	let one = {
		let mut x = [0u8; 32];
		x[31] = 1;
		x
	};
	let join = |r: &[u8; 32], s: &[u8; 32]| {
		let mut out = [0u8; 64];
		out[..32].copy_from_slice(r);
		out[32..].copy_from_slice(s);
		out
	};
	assert_eq!(normalize_p256_signature(&join(&[0; 32], &one)), None);
	assert_eq!(normalize_p256_signature(&join(&one, &[0; 32])), None);
	assert_eq!(normalize_p256_signature(&join(&n, &one)), None);
	assert_eq!(normalize_p256_signature(&join(&one, &n)), None);
	// s = n - 1 is high: it becomes 1.
	let n_minus_1 = sub(&n, &one);
	assert_eq!(normalize_p256_signature(&join(&one, &n_minus_1)), Some(join(&one, &one)));
	assert_eq!(normalize_p256_signature(&join(&one, &one)), Some(join(&one, &one)));
}

/// A store that fails on demand, to cut the power "during" a write.
#[derive(Default)]
struct Flash {
	value: Option<u64>,
	writes: u64,
	fail: bool,
}

impl CounterStore for Flash {
	type Error = &'static str;
	fn load(&mut self) -> Result<Option<u64>, Self::Error> {
		Ok(self.value)
	}
	fn persist(&mut self, value: u64) -> Result<(), Self::Error> {
		if self.fail {
			return Err("flash busy");
		}
		self.value = Some(value);
		self.writes += 1;
		Ok(())
	}
}

#[test]
fn sequence_numbers_never_repeat_across_reboots_and_write_the_flash_once_per_block() {
	let mut flash = Flash::default();
	let mut handed_out = Vec::new();
	// Five boots; each uses a few numbers and then loses power at an arbitrary point.
	for used in [3u64, 16, 17, 0, 40] {
		let mut counter = SequenceCounter::open(flash, 16).unwrap();
		for _ in 0..used {
			handed_out.push(counter.next_sequence().unwrap());
		}
		flash = counter.into_store();
	}
	assert!(handed_out.windows(2).all(|w| w[0] < w[1]), "{handed_out:?}");
	// 3 → 1 block, 16 → 1, 17 → 2, 0 → 0, 40 → 3: one write per 16 numbers or boot.
	assert_eq!(flash.writes, 7);
	// A failed write hands out nothing, and the next try continues where it was.
	let mut counter = SequenceCounter::open(flash, 16).unwrap();
	let first = counter.peek();
	counter.store_mut_for_test().fail = true;
	assert_eq!(counter.next_sequence(), Err(SequenceError::Store("flash busy")));
	counter.store_mut_for_test().fail = false;
	assert_eq!(counter.next_sequence(), Ok(first));
	assert!(first > *handed_out.last().unwrap());
}

#[test]
fn a_counter_moves_past_what_the_chain_already_has() {
	let mut counter = SequenceCounter::open(MemoryStore::default(), 4).unwrap();
	assert_eq!(counter.next_sequence(), Ok(0));
	counter.advance_past(99).unwrap();
	assert_eq!(counter.next_sequence(), Ok(100));
	counter.advance_past(5).unwrap();
	assert_eq!(counter.next_sequence(), Ok(101), "never backwards");
	assert_eq!(counter.advance_past(u64::MAX), Err(SequenceError::Exhausted));
	let store = counter.into_store();
	assert_eq!(store.value, Some(104));
	let mut reopened = SequenceCounter::open(store, 4).unwrap();
	assert_eq!(reopened.next_sequence(), Ok(104));
}

/// The gateway's off-chain check says what the chain's says: for every key type, on good
/// signatures, on other bytes, on a key of another type, on a secp256k1 signature with a high
/// `s` (which the chain's recovery takes) and on a P-256 one (which it refuses).
#[test]
fn the_off_chain_check_agrees_with_the_chains() {
	use crate::verify::verify;
	let anchor = anchor(None);
	let bytes = anchor.signing_bytes();
	let mut other = bytes.clone();
	other[100] ^= 0x40;
	let signers = software_signers();
	let keys: Vec<DeviceKey> = signers.iter().map(|s| s.public_key()).collect();
	for mut signer in signers {
		let signature = sign_anchor(&mut signer, &anchor).unwrap();
		for key in &keys {
			for message in [&bytes, &other] {
				assert_eq!(
					verify(key, message, &signature),
					verify_signature(key, message, &signature),
					"{key:?} {signature:?}"
				);
			}
		}
		assert!(verify(&signer.public_key(), &bytes, &signature));
		assert!(!verify(&signer.public_key(), &other, &signature));
		// The same signature with its `s` replaced by `n - s`.
		let high = match signature {
			DeviceSignature::Secp256k1(mut sig) => {
				let n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
				let s: [u8; 32] = sig[32..64].try_into().unwrap();
				sig[32..64].copy_from_slice(&sub(&n.try_into().unwrap(), &s));
				sig[64] ^= 1;
				Some(DeviceSignature::Secp256k1(sig))
			},
			DeviceSignature::P256(mut sig) => {
				let s: [u8; 32] = sig[32..].try_into().unwrap();
				sig[32..].copy_from_slice(&sub(&p256_order(), &s));
				Some(DeviceSignature::P256(sig))
			},
			_ => None,
		};
		if let Some(high) = high {
			let chain = verify_signature(&signer.public_key(), &bytes, &high);
			assert_eq!(verify(&signer.public_key(), &bytes, &high), chain, "{high:?}");
		}
		// A legacy `v` of 27/28 for secp256k1: the chain's check refuses it, and so does ours.
		if let DeviceSignature::Secp256k1(mut sig) = signature {
			sig[64] += 27;
			let legacy = DeviceSignature::Secp256k1(sig);
			assert!(!verify_signature(&signer.public_key(), &bytes, &legacy));
			assert!(!verify(&signer.public_key(), &bytes, &legacy));
		}
	}
}
