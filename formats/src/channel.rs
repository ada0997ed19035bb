//! # Payment-channel vouchers: the bytes a payer signs off chain
//!
//! A payment channel locks the payer's deposit on chain; the payer then pays by signing
//! *vouchers*, each stating the **cumulative** amount owed so far, and hands them to the payee
//! off chain (thousands a second, no transaction each). The payee redeems the latest voucher
//! whenever it likes and receives the difference to what it already claimed. This module is the
//! single definition of the voucher bytes, for the runtime and for clients; the JavaScript client
//! reproduces the vectors in `primitives/test-vectors/channels.json`.
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
//! names it when it is opened: any [`DeviceKey`](crate::device::DeviceKey), so a P-256 secure element can
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

use crate::{device::payload_bytes, Blake2Hasher, Sink};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// Identifier of a payment channel; assigned sequentially by the chain, never reused.
pub type ChannelId = u64;

/// Domain tag of [`VoucherPayload`].
pub const VOUCHER_TAG: [u8; 41] = *b"iot-parachain:payment-channels:voucher:v1";

/// Longest preimage a hash-locked voucher can be redeemed with, in bytes.
pub const MAX_PREIMAGE_LEN: u32 = 64;

/// A provenance anchor a voucher pays for: (stream id, anchor index).
pub type AnchorRef = (u64, u64);

crate::device::chain_type! {
/// The part of a voucher the payee submits; the chain fills in tag, genesis hash and channel.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
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
}

/// The full statement a payer's voucher key signs. Layout in the module docs.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, PartialEq, Eq, Debug)]
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

	/// Writes the bytes the voucher key signs.
	pub fn write(&self, out: &mut dyn Sink) {
		out.put(&self.tag);
		out.put(&self.genesis_hash);
		out.put(&self.channel.to_le_bytes());
		out.put(&self.amount.to_le_bytes());
		out.put(&self.nonce.to_le_bytes());
		match &self.lock {
			None => out.put(&[0]),
			Some(lock) => {
				out.put(&[1]);
				out.put(lock);
			},
		}
		match self.pays_for {
			None => out.put(&[0]),
			Some((stream, anchor)) => {
				out.put(&[1]);
				out.put(&stream.to_le_bytes());
				out.put(&anchor.to_le_bytes());
			},
		}
	}

	payload_bytes!();
}

/// The hash lock a preimage opens: `H(preimage)`.
pub fn lock_of<H: Blake2Hasher>(preimage: &[u8]) -> [u8; 32] {
	H::blake2_256(preimage)
}

#[cfg(all(test, feature = "scale"))]
mod tests {
	use super::*;
	use codec::Encode;

	#[test]
	fn hand_written_voucher_is_the_scale_encoding() {
		for lock in [None, Some([0x33; 32])] {
			for pays_for in [None, Some((3, 9))] {
				let voucher = Voucher { amount: 10_000u128, nonce: 7, lock, pays_for };
				let payload = VoucherPayload::new([0x11; 32], 5, &voucher);
				assert_eq!(payload.signing_bytes(), payload.encode());
				assert_eq!(payload.to_stack_bytes().as_slice(), Some(&payload.encode()[..]));
			}
		}
	}
}
