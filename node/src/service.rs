//! The node service: one set of parts ([`new_partial`]) and two ways to start them,
//! [`start_dev`] (manual seal with mocked relay-chain data, no relay chain) and, in a build with
//! `--features collator`, `collator::start_collator` (relay-connected, Aura lookahead collator
//! with asynchronous backing).

use crate::rpc::{self, iot::NodeMode};
use codec::Encode;
use futures::FutureExt;
use iot_runtime::{opaque::Block, RuntimeApi};
use polkadot_sdk::{
	cumulus_client_consensus_common::ParachainBlockImport as TParachainBlockImport,
	cumulus_client_parachain_inherent::MockValidationDataInherentDataProvider,
	cumulus_primitives_core::{
		relay_chain::HeadData, CollectCollationInfo, GetParachainInfo, ParaId, RelayParentOffsetApi,
	},
	polkadot_primitives::UpgradeGoAhead,
	sc_client_api::Backend as _,
	sc_consensus::LongestChain,
	sc_consensus_manual_seal::{
		consensus::aura::AuraConsensusDataProvider, EngineCommand, ManualSealParams,
	},
	sc_executor::{HeapAllocStrategy, WasmExecutor, DEFAULT_HEAP_ALLOC_STRATEGY},
	sc_network::{config::FullNetworkConfiguration, service::traits::NetworkService},
	sc_service::{Configuration, PartialComponents, TFullBackend, TFullClient, TaskManager},
	sc_telemetry::{Telemetry, TelemetryHandle, TelemetryWorker, TelemetryWorkerHandle},
	sc_transaction_pool::TransactionPoolHandle,
	sc_transaction_pool_api::OffchainTransactionPoolFactory,
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_consensus_aura::{sr25519::AuthorityPair as AuraPair, AuraApi},
	sp_keystore::KeystorePtr,
	sp_runtime::traits::{Header as _, UniqueSaturatedInto},
	*,
};
use std::{sync::Arc, time::Duration};

/// Host functions the runtime may call: the standard set plus the storage-proof size that weight
/// reclaim reads (cumulus' `ParachainHostFunctions` without the elliptic-curve extensions, which
/// our runtime does not import; the same set in the dev and the collator build), plus the
/// benchmarking ones when benchmarks are compiled in.
pub type ParachainHostFunctions = (
	polkadot_sdk::cumulus_primitives_proof_size_hostfunction::storage_proof_size::HostFunctions,
	polkadot_sdk::sp_io::SubstrateHostFunctions,
);
#[cfg(not(feature = "runtime-benchmarks"))]
pub type HostFunctions = ParachainHostFunctions;
#[cfg(feature = "runtime-benchmarks")]
pub type HostFunctions =
	(ParachainHostFunctions, polkadot_sdk::frame_benchmarking::benchmarking::HostFunctions);

pub type ParachainExecutor = WasmExecutor<HostFunctions>;
pub type ParachainClient = TFullClient<Block, RuntimeApi, ParachainExecutor>;
pub type ParachainBackend = TFullBackend<Block>;
pub type ParachainBlockImport =
	TParachainBlockImport<Block, Arc<ParachainClient>, ParachainBackend>;
pub type TransactionPool = TransactionPoolHandle<Block, ParachainClient>;

/// Parts shared by every start path and by the chain-operation sub-commands.
pub type Service = PartialComponents<
	ParachainClient,
	ParachainBackend,
	(),
	sc_consensus::DefaultImportQueue<Block>,
	TransactionPool,
	(ParachainBlockImport, Option<Telemetry>, Option<TelemetryWorkerHandle>),
>;

/// Builds the client, database, keystore, transaction pool and import queue.
pub fn new_partial(config: &Configuration) -> Result<Service, sc_service::Error> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|endpoints| !endpoints.is_empty())
		.map(|endpoints| -> Result<_, polkadot_sdk::sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let heap_pages = config
		.executor
		.default_heap_pages
		.map_or(DEFAULT_HEAP_ALLOC_STRATEGY, |h| HeapAllocStrategy::Static { extra_pages: h as _ });

	let executor = ParachainExecutor::builder()
		.with_execution_method(config.executor.wasm_method)
		.with_onchain_heap_alloc_strategy(heap_pages)
		.with_offchain_heap_alloc_strategy(heap_pages)
		.with_max_runtime_instances(config.executor.max_runtime_instances)
		.with_runtime_cache_size(config.executor.runtime_cache_size)
		.build();

	// Import-proof recording gives the runtime the proof size it needs for weight reclaim.
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts_record_import::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			true,
			Default::default(),
		)?;
	let client = Arc::new(client);

	let telemetry_worker_handle = telemetry.as_ref().map(|(worker, _)| worker.handle());
	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			task_manager.spawn_essential_handle(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	let block_import = ParachainBlockImport::new(client.clone(), backend.clone());

	let import_queue = build_import_queue(
		client.clone(),
		block_import.clone(),
		config,
		telemetry.as_ref().map(|telemetry| telemetry.handle()),
		&task_manager,
	);

	Ok(PartialComponents {
		backend,
		client,
		import_queue,
		keystore_container,
		task_manager,
		transaction_pool,
		select_chain: (),
		other: (block_import, telemetry, telemetry_worker_handle),
	})
}

/// Verifies imported blocks' Aura seals and reports equivocations.
fn build_import_queue(
	client: Arc<ParachainClient>,
	block_import: ParachainBlockImport,
	config: &Configuration,
	telemetry: Option<TelemetryHandle>,
	task_manager: &TaskManager,
) -> sc_consensus::DefaultImportQueue<Block> {
	polkadot_sdk::cumulus_client_consensus_aura::equivocation_import_queue::fully_verifying_import_queue::<
		AuraPair,
		_,
		_,
		_,
		_,
	>(
		client,
		block_import,
		move |_, _| async move {
			let timestamp = polkadot_sdk::sp_timestamp::InherentDataProvider::from_system_time();
			Ok(timestamp)
		},
		&task_manager.spawn_essential_handle(),
		config.prometheus_registry(),
		telemetry,
	)
}

/// Facts for `iot_nodeInfo`.
pub(crate) fn node_info(config: &Configuration, mode: NodeMode) -> rpc::iot::NodeInfo {
	rpc::iot::NodeInfo {
		name: config.impl_name.clone(),
		version: config.impl_version.clone(),
		chain: config.chain_spec.name().to_string(),
		mode,
	}
}

/// Builds the closure that `spawn_tasks` calls for every RPC connection set-up.
pub(crate) fn rpc_builder(
	client: Arc<ParachainClient>,
	backend: &Arc<ParachainBackend>,
	pool: Arc<TransactionPool>,
	info: rpc::iot::NodeInfo,
) -> Box<
	dyn Fn(
		polkadot_sdk::sc_rpc::SubscriptionTaskExecutor,
	) -> Result<jsonrpsee::RpcModule<()>, sc_service::Error>,
> {
	let offchain_storage = backend.offchain_storage();
	Box::new(move |_| {
		rpc::create_full(rpc::FullDeps {
			client: client.clone(),
			pool: pool.clone(),
			node_info: info.clone(),
			offchain_storage: offchain_storage.clone(),
		})
		.map_err(sc_service::Error::Application)
	})
}

/// Starts the off-chain workers with HTTP enabled: sensor feeds fetch their URLs from here, in
/// dev mode and as a collator alike. Writes the node's policy on private feed hosts where the
/// worker reads it, and, when they are refused, starts the task that resolves feed host names
/// for the worker ([`crate::feed_hosts`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn start_offchain_workers(
	config: &Configuration,
	client: &Arc<ParachainClient>,
	backend: &Arc<ParachainBackend>,
	keystore: KeystorePtr,
	transaction_pool: &Arc<TransactionPool>,
	network: &Arc<dyn NetworkService>,
	task_manager: &TaskManager,
	private_feed_hosts: bool,
) -> Result<(), sc_service::Error> {
	if !config.offchain_worker.enabled {
		return Ok(());
	}
	if let Some(mut storage) = backend.offchain_storage() {
		use codec::Encode;
		use polkadot_sdk::sp_core::offchain::OffchainStorage;
		storage.set(
			polkadot_sdk::sp_offchain::STORAGE_PREFIX,
			iot_primitives::feeds::url::ALLOW_PRIVATE_HOSTS_KEY,
			&private_feed_hosts.encode(),
		);
		if private_feed_hosts {
			log::info!(
				"📡 Sensor feeds: private and local hosts are fetched (--feed-private-hosts)"
			);
		} else {
			task_manager.spawn_handle().spawn_blocking(
				"feed-host-resolver",
				"offchain-work",
				crate::feed_hosts::run(storage),
			);
		}
	}
	let offchain_workers = polkadot_sdk::sc_offchain::OffchainWorkers::new(
		polkadot_sdk::sc_offchain::OffchainWorkerOptions {
			runtime_api_provider: client.clone(),
			keystore: Some(keystore),
			offchain_db: backend.offchain_storage(),
			transaction_pool: Some(OffchainTransactionPoolFactory::new(transaction_pool.clone())),
			network_provider: Arc::new(network.clone()),
			is_validator: config.role.is_authority(),
			enable_http_requests: true,
			custom_extensions: |_| vec![],
		},
	)?;
	task_manager.spawn_handle().spawn(
		"offchain-workers-runner",
		"offchain-work",
		offchain_workers.run(client.clone(), task_manager.spawn_handle()).boxed(),
	);
	Ok(())
}

/// Para id from the runtime at the best block.
pub(crate) fn para_id(client: &ParachainClient) -> Result<ParaId, sc_service::Error> {
	let best = client.info().best_hash;
	client
		.runtime_api()
		.parachain_id(best)
		.map_err(|e| sc_service::Error::Other(format!("reading the para id from the runtime: {e}")))
}

/// How long after sealing a dev block it is finalized (at most half the block time): long enough
/// for the transaction pool to report the block as best (InBlock) before it reports it final.
const DEV_FINALITY_DELAY_MS: u64 = 250;

/// Starts a single-node dev chain: a block is sealed every `block_time_ms` (and finalized a moment
/// later, see `DEV_FINALITY_DELAY_MS`), with
/// relay-chain data mocked so the parachain runtime runs unchanged.
pub fn start_dev(
	mut config: Configuration,
	block_time_ms: u64,
	private_feed_hosts: bool,
) -> Result<TaskManager, sc_service::Error> {
	let PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain: _,
		transaction_pool,
		other: (_, mut telemetry, _),
	} = new_partial(&config)?;

	// The dev chain's feed operator is Alice (genesis preset `development`): her `iotf` key in
	// this node's keystore lets its off-chain worker serve every feed, with no setup.
	polkadot_sdk::sp_keystore::Keystore::sr25519_generate_new(
		&*keystore_container.keystore(),
		iot_primitives::feeds::KEY_TYPE,
		Some("//Alice"),
	)
	.map_err(|e| sc_service::Error::Other(format!("inserting the dev feed operator key: {e}")))?;

	// A dev chain has no peers.
	config.network.default_peers_set.in_peers = 0;
	config.network.default_peers_set.out_peers = 0;
	let net_config = FullNetworkConfiguration::<
		_,
		_,
		polkadot_sdk::sc_network::Litep2pNetworkBackend,
	>::new(&config.network, None);
	let metrics = polkadot_sdk::sc_network::NotificationMetrics::new(None);

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config: None,
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	start_offchain_workers(
		&config,
		&client,
		&backend,
		keystore_container.keystore(),
		&transaction_pool,
		&network,
		&task_manager,
		private_feed_hosts,
	)?;

	let para_id = para_id(&client)?;
	let slot_duration = client
		.runtime_api()
		.slot_duration(client.info().best_hash)
		.map_err(|e| sc_service::Error::Other(format!("reading the Aura slot duration: {e}")))?;

	let proposer = polkadot_sdk::sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool.clone(),
		None,
		None,
	);

	// Seal a block every `block_time_ms` and finalize it a moment later. Sealed and finalized in
	// one step, a block reaches the transaction pool already final: a watched transaction then
	// goes Ready → Finalized with no InBlock, and client code that waits for `isInBlock` (the
	// usual polkadot.js pattern) hangs. Importing it as the new best block first, and finalizing
	// it once the pool has seen that, gives the statuses a real chain gives.
	let finality_delay = Duration::from_millis((block_time_ms / 2).min(DEV_FINALITY_DELAY_MS));
	let (mut seal_sink, seal_stream) = futures::channel::mpsc::channel(1024);
	task_manager.spawn_essential_handle().spawn("dev-block-timer", None, async move {
		let mut wait = Duration::from_millis(block_time_ms);
		loop {
			futures_timer::Delay::new(wait).await;
			wait = Duration::from_millis(block_time_ms);
			let (sealed_tx, sealed) = futures::channel::oneshot::channel();
			let seal = EngineCommand::SealNewBlock {
				create_empty: true,
				finalize: false,
				parent_hash: None,
				sender: Some(sealed_tx),
			};
			if seal_sink.try_send(seal).is_err() {
				log::warn!("dev block timer: the sealing task is gone or behind; stopping");
				break;
			}
			let hash = match sealed.await {
				Ok(Ok(created)) => created.hash,
				Ok(Err(e)) => {
					log::warn!("dev block timer: sealing a block failed: {e}");
					continue;
				},
				Err(_) => {
					log::warn!("dev block timer: the sealing task is gone; stopping");
					break;
				},
			};
			futures_timer::Delay::new(finality_delay).await;
			wait = wait.saturating_sub(finality_delay);
			let finalize = EngineCommand::FinalizeBlock { hash, sender: None, justification: None };
			if seal_sink.try_send(finalize).is_err() {
				log::warn!("dev block timer: the sealing task is gone or behind; stopping");
				break;
			}
		}
	});

	let authorship = polkadot_sdk::sc_consensus_manual_seal::run_manual_seal(ManualSealParams {
		block_import: client.clone(),
		env: proposer,
		client: client.clone(),
		pool: transaction_pool.clone(),
		select_chain: LongestChain::new(backend.clone()),
		commands_stream: Box::pin(seal_stream),
		consensus_data_provider: Some(Box::new(
			AuraConsensusDataProvider::<Block>::new_with_slot_duration(slot_duration),
		)),
		create_inherent_data_providers: dev_inherent_data_providers(
			client.clone(),
			para_id,
			slot_duration,
		),
	});
	task_manager.spawn_essential_handle().spawn_blocking("manual-seal", None, authorship);

	let info = node_info(&config, NodeMode::Dev);
	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		rpc_builder: rpc_builder(client.clone(), &backend, transaction_pool.clone(), info),
		client: client.clone(),
		transaction_pool,
		task_manager: &mut task_manager,
		config,
		keystore: keystore_container.keystore(),
		backend,
		network,
		sync_service,
		system_rpc_tx,
		tx_handler_controller,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	Ok(task_manager)
}

/// Mocked relay-chain and timestamp inherents for dev mode.
///
/// Each parachain block gets its own relay slot, and the timestamp is that slot's start, so Aura's
/// slot and the relay slot agree as the consensus hook requires. The first slot lies two hours in
/// the past; block times under 6 s make the chain's clock catch up with the wall clock.
fn dev_inherent_data_providers(
	client: Arc<ParachainClient>,
	para_id: ParaId,
	slot_duration: polkadot_sdk::sp_consensus_aura::SlotDuration,
) -> impl Fn(
	polkadot_sdk::sp_core::H256,
	(),
) -> futures::future::Ready<
	Result<
		(
			polkadot_sdk::sp_timestamp::InherentDataProvider,
			MockValidationDataInherentDataProvider<()>,
		),
		Box<dyn std::error::Error + Send + Sync>,
	>,
> + Send
       + Sync {
	const RELAY_SLOT_MS: u64 = 6000;
	let now_ms = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or_default();
	let initial_relay_slot = now_ms.saturating_sub(2 * 60 * 60 * 1000) / RELAY_SLOT_MS;
	let relay_blocks_per_para_block = (slot_duration.as_millis() / RELAY_SLOT_MS).max(1) as u32;

	move |parent, ()| {
		let result = (|| {
			let parent_header = client
				.header(parent)?
				.ok_or_else(|| format!("dev seal: parent {parent:?} is not in the database"))?;
			let api = client.runtime_api();
			// A pending runtime upgrade needs the relay chain's go-ahead.
			let upgrade_pending = api
				.collect_collation_info(parent, &parent_header)
				.map(|info| info.new_validation_code.is_some())
				.unwrap_or_default();
			let relay_parent_offset = api.relay_parent_offset(parent).unwrap_or_default();

			let block_number =
				UniqueSaturatedInto::<u32>::unique_saturated_into(*parent_header.number())
					.saturating_add(1);
			let relay_slot = initial_relay_slot.saturating_add(
				u64::from(block_number).saturating_mul(u64::from(relay_blocks_per_para_block)),
			);
			let relay_offset = (relay_slot as u32)
				.saturating_sub(relay_blocks_per_para_block.saturating_mul(block_number));

			let mocked_relay = MockValidationDataInherentDataProvider::<()> {
				current_para_block: block_number,
				para_id,
				current_para_block_head: Some(HeadData(parent_header.encode())),
				relay_blocks_per_para_block,
				relay_offset,
				relay_parent_offset,
				para_blocks_per_relay_epoch: 10,
				upgrade_go_ahead: upgrade_pending.then_some(UpgradeGoAhead::GoAhead),
				..Default::default()
			};
			let timestamp = polkadot_sdk::sp_timestamp::InherentDataProvider::new(
				relay_slot.saturating_mul(RELAY_SLOT_MS).into(),
			);
			Ok::<_, Box<dyn std::error::Error + Send + Sync>>((timestamp, mocked_relay))
		})();
		futures::future::ready(result)
	}
}
