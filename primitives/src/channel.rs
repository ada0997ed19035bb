//! # Payment-channel vouchers: the bytes a payer signs off chain
//!
//! The voucher's bytes are defined in [`iot_formats::channel`] (re-exported here with their
//! documentation and test vectors in `primitives/test-vectors/channels.json`); this module adds
//! their verification through the host's signature checks ([`verify_voucher`]) and signing with
//! `sp_core` key pairs ([`sign`], std only).

use crate::device::{verify_signature, DeviceKey, DeviceSignature};
pub use iot_formats::channel::*;

/// Whether `signature` is `key`'s signature of the voucher (host functions for ed25519, sr25519
/// and secp256k1; P-256 in the runtime, low S only).
pub fn verify_voucher(
	key: &DeviceKey,
	payload: &VoucherPayload,
	signature: &DeviceSignature,
) -> bool {
	verify_signature(key, &payload.signing_bytes(), signature)
}

/// Signing vouchers on the payer's side (std only; the runtime only verifies).
#[cfg(feature = "std")]
pub mod sign {
	use super::{DeviceSignature, VoucherPayload};
	use polkadot_sdk::sp_core::{ecdsa, ed25519, sr25519, Pair};

	/// Sr25519 voucher signature (context `b"substrate"`, like every Substrate sr25519 key).
	pub fn sr25519(pair: &sr25519::Pair, payload: &VoucherPayload) -> DeviceSignature {
		DeviceSignature::Sr25519(pair.sign(&payload.signing_bytes()).0)
	}

	/// Ed25519 voucher signature.
	pub fn ed25519(pair: &ed25519::Pair, payload: &VoucherPayload) -> DeviceSignature {
		DeviceSignature::Ed25519(pair.sign(&payload.signing_bytes()).0)
	}

	/// secp256k1 voucher signature over `blake2_256(bytes)`.
	pub fn secp256k1(pair: &ecdsa::Pair, payload: &VoucherPayload) -> DeviceSignature {
		DeviceSignature::Secp256k1(pair.sign(&payload.signing_bytes()).0)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::device::SoftwareBlake2;
	use polkadot_sdk::sp_core::{sr25519, Pair};

	fn voucher(amount: u128, nonce: u64) -> Voucher<u128> {
		Voucher { amount, nonce, lock: None, pays_for: None }
	}

	#[test]
	fn layout_matches_the_docs() {
		let plain = VoucherPayload::new([7; 32], 5, &voucher(1_000, 9)).signing_bytes();
		assert_eq!(plain.len(), 107);
		assert_eq!(&plain[..41], &VOUCHER_TAG);
		assert_eq!(&plain[41..73], &[7; 32]);
		assert_eq!(&plain[73..81], &5u64.to_le_bytes());
		assert_eq!(&plain[81..97], &1_000u128.to_le_bytes());
		assert_eq!(&plain[97..105], &9u64.to_le_bytes());
		assert_eq!(&plain[105..], &[0, 0]);

		let full = Voucher { amount: 1u128, nonce: 2, lock: Some([3; 32]), pays_for: Some((4, 5)) };
		let bytes = VoucherPayload::new([0; 32], 1, &full).signing_bytes();
		assert_eq!(bytes.len(), 155);
		assert_eq!(bytes[105], 1);
		assert_eq!(&bytes[106..138], &[3; 32]);
		assert_eq!(bytes[138], 1);
		assert_eq!(&bytes[139..147], &4u64.to_le_bytes());
		assert_eq!(&bytes[147..155], &5u64.to_le_bytes());
	}

	#[test]
	fn a_voucher_verifies_only_in_its_own_context() {
		let pair = sr25519::Pair::from_seed(&[1; 32]);
		let key = DeviceKey::Sr25519(pair.public().0);
		let payload = VoucherPayload::new([7; 32], 5, &voucher(1_000, 9));
		let signature = sign::sr25519(&pair, &payload);
		assert!(verify_voucher(&key, &payload, &signature));

		let other_chain = VoucherPayload { genesis_hash: [8; 32], ..payload.clone() };
		let other_channel = VoucherPayload { channel: 6, ..payload.clone() };
		let other_amount = VoucherPayload { amount: 1_001, ..payload.clone() };
		let other_nonce = VoucherPayload { nonce: 10, ..payload.clone() };
		let locked = VoucherPayload { lock: Some([0; 32]), ..payload.clone() };
		for changed in [other_chain, other_channel, other_amount, other_nonce, locked] {
			assert!(!verify_voucher(&key, &changed, &signature));
		}
		let stranger = DeviceKey::Sr25519(sr25519::Pair::from_seed(&[2; 32]).public().0);
		assert!(!verify_voucher(&stranger, &payload, &signature));
	}

	#[test]
	fn lock_is_blake2_of_the_preimage() {
		assert_eq!(
			lock_of::<SoftwareBlake2>(b"key"),
			polkadot_sdk::sp_crypto_hashing::blake2_256(b"key")
		);
	}

	/// Byte vectors the JavaScript client checks itself against (`scripts/e2e/lib/channels.js`):
	/// the signing bytes of a plain and of a fully optioned voucher, and the lock of a preimage.
	/// `UPDATE_TEST_VECTORS=1 cargo test -p iot-primitives` rewrites the file.
	#[test]
	fn test_vectors_file_is_current() {
		fn hex(bytes: &[u8]) -> String {
			bytes.iter().map(|b| format!("{b:02x}")).collect()
		}
		let genesis = [0xab; 32];
		let plain = voucher(123_456_789_000_000, 10_000);
		let full = Voucher {
			amount: u128::MAX,
			nonce: u64::MAX,
			lock: Some(lock_of::<SoftwareBlake2>(b"decryption key of batch 7")),
			pays_for: Some((3, 41)),
		};
		let vectors = serde_json::json!({
			"tag": String::from_utf8(VOUCHER_TAG.to_vec()).unwrap(),
			"genesisHash": format!("0x{}", hex(&genesis)),
			"vouchers": [
				{
					"channel": 0,
					"amount": plain.amount.to_string(),
					"nonce": plain.nonce.to_string(),
					"lock": null,
					"paysFor": null,
					"bytes": format!("0x{}", hex(&VoucherPayload::new(genesis, 0, &plain).signing_bytes())),
				},
				{
					"channel": 7,
					"amount": full.amount.to_string(),
					"nonce": full.nonce.to_string(),
					"preimage": "decryption key of batch 7",
					"lock": format!("0x{}", hex(&full.lock.unwrap())),
					"paysFor": [3, 41],
					"bytes": format!("0x{}", hex(&VoucherPayload::new(genesis, 7, &full).signing_bytes())),
				},
			],
		});
		crate::assert_vectors_current("channels.json", &vectors);
	}
}
