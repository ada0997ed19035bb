//! `try_state` notices broken invariants (the other tests check that it holds after every
//! scenario).

use super::prelude::*;

fn with_a_device(check: impl FnOnce(DeviceId, &TestKey)) {
	new_test_ext().execute_with(|| {
		let (id, key) = register(&CUSTOMER, KeyKind::Sr25519, 200);
		assert_ok!(DeviceRegistry::add_operator(
			signed(&CUSTOMER),
			id,
			GATEWAY,
			Permissions::RELAY_READINGS
		));
		approve(&MAKER);
		assert_ok!(DeviceRegistry::commit_batch(signed(&MAKER), [1; 32], 4));
		assert_ok!(DeviceRegistry::do_try_state());
		check(id, &key);
	});
}

#[test]
fn a_missing_device_hold_is_noticed() {
	with_a_device(|_, _| {
		assert_ok!(<Balances as fungible::MutateHold<_>>::release(
			&HoldReason::DeviceDeposit.into(),
			&CUSTOMER,
			1,
			Precision::Exact
		));
		assert!(DeviceRegistry::do_try_state().is_err());
	});
}

#[test]
fn a_missing_operator_hold_is_noticed() {
	with_a_device(|_, _| {
		assert_ok!(<Balances as fungible::MutateHold<_>>::release(
			&HoldReason::OperatorDeposit.into(),
			&CUSTOMER,
			OPERATOR_DEPOSIT,
			Precision::Exact
		));
		assert!(DeviceRegistry::do_try_state().is_err());
	});
}

#[test]
fn a_missing_batch_hold_is_noticed() {
	with_a_device(|_, _| {
		assert_ok!(<Balances as fungible::MutateHold<_>>::release(
			&HoldReason::BatchDeposit.into(),
			&MAKER,
			BATCH_DEPOSIT,
			Precision::Exact
		));
		assert!(DeviceRegistry::do_try_state().is_err());
	});
}

#[test]
fn a_dangling_key_entry_is_noticed() {
	with_a_device(|_, _| {
		let stray = TestKey::new(KeyKind::Ed25519, 201).public();
		KeyIndex::<Test>::insert(key_id(&stray), KeyEntry::Active(42));
		assert!(DeviceRegistry::do_try_state().is_err());
	});
}

#[test]
fn a_key_entry_for_the_wrong_device_is_noticed() {
	with_a_device(|id, key| {
		// The device's key is indexed, but as retired.
		KeyIndex::<Test>::insert(key_id(&key.public()), KeyEntry::Retired);
		assert!(DeviceRegistry::do_try_state().is_err());
		// An entry that points at the device under another key.
		KeyIndex::<Test>::insert(key_id(&key.public()), KeyEntry::Active(id));
		let stray = TestKey::new(KeyKind::Ed25519, 202).public();
		KeyIndex::<Test>::insert(key_id(&stray), KeyEntry::Active(id));
		assert!(DeviceRegistry::do_try_state().is_err());
	});
}

#[test]
fn an_inconsistent_owner_index_is_noticed() {
	with_a_device(|id, _| {
		DevicesByOwner::<Test>::insert(STRANGER, id, ());
		assert!(DeviceRegistry::do_try_state().is_err());
		DevicesByOwner::<Test>::remove(STRANGER, id);
		DevicesByOwner::<Test>::remove(CUSTOMER, id);
		assert!(DeviceRegistry::do_try_state().is_err());
	});
}

#[test]
fn an_offer_of_a_missing_device_is_noticed() {
	with_a_device(|_, _| {
		PendingTransfers::<Test>::insert(77, DEALER);
		assert!(DeviceRegistry::do_try_state().is_err());
	});
}
