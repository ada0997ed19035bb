//! Storage and call types of the provenance pallet. The bytes devices sign and the reading tree
//! are in [`iot_primitives::provenance`].

#![cfg_attr(not(test), deny(clippy::expect_used))]

use crate::Config;
pub use iot_primitives::{
	device::{DeviceId, DeviceSignature, KeyKind, Permissions, MAX_MERKLE_DEPTH},
	provenance::StreamId,
};
use polkadot_sdk::polkadot_sdk_frame::prelude::*;

/// Position of an anchor in its stream: 0 for the first anchor ever made on the stream.
pub type AnchorIndex = u64;
/// Identifier of an attestation.
pub type AttestationId = u64;
/// Identifier of a derived data product.
pub type ProductId = u64;

/// Balance of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A content id (IPFS CID, URL) as stored.
pub type ContentIdOf<T> = BoundedVec<u8, <T as Config>::MaxContentIdLen>;
/// A stream's descriptive text (name, unit) as stored.
pub type LabelOf<T> = BoundedVec<u8, <T as Config>::MaxLabelLen>;
/// A schema reference (a hash or URI) as stored.
pub type SchemaOf<T> = BoundedVec<u8, <T as Config>::MaxSchemaLen>;
/// A stream's record.
pub type StreamOf<T> = Stream<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	LabelOf<T>,
	SchemaOf<T>,
>;
/// An anchor's record.
pub type AnchorOf<T> =
	Anchor<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, ContentIdOf<T>>;
/// A recorded reading's record.
pub type RecordedOf<T> = Recorded<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
/// An attestation's record.
pub type AttestationOf<T> = Attestation<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	SchemaOf<T>,
>;
/// The input anchors of a derived product.
pub type InputsOf<T> = BoundedVec<(StreamId, AnchorIndex), <T as Config>::MaxInputs>;
/// A derived product's record.
pub type ProductOf<T> = Product<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	ContentIdOf<T>,
	InputsOf<T>,
>;
/// Sibling hashes of a reading's inclusion proof, leaf level first.
pub type InclusionProof = BoundedVec<[u8; 32], ConstU32<MAX_MERKLE_DEPTH>>;

/// How a stream's readings are to be read (the chain never parses readings; clients do).
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
pub enum ValueType {
	/// Signed integer.
	#[codec(index = 0)]
	Integer,
	/// Unsigned integer.
	#[codec(index = 1)]
	Unsigned,
	/// Floating point.
	#[codec(index = 2)]
	Float,
	/// True or false.
	#[codec(index = 3)]
	Boolean,
	/// A structured record described by the stream's schema (JSON, CBOR, SCALE...).
	#[codec(index = 4)]
	Structured,
}

/// What a stream is: declared once by the device's owner or an operator.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct StreamInfo<Label, Schema> {
	/// Name, e.g. `"power"`.
	pub name: Label,
	/// Unit, e.g. `"W"`.
	pub unit: Label,
	/// How values are encoded.
	pub value_type: ValueType,
	/// Nominal time between readings, in milliseconds (0: irregular).
	pub sampling_interval_ms: u32,
	/// Schema hash or URI.
	pub schema: Schema,
}

/// A stream of readings of one device.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Stream<AccountId, Balance, BlockNumber, Label, Schema> {
	/// The device whose readings these are.
	pub device: DeviceId,
	/// The account that declared the stream and holds its deposit.
	pub owner: AccountId,
	/// The declaration.
	pub info: StreamInfo<Label, Schema>,
	/// Sequence number of the last accepted anchor; the next must be greater.
	pub last_sequence: Option<u64>,
	/// Anchors made on this stream so far (the next anchor's index).
	pub anchor_count: AnchorIndex,
	/// Held from `owner`: the record and a full window of anchors.
	pub deposit: Balance,
	/// Parachain block of creation (a record, not compared with any period).
	pub created_at: BlockNumber,
}

/// An anchored batch of readings.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Anchor<AccountId, BlockNumber, ContentId> {
	/// Position in the stream.
	pub index: AnchorIndex,
	/// The device's sequence number.
	pub sequence: u64,
	/// Merkle root over the readings.
	pub root: [u8; 32],
	/// Number of readings.
	pub count: u32,
	/// Time of the first reading, ms since the UNIX epoch (device clock).
	pub first_timestamp: u64,
	/// Time of the last reading.
	pub last_timestamp: u64,
	/// Where the batch is stored off chain.
	pub content_id: Option<ContentId>,
	/// Who relayed it (and paid the fee).
	pub submitter: AccountId,
	/// Parachain block it was anchored in (a record, not compared with any period).
	pub anchored_at: BlockNumber,
}

/// A reading another pallet recorded in a stream and vouches for (a sensor feed's settled
/// value): **not** signed by the device. Kept in the stream's recorded window, apart from the
/// device's own [`Anchor`]s, so that a recorder can never push device-signed anchors out of
/// their window and no reader can take one for the other.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Recorded<AccountId, BlockNumber> {
	/// Position in the stream's recorded readings (0 for the first), apart from anchor indices.
	pub index: AnchorIndex,
	/// The recorder's own counter (a feed's round).
	pub sequence: u64,
	/// The reading's leaf hash (`H(0x00 ‖ reading)`): a one-reading tree's root, so a reading
	/// is proven with leaf index 0 and no siblings.
	pub root: [u8; 32],
	/// When it was recorded, ms since the UNIX epoch (the chain's clock).
	pub timestamp: u64,
	/// The account of the pallet that recorded it (for sensor feeds: the feeds pallet's account;
	/// the reading's bytes name the operators who reported it).
	pub recorder: AccountId,
	/// Parachain block it was recorded in (a record, not compared with any period).
	pub recorded_at: BlockNumber,
}

/// What an attestation is about.
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
pub enum Subject {
	/// A device.
	#[codec(index = 0)]
	Device(DeviceId),
	/// A stream.
	#[codec(index = 1)]
	Stream(StreamId),
	/// One anchored batch.
	#[codec(index = 2)]
	Anchor(StreamId, AnchorIndex),
	/// A derived data product.
	#[codec(index = 3)]
	Product(ProductId),
}

/// A third party's claim about a subject, valid for a window of blocks.
///
/// Every block number here (`valid_from`, `valid_until`, `superseded_at`, `revoked_at`) is one of
/// the pallet's `Config::BlockNumberProvider`: a **relay-chain** block number in our runtime, not
/// a parachain one.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Attestation<AccountId, Balance, BlockNumber, Schema> {
	/// Who attests; holds `deposit`.
	pub attester: AccountId,
	/// What it is about.
	pub subject: Subject,
	/// Hash of the claim document.
	pub claim_hash: [u8; 32],
	/// Schema of the claim, if any.
	pub schema: Option<Schema>,
	/// First block of validity (relay-chain block number in our runtime).
	pub valid_from: BlockNumber,
	/// Last block of validity (`None`: open-ended; relay-chain block number in our runtime).
	pub valid_until: Option<BlockNumber>,
	/// The earlier attestation this one replaces.
	pub supersedes: Option<AttestationId>,
	/// Block number from which a later attestation replaced this one (the provider's number when
	/// it was superseded: relay-chain in our runtime).
	pub superseded_at: Option<BlockNumber>,
	/// Block number from which the attester withdrew it (the provider's number when it was
	/// revoked: relay-chain in our runtime).
	pub revoked_at: Option<BlockNumber>,
	/// Held from `attester`.
	pub deposit: Balance,
}

impl<AccountId, Balance, BlockNumber: PartialOrd + Copy, Schema>
	Attestation<AccountId, Balance, BlockNumber, Schema>
{
	/// Whether the attestation holds at block number `at` (of the provider, like the fields):
	/// inside its window, not yet revoked and not yet superseded.
	pub fn is_valid_at(&self, at: BlockNumber) -> bool {
		self.valid_from <= at
			&& self.valid_until.is_none_or(|until| at <= until)
			&& self.revoked_at.is_none_or(|revoked| at < revoked)
			&& self.superseded_at.is_none_or(|superseded| at < superseded)
	}
}

/// A derived data product anchored with the anchors it was computed from.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Product<AccountId, Balance, BlockNumber, ContentId, Inputs> {
	/// Who made it; holds `deposit`.
	pub producer: AccountId,
	/// Merkle root over the product's records.
	pub root: [u8; 32],
	/// Number of records.
	pub count: u32,
	/// Where it is stored off chain.
	pub content_id: Option<ContentId>,
	/// The anchors it was derived from.
	pub inputs: Inputs,
	/// Held from `producer`.
	pub deposit: Balance,
	/// Parachain block it was anchored in (a record, not compared with any period).
	pub anchored_at: BlockNumber,
}
