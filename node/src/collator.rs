//! The relay-connected start path (`--features collator`): the node embeds a relay-chain node
//! (`cumulus-client-service`, `polkadot-cli`), follows the relay chain and, with `--collator`,
//! builds blocks with the Aura lookahead collator (asynchronous backing).
//!
//! It is a feature because that embedded relay-chain node (polkadot-service with its subsystems
//! and RocksDB's C++) is most of a cold build, and `--dev`, the tests and the benchmarks never run
//! it. zombienet, Docker and real networks build it (`scripts/lib.sh build_node collator`).

use crate::{
	rpc::iot::NodeMode,
	service::{
		new_partial, node_info, para_id, rpc_builder, start_offchain_workers, ParachainBackend,
		ParachainBlockImport, ParachainClient, TransactionPool,
	},
};
use iot_runtime::opaque::Block;
use polkadot_sdk::{
	cumulus_client_cli::CollatorOptions,
	cumulus_client_collator::service::CollatorService,
	cumulus_client_consensus_aura::collators::lookahead::{self as aura, Params as AuraParams},
	cumulus_client_service::{
		build_network, build_relay_chain_interface, prepare_node_config, start_relay_chain_tasks,
		BuildNetworkParams, DARecoveryProfile, ParachainTracingExecuteBlock,
		StartRelayChainTasksParams,
	},
	cumulus_primitives_core::{
		relay_chain::{CollatorPair, ValidationCode},
		ParaId,
	},
	cumulus_relay_chain_interface::{OverseerHandle, RelayChainInterface},
	sc_consensus::ImportQueue as _,
	sc_network::{
		config::FullNetworkConfiguration, NetworkBackend, NetworkBlock, NetworkStateInfo, PeerId,
	},
	sc_service::{Configuration, TaskManager},
	sc_telemetry::TelemetryHandle,
	sp_keystore::KeystorePtr,
	*,
};
use std::{sync::Arc, time::Duration};

/// Length of a relay-chain slot.
const RELAY_CHAIN_SLOT_DURATION: Duration = Duration::from_secs(6);

/// Starts a relay-connected node: a collator when `--collator` is given, a full node otherwise.
pub async fn start_collator<Net>(
	parachain_config: Configuration,
	polkadot_config: Configuration,
	collator_options: CollatorOptions,
	hwbench: Option<polkadot_sdk::sc_sysinfo::HwBench>,
	private_feed_hosts: bool,
) -> Result<TaskManager, sc_service::Error>
where
	Net: NetworkBackend<Block, <Block as polkadot_sdk::sp_runtime::traits::Block>::Hash>,
{
	let parachain_config = prepare_node_config(parachain_config);

	let params = new_partial(&parachain_config)?;
	let (block_import, mut telemetry, telemetry_worker_handle) = params.other;
	let client = params.client.clone();
	let backend = params.backend.clone();
	let mut task_manager = params.task_manager;
	let para_id = para_id(&client)?;
	log::info!("🪪 Parachain id: {para_id:?}");

	let (relay_chain_interface, collator_key, relay_network, _paranode_requests) =
		build_relay_chain_interface(
			polkadot_config,
			&parachain_config,
			telemetry_worker_handle,
			&mut task_manager,
			collator_options.clone(),
			hwbench.clone(),
		)
		.await
		.map_err(|e| sc_service::Error::Application(Box::new(e)))?;

	let validator = parachain_config.role.is_authority();
	let prometheus_registry = parachain_config.prometheus_registry().cloned();
	let transaction_pool = params.transaction_pool.clone();
	let import_queue_service = params.import_queue.service();
	let net_config = FullNetworkConfiguration::<_, _, Net>::new(
		&parachain_config.network,
		prometheus_registry.clone(),
	);
	let metrics = Net::register_notification_metrics(
		parachain_config.prometheus_config.as_ref().map(|config| &config.registry),
	);

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		build_network(BuildNetworkParams {
			parachain_config: &parachain_config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			para_id,
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			relay_chain_interface: relay_chain_interface.clone(),
			import_queue: params.import_queue,
			metrics,
			gap_sync_body_policy: None,
		})
		.await?;

	start_offchain_workers(
		&parachain_config,
		&client,
		&backend,
		params.keystore_container.keystore(),
		&transaction_pool,
		&network,
		&task_manager,
		private_feed_hosts,
	)?;

	let info = node_info(&parachain_config, NodeMode::Collator);
	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		rpc_builder: rpc_builder(client.clone(), &backend, transaction_pool.clone(), info),
		client: client.clone(),
		transaction_pool: transaction_pool.clone(),
		task_manager: &mut task_manager,
		config: parachain_config,
		keystore: params.keystore_container.keystore(),
		backend: backend.clone(),
		network: network.clone(),
		sync_service: sync_service.clone(),
		system_rpc_tx,
		tx_handler_controller,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: Some(Arc::new(ParachainTracingExecuteBlock::new(client.clone()))),
	})?;

	if let Some(hwbench) = hwbench {
		polkadot_sdk::sc_sysinfo::print_hwbench(&hwbench);
		if let Some(ref mut telemetry) = telemetry {
			task_manager.spawn_handle().spawn(
				"telemetry_hwbench",
				None,
				polkadot_sdk::sc_sysinfo::initialize_hwbench_telemetry(telemetry.handle(), hwbench),
			);
		}
	}

	let announce_block = {
		let sync_service = sync_service.clone();
		Arc::new(move |hash, data| sync_service.announce_block(hash, data))
	};

	let overseer_handle = relay_chain_interface
		.overseer_handle()
		.map_err(|e| sc_service::Error::Application(Box::new(e)))?;

	start_relay_chain_tasks(StartRelayChainTasksParams {
		client: client.clone(),
		announce_block: announce_block.clone(),
		para_id,
		relay_chain_interface: relay_chain_interface.clone(),
		task_manager: &mut task_manager,
		da_recovery_profile: if validator {
			DARecoveryProfile::Collator
		} else {
			DARecoveryProfile::FullNode
		},
		import_queue: import_queue_service,
		relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
		recovery_handle: Box::new(overseer_handle.clone()),
		sync_service: sync_service.clone(),
		prometheus_registry: prometheus_registry.as_ref(),
	})?;

	if validator {
		let collator_key = collator_key
			.ok_or_else(|| sc_service::Error::Other("a collator needs a collator key".into()))?;
		start_consensus(
			client.clone(),
			backend,
			block_import,
			prometheus_registry.as_ref(),
			telemetry.as_ref().map(|t| t.handle()),
			&task_manager,
			relay_chain_interface,
			transaction_pool,
			params.keystore_container.keystore(),
			para_id,
			collator_key,
			// Collations travel over the relay chain's network, so that is the collator's peer id.
			relay_network.local_peer_id(),
			overseer_handle,
			announce_block,
		)?;
	}

	Ok(task_manager)
}

/// Starts the Aura lookahead collator (asynchronous backing).
#[allow(clippy::too_many_arguments)]
fn start_consensus(
	client: Arc<ParachainClient>,
	backend: Arc<ParachainBackend>,
	block_import: ParachainBlockImport,
	prometheus_registry: Option<&polkadot_sdk::substrate_prometheus_endpoint::Registry>,
	telemetry: Option<TelemetryHandle>,
	task_manager: &TaskManager,
	relay_chain_interface: Arc<dyn RelayChainInterface>,
	transaction_pool: Arc<TransactionPool>,
	keystore: KeystorePtr,
	para_id: ParaId,
	collator_key: CollatorPair,
	collator_peer_id: PeerId,
	overseer_handle: OverseerHandle,
	announce_block: Arc<dyn Fn(polkadot_sdk::sp_core::H256, Option<Vec<u8>>) + Send + Sync>,
) -> Result<(), sc_service::Error> {
	let proposer = polkadot_sdk::sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool,
		prometheus_registry,
		telemetry,
	);
	let collator_service = CollatorService::new(client.clone(), announce_block, client.clone());

	let params = AuraParams {
		create_inherent_data_providers: move |_, ()| async move { Ok(()) },
		block_import,
		para_client: client.clone(),
		para_backend: backend,
		relay_client: relay_chain_interface,
		code_hash_provider: {
			let client = client.clone();
			move |block_hash| {
				client.code_at(block_hash).ok().map(|code| ValidationCode::from(code).hash())
			}
		},
		keystore,
		collator_key,
		collator_peer_id,
		para_id,
		overseer_handle,
		relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
		proposer,
		collator_service,
		authoring_duration: Duration::from_millis(2000),
		reinitialize: false,
		max_pov_percentage: None,
	};
	let fut = aura::run::<Block, AuraPair, _, _, _, _, _, _, _, _>(params);
	task_manager.spawn_essential_handle().spawn("aura", None, fut);
	Ok(())
}
