//! `offer_transfer`, `accept_transfer`, `cancel_transfer`.

use super::prelude::*;

#[test]
fn manufacturer_to_dealer_to_customer() {
	test(|| {
		approve(&MAKER);
		let (id, _) = register(&MAKER, KeyKind::P256, 70);
		assert_eq!(held(HoldReason::DeviceDeposit, &MAKER), DEVICE_DEPOSIT);

		// Round 1: manufacturer → dealer.
		assert_ok!(DeviceRegistry::offer_transfer(signed(&MAKER), id, DEALER));
		System::assert_last_event(
			Event::<Test>::TransferOffered { device: id, from: MAKER, to: DEALER }.into(),
		);
		// Nothing moved yet.
		assert_eq!(R::owner(id), Some(MAKER));
		assert_eq!(held(HoldReason::DeviceDeposit, &DEALER), 0);

		assert_ok!(DeviceRegistry::accept_transfer(signed(&DEALER), id));
		System::assert_last_event(
			Event::<Test>::DeviceTransferred { device: id, from: MAKER, to: DEALER }.into(),
		);
		assert_eq!(R::owner(id), Some(DEALER));
		assert_eq!(held(HoldReason::DeviceDeposit, &MAKER), 0);
		assert_eq!(free(&MAKER), INITIAL_BALANCE);
		assert_eq!(held(HoldReason::DeviceDeposit, &DEALER), DEVICE_DEPOSIT);
		assert!(!DevicesByOwner::<Test>::contains_key(MAKER, id));
		assert!(DevicesByOwner::<Test>::contains_key(DEALER, id));
		assert!(!PendingTransfers::<Test>::contains_key(id));

		// Round 2: dealer → customer.
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_ok!(DeviceRegistry::accept_transfer(signed(&CUSTOMER), id));
		let record = Devices::<Test>::get(id).unwrap();
		assert_eq!(record.owner, CUSTOMER);
		assert_eq!(record.deposit, DEVICE_DEPOSIT);
		// The manufacturer stays on record.
		assert_eq!(record.manufacturer, Some(MAKER));
		assert_eq!(held(HoldReason::DeviceDeposit, &DEALER), 0);
		assert_eq!(held(HoldReason::DeviceDeposit, &CUSTOMER), DEVICE_DEPOSIT);
		assert_eq!(DeviceRegistry::devices_of(CUSTOMER, None, 10).len(), 1);
		assert!(DeviceRegistry::devices_of(DEALER, None, 10).is_empty());
	});
}

#[test]
fn a_new_offer_replaces_the_previous_one() {
	test(|| {
		let (id, _) = register(&DEALER, KeyKind::Sr25519, 71);
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, STRANGER));
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_eq!(PendingTransfers::<Test>::get(id), Some(CUSTOMER));
		assert_noop!(
			DeviceRegistry::accept_transfer(signed(&STRANGER), id),
			Error::<Test>::NotRecipient
		);
		assert_ok!(DeviceRegistry::accept_transfer(signed(&CUSTOMER), id));
	});
}

#[test]
fn offer_errors() {
	test(|| {
		assert_noop!(
			DeviceRegistry::offer_transfer(signed(&DEALER), 9, CUSTOMER),
			Error::<Test>::DeviceNotFound
		);
		let (id, _) = register(&DEALER, KeyKind::Ed25519, 72);
		assert_noop!(
			DeviceRegistry::offer_transfer(signed(&STRANGER), id, CUSTOMER),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			DeviceRegistry::offer_transfer(signed(&DEALER), id, DEALER),
			Error::<Test>::TransferToSelf
		);
		assert_ok!(DeviceRegistry::decommission(signed(&DEALER), id));
		assert_noop!(
			DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER),
			Error::<Test>::InvalidTransition
		);
	});
}

#[test]
fn accept_errors() {
	test(|| {
		let (id, _) = register(&DEALER, KeyKind::Secp256k1, 73);
		assert_noop!(
			DeviceRegistry::accept_transfer(signed(&CUSTOMER), id),
			Error::<Test>::TransferNotFound
		);
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_noop!(
			DeviceRegistry::accept_transfer(signed(&STRANGER), id),
			Error::<Test>::NotRecipient
		);
		// The recipient must be able to hold the deposit: nothing lands on an account that
		// cannot pay for it.
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, PAUPER));
		assert_noop!(
			DeviceRegistry::accept_transfer(signed(&PAUPER), id),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn a_terminal_device_cannot_change_hands() {
	test(|| {
		let (id, _) = register(&DEALER, KeyKind::Sr25519, 74);
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		// Decommissioning drops the open offer.
		assert_ok!(DeviceRegistry::decommission(signed(&DEALER), id));
		assert!(!PendingTransfers::<Test>::contains_key(id));
		assert_noop!(
			DeviceRegistry::accept_transfer(signed(&CUSTOMER), id),
			Error::<Test>::TransferNotFound
		);

		let (id, _) = register(&DEALER, KeyKind::Sr25519, 75);
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_ok!(DeviceRegistry::mark_compromised(signed(&DEALER), id));
		assert!(!PendingTransfers::<Test>::contains_key(id));
	});
}

#[test]
fn a_suspended_device_can_be_sold() {
	test(|| {
		let (id, _) = register(&DEALER, KeyKind::Ed25519, 76);
		assert_ok!(DeviceRegistry::suspend(signed(&DEALER), id));
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_ok!(DeviceRegistry::accept_transfer(signed(&CUSTOMER), id));
		assert_eq!(status(id), DeviceStatus::Suspended);
		assert_ok!(DeviceRegistry::resume(signed(&CUSTOMER), id));
	});
}

#[test]
fn transfer_drops_operators_and_refunds_their_deposits() {
	test(|| {
		let (id, _) = register(&DEALER, KeyKind::Sr25519, 77);
		assert_ok!(DeviceRegistry::add_operator(
			signed(&DEALER),
			id,
			GATEWAY,
			Permissions::RELAY_READINGS
		));
		assert_ok!(DeviceRegistry::add_operator(
			signed(&DEALER),
			id,
			STRANGER,
			Permissions::MANAGE_DEVICE
		));
		assert_eq!(held(HoldReason::OperatorDeposit, &DEALER), 2 * OPERATOR_DEPOSIT);

		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_ok!(DeviceRegistry::accept_transfer(signed(&CUSTOMER), id));

		assert!(Operators::<Test>::get(id).is_none());
		assert_eq!(held(HoldReason::OperatorDeposit, &DEALER), 0);
		assert_eq!(held(HoldReason::DeviceDeposit, &DEALER), 0);
		assert_eq!(free(&DEALER), INITIAL_BALANCE);
		assert!(!R::can_act(id, &GATEWAY, Permissions::RELAY_READINGS));
		assert!(R::can_act(id, &CUSTOMER, Permissions::ALL));
	});
}

#[test]
fn cancel_by_owner_or_recipient() {
	test(|| {
		let (id, _) = register(&DEALER, KeyKind::P256, 78);
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_ok!(DeviceRegistry::cancel_transfer(signed(&DEALER), id));
		System::assert_last_event(
			Event::<Test>::TransferCancelled { device: id, by: DEALER }.into(),
		);
		assert!(!PendingTransfers::<Test>::contains_key(id));

		// The recipient declines.
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_ok!(DeviceRegistry::cancel_transfer(signed(&CUSTOMER), id));
		System::assert_last_event(
			Event::<Test>::TransferCancelled { device: id, by: CUSTOMER }.into(),
		);
		assert_noop!(
			DeviceRegistry::accept_transfer(signed(&CUSTOMER), id),
			Error::<Test>::TransferNotFound
		);
		assert_eq!(R::owner(id), Some(DEALER));
	});
}

#[test]
fn cancel_errors() {
	test(|| {
		let (id, _) = register(&DEALER, KeyKind::Sr25519, 79);
		assert_noop!(
			DeviceRegistry::cancel_transfer(signed(&DEALER), id),
			Error::<Test>::TransferNotFound
		);
		assert_ok!(DeviceRegistry::offer_transfer(signed(&DEALER), id, CUSTOMER));
		assert_noop!(
			DeviceRegistry::cancel_transfer(signed(&STRANGER), id),
			Error::<Test>::NotOwner
		);
	});
}
