//! The IoT pallets: device registry, provenance, payment channels, sensor feeds.
//!
//! Deposits follow [`iot_primitives::token::deposit`] (0.02 IOT per storage item plus 0.001 IOT
//! per byte), computed from the stored types' maximum encoded length so that they follow the
//! bounds below; `runtime/tests/device_registry.rs` states the resulting amounts.
//!
//! Periods are in relay-chain blocks ([`RelayBlockNumberProvider`], constants from
//! [`iot_primitives::relay_time`]): payment-channel challenge periods and expiries, attestation
//! windows, sensor-feed rounds and staleness are promises in seconds, and the relay chain's
//! 6-second blocks keep them so whatever the parachain's own block rate (block bundling, elastic
//! scaling).
//! Records of where something happened (`opened_at`, `created_at`, `anchored_at`, a feed value's
//! `at`) stay parachain block numbers.

use crate::{
	AccountId, Balances, DeviceRegistry, Provenance, Runtime, RuntimeCall, RuntimeHoldReason,
	Timestamp, TxExtension, UncheckedExtrinsic,
};
use codec::MaxEncodedLen;
use iot_primitives::relay_time::MINUTES;
use iot_primitives::token::deposit;
use iot_primitives::Balance;
use pallet_device_registry::{BatchOf, DeviceRecordOf, OperatorOf};
use pallet_payment_channels::ChannelOf;
use pallet_provenance::{AnchorOf, AttestationOf, ProductOf, RecordedOf, StreamOf};
use pallet_sensor_feeds::FeedOf;
use polkadot_sdk::{
	frame_support::{
		parameter_types,
		traits::{ConstU32, ConstU64},
	},
	frame_system::EnsureRoot,
	sp_runtime::{generic, Perbill, Permill},
};

/// The IoT pallets' benchmarks set up their devices and streams through the real registry and
/// provenance pallets, so they measure real signature checks against real records.
#[cfg(feature = "runtime-benchmarks")]
pub struct IotBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl iot_primitives::bench::BenchmarkHelper<AccountId> for IotBenchmarkHelper {
	fn register_device(
		owner: &AccountId,
		key: iot_primitives::device::DeviceKey,
	) -> Option<iot_primitives::device::DeviceId> {
		DeviceRegistry::register_for_benchmark(owner, key)
	}

	fn register_device_with_operator(
		owner: &AccountId,
		operator: &AccountId,
		key: iot_primitives::device::DeviceKey,
	) -> Option<iot_primitives::device::DeviceId> {
		DeviceRegistry::register_worst_for_benchmark(owner, Some(operator), key)
	}

	fn create_stream(
		owner: &AccountId,
		device: iot_primitives::device::DeviceId,
	) -> Option<iot_primitives::provenance::StreamId> {
		Provenance::stream_for_benchmark(owner, device)
	}

	fn compromise_device(owner: &AccountId, device: iot_primitives::device::DeviceId) -> bool {
		DeviceRegistry::mark_compromised(crate::RuntimeOrigin::signed(owner.clone()), device)
			.is_ok()
	}
}

/// Bytes a device's storage needs besides its record: the key index entry (9-byte value) and a
/// pending transfer offer (a 32-byte account). The owner index entry has no value; it and the
/// offer count as items.
const DEVICE_INDEX_BYTES: usize = 9 + 32;

fn bytes(len: usize) -> u32 {
	u32::try_from(len).unwrap_or(u32::MAX)
}

/// The clock of the IoT pallets' periods: the relay chain's block number, the relay parent of
/// the block being built (`ValidationData`). Before the block's `set_validation_data` inherent,
/// in `on_initialize`, it is still the previous block's (`LastRelayChainBlockNumber`): the
/// sensor feeds' stale check runs one relay block late. Clients read the latest one from
/// `parachainSystem.lastRelayChainBlockNumber`. Same type as our block number (`u32`).
pub type RelayBlockNumberProvider =
	polkadot_sdk::cumulus_pallet_parachain_system::RelaychainDataProvider<Runtime>;

parameter_types! {
	/// Held from a device's owner: record, key index, owner index, transfer offer (4 items).
	pub DeviceDeposit: Balance =
		deposit(4, bytes(DeviceRecordOf::<Runtime>::max_encoded_len().saturating_add(DEVICE_INDEX_BYTES)));
	/// Held from a manufacturer per factory batch.
	pub BatchDeposit: Balance = deposit(1, bytes(BatchOf::<Runtime>::max_encoded_len()));
	/// Held from a device's owner per operator entry.
	pub OperatorDeposit: Balance = deposit(1, bytes(OperatorOf::<Runtime>::max_encoded_len()));
	/// Burned per key tombstone (a `KeyIndex` entry kept for good: a 64-byte storage key, a
	/// 9-byte value): one item's deposit, paid once.
	pub TombstoneFee: Balance = deposit(1, TOMBSTONE_BYTES);
}

/// A key tombstone's storage: its key (32-byte prefix, the 32-byte key id) and its value.
const TOMBSTONE_BYTES: u32 = 64 + 9;

impl pallet_device_registry::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	// Governance stand-in: sudo, until a council exists.
	type ManufacturerOrigin = EnsureRoot<AccountId>;
	type DeviceDeposit = DeviceDeposit;
	type BatchDeposit = BatchDeposit;
	type OperatorDeposit = OperatorDeposit;
	type TombstoneFee = TombstoneFee;
	type MaxNameLen = ConstU32<64>;
	type MaxManufacturerMetadataLen = ConstU32<256>;
	type MaxModelLen = ConstU32<64>;
	type MaxFirmwareVersionLen = ConstU32<32>;
	// An `ipfs://` URI of a CIDv1 in base32 is ~66 bytes; room for an https URL as well.
	type MaxUriLen = ConstU32<128>;
	// A gateway, a fleet manager, a maintenance contractor...: a handful per device.
	type MaxOperators = ConstU32<8>;
	type WeightInfo = pallet_device_registry::weights::SubstrateWeight<Runtime>;
}

/// Anchors each stream keeps; the stream's deposit pays for all of them.
const ANCHOR_WINDOW: u32 = 16;
/// Recorded readings (sensor-feed values) each stream keeps, apart from its anchors: a feed with
/// a 2-block interval keeps about its last minute of values in state; older ones are in events.
const RECORDED_WINDOW: u32 = 16;
/// A stream's recorded counter: its key (storage prefix, hashed stream id) and a u64.
const RECORDED_COUNTER_BYTES: usize = 32 + 16 + 8;
/// An attestation's entry in the by-subject index: the key (subject and id, hashed) only.
const SUBJECT_INDEX_BYTES: usize = 16 + 18 + 8 + 8;

parameter_types! {
	/// Held per stream: the record, a full window of anchors and a full recorded window with its
	/// counter (2 + both windows' items).
	pub StreamDeposit: Balance = deposit(
		2 + ANCHOR_WINDOW + RECORDED_WINDOW,
		bytes(
			StreamOf::<Runtime>::max_encoded_len()
				.saturating_add(AnchorOf::<Runtime>::max_encoded_len().saturating_mul(ANCHOR_WINDOW as usize))
				.saturating_add(RecordedOf::<Runtime>::max_encoded_len().saturating_mul(RECORDED_WINDOW as usize))
				.saturating_add(RECORDED_COUNTER_BYTES),
		),
	);
	/// Held per attestation: the record and its subject index entry.
	pub AttestationDeposit: Balance =
		deposit(2, bytes(AttestationOf::<Runtime>::max_encoded_len().saturating_add(SUBJECT_INDEX_BYTES)));
	/// Held per derived product.
	pub ProductDeposit: Balance = deposit(1, bytes(ProductOf::<Runtime>::max_encoded_len()));
}

impl pallet_provenance::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Devices = DeviceRegistry;
	// Attestation windows (`valid_from`, `valid_until`, revocation, supersession) in relay blocks.
	type BlockNumberProvider = RelayBlockNumberProvider;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = IotBenchmarkHelper;
	type StreamDeposit = StreamDeposit;
	type AttestationDeposit = AttestationDeposit;
	type ProductDeposit = ProductDeposit;
	type AnchorWindow = ConstU32<ANCHOR_WINDOW>;
	type RecordedWindow = ConstU32<RECORDED_WINDOW>;
	// A CIDv1 in base32 is ~60 bytes; room for an `ipfs://` or https URL.
	type MaxContentIdLen = ConstU32<96>;
	type MaxLabelLen = ConstU32<32>;
	type MaxSchemaLen = ConstU32<128>;
	// A monthly report from daily batches of one device, or a few devices' weekly batches.
	type MaxInputs = ConstU32<32>;
	type WeightInfo = pallet_provenance::weights::SubstrateWeight<Runtime>;
}

/// A channel's two entries in the by-account index: their keys (account and id, hashed), no value.
const CHANNEL_INDEX_BYTES: usize = 2 * (16 + 32 + 8 + 8);

parameter_types! {
	/// Held from the payer per open channel: the record, its two index entries and the payer's
	/// open-channel counter (4 items).
	pub ChannelDeposit: Balance =
		deposit(4, bytes(ChannelOf::<Runtime>::max_encoded_len().saturating_add(CHANNEL_INDEX_BYTES)));
}

impl pallet_payment_channels::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Devices = DeviceRegistry;
	// Challenge periods and expiries in relay blocks.
	type BlockNumberProvider = RelayBlockNumberProvider;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = IotBenchmarkHelper;
	type ChannelDeposit = ChannelDeposit;
	// One minute (10 relay blocks): a payee's gateway online at all notices a unilateral close in
	// time. Channels choose longer periods for payees that are offline for longer.
	type MinChallengePeriod = ConstU32<{ MINUTES }>;
	// One minute (10 relay blocks) for a seller's hash-locked claim to land after its dry run.
	type LockGracePeriod = ConstU32<{ MINUTES }>;
	// A car paying chargers and parking, a machine buying from a handful of suppliers.
	type MaxChannelsPerPayer = ConstU32<64>;
	// A gateway settles its devices' channels in batches of this size.
	type MaxClaims = ConstU32<128>;
	type WeightInfo = pallet_payment_channels::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Held per feed: its record, pending round included, and its prepaid-balance entry (storage
	/// prefix, hashed id, a u128): 2 items.
	pub FeedDeposit: Balance =
		deposit(2, bytes(FeedOf::<Runtime>::max_encoded_len().saturating_add(32 + 16 + 16)));
	/// Paid per counted report out of the feed's prepaid balance: the existential deposit, so
	/// that it can open an operator's account. A feed with quorum 1 and a 12-second interval
	/// costs 7.2 IOT a day.
	pub const ReportReward: Balance = iot_primitives::token::EXISTENTIAL_DEPOSIT;
	/// Reports further than 5% from the median are named as outliers.
	pub FeedOutlierTolerance: Permill = Permill::from_percent(5);
	/// Fee-free reports take at most a quarter of a block's normal-class weight.
	pub MaxReportWeightPerBlock: polkadot_sdk::frame_support::weights::Weight =
		Perbill::from_percent(25)
			* crate::configs::RuntimeBlockWeights::get()
				.get(polkadot_sdk::frame_support::dispatch::DispatchClass::Normal)
				.max_total
				.unwrap_or(crate::configs::RuntimeBlockWeights::get().max_block);
}

impl pallet_sensor_feeds::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Devices = DeviceRegistry;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = IotBenchmarkHelper;
	type Recorder = Provenance;
	type Time = Timestamp;
	// Rounds, intervals and staleness in relay blocks.
	type BlockNumberProvider = RelayBlockNumberProvider;
	type AuthorityId = pallet_sensor_feeds::crypto::Public;
	// Governance stand-in: sudo, until a council exists.
	type OperatorOrigin = EnsureRoot<AccountId>;
	type FeedDeposit = FeedDeposit;
	type ReportReward = ReportReward;
	// An operator is paid at the account of its `iotf` key.
	type OperatorAccount = pallet_sensor_feeds::KeyAccount;
	type MaxUrlLen = ConstU32<256>;
	type MaxPointerLen = ConstU32<64>;
	type MaxOperators = ConstU32<16>;
	// The worker looks at every feed each block; the stale check at 8 per block.
	type MaxFeeds = ConstU32<256>;
	// A quarter of the slots per account: a site with dozens of sensors fits in one account,
	// and no single account can take every slot (a squatter needs several, each paying its
	// deposits).
	type MaxFeedsPerOwner = ConstU32<64>;
	type MaxReportWeightPerBlock = MaxReportWeightPerBlock;
	// 12 s (2 relay blocks); stale after a minute without a value.
	type MinInterval = ConstU32<2>;
	type StaleAfterRounds = ConstU32<5>;
	// Stale and without a value for 300 rounds (an hour at the shortest interval): anyone may
	// remove it, however funded.
	type AbandonedAfterRounds = ConstU32<300>;
	type StaleChecksPerBlock = ConstU32<8>;
	type OutlierTolerance = FeedOutlierTolerance;
	// Within one 6-second block, with room for the report to reach the pool.
	type FetchTimeoutMs = ConstU64<2_000>;
	// Sensor JSON is small; anything bigger is a misconfigured feed.
	type MaxResponseBytes = ConstU32<{ 64 * 1024 }>;
	type WeightInfo = pallet_sensor_feeds::weights::SubstrateWeight<Runtime>;
}

impl<C> polkadot_sdk::frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = UncheckedExtrinsic;
}

impl<C> polkadot_sdk::frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// Feed reports from off-chain workers: authorized by the operator's signature in the call
/// (`#[pallet::authorize]`), so no signer, nonce or fee; immortal, like the pool tag that
/// deduplicates them for one round.
impl<C> polkadot_sdk::frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> TxExtension {
		polkadot_sdk::cumulus_pallet_weight_reclaim::StorageWeightReclaim::new((
			polkadot_sdk::frame_system::AuthorizeCall::<Runtime>::new(),
			polkadot_sdk::frame_system::CheckNonZeroSender::<Runtime>::new(),
			polkadot_sdk::frame_system::CheckSpecVersion::<Runtime>::new(),
			polkadot_sdk::frame_system::CheckTxVersion::<Runtime>::new(),
			polkadot_sdk::frame_system::CheckGenesis::<Runtime>::new(),
			polkadot_sdk::frame_system::CheckEra::<Runtime>::from(generic::Era::Immortal),
			polkadot_sdk::frame_system::CheckNonce::<Runtime>::from(0),
			polkadot_sdk::frame_system::CheckWeight::<Runtime>::new(),
			polkadot_sdk::pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			polkadot_sdk::frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		))
	}
}
