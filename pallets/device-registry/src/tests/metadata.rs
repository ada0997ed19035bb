//! `update_metadata`.

use super::prelude::*;

#[test]
fn owner_updates_metadata() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 120);
		let new = DeviceMetadata {
			model: b"meter-2".to_vec().try_into().unwrap(),
			firmware_version: b"2.1.0".to_vec().try_into().unwrap(),
			firmware_hash: Some([9; 32]),
			uri: b"ipfs://bafy2".to_vec().try_into().unwrap(),
		};
		assert_ok!(DeviceRegistry::update_metadata(signed(&CUSTOMER), id, new.clone()));
		assert_eq!(Devices::<Test>::get(id).unwrap().metadata, new);
		System::assert_last_event(
			Event::<Test>::MetadataUpdated { device: id, by: CUSTOMER }.into(),
		);
	});
}

#[test]
fn a_manage_device_operator_updates_firmware_info() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Ed25519, 121);
		assert_ok!(DeviceRegistry::add_operator(
			signed(&CUSTOMER),
			id,
			GATEWAY,
			Permissions::MANAGE_DEVICE
		));
		assert_ok!(DeviceRegistry::update_metadata(signed(&GATEWAY), id, metadata(b"fleet")));
		System::assert_last_event(
			Event::<Test>::MetadataUpdated { device: id, by: GATEWAY }.into(),
		);
		assert_eq!(Devices::<Test>::get(id).unwrap().metadata, metadata(b"fleet"));
	});
}

#[test]
fn update_metadata_errors() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Ed25519, 122);
		assert_noop!(
			DeviceRegistry::update_metadata(signed(&CUSTOMER), 99, metadata(b"x")),
			Error::<Test>::DeviceNotFound
		);
		assert_noop!(
			DeviceRegistry::update_metadata(signed(&STRANGER), id, metadata(b"x")),
			Error::<Test>::NotOwner
		);
		assert_ok!(DeviceRegistry::add_operator(
			signed(&CUSTOMER),
			id,
			GATEWAY,
			Permissions::RELAY_READINGS
		));
		assert_noop!(
			DeviceRegistry::update_metadata(signed(&GATEWAY), id, metadata(b"x")),
			Error::<Test>::NotOwner
		);
		assert_ok!(DeviceRegistry::decommission(signed(&CUSTOMER), id));
		assert_noop!(
			DeviceRegistry::update_metadata(signed(&CUSTOMER), id, metadata(b"x")),
			Error::<Test>::InvalidTransition
		);
	});
}

#[test]
fn metadata_is_bounded() {
	test(|| {
		// The model bound is 32 bytes in the mock: a longer one cannot even be built, and a
		// call carrying one does not decode.
		assert!(BoundedVec::<u8, ConstU32<32>>::try_from(vec![0u8; 33]).is_err());
		let (id, _) = register(&CUSTOMER, KeyKind::Ed25519, 123);
		let call = RuntimeCall::DeviceRegistry(crate::Call::update_metadata {
			device: id,
			metadata: metadata(b"ok"),
		});
		let mut encoded = call.encode();
		// Re-encode with a 33-byte model: replace the metadata tail.
		let oversized =
			(id, (vec![0u8; 33], b"1.0.0".to_vec(), Some([7u8; 32]), b"ipfs://bafy".to_vec()))
				.encode();
		encoded.truncate(2);
		encoded.extend(oversized);
		assert!(RuntimeCall::decode(&mut &encoded[..]).is_err());
	});
}
