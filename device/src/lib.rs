//! # iot-device: what an IoT parachain device runs
//!
//! A device (a washer, a car, a solar logger, a factory machine) holds a key the chain knows
//! (registered by its owner, or claimed from its manufacturer's batch), collects readings into
//! batches and signs one *anchor statement* per batch, which any gateway relays to the chain. It
//! may also sign vouchers of a payment channel it pays through. This crate is everything of that
//! which runs on the device itself: `no_std`, **without an allocator**, built for Cortex-M
//! (`thumbv7em-none-eabihf`) by the test command.
//!
//! | part | what it is |
//! |---|---|
//! | [`Signer`] | the device's key: [`signer::Ed25519Signer`], [`signer::Sr25519Signer`] (with the device's RNG), [`signer::Secp256k1Signer`], [`signer::P256Signer`], and [`signer::SecureElementSigner`] for a P-256 key that never leaves a secure element (ATECC608, SE050: implement [`signer::P256SecureElement`] over its driver) |
//! | [`sign_registration`], [`sign_rotation`], [`sign_claim`], [`sign_anchor`], [`sign_voucher`] | every statement a device signs, written by the shared formats crate ([`iot_formats`]) into a stack buffer and signed |
//! | [`batch::BatchBuilder`] | readings in one at a time, the batch's Merkle root out at the end, in 1 KiB of RAM whatever the batch size (up to `u32::MAX` readings); [`batch::ProofBuilder`] also keeps the proof of one reading |
//! | [`verify::verify`] | a device signature checked off chain by the chain's rules, without the chain's crates (a gateway's check before it accepts a batch; feature `verify`) |
//! | [`sequence::SequenceCounter`] | anchor sequence numbers that are never reused after a reboot, over a [`sequence::CounterStore`] the firmware implements on its flash |
//!
//! ## Terminology
//!
//! - **Genesis hash**: the first 32 bytes of the chain's genesis block hash; every statement binds
//!   it, so a statement for a test chain is worthless on another.
//! - **Owner**: the 32-byte account id that registers or claims the device (what `decodeAddress`
//!   returns in polkadot.js).
//! - **Sequence**: the number of an anchor; the chain accepts a device's anchors of a stream only
//!   with strictly increasing sequences (gaps are fine, reuse is refused).
//!
//! ## Example: anchor a batch
//!
//! ```
//! use iot_device::{batch::BatchBuilder, sequence::{MemoryStore, SequenceCounter}, sign_anchor,
//!     signer::P256Signer, Signer};
//! use iot_formats::{provenance::{AnchorPayload, ANCHOR_TAG}, SoftwareBlake2};
//!
//! let genesis_hash = [0x11; 32];
//! let mut key = P256Signer::from_secret(&[0x42; 32]).unwrap();
//! let mut sequences = SequenceCounter::open(MemoryStore::default(), 16).unwrap();
//!
//! let mut batch = BatchBuilder::<SoftwareBlake2>::new();
//! for reading in [&b"21.5C"[..], b"21.7C", b"21.6C"] {
//!     batch.push(reading).unwrap();
//! }
//! let (root, count) = batch.finish().unwrap();
//! let anchor = AnchorPayload {
//!     tag: ANCHOR_TAG,
//!     genesis_hash,
//!     device: 7,
//!     stream: 3,
//!     sequence: sequences.next_sequence().unwrap(),
//!     root,
//!     count,
//!     first_timestamp: 1_700_000_000_000,
//!     last_timestamp: 1_700_000_060_000,
//!     content_id: None,
//! };
//! let signature = sign_anchor(&mut key, &anchor).unwrap();
//! assert_eq!(signature.kind(), key.public_key().kind());
//! ```

#![no_std]
#![cfg_attr(
	not(test),
	deny(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]

#[cfg(test)]
extern crate std;

pub mod batch;
pub mod sequence;
pub mod signer;
#[cfg(feature = "verify")]
pub mod verify;

pub use iot_formats;
pub use signer::{SignError, Signer};

use iot_formats::{
	channel::VoucherPayload,
	device::{
		BatchId, ClaimPayload, DeviceId, DeviceSignature, RegistrationPayload, RotationPayload,
	},
	provenance::AnchorPayload,
	PayloadBytes,
};

/// Signs the payload in `bytes` (`PayloadTooLong` if it did not fit the buffer).
fn sign_bytes(signer: &mut impl Signer, bytes: PayloadBytes) -> Result<DeviceSignature, SignError> {
	signer.sign(bytes.as_slice().ok_or(SignError::PayloadTooLong)?)
}

/// The proof of possession `owner` submits with `register_device` for the signer's key.
pub fn sign_registration(
	signer: &mut impl Signer,
	genesis_hash: [u8; 32],
	owner: [u8; 32],
) -> Result<DeviceSignature, SignError> {
	let payload = RegistrationPayload::new(genesis_hash, owner, signer.public_key());
	sign_bytes(signer, payload.to_stack_bytes())
}

/// The proof the device's **new** key signs when its owner rotates `device` to it; `rotation` is
/// the number of rotations the device has had so far (from its record on chain).
pub fn sign_rotation(
	new_signer: &mut impl Signer,
	genesis_hash: [u8; 32],
	device: DeviceId,
	rotation: u32,
) -> Result<DeviceSignature, SignError> {
	let payload = RotationPayload::new(genesis_hash, device, rotation, new_signer.public_key());
	sign_bytes(new_signer, payload.to_stack_bytes())
}

/// The proof `owner` submits with `claim_from_batch` for a device of factory batch `batch`.
pub fn sign_claim(
	signer: &mut impl Signer,
	genesis_hash: [u8; 32],
	batch: BatchId,
	owner: [u8; 32],
) -> Result<DeviceSignature, SignError> {
	let payload = ClaimPayload::new(genesis_hash, batch, owner, signer.public_key());
	sign_bytes(signer, payload.to_stack_bytes())
}

/// The device's signature over an anchor statement (`PayloadTooLong` with a content id over
/// 111 bytes: [`iot_formats::MAX_PAYLOAD_LEN`]).
pub fn sign_anchor(
	signer: &mut impl Signer,
	anchor: &AnchorPayload<'_>,
) -> Result<DeviceSignature, SignError> {
	sign_bytes(signer, anchor.to_stack_bytes())
}

/// A voucher signed with the channel's voucher key (the device, when it pays).
pub fn sign_voucher(
	signer: &mut impl Signer,
	voucher: &VoucherPayload,
) -> Result<DeviceSignature, SignError> {
	sign_bytes(signer, voucher.to_stack_bytes())
}

#[cfg(test)]
mod tests;
