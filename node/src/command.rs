//! Dispatches the command line: sub-commands, or starting the node in dev or collator mode.

use crate::{
	cli::{Cli, Subcommand},
	service::{self, new_partial},
};
use polkadot_sdk::{
	frame_benchmarking_cli::{BenchmarkCmd, SUBSTRATE_REFERENCE_HARDWARE},
	sc_cli::{self, SubstrateCli},
};

/// Runs a chain-operation sub-command on the node's parts.
macro_rules! construct_async_run {
	(|$components:ident, $cli:ident, $cmd:ident, $config:ident| $( $code:tt )* ) => {{
		let runner = $cli.create_runner($cmd)?;
		runner.async_run(|$config| {
			let $components = new_partial(&$config)?;
			let task_manager = $components.task_manager;
			{ $( $code )* }.map(|v| (v, task_manager))
		})
	}}
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_args();

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let spec = cli.load_spec(&cmd.chain)?;
			cmd.run(spec)
		},
		#[allow(deprecated)]
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, components.import_queue))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, config.database))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, config.chain_spec))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, components.import_queue))
			})
		},
		Some(Subcommand::Revert(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, components.backend, None))
			})
		},
		#[cfg(feature = "collator")]
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| {
				use crate::relay_cli::RelayChainCli;
				let polkadot_cli = RelayChainCli::new(&config, cli.relay_chain_args.iter());
				let polkadot_config = SubstrateCli::create_configuration(
					&polkadot_cli,
					&polkadot_cli,
					config.tokio_handle.clone(),
				)
				.map_err(|err| format!("Relay chain argument error: {err}"))?;
				cmd.run(config, polkadot_config)
			})
		},
		// Without the embedded relay-chain node there is only the parachain's database.
		#[cfg(not(feature = "collator"))]
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(&cmd.base)?;
			runner.sync_run(|config| cmd.base.run(config.database))
		},
		Some(Subcommand::ExportGenesisHead(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| {
				let partials = new_partial(&config)?;
				cmd.run(partials.client)
			})
		},
		Some(Subcommand::ExportGenesisWasm(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|_config| {
				let spec = cli.load_spec(&cmd.shared_params.chain.clone().unwrap_or_default())?;
				cmd.run(&*spec)
			})
		},
		Some(Subcommand::Benchmark(cmd)) => run_benchmark(&cli, cmd),
		None => run_node(cli),
	}
}

fn run_benchmark(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	match cmd {
		// Runs the benchmarks compiled into the WASM given with `--runtime` (built with
		// `--features runtime-benchmarks`, see scripts/benchmark.sh): the node itself needs no
		// benchmark feature, so the one node build serves tests, e2e and benchmarks.
		BenchmarkCmd::Pallet(cmd) => {
			use polkadot_sdk::{
				cumulus_primitives_proof_size_hostfunction::storage_proof_size::HostFunctions as ReclaimHostFunctions,
				sp_runtime::traits::HashingFor,
			};
			let chain =
				cmd.shared_params.chain.as_ref().map(|chain| cli.load_spec(chain)).transpose()?;
			cmd.run_with_spec::<HashingFor<iot_runtime::opaque::Block>, ReclaimHostFunctions>(chain)
		},
		BenchmarkCmd::Block(cmd) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(new_partial(&config)?.client))
		},
		#[cfg(feature = "runtime-benchmarks")]
		BenchmarkCmd::Storage(cmd) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| {
				let partials = new_partial(&config)?;
				let db = partials.backend.expose_db();
				let storage = partials.backend.expose_storage();
				let shared_trie_cache = partials.backend.expose_shared_trie_cache();
				cmd.run(config, partials.client.clone(), db, storage, shared_trie_cache)
			})
		},
		BenchmarkCmd::Machine(cmd) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()))
		},
		#[allow(unreachable_patterns)]
		_ => Err("This benchmark needs iot-node built with `--features runtime-benchmarks`.".into()),
	}
}

fn run_node(cli: Cli) -> sc_cli::Result<()> {
	let runner = cli.create_runner(&cli.run.normalize())?;
	let dev_block_time = cli.dev_block_time();
	let private_feed_hosts = cli.allows_private_feed_hosts();

	runner.run_node_until_exit(|config| async move {
		if let Some(block_time_ms) = dev_block_time {
			log::info!("🧪 Dev mode: sealing and finalizing a block every {block_time_ms} ms, no relay chain");
			return service::start_dev(config, block_time_ms, private_feed_hosts)
				.map_err(Into::into);
		}

		start_relay_connected(cli, config).await
	})
}

/// Starts a relay-connected node (collator or full node), with the relay-chain node embedded.
#[cfg(feature = "collator")]
async fn start_relay_connected(
	cli: Cli,
	config: polkadot_sdk::sc_service::Configuration,
) -> sc_cli::Result<polkadot_sdk::sc_service::TaskManager> {
	use crate::{chain_spec, relay_cli::RelayChainCli};
	use polkadot_sdk::sc_network::config::NetworkBackendType;

	let collator_options = cli.run.collator_options();
	let private_feed_hosts = cli.allows_private_feed_hosts();
	if chain_spec::Extensions::try_get(&*config.chain_spec).is_none() {
		return Err("the chain spec has no `relay_chain`/`para_id` extension; use --chain \
			            dev|local or a spec exported by iot-node"
			.into());
	}

	let hwbench = (!cli.no_hardware_benchmarks)
		.then(|| {
			config.database.path().map(|database_path| {
				let _ = std::fs::create_dir_all(database_path);
				polkadot_sdk::sc_sysinfo::gather_hwbench(
					Some(database_path),
					&SUBSTRATE_REFERENCE_HARDWARE,
				)
			})
		})
		.flatten();

	let polkadot_cli = RelayChainCli::new(&config, cli.relay_chain_args.iter());
	let tokio_handle = config.tokio_handle.clone();
	let polkadot_config =
		SubstrateCli::create_configuration(&polkadot_cli, &polkadot_cli, tokio_handle)
			.map_err(|err| format!("Relay chain argument error: {err}"))?;

	log::info!("✍️ Is collating: {}", if config.role.is_authority() { "yes" } else { "no" });

	match config.network.network_backend {
		NetworkBackendType::Libp2p => {
			crate::collator::start_collator::<polkadot_sdk::sc_network::NetworkWorker<_, _>>(
				config,
				polkadot_config,
				collator_options,
				hwbench,
				private_feed_hosts,
			)
			.await
			.map_err(Into::into)
		},
		NetworkBackendType::Litep2p => {
			crate::collator::start_collator::<polkadot_sdk::sc_network::Litep2pNetworkBackend>(
				config,
				polkadot_config,
				collator_options,
				hwbench,
				private_feed_hosts,
			)
			.await
			.map_err(Into::into)
		},
	}
}

/// This build has no relay-chain node: say how to get one instead of starting something else.
#[cfg(not(feature = "collator"))]
async fn start_relay_connected(
	_cli: Cli,
	_config: polkadot_sdk::sc_service::Configuration,
) -> sc_cli::Result<polkadot_sdk::sc_service::TaskManager> {
	Err("this iot-node was built without the relay-chain node: it runs only a dev chain \
	     (`--dev`, `--dev-block-time MS`) and the sub-commands. To follow a relay chain or \
	     collate, build it with `cargo build --release -p iot-node --features collator` (what \
	     zombienet and the Docker image do)."
		.into())
}
