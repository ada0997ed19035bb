//! # Sensor feeds pallet
//!
//! Off-chain workers of the chain's own nodes fetch registered HTTP sensor feeds, agree on a
//! value per round, and bring it on chain with provenance, without a trusted bot.
//!
//! ## Overview
//!
//! - **Feeds** are registered by a device's owner or an operator of the device with
//!   `MANAGE_FEEDS`: URL, JSON pointer, value type, decimals, unit, polling interval in
//!   relay-chain blocks (see *Time* below), and the device stream the values belong to (a stream
//!   of the provenance pallet, checked through [`ProvenanceRecorder`]). Deposit-backed; updated
//!   by their owner, removed by their owner or the device's current owner, or by anyone once
//!   abandoned (stale and unable to pay, or without a value for `AbandonedAfterRounds`).
//! - **Prepaid balance**: reports are free for operators and paid by the feed's owner in
//!   advance. Each settled round pays [`Config::ReportReward`] per counted report to the
//!   operator out of the feed's balance ([`FeedBalances`], a hold on the owner); a feed that
//!   cannot pay a whole round is paused (no report fetched or accepted) until it is funded.
//! - **Operators** are a governance-managed set of off-chain worker keys of our own key type
//!   `iotf` (sr25519). Each round of a feed (`relay block / interval`) is assigned to
//!   `operators_per_round` operators, chosen deterministically from `H(feed ‖ round)`, so the
//!   work rotates and no operator can pick its rounds.
//! - **The worker** ([`Pallet::offchain_worker`]): on each block, for every feed whose current
//!   round (of the provider's current block number, which the pool checks the report against) is
//!   not settled and is assigned to a key in the node's keystore, it checks the host against
//!   the node's policy (public addresses only unless the node allows private ones,
//!   [`iot_primitives::feeds::url`]), GETs the URL (all due feeds at once, each on its own
//!   connection with its own deadline, read as it arrives, with a response-size limit), reads
//!   the value ([`iot_primitives::feeds::parse_value`]), and submits `report` as an **authorized
//!   unsigned transaction** carrying the report signed by the operator key; it submits it again
//!   while its round is open and it is not on chain. Why not a signed
//!   transaction: the operator key needs no funds and no account, and there is no account nonce
//!   to cache and drift when several reports are in flight; replay protection is the
//!   `(feed, round, operator)` uniqueness the chain enforces. A local lock per feed keeps
//!   overlapping workers from fetching twice, and a per-round marker keeps a worker from
//!   trying a feed more than once per round (no double submissions, no hammering a broken
//!   endpoint every block). Last success, last error and latency per feed go to the node's
//!   off-chain storage ([`iot_primitives::feeds::FeedStatus`]), which the node's
//!   `iot_feedStatus` RPC method serves.
//! - **Aggregation**: once `quorum` assigned operators reported for the round, the value is the
//!   median, stored with its round and (parachain) block; reports further than
//!   `OutlierTolerance` from the median are named in `OutlierReported`. The value is recorded as
//!   a reading of the feed's stream through [`ProvenanceRecorder`], in the stream's recorded
//!   window (apart from the device's signed anchors, which a feed never pushes out); the reading
//!   names the reporting operators.
//! - **Bad input** (unreachable host, timeout, HTTP errors, a huge body, invalid JSON, a missing
//!   field, a non-numeric value) produces no transaction, only a status in the node. Feeds that
//!   stop settling for `StaleAfterRounds` rounds are flagged by `FeedStale` (checked in
//!   `on_initialize`, `StaleChecksPerBlock` feeds per block, round robin); the next value clears
//!   the flag.
//!
//! ## Time: relay-chain block numbers
//!
//! A feed's interval is a promise in wall-clock time (fetched every 12 s, flagged stale after a
//! minute), so it must not shrink when parachain blocks get faster (block bundling, elastic
//! scaling). Rounds ([`Pallet::round_at`]), `interval`, `MinInterval`, `registered_at` and the
//! stale check therefore count block numbers of [`Config::BlockNumberProvider`], which our runtime
//! sets to the **relay chain's** block number (one per 6 s). "Now" is that provider's current
//! number everywhere: in `report` and its pool check, in `update_feed`, in the stale check of
//! `on_initialize` (which, in a parachain, sees the relay number of the *previous* block: the
//! relay-chain data of a block are set by its first inherent, after `on_initialize`), and in the
//! off-chain worker, which ignores the parachain block number `offchain_worker` is given except
//! for its status and logs. A client reads the relay number the chain last saw from
//! `parachainSystem.lastRelayChainBlockNumber` (the relay parent of the latest block): the
//! current round of a feed is that number divided by its interval. A settled value's `at` is the
//! **parachain** block in which the quorum was reached (a record; the stale check uses rounds).
//!
//! ## Terminology
//!
//! - **Round**: `relay block number / interval` of a feed; at most one value per round. Only the
//!   current round collects reports, and a round that misses its quorum is dropped when the next
//!   one gets its first report.
//! - **Assigned operators**: the `operators_per_round` consecutive members of the sorted
//!   operator set, from `H(feed ‖ round) mod n`, that may report a round ([`Pallet::assigned`]).
//! - **Quorum**: the reports that settle a round (capped by the operators assigned).
//!
//! ## Interface
//!
//! Each call's own documentation states its origin, arguments, deposits, errors, events and
//! complexity; wallets show the same text from the runtime metadata.
//!
//! - [`Pallet::register_feed`] — a device's owner or feed manager registers a feed on its stream.
//! - [`Pallet::update_feed`] — the feed's owner changes its spec, from the next round.
//! - [`Pallet::remove_feed`] — the feed's or the device's owner removes it; the deposit returns.
//! - [`Pallet::set_operators`] — governance replaces the operator set.
//! - [`Pallet::report`] — an operator's worker reports a round's value (authorized unsigned).
//! - [`Pallet::fund_feed`] — the feed's owner adds to its prepaid balance.
//! - [`Pallet::withdraw_feed_balance`] — the feed's owner takes unspent balance back.
//!
//! Reads — view functions (PAPI, subxt) and the `SensorFeedsApi` runtime API (polkadot.js) answer
//! from the same functions: [`Pallet::feed`], [`Pallet::latest_value`],
//! [`Pallet::feeds_of_device`]; [`Pallet::feed_balance`] is a view function only. What only a node knows (its worker's last fetch) is its
//! `iot_feedStatus` RPC method.
//!
//! ## Example
//!
//! Operators report; a quorum settles the round at the median and records it (a unit test against
//! the mock runtime, `src/tests/reports.rs`):
#![doc = docify::embed!("src/tests/reports.rs", a_quorum_settles_the_round_at_the_median_and_records_it)]
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
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
mod worker;

use alloc::vec::Vec;
use frame::{
	prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
		UnixTime,
	},
};
pub use iot_primitives::{device::DeviceRegistry, provenance::ProvenanceRecorder};
use iot_primitives::{
	feeds::{median, ReportPayload, MAX_DECIMALS},
	page_len,
};
use polkadot_sdk::{
	frame_system::offchain::CreateAuthorizedTransaction,
	sp_application_crypto::RuntimeAppPublic,
	sp_runtime::{
		traits::{AccountIdConversion, Convert},
		transaction_validity::{
			InvalidTransaction, TransactionSource, TransactionValidityWithRefund, ValidTransaction,
		},
	},
};

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// The operators' off-chain worker keys: sr25519 under key type `iotf`.
pub mod crypto {
	use polkadot_sdk::sp_application_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, iot_primitives::feeds::KEY_TYPE);
}

/// [`Config::OperatorAccount`] for 32-byte account ids: an operator is paid at the account of its
/// `iotf` key (the sr25519 public key's bytes, which is what an `AccountId32` of an sr25519 key
/// is), so running a worker needs no second account.
pub struct KeyAccount;
impl<AccountId: From<[u8; 32]>> Convert<crypto::Public, AccountId> for KeyAccount {
	fn convert(key: crypto::Public) -> AccountId {
		let mut bytes = [0u8; 32];
		for (byte, key_byte) in bytes.iter_mut().zip(AsRef::<[u8]>::as_ref(&key)) {
			*byte = *key_byte;
		}
		AccountId::from(bytes)
	}
}

/// The pallet's account: the recorder of the provenance readings it records.
pub const PALLET_ID: PalletId = PalletId(*b"iot/feed");

/// Priority of reports in the pool: above ordinary transactions, so values arrive in time.
const REPORT_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;

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
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config + CreateAuthorizedTransaction<Call<Self>>
	{
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

		/// The device registry: who may register feeds for a device.
		type Devices: DeviceRegistry<Self::AccountId>;

		/// Sets up what the benchmarks need from other pallets: a registered device (and a stream
		/// of it). The runtime's calls the registry and provenance pallets; a mock, its doubles.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: iot_primitives::bench::BenchmarkHelper<Self::AccountId>;

		/// Where settled values are recorded as readings of the feed's stream.
		type Recorder: ProvenanceRecorder<Self::AccountId>;

		/// Wall-clock time, for the recorded reading's timestamp.
		type Time: UnixTime;

		/// The clock of rounds: a feed's round is this provider's block number divided by its
		/// `interval`; `interval`, [`Config::MinInterval`], `registered_at` and the stale check
		/// ([`Config::StaleAfterRounds`]) are in its blocks, and so is "now" in `report`, its pool
		/// check, `update_feed`, `on_initialize` and the off-chain worker.
		///
		/// A polling interval is a wall-clock promise, so it must not shrink when the chain's own
		/// blocks get faster (several parachain blocks per relay block with elastic scaling). Our
		/// runtime uses the relay chain's block number
		/// (`cumulus_pallet_parachain_system::RelaychainDataProvider`: one block per 6 s whatever
		/// the parachain's rate; in `on_initialize` it is still the previous block's); a solo chain
		/// may use `frame_system::Pallet<Self>`. The number type is the system's, so the storage
		/// and metadata types do not depend on the choice.
		type BlockNumberProvider: BlockNumberProvider<BlockNumber = BlockNumberFor<Self>>;

		/// An operator's key.
		type AuthorityId: Member
			+ Parameter
			+ RuntimeAppPublic
			+ Ord
			+ MaxEncodedLen
			+ MaybeSerializeDeserialize;

		/// Who sets the operators (governance).
		type OperatorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Held per feed (`FeedOf::max_encoded_len()` bytes, its balance entry and index entries).
		#[pallet::constant]
		type FeedDeposit: Get<BalanceOf<Self>>;

		/// Paid from a feed's prepaid balance ([`FeedBalances`]) to each operator whose report a
		/// settled round counted. A feed pays `quorum × ReportReward` per settled round; one
		/// whose balance cannot pay a whole round is paused (its reports are refused and the
		/// workers skip it) until its owner funds it: reports carry no fee, so this is what the
		/// chain's report capacity costs the feed's owner, and what operators run for.
		#[pallet::constant]
		type ReportReward: Get<BalanceOf<Self>>;

		/// The account an operator's rewards go to ([`KeyAccount`]: the account of its key).
		type OperatorAccount: Convert<Self::AuthorityId, Self::AccountId>;

		/// Maximum length of a feed's URL.
		#[pallet::constant]
		type MaxUrlLen: Get<u32>;

		/// Maximum length of a feed's JSON pointer.
		#[pallet::constant]
		type MaxPointerLen: Get<u32>;

		/// Maximum number of operators.
		#[pallet::constant]
		type MaxOperators: Get<u32>;

		/// Maximum number of feeds (bounds the worker's scan and the stale check).
		#[pallet::constant]
		type MaxFeeds: Get<u32>;

		/// Maximum number of feeds one account owns: no one account can take every slot of
		/// [`Config::MaxFeeds`] for the price of the deposits.
		#[pallet::constant]
		type MaxFeedsPerOwner: Get<u32>;

		/// The most weight the reports of one block may use (each counts its actual weight and
		/// its authorization; one is admitted only if its most would still fit). Reports carry no
		/// fee and a high priority, so without this bound many feeds could fill blocks with them;
		/// past it, a report waits in the pool for the next block.
		#[pallet::constant]
		type MaxReportWeightPerBlock: Get<Weight>;

		/// Shortest polling interval, in blocks of [`Config::BlockNumberProvider`] (relay-chain
		/// blocks in our runtime). At least 2: a worker reports when it first sees a round, and the
		/// block that includes the report may see the next provider block number, which must still
		/// be in the same round.
		#[pallet::constant]
		type MinInterval: Get<BlockNumberFor<Self>>;

		/// Rounds without a value after which a feed is flagged stale.
		#[pallet::constant]
		type StaleAfterRounds: Get<u32>;

		/// Rounds without a value after which a stale feed is abandoned even if it can still pay
		/// a round: anyone may then remove it ([`Pallet::remove_feed`]), so a slot is not held
		/// by a funded feed whose server never answers.
		#[pallet::constant]
		type AbandonedAfterRounds: Get<u32>;

		/// Feeds the stale check looks at per block.
		#[pallet::constant]
		type StaleChecksPerBlock: Get<u32>;

		/// Reports further than this fraction of the median from it are outliers.
		#[pallet::constant]
		type OutlierTolerance: Get<Permill>;

		/// The worker's deadline per fetch, in milliseconds.
		#[pallet::constant]
		type FetchTimeoutMs: Get<u64>;

		/// The worker's limit on a response body, in bytes.
		#[pallet::constant]
		type MaxResponseBytes: Get<u32>;

		/// Weights of the calls, generated by the pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A feed's record, held from its owner.
		#[codec(index = 0)]
		FeedDeposit,
		/// A feed's prepaid balance, held from its owner until rounds pay it to operators.
		#[codec(index = 1)]
		FeedBalance,
	}

	/// The operators.
	#[pallet::storage]
	pub type Operators<T: Config> = StorageValue<_, OperatorsOf<T>, ValueQuery>;

	/// Registered feeds.
	#[pallet::storage]
	pub type Feeds<T: Config> = StorageMap<_, Twox64Concat, FeedId, FeedOf<T>, OptionQuery>;

	/// The feeds of each device (the index behind [`Pallet::feeds_of_device`]); covered by the
	/// feed's deposit.
	#[pallet::storage]
	pub type FeedsByDevice<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DeviceId, Twox64Concat, FeedId, (), OptionQuery>;

	/// Each feed's prepaid balance, held from its owner ([`HoldReason::FeedBalance`]); absent
	/// for none. Settled rounds pay [`Config::ReportReward`] per counted report out of it.
	#[pallet::storage]
	pub type FeedBalances<T: Config> =
		StorageMap<_, Twox64Concat, FeedId, BalanceOf<T>, ValueQuery>;

	/// Number of registered feeds.
	#[pallet::storage]
	pub type FeedCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Number of feeds each account owns (at most [`Config::MaxFeedsPerOwner`]); covered by the
	/// feeds' deposits.
	#[pallet::storage]
	pub type FeedsOwned<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The weight the reports of a block used so far, with that block's number (a value of an
	/// earlier block counts as nothing: no reset needed).
	#[pallet::storage]
	pub type ReportWeight<T: Config> = StorageValue<_, (BlockNumberFor<T>, Weight), OptionQuery>;

	/// Id the next feed gets.
	#[pallet::storage]
	pub type NextFeedId<T: Config> = StorageValue<_, FeedId, ValueQuery>;

	/// Where the stale check continues: after this feed, in storage order.
	#[pallet::storage]
	pub type StaleCursor<T: Config> = StorageValue<_, FeedId, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame::prelude::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The initial operators.
		pub operators: Vec<T::AuthorityId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut operators = self.operators.clone();
			operators.sort();
			operators.dedup();
			let operators: OperatorsOf<T> =
				operators.try_into().expect("genesis operators within MaxOperators");
			Operators::<T>::put(operators);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A feed was registered.
		FeedRegistered { feed: FeedId, device: DeviceId, stream: StreamId, owner: T::AccountId },
		/// A feed's spec changed; the round being collected was dropped.
		FeedUpdated { feed: FeedId },
		/// A feed was removed; its deposit and prepaid balance released to its owner.
		FeedRemoved { feed: FeedId },
		/// A feed's owner added to its prepaid balance.
		FeedFunded { feed: FeedId, amount: BalanceOf<T>, balance: BalanceOf<T> },
		/// A feed's owner took part of its prepaid balance back.
		FeedBalanceWithdrawn { feed: FeedId, amount: BalanceOf<T>, balance: BalanceOf<T> },
		/// A settled round paid `reward` to each of `paid` reporting operators out of the feed's
		/// balance (a payment that failed, to an account that cannot receive it, stays in the
		/// balance).
		ReportersPaid { feed: FeedId, round: Round, paid: u8, reward: BalanceOf<T> },
		/// The feed's balance cannot pay another round: it is paused until its owner funds it.
		FeedOutOfFunds { feed: FeedId, balance: BalanceOf<T> },
		/// Governance replaced the operator set.
		OperatorsSet { count: u32 },
		/// An operator's report was counted.
		ReportAccepted { feed: FeedId, round: Round, operator: T::AuthorityId, value: i128 },
		/// A round reached its quorum: `value` is the median of `reporters` reports.
		ValueUpdated { feed: FeedId, round: Round, value: i128, reporters: u8 },
		/// A report was further from the median than [`Config::OutlierTolerance`]. Either the
		/// operator or the feed's server is at fault: a server can serve different operators
		/// different values, so this names the report, not a culprit.
		OutlierReported {
			feed: FeedId,
			round: Round,
			operator: T::AuthorityId,
			value: i128,
			median: i128,
		},
		/// The value could not be recorded in the feed's stream (stream removed, or its sequence
		/// is ahead of the round); the value itself is stored.
		RecordFailed { feed: FeedId, round: Round },
		/// No value for `StaleAfterRounds` rounds.
		FeedStale { feed: FeedId, last_round: Option<Round> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// There is no feed with this id.
		FeedNotFound,
		/// No such device in the registry.
		DeviceNotFound,
		/// The caller may not do this for this device or feed.
		NotAuthorized,
		/// The stream does not exist or belongs to another device.
		StreamMismatch,
		/// The spec is invalid: pointer not UTF-8, not empty and not starting with `/`, interval
		/// below the minimum, decimals above 18 (or not 0 for integers and booleans), no operator
		/// per round, or a quorum of 0 or above the operators per round.
		BadSpec,
		/// The URL is not `http://` or `https://` with a host, has user info (`user:pass@`), a
		/// port outside 1..=65535, or characters other than printable ASCII (see
		/// [`iot_primitives::feeds::url::parse_url`]).
		BadUrl,
		/// The URL is longer than [`Config::MaxUrlLen`].
		UrlTooLong,
		/// The JSON pointer is longer than [`Config::MaxPointerLen`].
		PointerTooLong,
		/// The unit is longer than 16 bytes.
		UnitTooLong,
		/// `MaxFeeds` feeds are registered.
		TooManyFeeds,
		/// The caller owns [`Config::MaxFeedsPerOwner`] feeds.
		TooManyFeedsForOwner,
		/// The quorum is larger than the operator set: no round could ever settle.
		QuorumUnreachable,
		/// The device is not active.
		DeviceInactive,
		/// A feed's polling interval cannot change (its rounds would be renumbered): remove the
		/// feed and register it again.
		IntervalChanged,
		/// The same key is twice in the operator set.
		DuplicateOperator,
		/// The report is not for the feed's current round, or the round is settled.
		WrongRound,
		/// The key is not an operator.
		NotOperator,
		/// The operator is not assigned to this round of the feed.
		NotAssigned,
		/// The operator already reported for this round.
		AlreadyReported,
		/// The signature is not the operator's over this report on this chain.
		BadSignature,
		/// The feed's prepaid balance cannot pay a round (`quorum × ReportReward`): the feed is
		/// paused until its owner funds it.
		FeedUnfunded,
		/// The amount is zero.
		ZeroAmount,
		/// The feed's prepaid balance is less than the amount.
		InsufficientFeedBalance,
		/// A counter overflowed.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			// See `Config::MinInterval`: with an interval of 1, a report made in one provider
			// block would land in the next round whenever the including block's number moves on.
			assert!(
				T::MinInterval::get() >= 2u32.into(),
				"sensor feeds need a MinInterval of at least 2 provider blocks"
			);
			// Otherwise no report would ever be admitted.
			assert!(
				Self::report_reserve().all_lte(T::MaxReportWeightPerBlock::get()),
				"MaxReportWeightPerBlock must hold at least one report at its most"
			);
		}

		/// The stale check, at the provider's current block number: in a parachain, the relay
		/// number of the previous block (this block's relay-chain data arrive with its first
		/// inherent, after `on_initialize`).
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			let checked = Self::check_stale(T::BlockNumberProvider::current_block_number());
			T::WeightInfo::check_stale(checked)
		}

		/// The worker computes rounds from the provider's current block number; `block`, the
		/// parachain block just imported, only goes into its status and logs.
		fn offchain_worker(block: BlockNumberFor<T>) {
			worker::run::<T>(block);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	#[deny(clippy::expect_used)]
	impl<T: Config> Pallet<T> {
		/// Register a feed of `device`'s values, recorded in `stream`.
		///
		/// The caller becomes the feed's owner. From then on, the assigned operators' off-chain
		/// workers fetch the feed once per round, and each round that reaches its quorum stores a
		/// value and records it as a reading of `stream`. The new feed's id is in
		/// [`Event::FeedRegistered`].
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the device's owner or an operator of the device with `MANAGE_FEEDS`.
		///
		/// ## Details
		///
		/// - `device`: a registered, active device.
		/// - `stream`: a provenance stream of `device` (checked through [`Config::Recorder`]); the
		///   settled values are recorded in it.
		/// - `spec`: how the feed is fetched and read. `url`: at most [`Config::MaxUrlLen`] bytes,
		///   `http://` or `https://` with a host, no user info (`user:password@` would be public
		///   on chain), a port from 1 to 65535 if given, printable ASCII only (an international
		///   name in its `xn--` form). Whether an operator's node fetches a private or loopback
		///   host is its own policy: by default only public ones. `pointer`: a JSON pointer,
		///   UTF-8, empty or starting with `/`, at most [`Config::MaxPointerLen`] bytes. `value_type` and `decimals`: at
		///   most 18 decimals, 0 unless the type is `Decimal`; the stored value is the reading ×
		///   10^decimals. `unit`: for people. `interval`: blocks of [`Config::BlockNumberProvider`]
		///   per round (relay-chain blocks in our runtime, 6 s each, not parachain blocks), at
		///   least [`Config::MinInterval`], fixed for the feed's life. `operators_per_round`: 1 to
		///   [`Config::MaxOperators`]. `quorum`: 1 to `operators_per_round`, and at most the
		///   operators in the set now.
		/// - `prepaid`: the feed's first prepaid balance (may be 0: the feed is then paused until
		///   [`Pallet::fund_feed`]), held from the caller ([`HoldReason::FeedBalance`]); each
		///   settled round pays [`Config::ReportReward`] per counted report out of it, and a
		///   feed that cannot pay `quorum × ReportReward` gets no reports.
		///
		/// Holds [`Config::FeedDeposit`] on the caller (hold reason [`HoldReason::FeedDeposit`]),
		/// released when the feed is removed. At most [`Config::MaxFeeds`] feeds exist at once,
		/// at most [`Config::MaxFeedsPerOwner`] of one account.
		/// The feed's `registered_at` is the provider's current block number (the relay chain's in
		/// our runtime, `parachainSystem.lastRelayChainBlockNumber` for a client): the stale check
		/// counts from its round until the first value.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::DeviceNotFound`]: `device` is not registered.
		/// - [`Error::NotAuthorized`]: the caller is neither the device's owner nor its operator
		///   with `MANAGE_FEEDS`.
		/// - [`Error::DeviceInactive`]: the device is not active.
		/// - [`Error::StreamMismatch`]: `stream` does not exist or belongs to another device.
		/// - [`Error::UrlTooLong`], [`Error::PointerTooLong`], [`Error::UnitTooLong`]: a field is
		///   over its bound.
		/// - [`Error::BadUrl`]: the URL breaks one of the rules above.
		/// - [`Error::BadSpec`]: another field of `spec` breaks one of the rules above.
		/// - [`Error::QuorumUnreachable`]: `spec.quorum` is above the size of the operator set.
		/// - [`Error::TooManyFeeds`]: [`Config::MaxFeeds`] feeds are registered.
		/// - [`Error::TooManyFeedsForOwner`]: the caller owns [`Config::MaxFeedsPerOwner`] feeds.
		/// - [`Error::Overflow`]: the feed ids are exhausted.
		/// - `TokenError::FundsUnavailable`: the caller's free balance cannot pay the deposit and
		///   `prepaid` and keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::FeedRegistered`]: always, with the feed's id, device, stream and owner.
		/// - [`Event::FeedFunded`]: if `prepaid` is not 0.
		///
		/// ## Complexity
		///
		/// O(1) (the spec is bounded by [`Config::MaxUrlLen`] and [`Config::MaxPointerLen`]): reads
		/// the device through [`Config::Devices`], the stream's device through
		/// [`Config::Recorder`], the operator set, the feed count, the caller's feed count and the
		/// next id; writes the feed, the counts, the next id, its balance, and the caller's balance
		/// and holds. Fields longer than their bounds are refused before anything is read.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_feed())]
		pub fn register_feed(
			origin: OriginFor<T>,
			device: DeviceId,
			stream: StreamId,
			spec: FeedSpecInputOf<T>,
			prepaid: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let spec = Self::bound_spec(spec)?;
			ensure!(T::Devices::owner(device).is_some(), Error::<T>::DeviceNotFound);
			ensure!(
				T::Devices::can_act(device, &who, Permissions::MANAGE_FEEDS),
				Error::<T>::NotAuthorized
			);
			ensure!(T::Devices::is_active(device), Error::<T>::DeviceInactive);
			ensure!(T::Recorder::stream_device(stream) == Some(device), Error::<T>::StreamMismatch);
			Self::check_spec(&spec)?;
			let count = FeedCount::<T>::get();
			ensure!(count < T::MaxFeeds::get(), Error::<T>::TooManyFeeds);
			let owned = FeedsOwned::<T>::get(&who);
			ensure!(owned < T::MaxFeedsPerOwner::get(), Error::<T>::TooManyFeedsForOwner);
			let feed = NextFeedId::<T>::get();
			let next = feed.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::FeedDeposit::get();
			T::Currency::hold(&HoldReason::FeedDeposit.into(), &who, deposit)?;
			if !prepaid.is_zero() {
				T::Currency::hold(&HoldReason::FeedBalance.into(), &who, prepaid)?;
				FeedBalances::<T>::insert(feed, prepaid);
			}
			NextFeedId::<T>::put(next);
			FeedCount::<T>::put(count.saturating_add(1));
			FeedsOwned::<T>::insert(&who, owned.saturating_add(1));
			FeedsByDevice::<T>::insert(device, feed, ());
			Feeds::<T>::insert(
				feed,
				Feed {
					owner: who.clone(),
					device,
					stream,
					spec,
					last: None,
					pending: None,
					stale: false,
					registered_at: T::BlockNumberProvider::current_block_number(),
					first_round: 0,
					deposit,
				},
			);
			Self::deposit_event(Event::FeedRegistered { feed, device, stream, owner: who });
			if !prepaid.is_zero() {
				Self::deposit_event(Event::FeedFunded { feed, amount: prepaid, balance: prepaid });
			}
			Ok(())
		}

		/// Change how `feed` is fetched and read, from the next round on.
		///
		/// Reports already collected for the current round were made against the old spec (another
		/// URL or scale): they are dropped, and reports for the current round are refused from now
		/// on.
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the feed's owner (the account that registered it; the device's owner may
		/// not, unless it is that account).
		///
		/// ## Details
		///
		/// - `feed`: the feed's id.
		/// - `spec`: the new spec, under the rules given at [`Pallet::register_feed`]. Its
		///   `interval` must be the current one: rounds are `relay block number / interval`, and
		///   another interval would renumber them. To change the interval, remove the feed and
		///   register it again.
		///
		/// The device, stream, deposit, last value and stale flag stay.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::FeedNotFound`]: no such feed.
		/// - [`Error::UrlTooLong`], [`Error::PointerTooLong`], [`Error::UnitTooLong`],
		///   [`Error::BadUrl`], [`Error::BadSpec`], [`Error::QuorumUnreachable`]: `spec` breaks a
		///   rule of [`Pallet::register_feed`].
		/// - [`Error::IntervalChanged`]: `spec.interval` differs from the feed's interval.
		///
		/// ## Events
		///
		/// - [`Event::FeedUpdated`], always.
		///
		/// ## Complexity
		///
		/// O(1) (the spec is bounded by [`Config::MaxUrlLen`] and [`Config::MaxPointerLen`]): reads
		/// the feed and the operator set, writes the feed.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_feed())]
		pub fn update_feed(
			origin: OriginFor<T>,
			feed: FeedId,
			spec: FeedSpecInputOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let spec = Self::bound_spec(spec)?;
			let mut record = Self::owned_feed(feed, &who)?;
			Self::check_spec(&spec)?;
			// Rounds are `block / interval`: another interval would renumber them.
			ensure!(spec.interval == record.spec.interval, Error::<T>::IntervalChanged);
			// Reports of this round were made against the old spec (another URL, another scale):
			// drop them and refuse them from now on; the spec applies from the next round.
			let now = T::BlockNumberProvider::current_block_number();
			record.first_round = Self::round_at(&record.spec, now).saturating_add(1);
			record.spec = spec;
			record.pending = None;
			Feeds::<T>::insert(feed, record);
			Self::deposit_event(Event::FeedUpdated { feed });
			Ok(())
		}

		/// Remove `feed`; its deposit returns to its owner.
		///
		/// The feed's last value and pending round go with it; the values already recorded in the
		/// device's stream stay there. Feed ids are not reused.
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the feed's owner or by the device's current owner (who may have received the
		/// device after the feed was registered); by anyone if the feed is **abandoned**: flagged
		/// stale (no value for [`Config::StaleAfterRounds`] rounds) and either its balance cannot
		/// pay a round or it has had no value for [`Config::AbandonedAfterRounds`] rounds. A slot
		/// of [`Config::MaxFeeds`] is then not held for the price of a refundable deposit alone:
		/// a feed that neither pays nor produces goes back to the pool.
		///
		/// ## Details
		///
		/// - `feed`: the feed's id.
		///
		/// The deposit and the prepaid balance are released to the feed's owner, whoever calls
		/// (best effort: a record never gets stuck because less than it says is held).
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::FeedNotFound`]: no such feed.
		/// - [`Error::NotAuthorized`]: the caller is neither the feed's owner nor the device's
		///   current owner, and the feed is not abandoned.
		///
		/// ## Events
		///
		/// - [`Event::FeedRemoved`], always.
		///
		/// ## Complexity
		///
		/// O(1): reads the feed, its balance and, unless the caller is the feed's owner, the
		/// device's owner through [`Config::Devices`] and the clock of
		/// [`Config::BlockNumberProvider`]; removes the feed and its balance; writes the feed
		/// counts and the owner's holds and balance.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::remove_feed())]
		pub fn remove_feed(origin: OriginFor<T>, feed: FeedId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let record = Feeds::<T>::get(feed).ok_or(Error::<T>::FeedNotFound)?;
			let balance = FeedBalances::<T>::get(feed);
			ensure!(
				record.owner == who
					|| T::Devices::owner(record.device).as_ref() == Some(&who)
					|| Self::is_abandoned(&record, balance),
				Error::<T>::NotAuthorized
			);
			Feeds::<T>::remove(feed);
			FeedBalances::<T>::remove(feed);
			FeedsByDevice::<T>::remove(record.device, feed);
			FeedCount::<T>::mutate(|count| *count = count.saturating_sub(1));
			FeedsOwned::<T>::mutate_exists(&record.owner, |owned| {
				*owned = owned.and_then(|count| count.checked_sub(1)).filter(|count| *count > 0);
			});
			// Best effort: a record must never get stuck because less than it says is held
			// (`try_state` reports such a mismatch).
			let _ = T::Currency::release(
				&HoldReason::FeedDeposit.into(),
				&record.owner,
				record.deposit,
				Precision::BestEffort,
			);
			let _ = T::Currency::release(
				&HoldReason::FeedBalance.into(),
				&record.owner,
				balance,
				Precision::BestEffort,
			);
			Self::deposit_event(Event::FeedRemoved { feed });
			Ok(())
		}

		/// Replace the operator set.
		///
		/// Operators are the off-chain worker keys (sr25519, key type `iotf`) whose reports count;
		/// the rounds of every feed are assigned among them ([`Pallet::assigned`]).
		///
		/// ## Dispatch Origin
		///
		/// [`Config::OperatorOrigin`] (governance; Root in our runtime).
		///
		/// ## Details
		///
		/// - `operators`: the new set, at most [`Config::MaxOperators`] keys, without duplicates;
		///   stored sorted. An empty set stops all feeds.
		///
		/// The set applies at once, also to rounds being collected: from the next report of a
		/// round, the reports of operators no longer in the set stop counting, and the round's
		/// assignment is computed from the new set.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not [`Config::OperatorOrigin`].
		/// - [`Error::DuplicateOperator`]: a key is in `operators` twice.
		///
		/// ## Events
		///
		/// - [`Event::OperatorsSet`]: always, with the number of operators.
		///
		/// ## Complexity
		///
		/// O(n log n), n = `operators.len()` ≤ [`Config::MaxOperators`] (sorting); one write of the
		/// operator set.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_operators(operators.len() as u32))]
		pub fn set_operators(origin: OriginFor<T>, operators: OperatorsOf<T>) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			let mut sorted = operators;
			sorted.sort();
			ensure!(
				sorted.windows(2).all(|pair| pair.first() != pair.get(1)),
				Error::<T>::DuplicateOperator
			);
			let count = u32::try_from(sorted.len()).unwrap_or(u32::MAX);
			Operators::<T>::put(sorted);
			Self::deposit_event(Event::OperatorsSet { count });
			Ok(())
		}

		/// An operator's value for a feed's current round, submitted by its off-chain worker.
		///
		/// The worker fetches the feed, reads and scales the value, signs the report with its
		/// operator key and submits this call as an authorized unsigned transaction: no fee, no
		/// account, no nonce. When the round reaches its quorum, this report settles it.
		///
		/// ## Dispatch Origin
		///
		/// _Authorized_ unsigned (`#[pallet::authorize]`): the pool and the block accept the
		/// transaction only if `signature` is `report.operator`'s over
		/// [`iot_primitives::feeds::ReportPayload`] (tag, genesis hash, feed, round, value) and the
		/// report passes the checks below. Any other origin (signed, Root) is refused.
		///
		/// ## Details
		///
		/// - `report`: the feed, the round (the current one: the current block number of
		///   [`Config::BlockNumberProvider`] divided by the feed's interval; in our runtime the
		///   relay chain's number, `parachainSystem.lastRelayChainBlockNumber` for a client), the
		///   value scaled by the feed's decimals, and the operator's key.
		/// - `signature`: the operator's signature, checked by the authorization only.
		///
		/// A report counts if its round is the feed's current round, not before the round after the
		/// feed's last spec change, and not settled yet; the feed's device is active and its stream
		/// still the device's (a feed stops with its device and stream); the feed's prepaid
		/// balance can pay the round (`quorum × ReportReward`, [`Pallet::round_cost`]); the
		/// operators assigned to the round can reach the feed's quorum; its operator is in the set
		/// and assigned to the round ([`Pallet::assigned`]); and that operator has not reported
		/// the round yet. The
		/// first report of a round drops the reports still pending from an earlier round, and
		/// reports of operators no longer in the set stop counting.
		///
		/// Reports pay no fee, so their share of a block is bounded: a block takes a report only
		/// while the weight its reports used so far (each one's actual weight and its
		/// authorization) plus this report's most (settling a round of [`Config::MaxOperators`],
		/// and its authorization) stays within [`Config::MaxReportWeightPerBlock`]; the rest wait
		/// in the pool as `ExhaustsResources`.
		///
		/// Once `quorum` reports are counted, the round settles:
		/// the value is their median (the mean of the two middle ones, rounded down, for an even
		/// count), stored with its round and the parachain block number (`at`); the feed's stale
		/// flag clears; and the value is recorded through [`Config::Recorder`] as a reading of the
		/// feed's stream, `SCALE(FeedReading)` naming the reporters, submitted by the pallet's
		/// account ([`PALLET_ID`]).
		///
		/// In the pool the transaction provides the tag `(feed, round, operator)`, has a priority
		/// above ordinary transactions, and a longevity of the provider blocks left in the round
		/// (the pool counts parachain blocks: with several parachain blocks per relay block it
		/// may leave the pool before the round ends; it is never included after, since the block
		/// checks the round again).
		///
		/// ## Errors
		///
		/// Before dispatch, the authorization refuses an invalid report as an invalid transaction:
		/// `Stale` (no such feed, wrong round, already reported, device inactive, stream gone,
		/// quorum unreachable), `Payment` (the feed cannot pay a round), `BadSigner` (not an
		/// operator, or not assigned to the round),
		/// `BadProof` (bad signature), `ExhaustsResources` (the block's share for reports is
		/// used up). In the block the call checks again:
		///
		/// - `BadOrigin`: the origin is not an authorized one.
		/// - [`Error::FeedNotFound`]: no such feed.
		/// - [`Error::WrongRound`]: the round is not the feed's current one, is before the round
		///   after the last spec change, or is settled.
		/// - [`Error::DeviceInactive`]: the feed's device is not active (or no longer registered).
		/// - [`Error::StreamMismatch`]: the feed's stream was removed.
		/// - [`Error::FeedUnfunded`]: the feed's balance cannot pay a round.
		/// - [`Error::QuorumUnreachable`]: fewer operators are assigned to the round than the
		///   quorum (the operator set shrank below it).
		/// - [`Error::NotOperator`]: `report.operator` is not in the operator set.
		/// - [`Error::NotAssigned`]: the operator is not assigned to this round of the feed.
		/// - [`Error::AlreadyReported`]: the operator already reported this round.
		/// - [`Error::Overflow`]: the round has no room for another report (not reached in
		///   practice: a round settles at its quorum, at most [`Config::MaxOperators`] reports).
		///
		/// ## Events
		///
		/// - [`Event::ReportAccepted`]: always, with the round, operator and value.
		/// - When the round settles, in this order: [`Event::OutlierReported`] for each report
		///   further than [`Config::OutlierTolerance`] of the median from it;
		///   [`Event::ValueUpdated`] with the value and the number of reporters;
		///   [`Event::ReportersPaid`] when rewards were paid out of the feed's balance, and
		///   [`Event::FeedOutOfFunds`] when what is left cannot pay another round;
		///   [`Event::RecordFailed`] if the reading could not be recorded in the stream (the stream
		///   was removed or its device is not active; the value stays stored).
		///
		/// ## Complexity
		///
		/// O(n), n = the operators, ≤ [`Config::MaxOperators`]: reads the feed, the operator set,
		/// the device and its stream and the feed's balance, hashes once for the assignment, writes
		/// the feed and the block's report weight; settling also sorts the round's reports, pays
		/// each reporter (one transfer out of the owner's hold each) and records one provenance
		/// reading. Authorization reads the same and the block's report weight, and
		/// verifies one sr25519 signature.
		/// The weight charged up front is that of settling a round of [`Config::MaxOperators`]
		/// reports; what the report did not use is refunded.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::report_settling(T::MaxOperators::get()))]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_report())]
		#[pallet::authorize(Self::authorize_report)]
		pub fn report(
			origin: OriginFor<T>,
			report: Report<T::AuthorityId>,
			// Checked in `authorize_report`.
			_signature: <T::AuthorityId as RuntimeAppPublic>::Signature,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			let now = T::BlockNumberProvider::current_block_number();
			let mut record = Feeds::<T>::get(report.feed).ok_or(Error::<T>::FeedNotFound)?;
			let operators = Operators::<T>::get();
			Self::check_report(&record, &report, &operators, now)?;
			let round = report.round;
			let mut pending = match record.pending.take() {
				Some(pending) if pending.round == round => pending,
				_ => Pending { round, reports: BoundedVec::new() },
			};
			// Operators governance removed since they reported no longer count.
			pending.reports.retain(|(operator, _)| operators.contains(operator));
			pending
				.reports
				.try_push((report.operator.clone(), report.value))
				.map_err(|_| Error::<T>::Overflow)?;
			Self::deposit_event(Event::ReportAccepted {
				feed: report.feed,
				round,
				operator: report.operator,
				value: report.value,
			});
			// `check_report` made sure the assigned operators can reach it.
			let quorum = usize::from(record.spec.quorum).max(1);
			let used = if pending.reports.len() < quorum {
				record.pending = Some(pending);
				Feeds::<T>::insert(report.feed, record);
				T::WeightInfo::report()
			} else {
				let reporters = u32::try_from(pending.reports.len()).unwrap_or(u32::MAX);
				Self::settle(report.feed, &mut record, pending);
				Feeds::<T>::insert(report.feed, record);
				T::WeightInfo::report_settling(reporters)
			};
			// The block's share: what this report really weighed, with its authorization.
			ReportWeight::<T>::put((
				frame_system::Pallet::<T>::block_number(),
				Self::report_weight_used()
					.saturating_add(used)
					.saturating_add(T::WeightInfo::authorize_report()),
			));
			Ok(Some(used).into())
		}

		/// Add `amount` to `feed`'s prepaid balance, from which settled rounds pay the reporting
		/// operators; a paused feed (one that could not pay a round) runs again from its next
		/// round.
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the feed's owner (the account that registered it, which holds the feed's
		/// deposit and balance).
		///
		/// ## Details
		///
		/// - `feed`: the feed's id.
		/// - `amount`: held from the caller ([`HoldReason::FeedBalance`]) and added to the
		///   feed's balance ([`FeedBalances`]); it stays the caller's until rounds pay it out, and
		///   what is left returns with [`Pallet::withdraw_feed_balance`] or when the feed is
		///   removed.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::FeedNotFound`]: no such feed.
		/// - [`Error::NotAuthorized`]: the caller is not the feed's owner.
		/// - [`Error::ZeroAmount`]: `amount` is 0.
		/// - [`Error::Overflow`]: the balance would overflow.
		/// - `TokenError::FundsUnavailable`: the caller cannot hold `amount` and keep its
		///   existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::FeedFunded`]: with the amount and the new balance.
		///
		/// ## Complexity
		///
		/// O(1): reads the feed; reads and writes its balance and the caller's balance and hold.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::fund_feed())]
		pub fn fund_feed(
			origin: OriginFor<T>,
			feed: FeedId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::owned_feed(feed, &who)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let balance =
				FeedBalances::<T>::get(feed).checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			T::Currency::hold(&HoldReason::FeedBalance.into(), &who, amount)?;
			FeedBalances::<T>::insert(feed, balance);
			Self::deposit_event(Event::FeedFunded { feed, amount, balance });
			Ok(())
		}

		/// Take `amount` of `feed`'s prepaid balance back.
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the feed's owner.
		///
		/// ## Details
		///
		/// - `feed`: the feed's id.
		/// - `amount`: at most the feed's balance; released from [`HoldReason::FeedBalance`] to
		///   the caller's free balance. A feed left unable to pay a round is paused.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::FeedNotFound`]: no such feed.
		/// - [`Error::NotAuthorized`]: the caller is not the feed's owner.
		/// - [`Error::ZeroAmount`]: `amount` is 0.
		/// - [`Error::InsufficientFeedBalance`]: `amount` is more than the feed's balance.
		///
		/// ## Events
		///
		/// - [`Event::FeedBalanceWithdrawn`]: with the amount and the new balance.
		///
		/// ## Complexity
		///
		/// O(1): reads the feed; reads and writes its balance and the caller's balance and hold.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_feed_balance())]
		pub fn withdraw_feed_balance(
			origin: OriginFor<T>,
			feed: FeedId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::owned_feed(feed, &who)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let balance = FeedBalances::<T>::get(feed)
				.checked_sub(&amount)
				.ok_or(Error::<T>::InsufficientFeedBalance)?;
			T::Currency::release(&HoldReason::FeedBalance.into(), &who, amount, Precision::Exact)?;
			if balance.is_zero() {
				FeedBalances::<T>::remove(feed);
			} else {
				FeedBalances::<T>::insert(feed, balance);
			}
			Self::deposit_event(Event::FeedBalanceWithdrawn { feed, amount, balance });
			Ok(())
		}
	}
	/// Reads, as view functions (`RuntimeViewFunction`; PAPI and subxt call them by name). The
	/// runtime API `SensorFeedsApi` answers from the same functions for polkadot.js. Lists page
	/// as [`iot_primitives::MAX_PAGE`] describes.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// A feed's record (owner, device, stream, spec, last value, pending round, stale flag,
		/// deposit), or `None`.
		pub fn feed(feed: FeedId) -> Option<FeedOf<T>> {
			Feeds::<T>::get(feed)
		}

		/// A feed's latest settled value: its round, the median (scaled by the feed's
		/// decimals), the parachain block in which the quorum was reached and how many operators
		/// reported. `None` if the feed does not exist or has no value yet.
		pub fn latest_value(feed: FeedId) -> Option<FeedValue<BlockNumberFor<T>>> {
			Feeds::<T>::get(feed)?.last
		}

		/// A feed's prepaid balance and what one round costs it (`quorum × ReportReward`): the
		/// feed is paused while the balance is below the cost. `None` if there is no such feed.
		pub fn feed_balance(feed: FeedId) -> Option<(BalanceOf<T>, BalanceOf<T>)> {
			let record = Feeds::<T>::get(feed)?;
			Some((FeedBalances::<T>::get(feed), Self::round_cost(&record.spec)))
		}

		/// A page of the feeds of `device` with their ids: at most `min(limit, MAX_PAGE)`, in
		/// storage order, after feed `start_after`.
		pub fn feeds_of_device(
			device: DeviceId,
			start_after: Option<FeedId>,
			limit: u32,
		) -> Vec<(FeedId, FeedOf<T>)> {
			let ids = match start_after {
				Some(last) => FeedsByDevice::<T>::iter_key_prefix_from(
					device,
					FeedsByDevice::<T>::hashed_key_for(device, last),
				),
				None => FeedsByDevice::<T>::iter_key_prefix(device),
			};
			ids.take(page_len(limit))
				.filter_map(|id| Feeds::<T>::get(id).map(|feed| (id, feed)))
				.collect()
		}
	}
}

#[deny(clippy::expect_used)]
impl<T: Config> Pallet<T> {
	/// `feed`, if it exists and `who` owns it (`FeedNotFound`, `NotAuthorized` otherwise).
	fn owned_feed(feed: FeedId, who: &T::AccountId) -> Result<FeedOf<T>, DispatchError> {
		let record = Feeds::<T>::get(feed).ok_or(Error::<T>::FeedNotFound)?;
		ensure!(&record.owner == who, Error::<T>::NotAuthorized);
		Ok(record)
	}

	/// The chain's genesis hash, which every report binds.
	pub fn genesis_hash() -> [u8; 32] {
		iot_primitives::device::hash_bytes(
			frame_system::BlockHash::<T>::get(BlockNumberFor::<T>::zero()).as_ref(),
		)
	}

	/// The account that records settled values in provenance (the recorder they name).
	pub fn account_id() -> T::AccountId {
		PALLET_ID.into_account_truncating()
	}

	/// The round of a feed with `spec` at block number `now` of [`Config::BlockNumberProvider`]
	/// (a relay-chain block number in our runtime): `now / interval`.
	pub fn round_at(spec: &FeedSpecOf<T>, now: BlockNumberFor<T>) -> Round {
		let interval: u64 = spec.interval.saturated_into::<u64>().max(1);
		now.saturated_into::<u64>().checked_div(interval).unwrap_or(0)
	}

	/// The operators asked for `round` of `feed`: `operators_per_round` consecutive members of
	/// the (sorted) set, starting at `H(feed ‖ round) mod n`.
	pub fn assigned(
		feed: FeedId,
		round: Round,
		spec: &FeedSpecOf<T>,
		operators: &[T::AuthorityId],
	) -> Vec<T::AuthorityId> {
		let n = operators.len();
		if n == 0 {
			return Vec::new();
		}
		let seed = frame::deps::sp_io::hashing::blake2_256(&(feed, round).encode());
		let mut first = [0u8; 8];
		first.copy_from_slice(seed.get(..8).unwrap_or(&[0; 8]));
		let start = u64::from_le_bytes(first)
			.checked_rem(n as u64)
			.and_then(|start| usize::try_from(start).ok())
			.unwrap_or(0);
		let k = usize::from(spec.operators_per_round).min(n);
		(0..k)
			.filter_map(|i| operators.get(start.saturating_add(i).checked_rem(n).unwrap_or(0)))
			.cloned()
			.collect()
	}

	/// The spec as stored, or which field is over its bound.
	fn bound_spec(spec: FeedSpecInputOf<T>) -> Result<FeedSpecOf<T>, Error<T>> {
		let FeedSpec {
			url,
			pointer,
			value_type,
			decimals,
			unit,
			interval,
			operators_per_round,
			quorum,
		} = spec;
		Ok(FeedSpec {
			url: url.try_into().map_err(|_| Error::<T>::UrlTooLong)?,
			pointer: pointer.try_into().map_err(|_| Error::<T>::PointerTooLong)?,
			value_type,
			decimals,
			unit: unit.try_into().map_err(|_| Error::<T>::UnitTooLong)?,
			interval,
			operators_per_round,
			quorum,
		})
	}

	fn check_spec(spec: &FeedSpecOf<T>) -> DispatchResult {
		iot_primitives::feeds::url::parse_url(&spec.url).map_err(|_| Error::<T>::BadUrl)?;
		let pointer = spec.pointer.as_slice();
		let well_formed = (pointer.is_empty() || pointer.starts_with(b"/"))
			&& core::str::from_utf8(pointer).is_ok()
			&& spec.interval >= T::MinInterval::get()
			&& spec.decimals <= MAX_DECIMALS
			&& (spec.value_type == FeedValueType::Decimal || spec.decimals == 0)
			&& spec.operators_per_round > 0
			&& u32::from(spec.operators_per_round) <= T::MaxOperators::get()
			&& spec.quorum > 0
			&& spec.quorum <= spec.operators_per_round;
		ensure!(well_formed, Error::<T>::BadSpec);
		ensure!(
			usize::from(spec.quorum) <= Operators::<T>::decode_len().unwrap_or(0),
			Error::<T>::QuorumUnreachable
		);
		Ok(())
	}

	/// What one settled round of a feed with `spec` pays its reporters: `quorum × ReportReward`.
	pub fn round_cost(spec: &FeedSpecOf<T>) -> BalanceOf<T> {
		T::ReportReward::get().saturating_mul(BalanceOf::<T>::from(u32::from(spec.quorum)))
	}

	/// Whether anyone may remove the feed: stale, and unable to pay a round or without a value
	/// for [`Config::AbandonedAfterRounds`] rounds.
	fn is_abandoned(record: &FeedOf<T>, balance: BalanceOf<T>) -> bool {
		record.stale
			&& (balance < Self::round_cost(&record.spec)
				|| Self::rounds_without_value(
					record,
					T::BlockNumberProvider::current_block_number(),
				) > u64::from(T::AbandonedAfterRounds::get()))
	}

	/// Rounds since the feed's last value (or since its registration, before the first) at
	/// block number `now` of [`Config::BlockNumberProvider`].
	fn rounds_without_value(record: &FeedOf<T>, now: BlockNumberFor<T>) -> u64 {
		let since = match &record.last {
			Some(last) => last.round,
			None => Self::round_at(&record.spec, record.registered_at),
		};
		Self::round_at(&record.spec, now).saturating_sub(since)
	}

	/// Whether `feed` (with `record`) can pay a round: otherwise it is paused.
	pub fn can_pay_round(feed: FeedId, record: &FeedOf<T>) -> bool {
		FeedBalances::<T>::get(feed) >= Self::round_cost(&record.spec)
	}

	/// The weight the reports of the current block reserved so far.
	fn report_weight_used() -> Weight {
		match ReportWeight::<T>::get() {
			Some((block, used)) if block == frame_system::Pallet::<T>::block_number() => used,
			_ => Weight::zero(),
		}
	}

	/// The most one report can use of the block's share: settling a round of `MaxOperators`
	/// reports, and its authorization.
	fn report_reserve() -> Weight {
		T::WeightInfo::report_settling(T::MaxOperators::get())
			.saturating_add(T::WeightInfo::authorize_report())
	}

	/// Whether `report` may be counted now (all but the signature).
	fn check_report(
		record: &FeedOf<T>,
		report: &Report<T::AuthorityId>,
		operators: &[T::AuthorityId],
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(
			report.round == Self::round_at(&record.spec, now) && report.round >= record.first_round,
			Error::<T>::WrongRound
		);
		ensure!(
			record.last.as_ref().is_none_or(|last| last.round < report.round),
			Error::<T>::WrongRound
		);
		// A feed stops with its device and its stream: no free reports for what is gone.
		ensure!(T::Devices::is_active(record.device), Error::<T>::DeviceInactive);
		ensure!(
			T::Recorder::stream_device(record.stream) == Some(record.device),
			Error::<T>::StreamMismatch
		);
		// Reports are free for their operators: the feed's owner pays for them, in advance.
		ensure!(Self::can_pay_round(report.feed, record), Error::<T>::FeedUnfunded);
		ensure!(operators.contains(&report.operator), Error::<T>::NotOperator);
		let assigned = Self::assigned(report.feed, report.round, &record.spec, operators);
		ensure!(usize::from(record.spec.quorum) <= assigned.len(), Error::<T>::QuorumUnreachable);
		ensure!(assigned.contains(&report.operator), Error::<T>::NotAssigned);
		ensure!(
			record.pending.as_ref().is_none_or(|pending| {
				pending.round != report.round
					|| !pending.reports.iter().any(|(operator, _)| *operator == report.operator)
			}),
			Error::<T>::AlreadyReported
		);
		Ok(())
	}

	/// Pool and block validation of `report`: cheap checks first, the signature last.
	fn authorize_report(
		_source: TransactionSource,
		report: &Report<T::AuthorityId>,
		signature: &<T::AuthorityId as RuntimeAppPublic>::Signature,
	) -> TransactionValidityWithRefund {
		// In the pool this is the state of the latest block, so the provider's number is the one
		// the worker computed the round from; the block that includes the report may see a later
		// one (the round is checked again there).
		let now = T::BlockNumberProvider::current_block_number();
		let Some(record) = Feeds::<T>::get(report.feed) else {
			return Err(InvalidTransaction::Stale.into());
		};
		let operators = Operators::<T>::get();
		if let Err(error) = Self::check_report(&record, report, &operators, now) {
			return Err(match error {
				e if e == Error::<T>::NotOperator.into() || e == Error::<T>::NotAssigned.into() => {
					InvalidTransaction::BadSigner.into()
				},
				e if e == Error::<T>::FeedUnfunded.into() => InvalidTransaction::Payment.into(),
				_ => InvalidTransaction::Stale.into(),
			});
		}
		// The block's share for reports (in the pool, the coming block's: nothing used yet).
		let used = Self::report_weight_used().saturating_add(Self::report_reserve());
		if used.any_gt(T::MaxReportWeightPerBlock::get()) {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		let payload =
			ReportPayload::new(Self::genesis_hash(), report.feed, report.round, report.value);
		if !report.operator.verify(&payload.signing_bytes(), signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		// Valid until the round ends: the provider blocks left in it (the pool counts parachain
		// blocks; see `report`).
		let interval: u64 = record.spec.interval.saturated_into::<u64>().max(1);
		let left =
			interval.saturating_sub(now.saturated_into::<u64>().checked_rem(interval).unwrap_or(0));
		ValidTransaction::with_tag_prefix("SensorFeeds")
			.priority(REPORT_PRIORITY)
			.and_provides((report.feed, report.round, report.operator.clone()))
			.longevity(left.max(1))
			.propagate(true)
			.build()
			.map(|valid| (valid, Weight::zero()))
	}

	/// Take the median of the round's reports, store it (with the parachain block number), name
	/// outliers, record the reading.
	fn settle(feed: FeedId, record: &mut FeedOf<T>, pending: PendingOf<T>) {
		let round = pending.round;
		let mut values: Vec<i128> = pending.reports.iter().map(|(_, value)| *value).collect();
		let Some(value) = median(&mut values) else { return };
		let reporters = u8::try_from(pending.reports.len()).unwrap_or(u8::MAX);
		let tolerance = T::OutlierTolerance::get().mul_floor(value.unsigned_abs());
		for (operator, reported) in pending.reports.iter() {
			if reported.abs_diff(value) > tolerance {
				Self::deposit_event(Event::OutlierReported {
					feed,
					round,
					operator: operator.clone(),
					value: *reported,
					median: value,
				});
			}
		}
		let at = frame_system::Pallet::<T>::block_number();
		record.last = Some(FeedValue { round, value, at, reporters });
		record.pending = None;
		record.stale = false;
		Self::deposit_event(Event::ValueUpdated { feed, round, value, reporters });
		Self::pay_reporters(feed, record, round, pending.reports.iter().map(|(op, _)| op));
		let reading = FeedReading {
			feed,
			round,
			value,
			decimals: record.spec.decimals,
			reporters: pending.reports.into_iter().map(|(operator, _)| operator).collect(),
		};
		let timestamp_ms = u64::try_from(T::Time::now().as_millis()).unwrap_or(u64::MAX);
		let recorded = T::Recorder::record(
			record.stream,
			round,
			&reading.encode(),
			timestamp_ms,
			&Self::account_id(),
		);
		if recorded.is_err() {
			Self::deposit_event(Event::RecordFailed { feed, round });
		}
	}

	/// Pays [`Config::ReportReward`] to each of `reporters` out of `feed`'s balance (held from its
	/// owner), while the balance lasts; a transfer that fails (a recipient that cannot receive
	/// it) leaves its reward in the balance. Flags the feed as out of funds when what is left
	/// cannot pay another round.
	fn pay_reporters<'a>(
		feed: FeedId,
		record: &FeedOf<T>,
		round: Round,
		reporters: impl Iterator<Item = &'a T::AuthorityId>,
	) where
		T::AuthorityId: 'a,
	{
		let reward = T::ReportReward::get();
		let mut balance = FeedBalances::<T>::get(feed);
		let mut paid = 0u8;
		if !reward.is_zero() {
			for operator in reporters {
				if balance < reward {
					break;
				}
				let sent = T::Currency::transfer_on_hold(
					&HoldReason::FeedBalance.into(),
					&record.owner,
					&T::OperatorAccount::convert(operator.clone()),
					reward,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Polite,
				);
				if sent.is_ok() {
					balance = balance.saturating_sub(reward);
					paid = paid.saturating_add(1);
				}
			}
		}
		if paid > 0 {
			if balance.is_zero() {
				FeedBalances::<T>::remove(feed);
			} else {
				FeedBalances::<T>::insert(feed, balance);
			}
			Self::deposit_event(Event::ReportersPaid { feed, round, paid, reward });
		}
		if balance < Self::round_cost(&record.spec) {
			Self::deposit_event(Event::FeedOutOfFunds { feed, balance });
		}
	}

	/// Looks at up to `StaleChecksPerBlock` feeds after the cursor (in storage order, wrapping
	/// around) and flags those without a value for `StaleAfterRounds` rounds at `now`, a block
	/// number of [`Config::BlockNumberProvider`]. Returns how many it looked at: one storage read
	/// each, whatever ids were removed.
	fn check_stale(now: BlockNumberFor<T>) -> u32 {
		let limit = T::StaleChecksPerBlock::get().min(FeedCount::<T>::get());
		let mut checked = 0u32;
		let mut cursor = StaleCursor::<T>::get();
		let mut wrapped = false;
		while checked < limit {
			let next = match cursor {
				Some(after) => Feeds::<T>::iter_from(Feeds::<T>::hashed_key_for(after)).next(),
				None => Feeds::<T>::iter().next(),
			};
			let Some((id, mut record)) = next else {
				// End of the map: start over once.
				if wrapped || cursor.is_none() {
					break;
				}
				wrapped = true;
				cursor = None;
				continue;
			};
			checked = checked.saturating_add(1);
			cursor = Some(id);
			let overdue =
				Self::rounds_without_value(&record, now) > u64::from(T::StaleAfterRounds::get());
			if overdue && !record.stale {
				record.stale = true;
				let last_round = record.last.as_ref().map(|last| last.round);
				Feeds::<T>::insert(id, record);
				Self::deposit_event(Event::FeedStale { feed: id, last_round });
			}
		}
		StaleCursor::<T>::set(cursor);
		checked
	}

	/// Invariants: each owner's holds equal its feeds' deposits and prepaid balances; balances
	/// belong to feeds; the feed count and the device index match the feeds; the operator set is
	/// sorted without duplicates; pending reports come from distinct operators.
	pub fn do_try_state() -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
		ensure!(
			Pallet::<T>::on_chain_storage_version() == STORAGE_VERSION,
			"the storage version on chain differs from the code's: a migration is missing"
		);
		use alloc::collections::btree_map::BTreeMap;
		let mut expected: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut prepaid: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut owned: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut count = 0u32;
		for (id, feed) in Feeds::<T>::iter() {
			ensure!(id < NextFeedId::<T>::get(), "feed id beyond the counter");
			let entry = expected.entry(feed.owner.clone()).or_insert_with(Zero::zero);
			*entry = entry.saturating_add(feed.deposit);
			let entry = prepaid.entry(feed.owner.clone()).or_insert_with(Zero::zero);
			*entry = entry.saturating_add(FeedBalances::<T>::get(id));
			let feeds = owned.entry(feed.owner.clone()).or_insert(0);
			*feeds = feeds.saturating_add(1);
			count = count.saturating_add(1);
			ensure!(
				FeedsByDevice::<T>::contains_key(feed.device, id),
				"feed missing from its device's index"
			);
			if let Some(pending) = &feed.pending {
				let mut operators: Vec<_> = pending.reports.iter().map(|(op, _)| op).collect();
				operators.sort();
				operators.dedup();
				ensure!(operators.len() == pending.reports.len(), "an operator reported twice");
			}
		}
		ensure!(count == FeedCount::<T>::get(), "feed count differs from the feeds");
		ensure!(
			FeedsOwned::<T>::iter().count() == owned.len(),
			"an owner's feed count names no feed"
		);
		// Not checked against `MaxFeedsPerOwner`: an owner over it before the bound existed keeps
		// its feeds (see `migrations::v2`).
		for (who, feeds) in owned {
			ensure!(FeedsOwned::<T>::get(&who) == feeds, "an owner's feed count differs");
		}
		for (device, id, ()) in FeedsByDevice::<T>::iter() {
			ensure!(
				Feeds::<T>::get(id).is_some_and(|feed| feed.device == device),
				"device index names a feed of another device or none"
			);
		}
		let operators = Operators::<T>::get();
		ensure!(
			operators.windows(2).all(|pair| pair.first() < pair.get(1)),
			"operator set not sorted or with duplicates"
		);
		for (who, amount) in expected {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::FeedDeposit.into(), &who) == amount,
				"held deposit differs from the feeds"
			);
		}
		for (who, amount) in prepaid {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::FeedBalance.into(), &who) == amount,
				"held prepaid balance differs from the feeds' balances"
			);
		}
		for (id, balance) in FeedBalances::<T>::iter() {
			ensure!(Feeds::<T>::contains_key(id), "a balance of a removed feed");
			ensure!(!balance.is_zero(), "a zero balance is stored");
		}
		Ok(())
	}
}
