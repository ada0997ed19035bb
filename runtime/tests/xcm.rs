//! XCM in our runtime: sending a message is paid. Before, delivery was free
//! (`NoPriceForMessageDelivery`, no price on the upward route), so any account could fill the
//! relay chain's and the siblings' queues for one transaction fee per message.

use codec::Encode;
use iot_runtime::{
	configs::{
		monetary::TransactionByteFee,
		xcm::{BaseDeliveryFee, PriceForParentDelivery, PriceForSiblingDelivery, XcmConfig},
	},
	PolkadotXcm, Runtime, RuntimeOrigin,
};
use polkadot_sdk::{
	cumulus_pallet_parachain_system as parachain_system,
	cumulus_primitives_core::{
		relay_chain::{AbridgedHostConfiguration, AsyncBackingParams},
		ParaId,
	},
	frame_support::traits::fungible::Inspect,
	frame_system,
	polkadot_runtime_common::xcm_sender::PriceForMessageDelivery,
	sp_keyring::Sr25519Keyring,
	staging_xcm::{latest::prelude::*, VersionedLocation, VersionedXcm},
	staging_xcm_executor::traits::{FeeManager, FeeReason},
};

mod common;
use common::state_of;

type Balances = polkadot_sdk::pallet_balances::Pallet<Runtime>;

fn message() -> Xcm<()> {
	Xcm(vec![ClearOrigin])
}

/// The base fee plus the per-byte fee of the message, at the uncongested fee factor (1).
fn expected_price(msg: &Xcm<()>) -> u128 {
	BaseDeliveryFee::get() + msg.encoded_size() as u128 * TransactionByteFee::get()
}

#[test]
fn every_route_prices_a_message() {
	state_of(polkadot_sdk::sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let msg = message();
		let price = expected_price(&msg);
		assert!(price > 0);
		let native = AssetId(Location::here());
		assert_eq!(
			PriceForParentDelivery::price_for_delivery((), &msg),
			(native.clone(), price).into()
		);
		assert_eq!(
			PriceForSiblingDelivery::price_for_delivery(ParaId::from(2000), &msg),
			(native, price).into()
		);
		// A longer message costs more.
		let long = Xcm(vec![ClearOrigin; 50]);
		assert!(expected_price(&long) > price);
	});
}

#[test]
fn only_root_and_the_relay_chain_are_waived() {
	type Fees = <XcmConfig as polkadot_sdk::staging_xcm_executor::Config>::FeeManager;
	let alice = Location::new(
		0,
		[AccountId32 { network: None, id: Sr25519Keyring::Alice.to_account_id().into() }],
	);
	assert!(!Fees::is_waived(Some(&alice), FeeReason::ChargeFees));
	assert!(!Fees::is_waived(Some(&Location::new(1, [Parachain(2000)])), FeeReason::ChargeFees));
	assert!(Fees::is_waived(Some(&Location::here()), FeeReason::ChargeFees));
	assert!(Fees::is_waived(Some(&Location::parent()), FeeReason::ChargeFees));
}

#[test]
fn a_signed_sender_pays_the_delivery_fee_upward() {
	state_of(polkadot_sdk::sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		// What the relay chain tells the parachain in every block; the upward route needs it.
		parachain_system::HostConfiguration::<Runtime>::put(AbridgedHostConfiguration {
			max_code_size: 3 * 1024 * 1024,
			max_head_data_size: 32 * 1024,
			max_upward_queue_count: 8,
			max_upward_queue_size: 1024 * 1024,
			max_upward_message_size: 4 * 1024,
			max_upward_message_num_per_candidate: 2,
			hrmp_max_message_num_per_candidate: 2,
			validation_upgrade_cooldown: 2,
			validation_upgrade_delay: 2,
			async_backing_params: AsyncBackingParams {
				max_candidate_depth: 0,
				allowed_ancestry_len: 0,
			},
		});
		let alice = Sr25519Keyring::Alice.to_account_id();
		let before = Balances::balance(&alice);
		let issuance = Balances::total_issuance();
		assert!(PolkadotXcm::send(
			RuntimeOrigin::signed(alice.clone()),
			Box::new(VersionedLocation::from(Location::parent())),
			Box::new(VersionedXcm::from(message())),
		)
		.is_ok());
		// What the sender paid is the price of what went upward: the message as sent (our
		// router prepends the sender's origin and appends a topic).
		let sent = parachain_system::PendingUpwardMessages::<Runtime>::get();
		assert_eq!(sent.len(), 1, "the message went upward");
		let paid = before - Balances::balance(&alice);
		assert!(paid >= expected_price(&message()), "paid {paid}");
		assert_eq!(Balances::total_issuance(), issuance - paid, "the fee is burned");
		// Root (sudo, governance) sends as `Here` and is waived.
		let issuance = Balances::total_issuance();
		assert!(PolkadotXcm::send(
			RuntimeOrigin::root(),
			Box::new(VersionedLocation::from(Location::parent())),
			Box::new(VersionedXcm::from(message())),
		)
		.is_ok());
		assert_eq!(parachain_system::PendingUpwardMessages::<Runtime>::get().len(), 2);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}
