//! # Provenance formats: reading batches, their Merkle tree, the anchor a device signs
//!
//! A device collects readings, builds a Merkle tree over them, and signs one *anchor* statement
//! over the tree's root; any gateway relays the anchor to the chain, which keeps only the root
//! and small metadata. Anyone holding a reading and its proof can then show that the reading was
//! in an anchored batch. This module is the single definition of those bytes for the runtime,
//! for Rust clients and, through the shared test vectors in `primitives/test-vectors/`, for the
//! JavaScript implementation.
//!
//! Notation as in [`crate::device`]: little-endian integers, `‖` concatenation, `H` =
//! BLAKE2b-256.
//!
//! ## Readings and the tree
//!
//! A reading is an opaque byte string in the stream's format (its schema is declared with the
//! stream; the chain never parses readings). The tree is the one of factory batches
//! ([`crate::device::root_from_proof`]):
//!
//! - leaf `i` = `H(0x00 ‖ reading_i)` ([`reading_leaf_hash`]); the reading's bytes as they are,
//!   no length prefix (the leaf hashes exactly one reading);
//! - inner node = `H(0x01 ‖ left ‖ right)`;
//! - levels are paired from the left; **the last node of an odd level is promoted unchanged**;
//! - a batch of one reading has that reading's leaf as its root;
//! - a proof is the list of siblings from the leaf level up, skipping promoted levels; for a
//!   batch of `count` readings its length is fixed by `(index, count)` and at most 32.
//!
//! ## The anchor statement ([`AnchorPayload`])
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 34 | tag `b"iot-parachain:provenance:anchor:v1"` |
//! | 34 | 32 | genesis hash of the chain |
//! | 66 | 8 | device id, `u64` |
//! | 74 | 8 | stream id, `u64` |
//! | 82 | 8 | sequence number, `u64`: strictly increasing per device and stream |
//! | 90 | 32 | Merkle root of the batch |
//! | 122 | 4 | number of readings, `u32` (≥ 1) |
//! | 126 | 8 | time of the first reading, `u64` milliseconds since the UNIX epoch (device clock) |
//! | 134 | 8 | time of the last reading, same unit, ≥ the first |
//! | 142 | 1 or more | content id: `0x00` (none) or `0x01 ‖ compact(len) ‖ bytes`, e.g. an IPFS CID of the batch stored off chain |
//!
//! 143 bytes without a content id. The device signs these bytes with its registered key under
//! the rules of [`crate::device::DeviceSignature`]. The tag separates anchors from every other
//! statement a device key signs; the genesis hash binds the anchor to one chain; the sequence
//! number makes each statement single-use and ordered, whatever the signature bytes look like
//! (ECDSA signatures are malleable, so they are never used as replay keys).

use crate::{
	device::{node_hash, payload_bytes, root_from_proof, DeviceId, LEAF_PREFIX},
	Blake2Hasher, Sink,
};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// Identifier of a stream of readings; assigned sequentially by the provenance pallet.
pub type StreamId = u64;

/// Domain tag of [`AnchorPayload`].
pub const ANCHOR_TAG: [u8; 34] = *b"iot-parachain:provenance:anchor:v1";

/// Merkle leaf of one reading: `H(0x00 ‖ reading)`.
pub fn reading_leaf_hash<H: Blake2Hasher>(reading: &[u8]) -> [u8; 32] {
	H::hash_parts(&[&[LEAF_PREFIX], reading])
}

/// Whether `reading` is reading number `index` of the batch anchored as `(root, count)`.
pub fn verify_reading<H: Blake2Hasher>(
	root: &[u8; 32],
	count: u32,
	reading: &[u8],
	index: u32,
	proof: &[[u8; 32]],
) -> bool {
	root_from_proof::<H>(reading_leaf_hash::<H>(reading), index, count, proof)
		.is_some_and(|computed| computed == *root)
}

/// The statement a device signs to anchor a batch of readings. Layout in the module docs.
///
/// The content id is borrowed, so a device builds the statement without an allocator.
#[cfg_attr(feature = "scale", derive(codec::Encode))]
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AnchorPayload<'a> {
	/// Always [`ANCHOR_TAG`].
	pub tag: [u8; 34],
	/// Genesis hash of the chain.
	pub genesis_hash: [u8; 32],
	/// The signing device.
	pub device: DeviceId,
	/// The stream the readings belong to.
	pub stream: StreamId,
	/// Strictly increasing per device and stream.
	pub sequence: u64,
	/// Merkle root over the batch's readings.
	pub root: [u8; 32],
	/// Number of readings in the batch.
	pub count: u32,
	/// Time of the first reading, ms since the UNIX epoch.
	pub first_timestamp: u64,
	/// Time of the last reading, ms since the UNIX epoch.
	pub last_timestamp: u64,
	/// Where the batch is stored off chain (an IPFS CID, a URL), if anywhere.
	pub content_id: Option<&'a [u8]>,
}

impl AnchorPayload<'_> {
	/// Writes the bytes the device signs.
	pub fn write(&self, out: &mut dyn Sink) {
		out.put(&self.tag);
		out.put(&self.genesis_hash);
		out.put(&self.device.to_le_bytes());
		out.put(&self.stream.to_le_bytes());
		out.put(&self.sequence.to_le_bytes());
		out.put(&self.root);
		out.put(&self.count.to_le_bytes());
		out.put(&self.first_timestamp.to_le_bytes());
		out.put(&self.last_timestamp.to_le_bytes());
		match self.content_id {
			None => out.put(&[0]),
			Some(cid) => {
				out.put(&[1]);
				// A content id longer than u32::MAX bytes cannot exist in a signed statement.
				crate::write_compact_u32(u32::try_from(cid.len()).unwrap_or(u32::MAX), out);
				out.put(cid);
			},
		}
	}

	payload_bytes!();
}

/// Building batches on the device or gateway side, with `alloc` (the runtime only verifies).
#[cfg(feature = "alloc")]
pub mod batch {
	use super::reading_leaf_hash;
	use crate::{device::merkle, Blake2Hasher};
	use alloc::vec::Vec;

	/// Root and count of a batch of readings; `None` for an empty batch.
	pub fn root<H: Blake2Hasher>(readings: &[impl AsRef<[u8]>]) -> Option<([u8; 32], u32)> {
		merkle::root_of_leaves::<H>(
			readings.iter().map(|r| reading_leaf_hash::<H>(r.as_ref())).collect(),
		)
	}

	/// Inclusion proof of reading `index`.
	pub fn proof<H: Blake2Hasher>(
		readings: &[impl AsRef<[u8]>],
		index: u32,
	) -> Option<Vec<[u8; 32]>> {
		merkle::proof_of_leaves::<H>(
			readings.iter().map(|r| reading_leaf_hash::<H>(r.as_ref())).collect(),
			index,
		)
	}
}

/// Root of a tree given its two subtrees' roots (exposed for clients that build trees
/// incrementally, e.g. a device that hashes readings as they arrive).
pub fn combine<H: Blake2Hasher>(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
	node_hash::<H>(left, right)
}

#[cfg(all(test, feature = "scale"))]
mod tests {
	use super::*;
	use codec::Encode;

	#[test]
	fn hand_written_anchor_is_the_scale_encoding() {
		let long = [0x5a; 300];
		for content_id in [None, Some(&b""[..]), Some(&b"bafy"[..]), Some(&long[..])] {
			let anchor = AnchorPayload {
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
			};
			assert_eq!(anchor.signing_bytes(), anchor.encode());
			let stack = anchor.to_stack_bytes();
			if anchor.encode().len() <= crate::MAX_PAYLOAD_LEN {
				assert_eq!(stack.as_slice(), Some(&anchor.encode()[..]));
			} else {
				assert_eq!(stack.as_slice(), None);
			}
		}
	}
}
