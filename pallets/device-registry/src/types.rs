//! Storage and call types of the device registry.
//!
//! The wire formats that devices and clients produce (keys, signatures, signing payloads, Merkle
//! proofs, permissions) live in [`iot_primitives::device`]; this module holds what only the
//! chain stores.

#![cfg_attr(not(test), deny(clippy::expect_used))]

use crate::Config;
pub use iot_primitives::device::{
	BatchId, DeviceId, DeviceKey, DeviceSignature, KeyKind, Permissions, MAX_MERKLE_DEPTH,
};
use polkadot_sdk::polkadot_sdk_frame::prelude::*;

/// Balance of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// Account lookup source, for call parameters naming an account.
pub type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;

/// Manufacturer name as stored.
pub type ManufacturerNameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLen>;
/// Manufacturer metadata (free-form, e.g. a URI or CID of a document) as stored.
pub type ManufacturerMetadataOf<T> = BoundedVec<u8, <T as Config>::MaxManufacturerMetadataLen>;
/// A manufacturer's record.
pub type ManufacturerInfoOf<T> = ManufacturerInfo<ManufacturerNameOf<T>, ManufacturerMetadataOf<T>>;
/// A device's metadata.
pub type DeviceMetadataOf<T> = DeviceMetadata<
	BoundedVec<u8, <T as Config>::MaxModelLen>,
	BoundedVec<u8, <T as Config>::MaxFirmwareVersionLen>,
	BoundedVec<u8, <T as Config>::MaxUriLen>,
>;
/// A device's record.
pub type DeviceRecordOf<T> = DeviceRecord<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	DeviceMetadataOf<T>,
>;
/// A factory batch's record.
pub type BatchOf<T> = Batch<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
/// One operator of a device.
pub type OperatorOf<T> = Operator<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
/// The operators of a device.
pub type OperatorsOf<T> = BoundedVec<OperatorOf<T>, <T as Config>::MaxOperators>;
/// Sibling hashes of a batch inclusion proof, leaf level first.
pub type MerkleProof = BoundedVec<[u8; 32], ConstU32<MAX_MERKLE_DEPTH>>;

/// Whether a manufacturer may register devices and commit batches.
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
pub enum ManufacturerStatus {
	/// Approved by governance.
	#[codec(index = 0)]
	Active,
	/// Revoked by governance: no new devices or batches, no claims from its batches.
	#[codec(index = 1)]
	Revoked,
}

/// A governance-approved manufacturer.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct ManufacturerInfo<Name, Metadata> {
	/// Display name.
	pub name: Name,
	/// Free-form metadata, typically a URI or CID.
	pub metadata: Metadata,
	/// Active or revoked.
	pub status: ManufacturerStatus,
}

/// Lifecycle state of a device.
///
/// - `Active` → `Suspended` (`suspend`), `Suspended` → `Active` (`resume`);
/// - `Active` or `Suspended` → `Decommissioned` (`decommission`) or `Compromised`
///   (`mark_compromised`);
/// - `Decommissioned` and `Compromised` are terminal: nothing leaves them; such a device can only
///   be removed (`remove_device`).
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
pub enum DeviceStatus {
	/// In service: data from the device is accepted.
	#[codec(index = 0)]
	Active,
	/// Temporarily out of service (repair, storage); the owner can resume it.
	#[codec(index = 1)]
	Suspended,
	/// Permanently retired by its owner. Terminal.
	#[codec(index = 2)]
	Decommissioned,
	/// Its key is known or suspected to be leaked. Terminal; other pallets refuse data signed
	/// after it.
	#[codec(index = 3)]
	Compromised,
}

impl DeviceStatus {
	/// Whether no transition leaves this state.
	pub fn is_terminal(&self) -> bool {
		matches!(self, Self::Decommissioned | Self::Compromised)
	}
}

/// Descriptive data of a device, all bounded; updated by the owner (e.g. after a firmware
/// update).
#[derive(
	Clone,
	PartialEq,
	Eq,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct DeviceMetadata<Model, Version, Uri> {
	/// Model name or number.
	pub model: Model,
	/// Firmware version string.
	pub firmware_version: Version,
	/// Hash of the firmware image (any 32-byte digest the manufacturer publishes).
	pub firmware_hash: Option<[u8; 32]>,
	/// URI or CID of further metadata.
	pub uri: Uri,
}

/// A registered device.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct DeviceRecord<AccountId, Balance, BlockNumber, Metadata> {
	/// The device's current key.
	pub key: DeviceKey,
	/// Current owner; holds `deposit`.
	pub owner: AccountId,
	/// The approved manufacturer that registered the device or committed its batch, if any.
	pub manufacturer: Option<AccountId>,
	/// The batch the device was claimed from, if any.
	pub batch: Option<BatchId>,
	/// Lifecycle state.
	pub status: DeviceStatus,
	/// Descriptive data.
	pub metadata: Metadata,
	/// Number of key rotations so far; the counter signed in the next rotation payload.
	pub rotations: u32,
	/// Deposit held from `owner` (reason `DeviceDeposit`) for this record and its indexes.
	pub deposit: Balance,
	/// Parachain block of registration (a record: the registry has no periods, so it needs no
	/// relay-chain clock).
	pub registered_at: BlockNumber,
}

/// What a key id (blake2-256 of the SCALE-encoded key) is bound to.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub enum KeyEntry {
	/// The key is the current key of this device.
	#[codec(index = 0)]
	Active(DeviceId),
	/// The key was rotated away or its device removed; it can never be registered again.
	#[codec(index = 1)]
	Retired,
}

/// Whether devices may still be claimed from a batch.
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
pub enum BatchStatus {
	/// Claims allowed; claimed devices are trusted.
	#[codec(index = 0)]
	Active,
	/// Marked compromised by governance: no claims, and devices claimed from it are inactive.
	#[codec(index = 1)]
	Compromised,
}

/// A factory batch: a Merkle commitment to device keys (see [`iot_primitives::device`]).
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Batch<AccountId, Balance> {
	/// The manufacturer that committed it; holds `deposit`.
	pub manufacturer: AccountId,
	/// Merkle root over the batch's keys.
	pub root: [u8; 32],
	/// Number of leaves; fixes the shape of the tree.
	pub leaf_count: u32,
	/// Active or compromised.
	pub status: BatchStatus,
	/// Deposit held from `manufacturer` (reason `BatchDeposit`).
	pub deposit: Balance,
}

/// An account authorized to act for a device.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Operator<AccountId, Balance> {
	/// The operator.
	pub account: AccountId,
	/// What it may do.
	pub permissions: Permissions,
	/// Deposit held from the device's owner (reason `OperatorDeposit`) for this entry.
	pub deposit: Balance,
}
