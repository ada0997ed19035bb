//! Helpers shared by the runtime tests.

use iot_runtime::{genesis_config_presets::get_preset, RuntimeGenesisConfig};
use polkadot_sdk::{
	frame_support::genesis_builder_helper::build_state, sp_genesis_builder::PresetId,
	sp_io::TestExternalities,
};

/// Applies a preset's JSON patch on top of the default genesis config, as chain-spec tools do.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

#[allow(dead_code)] // not every test file builds a genesis state
pub fn state_of(preset: &str) -> TestExternalities {
	let patch: serde_json::Value =
		serde_json::from_slice(&get_preset(&PresetId::from(preset)).expect("preset exists"))
			.expect("patch is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serialises");
	merge(&mut config, patch);
	let mut ext = TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&config).expect("serialises"))
			.expect("genesis builds")
	});
	ext
}

/// An amount in whole IOT, for printing.
#[allow(dead_code)] // not every test file prints amounts
pub fn iot(amount: u128) -> f64 {
	amount as f64 / iot_runtime::token::UNIT as f64
}
