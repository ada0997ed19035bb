//! A reading's inclusion proof, as the gateway serves it and as `iot-gateway verify` checks it.
//!
//! ```json
//! {
//!   "stream": 3, "sequence": 12, "device": 7,
//!   "leafIndex": 5, "count": 64,
//!   "reading": "0x…", "proof": ["0x…", "0x…"], "root": "0x…",
//!   "state": "anchored",
//!   "anchor": { "blockNumber": 120, "blockHash": "0x…", "anchorIndex": 4 },
//!   "verifyInclusion": { "method": "iot_verifyInclusion", "params": [3, 4, "0x…", 5, ["0x…"]] }
//! }
//! ```
//!
//! `verifyInclusion` is the JSON-RPC call that asks a node (`params`: stream, anchor index,
//! reading, leaf index, proof), ready to send; the provenance runtime API's `verify_inclusion`
//! takes the same five values. `anchor` and `verifyInclusion` are `null` until the batch is
//! anchored in a finalized block.

use crate::{
	chain::Chain,
	from_hex,
	store::{State, StoredBatch},
	to_hex,
};
use anyhow::{anyhow, bail, Context as _};
use iot_formats::{
	provenance::{batch, verify_reading},
	SoftwareBlake2,
};
use serde::{Deserialize, Serialize};

/// Where the chain holds a batch.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AnchorLocation {
	pub block_number: u64,
	pub block_hash: String,
	pub anchor_index: u64,
}

/// A reading with its proof; see the module docs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReadingProof {
	pub stream: u64,
	pub sequence: u64,
	pub device: u64,
	pub leaf_index: u32,
	pub count: u32,
	pub reading: String,
	pub proof: Vec<String>,
	pub root: String,
	pub state: String,
	pub anchor: Option<AnchorLocation>,
	pub verify_inclusion: Option<serde_json::Value>,
}

/// The proof of reading `leaf_index` of a stored batch; `None` if there is no such reading.
pub fn reading_proof(stored: &StoredBatch, leaf_index: u32) -> Option<ReadingProof> {
	let b = &stored.batch;
	let reading = b.readings.get(leaf_index as usize)?;
	let proof: Vec<String> = batch::proof::<SoftwareBlake2>(&b.readings, leaf_index)?
		.iter()
		.map(|h| to_hex(h))
		.collect();
	let anchor = match (&stored.state, &stored.anchored) {
		(State::Anchored, Some(at)) => Some(AnchorLocation {
			block_number: at.block_number,
			block_hash: to_hex(&at.block_hash),
			anchor_index: at.anchor_index,
		}),
		_ => None,
	};
	let verify_inclusion = anchor.as_ref().map(|a| {
		serde_json::json!({
			"method": "iot_verifyInclusion",
			"params": [b.stream, a.anchor_index, to_hex(reading), leaf_index, proof],
		})
	});
	Some(ReadingProof {
		stream: b.stream,
		sequence: b.sequence,
		device: b.device,
		leaf_index,
		count: b.count,
		reading: to_hex(reading),
		proof,
		root: to_hex(&b.root),
		state: stored.state.as_str().into(),
		anchor,
		verify_inclusion,
	})
}

/// A proof's fields as bytes.
pub struct Decoded {
	pub reading: Vec<u8>,
	pub proof: Vec<[u8; 32]>,
	pub root: [u8; 32],
}

/// Decodes the hex fields of a proof.
pub fn decode(proof: &ReadingProof) -> anyhow::Result<Decoded> {
	let reading = from_hex(&proof.reading).context("reading is not hex")?;
	let hashes = proof
		.proof
		.iter()
		.map(|h| {
			from_hex(h)
				.ok()
				.and_then(|b| <[u8; 32]>::try_from(b).ok())
				.ok_or_else(|| anyhow!("a proof hash is 32 bytes of hex: {h:?}"))
		})
		.collect::<anyhow::Result<Vec<_>>>()?;
	let root = from_hex(&proof.root)
		.ok()
		.and_then(|b| <[u8; 32]>::try_from(b).ok())
		.ok_or_else(|| anyhow!("root is 32 bytes of hex"))?;
	Ok(Decoded { reading, proof: hashes, root })
}

/// What `iot-gateway verify` found.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
	/// The proof leads from the reading to the root it names.
	pub proof_matches_root: bool,
	/// The chain's anchor at that index has that root, sequence and count.
	pub anchor_on_chain: bool,
	/// `iot_verifyInclusion`'s answer.
	pub rpc: bool,
	/// The provenance runtime API's answer.
	pub runtime_api: bool,
}

impl Verdict {
	pub fn holds(&self) -> bool {
		self.proof_matches_root && self.anchor_on_chain && self.rpc && self.runtime_api
	}
}

/// Checks a proof locally and against the node: the Merkle path, the anchor the chain holds at
/// the named index, and the node's own answers (RPC and runtime API).
pub async fn verify_against(chain: &Chain, proof: &ReadingProof) -> anyhow::Result<Verdict> {
	let Some(anchor) = &proof.anchor else {
		bail!("the batch is not anchored yet (state {}): nothing to check on chain", proof.state)
	};
	let d = decode(proof)?;
	let proof_matches_root = verify_reading::<SoftwareBlake2>(
		&d.root,
		proof.count,
		&d.reading,
		proof.leaf_index,
		&d.proof,
	);
	let anchors = chain.anchors(proof.stream).await?;
	let anchor_on_chain = anchors.iter().any(|a| {
		a.index == anchor.anchor_index
			&& a.root == d.root
			&& a.sequence == proof.sequence
			&& a.count == proof.count
	});
	let rpc = chain
		.verify_inclusion(proof.stream, anchor.anchor_index, &d.reading, proof.leaf_index, &d.proof)
		.await?;
	let runtime_api = chain
		.verify_inclusion_by_runtime_api(
			proof.stream,
			anchor.anchor_index,
			&d.reading,
			proof.leaf_index,
			&d.proof,
		)
		.await?;
	Ok(Verdict { proof_matches_root, anchor_on_chain, rpc, runtime_api })
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{batch::VerifiedBatch, store::AnchoredAt};
	use iot_formats::device::DeviceSignature;

	#[test]
	fn every_served_proof_leads_to_the_root() {
		for n in [1u32, 2, 3, 7, 64, 65] {
			let readings: Vec<Vec<u8>> = (0..n).map(|i| i.to_be_bytes().to_vec()).collect();
			let (root, count) = batch::root::<SoftwareBlake2>(&readings).unwrap();
			let stored = StoredBatch {
				id: 1,
				batch: VerifiedBatch {
					stream: 3,
					device: 7,
					sequence: 9,
					first_timestamp: 0,
					last_timestamp: 0,
					readings,
					root,
					count,
					content_id: None,
					signature: DeviceSignature::Sr25519([0; 64]),
				},
				source: "http".into(),
				received_ms: 0,
				state: State::Anchored,
				nonce: Some(0),
				tx_hash: None,
				attempts: 1,
				last_error: None,
				anchored: Some(AnchoredAt {
					block_number: 5,
					block_hash: [1; 32],
					anchor_index: 2,
				}),
				resolved_ms: None,
				valid_until: None,
			};
			for i in 0..n {
				let p = reading_proof(&stored, i).unwrap();
				let d = decode(&p).unwrap();
				assert!(verify_reading::<SoftwareBlake2>(&d.root, count, &d.reading, i, &d.proof));
				let params = &p.verify_inclusion.as_ref().unwrap()["params"];
				assert_eq!(params[1], 2);
				assert_eq!(params[3], i);
			}
			assert!(reading_proof(&stored, n).is_none());
		}
	}
}
