//! Runtime APIs: what the node, polkadot.js, `polkadot-omni-node` and `chain-spec-builder` call.
//!
//! IoT pallets add their read APIs here (see `pallets/<name>/runtime-api`).

use crate::{
	configs::xcm::XcmConfig, genesis_config_presets, AccountId, AuraId, Balance, Block,
	BlockNumber, ConsensusHook, DeviceRegistry, Executive, InherentDataExt, Nonce, OriginCaller,
	ParachainInfo, ParachainSystem, PaymentChannels, PolkadotXcm, Provenance, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeGenesisConfig, SensorFeeds, SessionKeys, System, TransactionPayment,
	BLOCK_PROCESSING_VELOCITY, RELAY_PARENT_OFFSET, SLOT_DURATION, VERSION,
};
use alloc::vec::Vec;
use pallet_device_registry::{DeviceRecordOf, ManufacturerInfoOf};
use pallet_device_registry_runtime_api::{DeviceId, DeviceKey};
use pallet_payment_channels::{ChannelId, ChannelOf, SignedVoucherOf};
use pallet_provenance::{
	AnchorIndex, AnchorOf, AttestationId, AttestationOf, RecordedOf, StreamId, Subject,
};
use pallet_sensor_feeds::{FeedOf, FeedValue};
use pallet_sensor_feeds_runtime_api::FeedId;
use polkadot_sdk::{
	cumulus_primitives_core::{ParaId, RelayProofRequest, VerifySchedulingSignature},
	frame_support::{
		genesis_builder_helper::{build_state, get_preset},
		weights::Weight,
	},
	sp_api::impl_runtime_apis,
	sp_core::{crypto::KeyTypeId, OpaqueMetadata},
	sp_runtime::{
		traits::Block as BlockT,
		transaction_validity::{TransactionSource, TransactionValidity},
		ApplyExtrinsicResult,
	},
	sp_version::RuntimeVersion,
	staging_xcm::{
		latest::prelude::AssetId, Version as XcmVersion, VersionedAssetId, VersionedAssets,
		VersionedLocation, VersionedXcm,
	},
	xcm_runtime_apis::{
		dry_run::{CallDryRunEffects, Error as XcmDryRunApiError, XcmDryRunEffects},
		fees::Error as XcmPaymentApiError,
	},
	*,
};

impl_runtime_apis! {
	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(SLOT_DURATION)
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl cumulus_primitives_aura::AuraUnincludedSegmentApi<Block> for Runtime {
		fn can_build_upon(
			included_hash: <Block as BlockT>::Hash,
			slot: cumulus_primitives_aura::Slot,
		) -> bool {
			ConsensusHook::can_build_upon(included_hash, slot)
		}
	}

	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block)
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	// Every pallet's `#[pallet::view_functions]` (their ids and types are in metadata v16).
	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl cumulus_primitives_core::CollectCollationInfo<Block> for Runtime {
		fn collect_collation_info(
			header: &<Block as BlockT>::Header,
		) -> cumulus_primitives_core::CollationInfo {
			ParachainSystem::collect_collation_info(header)
		}
	}

	impl cumulus_primitives_core::GetParachainInfo<Block> for Runtime {
		fn parachain_id() -> ParaId {
			ParachainInfo::parachain_id()
		}
	}

	impl cumulus_primitives_core::RelayParentOffsetApi<Block> for Runtime {
		fn relay_parent_offset() -> u32 {
			RELAY_PARENT_OFFSET
		}

		fn max_claim_queue_offset() -> u8 {
			ParachainSystem::max_claim_queue_offset()
		}
	}

	impl cumulus_primitives_core::SchedulingV3EnabledApi<Block> for Runtime {
		fn scheduling_v3_enabled() -> bool {
			<Runtime as cumulus_pallet_parachain_system::Config>::SchedulingSignatureVerifier::V3_SCHEDULING_ENABLED
		}
	}

	impl cumulus_primitives_core::TargetBlockRate<Block> for Runtime {
		fn target_block_rate() -> u32 {
			BLOCK_PROCESSING_VELOCITY
		}
	}

	impl cumulus_primitives_core::KeyToIncludeInRelayProof<Block> for Runtime {
		fn keys_to_prove() -> RelayProofRequest {
			// No pallet reads extra relay-chain storage yet.
			RelayProofRequest::default()
		}
	}

	impl xcm_runtime_apis::fees::XcmPaymentApi<Block> for Runtime {
		fn query_acceptable_payment_assets(
			xcm_version: XcmVersion,
		) -> Result<Vec<VersionedAssetId>, XcmPaymentApiError> {
			let acceptable = alloc::vec![AssetId(crate::configs::xcm::NativeLocation::get())];
			PolkadotXcm::query_acceptable_payment_assets(xcm_version, acceptable)
		}

		fn query_weight_to_asset_fee(
			weight: Weight,
			asset: VersionedAssetId,
		) -> Result<u128, XcmPaymentApiError> {
			type Trader = <XcmConfig as staging_xcm_executor::Config>::Trader;
			PolkadotXcm::query_weight_to_asset_fee::<Trader>(weight, asset)
		}

		fn query_xcm_weight(message: VersionedXcm<()>) -> Result<Weight, XcmPaymentApiError> {
			PolkadotXcm::query_xcm_weight(message)
		}

		fn query_delivery_fees(
			destination: VersionedLocation,
			message: VersionedXcm<()>,
			asset_id: VersionedAssetId,
		) -> Result<VersionedAssets, XcmPaymentApiError> {
			type AssetExchanger = <XcmConfig as staging_xcm_executor::Config>::AssetExchanger;
			PolkadotXcm::query_delivery_fees::<AssetExchanger>(destination, message, asset_id)
		}
	}

	impl xcm_runtime_apis::dry_run::DryRunApi<Block, RuntimeCall, RuntimeEvent, OriginCaller> for Runtime {
		fn dry_run_call(
			origin: OriginCaller,
			call: RuntimeCall,
			result_xcms_version: XcmVersion,
		) -> Result<CallDryRunEffects<RuntimeEvent>, XcmDryRunApiError> {
			PolkadotXcm::dry_run_call::<Runtime, crate::configs::xcm::XcmRouter, OriginCaller, RuntimeCall>(
				origin,
				call,
				result_xcms_version,
			)
		}

		fn dry_run_xcm(
			origin_location: VersionedLocation,
			xcm: VersionedXcm<RuntimeCall>,
		) -> Result<XcmDryRunEffects<RuntimeEvent>, XcmDryRunApiError> {
			PolkadotXcm::dry_run_xcm::<crate::configs::xcm::XcmRouter>(origin_location, xcm)
		}
	}

	impl xcm_runtime_apis::conversions::LocationToAccountApi<Block, AccountId> for Runtime {
		fn convert_location(
			location: VersionedLocation,
		) -> Result<AccountId, xcm_runtime_apis::conversions::Error> {
			xcm_runtime_apis::conversions::LocationToAccountHelper::<
				AccountId,
				crate::configs::xcm::LocationToAccountId,
			>::convert_location(location)
		}
	}

	impl pallet_device_registry_runtime_api::DeviceRegistryApi<
		Block,
		AccountId,
		DeviceRecordOf<Runtime>,
		ManufacturerInfoOf<Runtime>,
	> for Runtime {
		fn device(id: DeviceId) -> Option<DeviceRecordOf<Runtime>> {
			DeviceRegistry::device(id)
		}

		fn device_by_key(key: DeviceKey) -> Option<(DeviceId, DeviceRecordOf<Runtime>)> {
			DeviceRegistry::device_by_key(key)
		}

		fn devices_of(
			owner: AccountId,
			start_after: Option<DeviceId>,
			limit: u32,
		) -> Vec<(DeviceId, DeviceRecordOf<Runtime>)> {
			DeviceRegistry::devices_of(owner, start_after, limit)
		}

		fn manufacturer(who: AccountId) -> Option<ManufacturerInfoOf<Runtime>> {
			DeviceRegistry::manufacturer(who)
		}
	}

	impl pallet_provenance_runtime_api::ProvenanceApi<
		Block,
		AnchorOf<Runtime>,
		AttestationOf<Runtime>,
		Subject,
		BlockNumber,
	> for Runtime {
		fn latest_anchor(stream: StreamId) -> Option<AnchorOf<Runtime>> {
			Provenance::latest_anchor(stream)
		}

		fn anchors(stream: StreamId, before: Option<AnchorIndex>, limit: u32) -> Vec<AnchorOf<Runtime>> {
			Provenance::anchors(stream, before, limit)
		}

		fn verify_inclusion(
			stream: StreamId,
			index: AnchorIndex,
			reading: Vec<u8>,
			leaf_index: u32,
			proof: Vec<[u8; 32]>,
		) -> bool {
			Provenance::verify_inclusion(stream, index, reading, leaf_index, proof)
		}

		fn attestations_of(
			subject: Subject,
			start_after: Option<AttestationId>,
			limit: u32,
		) -> Vec<(AttestationId, AttestationOf<Runtime>)> {
			Provenance::attestations_of(subject, start_after, limit)
		}

		fn attestation_valid_at(id: AttestationId, at: BlockNumber) -> bool {
			Provenance::attestation_valid_at(id, at)
		}
	}

	impl pallet_provenance_runtime_api::ProvenanceRecordedApi<Block, RecordedOf<Runtime>> for Runtime {
		fn latest_recorded(stream: StreamId) -> Option<RecordedOf<Runtime>> {
			Provenance::latest_recorded(stream)
		}

		fn recorded(stream: StreamId, before: Option<AnchorIndex>, limit: u32) -> Vec<RecordedOf<Runtime>> {
			Provenance::recorded(stream, before, limit)
		}

		fn verify_recorded(stream: StreamId, index: AnchorIndex, reading: Vec<u8>) -> bool {
			Provenance::verify_recorded(stream, index, reading)
		}
	}

	impl pallet_payment_channels_runtime_api::PaymentChannelsApi<
		Block,
		ChannelOf<Runtime>,
		SignedVoucherOf<Runtime>,
		AccountId,
		Balance,
	> for Runtime {
		fn channel(id: ChannelId) -> Option<ChannelOf<Runtime>> {
			PaymentChannels::channel(id)
		}

		fn channels_of(
			who: AccountId,
			start_after: Option<ChannelId>,
			limit: u32,
		) -> Vec<(ChannelId, ChannelOf<Runtime>)> {
			PaymentChannels::channels_of(who, start_after, limit)
		}

		fn check_voucher(
			channel: ChannelId,
			signed: SignedVoucherOf<Runtime>,
		) -> Result<Balance, sp_runtime::DispatchError> {
			PaymentChannels::check_voucher(channel, signed)
		}
	}

	impl pallet_sensor_feeds_runtime_api::SensorFeedsApi<
		Block,
		FeedOf<Runtime>,
		FeedValue<BlockNumber>,
	> for Runtime {
		fn feed(feed: FeedId) -> Option<FeedOf<Runtime>> {
			SensorFeeds::feed(feed)
		}

		fn latest_value(feed: FeedId) -> Option<FeedValue<BlockNumber>> {
			SensorFeeds::latest_value(feed)
		}

		fn feeds_of_device(
			device: DeviceId,
			start_after: Option<FeedId>,
			limit: u32,
		) -> Vec<(FeedId, FeedOf<Runtime>)> {
			SensorFeeds::feeds_of_device(device, start_after, limit)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, &genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// try-runtime is an off-chain tool: a failed check must stop it loudly.
			let weight = Executive::try_runtime_upgrade(checks)
				.unwrap_or_else(|e| panic!("try_runtime_upgrade failed: {e:?}"));
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.unwrap_or_else(|e| panic!("try_execute_block failed: {e:?}"))
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			crate::benchmarks::metadata(extra)
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			crate::benchmarks::dispatch(config)
		}
	}
}
