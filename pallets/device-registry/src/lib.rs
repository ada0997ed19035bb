//! # Device registry pallet
//!
//! Device identities for the IoT parachain: every device is known by its own key, proven at
//! registration; it has an owner, an optional manufacturer, a lifecycle, metadata and operators.
//!
//! ## Overview
//!
//! - **Identity is the device's key.** Ed25519, Sr25519, ECDSA secp256k1 and ECDSA P-256
//!   (secp256r1, what secure elements such as ATECC608, SE050 and TPM 2.0 sign with) keys are
//!   accepted. Each device gets a stable [`DeviceId`] that survives key rotation and transfers.
//! - **Proof of possession.** Registration, batch claims and key rotation carry a signature by the
//!   device key over a domain-separated payload that binds the chain's genesis hash and the owner
//!   (or the device id and rotation counter): nobody can register a key they do not hold, and a
//!   proof cannot be replayed on another chain, for another owner, or for another rotation. The
//!   byte layouts are in [`iot_primitives::device`].
//! - **Manufacturers** are approved and revoked by `Config::ManufacturerOrigin` (Root in our
//!   runtime). An active manufacturer registering a device is recorded as its manufacturer; it can
//!   also commit a whole factory batch as a Merkle root of device keys, from which the later owner
//!   claims a device with an inclusion proof and the device's signature.
//! - **Ownership** moves by offer and acceptance, so a device never lands on an account that did
//!   not accept it (and its deposit). Manufacturer → dealer → customer is two rounds.
//! - **Lifecycle**: `Active` ⇄ `Suspended`, then `Decommissioned` or `Compromised` (both
//!   terminal). A terminal device can be removed by its owner, which refunds every deposit and
//!   leaves a key tombstone so the key can never be registered again to take over the device's
//!   history.
//! - **Operators**: the owner authorizes accounts (a gateway, a fleet manager) with a
//!   [`Permissions`] set; other pallets ask [`DeviceRegistry::can_act`].
//! - **Deposits** are fungible holds, one reason per kind of item ([`HoldReason`]), released when
//!   the item is removed (or, for a transfer, moved to the new owner).
//!
//! Other pallets use the registry only through the [`DeviceRegistry`] trait of `iot-primitives`
//! (implemented by [`Pallet`]); clients read it through the `DeviceRegistryApi` runtime API
//! (crate `pallet-device-registry-runtime-api`), served by [`Pallet::device`],
//! [`Pallet::device_by_key`], [`Pallet::devices_of`] and [`Pallet::manufacturer`].
//!
//! ## Terminology
//!
//! - **Device key**: a [`DeviceKey`]; its *key id* is `blake2_256(SCALE(key))`.
//! - **Key index**: the map from key id to [`KeyEntry`]: `Active(device)` for a device's current
//!   key, `Retired` (the *tombstone*) for a key that was rotated away or whose device was removed.
//!   A key with an entry can never be registered again.
//! - **Manufacturer**: an account approved by governance; `Active` or `Revoked`.
//! - **Batch**: `(root, leaf_count)` committed by a manufacturer; leaves are tagged hashes of
//!   device keys (see [`iot_primitives::device`]). `Active` or `Compromised`.
//! - **Owner**: the account that holds the device's deposit and controls it.
//! - **Operator**: an account the owner authorized with some [`Permissions`].
//! - **Terminal state**: `Decommissioned` or `Compromised`: no transition leaves them.
//! - **Active device** (for other pallets): status `Active` and, if claimed from a batch, the
//!   batch not compromised. A revoked manufacturer does not deactivate devices already
//!   registered; governance marks its batches compromised if their keys are no longer trusted.
//!
//! ## Calls
//!
//! Each call documents its own contract (origin, arguments, deposits, errors, events, complexity);
//! the same text is in the runtime metadata, which wallets show. Weights are per key type for the
//! calls that verify a device signature (P-256 is verified in the runtime, not by a host function,
//! and costs ~45× an sr25519 check), per proof length for claims, and per removed operator for
//! transfers and removal.
//!
//! ### Governance ([`Config::ManufacturerOrigin`])
//!
//! - [`Pallet::approve_manufacturer`] — approve, update or reinstate a manufacturer.
//! - [`Pallet::revoke_manufacturer`] — revoke a manufacturer.
//! - [`Pallet::mark_batch_compromised`] — stop claims from a batch and distrust its devices.
//!
//! ### Registration (signed)
//!
//! - [`Pallet::register_device`] — register a device with the device's proof of possession.
//! - [`Pallet::commit_batch`] — a manufacturer commits a factory batch of device keys.
//! - [`Pallet::claim_from_batch`] — claim a device of a batch with an inclusion proof.
//!
//! ### Ownership (signed)
//!
//! - [`Pallet::offer_transfer`] — offer a device to another account.
//! - [`Pallet::accept_transfer`] — take an offered device and its deposit.
//! - [`Pallet::cancel_transfer`] — withdraw or decline an offer.
//!
//! ### Lifecycle (signed)
//!
//! - [`Pallet::suspend`] — `Active` → `Suspended`.
//! - [`Pallet::resume`] — `Suspended` → `Active`.
//! - [`Pallet::decommission`] — `Active`/`Suspended` → `Decommissioned` (terminal).
//! - [`Pallet::mark_compromised`] — `Active`/`Suspended` → `Compromised` (terminal).
//! - [`Pallet::rotate_key`] — replace the device's key, retiring the old one.
//! - [`Pallet::update_metadata`] — replace the device's metadata.
//! - [`Pallet::remove_device`] — remove a terminal device and refund its deposits.
//!
//! ### Operators (signed)
//!
//! - [`Pallet::add_operator`] — authorize an account with a set of permissions.
//! - [`Pallet::remove_operator`] — revoke (owner) or resign (operator).
//!
//! ### Reads
//!
//! View functions (PAPI, subxt) and the `DeviceRegistryApi` runtime API (polkadot.js, the node's
//! `iot_*` methods) answer from the same functions: [`Pallet::device`], [`Pallet::device_by_key`],
//! [`Pallet::devices_of`], [`Pallet::manufacturer`], [`Pallet::batch`], [`Pallet::operators`].
//!
//! ## Example
//!
//! Registering a device of each key type, with its proof of possession (a unit test against the
//! mock runtime, `src/tests/registration.rs`):
#![doc = docify::embed!("src/tests/registration.rs", registers_every_key_type)]
#![cfg_attr(not(feature = "std"), no_std)]
// `expect_used` is not denied crate-wide because FRAME's storage/error macros expand to
// `expect` on infallible metadata; the hand-written modules deny it themselves.
#![cfg_attr(
	not(test),
	deny(clippy::unwrap_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

extern crate alloc;

use polkadot_sdk::polkadot_sdk_frame as frame;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use alloc::vec::Vec;
use frame::{
	deps::sp_core::H256,
	prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Preservation},
	},
};
pub use iot_primitives::device::DeviceRegistry;
use iot_primitives::device::{
	self as device_format, ClaimPayload, RegistrationPayload, RotationPayload,
};
use iot_primitives::page_len;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// The host's blake2 for the shared formats.
pub use iot_primitives::device::HostBlake2;

pub use iot_primitives::device::verify_signature;

/// Key id of `key` in the key index: `blake2_256(SCALE(key))`.
pub fn key_id(key: &DeviceKey) -> H256 {
	H256::from(device_format::key_id::<HostBlake2>(key))
}

/// Weight of `register_device` for this key's scheme.
pub(crate) fn register_weight<T: Config>(key: &DeviceKey) -> Weight {
	match key.kind() {
		KeyKind::Ed25519 => T::WeightInfo::register_device_ed25519(),
		KeyKind::Sr25519 => T::WeightInfo::register_device_sr25519(),
		KeyKind::Secp256k1 => T::WeightInfo::register_device_secp256k1(),
		KeyKind::P256 => T::WeightInfo::register_device_p256(),
	}
}

/// Weight of `claim_from_batch` for this key's scheme and a proof of `proof_len` siblings.
pub(crate) fn claim_weight<T: Config>(key: &DeviceKey, proof_len: usize) -> Weight {
	let p = u32::try_from(proof_len).unwrap_or(u32::MAX);
	match key.kind() {
		KeyKind::Ed25519 => T::WeightInfo::claim_from_batch_ed25519(p),
		KeyKind::Sr25519 => T::WeightInfo::claim_from_batch_sr25519(p),
		KeyKind::Secp256k1 => T::WeightInfo::claim_from_batch_secp256k1(p),
		KeyKind::P256 => T::WeightInfo::claim_from_batch_p256(p),
	}
}

/// Weight of `rotate_key` for the new key's scheme.
pub(crate) fn rotate_weight<T: Config>(new_key: &DeviceKey) -> Weight {
	match new_key.kind() {
		KeyKind::Ed25519 => T::WeightInfo::rotate_key_ed25519(),
		KeyKind::Sr25519 => T::WeightInfo::rotate_key_sr25519(),
		KeyKind::Secp256k1 => T::WeightInfo::rotate_key_secp256k1(),
		KeyKind::P256 => T::WeightInfo::rotate_key_p256(),
	}
}

#[frame::pallet]
// Clippy 1.99+ fires `clone_on_copy` inside FRAME's `CloneNoBound` derive of `Call` and `Event`
// (it clones every `Copy` field through `Clone::clone`, with the span of our field). The derive is
// expanded into this module, so this is the narrowest scope that reaches it; it also exempts our
// own code in the module from this one lint.
#[allow(clippy::clone_on_copy)]
pub mod pallet {
	use super::*;

	/// The layout of this pallet's storage, raised by every migration. `try_state` (and
	/// try-runtime's upgrade check) fail when the chain's version differs from this one.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The overarching hold reason.
		type RuntimeHoldReason: Parameter
			+ Member
			+ MaxEncodedLen
			+ Copy
			+ VariantCount
			+ From<HoldReason>;

		/// Currency whose balances hold the deposits.
		type Currency: fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::Mutate<Self::AccountId>;

		/// Origin that approves and revokes manufacturers and marks batches compromised.
		type ManufacturerOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Deposit held from a device's owner for its record and indexes (record, key index
		/// entry, owner index entry, pending transfer). Size it from
		/// `DeviceRecordOf::max_encoded_len()` plus 9 (key entry) plus 32 (offer) bytes.
		#[pallet::constant]
		type DeviceDeposit: Get<BalanceOf<Self>>;

		/// Burned from a device's owner for each key tombstone it leaves: [`Pallet::rotate_key`]
		/// retires the old key, [`Pallet::remove_device`] the device's key, and the `Retired`
		/// entry stays in [`KeyIndex`] for good. Permanent storage is paid once, as a fee (size it
		/// as the deposit of one item of a 64-byte key and a 9-byte value): unlike a deposit it
		/// is never returned, because the entry is never deleted.
		#[pallet::constant]
		type TombstoneFee: Get<BalanceOf<Self>>;

		/// Deposit held from a manufacturer per committed batch (`BatchOf::max_encoded_len()`
		/// bytes).
		#[pallet::constant]
		type BatchDeposit: Get<BalanceOf<Self>>;

		/// Deposit held from a device's owner per operator (`OperatorOf::max_encoded_len()`
		/// bytes).
		#[pallet::constant]
		type OperatorDeposit: Get<BalanceOf<Self>>;

		/// Maximum length of a manufacturer's name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// Maximum length of a manufacturer's metadata, in bytes.
		#[pallet::constant]
		type MaxManufacturerMetadataLen: Get<u32>;

		/// Maximum length of a device's model, in bytes.
		#[pallet::constant]
		type MaxModelLen: Get<u32>;

		/// Maximum length of a device's firmware version, in bytes.
		#[pallet::constant]
		type MaxFirmwareVersionLen: Get<u32>;

		/// Maximum length of a device's metadata URI or CID, in bytes.
		#[pallet::constant]
		type MaxUriLen: Get<u32>;

		/// Maximum number of operators per device.
		#[pallet::constant]
		type MaxOperators: Get<u32>;

		/// Weights of the calls, generated by the pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A device's record and indexes, held from its owner.
		#[codec(index = 0)]
		DeviceDeposit,
		/// A factory batch, held from its manufacturer.
		#[codec(index = 1)]
		BatchDeposit,
		/// An operator entry, held from the device's owner.
		#[codec(index = 2)]
		OperatorDeposit,
	}

	/// Approved (or revoked) manufacturers.
	#[pallet::storage]
	pub type Manufacturers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ManufacturerInfoOf<T>, OptionQuery>;

	/// Registered devices.
	#[pallet::storage]
	pub type Devices<T: Config> =
		StorageMap<_, Twox64Concat, DeviceId, DeviceRecordOf<T>, OptionQuery>;

	/// Every key ever registered, by key id (`blake2_256(SCALE(key))`): the device it is the
	/// current key of, or the tombstone `Retired`. Entries are never deleted.
	#[pallet::storage]
	pub type KeyIndex<T: Config> = StorageMap<_, Identity, H256, KeyEntry, OptionQuery>;

	/// Devices by owner, for paginated reads.
	#[pallet::storage]
	pub type DevicesByOwner<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		DeviceId,
		(),
		OptionQuery,
	>;

	/// Id the next device gets.
	#[pallet::storage]
	pub type NextDeviceId<T: Config> = StorageValue<_, DeviceId, ValueQuery>;

	/// Factory batches.
	#[pallet::storage]
	pub type Batches<T: Config> = StorageMap<_, Twox64Concat, BatchId, BatchOf<T>, OptionQuery>;

	/// Id the next batch gets.
	#[pallet::storage]
	pub type NextBatchId<T: Config> = StorageValue<_, BatchId, ValueQuery>;

	/// Operators of a device; absent when there is none.
	#[pallet::storage]
	pub type Operators<T: Config> =
		StorageMap<_, Twox64Concat, DeviceId, OperatorsOf<T>, OptionQuery>;

	/// Open transfer offers: device → the account it is offered to.
	#[pallet::storage]
	pub type PendingTransfers<T: Config> =
		StorageMap<_, Twox64Concat, DeviceId, T::AccountId, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Manufacturers approved at genesis: `(account, name)`.
		pub manufacturers: Vec<(T::AccountId, Vec<u8>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		// A malformed genesis must stop the chain from being built.
		#[allow(clippy::expect_used)]
		fn build(&self) {
			for (who, name) in &self.manufacturers {
				let name = ManufacturerNameOf::<T>::try_from(name.clone())
					.expect("genesis manufacturer name is longer than MaxNameLen");
				Manufacturers::<T>::insert(
					who,
					ManufacturerInfo {
						name,
						metadata: Default::default(),
						status: ManufacturerStatus::Active,
					},
				);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A manufacturer was approved (or reinstated, or its name and metadata updated).
		ManufacturerApproved { manufacturer: T::AccountId },
		/// A manufacturer was revoked.
		ManufacturerRevoked { manufacturer: T::AccountId },
		/// A device was registered with a proof of possession of its key.
		DeviceRegistered {
			device: DeviceId,
			owner: T::AccountId,
			key: DeviceKey,
			manufacturer: Option<T::AccountId>,
		},
		/// A manufacturer committed a factory batch.
		BatchCommitted {
			batch: BatchId,
			manufacturer: T::AccountId,
			root: [u8; 32],
			leaf_count: u32,
		},
		/// A device was claimed from a factory batch.
		DeviceClaimed { device: DeviceId, batch: BatchId, owner: T::AccountId, key: DeviceKey },
		/// A batch was marked compromised.
		BatchMarkedCompromised { batch: BatchId },
		/// An owner offered a device to another account.
		TransferOffered { device: DeviceId, from: T::AccountId, to: T::AccountId },
		/// A device changed owner; its operators were removed.
		DeviceTransferred { device: DeviceId, from: T::AccountId, to: T::AccountId },
		/// A transfer offer was withdrawn by the owner or declined by the recipient.
		TransferCancelled { device: DeviceId, by: T::AccountId },
		/// A device was suspended.
		DeviceSuspended { device: DeviceId, by: T::AccountId },
		/// A suspended device was resumed.
		DeviceResumed { device: DeviceId, by: T::AccountId },
		/// A device was decommissioned (terminal).
		DeviceDecommissioned { device: DeviceId },
		/// A device was marked compromised (terminal).
		DeviceMarkedCompromised { device: DeviceId },
		/// A device's key was rotated; the old key is retired.
		KeyRotated { device: DeviceId, old_key: DeviceKey, new_key: DeviceKey },
		/// A device's metadata was replaced.
		MetadataUpdated { device: DeviceId, by: T::AccountId },
		/// An operator was authorized for a device.
		OperatorAdded { device: DeviceId, operator: T::AccountId, permissions: Permissions },
		/// An operator was removed from a device.
		OperatorRemoved { device: DeviceId, operator: T::AccountId },
		/// A terminal device was removed and its deposits released; its key stays retired.
		DeviceRemoved { device: DeviceId, owner: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// There is no device with this id.
		DeviceNotFound,
		/// The account is not a manufacturer (never approved, or removed).
		ManufacturerNotFound,
		/// There is no batch with this id.
		BatchNotFound,
		/// The device has no open transfer offer.
		TransferNotFound,
		/// The account is not one of the device's operators.
		OperatorNotFound,
		/// The caller is not the device's owner (nor, where allowed, an operator with the
		/// needed permission, the offer's recipient or the operator itself).
		NotOwner,
		/// The caller is not the recipient of the transfer offer.
		NotRecipient,
		/// The caller is not a manufacturer.
		NotManufacturer,
		/// The key is the current key of a device, or the operator is already authorized.
		AlreadyExists,
		/// The key was used before (rotated away or its device removed) and can never be
		/// registered again.
		KeyRetired,
		/// The device signature does not verify (wrong key, payload, chain, owner, counter,
		/// signature scheme, or a high-S P-256 signature).
		BadSignature,
		/// The Merkle proof does not place the key in the batch.
		BadProof,
		/// The device's (or batch's) current status does not allow this.
		InvalidTransition,
		/// The manufacturer is revoked.
		ManufacturerRevoked,
		/// The batch is marked compromised.
		BatchCompromised,
		/// The device already has `MaxOperators` operators.
		TooManyOperators,
		/// The permission set is empty or has undefined bits.
		InvalidPermissions,
		/// A batch needs at least one leaf.
		EmptyBatch,
		/// A device cannot be offered to its owner.
		TransferToSelf,
		/// A counter (device id, batch id, rotations) is exhausted.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			// Signing payloads carry the genesis hash as 32 bytes.
			assert_eq!(
				<T::Hash as MaxEncodedLen>::max_encoded_len(),
				32,
				"the device registry needs a 32-byte block hash"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	#[deny(clippy::expect_used)]
	impl<T: Config> Pallet<T> {
		/// Approve `who` as a manufacturer, or update or reinstate it.
		///
		/// One governance call for all three: whatever the entry of `who` was (none, `Active` or
		/// `Revoked`), it becomes `Active` with `name` and `metadata`.
		///
		/// ## Dispatch Origin
		///
		/// [`Config::ManufacturerOrigin`] (Root in our runtime).
		///
		/// ## Details
		///
		/// - `who`: the manufacturer's account.
		/// - `name`: display name, at most [`Config::MaxNameLen`] bytes.
		/// - `metadata`: free-form, typically a URI or CID of a document, at most
		///   [`Config::MaxManufacturerMetadataLen`] bytes.
		///
		/// An active manufacturer is recorded as the manufacturer of the devices it registers and
		/// may commit factory batches. Reinstating a revoked manufacturer makes its batches that
		/// are not compromised claimable again. Manufacturers hold no deposit.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not `ManufacturerOrigin`.
		/// - `CannotLookup`: `who` does not resolve to an account.
		///
		/// ## Events
		///
		/// - [`Event::ManufacturerApproved`]: always, also when only the name or metadata changed.
		///
		/// ## Complexity
		///
		/// O(1): one write (`Manufacturers`).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::approve_manufacturer())]
		pub fn approve_manufacturer(
			origin: OriginFor<T>,
			who: AccountIdLookupOf<T>,
			name: ManufacturerNameOf<T>,
			metadata: ManufacturerMetadataOf<T>,
		) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			let who = T::Lookup::lookup(who)?;
			Manufacturers::<T>::insert(
				&who,
				ManufacturerInfo { name, metadata, status: ManufacturerStatus::Active },
			);
			Self::deposit_event(Event::ManufacturerApproved { manufacturer: who });
			Ok(())
		}

		/// Revoke manufacturer `who`.
		///
		/// From now on `who` cannot commit batches, its batches cannot be claimed from, and devices
		/// it registers are no longer recorded as its own (it may still register devices as a plain
		/// owner). Devices it registered and devices claimed from its batches stay active:
		/// governance marks its batches compromised ([`Pallet::mark_batch_compromised`]) when their
		/// keys can no longer be trusted. [`Pallet::approve_manufacturer`] reinstates it.
		///
		/// ## Dispatch Origin
		///
		/// [`Config::ManufacturerOrigin`] (Root in our runtime).
		///
		/// ## Details
		///
		/// - `who`: an `Active` manufacturer. Its status becomes `Revoked`; its name and metadata
		///   are kept.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not `ManufacturerOrigin`.
		/// - `CannotLookup`: `who` does not resolve to an account.
		/// - [`Error::ManufacturerNotFound`]: `who` is not a manufacturer.
		/// - [`Error::ManufacturerRevoked`]: `who` is already revoked.
		///
		/// ## Events
		///
		/// - [`Event::ManufacturerRevoked`]: on success.
		///
		/// ## Complexity
		///
		/// O(1): one read and one write (`Manufacturers`).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::revoke_manufacturer())]
		pub fn revoke_manufacturer(
			origin: OriginFor<T>,
			who: AccountIdLookupOf<T>,
		) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			let who = T::Lookup::lookup(who)?;
			Manufacturers::<T>::try_mutate(&who, |entry| -> DispatchResult {
				let info = entry.as_mut().ok_or(Error::<T>::ManufacturerNotFound)?;
				ensure!(info.status == ManufacturerStatus::Active, Error::<T>::ManufacturerRevoked);
				info.status = ManufacturerStatus::Revoked;
				Ok(())
			})?;
			Self::deposit_event(Event::ManufacturerRevoked { manufacturer: who });
			Ok(())
		}

		/// Register a device owned by the caller, proven by the device's own signature.
		///
		/// The device signs a registration payload that binds the chain's genesis hash, the caller
		/// and its key: nobody can register a key they do not hold, and the proof cannot be
		/// replayed on another chain or for another owner.
		///
		/// ## Dispatch Origin
		///
		/// Signed. The caller becomes the device's owner.
		///
		/// ## Details
		///
		/// - `key`: the device's public key: ed25519, sr25519, ECDSA secp256k1 or ECDSA P-256 (both
		///   ECDSA keys compressed).
		/// - `signature`: the device key's signature of the [`RegistrationPayload`] for (genesis
		///   hash, caller, `key`); its scheme must be the key's. Bytes and hashing rules per scheme
		///   are in [`iot_primitives::device`].
		/// - `metadata`: model (at most [`Config::MaxModelLen`] bytes), firmware version (at most
		///   [`Config::MaxFirmwareVersionLen`]), optional 32-byte firmware hash, and URI or CID of
		///   further metadata (at most [`Config::MaxUriLen`]).
		///
		/// The device gets the next [`DeviceId`] and status `Active`. If the caller is an active
		/// manufacturer, it is recorded as the device's manufacturer. [`Config::DeviceDeposit`] is
		/// held from the caller ([`HoldReason::DeviceDeposit`]) until the device is transferred or
		/// removed.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::AlreadyExists`]: `key` is the current key of a device.
		/// - [`Error::KeyRetired`]: `key` was used before (rotated away, or its device removed).
		/// - [`Error::BadSignature`]: `signature` does not verify for this payload (wrong key,
		///   chain, owner or scheme, or a high-S P-256 signature).
		/// - [`Error::Overflow`]: device ids are exhausted.
		/// - `TokenError::FundsUnavailable`: the caller cannot hold [`Config::DeviceDeposit`] and
		///   keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::DeviceRegistered`]: with the new id, the owner, the key and the manufacturer,
		///   if any.
		///
		/// ## Complexity
		///
		/// O(1) plus one signature check: reads `KeyIndex`, `Manufacturers`, `NextDeviceId`, the
		/// genesis hash and the caller's holds; writes `KeyIndex`, `NextDeviceId`, `Devices`,
		/// `DevicesByOwner` and the hold. The weight depends on the key type: P-256 is verified in
		/// the runtime, not by a host function, and is the heaviest.
		#[pallet::call_index(2)]
		#[pallet::weight(register_weight::<T>(key))]
		pub fn register_device(
			origin: OriginFor<T>,
			key: DeviceKey,
			signature: DeviceSignature,
			metadata: DeviceMetadataOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_key_unused(&key)?;
			let payload = RegistrationPayload::new(Self::genesis_hash(), owner.clone(), key);
			ensure!(
				verify_signature(&key, &payload.signing_bytes(), &signature),
				Error::<T>::BadSignature
			);
			let manufacturer = Self::is_active_manufacturer(&owner).then(|| owner.clone());
			let device =
				Self::insert_device(owner.clone(), key, manufacturer.clone(), None, metadata)?;
			Self::deposit_event(Event::DeviceRegistered { device, owner, key, manufacturer });
			Ok(())
		}

		/// Commit a factory batch: the Merkle `root` of `leaf_count` device keys.
		///
		/// Each device of the batch is later claimed by its owner with
		/// [`Pallet::claim_from_batch`], an inclusion proof and the device's signature.
		///
		/// ## Dispatch Origin
		///
		/// Signed by an active manufacturer, which becomes the batch's manufacturer.
		///
		/// ## Details
		///
		/// - `root`: Merkle root over the batch's device keys: leaves `blake2_256(0x00 ‖
		///   SCALE(key))`, nodes `blake2_256(0x01 ‖ left ‖ right)`, the last node of an odd level
		///   promoted unchanged (see [`iot_primitives::device`]).
		/// - `leaf_count`: the number of keys, at least 1; part of the commitment.
		///
		/// The batch gets the next [`BatchId`] and status `Active`. [`Config::BatchDeposit`] is
		/// held from the manufacturer ([`HoldReason::BatchDeposit`]); batches are never removed in
		/// this version, so it stays held.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::NotManufacturer`]: the caller was never approved as a manufacturer.
		/// - [`Error::ManufacturerRevoked`]: the caller is a revoked manufacturer.
		/// - [`Error::EmptyBatch`]: `leaf_count` is 0.
		/// - [`Error::Overflow`]: batch ids are exhausted.
		/// - `TokenError::FundsUnavailable`: the caller cannot hold [`Config::BatchDeposit`] and
		///   keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::BatchCommitted`]: with the new id, the manufacturer, the root and the leaf
		///   count.
		///
		/// ## Complexity
		///
		/// O(1): reads `Manufacturers`, `NextBatchId` and the caller's holds; writes `NextBatchId`,
		/// `Batches` and the hold.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::commit_batch())]
		pub fn commit_batch(
			origin: OriginFor<T>,
			root: [u8; 32],
			leaf_count: u32,
		) -> DispatchResult {
			let manufacturer = ensure_signed(origin)?;
			match Manufacturers::<T>::get(&manufacturer) {
				None => return Err(Error::<T>::NotManufacturer.into()),
				Some(info) => ensure!(
					info.status == ManufacturerStatus::Active,
					Error::<T>::ManufacturerRevoked
				),
			}
			ensure!(leaf_count > 0, Error::<T>::EmptyBatch);
			let batch = NextBatchId::<T>::get();
			let next = batch.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::BatchDeposit::get();
			T::Currency::hold(&HoldReason::BatchDeposit.into(), &manufacturer, deposit)?;
			NextBatchId::<T>::put(next);
			Batches::<T>::insert(
				batch,
				Batch {
					manufacturer: manufacturer.clone(),
					root,
					leaf_count,
					status: BatchStatus::Active,
					deposit,
				},
			);
			Self::deposit_event(Event::BatchCommitted { batch, manufacturer, root, leaf_count });
			Ok(())
		}

		/// Claim the device with `key` from factory batch `batch`; the caller becomes its owner.
		///
		/// The claim proves that the manufacturer committed the key (an inclusion proof against the
		/// batch's root) and that the caller has the device (the device's signature of a claim
		/// payload naming the caller).
		///
		/// ## Dispatch Origin
		///
		/// Signed. The caller becomes the device's owner.
		///
		/// ## Details
		///
		/// - `batch`: an `Active` batch of an active manufacturer.
		/// - `key`: the device's public key.
		/// - `leaf_index`: the key's position in the batch, below its leaf count.
		/// - `proof`: the sibling hashes from the leaf up, at most 32.
		/// - `signature`: the device key's signature of the [`ClaimPayload`] for (genesis hash,
		///   `batch`, caller, `key`); its scheme must be the key's.
		///
		/// The device gets the next [`DeviceId`], status `Active`, empty metadata, and the batch
		/// and its manufacturer; it counts as active only while the batch is not compromised.
		/// [`Config::DeviceDeposit`] is held from the caller ([`HoldReason::DeviceDeposit`]).
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::BatchNotFound`]: there is no batch `batch`.
		/// - [`Error::BatchCompromised`]: the batch is marked compromised.
		/// - [`Error::ManufacturerRevoked`]: the batch's manufacturer is revoked.
		/// - [`Error::AlreadyExists`]: `key` is the current key of a device (already claimed or
		///   registered).
		/// - [`Error::KeyRetired`]: `key` was used before (rotated away, or its device removed).
		/// - [`Error::BadProof`]: `proof` does not place `key` at `leaf_index` under the batch's
		///   root and leaf count (including an index out of range and a proof of the wrong length).
		/// - [`Error::BadSignature`]: `signature` does not verify for this payload (wrong key,
		///   chain, batch, owner or scheme, or a high-S P-256 signature).
		/// - [`Error::Overflow`]: device ids are exhausted.
		/// - `TokenError::FundsUnavailable`: the caller cannot hold [`Config::DeviceDeposit`] and
		///   keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::DeviceClaimed`]: with the new id, the batch, the owner and the key.
		///
		/// ## Complexity
		///
		/// O(p) hashes plus one signature check, `p = proof.len()` ≤ 32: reads `Batches`,
		/// `Manufacturers`, `KeyIndex`, `NextDeviceId`, the genesis hash and the caller's holds;
		/// writes `KeyIndex`, `NextDeviceId`, `Devices`, `DevicesByOwner` and the hold. The weight
		/// depends on the key type and on `p`.
		#[pallet::call_index(4)]
		#[pallet::weight(claim_weight::<T>(key, proof.len()))]
		pub fn claim_from_batch(
			origin: OriginFor<T>,
			batch: BatchId,
			key: DeviceKey,
			leaf_index: u32,
			proof: MerkleProof,
			signature: DeviceSignature,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let record = Batches::<T>::get(batch).ok_or(Error::<T>::BatchNotFound)?;
			ensure!(record.status == BatchStatus::Active, Error::<T>::BatchCompromised);
			ensure!(
				Self::is_active_manufacturer(&record.manufacturer),
				Error::<T>::ManufacturerRevoked
			);
			Self::ensure_key_unused(&key)?;
			ensure!(
				device_format::verify_batch_proof::<HostBlake2>(
					&record.root,
					record.leaf_count,
					leaf_index,
					&key,
					&proof,
				),
				Error::<T>::BadProof
			);
			let payload = ClaimPayload::new(Self::genesis_hash(), batch, owner.clone(), key);
			ensure!(
				verify_signature(&key, &payload.signing_bytes(), &signature),
				Error::<T>::BadSignature
			);
			let device = Self::insert_device(
				owner.clone(),
				key,
				Some(record.manufacturer),
				Some(batch),
				Default::default(),
			)?;
			Self::deposit_event(Event::DeviceClaimed { device, batch, owner, key });
			Ok(())
		}

		/// Mark `batch` compromised: no more claims, and the devices claimed from it stop being
		/// active.
		///
		/// For a factory whose keys can no longer be trusted. The devices keep their status, but
		/// [`DeviceRegistry::is_active`] is false for every device claimed from the batch, so other
		/// pallets refuse their data. There is no way back.
		///
		/// ## Dispatch Origin
		///
		/// [`Config::ManufacturerOrigin`] (Root in our runtime).
		///
		/// ## Details
		///
		/// - `batch`: an `Active` batch. Its deposit stays held from its manufacturer.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not `ManufacturerOrigin`.
		/// - [`Error::BatchNotFound`]: there is no batch `batch`.
		/// - [`Error::InvalidTransition`]: the batch is already compromised.
		///
		/// ## Events
		///
		/// - [`Event::BatchMarkedCompromised`]: on success.
		///
		/// ## Complexity
		///
		/// O(1): one read and one write (`Batches`).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::mark_batch_compromised())]
		pub fn mark_batch_compromised(origin: OriginFor<T>, batch: BatchId) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Batches::<T>::try_mutate(batch, |entry| -> DispatchResult {
				let record = entry.as_mut().ok_or(Error::<T>::BatchNotFound)?;
				ensure!(record.status == BatchStatus::Active, Error::<T>::InvalidTransition);
				record.status = BatchStatus::Compromised;
				Ok(())
			})?;
			Self::deposit_event(Event::BatchMarkedCompromised { batch });
			Ok(())
		}

		/// Offer `device` to `to`; nothing moves until `to` accepts.
		///
		/// A device never lands on an account that did not accept it and its deposit: `to` takes it
		/// with [`Pallet::accept_transfer`]. A new offer replaces an earlier one; the owner
		/// withdraws it, or `to` declines it, with [`Pallet::cancel_transfer`].
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner.
		///
		/// ## Details
		///
		/// - `device`: a device of the caller that is neither `Decommissioned` nor `Compromised`.
		/// - `to`: the recipient, not the caller.
		///
		/// Nothing is held for the offer (the device deposit covers it). Decommissioning the device
		/// or marking it compromised drops the offer.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - `CannotLookup`: `to` does not resolve to an account.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is not the device's owner.
		/// - [`Error::InvalidTransition`]: the device is decommissioned or compromised.
		/// - [`Error::TransferToSelf`]: `to` is the caller.
		///
		/// ## Events
		///
		/// - [`Event::TransferOffered`]: with the device, the owner and the recipient.
		///
		/// ## Complexity
		///
		/// O(1): one read (`Devices`) and one write (`PendingTransfers`).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::offer_transfer())]
		pub fn offer_transfer(
			origin: OriginFor<T>,
			device: DeviceId,
			to: AccountIdLookupOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let to = T::Lookup::lookup(to)?;
			let record = Self::owned_device(device, &owner)?;
			ensure!(!record.status.is_terminal(), Error::<T>::InvalidTransition);
			ensure!(to != owner, Error::<T>::TransferToSelf);
			PendingTransfers::<T>::insert(device, &to);
			Self::deposit_event(Event::TransferOffered { device, from: owner, to });
			Ok(())
		}

		/// Accept the offer of `device`: the caller becomes its owner.
		///
		/// The deposit moves in the same extrinsic: [`Config::DeviceDeposit`] is held from the
		/// caller and the deposit the previous owner held for the device is released. The operators
		/// are removed (the new owner chooses its own) and their deposits released to the previous
		/// owner. The device keeps its id, key, manufacturer, status, metadata and rotations.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the offer's recipient.
		///
		/// ## Details
		///
		/// - `device`: a device with an open offer to the caller. The offer is consumed.
		///
		/// No [`Event::OperatorRemoved`] is emitted for the removed operators.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::TransferNotFound`]: there is no open offer of `device`.
		/// - [`Error::NotRecipient`]: the offer is to another account.
		/// - [`Error::InvalidTransition`]: the device is decommissioned or compromised.
		/// - `TokenError::FundsUnavailable`: the caller cannot hold [`Config::DeviceDeposit`] and
		///   keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::DeviceTransferred`]: with the device, the previous owner and the new one.
		///
		/// ## Complexity
		///
		/// O(ops), `ops` the operators removed (at most [`Config::MaxOperators`]): reads and writes
		/// `PendingTransfers`, `Devices`, `Operators` and both owners' holds; two writes to
		/// `DevicesByOwner`. The weight is charged for `MaxOperators` operators and refunded to the
		/// number removed.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::accept_transfer(T::MaxOperators::get()))]
		pub fn accept_transfer(
			origin: OriginFor<T>,
			device: DeviceId,
		) -> DispatchResultWithPostInfo {
			let new_owner = ensure_signed(origin)?;
			let recipient =
				PendingTransfers::<T>::get(device).ok_or(Error::<T>::TransferNotFound)?;
			ensure!(recipient == new_owner, Error::<T>::NotRecipient);
			let mut record = Devices::<T>::get(device).ok_or(Error::<T>::DeviceNotFound)?;
			ensure!(!record.status.is_terminal(), Error::<T>::InvalidTransition);

			let old_owner = record.owner.clone();
			let deposit = T::DeviceDeposit::get();
			T::Currency::hold(&HoldReason::DeviceDeposit.into(), &new_owner, deposit)?;
			Self::release(HoldReason::DeviceDeposit, &old_owner, record.deposit)?;
			let dropped = Self::drop_operators(device, &old_owner)?;

			DevicesByOwner::<T>::remove(&old_owner, device);
			DevicesByOwner::<T>::insert(&new_owner, device, ());
			PendingTransfers::<T>::remove(device);
			record.owner = new_owner.clone();
			record.deposit = deposit;
			Devices::<T>::insert(device, record);

			Self::deposit_event(Event::DeviceTransferred {
				device,
				from: old_owner,
				to: new_owner,
			});
			Ok(Some(T::WeightInfo::accept_transfer(dropped)).into())
		}

		/// Withdraw (owner) or decline (recipient) the offer of `device`.
		///
		/// Nothing was held for the offer, so nothing is released.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner or the offer's recipient.
		///
		/// ## Details
		///
		/// - `device`: a device with an open offer.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::TransferNotFound`]: there is no open offer of `device`.
		/// - [`Error::NotOwner`]: the caller is neither the device's owner nor the offer's
		///   recipient.
		///
		/// ## Events
		///
		/// - [`Event::TransferCancelled`]: with the device and the caller.
		///
		/// ## Complexity
		///
		/// O(1): reads `PendingTransfers` and `Devices`; one write (`PendingTransfers`).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_transfer())]
		pub fn cancel_transfer(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let recipient =
				PendingTransfers::<T>::get(device).ok_or(Error::<T>::TransferNotFound)?;
			let record = Devices::<T>::get(device).ok_or(Error::<T>::DeviceNotFound)?;
			ensure!(who == record.owner || who == recipient, Error::<T>::NotOwner);
			PendingTransfers::<T>::remove(device);
			Self::deposit_event(Event::TransferCancelled { device, by: who });
			Ok(())
		}

		/// Suspend `device`: other pallets stop accepting its data until it is resumed.
		///
		/// `Active` → `Suspended`. [`DeviceRegistry::is_active`] is false while the device is
		/// suspended; [`Pallet::resume`] brings it back.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner or by an operator of the device with
		/// `Permissions::MANAGE_DEVICE`.
		///
		/// ## Details
		///
		/// - `device`: an `Active` device.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is neither the owner nor an operator with
		///   `MANAGE_DEVICE`.
		/// - [`Error::InvalidTransition`]: the device is not `Active`.
		///
		/// ## Events
		///
		/// - [`Event::DeviceSuspended`]: with the device and the caller.
		///
		/// ## Complexity
		///
		/// O(ops), `ops` ≤ [`Config::MaxOperators`]: reads `Devices` and, when the caller is not
		/// the owner, the device's operator list, which it scans; one write (`Devices`). O(1) when
		/// the caller is the owner.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::transition(device, &who, true, &[DeviceStatus::Active], DeviceStatus::Suspended)?;
			Self::deposit_event(Event::DeviceSuspended { device, by: who });
			Ok(())
		}

		/// Resume a suspended `device`.
		///
		/// `Suspended` → `Active`. The device counts as active again for other pallets, unless it
		/// was claimed from a batch that is marked compromised.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner or by an operator of the device with
		/// `Permissions::MANAGE_DEVICE`.
		///
		/// ## Details
		///
		/// - `device`: a `Suspended` device.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is neither the owner nor an operator with
		///   `MANAGE_DEVICE`.
		/// - [`Error::InvalidTransition`]: the device is not `Suspended`.
		///
		/// ## Events
		///
		/// - [`Event::DeviceResumed`]: with the device and the caller.
		///
		/// ## Complexity
		///
		/// O(ops), `ops` ≤ [`Config::MaxOperators`]: reads `Devices` and, when the caller is not
		/// the owner, the device's operator list, which it scans; one write (`Devices`). O(1) when
		/// the caller is the owner.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::transition(device, &who, true, &[DeviceStatus::Suspended], DeviceStatus::Active)?;
			Self::deposit_event(Event::DeviceResumed { device, by: who });
			Ok(())
		}

		/// Decommission `device` for good.
		///
		/// `Active` or `Suspended` → `Decommissioned`, a terminal state: no transition leaves it.
		/// An open transfer offer is dropped. Operators and deposits stay until the owner removes
		/// the device with [`Pallet::remove_device`].
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner (operators may not).
		///
		/// ## Details
		///
		/// - `device`: a device of the caller that is `Active` or `Suspended`.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is not the device's owner.
		/// - [`Error::InvalidTransition`]: the device is already decommissioned or compromised.
		///
		/// ## Events
		///
		/// - [`Event::DeviceDecommissioned`]: on success.
		///
		/// ## Complexity
		///
		/// O(1): one read and one write (`Devices`), one write (`PendingTransfers`).
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::decommission())]
		pub fn decommission(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::transition(
				device,
				&owner,
				false,
				&[DeviceStatus::Active, DeviceStatus::Suspended],
				DeviceStatus::Decommissioned,
			)?;
			Self::deposit_event(Event::DeviceDecommissioned { device });
			Ok(())
		}

		/// Mark `device` compromised for good: data it signs is no longer accepted.
		///
		/// Anchors and streams refuse it at once; a payment channel whose vouchers it signs stops
		/// taking funds and enters its challenge period (the payee keeps that period for vouchers
		/// it holds, so an owner cannot cancel what it owes by marking its own device).
		///
		/// For a device whose key leaked or whose hardware was tampered with. `Active` or
		/// `Suspended` → `Compromised`, a terminal state: no transition leaves it. An open transfer
		/// offer is dropped. Operators and deposits stay until the owner removes the device with
		/// [`Pallet::remove_device`].
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner (operators may not).
		///
		/// ## Details
		///
		/// - `device`: a device of the caller that is `Active` or `Suspended`.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is not the device's owner.
		/// - [`Error::InvalidTransition`]: the device is already decommissioned or compromised.
		///
		/// ## Events
		///
		/// - [`Event::DeviceMarkedCompromised`]: on success.
		///
		/// ## Complexity
		///
		/// O(1): one read and one write (`Devices`), one write (`PendingTransfers`).
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::mark_compromised())]
		pub fn mark_compromised(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::transition(
				device,
				&owner,
				false,
				&[DeviceStatus::Active, DeviceStatus::Suspended],
				DeviceStatus::Compromised,
			)?;
			Self::deposit_event(Event::DeviceMarkedCompromised { device });
			Ok(())
		}

		/// Replace the key of `device` with `new_key`, proven by the new key.
		///
		/// The old key is retired for good: it can never be registered again. The device keeps its
		/// id, owner, status, operators and history.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner.
		///
		/// ## Details
		///
		/// - `device`: a device of the caller that is neither `Decommissioned` nor `Compromised`.
		/// - `new_key`: a key never registered before, of any supported type.
		/// - `signature`: the **new** key's signature of the [`RotationPayload`] for (genesis hash,
		///   `device`, the device's rotations so far, `new_key`): a proof cannot be replayed on
		///   another chain, for another device or for another rotation.
		///
		/// The device's rotation counter goes up by one. The old key's tombstone is paid for:
		/// [`Config::TombstoneFee`] is burned from the caller's free balance.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is not the device's owner.
		/// - [`Error::InvalidTransition`]: the device is decommissioned or compromised.
		/// - [`Error::AlreadyExists`]: `new_key` is the current key of a device (this one
		///   included).
		/// - [`Error::KeyRetired`]: `new_key` was used before.
		/// - [`Error::BadSignature`]: `signature` does not verify for this payload (wrong key,
		///   chain, device, counter or scheme, or a high-S P-256 signature).
		/// - [`Error::Overflow`]: the rotation counter is exhausted.
		/// - `TokenError::FundsUnavailable`: the caller's free balance cannot pay
		///   [`Config::TombstoneFee`] and keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::KeyRotated`]: with the device, the old key and the new one (the currency's
		///   `Burned` event for the fee).
		///
		/// ## Complexity
		///
		/// O(1) plus one signature check: reads `Devices`, `KeyIndex` (the new key) and the genesis
		/// hash; writes `Devices`, two `KeyIndex` entries and the caller's balance. The weight
		/// depends on the new key's type: P-256 is the heaviest.
		#[pallet::call_index(13)]
		#[pallet::weight(rotate_weight::<T>(new_key))]
		pub fn rotate_key(
			origin: OriginFor<T>,
			device: DeviceId,
			new_key: DeviceKey,
			signature: DeviceSignature,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let mut record = Self::owned_device(device, &owner)?;
			ensure!(!record.status.is_terminal(), Error::<T>::InvalidTransition);
			Self::ensure_key_unused(&new_key)?;
			let payload =
				RotationPayload::new(Self::genesis_hash(), device, record.rotations, new_key);
			ensure!(
				verify_signature(&new_key, &payload.signing_bytes(), &signature),
				Error::<T>::BadSignature
			);
			let rotations = record.rotations.checked_add(1).ok_or(Error::<T>::Overflow)?;
			Self::burn_tombstone_fee(&owner)?;
			let old_key = record.key;
			KeyIndex::<T>::insert(key_id(&old_key), KeyEntry::Retired);
			KeyIndex::<T>::insert(key_id(&new_key), KeyEntry::Active(device));
			record.key = new_key;
			record.rotations = rotations;
			Devices::<T>::insert(device, record);
			Self::deposit_event(Event::KeyRotated { device, old_key, new_key });
			Ok(())
		}

		/// Replace the metadata of `device`.
		///
		/// For recording a firmware update, a model name or a new metadata document.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner or by an operator of the device with
		/// `Permissions::MANAGE_DEVICE`.
		///
		/// ## Details
		///
		/// - `device`: a device that is neither `Decommissioned` nor `Compromised`.
		/// - `metadata`: the new model (at most [`Config::MaxModelLen`] bytes), firmware version
		///   (at most [`Config::MaxFirmwareVersionLen`]), optional 32-byte firmware hash and URI
		///   (at most [`Config::MaxUriLen`]), replacing all four.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is neither the owner nor an operator with
		///   `MANAGE_DEVICE`.
		/// - [`Error::InvalidTransition`]: the device is decommissioned or compromised.
		///
		/// ## Events
		///
		/// - [`Event::MetadataUpdated`]: with the device and the caller.
		///
		/// ## Complexity
		///
		/// O(ops), `ops` ≤ [`Config::MaxOperators`]: reads `Devices` and, when the caller is not
		/// the owner, the device's operator list, which it scans; one write (`Devices`). O(1) when
		/// the caller is the owner.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::update_metadata())]
		pub fn update_metadata(
			origin: OriginFor<T>,
			device: DeviceId,
			metadata: DeviceMetadataOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Self::managed_device(device, &who)?;
			ensure!(!record.status.is_terminal(), Error::<T>::InvalidTransition);
			record.metadata = metadata;
			Devices::<T>::insert(device, record);
			Self::deposit_event(Event::MetadataUpdated { device, by: who });
			Ok(())
		}

		/// Authorize `operator` to act for `device` with `permissions`.
		///
		/// Other pallets ask [`DeviceRegistry::can_act`]: an operator may do what its permissions
		/// contain (relay readings, manage feeds, manage the device); the owner may do anything.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner.
		///
		/// ## Details
		///
		/// - `device`: a device of the caller that is neither `Decommissioned` nor `Compromised`.
		/// - `operator`: an account that is not yet an operator of the device.
		/// - `permissions`: a non-empty set of `RELAY_READINGS` (1), `MANAGE_FEEDS` (2) and
		///   `MANAGE_DEVICE` (4).
		///
		/// [`Config::OperatorDeposit`] is held from the owner ([`HoldReason::OperatorDeposit`]) and
		/// recorded in the operator's entry, which is what is released later. To change an
		/// operator's permissions, remove it and add it again.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - `CannotLookup`: `operator` does not resolve to an account.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is not the device's owner.
		/// - [`Error::InvalidTransition`]: the device is decommissioned or compromised.
		/// - [`Error::InvalidPermissions`]: `permissions` is empty or has undefined bits.
		/// - [`Error::AlreadyExists`]: `operator` is already an operator of the device.
		/// - [`Error::TooManyOperators`]: the device already has [`Config::MaxOperators`]
		///   operators.
		/// - `TokenError::FundsUnavailable`: the owner cannot hold [`Config::OperatorDeposit`] and
		///   keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::OperatorAdded`]: with the device, the operator and its permissions.
		///
		/// ## Complexity
		///
		/// O(ops), `ops` ≤ [`Config::MaxOperators`]: reads `Devices`, `Operators` (scanned for a
		/// duplicate) and the owner's holds; writes `Operators` and the hold.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::add_operator())]
		pub fn add_operator(
			origin: OriginFor<T>,
			device: DeviceId,
			operator: AccountIdLookupOf<T>,
			permissions: Permissions,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let operator = T::Lookup::lookup(operator)?;
			let record = Self::owned_device(device, &owner)?;
			ensure!(!record.status.is_terminal(), Error::<T>::InvalidTransition);
			ensure!(
				!permissions.is_empty() && permissions.is_valid(),
				Error::<T>::InvalidPermissions
			);
			let mut operators = Operators::<T>::get(device).unwrap_or_default();
			ensure!(
				!operators.iter().any(|entry| entry.account == operator),
				Error::<T>::AlreadyExists
			);
			let deposit = T::OperatorDeposit::get();
			operators
				.try_push(Operator { account: operator.clone(), permissions, deposit })
				.map_err(|_| Error::<T>::TooManyOperators)?;
			T::Currency::hold(&HoldReason::OperatorDeposit.into(), &owner, deposit)?;
			Operators::<T>::insert(device, operators);
			Self::deposit_event(Event::OperatorAdded { device, operator, permissions });
			Ok(())
		}

		/// Remove `operator` from `device`; its deposit returns to the owner.
		///
		/// The owner revokes an operator, or the operator resigns. Allowed whatever the device's
		/// status.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner or by `operator` itself.
		///
		/// ## Details
		///
		/// - `device`: the device.
		/// - `operator`: one of its operators. The deposit recorded in its entry is released to the
		///   device's owner.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - `CannotLookup`: `operator` does not resolve to an account.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::OperatorNotFound`]: `operator` is not one of its operators.
		/// - [`Error::NotOwner`]: the caller is neither the device's owner nor `operator`.
		///
		/// ## Events
		///
		/// - [`Event::OperatorRemoved`]: with the device and the operator.
		///
		/// ## Complexity
		///
		/// O(ops), `ops` ≤ [`Config::MaxOperators`]: reads `Devices`, `Operators` and the owner's
		/// holds; writes `Operators` and the hold.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::remove_operator())]
		pub fn remove_operator(
			origin: OriginFor<T>,
			device: DeviceId,
			operator: AccountIdLookupOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let operator = T::Lookup::lookup(operator)?;
			let record = Devices::<T>::get(device).ok_or(Error::<T>::DeviceNotFound)?;
			ensure!(who == record.owner || who == operator, Error::<T>::NotOwner);
			let mut operators = Operators::<T>::get(device).unwrap_or_default();
			let entry = operators
				.iter()
				.find(|entry| entry.account == operator)
				.cloned()
				.ok_or(Error::<T>::OperatorNotFound)?;
			operators.retain(|entry| entry.account != operator);
			Self::release(HoldReason::OperatorDeposit, &record.owner, entry.deposit)?;
			if operators.is_empty() {
				Operators::<T>::remove(device);
			} else {
				Operators::<T>::insert(device, operators);
			}
			Self::deposit_event(Event::OperatorRemoved { device, operator });
			Ok(())
		}

		/// Remove a decommissioned or compromised `device` and refund its deposits.
		///
		/// Deletes the record, the owner's index entry, the operators and any offer, and releases
		/// the device deposit and every operator deposit to the owner. The key's index entry
		/// becomes a tombstone: the key can never be registered again, so whoever obtains it cannot
		/// pass a new device off as the continuation of this one's history. The tombstone is paid
		/// for: [`Config::TombstoneFee`] is burned from the owner once the deposits are released.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner.
		///
		/// ## Details
		///
		/// - `device`: a device of the caller that is `Decommissioned` or `Compromised`.
		///
		/// No [`Event::OperatorRemoved`] is emitted for the removed operators.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: there is no device `device`.
		/// - [`Error::NotOwner`]: the caller is not the device's owner.
		/// - [`Error::InvalidTransition`]: the device is neither decommissioned nor compromised.
		/// - `TokenError::FundsUnavailable`: the owner's free balance, with the released deposits,
		///   cannot pay [`Config::TombstoneFee`] and keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::DeviceRemoved`]: with the device and its owner (the currency's `Burned`
		///   event for the fee).
		///
		/// ## Complexity
		///
		/// O(ops), `ops` the operators removed (at most [`Config::MaxOperators`]): reads and writes
		/// `Devices`, `Operators` and the owner's holds; writes `KeyIndex`, `PendingTransfers` and
		/// `DevicesByOwner`. The weight is charged for `MaxOperators` operators and refunded to the
		/// number removed.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::remove_device(T::MaxOperators::get()))]
		pub fn remove_device(origin: OriginFor<T>, device: DeviceId) -> DispatchResultWithPostInfo {
			let owner = ensure_signed(origin)?;
			let record = Self::owned_device(device, &owner)?;
			ensure!(record.status.is_terminal(), Error::<T>::InvalidTransition);
			Self::release(HoldReason::DeviceDeposit, &owner, record.deposit)?;
			let dropped = Self::drop_operators(device, &owner)?;
			// After the release: the refunded deposit pays for the tombstone if need be.
			Self::burn_tombstone_fee(&owner)?;
			Devices::<T>::remove(device);
			DevicesByOwner::<T>::remove(&owner, device);
			PendingTransfers::<T>::remove(device);
			// The tombstone: the key can never be registered again.
			KeyIndex::<T>::insert(key_id(&record.key), KeyEntry::Retired);
			Self::deposit_event(Event::DeviceRemoved { device, owner });
			Ok(Some(T::WeightInfo::remove_device(dropped)).into())
		}
	}

	/// Reads, as view functions (`RuntimeViewFunction`; PAPI and subxt call them by name). The
	/// runtime API `DeviceRegistryApi` answers from the same functions for polkadot.js and the
	/// node's `iot_*` methods. Lists page as [`iot_primitives::MAX_PAGE`] describes.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// A device's record, or `None`.
		pub fn device(id: DeviceId) -> Option<DeviceRecordOf<T>> {
			Devices::<T>::get(id)
		}

		/// The device whose *current* key is `key`, with its id (`None` for unknown keys and for
		/// keys retired by rotation or removal).
		pub fn device_by_key(key: DeviceKey) -> Option<(DeviceId, DeviceRecordOf<T>)> {
			match KeyIndex::<T>::get(key_id(&key))? {
				KeyEntry::Active(id) => Devices::<T>::get(id).map(|record| (id, record)),
				KeyEntry::Retired => None,
			}
		}

		/// A page of `owner`'s devices with their ids: at most `min(limit, MAX_PAGE)`, in storage
		/// order, after device `start_after` (the last id of the previous page; `None` for the
		/// first page). A page shorter than the limit is the last.
		pub fn devices_of(
			owner: T::AccountId,
			start_after: Option<DeviceId>,
			limit: u32,
		) -> Vec<(DeviceId, DeviceRecordOf<T>)> {
			let ids = match start_after {
				Some(last) => DevicesByOwner::<T>::iter_key_prefix_from(
					&owner,
					DevicesByOwner::<T>::hashed_key_for(&owner, last),
				),
				None => DevicesByOwner::<T>::iter_key_prefix(&owner),
			};
			ids.take(page_len(limit))
				.filter_map(|id| Devices::<T>::get(id).map(|record| (id, record)))
				.collect()
		}

		/// A manufacturer's record, or `None` (never approved, or removed).
		pub fn manufacturer(who: T::AccountId) -> Option<ManufacturerInfoOf<T>> {
			Manufacturers::<T>::get(who)
		}

		/// A factory batch's record, or `None`.
		pub fn batch(id: BatchId) -> Option<BatchOf<T>> {
			Batches::<T>::get(id)
		}

		/// A device's operators (empty if it has none or does not exist).
		pub fn operators(id: DeviceId) -> Vec<OperatorOf<T>> {
			Operators::<T>::get(id).map(|operators| operators.into_inner()).unwrap_or_default()
		}
	}
}

#[deny(clippy::expect_used)]
impl<T: Config> Pallet<T> {
	/// Genesis hash of the chain, as signed in the payloads.
	///
	/// `frame_system` keeps block 0's hash forever (it is filled in when block 1 is initialised).
	pub fn genesis_hash() -> [u8; 32] {
		iot_primitives::device::hash_bytes(
			frame_system::BlockHash::<T>::get(BlockNumberFor::<T>::zero()).as_ref(),
		)
	}

	/// What `key` is bound to in the key index, if it was ever registered.
	pub fn key_entry(key: &DeviceKey) -> Option<KeyEntry> {
		KeyIndex::<T>::get(key_id(key))
	}

	fn is_active_manufacturer(who: &T::AccountId) -> bool {
		Manufacturers::<T>::get(who).is_some_and(|info| info.status == ManufacturerStatus::Active)
	}

	fn ensure_key_unused(key: &DeviceKey) -> DispatchResult {
		match KeyIndex::<T>::get(key_id(key)) {
			None => Ok(()),
			Some(KeyEntry::Active(_)) => Err(Error::<T>::AlreadyExists.into()),
			Some(KeyEntry::Retired) => Err(Error::<T>::KeyRetired.into()),
		}
	}

	fn has_operator_permission(
		device: DeviceId,
		who: &T::AccountId,
		permission: Permissions,
	) -> bool {
		Operators::<T>::get(device).is_some_and(|operators| {
			operators
				.iter()
				.any(|entry| entry.account == *who && entry.permissions.contains(permission))
		})
	}

	/// The device, if `who` owns it.
	fn owned_device(
		device: DeviceId,
		who: &T::AccountId,
	) -> Result<DeviceRecordOf<T>, DispatchError> {
		let record = Devices::<T>::get(device).ok_or(Error::<T>::DeviceNotFound)?;
		ensure!(record.owner == *who, Error::<T>::NotOwner);
		Ok(record)
	}

	/// The device, if `who` owns it or operates it with `MANAGE_DEVICE`.
	fn managed_device(
		device: DeviceId,
		who: &T::AccountId,
	) -> Result<DeviceRecordOf<T>, DispatchError> {
		let record = Devices::<T>::get(device).ok_or(Error::<T>::DeviceNotFound)?;
		ensure!(
			record.owner == *who
				|| Self::has_operator_permission(device, who, Permissions::MANAGE_DEVICE),
			Error::<T>::NotOwner
		);
		Ok(record)
	}

	/// Moves `device` from one of `from` to `to`; a terminal target drops any pending offer.
	fn transition(
		device: DeviceId,
		who: &T::AccountId,
		operators_allowed: bool,
		from: &[DeviceStatus],
		to: DeviceStatus,
	) -> DispatchResult {
		let mut record = if operators_allowed {
			Self::managed_device(device, who)?
		} else {
			Self::owned_device(device, who)?
		};
		ensure!(from.contains(&record.status), Error::<T>::InvalidTransition);
		record.status = to;
		Devices::<T>::insert(device, record);
		if to.is_terminal() {
			PendingTransfers::<T>::remove(device);
		}
		Ok(())
	}

	/// Holds the device deposit from `owner` and writes a new device with its indexes.
	fn insert_device(
		owner: T::AccountId,
		key: DeviceKey,
		manufacturer: Option<T::AccountId>,
		batch: Option<BatchId>,
		metadata: DeviceMetadataOf<T>,
	) -> Result<DeviceId, DispatchError> {
		let device = NextDeviceId::<T>::get();
		let next = device.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let deposit = T::DeviceDeposit::get();
		T::Currency::hold(&HoldReason::DeviceDeposit.into(), &owner, deposit)?;
		NextDeviceId::<T>::put(next);
		KeyIndex::<T>::insert(key_id(&key), KeyEntry::Active(device));
		DevicesByOwner::<T>::insert(&owner, device, ());
		Devices::<T>::insert(
			device,
			DeviceRecord {
				key,
				owner,
				manufacturer,
				batch,
				status: DeviceStatus::Active,
				metadata,
				rotations: 0,
				deposit,
				registered_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		Ok(device)
	}

	/// Releases up to `amount` held for `reason` from `who`. Best effort: a record must never
	/// get stuck because less than it says is held (`try_state` reports such a mismatch).
	/// Burns [`Config::TombstoneFee`] from `who`'s free balance (keeping its existential
	/// deposit).
	fn burn_tombstone_fee(who: &T::AccountId) -> DispatchResult {
		let fee = T::TombstoneFee::get();
		if !fee.is_zero() {
			<T::Currency as fungible::Mutate<T::AccountId>>::burn_from(
				who,
				fee,
				Preservation::Preserve,
				Precision::Exact,
				Fortitude::Polite,
			)?;
		}
		Ok(())
	}

	fn release(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::release(&reason.into(), who, amount, Precision::BestEffort)?;
		Ok(())
	}

	/// Removes all operators of `device`, releasing their deposits to `holder`; returns how
	/// many there were.
	fn drop_operators(device: DeviceId, holder: &T::AccountId) -> Result<u32, DispatchError> {
		let operators = Operators::<T>::take(device).unwrap_or_default();
		for entry in operators.iter() {
			Self::release(HoldReason::OperatorDeposit, holder, entry.deposit)?;
		}
		Ok(u32::try_from(operators.len()).unwrap_or(u32::MAX))
	}

	/// Checks the pallet's invariants:
	///
	/// - for every account, the balance held for each [`HoldReason`] equals the deposits the
	///   records say it holds (device deposits and operator deposits of the devices it owns,
	///   deposits of the batches it committed);
	/// - every device's key is indexed as `Active(device)`, and every `Active` key entry points
	///   at an existing device whose key hashes to that entry;
	/// - `DevicesByOwner` holds exactly the pairs `(owner, device)` of `Devices`;
	/// - operators, offers and batches are consistent with their devices and counters.
	pub fn do_try_state() -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
		ensure!(
			Pallet::<T>::on_chain_storage_version() == STORAGE_VERSION,
			"the storage version on chain differs from the code's: a migration is missing"
		);
		use alloc::collections::btree_map::BTreeMap;
		use frame::traits::fungible::InspectHold;

		fn add<A: Ord, B: Saturating + Copy + Default>(
			sums: &mut BTreeMap<A, B>,
			who: A,
			amount: B,
		) {
			let sum = sums.entry(who).or_default();
			*sum = sum.saturating_add(amount);
		}

		let mut device_deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut operator_deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut batch_deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut devices_count: u64 = 0;

		let next_device = NextDeviceId::<T>::get();
		for (id, record) in Devices::<T>::iter() {
			devices_count = devices_count.saturating_add(1);
			ensure!(id < next_device, "device id not below NextDeviceId");
			ensure!(
				KeyIndex::<T>::get(key_id(&record.key)) == Some(KeyEntry::Active(id)),
				"device key not indexed as Active(device)"
			);
			ensure!(
				DevicesByOwner::<T>::contains_key(&record.owner, id),
				"device missing from its owner's index"
			);
			if let Some(batch) = record.batch {
				ensure!(Batches::<T>::contains_key(batch), "device claimed from an unknown batch");
			}
			add(&mut device_deposits, record.owner.clone(), record.deposit);
			if let Some(operators) = Operators::<T>::get(id) {
				ensure!(!operators.is_empty(), "empty operator list stored");
				for (i, entry) in operators.iter().enumerate() {
					ensure!(
						!operators
							.iter()
							.skip(i.saturating_add(1))
							.any(|other| other.account == entry.account),
						"duplicate operator"
					);
					add(&mut operator_deposits, record.owner.clone(), entry.deposit);
				}
			}
			if let Some(to) = PendingTransfers::<T>::get(id) {
				ensure!(!record.status.is_terminal(), "offer of a terminal device");
				ensure!(to != record.owner, "offer to the owner");
			}
		}

		for (hash, entry) in KeyIndex::<T>::iter() {
			if let KeyEntry::Active(id) = entry {
				let record = Devices::<T>::get(id).ok_or("key index points at a missing device")?;
				ensure!(
					key_id(&record.key) == hash,
					"key index points at a device with another key"
				);
			}
		}

		let mut indexed: u64 = 0;
		for (owner, id, ()) in DevicesByOwner::<T>::iter() {
			indexed = indexed.saturating_add(1);
			ensure!(
				Devices::<T>::get(id).is_some_and(|record| record.owner == owner),
				"owner index entry without a matching device"
			);
		}
		ensure!(indexed == devices_count, "owner index and devices differ in size");

		for id in Operators::<T>::iter_keys() {
			ensure!(Devices::<T>::contains_key(id), "operators of a missing device");
		}
		for id in PendingTransfers::<T>::iter_keys() {
			ensure!(Devices::<T>::contains_key(id), "offer of a missing device");
		}

		let next_batch = NextBatchId::<T>::get();
		for (id, batch) in Batches::<T>::iter() {
			ensure!(id < next_batch, "batch id not below NextBatchId");
			ensure!(batch.leaf_count > 0, "empty batch");
			add(&mut batch_deposits, batch.manufacturer.clone(), batch.deposit);
		}

		for (reason, sums) in [
			(HoldReason::DeviceDeposit, device_deposits),
			(HoldReason::OperatorDeposit, operator_deposits),
			(HoldReason::BatchDeposit, batch_deposits),
		] {
			for (who, expected) in sums {
				ensure!(
					T::Currency::balance_on_hold(&reason.into(), &who) == expected,
					"held deposit differs from the records"
				);
			}
		}
		Ok(())
	}
}

#[deny(clippy::expect_used)]
impl<T: Config> DeviceRegistry<T::AccountId> for Pallet<T> {
	fn is_active(id: DeviceId) -> bool {
		let Some(record) = Devices::<T>::get(id) else { return false };
		if record.status != DeviceStatus::Active {
			return false;
		}
		match record.batch {
			None => true,
			Some(batch) => {
				Batches::<T>::get(batch).is_some_and(|batch| batch.status == BatchStatus::Active)
			},
		}
	}

	fn owner(id: DeviceId) -> Option<T::AccountId> {
		Devices::<T>::get(id).map(|record| record.owner)
	}

	fn key(id: DeviceId) -> Option<DeviceKey> {
		Devices::<T>::get(id).map(|record| record.key)
	}

	fn can_act(id: DeviceId, who: &T::AccountId, permission: Permissions) -> bool {
		match Devices::<T>::get(id) {
			None => false,
			Some(record) if record.owner == *who => true,
			Some(_) => Self::has_operator_permission(id, who, permission),
		}
	}

	fn verify(id: DeviceId, msg: &[u8], signature: &DeviceSignature) -> bool {
		Devices::<T>::get(id).is_some_and(|record| verify_signature(&record.key, msg, signature))
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Benchmarks of other pallets (through the runtime's `BenchmarkHelper`): an active device
	/// with `key`, owned by `owner`, who pays the deposit. `None` if that fails.
	pub fn register_for_benchmark(owner: &T::AccountId, key: DeviceKey) -> Option<DeviceId> {
		Self::register_worst_for_benchmark(owner, None, key)
	}

	/// The worst device for other pallets' benchmarks: claimed from a batch (so
	/// [`DeviceRegistry::is_active`] reads the batch too), and, with `operator`, a full operator
	/// list with `operator` last, holding every permission (so [`DeviceRegistry::can_act`] for
	/// it reads and scans the whole list). `owner` is the batch's manufacturer and pays every
	/// deposit, as real records would. `None` if that fails.
	pub fn register_worst_for_benchmark(
		owner: &T::AccountId,
		operator: Option<&T::AccountId>,
		key: DeviceKey,
	) -> Option<DeviceId> {
		use frame::deps::sp_runtime::traits::TrailingZeroInput;
		let batch = NextBatchId::<T>::get();
		NextBatchId::<T>::put(batch.checked_add(1)?);
		let deposit = T::BatchDeposit::get();
		T::Currency::hold(&HoldReason::BatchDeposit.into(), owner, deposit).ok()?;
		Batches::<T>::insert(
			batch,
			Batch {
				manufacturer: owner.clone(),
				root: [0; 32],
				leaf_count: 1,
				status: BatchStatus::Active,
				deposit,
			},
		);
		let device = Self::insert_device(
			owner.clone(),
			key,
			Some(owner.clone()),
			Some(batch),
			Default::default(),
		)
		.ok()?;
		if let Some(operator) = operator {
			let max = T::MaxOperators::get();
			let mut list = Vec::new();
			for i in 0..max {
				let account = if i.saturating_add(1) == max {
					operator.clone()
				} else {
					T::AccountId::decode(&mut TrailingZeroInput::new(&(b"bench-op", i).encode()))
						.ok()?
				};
				let deposit = T::OperatorDeposit::get();
				T::Currency::hold(&HoldReason::OperatorDeposit.into(), owner, deposit).ok()?;
				list.push(Operator { account, permissions: Permissions::ALL, deposit });
			}
			Operators::<T>::insert(device, OperatorsOf::<T>::try_from(list).ok()?);
		}
		Some(device)
	}
}
