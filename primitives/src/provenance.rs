//! # Provenance formats: reading batches, their Merkle tree, the anchor a device signs
//!
//! The byte formats are defined in [`iot_formats::provenance`] (re-exported here with their
//! documentation: the reading tree, its proofs, the anchor statement and its test vectors in
//! `primitives/test-vectors/provenance.json`); this module adds the [`ProvenanceRecorder`] trait
//! through which other pallets record readings.

use crate::device::DeviceId;
pub use iot_formats::provenance::*;

/// Recording readings that do not come device-signed (a sensor feed's aggregated value) in a
/// stream, for pallets other than provenance.
///
/// A recorded reading is kept apart from the device's own signed anchors (in provenance: the
/// stream's recorded window, with its own indices), so a recorder can never push the device's
/// anchors out of their window and no reader takes one for the other. It is stored as its leaf
/// hash ([`reading_leaf_hash`]), the root of a one-reading tree: proven with leaf index 0 and no
/// siblings. The record names the recording pallet's account; the reading's bytes say who
/// vouches for it.
pub trait ProvenanceRecorder<AccountId> {
	/// The device `stream` belongs to; `None` if there is no such stream.
	fn stream_device(stream: StreamId) -> Option<DeviceId>;

	/// Records `reading` (taken at `timestamp_ms`, ms since the UNIX epoch) as the next recorded
	/// reading of `stream`, if the stream's device is active. `sequence` is the recorder's own
	/// counter (a feed's round), stored with it; it is neither checked against nor advances the
	/// device's sequence numbers. Returns the recorded reading's index (its own counter, apart
	/// from the stream's anchor indices).
	fn record(
		stream: StreamId,
		sequence: u64,
		reading: &[u8],
		timestamp_ms: u64,
		submitter: &AccountId,
	) -> Result<u64, polkadot_sdk::sp_runtime::DispatchError>;
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::device::SoftwareBlake2;
	use serde_json::{json, Value};

	type H = SoftwareBlake2;

	use crate::hex;

	/// Reading `i` of the vectors' large batch: `u64 LE time ‖ i64 LE value` (a convention of
	/// the vectors only; the chain treats readings as opaque bytes).
	fn sample_reading(i: u64) -> Vec<u8> {
		let time = 1_700_000_000_000u64 + i * 1_000;
		let value = (i as i64) * 3 - 100;
		let mut out = time.to_le_bytes().to_vec();
		out.extend_from_slice(&value.to_le_bytes());
		out
	}

	fn anchor(content_id: Option<&[u8]>, root: [u8; 32], count: u32) -> AnchorPayload<'_> {
		AnchorPayload {
			tag: ANCHOR_TAG,
			genesis_hash: [0x11; 32],
			device: 7,
			stream: 3,
			sequence: 42,
			root,
			count,
			first_timestamp: 1_700_000_000_000,
			last_timestamp: 1_700_000_999_000,
			content_id,
		}
	}

	/// Every vector the JavaScript implementation must reproduce byte for byte.
	fn vectors() -> Value {
		let small: Vec<Vec<u8>> =
			vec![b"a".to_vec(), b"".to_vec(), vec![0xff; 40], b"21.5C".to_vec(), vec![0, 1, 2]];
		let mut small_sets = Vec::new();
		for n in 1..=small.len() {
			let readings = &small[..n];
			let (root, count) = batch::root::<H>(readings).unwrap();
			let proofs: Vec<Value> = (0..count)
				.map(|i| {
					let proof = batch::proof::<H>(readings, i).unwrap();
					json!(proof.iter().map(|h| hex(h)).collect::<Vec<_>>())
				})
				.collect();
			small_sets.push(json!({
				"readings": readings.iter().map(|r| hex(r)).collect::<Vec<_>>(),
				"leaves": readings.iter().map(|r| hex(&reading_leaf_hash::<H>(r))).collect::<Vec<_>>(),
				"root": hex(&root),
				"count": count,
				"proofs": proofs,
			}));
		}
		let large: Vec<Vec<u8>> = (0..1000).map(sample_reading).collect();
		let (large_root, large_count) = batch::root::<H>(&large).unwrap();
		let proof_537 = batch::proof::<H>(&large, 537).unwrap();
		let with_cid = anchor(Some(b"bafkreigh2akiscaildc"), large_root, large_count);
		let without_cid = anchor(None, large_root, large_count);
		json!({
			"hash": "blake2b-256",
			"leaf": "H(0x00 ‖ reading)",
			"node": "H(0x01 ‖ left ‖ right), odd last node promoted",
			"small": small_sets,
			"large": {
				"readingFormat": "u64 LE (1700000000000 + i * 1000) ‖ i64 LE (3 * i - 100), i = 0..999",
				"count": large_count,
				"root": hex(&large_root),
				"index": 537,
				"reading": hex(&large[537]),
				"proof": proof_537.iter().map(|h| hex(h)).collect::<Vec<_>>(),
			},
			"anchor": {
				"genesisHash": hex(&with_cid.genesis_hash),
				"device": with_cid.device,
				"stream": with_cid.stream,
				"sequence": with_cid.sequence,
				"firstTimestamp": with_cid.first_timestamp,
				"lastTimestamp": with_cid.last_timestamp,
				"contentId": hex(with_cid.content_id.unwrap_or_default()),
				"signingBytes": hex(&with_cid.signing_bytes()),
				"signingBytesWithoutContentId": hex(&without_cid.signing_bytes()),
			},
		})
	}

	/// The committed vectors are what this code produces. `UPDATE_TEST_VECTORS=1 cargo test -p
	/// iot-primitives` rewrites them after a deliberate format change (then bump the tag).
	#[test]
	fn test_vectors_file_is_current() {
		crate::assert_vectors_current("provenance.json", &vectors());
	}

	#[test]
	fn anchor_layout_matches_the_docs() {
		let payload = anchor(None, [0x22; 32], 5);
		let bytes = payload.signing_bytes();
		assert_eq!(bytes.len(), 143);
		assert_eq!(&bytes[..34], &ANCHOR_TAG);
		assert_eq!(&bytes[34..66], &[0x11; 32]);
		assert_eq!(&bytes[66..74], &7u64.to_le_bytes());
		assert_eq!(&bytes[74..82], &3u64.to_le_bytes());
		assert_eq!(&bytes[82..90], &42u64.to_le_bytes());
		assert_eq!(&bytes[90..122], &[0x22; 32]);
		assert_eq!(&bytes[122..126], &5u32.to_le_bytes());
		assert_eq!(bytes[142], 0);
		let with_cid = anchor(Some(&[9; 3]), [0x22; 32], 5).signing_bytes();
		assert_eq!(&with_cid[142..], &[1, 3 << 2, 9, 9, 9]);
	}

	#[test]
	fn every_reading_of_every_batch_size_proves_and_others_do_not() {
		for n in 1..=17u32 {
			let readings: Vec<Vec<u8>> = (0..n as u64).map(sample_reading).collect();
			let (root, count) = batch::root::<H>(&readings).unwrap();
			assert_eq!(count, n);
			for i in 0..n {
				let proof = batch::proof::<H>(&readings, i).unwrap();
				assert!(verify_reading::<H>(&root, count, &readings[i as usize], i, &proof));
				// A tampered reading, another index, an empty batch, a cut proof: all refused.
				let mut tampered = readings[i as usize].clone();
				tampered[0] ^= 1;
				assert!(!verify_reading::<H>(&root, count, &tampered, i, &proof));
				assert!(!verify_reading::<H>(&root, count, &readings[i as usize], i + 1, &proof));
				assert!(!verify_reading::<H>(&root, 0, &readings[i as usize], i, &proof));
				if !proof.is_empty() {
					assert!(!verify_reading::<H>(
						&root,
						count,
						&readings[i as usize],
						i,
						&proof[1..]
					));
				}
			}
		}
	}

	#[test]
	fn a_leaf_is_not_a_reading_of_a_node() {
		// An inner node presented as a leaf does not verify: leaves and nodes are tagged apart.
		let readings: Vec<Vec<u8>> = (0..4).map(sample_reading).collect();
		let (root, _) = batch::root::<H>(&readings).unwrap();
		let left = combine::<H>(
			&reading_leaf_hash::<H>(&readings[0]),
			&reading_leaf_hash::<H>(&readings[1]),
		);
		let right = combine::<H>(
			&reading_leaf_hash::<H>(&readings[2]),
			&reading_leaf_hash::<H>(&readings[3]),
		);
		assert_eq!(combine::<H>(&left, &right), root);
		let forged = [&left[..], &right[..]].concat();
		assert!(!verify_reading::<H>(&root, 1, &forged[1..], 0, &[]));
		assert!(!verify_reading::<H>(&root, 2, &left, 0, &[right]));
	}
}
