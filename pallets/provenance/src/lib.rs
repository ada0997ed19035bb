//! # Provenance pallet
//!
//! Device-signed readings anchored on chain as Merkle roots of batches, streams that say what the
//! readings are, third-party attestations with validity windows, and lineage from derived data
//! products back to the anchors they were computed from.
//!
//! ## Overview
//!
//! - **Relayed anchors.** A device signs an [`AnchorPayload`] (genesis hash, device, stream,
//!   sequence number, batch root and size, time range, optional content id; bytes in
//!   [`iot_primitives::provenance`]). *Anyone* submits it with [`Pallet::anchor`] and pays the
//!   fee: a gateway, the owner, an off-chain worker. The device needs no funds. The pallet checks
//!   the signature with the device's current key and that the device is active, both through the
//!   [`DeviceRegistry`] trait, and that the sequence number is greater than the stream's last.
//!   One extrinsic anchors any number of readings at the same weight.
//! - **Streams** are declared by the device's owner or an operator with `MANAGE_FEEDS`: name,
//!   unit, value type, sampling interval, schema. Anchors name their stream.
//! - **Bounded history.** Each stream keeps its last `Config::AnchorWindow` anchors; a new anchor
//!   overwrites the oldest. The stream's deposit pays for the record *and* the full window, so
//!   anchoring itself needs no deposit and state does not grow with readings: older anchors stay
//!   in the chain's history (events), and a client proving an old reading does so against a block
//!   in which the anchor was still stored.
//! - **Recorded readings, kept apart.** Values other pallets vouch for (a sensor feed's settled
//!   round, through [`ProvenanceRecorder`]) are *not* device-signed. They go to the stream's
//!   own recorded window ([`Config::RecordedWindow`] entries, [`Recorded`] records, event
//!   [`Event::ReadingRecorded`]), never to its anchors: an operator that records feed values
//!   cannot push the device's signed anchors out of their window, and a reader never mistakes
//!   one for the other ([`Pallet::anchors`] returns device-signed batches only,
//!   [`Pallet::recorded`] recorded readings only).
//! - **Inclusion proofs.** [`Pallet::verify_inclusion`] (runtime API `ProvenanceApi`) answers
//!   "is this reading number `i` of anchor `(stream, index)`" from the reading's bytes and its
//!   Merkle proof.
//! - **Attestations.** Any account attests a claim (a hash, an optional schema) about a device, a
//!   stream, an anchor or a product, for a window of relay-chain blocks (see *Time* below); it may
//!   supersede its own earlier attestation of the same subject and revoke its attestations.
//!   Deposit-backed; removable once no longer valid.
//! - **Lineage.** [`Pallet::anchor_product`] anchors a derived product (a monthly report) with
//!   the list of input anchors, each of which must be stored at that moment.
//!
//! ## Terminology
//!
//! - **Anchor index**: an anchor's position in its stream (0, 1, 2...), assigned by the chain;
//!   **sequence number**: the device's own counter, signed, strictly increasing per stream.
//! - **Window**: the anchors a stream stores, indices `anchor_count - AnchorWindow ..
//!   anchor_count`; the **recorded window** likewise keeps a stream's last `RecordedWindow`
//!   recorded readings, with indices of their own ([`RecordedCount`]).
//!
//! ## Time: relay-chain block numbers for validity, parachain ones for records
//!
//! An attestation's validity window is a promise in wall-clock time ("calibrated until the end
//! of the year"), so it must not shrink when parachain blocks get faster (block bundling,
//! elastic scaling). `valid_from`, `valid_until`, `superseded_at`, `revoked_at` and the `at` of
//! [`Pallet::attestation_valid_at`] (view function and runtime API) are therefore block numbers
//! of [`Config::BlockNumberProvider`], which our runtime sets to the **relay chain's** block
//! number (one per 6 s), and "now" in [`Pallet::remove_attestation`]'s expiry check is that
//! provider's current number. A client reads the relay number the chain last saw from
//! `parachainSystem.lastRelayChainBlockNumber` (the relay parent of the latest block; the next
//! block sees that number or a later one).
//!
//! Fields that only record in which block something happened — a stream's `created_at`, an
//! anchor's and a product's `anchored_at` — are **parachain** block numbers, as before: they are
//! never compared with a period. Both kinds have the same type (`u32` in our runtime).
//!
//! ## Calls
//!
//! Each call documents its own contract (origin, arguments, deposits, errors, events, complexity);
//! the same text is in the runtime metadata, which wallets show.
//!
//! - [`Pallet::create_stream`] — declare a stream of a device's readings.
//! - [`Pallet::remove_stream`] — delete a stream and its stored anchors.
//! - [`Pallet::anchor`] — anchor a device-signed batch of readings; anyone submits it.
//! - [`Pallet::attest`] — attest a claim about a device, stream, anchor or product.
//! - [`Pallet::revoke_attestation`] — withdraw an attestation.
//! - [`Pallet::remove_attestation`] — delete an attestation that is over.
//! - [`Pallet::anchor_product`] — anchor a derived product with its input anchors.
//! - [`Pallet::remove_product`] — delete a derived product.
//!
//! ### Reads
//!
//! View functions (PAPI, subxt) and the `ProvenanceApi` runtime API (polkadot.js, the node's
//! `iot_verifyInclusion`) answer from the same functions: [`Pallet::stream`], [`Pallet::anchor_of`],
//! [`Pallet::latest_anchor`], [`Pallet::anchors`], [`Pallet::verify_inclusion`]; recorded
//! readings (view functions and the `ProvenanceRecordedApi` runtime API):
//! [`Pallet::recorded_of`], [`Pallet::latest_recorded`], [`Pallet::recorded`],
//! [`Pallet::verify_recorded`];
//! [`Pallet::attestation`], [`Pallet::attestations_of`], [`Pallet::attestation_valid_at`].
//!
//! ## Example
//!
//! A gateway relays a batch the device signed; a reading is proven included (a unit test against
//! the mock runtime, `src/tests/anchors.rs`):
#![doc = docify::embed!("src/tests/anchors.rs", a_gateway_relays_a_device_signed_batch)]
#![cfg_attr(not(feature = "std"), no_std)]
// `expect_used` is not denied crate-wide because FRAME's storage/error macros expand to
// `expect`; the hand-written modules deny it themselves.
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
	prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::Precision,
	},
};
pub use iot_primitives::{
	device::DeviceRegistry,
	provenance::{AnchorPayload, ProvenanceRecorder, ANCHOR_TAG},
};
use iot_primitives::{
	page_len,
	provenance::{self as format},
};

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// The host's blake2 for the shared formats.
pub use iot_primitives::device::HostBlake2;

/// What a device signs, minus what the chain fills in (tag, genesis hash, device, stream).
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct AnchorStatement<ContentId> {
	/// Strictly increasing per device and stream.
	pub sequence: u64,
	/// Merkle root over the readings.
	pub root: [u8; 32],
	/// Number of readings (≥ 1).
	pub count: u32,
	/// Time of the first reading, ms since the UNIX epoch.
	pub first_timestamp: u64,
	/// Time of the last reading (≥ the first).
	pub last_timestamp: u64,
	/// Where the batch is stored off chain.
	pub content_id: Option<ContentId>,
}

/// The statement as submitted.
pub type AnchorStatementOf<T> = AnchorStatement<ContentIdOf<T>>;

/// Weight of `anchor` for this signature's scheme.
fn anchor_weight<T: Config>(signature: &DeviceSignature) -> Weight {
	match signature.kind() {
		KeyKind::Ed25519 => T::WeightInfo::anchor_ed25519(),
		KeyKind::Sr25519 => T::WeightInfo::anchor_sr25519(),
		KeyKind::Secp256k1 => T::WeightInfo::anchor_secp256k1(),
		KeyKind::P256 => T::WeightInfo::anchor_p256(),
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
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::Mutate<Self::AccountId>;

		/// The device registry: who owns a device, whether it is active, its signatures.
		type Devices: DeviceRegistry<Self::AccountId>;

		/// The clock of attestation windows: `valid_from`, `valid_until`, `superseded_at`,
		/// `revoked_at` and the `at` of [`Pallet::attestation_valid_at`] are block numbers of this
		/// provider, and so is "now" when an attestation is superseded, revoked or checked for
		/// expiry.
		///
		/// A validity window is a wall-clock promise, so it must not shrink when the chain's own
		/// blocks get faster (several parachain blocks per relay block with elastic scaling). Our
		/// runtime uses the relay chain's block number
		/// (`cumulus_pallet_parachain_system::RelaychainDataProvider`: one block per 6 s whatever
		/// the parachain's rate); a solo chain may use `frame_system::Pallet<Self>`. The number
		/// type is the system's, so the storage and metadata types do not depend on the choice.
		/// Records of where something happened (`created_at`, `anchored_at`) stay parachain block
		/// numbers.
		type BlockNumberProvider: BlockNumberProvider<BlockNumber = BlockNumberFor<Self>>;

		/// Sets up what the benchmarks need from other pallets: a registered device (and a stream
		/// of it). The runtime's calls the registry and provenance pallets; a mock, its doubles.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: iot_primitives::bench::BenchmarkHelper<Self::AccountId>;

		/// Held per stream: its record plus a full window of anchors and a full recorded window
		/// (`StreamOf::max_encoded_len() + AnchorWindow × AnchorOf::max_encoded_len() +
		/// RecordedWindow × (RecordedOf::max_encoded_len())` bytes, and the recorded counter).
		#[pallet::constant]
		type StreamDeposit: Get<BalanceOf<Self>>;

		/// Held per attestation (`AttestationOf::max_encoded_len()` bytes plus the subject index).
		#[pallet::constant]
		type AttestationDeposit: Get<BalanceOf<Self>>;

		/// Held per derived product (`ProductOf::max_encoded_len()` bytes).
		#[pallet::constant]
		type ProductDeposit: Get<BalanceOf<Self>>;

		/// Anchors each stream keeps; a new anchor overwrites the oldest beyond this.
		#[pallet::constant]
		type AnchorWindow: Get<u32>;

		/// Recorded readings ([`ProvenanceRecorder`]) each stream keeps, apart from its anchors; a
		/// new one overwrites the oldest beyond this.
		#[pallet::constant]
		type RecordedWindow: Get<u32>;

		/// Maximum length of a content id (CID, URL), in bytes.
		#[pallet::constant]
		type MaxContentIdLen: Get<u32>;

		/// Maximum length of a stream's name or unit, in bytes.
		#[pallet::constant]
		type MaxLabelLen: Get<u32>;

		/// Maximum length of a schema reference, in bytes.
		#[pallet::constant]
		type MaxSchemaLen: Get<u32>;

		/// Maximum number of input anchors of a derived product.
		#[pallet::constant]
		type MaxInputs: Get<u32>;

		/// Weights of the calls, generated by the pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A stream's record, anchor window and recorded window, held from its owner.
		#[codec(index = 0)]
		StreamDeposit,
		/// An attestation, held from its attester.
		#[codec(index = 1)]
		AttestationDeposit,
		/// A derived product, held from its producer.
		#[codec(index = 2)]
		ProductDeposit,
	}

	/// Streams.
	#[pallet::storage]
	pub type Streams<T: Config> = StorageMap<_, Twox64Concat, StreamId, StreamOf<T>, OptionQuery>;

	/// Id the next stream gets.
	#[pallet::storage]
	pub type NextStreamId<T: Config> = StorageValue<_, StreamId, ValueQuery>;

	/// The window of each stream: `(stream, index % AnchorWindow)` → anchor.
	#[pallet::storage]
	pub type Anchors<T: Config> =
		StorageDoubleMap<_, Twox64Concat, StreamId, Twox64Concat, u32, AnchorOf<T>, OptionQuery>;

	/// The recorded window of each stream: `(stream, index % RecordedWindow)` → a reading
	/// another pallet recorded ([`ProvenanceRecorder`]), not signed by the device.
	#[pallet::storage]
	pub type RecordedReadings<T: Config> =
		StorageDoubleMap<_, Twox64Concat, StreamId, Twox64Concat, u32, RecordedOf<T>, OptionQuery>;

	/// Readings recorded in each stream so far (the next one's index); absent for none.
	#[pallet::storage]
	pub type RecordedCount<T: Config> =
		StorageMap<_, Twox64Concat, StreamId, AnchorIndex, ValueQuery>;

	/// Attestations.
	#[pallet::storage]
	pub type Attestations<T: Config> =
		StorageMap<_, Twox64Concat, AttestationId, AttestationOf<T>, OptionQuery>;

	/// Id the next attestation gets.
	#[pallet::storage]
	pub type NextAttestationId<T: Config> = StorageValue<_, AttestationId, ValueQuery>;

	/// Attestations by subject, for paginated reads.
	#[pallet::storage]
	pub type AttestationsBySubject<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		Subject,
		Twox64Concat,
		AttestationId,
		(),
		OptionQuery,
	>;

	/// Derived products.
	#[pallet::storage]
	pub type Products<T: Config> =
		StorageMap<_, Twox64Concat, ProductId, ProductOf<T>, OptionQuery>;

	/// Id the next product gets.
	#[pallet::storage]
	pub type NextProductId<T: Config> = StorageValue<_, ProductId, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A stream was declared.
		StreamCreated { stream: StreamId, device: DeviceId, owner: T::AccountId },
		/// A stream, its stored anchors and recorded readings were deleted; its deposit released.
		StreamRemoved { stream: StreamId },
		/// A device-signed batch was anchored.
		Anchored {
			stream: StreamId,
			index: AnchorIndex,
			device: DeviceId,
			sequence: u64,
			root: [u8; 32],
			count: u32,
			submitter: T::AccountId,
		},
		/// Another pallet recorded a reading it vouches for in the stream's recorded window (not
		/// signed by the device; for sensor feeds, `recorder` is the feeds pallet's account).
		ReadingRecorded {
			stream: StreamId,
			index: AnchorIndex,
			sequence: u64,
			root: [u8; 32],
			recorder: T::AccountId,
		},
		/// An attestation was made.
		Attested { id: AttestationId, attester: T::AccountId, subject: Subject },
		/// An attestation was replaced by a later one of the same attester.
		AttestationSuperseded { id: AttestationId, by: AttestationId },
		/// An attester withdrew an attestation.
		AttestationRevoked { id: AttestationId },
		/// A no longer valid attestation was deleted; its deposit released.
		AttestationRemoved { id: AttestationId },
		/// A derived product was anchored with its inputs.
		ProductAnchored { id: ProductId, producer: T::AccountId, inputs: u32 },
		/// A derived product was deleted; its deposit released.
		ProductRemoved { id: ProductId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// There is no stream with this id.
		StreamNotFound,
		/// There is no attestation with this id.
		AttestationNotFound,
		/// There is no product with this id.
		ProductNotFound,
		/// No such device in the registry.
		DeviceNotFound,
		/// The caller may not do this for this device or item.
		NotAuthorized,
		/// The device is not active (suspended, decommissioned, compromised, or its batch is).
		DeviceInactive,
		/// The sequence number is not greater than the stream's last one.
		StaleSequence,
		/// A batch must hold at least one reading.
		EmptyBatch,
		/// The last reading's time is before the first one's.
		BadTimeRange,
		/// The signature is not the device's over this statement on this chain.
		BadSignature,
		/// The attested subject does not exist (or the anchor is no longer stored).
		SubjectNotFound,
		/// The validity window ends before it starts.
		BadValidity,
		/// Only the attester may do this.
		NotAttester,
		/// A superseding attestation must be about the same subject.
		SubjectMismatch,
		/// The attestation is already revoked or superseded.
		NoLongerValid,
		/// The attestation is still valid: revoke it first, or wait until it expires.
		StillValid,
		/// A derived product needs at least one input.
		NoInputs,
		/// An input anchor does not exist or is no longer stored.
		MissingInput,
		/// An id counter is exhausted.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	#[deny(clippy::expect_used)]
	impl<T: Config> Pallet<T> {
		/// Declare a stream of readings for `device`.
		///
		/// A stream says what a device's readings are; anchors name their stream. The caller
		/// becomes the stream's owner and holds its deposit, which pays for the record, a full
		/// window of [`Config::AnchorWindow`] anchors and one of [`Config::RecordedWindow`]
		/// recorded readings, so anchoring and recording need no deposit.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the device's owner or by an operator of the device with
		/// `Permissions::MANAGE_FEEDS`, as the device registry says ([`DeviceRegistry::can_act`]).
		///
		/// ## Details
		///
		/// - `device`: a device known to the registry. Its status is not checked: a stream can be
		///   declared for a suspended or terminal device, but anchors are accepted only while it is
		///   active.
		/// - `info`: name and unit (at most [`Config::MaxLabelLen`] bytes each), value type,
		///   nominal sampling interval in milliseconds (0: irregular), and a schema hash or URI (at
		///   most [`Config::MaxSchemaLen`] bytes).
		///
		/// The stream gets the next [`StreamId`] and no anchors yet. [`Config::StreamDeposit`] is
		/// held from the caller ([`HoldReason::StreamDeposit`]); the caller stays the stream's
		/// owner when the device changes owner.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: the registry has no device `device`.
		/// - [`Error::NotAuthorized`]: the caller is neither the device's owner nor an operator
		///   with `MANAGE_FEEDS`.
		/// - [`Error::Overflow`]: stream ids are exhausted.
		/// - `TokenError::FundsUnavailable`: the caller cannot hold [`Config::StreamDeposit`] and
		///   keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::StreamCreated`]: with the new id, the device and the stream's owner.
		///
		/// ## Complexity
		///
		/// O(ops), `ops` ≤ the device registry's `MaxOperators`: the registry reads the device and,
		/// when the caller is not its owner, scans the device's operator list; reads and writes
		/// `NextStreamId` and the caller's holds; writes `Streams`. O(1) when the caller is the
		/// device's owner.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_stream())]
		pub fn create_stream(
			origin: OriginFor<T>,
			device: DeviceId,
			info: StreamInfo<LabelOf<T>, SchemaOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Devices::owner(device).is_some(), Error::<T>::DeviceNotFound);
			ensure!(
				T::Devices::can_act(device, &who, Permissions::MANAGE_FEEDS),
				Error::<T>::NotAuthorized
			);
			let stream = NextStreamId::<T>::get();
			let next = stream.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::StreamDeposit::get();
			T::Currency::hold(&HoldReason::StreamDeposit.into(), &who, deposit)?;
			NextStreamId::<T>::put(next);
			Streams::<T>::insert(
				stream,
				Stream {
					device,
					owner: who.clone(),
					info,
					last_sequence: None,
					anchor_count: 0,
					deposit,
					created_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::StreamCreated { stream, device, owner: who });
			Ok(())
		}

		/// Delete `stream`, its stored anchors and recorded readings; the deposit returns to the
		/// stream's owner.
		///
		/// Ids are never reused: attestations and products that name the stream or its anchors keep
		/// their references, and each anchor's root stays in its [`Event::Anchored`] in the chain's
		/// history.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the stream's owner (the account that declared it) or by the device's current
		/// owner.
		///
		/// ## Details
		///
		/// - `stream`: the stream. The deposit recorded in it is released to the stream's owner,
		///   whoever calls.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::StreamNotFound`]: there is no stream `stream`.
		/// - [`Error::NotAuthorized`]: the caller is neither the stream's owner nor the device's
		///   owner.
		///
		/// ## Events
		///
		/// - [`Event::StreamRemoved`]: on success.
		///
		/// ## Complexity
		///
		/// O(w), `w` the anchors and recorded readings stored (at most [`Config::AnchorWindow`] +
		/// [`Config::RecordedWindow`]): reads `Streams`, `RecordedCount` and, when the caller is
		/// not the stream's owner, the device's owner from the registry; deletes `w` `Anchors`
		/// and `RecordedReadings` entries, the counter and the stream; releases the hold. The
		/// weight is charged for both windows full and refunded to the entries stored.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_stream(Pallet::<T>::max_stored_per_stream()))]
		pub fn remove_stream(origin: OriginFor<T>, stream: StreamId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let record = Streams::<T>::get(stream).ok_or(Error::<T>::StreamNotFound)?;
			ensure!(
				who == record.owner || T::Devices::owner(record.device).as_ref() == Some(&who),
				Error::<T>::NotAuthorized
			);
			let stored = Self::stored_anchors(&record);
			let _ = Anchors::<T>::clear_prefix(stream, stored, None);
			let recorded = Self::stored_recorded(RecordedCount::<T>::take(stream));
			let _ = RecordedReadings::<T>::clear_prefix(stream, recorded, None);
			Streams::<T>::remove(stream);
			Self::release(HoldReason::StreamDeposit, &record.owner, record.deposit);
			Self::deposit_event(Event::StreamRemoved { stream });
			Ok(Some(T::WeightInfo::remove_stream(stored.saturating_add(recorded))).into())
		}

		/// Anchor a batch of readings signed by the stream's device; anyone may submit it.
		///
		/// The device signs; whoever relays it (a gateway, the owner, an off-chain worker) pays the
		/// fee, and the device needs no funds. One extrinsic anchors any number of readings at the
		/// same weight.
		///
		/// ## Dispatch Origin
		///
		/// Signed, by any account: the submitter, recorded in the anchor.
		///
		/// ## Details
		///
		/// - `stream`: the stream; its device must be active.
		/// - `statement`: the device's sequence number (greater than the stream's last), the Merkle
		///   `root` over the readings, their `count` (at least 1), the times of the first and the
		///   last reading (ms since the UNIX epoch, first ≤ last) and an optional content id (at
		///   most [`Config::MaxContentIdLen`] bytes).
		/// - `signature`: the signature, by the device's current key, of the [`AnchorPayload`] made
		///   of `statement`, the chain's genesis hash, the device and `stream` ([`Pallet::payload`]
		///   builds it; bytes and the reading tree in [`iot_primitives::provenance`]).
		///
		/// The anchor gets the stream's next index and is stored in slot `index % AnchorWindow`,
		/// overwriting the oldest anchor beyond the window; the stream's last sequence number
		/// becomes `statement.sequence`. Nothing is held: the stream's deposit covers its window.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::StreamNotFound`]: there is no stream `stream`.
		/// - [`Error::DeviceInactive`]: the device is not active (suspended, decommissioned,
		///   compromised, removed, or claimed from a compromised batch).
		/// - [`Error::StaleSequence`]: `statement.sequence` is not greater than the stream's last.
		/// - [`Error::EmptyBatch`]: `statement.count` is 0.
		/// - [`Error::BadTimeRange`]: the last reading's time is before the first one's.
		/// - [`Error::BadSignature`]: `signature` is not the device's current key's over this
		///   payload (another chain, device, stream or statement, or a signature type other than
		///   the key's).
		/// - [`Error::Overflow`]: the stream's anchor counter is exhausted.
		///
		/// ## Events
		///
		/// - [`Event::Anchored`]: with the stream, the anchor's index, the device, the sequence
		///   number, the root, the count and the submitter.
		///
		/// ## Complexity
		///
		/// O(1) plus one signature check: reads `Streams` and, through the registry, the device
		/// (and its batch, if it was claimed from one); writes `Streams` and one `Anchors` slot.
		/// The weight is chosen by the signature's key type: P-256 is verified in the runtime, not
		/// by a host function, and is the heaviest.
		#[pallet::call_index(2)]
		#[pallet::weight(anchor_weight::<T>(signature))]
		pub fn anchor(
			origin: OriginFor<T>,
			stream: StreamId,
			statement: AnchorStatementOf<T>,
			signature: DeviceSignature,
		) -> DispatchResult {
			let submitter = ensure_signed(origin)?;
			let record = Streams::<T>::get(stream).ok_or(Error::<T>::StreamNotFound)?;
			ensure!(T::Devices::is_active(record.device), Error::<T>::DeviceInactive);
			ensure!(
				record.last_sequence.is_none_or(|last| statement.sequence > last),
				Error::<T>::StaleSequence
			);
			ensure!(statement.count > 0, Error::<T>::EmptyBatch);
			ensure!(
				statement.first_timestamp <= statement.last_timestamp,
				Error::<T>::BadTimeRange
			);
			let payload = Self::payload(record.device, stream, &statement);
			ensure!(
				T::Devices::verify(record.device, &payload.signing_bytes(), &signature),
				Error::<T>::BadSignature
			);

			let mut record = record;
			record.last_sequence = Some(statement.sequence);
			Self::push_anchor(
				stream,
				record,
				statement.sequence,
				statement.root,
				statement.count,
				(statement.first_timestamp, statement.last_timestamp),
				statement.content_id,
				submitter,
			)?;
			Ok(())
		}

		/// Attest `claim_hash` about `subject` for relay-chain blocks `valid_from ..= valid_until`.
		///
		/// Any account may attest a claim (a certificate, a calibration report) about a device, a
		/// stream, an anchored batch or a derived product, and may replace its own earlier
		/// attestation of the same subject.
		///
		/// ## Dispatch Origin
		///
		/// Signed, by any account: the attester.
		///
		/// ## Details
		///
		/// - `subject`: a device known to the registry (whatever its status), an existing stream,
		///   an anchor stored now (inside its stream's window) or an existing product.
		/// - `claim_hash`: the hash of the claim document.
		/// - `schema`: the claim's schema, if any, at most [`Config::MaxSchemaLen`] bytes.
		/// - `valid_from`, `valid_until`: the first and the last block of validity (`None`:
		///   open-ended), `valid_from` ≤ `valid_until`, as block numbers of
		///   [`Config::BlockNumberProvider`]: **relay-chain** block numbers in our runtime (6 s
		///   each), not parachain ones; a client reads the current one from
		///   `parachainSystem.lastRelayChainBlockNumber`. Not checked against the current number.
		/// - `supersedes`: an earlier attestation of the caller about the same subject, neither
		///   revoked nor superseded (an expired one may be superseded). It stops being valid from
		///   the provider's current block number on (its `superseded_at`).
		///
		/// The attestation gets the next [`AttestationId`]. [`Config::AttestationDeposit`] is held
		/// from the attester ([`HoldReason::AttestationDeposit`]) until the attestation is removed
		/// with [`Pallet::remove_attestation`]; a superseded attestation keeps its deposit until it
		/// is removed too. [`Pallet::attestation_valid_at`] says whether an attestation holds at a
		/// given relay-chain block number.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::SubjectNotFound`]: the subject does not exist (or the anchor is no longer
		///   stored).
		/// - [`Error::BadValidity`]: `valid_until` is before `valid_from`.
		/// - [`Error::AttestationNotFound`]: there is no attestation `supersedes`.
		/// - [`Error::NotAttester`]: `supersedes` is another account's attestation.
		/// - [`Error::SubjectMismatch`]: `supersedes` is about another subject.
		/// - [`Error::NoLongerValid`]: `supersedes` is already revoked or superseded.
		/// - [`Error::Overflow`]: attestation ids are exhausted.
		/// - `TokenError::FundsUnavailable`: the caller cannot hold [`Config::AttestationDeposit`]
		///   and keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::AttestationSuperseded`]: first, when `supersedes` is given, with the old id
		///   and the new one.
		/// - [`Event::Attested`]: with the new id, the attester and the subject.
		///
		/// ## Complexity
		///
		/// O(1): reads the subject (the device through the registry, or `Streams`, `Anchors` or
		/// `Products`), `NextAttestationId`, the caller's holds and, when superseding, the old
		/// attestation; writes `NextAttestationId`, one or two `Attestations`,
		/// `AttestationsBySubject` and the hold.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::attest())]
		pub fn attest(
			origin: OriginFor<T>,
			subject: Subject,
			claim_hash: [u8; 32],
			schema: Option<SchemaOf<T>>,
			valid_from: BlockNumberFor<T>,
			valid_until: Option<BlockNumberFor<T>>,
			supersedes: Option<AttestationId>,
		) -> DispatchResult {
			let attester = ensure_signed(origin)?;
			ensure!(Self::subject_exists(&subject), Error::<T>::SubjectNotFound);
			ensure!(valid_until.is_none_or(|until| valid_from <= until), Error::<T>::BadValidity);
			let now = T::BlockNumberProvider::current_block_number();
			let replaced = match supersedes {
				Some(old_id) => {
					let mut old =
						Attestations::<T>::get(old_id).ok_or(Error::<T>::AttestationNotFound)?;
					ensure!(old.attester == attester, Error::<T>::NotAttester);
					ensure!(old.subject == subject, Error::<T>::SubjectMismatch);
					ensure!(
						old.revoked_at.is_none() && old.superseded_at.is_none(),
						Error::<T>::NoLongerValid
					);
					old.superseded_at = Some(now);
					Some((old_id, old))
				},
				None => None,
			};
			let id = NextAttestationId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::AttestationDeposit::get();
			T::Currency::hold(&HoldReason::AttestationDeposit.into(), &attester, deposit)?;
			NextAttestationId::<T>::put(next);
			if let Some((old_id, old)) = replaced {
				Attestations::<T>::insert(old_id, old);
				Self::deposit_event(Event::AttestationSuperseded { id: old_id, by: id });
			}
			Attestations::<T>::insert(
				id,
				Attestation {
					attester: attester.clone(),
					subject,
					claim_hash,
					schema,
					valid_from,
					valid_until,
					supersedes,
					superseded_at: None,
					revoked_at: None,
					deposit,
				},
			);
			AttestationsBySubject::<T>::insert(subject, id, ());
			Self::deposit_event(Event::Attested { id, attester, subject });
			Ok(())
		}

		/// Withdraw attestation `id` from the current relay-chain block number on.
		///
		/// The attestation stays stored, so its history can still be read, and keeps its deposit
		/// until it is removed with [`Pallet::remove_attestation`].
		///
		/// ## Dispatch Origin
		///
		/// Signed by the attester.
		///
		/// ## Details
		///
		/// - `id`: an attestation of the caller, not yet revoked; a superseded one can still be
		///   revoked. It no longer holds from the current block number of
		///   [`Config::BlockNumberProvider`] on (the relay chain's in our runtime), which becomes
		///   its `revoked_at`.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::AttestationNotFound`]: there is no attestation `id`.
		/// - [`Error::NotAttester`]: the caller is not its attester.
		/// - [`Error::NoLongerValid`]: it is already revoked.
		///
		/// ## Events
		///
		/// - [`Event::AttestationRevoked`]: on success.
		///
		/// ## Complexity
		///
		/// O(1): one read and one write (`Attestations`).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::revoke_attestation())]
		pub fn revoke_attestation(origin: OriginFor<T>, id: AttestationId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut attestation =
				Attestations::<T>::get(id).ok_or(Error::<T>::AttestationNotFound)?;
			ensure!(attestation.attester == who, Error::<T>::NotAttester);
			ensure!(attestation.revoked_at.is_none(), Error::<T>::NoLongerValid);
			attestation.revoked_at = Some(T::BlockNumberProvider::current_block_number());
			Attestations::<T>::insert(id, attestation);
			Self::deposit_event(Event::AttestationRevoked { id });
			Ok(())
		}

		/// Delete attestation `id` once it is over, and release its deposit.
		///
		/// An attestation is over when it is revoked, superseded or expired (its last block of
		/// validity is before the current block number of [`Config::BlockNumberProvider`], a
		/// relay-chain block number in our runtime), so a live claim cannot vanish silently.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the attester.
		///
		/// ## Details
		///
		/// - `id`: an attestation of the caller that is over. The deposit recorded in it is
		///   released to the caller. An attestation that superseded it keeps its `supersedes` id.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::AttestationNotFound`]: there is no attestation `id`.
		/// - [`Error::NotAttester`]: the caller is not its attester.
		/// - [`Error::StillValid`]: it is neither revoked, superseded nor expired (one whose window
		///   has not started yet counts as still valid).
		///
		/// ## Events
		///
		/// - [`Event::AttestationRemoved`]: on success.
		///
		/// ## Complexity
		///
		/// O(1): reads and writes `Attestations` and the caller's holds; one write
		/// (`AttestationsBySubject`).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::remove_attestation())]
		pub fn remove_attestation(origin: OriginFor<T>, id: AttestationId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let attestation = Attestations::<T>::get(id).ok_or(Error::<T>::AttestationNotFound)?;
			ensure!(attestation.attester == who, Error::<T>::NotAttester);
			let now = T::BlockNumberProvider::current_block_number();
			let expired = attestation.valid_until.is_some_and(|until| until < now);
			ensure!(
				expired || attestation.revoked_at.is_some() || attestation.superseded_at.is_some(),
				Error::<T>::StillValid
			);
			Attestations::<T>::remove(id);
			AttestationsBySubject::<T>::remove(attestation.subject, id);
			Self::release(HoldReason::AttestationDeposit, &who, attestation.deposit);
			Self::deposit_event(Event::AttestationRemoved { id });
			Ok(())
		}

		/// Anchor a derived data product computed from the anchors `inputs`.
		///
		/// Lineage for a monthly report or a cleaned data set. Every input must be stored when the
		/// product is anchored, so the chain vouches that it existed; the product keeps its
		/// references after the inputs leave their windows.
		///
		/// ## Dispatch Origin
		///
		/// Signed, by any account: the producer.
		///
		/// ## Details
		///
		/// - `inputs`: `(stream, anchor index)` pairs, 1 to [`Config::MaxInputs`] of them, each an
		///   anchor stored now (inside its stream's window); repeats are not rejected.
		/// - `root`: the Merkle root over the product's records.
		/// - `count`: the number of records, at least 1.
		/// - `content_id`: where the product is stored off chain, if anywhere, at most
		///   [`Config::MaxContentIdLen`] bytes.
		///
		/// The product gets the next [`ProductId`]. [`Config::ProductDeposit`] is held from the
		/// producer ([`HoldReason::ProductDeposit`]) until it is removed with
		/// [`Pallet::remove_product`].
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::NoInputs`]: `inputs` is empty.
		/// - [`Error::EmptyBatch`]: `count` is 0.
		/// - [`Error::MissingInput`]: an input anchor does not exist or is no longer stored.
		/// - [`Error::Overflow`]: product ids are exhausted.
		/// - `TokenError::FundsUnavailable`: the caller cannot hold [`Config::ProductDeposit`] and
		///   keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::ProductAnchored`]: with the new id, the producer and the number of inputs.
		///
		/// ## Complexity
		///
		/// O(i), `i = inputs.len()` ≤ [`Config::MaxInputs`]: one `Anchors` read per input; reads
		/// and writes `NextProductId` and the caller's holds; writes `Products`. The weight is
		/// charged for `MaxInputs` inputs and, on success, refunded to `i`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::anchor_product(T::MaxInputs::get()))]
		pub fn anchor_product(
			origin: OriginFor<T>,
			inputs: InputsOf<T>,
			root: [u8; 32],
			count: u32,
			content_id: Option<ContentIdOf<T>>,
		) -> DispatchResultWithPostInfo {
			let producer = ensure_signed(origin)?;
			ensure!(!inputs.is_empty(), Error::<T>::NoInputs);
			ensure!(count > 0, Error::<T>::EmptyBatch);
			for (stream, index) in inputs.iter() {
				ensure!(Self::anchor_of(*stream, *index).is_some(), Error::<T>::MissingInput);
			}
			let id = NextProductId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::ProductDeposit::get();
			T::Currency::hold(&HoldReason::ProductDeposit.into(), &producer, deposit)?;
			NextProductId::<T>::put(next);
			let input_count = u32::try_from(inputs.len()).unwrap_or(u32::MAX);
			Products::<T>::insert(
				id,
				Product {
					producer: producer.clone(),
					root,
					count,
					content_id,
					inputs,
					deposit,
					anchored_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::ProductAnchored { id, producer, inputs: input_count });
			Ok(Some(T::WeightInfo::anchor_product(input_count)).into())
		}

		/// Delete derived product `id` and release its deposit.
		///
		/// Attestations about the product keep their subject: ids are never reused.
		///
		/// ## Dispatch Origin
		///
		/// Signed by the producer.
		///
		/// ## Details
		///
		/// - `id`: a product of the caller. The deposit recorded in it is released to the caller.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::ProductNotFound`]: there is no product `id`.
		/// - [`Error::NotAuthorized`]: the caller is not its producer.
		///
		/// ## Events
		///
		/// - [`Event::ProductRemoved`]: on success.
		///
		/// ## Complexity
		///
		/// O(1): reads and writes `Products` and the caller's holds.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::remove_product())]
		pub fn remove_product(origin: OriginFor<T>, id: ProductId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let product = Products::<T>::get(id).ok_or(Error::<T>::ProductNotFound)?;
			ensure!(product.producer == who, Error::<T>::NotAuthorized);
			Products::<T>::remove(id);
			Self::release(HoldReason::ProductDeposit, &who, product.deposit);
			Self::deposit_event(Event::ProductRemoved { id });
			Ok(())
		}
	}
	/// Reads, as view functions (`RuntimeViewFunction`; PAPI and subxt call them by name). The
	/// runtime API `ProvenanceApi` answers from the same functions for polkadot.js and the node's
	/// `iot_*` methods. Lists page as [`iot_primitives::MAX_PAGE`] describes.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// A stream's record (its device, value type and anchor counter), or `None`.
		pub fn stream(stream: StreamId) -> Option<StreamOf<T>> {
			Streams::<T>::get(stream)
		}

		/// Anchor `index` of `stream` (the stream's 0-based anchor counter, not the batch's
		/// sequence number), or `None` if it was never made or has left the window.
		pub fn anchor_of(stream: StreamId, index: AnchorIndex) -> Option<AnchorOf<T>> {
			Anchors::<T>::get(stream, Self::slot(index)).filter(|anchor| anchor.index == index)
		}

		/// The newest anchor of `stream`.
		pub fn latest_anchor(stream: StreamId) -> Option<AnchorOf<T>> {
			let count = Streams::<T>::get(stream)?.anchor_count;
			Self::anchor_of(stream, count.checked_sub(1)?)
		}

		/// Stored anchors of `stream`, newest first: at most `min(limit, MAX_PAGE)` (and never
		/// older than the window), below index `before` (the oldest index of the previous page;
		/// `None` for the newest page).
		pub fn anchors(
			stream: StreamId,
			before: Option<AnchorIndex>,
			limit: u32,
		) -> Vec<AnchorOf<T>> {
			let Some(record) = Streams::<T>::get(stream) else { return Vec::new() };
			let end = before.map_or(record.anchor_count, |b| b.min(record.anchor_count));
			let oldest = record.anchor_count.saturating_sub(u64::from(T::AnchorWindow::get()));
			let limit = u64::try_from(page_len(limit)).unwrap_or(0);
			let start = end.saturating_sub(limit).max(oldest);
			(start..end).rev().filter_map(|index| Self::anchor_of(stream, index)).collect()
		}

		/// Whether `reading` is reading number `leaf_index` of anchor `(stream, index)`, by its
		/// Merkle proof (sibling hashes from the leaf level up). `false` if the anchor is not
		/// stored.
		pub fn verify_inclusion(
			stream: StreamId,
			index: AnchorIndex,
			reading: Vec<u8>,
			leaf_index: u32,
			proof: Vec<[u8; 32]>,
		) -> bool {
			Self::anchor_of(stream, index).is_some_and(|anchor| {
				format::verify_reading::<HostBlake2>(
					&anchor.root,
					anchor.count,
					&reading,
					leaf_index,
					&proof,
				)
			})
		}

		/// Recorded reading `index` of `stream` (its own counter, apart from anchor indices): a
		/// value another pallet vouches for, not signed by the device. `None` if it was never
		/// recorded or has left the recorded window.
		pub fn recorded_of(stream: StreamId, index: AnchorIndex) -> Option<RecordedOf<T>> {
			RecordedReadings::<T>::get(stream, Self::recorded_slot(index))
				.filter(|recorded| recorded.index == index)
		}

		/// The newest recorded reading of `stream`.
		pub fn latest_recorded(stream: StreamId) -> Option<RecordedOf<T>> {
			Self::recorded_of(stream, RecordedCount::<T>::get(stream).checked_sub(1)?)
		}

		/// Stored recorded readings of `stream`, newest first: at most `min(limit, MAX_PAGE)`
		/// (and never older than the recorded window), below index `before` (the oldest index of
		/// the previous page; `None` for the newest page).
		pub fn recorded(
			stream: StreamId,
			before: Option<AnchorIndex>,
			limit: u32,
		) -> Vec<RecordedOf<T>> {
			let count = RecordedCount::<T>::get(stream);
			let end = before.map_or(count, |b| b.min(count));
			let oldest = count.saturating_sub(u64::from(T::RecordedWindow::get()));
			let limit = u64::try_from(page_len(limit)).unwrap_or(0);
			let start = end.saturating_sub(limit).max(oldest);
			(start..end).rev().filter_map(|index| Self::recorded_of(stream, index)).collect()
		}

		/// Whether `reading` is recorded reading `index` of `stream` (its bytes hash to the
		/// stored leaf hash). `false` if it is not stored. A `true` says that the recorder
		/// vouched for it, not that the device signed it.
		pub fn verify_recorded(stream: StreamId, index: AnchorIndex, reading: Vec<u8>) -> bool {
			Self::recorded_of(stream, index).is_some_and(|recorded| {
				recorded.root == format::reading_leaf_hash::<HostBlake2>(&reading)
			})
		}

		/// An attestation, or `None`.
		pub fn attestation(id: AttestationId) -> Option<AttestationOf<T>> {
			Attestations::<T>::get(id)
		}

		/// A page of the attestations of `subject` with their ids: at most `min(limit, MAX_PAGE)`,
		/// in storage order, after attestation `start_after`.
		pub fn attestations_of(
			subject: Subject,
			start_after: Option<AttestationId>,
			limit: u32,
		) -> Vec<(AttestationId, AttestationOf<T>)> {
			let ids = match start_after {
				Some(last) => AttestationsBySubject::<T>::iter_key_prefix_from(
					subject,
					AttestationsBySubject::<T>::hashed_key_for(subject, last),
				),
				None => AttestationsBySubject::<T>::iter_key_prefix(subject),
			};
			ids.take(page_len(limit))
				.filter_map(|id| Attestations::<T>::get(id).map(|a| (id, a)))
				.collect()
		}

		/// Whether attestation `id` holds at block number `at` of [`Config::BlockNumberProvider`]
		/// (exists, not revoked or superseded by then, inside its window). In our runtime `at` is a
		/// **relay-chain** block number, like the window; the current one is
		/// `parachainSystem.lastRelayChainBlockNumber`. The answer is as of the block the query
		/// runs at: a later revocation is not known yet.
		pub fn attestation_valid_at(id: AttestationId, at: BlockNumberFor<T>) -> bool {
			Attestations::<T>::get(id).is_some_and(|attestation| attestation.is_valid_at(at))
		}
	}
}

#[deny(clippy::expect_used)]
impl<T: Config> Pallet<T> {
	/// The chain's genesis hash, which every anchor statement binds.
	pub fn genesis_hash() -> [u8; 32] {
		iot_primitives::device::hash_bytes(
			frame_system::BlockHash::<T>::get(BlockNumberFor::<T>::zero()).as_ref(),
		)
	}

	/// The full statement the device signed for `statement` on `stream`.
	pub fn payload(
		device: DeviceId,
		stream: StreamId,
		statement: &AnchorStatementOf<T>,
	) -> AnchorPayload<'_> {
		AnchorPayload {
			tag: ANCHOR_TAG,
			genesis_hash: Self::genesis_hash(),
			device,
			stream,
			sequence: statement.sequence,
			root: statement.root,
			count: statement.count,
			first_timestamp: statement.first_timestamp,
			last_timestamp: statement.last_timestamp,
			content_id: statement.content_id.as_ref().map(|cid| cid.as_slice()),
		}
	}

	/// Stores the next anchor of `stream` (overwriting the oldest beyond the window) and emits
	/// `Anchored`. Every check, and the device's sequence number, is the caller's; this only
	/// fails on an exhausted counter.
	fn push_anchor(
		stream: StreamId,
		mut record: StreamOf<T>,
		sequence: u64,
		root: [u8; 32],
		count: u32,
		(first_timestamp, last_timestamp): (u64, u64),
		content_id: Option<ContentIdOf<T>>,
		submitter: T::AccountId,
	) -> Result<AnchorIndex, DispatchError> {
		let index = record.anchor_count;
		record.anchor_count = index.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let device = record.device;
		Streams::<T>::insert(stream, record);
		Anchors::<T>::insert(
			stream,
			Self::slot(index),
			Anchor {
				index,
				sequence,
				root,
				count,
				first_timestamp,
				last_timestamp,
				content_id,
				submitter: submitter.clone(),
				anchored_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		Self::deposit_event(Event::Anchored {
			stream,
			index,
			device,
			sequence,
			root,
			count,
			submitter,
		});
		Ok(index)
	}

	fn slot(index: AnchorIndex) -> u32 {
		let window = u64::from(T::AnchorWindow::get().max(1));
		u32::try_from(index.checked_rem(window).unwrap_or(0)).unwrap_or(0)
	}

	/// How many anchors of `stream` are stored (at most the window).
	fn stored_anchors(stream: &StreamOf<T>) -> u32 {
		u32::try_from(stream.anchor_count.min(u64::from(T::AnchorWindow::get()))).unwrap_or(0)
	}

	fn recorded_slot(index: AnchorIndex) -> u32 {
		let window = u64::from(T::RecordedWindow::get().max(1));
		u32::try_from(index.checked_rem(window).unwrap_or(0)).unwrap_or(0)
	}

	/// How many recorded readings a stream with `count` of them stores (at most the window).
	fn stored_recorded(count: AnchorIndex) -> u32 {
		u32::try_from(count.min(u64::from(T::RecordedWindow::get()))).unwrap_or(0)
	}

	/// The most entries a stream stores: a full anchor window and a full recorded window.
	pub fn max_stored_per_stream() -> u32 {
		T::AnchorWindow::get().saturating_add(T::RecordedWindow::get())
	}

	fn release(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) {
		// Best effort: a record must never get stuck because less than it says is held
		// (`try_state` reports such a mismatch).
		let _ = T::Currency::release(&reason.into(), who, amount, Precision::BestEffort);
	}

	fn subject_exists(subject: &Subject) -> bool {
		match subject {
			Subject::Device(device) => T::Devices::owner(*device).is_some(),
			Subject::Stream(stream) => Streams::<T>::contains_key(stream),
			Subject::Anchor(stream, index) => Self::anchor_of(*stream, *index).is_some(),
			Subject::Product(id) => Products::<T>::contains_key(id),
		}
	}

	/// Invariants: each hold equals the deposits its records state; anchors sit in their slot
	/// inside their stream's window; the subject index matches the attestations.
	pub fn do_try_state() -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
		ensure!(
			Pallet::<T>::on_chain_storage_version() == STORAGE_VERSION,
			"the storage version on chain differs from the code's: a migration is missing"
		);
		use alloc::collections::btree_map::BTreeMap;
		let mut expected: BTreeMap<(T::AccountId, u8), BalanceOf<T>> = BTreeMap::new();
		let mut add = |who: &T::AccountId, reason: u8, amount: BalanceOf<T>| {
			let entry = expected.entry((who.clone(), reason)).or_insert_with(Zero::zero);
			*entry = entry.saturating_add(amount);
		};
		for (id, stream) in Streams::<T>::iter() {
			add(&stream.owner, 0, stream.deposit);
			ensure!(id < NextStreamId::<T>::get(), "stream id beyond the counter");
		}
		for (id, attestation) in Attestations::<T>::iter() {
			add(&attestation.attester, 1, attestation.deposit);
			ensure!(
				AttestationsBySubject::<T>::contains_key(attestation.subject, id),
				"attestation missing from the subject index"
			);
		}
		for (subject, id) in AttestationsBySubject::<T>::iter_keys() {
			ensure!(
				Attestations::<T>::get(id).is_some_and(|a| a.subject == subject),
				"subject index entry without its attestation"
			);
		}
		for (_, product) in Products::<T>::iter() {
			add(&product.producer, 2, product.deposit);
		}
		for (stream, slot, anchor) in Anchors::<T>::iter() {
			let record = Streams::<T>::get(stream).ok_or("anchor of a removed stream")?;
			ensure!(Self::slot(anchor.index) == slot, "anchor in the wrong slot");
			ensure!(anchor.index < record.anchor_count, "anchor beyond its stream's count");
		}
		for (stream, count) in RecordedCount::<T>::iter() {
			ensure!(Streams::<T>::contains_key(stream), "recorded counter of a removed stream");
			ensure!(count > 0, "a recorded counter of zero is stored");
		}
		for (stream, slot, recorded) in RecordedReadings::<T>::iter() {
			ensure!(Streams::<T>::contains_key(stream), "recorded reading of a removed stream");
			ensure!(
				Self::recorded_slot(recorded.index) == slot,
				"recorded reading in the wrong slot"
			);
			ensure!(
				recorded.index < RecordedCount::<T>::get(stream),
				"recorded reading beyond its stream's count"
			);
		}
		for ((who, reason), amount) in expected {
			let reason = match reason {
				0 => HoldReason::StreamDeposit,
				1 => HoldReason::AttestationDeposit,
				_ => HoldReason::ProductDeposit,
			};
			ensure!(
				T::Currency::balance_on_hold(&reason.into(), &who) == amount,
				"held deposit differs from the records"
			);
		}
		Ok(())
	}
}

/// Other pallets (sensor feeds) record readings they vouch for in a stream's recorded window,
/// apart from the device's signed anchors.
impl<T: Config> ProvenanceRecorder<T::AccountId> for Pallet<T> {
	fn stream_device(stream: StreamId) -> Option<DeviceId> {
		Streams::<T>::get(stream).map(|record| record.device)
	}

	fn record(
		stream: StreamId,
		sequence: u64,
		reading: &[u8],
		timestamp_ms: u64,
		submitter: &T::AccountId,
	) -> Result<AnchorIndex, DispatchError> {
		let record = Streams::<T>::get(stream).ok_or(Error::<T>::StreamNotFound)?;
		ensure!(T::Devices::is_active(record.device), Error::<T>::DeviceInactive);
		// Its own window and counter: neither the device's anchors nor its sequence numbers are
		// touched, so recorded readings never push out or block the device's own anchors.
		let index = RecordedCount::<T>::get(stream);
		let next = index.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let root = format::reading_leaf_hash::<HostBlake2>(reading);
		RecordedCount::<T>::insert(stream, next);
		RecordedReadings::<T>::insert(
			stream,
			Self::recorded_slot(index),
			Recorded {
				index,
				sequence,
				root,
				timestamp: timestamp_ms,
				recorder: submitter.clone(),
				recorded_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		Self::deposit_event(Event::ReadingRecorded {
			stream,
			index,
			sequence,
			root,
			recorder: submitter.clone(),
		});
		Ok(index)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Benchmarks of other pallets (through the runtime's `BenchmarkHelper`): a stream of
	/// `device`, owned by `owner`, who pays the deposit. `None` if that fails.
	pub fn stream_for_benchmark(owner: &T::AccountId, device: DeviceId) -> Option<StreamId> {
		let info = StreamInfo {
			name: Default::default(),
			unit: Default::default(),
			value_type: ValueType::Integer,
			sampling_interval_ms: 1_000,
			schema: Default::default(),
		};
		Pallet::<T>::create_stream(
			frame_system::RawOrigin::Signed(owner.clone()).into(),
			device,
			info,
		)
		.ok()?;
		NextStreamId::<T>::get().checked_sub(1)
	}
}
