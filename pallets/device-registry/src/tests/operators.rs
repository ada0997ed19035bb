//! `add_operator`, `remove_operator`, and what operators may do.

use super::prelude::*;

#[test]
fn add_operator_holds_a_deposit() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 130);
		let permissions = Permissions::RELAY_READINGS.union(Permissions::MANAGE_FEEDS);
		assert_ok!(DeviceRegistry::add_operator(signed(&CUSTOMER), id, GATEWAY, permissions));
		System::assert_last_event(
			Event::<Test>::OperatorAdded { device: id, operator: GATEWAY, permissions }.into(),
		);
		let operators = DeviceRegistry::operators(id);
		assert_eq!(operators.len(), 1);
		assert_eq!(operators[0].account, GATEWAY);
		assert_eq!(operators[0].permissions, permissions);
		assert_eq!(operators[0].deposit, OPERATOR_DEPOSIT);
		assert_eq!(held(HoldReason::OperatorDeposit, &CUSTOMER), OPERATOR_DEPOSIT);
		// The operator pays nothing.
		assert_eq!(free(&GATEWAY), INITIAL_BALANCE);
	});
}

#[test]
fn can_act_follows_permissions() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 131);
		assert_ok!(DeviceRegistry::add_operator(
			signed(&CUSTOMER),
			id,
			GATEWAY,
			Permissions::RELAY_READINGS
		));
		assert!(R::can_act(id, &CUSTOMER, Permissions::ALL));
		assert!(R::can_act(id, &GATEWAY, Permissions::RELAY_READINGS));
		assert!(!R::can_act(id, &GATEWAY, Permissions::MANAGE_FEEDS));
		assert!(!R::can_act(id, &GATEWAY, Permissions::ALL));
		assert!(R::can_act(id, &GATEWAY, Permissions::empty()));
		assert!(!R::can_act(id, &STRANGER, Permissions::empty()));
		assert!(!R::can_act(99, &CUSTOMER, Permissions::empty()));
	});
}

#[test]
fn add_operator_errors() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 132);
		let relay = Permissions::RELAY_READINGS;
		assert_noop!(
			DeviceRegistry::add_operator(signed(&CUSTOMER), 99, GATEWAY, relay),
			Error::<Test>::DeviceNotFound
		);
		assert_noop!(
			DeviceRegistry::add_operator(signed(&STRANGER), id, GATEWAY, relay),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			DeviceRegistry::add_operator(signed(&CUSTOMER), id, GATEWAY, Permissions::empty()),
			Error::<Test>::InvalidPermissions
		);
		assert_noop!(
			DeviceRegistry::add_operator(signed(&CUSTOMER), id, GATEWAY, Permissions(8)),
			Error::<Test>::InvalidPermissions
		);
		assert_ok!(DeviceRegistry::add_operator(signed(&CUSTOMER), id, GATEWAY, relay));
		assert_noop!(
			DeviceRegistry::add_operator(signed(&CUSTOMER), id, GATEWAY, Permissions::ALL),
			Error::<Test>::AlreadyExists
		);
		assert_ok!(DeviceRegistry::add_operator(signed(&CUSTOMER), id, DEALER, relay));
		assert_ok!(DeviceRegistry::add_operator(signed(&CUSTOMER), id, MAKER, relay));
		assert_eq!(DeviceRegistry::operators(id).len() as u32, MAX_OPERATORS);
		assert_noop!(
			DeviceRegistry::add_operator(signed(&CUSTOMER), id, STRANGER, relay),
			Error::<Test>::TooManyOperators
		);
	});
}

#[test]
fn add_operator_needs_the_deposit() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 133);
		// Leave the owner with less than the operator deposit above the existential deposit.
		let spare = free(&CUSTOMER) - 5;
		assert_ok!(<Balances as fungible::Mutate<_>>::transfer(
			&CUSTOMER,
			&DEALER,
			spare,
			Preservation::Preserve
		));
		assert_noop!(
			DeviceRegistry::add_operator(
				signed(&CUSTOMER),
				id,
				GATEWAY,
				Permissions::RELAY_READINGS
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn remove_operator_by_owner_or_by_itself() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 134);
		let relay = Permissions::RELAY_READINGS;
		assert_ok!(DeviceRegistry::add_operator(signed(&CUSTOMER), id, GATEWAY, relay));
		assert_ok!(DeviceRegistry::add_operator(signed(&CUSTOMER), id, DEALER, relay));

		assert_ok!(DeviceRegistry::remove_operator(signed(&CUSTOMER), id, GATEWAY));
		System::assert_last_event(
			Event::<Test>::OperatorRemoved { device: id, operator: GATEWAY }.into(),
		);
		assert_eq!(held(HoldReason::OperatorDeposit, &CUSTOMER), OPERATOR_DEPOSIT);
		assert!(!R::can_act(id, &GATEWAY, relay));

		// The operator resigns; the deposit goes back to the owner.
		assert_ok!(DeviceRegistry::remove_operator(signed(&DEALER), id, DEALER));
		assert_eq!(held(HoldReason::OperatorDeposit, &CUSTOMER), 0);
		assert_eq!(free(&CUSTOMER), INITIAL_BALANCE - DEVICE_DEPOSIT);
		assert!(Operators::<Test>::get(id).is_none());
	});
}

#[test]
fn remove_operator_errors() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 135);
		assert_noop!(
			DeviceRegistry::remove_operator(signed(&CUSTOMER), 99, GATEWAY),
			Error::<Test>::DeviceNotFound
		);
		assert_noop!(
			DeviceRegistry::remove_operator(signed(&CUSTOMER), id, GATEWAY),
			Error::<Test>::OperatorNotFound
		);
		assert_ok!(DeviceRegistry::add_operator(
			signed(&CUSTOMER),
			id,
			GATEWAY,
			Permissions::RELAY_READINGS
		));
		assert_noop!(
			DeviceRegistry::remove_operator(signed(&STRANGER), id, GATEWAY),
			Error::<Test>::NotOwner
		);
		// Operators may be removed from a terminal device (to recover the deposit early).
		assert_ok!(DeviceRegistry::decommission(signed(&CUSTOMER), id));
		assert_ok!(DeviceRegistry::remove_operator(signed(&CUSTOMER), id, GATEWAY));
	});
}
