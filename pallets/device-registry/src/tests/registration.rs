//! `register_device`: all four key types, proof of possession, replay protection, deposits.

use super::prelude::*;
use p256::ecdsa::signature::Signer as _;

#[docify::export]
#[test]
fn registers_every_key_type() {
	test(|| {
		for (i, kind) in ALL_KINDS.into_iter().enumerate() {
			let key = TestKey::new(kind, 10 + i as u8);
			let signature = registration_signature(&key, &CUSTOMER);
			assert_ok!(DeviceRegistry::register_device(
				signed(&CUSTOMER),
				key.public(),
				signature,
				metadata(b"meter"),
			));
			let id = i as DeviceId;
			let record = Devices::<Test>::get(id).unwrap();
			assert_eq!(record.key, key.public());
			assert_eq!(record.owner, CUSTOMER);
			assert_eq!(record.manufacturer, None);
			assert_eq!(record.batch, None);
			assert_eq!(record.status, DeviceStatus::Active);
			assert_eq!(record.metadata, metadata(b"meter"));
			assert_eq!(record.rotations, 0);
			assert_eq!(record.deposit, DEVICE_DEPOSIT);
			assert_eq!(record.registered_at, 1);
			assert_eq!(KeyIndex::<Test>::get(key_id(&key.public())), Some(KeyEntry::Active(id)));
			assert!(DevicesByOwner::<Test>::contains_key(CUSTOMER, id));
			System::assert_last_event(
				Event::<Test>::DeviceRegistered {
					device: id,
					owner: CUSTOMER,
					key: key.public(),
					manufacturer: None,
				}
				.into(),
			);
		}
		assert_eq!(NextDeviceId::<Test>::get(), 4);
		assert_eq!(held(HoldReason::DeviceDeposit, &CUSTOMER), 4 * DEVICE_DEPOSIT);
		assert_eq!(free(&CUSTOMER), INITIAL_BALANCE - 4 * DEVICE_DEPOSIT);
	});
}

#[test]
fn an_active_manufacturer_is_recorded() {
	test(|| {
		approve(&MAKER);
		let (id, _) = register(&MAKER, KeyKind::P256, 20);
		assert_eq!(Devices::<Test>::get(id).unwrap().manufacturer, Some(MAKER));
		assert!(matches!(
			last_event(),
			Event::<Test>::DeviceRegistered { manufacturer: Some(m), .. } if m == MAKER
		));

		// A revoked manufacturer registers as a plain owner.
		assert_ok!(DeviceRegistry::revoke_manufacturer(RuntimeOrigin::root(), MAKER));
		let (id, _) = register(&MAKER, KeyKind::Sr25519, 21);
		assert_eq!(Devices::<Test>::get(id).unwrap().manufacturer, None);
	});
}

#[test]
fn a_key_is_registered_once() {
	test(|| {
		let (_, key) = register(&CUSTOMER, KeyKind::Ed25519, 30);
		// Replaying the same registration, or registering the key for someone else.
		assert_noop!(
			DeviceRegistry::register_device(
				signed(&CUSTOMER),
				key.public(),
				registration_signature(&key, &CUSTOMER),
				metadata(b"meter"),
			),
			Error::<Test>::AlreadyExists
		);
		assert_noop!(
			DeviceRegistry::register_device(
				signed(&STRANGER),
				key.public(),
				registration_signature(&key, &STRANGER),
				metadata(b"meter"),
			),
			Error::<Test>::AlreadyExists
		);
	});
}

#[test]
fn wrong_signer_is_refused() {
	test(|| {
		for kind in ALL_KINDS {
			let key = TestKey::new(kind, 40);
			let impostor = TestKey::new(kind, 41);
			assert_noop!(
				DeviceRegistry::register_device(
					signed(&CUSTOMER),
					key.public(),
					registration_signature(&impostor, &CUSTOMER),
					metadata(b"meter"),
				),
				Error::<Test>::BadSignature
			);
		}
	});
}

#[test]
fn signature_of_another_scheme_is_refused() {
	test(|| {
		let key = TestKey::new(KeyKind::Ed25519, 42);
		let other = TestKey::new(KeyKind::Sr25519, 42);
		assert_noop!(
			DeviceRegistry::register_device(
				signed(&CUSTOMER),
				key.public(),
				registration_signature(&other, &CUSTOMER),
				metadata(b"meter"),
			),
			Error::<Test>::BadSignature
		);
	});
}

#[test]
fn replay_for_another_owner_is_refused() {
	test(|| {
		for kind in ALL_KINDS {
			let key = TestKey::new(kind, 43);
			// The device signed for CUSTOMER; STRANGER submits it.
			assert_noop!(
				DeviceRegistry::register_device(
					signed(&STRANGER),
					key.public(),
					registration_signature(&key, &CUSTOMER),
					metadata(b"meter"),
				),
				Error::<Test>::BadSignature
			);
		}
	});
}

#[test]
fn replay_from_another_chain_is_refused() {
	test(|| {
		for kind in ALL_KINDS {
			let key = TestKey::new(kind, 44);
			let other_genesis = [0xAA; 32];
			assert_ne!(other_genesis, genesis());
			let payload = RegistrationPayload::new(other_genesis, CUSTOMER, key.public());
			assert_noop!(
				DeviceRegistry::register_device(
					signed(&CUSTOMER),
					key.public(),
					key.sign(&payload.signing_bytes()),
					metadata(b"meter"),
				),
				Error::<Test>::BadSignature
			);
		}
	});
}

#[test]
fn other_payload_kinds_are_not_registrations() {
	test(|| {
		let key = TestKey::new(KeyKind::Sr25519, 45);
		// A claim payload (other tag) for the same owner and key.
		let claim = ClaimPayload::new(genesis(), 0, CUSTOMER, key.public());
		assert_noop!(
			DeviceRegistry::register_device(
				signed(&CUSTOMER),
				key.public(),
				key.sign(&claim.signing_bytes()),
				metadata(b"meter"),
			),
			Error::<Test>::BadSignature
		);
		// The bare key, unwrapped.
		assert_noop!(
			DeviceRegistry::register_device(
				signed(&CUSTOMER),
				key.public(),
				key.sign(&key.public().encode()),
				metadata(b"meter"),
			),
			Error::<Test>::BadSignature
		);
	});
}

#[test]
fn p256_high_s_twin_is_refused() {
	test(|| {
		let sk = p256::ecdsa::SigningKey::from_slice(&[46; 32]).unwrap();
		let key = TestKey::P256(sk.clone()).public();
		let payload = RegistrationPayload::new(genesis(), CUSTOMER, key).signing_bytes();
		let sig: p256::ecdsa::Signature = sk.sign(&payload);
		let low = sig.normalize_s().unwrap_or(sig);
		let high = p256::ecdsa::Signature::from_scalars(low.r(), -low.s()).unwrap();
		assert!(high.normalize_s().is_some(), "the twin has a high S");
		let as_bytes = |s: &p256::ecdsa::Signature| -> [u8; 64] {
			s.to_bytes().as_slice().try_into().unwrap()
		};

		assert_noop!(
			DeviceRegistry::register_device(
				signed(&CUSTOMER),
				key,
				DeviceSignature::P256(as_bytes(&high)),
				metadata(b"meter"),
			),
			Error::<Test>::BadSignature
		);
		assert_ok!(DeviceRegistry::register_device(
			signed(&CUSTOMER),
			key,
			DeviceSignature::P256(as_bytes(&low)),
			metadata(b"meter"),
		));
	});
}

#[test]
fn a_retired_key_cannot_come_back() {
	test(|| {
		let (id, old) = register(&CUSTOMER, KeyKind::Ed25519, 47);
		let new = TestKey::new(KeyKind::Ed25519, 48);
		assert_ok!(DeviceRegistry::rotate_key(
			signed(&CUSTOMER),
			id,
			new.public(),
			rotation_signature(&new, id, 0),
		));
		assert_noop!(
			DeviceRegistry::register_device(
				signed(&STRANGER),
				old.public(),
				registration_signature(&old, &STRANGER),
				metadata(b"meter"),
			),
			Error::<Test>::KeyRetired
		);
	});
}

#[test]
fn the_deposit_must_be_available() {
	test(|| {
		let key = TestKey::new(KeyKind::Sr25519, 49);
		assert_noop!(
			DeviceRegistry::register_device(
				signed(&PAUPER),
				key.public(),
				registration_signature(&key, &PAUPER),
				metadata(b"meter"),
			),
			TokenError::FundsUnavailable
		);
	});
}
