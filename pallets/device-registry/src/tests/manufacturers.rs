//! `approve_manufacturer`, `revoke_manufacturer`, genesis manufacturers.

use super::prelude::*;

#[test]
fn approve_records_an_active_manufacturer() {
	test(|| {
		assert_ok!(DeviceRegistry::approve_manufacturer(
			RuntimeOrigin::root(),
			MAKER,
			name(b"Acme"),
			manufacturer_metadata(b"ipfs://acme"),
		));
		let info = Manufacturers::<Test>::get(MAKER).unwrap();
		assert_eq!(info.status, ManufacturerStatus::Active);
		assert_eq!(info.name.to_vec(), b"Acme".to_vec());
		assert_eq!(info.metadata.to_vec(), b"ipfs://acme".to_vec());
		assert_eq!(DeviceRegistry::manufacturer(MAKER), Some(info));
		System::assert_last_event(
			Event::<Test>::ManufacturerApproved { manufacturer: MAKER }.into(),
		);
	});
}

#[test]
fn approve_again_updates_and_reinstates() {
	test(|| {
		approve(&MAKER);
		assert_ok!(DeviceRegistry::revoke_manufacturer(RuntimeOrigin::root(), MAKER));
		assert_ok!(DeviceRegistry::approve_manufacturer(
			RuntimeOrigin::root(),
			MAKER,
			name(b"Acme GmbH"),
			manufacturer_metadata(b""),
		));
		let info = Manufacturers::<Test>::get(MAKER).unwrap();
		assert_eq!(info.status, ManufacturerStatus::Active);
		assert_eq!(info.name.to_vec(), b"Acme GmbH".to_vec());
	});
}

#[test]
fn only_governance_approves_and_revokes() {
	test(|| {
		assert_noop!(
			DeviceRegistry::approve_manufacturer(
				signed(&MAKER),
				MAKER,
				name(b"Acme"),
				manufacturer_metadata(b""),
			),
			BadOrigin
		);
		approve(&MAKER);
		assert_noop!(DeviceRegistry::revoke_manufacturer(signed(&MAKER), MAKER), BadOrigin);
		assert_noop!(DeviceRegistry::mark_batch_compromised(signed(&MAKER), 0), BadOrigin);
	});
}

#[test]
fn revoke_marks_revoked() {
	test(|| {
		approve(&MAKER);
		assert_ok!(DeviceRegistry::revoke_manufacturer(RuntimeOrigin::root(), MAKER));
		assert_eq!(Manufacturers::<Test>::get(MAKER).unwrap().status, ManufacturerStatus::Revoked);
		System::assert_last_event(
			Event::<Test>::ManufacturerRevoked { manufacturer: MAKER }.into(),
		);
	});
}

#[test]
fn revoke_errors() {
	test(|| {
		assert_noop!(
			DeviceRegistry::revoke_manufacturer(RuntimeOrigin::root(), MAKER),
			Error::<Test>::ManufacturerNotFound
		);
		approve(&MAKER);
		assert_ok!(DeviceRegistry::revoke_manufacturer(RuntimeOrigin::root(), MAKER));
		assert_noop!(
			DeviceRegistry::revoke_manufacturer(RuntimeOrigin::root(), MAKER),
			Error::<Test>::ManufacturerRevoked
		);
	});
}

#[test]
fn genesis_approves_manufacturers() {
	test(|| {
		crate::GenesisConfig::<Test> { manufacturers: vec![(MAKER, b"Acme".to_vec())] }.build();
		let info = Manufacturers::<Test>::get(MAKER).unwrap();
		assert_eq!(info.status, ManufacturerStatus::Active);
		assert_eq!(info.name.to_vec(), b"Acme".to_vec());
	});
}
