//! Built-in chain specs, made from the runtime's genesis presets.

use iot_primitives::{token, DEFAULT_PARA_ID};
use polkadot_sdk::{
	sc_chain_spec::{ChainSpecExtension, ChainSpecGroup},
	sc_service::{ChainType, GenericChainSpec},
	sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET},
};
use serde::{Deserialize, Serialize};

/// Chain spec of the IoT parachain.
pub type ChainSpec = GenericChainSpec<Extensions>;

/// Relay chain the built-in `local` spec expects (what zombienet spawns).
pub const LOCAL_RELAY_CHAIN: &str = "rococo-local";

/// The chain spec's parachain extension: which relay chain it belongs to, and its para id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ChainSpecGroup, ChainSpecExtension)]
#[serde(deny_unknown_fields)]
pub struct Extensions {
	/// Relay chain id, e.g. `rococo-local`.
	#[serde(alias = "relayChain", alias = "RelayChain")]
	pub relay_chain: String,
	/// Para id (the runtime's `ParachainInfo` is the source of truth; this is for tools).
	#[serde(alias = "paraId", alias = "ParaId")]
	pub para_id: u32,
}

// Read by the relay-connected start path only (`--features collator`).
#[cfg(feature = "collator")]
impl Extensions {
	/// The extension of a chain spec, if it has one.
	pub fn try_get(chain_spec: &dyn polkadot_sdk::sc_service::ChainSpec) -> Option<&Self> {
		polkadot_sdk::sc_chain_spec::get_extension(chain_spec.extensions())
	}
}

/// Token symbol, decimals and address format, so wallets show balances right.
fn properties() -> polkadot_sdk::sc_chain_spec::Properties {
	let mut properties = polkadot_sdk::sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), token::SYMBOL.into());
	properties.insert("tokenDecimals".into(), token::DECIMALS.into());
	properties.insert("ss58Format".into(), token::SS58_PREFIX.into());
	properties
}

fn runtime_wasm() -> Result<&'static [u8], String> {
	iot_runtime::WASM_BINARY
		.ok_or_else(|| "the runtime WASM was not built (SKIP_WASM_BUILD set?)".to_string())
}

/// A spec of our runtime built from one of its genesis presets.
fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(
		runtime_wasm()?,
		Extensions { relay_chain: LOCAL_RELAY_CHAIN.into(), para_id: DEFAULT_PARA_ID },
	)
	.with_name(name)
	.with_id(id)
	.with_chain_type(chain_type)
	.with_genesis_config_preset_name(preset)
	.with_protocol_id(id)
	.with_properties(properties())
	.build())
}

/// `dev`: one collator (Alice), for `iot-node --dev`.
pub fn development_config() -> Result<ChainSpec, String> {
	from_preset("IoT Parachain Development", "iot_dev", ChainType::Development, DEV_RUNTIME_PRESET)
}

/// `local`: two collators (Alice, Bob) on a `rococo-local` relay chain, for zombienet.
pub fn local_testnet_config() -> Result<ChainSpec, String> {
	from_preset(
		"IoT Parachain Local Testnet",
		"iot_local",
		ChainType::Local,
		LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// Resolves `--chain`: `dev`, `local` (or empty), or a path to a JSON spec.
pub fn load_spec(id: &str) -> Result<Box<dyn polkadot_sdk::sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" => Box::new(development_config()?),
		"" | "local" => Box::new(local_testnet_config()?),
		path => Box::new(ChainSpec::from_json_file(std::path::PathBuf::from(path))?),
	})
}
