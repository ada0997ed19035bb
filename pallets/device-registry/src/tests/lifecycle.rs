//! `suspend`, `resume`, `decommission`, `mark_compromised`, `remove_device`.

use super::prelude::*;

#[test]
fn suspend_and_resume() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 80);
		assert!(R::is_active(id));

		assert_ok!(DeviceRegistry::suspend(signed(&CUSTOMER), id));
		assert_eq!(status(id), DeviceStatus::Suspended);
		assert!(!R::is_active(id));
		System::assert_last_event(
			Event::<Test>::DeviceSuspended { device: id, by: CUSTOMER }.into(),
		);

		assert_ok!(DeviceRegistry::resume(signed(&CUSTOMER), id));
		assert_eq!(status(id), DeviceStatus::Active);
		assert!(R::is_active(id));
		System::assert_last_event(Event::<Test>::DeviceResumed { device: id, by: CUSTOMER }.into());
	});
}

#[test]
fn suspend_and_resume_refuse_wrong_states() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Ed25519, 81);
		assert_noop!(
			DeviceRegistry::resume(signed(&CUSTOMER), id),
			Error::<Test>::InvalidTransition
		);
		assert_ok!(DeviceRegistry::suspend(signed(&CUSTOMER), id));
		assert_noop!(
			DeviceRegistry::suspend(signed(&CUSTOMER), id),
			Error::<Test>::InvalidTransition
		);
		assert_noop!(DeviceRegistry::suspend(signed(&CUSTOMER), 99), Error::<Test>::DeviceNotFound);
		assert_noop!(DeviceRegistry::resume(signed(&STRANGER), id), Error::<Test>::NotOwner);
	});
}

#[test]
fn a_manage_device_operator_may_suspend_and_resume() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 82);
		assert_ok!(DeviceRegistry::add_operator(
			signed(&CUSTOMER),
			id,
			GATEWAY,
			Permissions::MANAGE_DEVICE
		));
		assert_ok!(DeviceRegistry::add_operator(
			signed(&CUSTOMER),
			id,
			STRANGER,
			Permissions::RELAY_READINGS.union(Permissions::MANAGE_FEEDS)
		));

		assert_ok!(DeviceRegistry::suspend(signed(&GATEWAY), id));
		System::assert_last_event(
			Event::<Test>::DeviceSuspended { device: id, by: GATEWAY }.into(),
		);
		assert_noop!(DeviceRegistry::resume(signed(&STRANGER), id), Error::<Test>::NotOwner);
		assert_ok!(DeviceRegistry::resume(signed(&GATEWAY), id));
		// Terminal transitions stay with the owner.
		assert_noop!(DeviceRegistry::decommission(signed(&GATEWAY), id), Error::<Test>::NotOwner);
		assert_noop!(
			DeviceRegistry::mark_compromised(signed(&GATEWAY), id),
			Error::<Test>::NotOwner
		);
	});
}

#[test]
fn decommission_from_active_and_suspended() {
	test(|| {
		let (a, _) = register(&CUSTOMER, KeyKind::Sr25519, 83);
		let (b, _) = register(&CUSTOMER, KeyKind::P256, 84);
		assert_ok!(DeviceRegistry::decommission(signed(&CUSTOMER), a));
		System::assert_last_event(Event::<Test>::DeviceDecommissioned { device: a }.into());
		assert_ok!(DeviceRegistry::suspend(signed(&CUSTOMER), b));
		assert_ok!(DeviceRegistry::decommission(signed(&CUSTOMER), b));
		assert_eq!(status(a), DeviceStatus::Decommissioned);
		assert_eq!(status(b), DeviceStatus::Decommissioned);
		assert!(!R::is_active(a));
		// The deposit stays held until removal.
		assert_eq!(held(HoldReason::DeviceDeposit, &CUSTOMER), 2 * DEVICE_DEPOSIT);
	});
}

#[test]
fn mark_compromised_from_active_and_suspended() {
	test(|| {
		let (a, _) = register(&CUSTOMER, KeyKind::Secp256k1, 85);
		let (b, _) = register(&CUSTOMER, KeyKind::Ed25519, 86);
		assert_ok!(DeviceRegistry::mark_compromised(signed(&CUSTOMER), a));
		System::assert_last_event(Event::<Test>::DeviceMarkedCompromised { device: a }.into());
		assert_ok!(DeviceRegistry::suspend(signed(&CUSTOMER), b));
		assert_ok!(DeviceRegistry::mark_compromised(signed(&CUSTOMER), b));
		assert_eq!(status(a), DeviceStatus::Compromised);
		assert_eq!(status(b), DeviceStatus::Compromised);
		assert!(!R::is_active(a));
	});
}

#[test]
fn terminal_states_are_terminal() {
	test(|| {
		let (decommissioned, _) = register(&CUSTOMER, KeyKind::Sr25519, 87);
		let (compromised, _) = register(&CUSTOMER, KeyKind::Sr25519, 88);
		assert_ok!(DeviceRegistry::decommission(signed(&CUSTOMER), decommissioned));
		assert_ok!(DeviceRegistry::mark_compromised(signed(&CUSTOMER), compromised));
		let new = TestKey::new(KeyKind::Ed25519, 89);

		for id in [decommissioned, compromised] {
			assert_noop!(
				DeviceRegistry::suspend(signed(&CUSTOMER), id),
				Error::<Test>::InvalidTransition
			);
			assert_noop!(
				DeviceRegistry::resume(signed(&CUSTOMER), id),
				Error::<Test>::InvalidTransition
			);
			assert_noop!(
				DeviceRegistry::decommission(signed(&CUSTOMER), id),
				Error::<Test>::InvalidTransition
			);
			assert_noop!(
				DeviceRegistry::mark_compromised(signed(&CUSTOMER), id),
				Error::<Test>::InvalidTransition
			);
			assert_noop!(
				DeviceRegistry::rotate_key(
					signed(&CUSTOMER),
					id,
					new.public(),
					rotation_signature(&new, id, 0)
				),
				Error::<Test>::InvalidTransition
			);
			assert_noop!(
				DeviceRegistry::update_metadata(signed(&CUSTOMER), id, metadata(b"v2")),
				Error::<Test>::InvalidTransition
			);
			assert_noop!(
				DeviceRegistry::add_operator(
					signed(&CUSTOMER),
					id,
					GATEWAY,
					Permissions::RELAY_READINGS
				),
				Error::<Test>::InvalidTransition
			);
			assert_noop!(
				DeviceRegistry::offer_transfer(signed(&CUSTOMER), id, DEALER),
				Error::<Test>::InvalidTransition
			);
		}
	});
}

#[test]
fn remove_device_refunds_the_deposits_and_keeps_a_paid_tombstone() {
	test(|| {
		let (id, key) = register(&CUSTOMER, KeyKind::P256, 90);
		assert_ok!(DeviceRegistry::add_operator(
			signed(&CUSTOMER),
			id,
			GATEWAY,
			Permissions::RELAY_READINGS
		));
		assert_eq!(free(&CUSTOMER), INITIAL_BALANCE - DEVICE_DEPOSIT - OPERATOR_DEPOSIT);
		assert_ok!(DeviceRegistry::decommission(signed(&CUSTOMER), id));

		assert_ok!(DeviceRegistry::remove_device(signed(&CUSTOMER), id));
		System::assert_last_event(
			Event::<Test>::DeviceRemoved { device: id, owner: CUSTOMER }.into(),
		);
		assert!(Devices::<Test>::get(id).is_none());
		assert!(Operators::<Test>::get(id).is_none());
		assert!(!DevicesByOwner::<Test>::contains_key(CUSTOMER, id));
		assert_eq!(held(HoldReason::DeviceDeposit, &CUSTOMER), 0);
		assert_eq!(held(HoldReason::OperatorDeposit, &CUSTOMER), 0);
		// Every deposit comes back; the tombstone, kept for good, is paid once (burned).
		assert_eq!(free(&CUSTOMER), INITIAL_BALANCE - TOMBSTONE_FEE);

		// The key is a tombstone: nobody can register it to take over the device's history.
		assert_eq!(KeyIndex::<Test>::get(key_id(&key.public())), Some(KeyEntry::Retired));
		assert_noop!(
			DeviceRegistry::register_device(
				signed(&STRANGER),
				key.public(),
				registration_signature(&key, &STRANGER),
				metadata(b"meter"),
			),
			Error::<Test>::KeyRetired
		);
		assert_eq!(DeviceRegistry::device_by_key(key.public()), None);
		assert!(!R::verify(id, b"anything", &key.sign(b"anything")));
	});
}

#[test]
fn remove_device_needs_a_terminal_state() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 91);
		assert_noop!(
			DeviceRegistry::remove_device(signed(&CUSTOMER), id),
			Error::<Test>::InvalidTransition
		);
		assert_ok!(DeviceRegistry::suspend(signed(&CUSTOMER), id));
		assert_noop!(
			DeviceRegistry::remove_device(signed(&CUSTOMER), id),
			Error::<Test>::InvalidTransition
		);
		assert_ok!(DeviceRegistry::mark_compromised(signed(&CUSTOMER), id));
		assert_noop!(DeviceRegistry::remove_device(signed(&STRANGER), id), Error::<Test>::NotOwner);
		assert_ok!(DeviceRegistry::remove_device(signed(&CUSTOMER), id));
		assert_noop!(
			DeviceRegistry::remove_device(signed(&CUSTOMER), id),
			Error::<Test>::DeviceNotFound
		);
	});
}
