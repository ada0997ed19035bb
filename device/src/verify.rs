//! Checking a device's signature off chain, by the chain's rules, without the chain's crates.
//!
//! A gateway checks every batch before it accepts it, so that what it acknowledges is what the
//! chain will take; [`verify`] is that check, in pure Rust (no `sp-io`, no host functions), for
//! the four key types of [`DeviceKey`]. The rules are those of the runtime's
//! `iot_primitives::device::verify_signature` (the unit tests compare the two on every key
//! type):
//!
//! | key | rule |
//! |---|---|
//! | ed25519 | signature over the raw message |
//! | sr25519 | Schnorrkel signature, signing context `b"substrate"`, over the raw message |
//! | secp256k1 | the key recovered from `r ‖ s ‖ v` over BLAKE2b-256(message) is the device's (SEC1 compressed); `v` is 0–3 (not 27/28) |
//! | P-256 | ECDSA over SHA-256(message), low S only |
//!
//! The runtime's ed25519 check follows ZIP-215 (`ed25519-zebra`); this one uses `ed25519-dalek`'s
//! non-strict check, which agrees with it on every signature an honest signer makes. The chain
//! stays the authority: a gateway that accepts a batch still learns the chain's verdict when it
//! anchors it.

use iot_formats::device::{DeviceKey, DeviceSignature};

/// Whether `signature` is `key`'s over `message` (same key type; see the module docs).
pub fn verify(key: &DeviceKey, message: &[u8], signature: &DeviceSignature) -> bool {
	match (key, signature) {
		(DeviceKey::Ed25519(key), DeviceSignature::Ed25519(signature)) => {
			use ed25519_dalek::Verifier as _;
			let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(key) else { return false };
			key.verify(message, &ed25519_dalek::Signature::from_bytes(signature)).is_ok()
		},
		(DeviceKey::Sr25519(key), DeviceSignature::Sr25519(signature)) => {
			let Ok(key) = schnorrkel::PublicKey::from_bytes(key) else { return false };
			let Ok(signature) = schnorrkel::Signature::from_bytes(signature) else { return false };
			key.verify_simple(b"substrate", message, &signature).is_ok()
		},
		(DeviceKey::Secp256k1(key), DeviceSignature::Secp256k1(signature)) => {
			secp256k1_recovers_to(key, message, signature)
		},
		(DeviceKey::P256(key), DeviceSignature::P256(signature)) => {
			iot_formats::device::verify_p256(key, message, signature)
		},
		_ => false,
	}
}

/// The runtime recovers the signer with libsecp256k1, which takes a high `s` as well; `k256`
/// recovers only from a low one, so a high `s` is normalised first (`n - s`, the recovery id's
/// parity flipped), which recovers the same key.
fn secp256k1_recovers_to(key: &[u8; 33], message: &[u8], signature: &[u8; 65]) -> bool {
	use iot_formats::Blake2Hasher as _;
	use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

	let (rs, v) = signature.split_at(64);
	let Some(&v) = v.first() else { return false };
	let Some(mut id) = RecoveryId::from_byte(v) else { return false };
	let Ok(mut parsed) = Signature::from_slice(rs) else { return false };
	if let Some(low) = parsed.normalize_s() {
		parsed = low;
		id = RecoveryId::new(!id.is_y_odd(), id.is_x_reduced());
	}
	let digest = iot_formats::SoftwareBlake2::blake2_256(message);
	let Ok(recovered) = VerifyingKey::recover_from_prehash(&digest, &parsed, id) else {
		return false;
	};
	recovered.to_encoded_point(true).as_bytes() == key.as_slice()
}
