//! Runtime tests: the genesis presets build a working chain state, and the fee and weight
//! parameters make sense together.

use iot_runtime::{
	genesis_config_presets::{preset_names, CANDIDACY_BOND, DEV_ENDOWMENT},
	token, Balances, Runtime, RuntimeCall, TransactionPayment,
};
use polkadot_sdk::{
	frame_support::{dispatch::GetDispatchInfo, weights::constants::ExtrinsicBaseWeight},
	frame_system, pallet_aura, pallet_balances, pallet_collator_selection, pallet_sudo,
	sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET},
	sp_keyring::Sr25519Keyring,
};

mod common;
use common::state_of;

#[test]
fn presets_are_the_two_documented_ones() {
	let names: Vec<_> = preset_names().into_iter().map(|p| p.to_string()).collect();
	assert_eq!(
		names,
		vec![DEV_RUNTIME_PRESET.to_string(), LOCAL_TESTNET_RUNTIME_PRESET.to_string()]
	);
}

#[test]
fn development_genesis_funds_dev_accounts_with_alice_as_sudo_and_collator() {
	state_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice.clone()));
		assert_eq!(u32::from(iot_runtime::ParachainInfo::parachain_id()), 1000);
		for keyring in Sr25519Keyring::well_known() {
			assert_eq!(Balances::free_balance(keyring.to_account_id()), DEV_ENDOWMENT);
		}
		assert_eq!(
			pallet_collator_selection::Invulnerables::<Runtime>::get().into_inner(),
			vec![alice]
		);
		assert_eq!(pallet_collator_selection::CandidacyBond::<Runtime>::get(), CANDIDACY_BOND);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(
			pallet_balances::TotalIssuance::<Runtime>::get(),
			DEV_ENDOWMENT * Sr25519Keyring::well_known().count() as u128
		);
	});
}

#[test]
fn local_testnet_genesis_has_alice_and_bob_as_collators() {
	state_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		// Collator selection keeps its invulnerables sorted.
		let mut expected =
			vec![Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id()];
		expected.sort();
		let invulnerables = pallet_collator_selection::Invulnerables::<Runtime>::get();
		assert_eq!(invulnerables.into_inner(), expected);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 2);
		assert_eq!(frame_system::Pallet::<Runtime>::block_number(), 0);
	});
}

#[test]
fn base_extrinsic_weight_costs_one_milli_iot() {
	state_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let fee = TransactionPayment::weight_to_fee(ExtrinsicBaseWeight::get());
		assert_eq!(fee, token::MILLI_UNIT);
	});
}

#[test]
fn a_transfer_is_a_small_fraction_of_a_block() {
	let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: Sr25519Keyring::Bob.to_account_id().into(),
		value: token::UNIT,
	});
	let weight = call.get_dispatch_info().call_weight;
	let block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	// Thousands of transfers fit in a block: 2 s of compute, a transfer takes tens of µs.
	assert!(weight.ref_time() > 0);
	assert!(weight.ref_time().saturating_mul(1000) < block.ref_time(), "{weight:?} vs {block:?}");
}
