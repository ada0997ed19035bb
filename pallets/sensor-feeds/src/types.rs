//! Storage and call types of the sensor-feeds pallet. The report an operator signs, the value
//! parsing and the worker's status are in [`iot_primitives::feeds`].

#![cfg_attr(not(test), deny(clippy::expect_used))]

use crate::Config;
pub use iot_primitives::{
	device::{DeviceId, Permissions},
	feeds::{FeedId, FeedValueType, Round},
	provenance::StreamId,
};
use polkadot_sdk::polkadot_sdk_frame::prelude::*;

/// Balance of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A feed's URL as stored.
pub type UrlOf<T> = BoundedVec<u8, <T as Config>::MaxUrlLen>;
/// A JSON pointer as stored.
pub type PointerOf<T> = BoundedVec<u8, <T as Config>::MaxPointerLen>;
/// A unit (`W`, `°C`, `%`) as stored.
pub type Unit = BoundedVec<u8, ConstU32<16>>;
/// How to fetch and read a feed, as stored.
pub type FeedSpecOf<T> = FeedSpec<UrlOf<T>, PointerOf<T>, Unit, BlockNumberFor<T>>;
/// How to fetch and read a feed, as `register_feed` and `update_feed` take it: the same SCALE
/// bytes as [`FeedSpecOf`], with the bounds checked by the call, so a field over its bound gets
/// its own error instead of failing to decode.
pub type FeedSpecInputOf<T> =
	FeedSpec<alloc::vec::Vec<u8>, alloc::vec::Vec<u8>, alloc::vec::Vec<u8>, BlockNumberFor<T>>;
/// A feed's record.
pub type FeedOf<T> = Feed<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	FeedSpecOf<T>,
	<T as Config>::AuthorityId,
	<T as Config>::MaxOperators,
>;
/// The operator set.
pub type OperatorsOf<T> = BoundedVec<<T as Config>::AuthorityId, <T as Config>::MaxOperators>;
/// Reports of the round being collected: operator and value.
pub type PendingOf<T> = Pending<<T as Config>::AuthorityId, <T as Config>::MaxOperators>;

/// How a feed is fetched and read; set at registration, changed with `update_feed`.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct FeedSpec<Url, Pointer, Unit, BlockNumber> {
	/// `http://` or `https://` URL answering a GET with JSON (rules: `register_feed`).
	pub url: Url,
	/// RFC 6901 JSON pointer to the value (`/inverter/power_w`; empty for the whole body).
	pub pointer: Pointer,
	/// How the value is read.
	pub value_type: FeedValueType,
	/// The stored value is the reading × 10^decimals (0 for integers and booleans).
	pub decimals: u8,
	/// The reading's unit, for people.
	pub unit: Unit,
	/// Blocks per round, of the pallet's `BlockNumberProvider` (relay-chain blocks in our
	/// runtime, not parachain blocks): the feed is fetched once per round.
	pub interval: BlockNumber,
	/// Operators asked per round (capped by the operator set).
	pub operators_per_round: u8,
	/// Reports needed to settle a round: at most `operators_per_round`, and at most the operator
	/// set at registration; a round to which fewer operators are assigned (the set shrank) does
	/// not settle, and the feed goes stale.
	pub quorum: u8,
}

impl<Url, Pointer, UnitText, BlockNumber> FeedSpec<Url, Pointer, UnitText, BlockNumber>
where
	Url: Into<alloc::vec::Vec<u8>>,
	Pointer: Into<alloc::vec::Vec<u8>>,
	UnitText: Into<alloc::vec::Vec<u8>>,
{
	/// The same spec with plain byte vectors, as the calls take it.
	pub fn into_input(
		self,
	) -> FeedSpec<alloc::vec::Vec<u8>, alloc::vec::Vec<u8>, alloc::vec::Vec<u8>, BlockNumber> {
		FeedSpec {
			url: self.url.into(),
			pointer: self.pointer.into(),
			value_type: self.value_type,
			decimals: self.decimals,
			unit: self.unit.into(),
			interval: self.interval,
			operators_per_round: self.operators_per_round,
			quorum: self.quorum,
		}
	}
}

/// The value of a settled round.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct FeedValue<BlockNumber> {
	/// The round.
	pub round: Round,
	/// The median of the reports, scaled by the feed's decimals.
	pub value: i128,
	/// Parachain block in which the quorum was reached (a record; rounds and the stale check are
	/// in relay-chain blocks).
	pub at: BlockNumber,
	/// How many operators reported.
	pub reporters: u8,
}

/// A registered feed.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
#[scale_info(skip_type_params(MaxOperators))]
pub struct Feed<AccountId, Balance, BlockNumber, Spec, AuthorityId, MaxOperators: Get<u32>> {
	/// Registered the feed; holds its deposit.
	pub owner: AccountId,
	/// The device whose data the feed is.
	pub device: DeviceId,
	/// The device's stream the values are recorded in.
	pub stream: StreamId,
	/// How to fetch and read it.
	pub spec: Spec,
	/// The last settled round, if any.
	pub last: Option<FeedValue<BlockNumber>>,
	/// The round being collected and its reports so far.
	pub pending: Option<Pending<AuthorityId, MaxOperators>>,
	/// Flagged by the stale check; cleared by the next value.
	pub stale: bool,
	/// Block number of the pallet's `BlockNumberProvider` at registration (a relay-chain block
	/// number in our runtime): the stale check counts from its round before the first value.
	pub registered_at: BlockNumber,
	/// Reports for earlier rounds are refused: set past the round in which the spec last
	/// changed, so reports signed under the old spec cannot be replayed into the new one.
	pub first_round: Round,
	/// Held from the owner.
	pub deposit: Balance,
}

/// Reports collected for one round.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
#[scale_info(skip_type_params(MaxOperators))]
pub struct Pending<AuthorityId, MaxOperators: Get<u32>> {
	/// The round.
	pub round: Round,
	/// Operator and reported value, in arrival order.
	pub reports: BoundedVec<(AuthorityId, i128), MaxOperators>,
}

/// A report as submitted: the operator's value for a feed's round.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Report<AuthorityId> {
	/// The feed.
	pub feed: FeedId,
	/// The round (the current one).
	pub round: Round,
	/// The value, scaled by the feed's decimals.
	pub value: i128,
	/// The reporting operator.
	pub operator: AuthorityId,
}

/// The reading recorded in the feed's provenance stream for a settled round: what the reporting
/// operators attest. SCALE-encoded, it is the single reading of the anchor.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct FeedReading<AuthorityId> {
	/// The feed.
	pub feed: FeedId,
	/// The round.
	pub round: Round,
	/// The median value, scaled.
	pub value: i128,
	/// The scale: value = reading × 10^decimals.
	pub decimals: u8,
	/// The operators whose reports made the median.
	pub reporters: alloc::vec::Vec<AuthorityId>,
}
