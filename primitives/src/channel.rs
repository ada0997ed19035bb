//! # Payment-channel vouchers: the bytes a payer signs off chain
//!
//! A payment channel locks the payer's deposit on chain; the payer then pays by signing
//! *vouchers*, each stating the **cumulative** amount owed so far, and hands them to the payee
//! off chain (thousands a second, no transaction each). The payee redeems the latest voucher
//! whenever it likes and receives the difference to what it already claimed. This module is the
//! single definition of the voucher bytes, for the runtime and for clients; the JavaScript client
//! in `scripts/e2e/lib/channels.js` reproduces the vectors in `test-vectors/channels.json`.
//!
//! Notation as in [`crate::device`]: little-endian integers, `‖` concatenation, `H` =
//! BLAKE2b-256.
//!
//! ## The voucher ([`VoucherPayload`])
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 41 | tag `b"iot-parachain:payment-channels:voucher:v1"` |
//! | 41 | 32 | genesis hash of the chain |
//! | 73 | 8 | channel id, `u64` |
//! | 81 | 16 | cumulative amount, `u128`, in the chain's smallest unit |
//! | 97 | 8 | nonce, `u64`: strictly increasing per channel |
//! | 105 | 1 or 33 | hash lock: `0x00` (none) or `0x01 ‖ H(preimage)` |
//! | … | 1 or 17 | pays for: `0x00` (nothing named) or `0x01 ‖ stream id u64 ‖ anchor index u64` |
//!
//! 107 bytes for a plain voucher, 155 with both options. The payer's *voucher key* (the channel
//! names it when it is opened: any [`crate::device::DeviceKey`], so a P-256 secure element can
//! pay) signs these bytes under the rules of [`crate::device::DeviceSignature`].
//!
//! - The **tag** separates vouchers from every other statement the key signs (registry proofs,
//!   anchors), the **genesis hash** binds the voucher to one chain, the **channel id** to one
//!   channel (ids are never reused).
//! - The **nonce** orders vouchers and makes each single-use: the chain accepts a voucher only if
//!   its nonce is above the last one it accepted for the channel. Signature bytes are never used
//!   as a replay key (ECDSA signatures are malleable).
//! - The **amount** is cumulative: redeeming a voucher pays `min(amount, funds) − claimed`, so
//!   nothing is paid twice and the payee need only keep the latest voucher.
//! - A **hash lock** makes the voucher redeemable only together with a preimage of the hash
//!   (`H(preimage)`, at most 64 bytes). The preimage is published on chain when the voucher is
//!   redeemed: a buyer of encrypted data signs a voucher locked to the hash of the decryption
//!   key and pays exactly when the seller reveals the key. A locked voucher for more than the
//!   channel's funds is refused, so a preimage is never published for a partial payment.
//! - **Pays for** names a provenance anchor (stream, index) the payment is for; the chain records
//!   it in the claim's event, it does not check it.

use crate::device::{verify_signature, Blake2Hasher, DeviceKey, DeviceSignature};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of a payment channel; assigned sequentially by the chain, never reused.
pub type ChannelId = u64;

/// Domain tag of [`VoucherPayload`].
pub const VOUCHER_TAG: [u8; 41] = *b"iot-parachain:payment-channels:voucher:v1";

/// Longest preimage a hash-locked voucher can be redeemed with, in bytes.
pub const MAX_PREIMAGE_LEN: u32 = 64;

/// A provenance anchor a voucher pays for: (stream id, anchor index).
pub type AnchorRef = (u64, u64);

/// The part of a voucher the payee submits; the chain fills in tag, genesis hash and channel.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct Voucher<Balance> {
	/// Cumulative amount owed to the payee since the channel opened.
	pub amount: Balance,
	/// Strictly increasing per channel.
	pub nonce: u64,
	/// `H(preimage)` if the voucher is redeemable only with a preimage.
	pub lock: Option<[u8; 32]>,
	/// The provenance anchor this payment is for, if any.
	pub pays_for: Option<AnchorRef>,
}

/// The full statement a payer's voucher key signs. Layout in the module docs.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct VoucherPayload {
	/// Always [`VOUCHER_TAG`].
	pub tag: [u8; 41],
	/// Genesis hash of the chain.
	pub genesis_hash: [u8; 32],
	/// The channel the voucher pays through.
	pub channel: ChannelId,
	/// Cumulative amount.
	pub amount: u128,
	/// Strictly increasing per channel.
	pub nonce: u64,
	/// Hash lock, if any.
	pub lock: Option<[u8; 32]>,
	/// The provenance anchor paid for, if any.
	pub pays_for: Option<AnchorRef>,
}

impl VoucherPayload {
	/// The statement for `voucher` on `channel` of the chain with `genesis_hash`.
	pub fn new<Balance: Into<u128> + Copy>(
		genesis_hash: [u8; 32],
		channel: ChannelId,
		voucher: &Voucher<Balance>,
	) -> Self {
		Self {
			tag: VOUCHER_TAG,
			genesis_hash,
			channel,
			amount: voucher.amount.into(),
			nonce: voucher.nonce,
			lock: voucher.lock,
			pays_for: voucher.pays_for,
		}
	}

	/// The bytes the voucher key signs.
	pub fn signing_bytes(&self) -> Vec<u8> {
		self.encode()
	}
}

/// Whether `signature` is `key`'s signature of the voucher (host functions for ed25519, sr25519
/// and secp256k1; P-256 in the runtime, low S only).
pub fn verify_voucher(
	key: &DeviceKey,
	payload: &VoucherPayload,
	signature: &DeviceSignature,
) -> bool {
	verify_signature(key, &payload.signing_bytes(), signature)
}

/// The hash lock a preimage opens: `H(preimage)`.
pub fn lock_of<H: Blake2Hasher>(preimage: &[u8]) -> [u8; 32] {
	H::blake2_256(preimage)
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
