//! FRAME benchmarks compiled into the runtime (`--features runtime-benchmarks`).
//!
//! `iot-node benchmark pallet --runtime <wasm> --genesis-builder-preset development` runs them; IoT
//! pallets append themselves to `define_benchmarks!` as they land.

use crate::{AllPalletsWithSystem, Runtime, SessionKeys};
use alloc::{string::String, vec::Vec};
use polkadot_sdk::{
	frame_benchmarking::{BenchmarkBatch, BenchmarkConfig, BenchmarkList},
	frame_support::traits::{StorageInfo, StorageInfoTrait, WhitelistedStorageKeys},
	sp_storage::TrackedStorageKey,
	*,
};

use cumulus_pallet_session_benchmarking::Pallet as SessionBench;
use frame_system_benchmarking::{
	extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench,
};
use pallet_xcm::benchmarking::Pallet as PalletXcmExtrinsicsBenchmark;

#[allow(unused_imports)]
use crate::{
	Balances, CollatorSelection, DeviceRegistry, MessageQueue, ParachainSystem, PaymentChannels,
	Provenance, SensorFeeds, Sudo, Timestamp, Utility, WeightReclaim, XcmpQueue,
};

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_session, SessionBench::<Runtime>]
	[pallet_timestamp, Timestamp]
	[pallet_message_queue, MessageQueue]
	[pallet_sudo, Sudo]
	[pallet_utility, Utility]
	[pallet_collator_selection, CollatorSelection]
	[cumulus_pallet_parachain_system, ParachainSystem]
	[cumulus_pallet_xcmp_queue, XcmpQueue]
	[cumulus_pallet_weight_reclaim, WeightReclaim]
	[pallet_device_registry, DeviceRegistry]
	[pallet_provenance, Provenance]
	[pallet_payment_channels, PaymentChannels]
	[pallet_sensor_feeds, SensorFeeds]
	[pallet_xcm, PalletXcmExtrinsicsBenchmark::<Runtime>]
);

impl frame_system_benchmarking::Config for Runtime {}

frame_support::parameter_types! {
	/// What `pallet_xcm`'s benchmarks mint to a sender before it pays a delivery fee.
	pub ExistentialDepositAsset: Option<staging_xcm::latest::Asset> = Some(
		(staging_xcm::latest::Location::here(), crate::configs::monetary::ExistentialDeposit::get())
			.into(),
	);
}

/// `pallet_xcm`'s benchmarks on our routes: sending to the relay chain (paid delivery). Teleports
/// and reserve transfers are filtered out in this runtime (`Nothing`), so those benchmarks
/// report `Weight::MAX`, which is what a call that is never allowed may cost.
impl pallet_xcm::benchmarking::Config for Runtime {
	type DeliveryHelper = cumulus_primitives_utility::ToParentDeliveryHelper<
		crate::configs::xcm::XcmConfig,
		ExistentialDepositAsset,
		crate::configs::xcm::PriceForParentDelivery,
	>;

	fn reachable_dest() -> Option<staging_xcm::latest::Location> {
		Some(staging_xcm::latest::Location::parent())
	}

	fn get_asset() -> staging_xcm::latest::Asset {
		(staging_xcm::latest::Location::here(), crate::configs::monetary::ExistentialDeposit::get())
			.into()
	}
}

impl cumulus_pallet_session_benchmarking::Config for Runtime {
	fn generate_session_keys_and_proof(owner: Self::AccountId) -> (Self::Keys, Vec<u8>) {
		use codec::Encode;
		let keys = SessionKeys::generate(&owner.encode(), None);
		(keys.keys, keys.proof.encode())
	}
}

pub fn metadata(extra: bool) -> (Vec<BenchmarkList>, Vec<StorageInfo>) {
	let mut list = Vec::<BenchmarkList>::new();
	list_benchmarks!(list, extra);
	(list, AllPalletsWithSystem::storage_info())
}

pub fn dispatch(config: BenchmarkConfig) -> Result<Vec<BenchmarkBatch>, String> {
	let mut whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();
	// Every signed extrinsic reads the genesis hash (`CheckGenesis`, while its signature is
	// checked) before it dispatches: calls that read it again for their signing payloads hit the
	// cache, so that read is not charged twice.
	whitelist.push(frame_system::BlockHash::<Runtime>::hashed_key_for(0).into());
	let mut batches = Vec::<BenchmarkBatch>::new();
	let params = (&config, &whitelist);
	add_benchmarks!(params, batches);
	if batches.is_empty() {
		return Err("Benchmark not found for this pallet.".into());
	}
	Ok(batches)
}
