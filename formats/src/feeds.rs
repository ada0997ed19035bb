//! # Sensor feeds: the report an operator signs
//!
//! A feed is an HTTP endpoint returning JSON; operators' off-chain workers fetch it, turn the
//! value into a fixed-point integer and report it for the feed's current *round*; the chain takes
//! the median once a quorum reported. This module is the single definition of the report's bytes
//! and of the value types; how a worker reads a feed's JSON is `iot_primitives::feeds`.
//!
//! Notation as in [`crate::device`]: little-endian integers, `‖` concatenation.
//!
//! ## The report ([`ReportPayload`])
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 36 | tag `b"iot-parachain:sensor-feeds:report:v1"` |
//! | 36 | 32 | genesis hash of the chain |
//! | 68 | 8 | feed id, `u64` |
//! | 76 | 8 | round, `u64` |
//! | 84 | 16 | value, `i128`: the reading × 10^decimals |
//!
//! 100 bytes, signed by the operator's sr25519 key (key type `iotf`). The tag and genesis hash
//! bind the report to this chain and purpose; `(feed, round, operator)` makes it single-use: the
//! chain takes one report per operator and round.
//!

use crate::{device::payload_bytes, Sink};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// Identifier of a feed; assigned sequentially by the feeds pallet.
pub type FeedId = u64;

/// Round of a feed: `block_number / polling_interval`, where `block_number` is one of the
/// sensor-feeds pallet's `BlockNumberProvider`: the relay chain's block number in the IoT
/// runtime (one per 6 s), not the parachain's.
pub type Round = u64;

/// Domain tag of [`ReportPayload`].
pub const REPORT_TAG: [u8; 36] = *b"iot-parachain:sensor-feeds:report:v1";

/// Largest number of decimals a feed may scale by (10^30 still fits in an `i128` with room).
pub const MAX_DECIMALS: u8 = 18;

crate::device::chain_type! {
/// How a feed's JSON value becomes the integer the chain stores.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FeedValueType {
	/// A JSON integer, taken as it is (`decimals` must be 0).
	#[cfg_attr(feature = "scale", codec(index = 0))]
	Integer,
	/// A JSON number, stored as `round(number × 10^decimals)`.
	#[cfg_attr(feature = "scale", codec(index = 1))]
	Decimal,
	/// A JSON boolean, stored as 1 or 0.
	#[cfg_attr(feature = "scale", codec(index = 2))]
	Boolean,
}
}

/// What an operator signs to report a feed's value for a round. Layout in the module docs.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReportPayload {
	/// Always [`REPORT_TAG`].
	pub tag: [u8; 36],
	/// Genesis hash of the chain.
	pub genesis_hash: [u8; 32],
	/// The feed.
	pub feed: FeedId,
	/// The round reported for.
	pub round: Round,
	/// The value, scaled.
	pub value: i128,
}

impl ReportPayload {
	/// The report of `value` for `feed` in `round` on the chain with `genesis_hash`.
	pub fn new(genesis_hash: [u8; 32], feed: FeedId, round: Round, value: i128) -> Self {
		Self { tag: REPORT_TAG, genesis_hash, feed, round, value }
	}

	/// Writes the bytes the operator signs.
	pub fn write(&self, out: &mut dyn Sink) {
		out.put(&self.tag);
		out.put(&self.genesis_hash);
		out.put(&self.feed.to_le_bytes());
		out.put(&self.round.to_le_bytes());
		out.put(&self.value.to_le_bytes());
	}

	payload_bytes!();
}

#[cfg(all(test, feature = "scale"))]
mod tests {
	use super::*;
	use codec::Encode;

	#[test]
	fn hand_written_report_is_the_scale_encoding() {
		let report = ReportPayload::new([0x11; 32], 4, 1_234, -2_150);
		assert_eq!(report.signing_bytes(), report.encode());
		assert_eq!(report.signing_bytes().len(), 100);
	}
}
