//! What a device sends, and the checks that make it a batch the gateway accepts.
//!
//! ## The batch (JSON, the same over HTTP and MQTT)
//!
//! ```json
//! {
//!   "stream": 3,
//!   "device": 7,
//!   "sequence": 12,
//!   "firstTimestamp": 1700000000000,
//!   "lastTimestamp": 1700000063000,
//!   "readings": ["0x0102…", "0x0304…"],
//!   "root": "0x5f…",
//!   "count": 2,
//!   "contentId": "0x6261…",
//!   "keyType": "p256",
//!   "signature": "0x30…"
//! }
//! ```
//!
//! - `stream`, `sequence`, the two timestamps (ms since the UNIX epoch, device clock),
//!   `readings` (hex, each the reading's bytes in the stream's format) and `signature` (hex: 64
//!   bytes, 65 for secp256k1 `r ‖ s ‖ v`) are required; `keyType` is one of `ed25519`, `sr25519`,
//!   `secp256k1`, `p256` and must be the type of the device's key on chain.
//! - `device`, `root` and `count` are optional; when given they must be what the chain and the
//!   readings say (a device that streamed its root can send it, and a mismatch is an error
//!   rather than a silent recomputation).
//! - `contentId` (hex) is where the batch is stored off chain, if anywhere.
//!
//! The statement the device signed is rebuilt from these fields, the chain's genesis hash, the
//! stream's device and the root of `readings` ([`iot_formats::provenance::AnchorPayload`]).
//!
//! Every refusal is a [`Rejection`]: an HTTP status, a stable `code` and a reason in words.

use crate::from_hex;
use iot_formats::{
	device::{DeviceId, DeviceKey, DeviceSignature},
	provenance::{batch, AnchorPayload, StreamId, ANCHOR_TAG},
	SoftwareBlake2,
};
use serde::{Deserialize, Serialize};

/// The batch as a device sends it (see the module docs).
#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchRequest {
	pub stream: StreamId,
	#[serde(default)]
	pub device: Option<DeviceId>,
	pub sequence: u64,
	pub first_timestamp: u64,
	pub last_timestamp: u64,
	pub readings: Vec<String>,
	#[serde(default)]
	pub root: Option<String>,
	#[serde(default)]
	pub count: Option<u32>,
	#[serde(default)]
	pub content_id: Option<String>,
	pub key_type: String,
	pub signature: String,
}

/// Why a batch was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
	/// HTTP status: 4xx for the sender's fault, 503 when the chain cannot be asked, 500 when the
	/// store fails.
	#[serde(skip)]
	pub status: u16,
	/// Stable, machine-readable: `bad_json`, `bad_hex`, `empty_batch`, `too_many_readings`,
	/// `reading_too_large`, `content_id_too_long`, `bad_time_range`, `count_mismatch`,
	/// `root_mismatch`, `bad_key_type`, `bad_signature_length`, `unknown_stream`,
	/// `device_mismatch`, `unknown_device`, `device_inactive`, `key_type_mismatch`,
	/// `bad_signature`, `stale_sequence`, `body_too_large`, `chain_unavailable`,
	/// `store_failed`, `shutting_down`.
	#[serde(rename = "error")]
	pub code: &'static str,
	/// In words, with the values involved.
	pub reason: String,
}

impl Rejection {
	pub fn new(status: u16, code: &'static str, reason: impl Into<String>) -> Self {
		Self { status, code, reason: reason.into() }
	}
	fn bad(code: &'static str, reason: impl Into<String>) -> Self {
		Self::new(400, code, reason)
	}
}

impl std::fmt::Display for Rejection {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "{}: {}", self.code, self.reason)
	}
}

/// Bounds on what one batch may hold (from the configuration).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	pub max_readings: u32,
	pub max_reading_bytes: usize,
	pub max_content_id_bytes: usize,
}

impl Default for Limits {
	fn default() -> Self {
		// 100 readings per second for over 15 minutes; 4 KiB is more than any sensor sample; the
		// runtime's MaxContentIdLen is 96.
		Self { max_readings: 100_000, max_reading_bytes: 4096, max_content_id_bytes: 96 }
	}
}

/// A batch whose fields parse and agree with each other; not yet checked against the chain.
#[derive(Clone, Debug)]
pub struct ParsedBatch {
	pub stream: StreamId,
	pub device: Option<DeviceId>,
	pub sequence: u64,
	pub first_timestamp: u64,
	pub last_timestamp: u64,
	pub readings: Vec<Vec<u8>>,
	pub root: [u8; 32],
	pub count: u32,
	pub content_id: Option<Vec<u8>>,
	pub signature: DeviceSignature,
}

/// What the chain says of a stream and its device, as the gateway last read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamFacts {
	pub device: DeviceId,
	pub last_sequence: Option<u64>,
	pub key: DeviceKey,
	/// Active in the registry (not suspended, decommissioned, compromised).
	pub active: bool,
}

/// A batch that passed every check: what the store keeps and the anchorer submits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedBatch {
	pub stream: StreamId,
	pub device: DeviceId,
	pub sequence: u64,
	pub first_timestamp: u64,
	pub last_timestamp: u64,
	pub readings: Vec<Vec<u8>>,
	pub root: [u8; 32],
	pub count: u32,
	pub content_id: Option<Vec<u8>>,
	pub signature: DeviceSignature,
}

fn hex_field(field: &str, text: &str) -> Result<Vec<u8>, Rejection> {
	from_hex(text).map_err(|e| Rejection::bad("bad_hex", format!("{field} is not hex: {e}")))
}

fn signature_of(key_type: &str, bytes: Vec<u8>) -> Result<DeviceSignature, Rejection> {
	let len = bytes.len();
	let wrong = |want: usize| {
		Rejection::bad(
			"bad_signature_length",
			format!("a {key_type} signature has {want} bytes, this one {len}"),
		)
	};
	Ok(match key_type {
		"ed25519" => DeviceSignature::Ed25519(bytes.try_into().map_err(|_| wrong(64))?),
		"sr25519" => DeviceSignature::Sr25519(bytes.try_into().map_err(|_| wrong(64))?),
		"secp256k1" => DeviceSignature::Secp256k1(bytes.try_into().map_err(|_| wrong(65))?),
		"p256" => DeviceSignature::P256(bytes.try_into().map_err(|_| wrong(64))?),
		other => {
			return Err(Rejection::bad(
				"bad_key_type",
				format!("keyType {other:?} is none of ed25519, sr25519, secp256k1, p256"),
			))
		},
	})
}

/// The key type's name as `keyType` spells it.
pub fn key_type_name(key: &DeviceKey) -> &'static str {
	match key {
		DeviceKey::Ed25519(_) => "ed25519",
		DeviceKey::Sr25519(_) => "sr25519",
		DeviceKey::Secp256k1(_) => "secp256k1",
		DeviceKey::P256(_) => "p256",
	}
}

/// The name of a signature's key type.
pub fn signature_type_name(signature: &DeviceSignature) -> &'static str {
	match signature {
		DeviceSignature::Ed25519(_) => "ed25519",
		DeviceSignature::Sr25519(_) => "sr25519",
		DeviceSignature::Secp256k1(_) => "secp256k1",
		DeviceSignature::P256(_) => "p256",
	}
}

/// The signature's bytes, without its type.
pub fn signature_bytes(signature: &DeviceSignature) -> &[u8] {
	match signature {
		DeviceSignature::Ed25519(b) | DeviceSignature::Sr25519(b) | DeviceSignature::P256(b) => b,
		DeviceSignature::Secp256k1(b) => b,
	}
}

/// A signature from its type name and bytes (as stored).
pub fn signature_from_parts(key_type: &str, bytes: Vec<u8>) -> Result<DeviceSignature, Rejection> {
	signature_of(key_type, bytes)
}

impl BatchRequest {
	/// Parses the JSON body of a batch.
	pub fn from_json(body: &[u8]) -> Result<Self, Rejection> {
		serde_json::from_slice(body).map_err(|e| Rejection::bad("bad_json", e.to_string()))
	}

	/// Decodes every field, applies `limits`, computes the root over the readings and compares
	/// it (and the count) with what the device said.
	pub fn parse(self, limits: &Limits) -> Result<ParsedBatch, Rejection> {
		if self.readings.is_empty() {
			return Err(Rejection::bad("empty_batch", "a batch has at least one reading"));
		}
		if self.readings.len() > limits.max_readings as usize {
			return Err(Rejection::new(
				413,
				"too_many_readings",
				format!(
					"{} readings; this gateway takes at most {} per batch",
					self.readings.len(),
					limits.max_readings
				),
			));
		}
		if self.first_timestamp > self.last_timestamp {
			return Err(Rejection::bad(
				"bad_time_range",
				format!(
					"the last reading's time {} is before the first one's {}",
					self.last_timestamp, self.first_timestamp
				),
			));
		}
		let mut readings = Vec::with_capacity(self.readings.len());
		for (i, text) in self.readings.iter().enumerate() {
			// A hex string's length bounds its bytes: refuse before decoding.
			if text.len() > 2 + 2 * limits.max_reading_bytes {
				return Err(Rejection::new(
					413,
					"reading_too_large",
					format!("reading {i} is over {} bytes", limits.max_reading_bytes),
				));
			}
			readings.push(hex_field(&format!("readings[{i}]"), text)?);
		}
		let content_id = match &self.content_id {
			None => None,
			Some(text) => {
				let bytes = hex_field("contentId", text)?;
				if bytes.len() > limits.max_content_id_bytes {
					return Err(Rejection::bad(
						"content_id_too_long",
						format!(
							"contentId has {} bytes; at most {}",
							bytes.len(),
							limits.max_content_id_bytes
						),
					));
				}
				Some(bytes)
			},
		};
		let (root, count) = batch::root::<SoftwareBlake2>(&readings)
			.ok_or_else(|| Rejection::bad("empty_batch", "a batch has at least one reading"))?;
		if let Some(said) = self.count {
			if said != count {
				return Err(Rejection::bad(
					"count_mismatch",
					format!("count says {said}, the batch holds {count} readings"),
				));
			}
		}
		if let Some(said) = &self.root {
			let said = hex_field("root", said)?;
			if said != root {
				return Err(Rejection::bad(
					"root_mismatch",
					format!(
						"the readings' Merkle root is {}, the batch says {}",
						crate::to_hex(&root),
						crate::to_hex(&said)
					),
				));
			}
		}
		let signature = signature_of(&self.key_type, hex_field("signature", &self.signature)?)?;
		Ok(ParsedBatch {
			stream: self.stream,
			device: self.device,
			sequence: self.sequence,
			first_timestamp: self.first_timestamp,
			last_timestamp: self.last_timestamp,
			readings,
			root,
			count,
			content_id,
			signature,
		})
	}
}

impl ParsedBatch {
	/// The statement the device signed, for the chain `genesis_hash` and the stream's `device`.
	pub fn statement(&self, genesis_hash: [u8; 32], device: DeviceId) -> AnchorPayload<'_> {
		AnchorPayload {
			tag: ANCHOR_TAG,
			genesis_hash,
			device,
			stream: self.stream,
			sequence: self.sequence,
			root: self.root,
			count: self.count,
			first_timestamp: self.first_timestamp,
			last_timestamp: self.last_timestamp,
			content_id: self.content_id.as_deref(),
		}
	}

	/// Checks the batch against what the chain says of its stream: the device, its status and
	/// key, the signature over the rebuilt statement, and the sequence.
	pub fn verify(
		self,
		facts: &StreamFacts,
		genesis_hash: [u8; 32],
	) -> Result<VerifiedBatch, Rejection> {
		if let Some(said) = self.device {
			if said != facts.device {
				return Err(Rejection::bad(
					"device_mismatch",
					format!(
						"stream {} belongs to device {}, not {said}",
						self.stream, facts.device
					),
				));
			}
		}
		if !facts.active {
			return Err(Rejection::new(
				422,
				"device_inactive",
				format!(
					"device {} is not active on chain (suspended, decommissioned or compromised)",
					facts.device
				),
			));
		}
		let (want, got) = (key_type_name(&facts.key), signature_type_name(&self.signature));
		if want != got {
			return Err(Rejection::bad(
				"key_type_mismatch",
				format!("device {} has a {want} key; the batch is signed with {got}", facts.device),
			));
		}
		if let Some(last) = facts.last_sequence {
			if self.sequence <= last {
				return Err(Rejection::new(
					409,
					"stale_sequence",
					format!(
						"sequence {} is not above {last}, the stream's last anchored sequence",
						self.sequence
					),
				));
			}
		}
		let bytes = self.statement(genesis_hash, facts.device).signing_bytes();
		if !iot_device::verify::verify(&facts.key, &bytes, &self.signature) {
			return Err(Rejection::new(
				422,
				"bad_signature",
				format!(
					"the signature is not device {}'s over this statement (chain, stream, sequence, readings, times and content id)",
					facts.device
				),
			));
		}
		Ok(VerifiedBatch {
			stream: self.stream,
			device: facts.device,
			sequence: self.sequence,
			first_timestamp: self.first_timestamp,
			last_timestamp: self.last_timestamp,
			readings: self.readings,
			root: self.root,
			count: self.count,
			content_id: self.content_id,
			signature: self.signature,
		})
	}
}

/// Readings as stored: each as `u32 LE length ‖ bytes`.
pub fn encode_readings(readings: &[Vec<u8>]) -> Vec<u8> {
	let mut out = Vec::with_capacity(readings.iter().map(|r| r.len() + 4).sum());
	for r in readings {
		out.extend_from_slice(&u32::try_from(r.len()).unwrap_or(u32::MAX).to_le_bytes());
		out.extend_from_slice(r);
	}
	out
}

/// The inverse of [`encode_readings`]; `None` if the bytes are not such a list.
pub fn decode_readings(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
	let mut out = Vec::new();
	while !bytes.is_empty() {
		let (len, rest) = bytes.split_first_chunk::<4>()?;
		let len = u32::from_le_bytes(*len) as usize;
		if rest.len() < len {
			return None;
		}
		let (reading, rest) = rest.split_at(len);
		out.push(reading.to_vec());
		bytes = rest;
	}
	Some(out)
}

#[cfg(test)]
mod tests {
	use super::*;
	use iot_device::{signer::P256Signer, Signer};

	pub(crate) fn signed_request(
		signer: &mut impl Signer,
		genesis: [u8; 32],
		device: DeviceId,
		stream: StreamId,
		sequence: u64,
		readings: &[Vec<u8>],
	) -> BatchRequest {
		let (root, count) = batch::root::<SoftwareBlake2>(readings).unwrap();
		let statement = AnchorPayload {
			tag: ANCHOR_TAG,
			genesis_hash: genesis,
			device,
			stream,
			sequence,
			root,
			count,
			first_timestamp: 1_000,
			last_timestamp: 2_000,
			content_id: None,
		};
		let signature = iot_device::sign_anchor(signer, &statement).unwrap();
		BatchRequest {
			stream,
			device: Some(device),
			sequence,
			first_timestamp: 1_000,
			last_timestamp: 2_000,
			readings: readings.iter().map(|r| crate::to_hex(r)).collect(),
			root: Some(crate::to_hex(&root)),
			count: Some(count),
			content_id: None,
			key_type: signature_type_name(&signature).into(),
			signature: crate::to_hex(signature_bytes(&signature)),
		}
	}

	fn setup() -> (BatchRequest, StreamFacts) {
		let mut signer = P256Signer::from_secret(&[0x41; 32]).unwrap();
		let readings: Vec<Vec<u8>> = (0u32..10).map(|i| i.to_le_bytes().to_vec()).collect();
		let request = signed_request(&mut signer, [7; 32], 4, 2, 5, &readings);
		let facts = StreamFacts {
			device: 4,
			last_sequence: Some(4),
			key: signer.public_key(),
			active: true,
		};
		(request, facts)
	}

	fn code(result: Result<VerifiedBatch, Rejection>) -> &'static str {
		result.unwrap_err().code
	}

	#[test]
	fn a_well_signed_batch_passes() {
		let (request, facts) = setup();
		let batch = request.parse(&Limits::default()).unwrap().verify(&facts, [7; 32]).unwrap();
		assert_eq!((batch.device, batch.sequence, batch.count), (4, 5, 10));
	}

	#[test]
	fn every_bad_field_has_its_own_reason() {
		let limits = Limits::default();
		let check = |edit: &dyn Fn(&mut BatchRequest, &mut StreamFacts), want: &str| {
			let (mut request, mut facts) = setup();
			edit(&mut request, &mut facts);
			let got = request.parse(&limits).and_then(|p| p.verify(&facts, [7; 32]));
			assert_eq!(code(got), want);
		};
		check(&|r, _| r.readings.clear(), "empty_batch");
		check(&|r, _| r.readings[3] = "0xzz".into(), "bad_hex");
		check(&|r, _| r.readings[3] = "0x00".into(), "root_mismatch");
		check(&|r, _| r.count = Some(11), "count_mismatch");
		check(&|r, _| r.first_timestamp = 3_000, "bad_time_range");
		check(&|r, _| r.key_type = "rsa".into(), "bad_key_type");
		check(&|r, _| r.signature = "0x00".into(), "bad_signature_length");
		check(&|r, _| r.readings.push(format!("0x{}", "00".repeat(5000))), "reading_too_large");
		check(&|r, _| r.content_id = Some(format!("0x{}", "61".repeat(97))), "content_id_too_long");
		check(&|r, _| r.device = Some(5), "device_mismatch");
		check(&|_, f| f.active = false, "device_inactive");
		check(&|r, _| r.key_type = "sr25519".into(), "key_type_mismatch");
		check(&|_, f| f.last_sequence = Some(5), "stale_sequence");
	}

	#[test]
	fn the_statement_binds_every_field() {
		let limits = Limits::default();
		let (request, facts) = setup();
		for edit in 0..4 {
			let mut r = request.clone();
			let mut f = facts.clone();
			match edit {
				0 => r.sequence = 6,
				1 => r.last_timestamp = 2_001,
				2 => r.content_id = Some("0x6161".into()),
				_ => f.key = P256Signer::from_secret(&[0x42; 32]).unwrap().public_key(),
			}
			let got = r.parse(&limits).unwrap().verify(&f, [7; 32]);
			assert_eq!(code(got), "bad_signature", "edit {edit}");
		}
		let got = request.parse(&limits).unwrap().verify(&facts, [8; 32]);
		assert_eq!(code(got), "bad_signature", "another chain");
	}

	#[test]
	fn too_many_readings_are_refused_before_hashing() {
		let (mut request, _) = setup();
		request.readings = vec!["0x00".into(); 11];
		let limits = Limits { max_readings: 10, ..Limits::default() };
		assert_eq!(request.parse(&limits).unwrap_err().code, "too_many_readings");
	}

	#[test]
	fn stored_readings_round_trip() {
		let readings = vec![vec![], vec![1, 2, 3], vec![0; 300]];
		assert_eq!(decode_readings(&encode_readings(&readings)).unwrap(), readings);
		assert_eq!(decode_readings(&[1, 0, 0]), None);
		assert_eq!(decode_readings(&[5, 0, 0, 0, 1]), None);
	}
}
