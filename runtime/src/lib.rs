//! # IoT parachain runtime
//!
//! The WASM state-transition function of the IoT parachain: a Cumulus parachain with Aura
//! collators, asynchronous backing and storage-weight reclaim, plus the IoT pallets (device
//! registry, provenance, payment channels, sensor feeds) as they land.
//!
//! Layout: [`configs`] holds one file per concern (system and consensus, monetary, XCM),
//! `apis.rs` the runtime APIs, `genesis_config_presets.rs` the `development` and `local_testnet`
//! presets that chain specs are built from.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` and `impl_runtime_apis!` expand recursively.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use alloc::{borrow::Cow, vec::Vec};
use polkadot_sdk::{
	frame_support::{construct_runtime, weights::Weight},
	sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256, MultiAddress, Perbill},
	sp_version::RuntimeVersion,
	*,
};

/// The runtime's API, as the node calls it.
#[cfg(feature = "std")]
pub use apis::RuntimeApi;
pub use apis::RUNTIME_API_VERSIONS;
pub use iot_primitives::{
	time::*, token, AccountId, Balance, BlockNumber, Hash, Nonce, Signature, DEFAULT_PARA_ID,
};
/// The IoT pallets' record types, for the node's `iot_*` RPC methods.
pub use pallet_device_registry;
pub use pallet_payment_channels;
pub use pallet_provenance;
pub use pallet_sensor_feeds;
pub use polkadot_sdk::sp_consensus_aura::sr25519::AuthorityId as AuraId;

/// How accounts are addressed in extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// Checks applied to every signed transaction, in this order. `AuthorizeCall` comes first so that
/// calls authorized by `#[pallet::authorize]` (feeless device submissions) are recognised before
/// the nonce and fee checks; `StorageWeightReclaim` wraps everything to refund unused proof size.
pub type TxExtension = cumulus_pallet_weight_reclaim::StorageWeightReclaim<
	Runtime,
	(
		frame_system::AuthorizeCall<Runtime>,
		frame_system::CheckNonZeroSender<Runtime>,
		frame_system::CheckSpecVersion<Runtime>,
		frame_system::CheckTxVersion<Runtime>,
		frame_system::CheckGenesis<Runtime>,
		frame_system::CheckEra<Runtime>,
		frame_system::CheckNonce<Runtime>,
		frame_system::CheckWeight<Runtime>,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
		frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	),
>;

/// Extrinsic as it arrives from outside.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// Storage migrations run on the next runtime upgrade.
pub type Migrations = (pallet_sensor_feeds::migrations::v2::MigrateToV2<Runtime>,);

/// Dispatches extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use polkadot_sdk::sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
}

impl_opaque_keys! {
	/// Session keys of a collator.
	pub struct SessionKeys {
		/// Block authoring key.
		pub aura: Aura,
	}
}

/// Runtime version. Bump `spec_version` on every runtime change that reaches a live network.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("iot-parachain"),
	impl_name: Cow::Borrowed("iot-parachain"),
	authoring_version: 1,
	spec_version: 1,
	impl_version: 0,
	apis: RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// ~5% of the block weight is assumed to go to `on_initialize` hooks.
const AVERAGE_ON_INITIALIZE_RATIO: Perbill = Perbill::from_percent(5);

/// Normal extrinsics may fill 75% of a block; the rest is kept for operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Two seconds of compute per block (asynchronous backing) and the relay chain's PoV limit.
const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(
	frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND.saturating_mul(2),
	cumulus_primitives_core::relay_chain::MAX_POV_SIZE as u64,
);

/// Relay-chain slot length the consensus hook assumes.
const RELAY_CHAIN_SLOT_DURATION_MILLIS: u32 = 6000;
/// Parachain blocks authored per relay-chain block.
const BLOCK_PROCESSING_VELOCITY: u32 = 1;
/// Relay blocks the collator waits before building on a relay parent (0: build on the newest).
const RELAY_PARENT_OFFSET: u32 = 0;
/// Parachain blocks that may be pending inclusion at once (asynchronous backing).
const UNINCLUDED_SEGMENT_CAPACITY: u32 = (2 + RELAY_PARENT_OFFSET) * BLOCK_PROCESSING_VELOCITY + 1;

/// Decides whether a new block may be authored on top of the unincluded segment.
type ConsensusHook = cumulus_pallet_aura_ext::FixedVelocityConsensusHook<
	Runtime,
	RELAY_CHAIN_SLOT_DURATION_MILLIS,
	BLOCK_PROCESSING_VELOCITY,
	UNINCLUDED_SEGMENT_CAPACITY,
>;

construct_runtime!(
	pub enum Runtime {
		// System and consensus support.
		System: frame_system = 0,
		ParachainSystem: cumulus_pallet_parachain_system = 1,
		Timestamp: pallet_timestamp = 2,
		ParachainInfo: staging_parachain_info = 3,
		WeightReclaim: cumulus_pallet_weight_reclaim = 4,

		// Monetary.
		Balances: pallet_balances = 10,
		TransactionPayment: pallet_transaction_payment = 11,

		// Collators. The order matters: session keys must be set before Aura reads them.
		Authorship: pallet_authorship = 20,
		CollatorSelection: pallet_collator_selection = 21,
		Session: pallet_session = 22,
		Aura: pallet_aura = 23,
		AuraExt: cumulus_pallet_aura_ext = 24,

		// XCM.
		XcmpQueue: cumulus_pallet_xcmp_queue = 30,
		PolkadotXcm: pallet_xcm = 31,
		CumulusXcm: cumulus_pallet_xcm = 32,
		MessageQueue: pallet_message_queue = 33,

		// Utilities: device gateways batch many calls into one transaction.
		Utility: pallet_utility = 40,

		// IoT: devices, their data and their payments.
		DeviceRegistry: pallet_device_registry = 50,
		Provenance: pallet_provenance = 51,
		PaymentChannels: pallet_payment_channels = 52,
		SensorFeeds: pallet_sensor_feeds = 53,

		// Governance stand-in until a council exists.
		Sudo: pallet_sudo = 255,
	}
);

cumulus_pallet_parachain_system::register_validate_block! {
	Runtime = Runtime,
	BlockExecutor = cumulus_pallet_aura_ext::BlockExecutor::<Runtime, Executive>,
}
