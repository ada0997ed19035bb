//! Command line of `iot-node`.

use polkadot_sdk::{
	cumulus_client_cli, frame_benchmarking_cli, polkadot_cli,
	sc_cli::{
		self, CliConfiguration, DefaultConfigurationValues, ImportParams, KeystoreParams,
		NetworkParams, RpcEndpoint, SharedParams, SubstrateCli,
	},
	sc_service,
};
use std::path::PathBuf;

/// Dev-mode block time when `--dev` is given without `--dev-block-time`: one relay slot, so the
/// chain's clock keeps pace with the wall clock.
pub const DEFAULT_DEV_BLOCK_TIME_MS: u64 = 6000;

/// Sub-commands of `iot-node`.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management (generate, inspect, insert session keys).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain spec (`--chain dev|local|<path>`), e.g. for zombienet or a relay registration.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build a chain spec (older name of `export-chain-spec`, still used by zombienet).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Remove the whole chain (parachain and relay-chain databases).
	PurgeChain(cumulus_client_cli::PurgeChainCmd),

	/// Export the genesis head data of the parachain, needed to register it on the relay chain.
	#[command(alias = "export-genesis-state")]
	ExportGenesisHead(cumulus_client_cli::ExportGenesisHeadCommand),

	/// Export the genesis WASM of the parachain, needed to register it on the relay chain.
	ExportGenesisWasm(cumulus_client_cli::ExportGenesisWasmCommand),

	/// Benchmarks. `benchmark pallet` runs a runtime WASM built with `--features
	/// runtime-benchmarks` (`--runtime <wasm> --genesis-builder-preset development`).
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),
}

const AFTER_HELP_EXAMPLE: &str = "Examples:
  iot-node --dev                          single-node dev chain, no relay chain
  iot-node --dev --dev-block-time 1000    ... with one-second blocks
  iot-node --collator --chain local -- --chain rococo-local.json
                                          collator of a relay chain (relay args after --)";

/// `iot-node` options.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true,
	after_help = AFTER_HELP_EXAMPLE
)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[command(flatten)]
	pub run: cumulus_client_cli::RunCmd,

	/// Run a relay-free dev chain that seals and finalizes a block every this many milliseconds
	/// (implies dev mode). Faster than 6000 makes the chain's clock run ahead of the wall clock,
	/// because every block stands for one mocked 6-second relay slot.
	#[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(100..))]
	pub dev_block_time: Option<u64>,

	/// Disable the hardware benchmarks run at start-up.
	#[arg(long)]
	pub no_hardware_benchmarks: bool,

	/// Relay-chain arguments (after `--`).
	#[arg(raw = true)]
	pub relay_chain_args: Vec<String>,
}

impl Cli {
	/// Block time of dev mode, or `None` for a relay-connected node.
	pub fn dev_block_time(&self) -> Option<u64> {
		match self.dev_block_time {
			Some(ms) => Some(ms),
			None if self.run.base.is_dev().unwrap_or(false) => Some(DEFAULT_DEV_BLOCK_TIME_MS),
			None => None,
		}
	}
}

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"IoT Parachain Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		"Collator of the IoT parachain: devices that identify themselves, prove their data and pay \
		 each other.\n\nRelay-chain arguments go after `--`: iot-node <parachain-args> -- \
		 <relay-chain-args>"
			.into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/iot-parachain/iot-parachain/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		crate::chain_spec::load_spec(id)
	}
}

/// The relay-chain half of the command line (the arguments after `--`).
#[derive(Debug)]
pub struct RelayChainCli {
	/// The relay chain's own run command.
	pub base: polkadot_cli::RunCmd,
	/// Relay chain id taken from the parachain spec, used when `--chain` is not given.
	pub chain_id: Option<String>,
	/// Defaults to `<parachain base path>/polkadot`.
	pub base_path: Option<PathBuf>,
}

impl RelayChainCli {
	/// Parses the relay-chain arguments, defaulting chain and base path from the parachain's.
	pub fn new<'a>(
		para_config: &sc_service::Configuration,
		relay_chain_args: impl Iterator<Item = &'a String>,
	) -> Self {
		use clap::{CommandFactory, FromArgMatches};
		let command = polkadot_cli::RunCmd::command().no_binary_name(true);
		let matches = command.get_matches_from(relay_chain_args);
		let base = polkadot_cli::RunCmd::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
		let chain_id = crate::chain_spec::Extensions::try_get(&*para_config.chain_spec)
			.map(|extension| extension.relay_chain.clone());
		let base_path = Some(para_config.base_path.path().join("polkadot"));
		Self { base, chain_id, base_path }
	}
}

impl SubstrateCli for RelayChainCli {
	fn impl_name() -> String {
		Cli::impl_name()
	}

	fn impl_version() -> String {
		Cli::impl_version()
	}

	fn description() -> String {
		Cli::description()
	}

	fn author() -> String {
		Cli::author()
	}

	fn support_url() -> String {
		Cli::support_url()
	}

	fn copyright_start_year() -> i32 {
		Cli::copyright_start_year()
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		// Built without native relay runtimes: relay specs come as JSON files (zombienet
		// writes them), which polkadot-cli loads.
		polkadot_cli::Cli::from_iter([Self::executable_name()].iter()).load_spec(id)
	}
}

impl DefaultConfigurationValues for RelayChainCli {
	fn p2p_listen_port() -> u16 {
		30334
	}

	fn rpc_listen_port() -> u16 {
		9945
	}

	fn prometheus_listen_port() -> u16 {
		9616
	}
}

impl CliConfiguration<Self> for RelayChainCli {
	fn shared_params(&self) -> &SharedParams {
		self.base.base.shared_params()
	}

	fn import_params(&self) -> Option<&ImportParams> {
		self.base.base.import_params()
	}

	fn network_params(&self) -> Option<&NetworkParams> {
		self.base.base.network_params()
	}

	fn keystore_params(&self) -> Option<&KeystoreParams> {
		self.base.base.keystore_params()
	}

	fn base_path(&self) -> sc_cli::Result<Option<sc_service::BasePath>> {
		Ok(self.shared_params().base_path()?.or_else(|| self.base_path.clone().map(Into::into)))
	}

	fn rpc_addr(&self, default_listen_port: u16) -> sc_cli::Result<Option<Vec<RpcEndpoint>>> {
		self.base.base.rpc_addr(default_listen_port)
	}

	fn prometheus_config(
		&self,
		default_listen_port: u16,
		chain_spec: &Box<dyn sc_service::ChainSpec>,
	) -> sc_cli::Result<Option<sc_service::config::PrometheusConfig>> {
		self.base.base.prometheus_config(default_listen_port, chain_spec)
	}

	fn init<F>(&self, _: &String, _: &String, _: F) -> sc_cli::Result<()>
	where
		F: FnOnce(&mut sc_cli::LoggerBuilder),
	{
		// The parachain's `Cli` initialises logging once for both halves.
		Err("the relay-chain CLI is never initialised on its own".into())
	}

	fn chain_id(&self, is_dev: bool) -> sc_cli::Result<String> {
		let chain_id = self.base.base.chain_id(is_dev)?;
		Ok(if chain_id.is_empty() { self.chain_id.clone().unwrap_or_default() } else { chain_id })
	}

	fn role(&self, is_dev: bool) -> sc_cli::Result<sc_service::Role> {
		self.base.base.role(is_dev)
	}

	fn transaction_pool(
		&self,
		is_dev: bool,
	) -> sc_cli::Result<sc_service::config::TransactionPoolOptions> {
		self.base.base.transaction_pool(is_dev)
	}

	fn trie_cache_maximum_size(&self) -> sc_cli::Result<Option<usize>> {
		self.base.base.trie_cache_maximum_size()
	}

	fn rpc_methods(&self) -> sc_cli::Result<sc_service::config::RpcMethods> {
		self.base.base.rpc_methods()
	}

	fn rpc_max_connections(&self) -> sc_cli::Result<u32> {
		self.base.base.rpc_max_connections()
	}

	fn rpc_cors(&self, is_dev: bool) -> sc_cli::Result<Option<Vec<String>>> {
		self.base.base.rpc_cors(is_dev)
	}

	fn default_heap_pages(&self) -> sc_cli::Result<Option<u64>> {
		self.base.base.default_heap_pages()
	}

	fn force_authoring(&self) -> sc_cli::Result<bool> {
		self.base.base.force_authoring()
	}

	fn disable_grandpa(&self) -> sc_cli::Result<bool> {
		self.base.base.disable_grandpa()
	}

	fn max_runtime_instances(&self) -> sc_cli::Result<Option<usize>> {
		self.base.base.max_runtime_instances()
	}

	fn announce_block(&self) -> sc_cli::Result<bool> {
		self.base.base.announce_block()
	}

	fn telemetry_endpoints(
		&self,
		chain_spec: &Box<dyn sc_service::ChainSpec>,
	) -> sc_cli::Result<Option<polkadot_sdk::sc_telemetry::TelemetryEndpoints>> {
		self.base.base.telemetry_endpoints(chain_spec)
	}

	fn node_name(&self) -> sc_cli::Result<String> {
		self.base.base.node_name()
	}
}
