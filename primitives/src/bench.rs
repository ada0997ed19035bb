//! Device keys for FRAME benchmarks (`--features runtime-benchmarks` only): every pallet that
//! benchmarks a device-signed call signs with the same keys, the way devices do.
//!
//! Ed25519, sr25519 and secp256k1 keys live in the keystore the benchmark CLI (and a test
//! externality with `KeystoreExt`) provides, so signing goes through `sp_io::crypto`; P-256 keys
//! come from a fixed secret and are signed with `p256`, normalised to low S as the runtime
//! requires. Benchmark setup code may panic: it never runs on chain.

#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use crate::{
	device::{DeviceId, DeviceKey, DeviceSignature, KeyKind},
	provenance::StreamId,
};
use alloc::format;
use p256::ecdsa::signature::Signer as _;
use polkadot_sdk::{
	sp_core::{crypto::KeyTypeId, ecdsa, ed25519, sr25519},
	sp_io,
};

/// Keystore slot of benchmark device keys.
const KEY_TYPE: KeyTypeId = KeyTypeId(*b"iotb");

/// A device key a benchmark can sign with.
pub struct BenchKey {
	/// The public key, as registered.
	pub public: DeviceKey,
	p256: Option<p256::ecdsa::SigningKey>,
}

impl BenchKey {
	/// A deterministic key of `kind`; different `seed`s give different keys.
	pub fn new(kind: KeyKind, seed: u32) -> Self {
		let suri = || Some(format!("//iot-bench//{seed}").into_bytes());
		match kind {
			KeyKind::Ed25519 => Self {
				public: DeviceKey::Ed25519(sp_io::crypto::ed25519_generate(KEY_TYPE, suri()).0),
				p256: None,
			},
			KeyKind::Sr25519 => Self {
				public: DeviceKey::Sr25519(sp_io::crypto::sr25519_generate(KEY_TYPE, suri()).0),
				p256: None,
			},
			KeyKind::Secp256k1 => Self {
				public: DeviceKey::Secp256k1(sp_io::crypto::ecdsa_generate(KEY_TYPE, suri()).0),
				p256: None,
			},
			KeyKind::P256 => {
				let mut secret = [0x5a_u8; 32];
				secret[28..].copy_from_slice(&seed.to_be_bytes());
				let signing = p256::ecdsa::SigningKey::from_slice(&secret).expect("valid scalar");
				let point = signing.verifying_key().to_encoded_point(true);
				let mut public = [0u8; 33];
				public.copy_from_slice(point.as_bytes());
				Self { public: DeviceKey::P256(public), p256: Some(signing) }
			},
		}
	}

	/// Signs `msg` under the rules of [`DeviceSignature`].
	pub fn sign(&self, msg: &[u8]) -> DeviceSignature {
		match self.public {
			DeviceKey::Ed25519(public) => DeviceSignature::Ed25519(
				sp_io::crypto::ed25519_sign(KEY_TYPE, &ed25519::Public::from_raw(public), msg)
					.expect("key is in the keystore")
					.0,
			),
			DeviceKey::Sr25519(public) => DeviceSignature::Sr25519(
				sp_io::crypto::sr25519_sign(KEY_TYPE, &sr25519::Public::from_raw(public), msg)
					.expect("key is in the keystore")
					.0,
			),
			DeviceKey::Secp256k1(public) => DeviceSignature::Secp256k1(
				sp_io::crypto::ecdsa_sign(KEY_TYPE, &ecdsa::Public::from_raw(public), msg)
					.expect("key is in the keystore")
					.0,
			),
			DeviceKey::P256(_) => {
				let signing = self.p256.as_ref().expect("P-256 keys carry their secret");
				let signature: p256::ecdsa::Signature = signing.sign(msg);
				let signature = signature.normalize_s().unwrap_or(signature);
				let mut out = [0u8; 64];
				out.copy_from_slice(&signature.to_bytes());
				DeviceSignature::P256(out)
			},
		}
	}
}

/// What the IoT pallets' benchmarks need from the rest of the runtime: a registered device and a
/// stream of it. Each pallet that benchmarks device-signed calls names an implementation in its
/// `Config` (`type BenchmarkHelper`): the runtime's calls the registry and provenance pallets, a
/// mock its test doubles.
pub trait BenchmarkHelper<AccountId> {
	/// An active device with `key`, owned by `owner` (who can pay the registry's deposit).
	fn register_device(owner: &AccountId, key: DeviceKey) -> Option<DeviceId>;
	/// An active device with `key`, owned by `owner` (who pays every deposit), that `operator`
	/// acts for with every permission, in its worst case for the caller's reads: the runtime's
	/// registry claims it from a batch and lists `operator` last of a full operator list. A
	/// helper that does not model operators registers it to `operator` itself, which the calls
	/// accept the same way.
	fn register_device_with_operator(
		_owner: &AccountId,
		operator: &AccountId,
		key: DeviceKey,
	) -> Option<DeviceId> {
		Self::register_device(operator, key)
	}
	/// A stream of `device`, owned by `owner` (who can pay its deposit).
	fn create_stream(owner: &AccountId, device: DeviceId) -> Option<StreamId>;
	/// Marks `device` (owned by `owner`) compromised; `false` if this helper cannot. For the
	/// worst cases of calls that follow a device's lifecycle (a payment channel whose device
	/// was compromised).
	fn compromise_device(_owner: &AccountId, _device: DeviceId) -> bool {
		false
	}
}
