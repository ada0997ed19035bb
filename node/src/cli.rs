//! Command line of `iot-node`.

use polkadot_sdk::{
	cumulus_client_cli, frame_benchmarking_cli,
	sc_cli::{self, CliConfiguration, SubstrateCli},
	sc_service,
};

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
                                          collator of a relay chain (relay args after --;
                                          an iot-node built with `--features collator`)";

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

	/// Whether this node's off-chain worker fetches sensor feeds at loopback, private,
	/// link-local or other non-public addresses (and `localhost`). Default: `allow` in dev mode
	/// (feeds served from the developer's machine), `deny` otherwise: a stranger's feed URL must
	/// not make an operator's node fetch its own RPC or its LAN and publish the answer. With
	/// `deny`, host names are resolved by the node first and fetched only if every address they
	/// resolve to is public.
	#[arg(long, value_enum, value_name = "POLICY")]
	pub feed_private_hosts: Option<PrivateHosts>,

	/// Disable the hardware benchmarks run at start-up.
	#[arg(long)]
	// Read by the relay-connected start path only, which a build without `collator` lacks; the
	// option stays so that one command line works with both builds.
	#[cfg_attr(not(feature = "collator"), allow(dead_code))]
	pub no_hardware_benchmarks: bool,

	/// Relay-chain arguments (after `--`).
	#[arg(raw = true)]
	#[cfg_attr(not(feature = "collator"), allow(dead_code))]
	pub relay_chain_args: Vec<String>,
}

/// See [`Cli::feed_private_hosts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrivateHosts {
	/// Fetch feeds at any address.
	Allow,
	/// Fetch feeds at public addresses only.
	Deny,
}

impl Cli {
	/// Whether the feed worker may fetch private hosts: the flag, or dev mode if it is not given.
	pub fn allows_private_feed_hosts(&self) -> bool {
		match self.feed_private_hosts {
			Some(PrivateHosts::Allow) => true,
			Some(PrivateHosts::Deny) => false,
			None => self.dev_block_time().is_some(),
		}
	}

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
