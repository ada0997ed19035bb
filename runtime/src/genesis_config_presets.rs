//! Genesis presets: `development` (one collator, for `iot-node --dev`) and `local_testnet` (two
//! collators, for zombienet). Both fund the well-known dev accounts, make Alice sudo and
//! Charlie an approved device manufacturer.

use crate::{
	AccountId, AuraId, BalancesConfig, CollatorSelectionConfig, DeviceRegistryConfig,
	ParachainInfoConfig, PolkadotXcmConfig, RuntimeGenesisConfig, SensorFeedsConfig, SessionConfig,
	SessionKeys, SudoConfig, DEFAULT_PARA_ID,
};
use alloc::{vec, vec::Vec};
use iot_primitives::token::{EXISTENTIAL_DEPOSIT, UNIT};
use polkadot_sdk::{
	cumulus_primitives_core::ParaId, frame_support::build_struct_json_patch,
	sp_genesis_builder::PresetId, sp_keyring::Sr25519Keyring, staging_xcm::prelude::XCM_VERSION, *,
};

/// Balance of every funded dev account: one million IOT.
pub const DEV_ENDOWMENT: u128 = 1_000_000 * UNIT;

/// Bond a collator candidate must lock.
pub const CANDIDACY_BOND: u128 = 16 * EXISTENTIAL_DEPOSIT;

fn genesis(
	invulnerables: Vec<(AccountId, AuraId)>,
	endowed: Vec<AccountId>,
	sudo: AccountId,
	para_id: ParaId,
	manufacturers: Vec<(AccountId, Vec<u8>)>,
	feed_operators: Vec<pallet_sensor_feeds::crypto::Public>,
) -> serde_json::Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|account| (account, DEV_ENDOWMENT)).collect(),
		},
		parachain_info: ParachainInfoConfig { parachain_id: para_id },
		collator_selection: CollatorSelectionConfig {
			invulnerables: invulnerables.iter().map(|(account, _)| account.clone()).collect(),
			candidacy_bond: CANDIDACY_BOND,
		},
		session: SessionConfig {
			keys: invulnerables
				.into_iter()
				.map(|(account, aura)| (account.clone(), account, SessionKeys { aura }))
				.collect(),
		},
		polkadot_xcm: PolkadotXcmConfig { safe_xcm_version: Some(XCM_VERSION) },
		sudo: SudoConfig { key: Some(sudo) },
		device_registry: DeviceRegistryConfig { manufacturers },
		sensor_feeds: SensorFeedsConfig { operators: feed_operators },
	})
}

fn collator(keyring: Sr25519Keyring) -> (AccountId, AuraId) {
	(keyring.to_account_id(), keyring.public().into())
}

/// Charlie is an approved manufacturer, so a newcomer can register factory devices and batches
/// in polkadot.js without first going through sudo.
fn demo_manufacturers() -> Vec<(AccountId, Vec<u8>)> {
	vec![(Sr25519Keyring::Charlie.to_account_id(), b"Demo Devices Ltd".to_vec())]
}

/// Feed operators: the collators' `//Name` sr25519 keys under key type `iotf`; `iot-node --dev`
/// puts Alice's into its keystore, so its off-chain worker serves every feed.
fn feed_operators(keys: &[Sr25519Keyring]) -> Vec<pallet_sensor_feeds::crypto::Public> {
	keys.iter().map(|k| k.public().into()).collect()
}

fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// The JSON patch of a preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => genesis(
			vec![collator(Sr25519Keyring::Alice)],
			dev_accounts(),
			Sr25519Keyring::Alice.to_account_id(),
			DEFAULT_PARA_ID.into(),
			demo_manufacturers(),
			feed_operators(&[Sr25519Keyring::Alice]),
		),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => genesis(
			vec![collator(Sr25519Keyring::Alice), collator(Sr25519Keyring::Bob)],
			dev_accounts(),
			Sr25519Keyring::Alice.to_account_id(),
			DEFAULT_PARA_ID.into(),
			demo_manufacturers(),
			feed_operators(&[Sr25519Keyring::Alice, Sr25519Keyring::Bob]),
		),
		_ => return None,
	};
	// Serialising a `serde_json::Value` cannot fail.
	serde_json::to_vec(&patch).ok()
}

/// Names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
