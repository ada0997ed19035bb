//! `rotate_key`.

use super::prelude::*;

#[test]
fn rotates_through_every_key_type() {
	test(|| {
		let (id, first) = register(&CUSTOMER, KeyKind::Ed25519, 100);
		let mut old = first;
		for (rotation, kind) in
			[KeyKind::Sr25519, KeyKind::Secp256k1, KeyKind::P256, KeyKind::Ed25519]
				.into_iter()
				.enumerate()
		{
			let rotation = rotation as u32;
			let new = TestKey::new(kind, 101 + rotation as u8);
			assert_ok!(DeviceRegistry::rotate_key(
				signed(&CUSTOMER),
				id,
				new.public(),
				rotation_signature(&new, id, rotation),
			));
			System::assert_last_event(
				Event::<Test>::KeyRotated {
					device: id,
					old_key: old.public(),
					new_key: new.public(),
				}
				.into(),
			);
			let record = Devices::<Test>::get(id).unwrap();
			assert_eq!(record.key, new.public());
			assert_eq!(record.rotations, rotation + 1);
			assert_eq!(KeyIndex::<Test>::get(key_id(&old.public())), Some(KeyEntry::Retired));
			assert_eq!(KeyIndex::<Test>::get(key_id(&new.public())), Some(KeyEntry::Active(id)));
			// Signatures now verify against the new key only.
			assert!(R::verify(id, b"reading", &new.sign(b"reading")));
			assert!(!R::verify(id, b"reading", &old.sign(b"reading")));
			assert_eq!(DeviceRegistry::device_by_key(new.public()).map(|(d, _)| d), Some(id));
			assert_eq!(DeviceRegistry::device_by_key(old.public()), None);
			old = new;
		}
		// The device keeps its id, owner and deposit.
		assert_eq!(R::owner(id), Some(CUSTOMER));
		assert_eq!(held(HoldReason::DeviceDeposit, &CUSTOMER), DEVICE_DEPOSIT);
	});
}

/// Before: each rotation left a `KeyIndex` tombstone for good and nobody paid for it. After: the
/// owner pays `TombstoneFee` per rotation (burned: the entry is never deleted, so nothing can be
/// refunded), and a rotation it cannot pay changes nothing.
#[test]
fn each_rotation_pays_for_the_tombstone_it_leaves() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 120);
		let issuance = Balances::total_issuance();
		let before = free(&CUSTOMER);
		for rotation in 0..3u32 {
			let new = TestKey::new(KeyKind::Sr25519, 121 + rotation as u8);
			assert_ok!(DeviceRegistry::rotate_key(
				signed(&CUSTOMER),
				id,
				new.public(),
				rotation_signature(&new, id, rotation),
			));
		}
		assert_eq!(free(&CUSTOMER), before - 3 * TOMBSTONE_FEE);
		assert_eq!(Balances::total_issuance(), issuance - 3 * TOMBSTONE_FEE);
		// An owner that cannot pay (and keep its existential deposit) cannot rotate.
		let spare = free(&CUSTOMER) - 1;
		assert_ok!(Balances::transfer_allow_death(signed(&CUSTOMER), STRANGER, spare));
		let new = TestKey::new(KeyKind::Sr25519, 130);
		assert_noop!(
			DeviceRegistry::rotate_key(
				signed(&CUSTOMER),
				id,
				new.public(),
				rotation_signature(&new, id, 3)
			),
			polkadot_sdk::polkadot_sdk_frame::deps::sp_runtime::TokenError::FundsUnavailable
		);
	});
}

#[test]
fn the_new_key_must_sign_the_current_rotation() {
	test(|| {
		let (id, old) = register(&CUSTOMER, KeyKind::Sr25519, 110);
		let new = TestKey::new(KeyKind::P256, 111);
		let rotate = |signature: DeviceSignature| {
			DeviceRegistry::rotate_key(signed(&CUSTOMER), id, new.public(), signature)
		};

		// Signed by the old key instead of the new one.
		assert_noop!(
			rotate(old.sign(&RotationPayload::new(genesis(), id, 0, new.public()).signing_bytes())),
			Error::<Test>::BadSignature
		);
		// A stale counter (replay of a proof made for an earlier rotation).
		assert_noop!(rotate(rotation_signature(&new, id, 1)), Error::<Test>::BadSignature);
		// Another device.
		assert_noop!(rotate(rotation_signature(&new, id + 1, 0)), Error::<Test>::BadSignature);
		// Another chain.
		let foreign = RotationPayload::new([0xAA; 32], id, 0, new.public());
		assert_noop!(rotate(new.sign(&foreign.signing_bytes())), Error::<Test>::BadSignature);
		// A registration proof is not a rotation proof.
		assert_noop!(rotate(registration_signature(&new, &CUSTOMER)), Error::<Test>::BadSignature);

		assert_ok!(rotate(rotation_signature(&new, id, 0)));
	});
}

#[test]
fn a_rotation_proof_cannot_be_replayed() {
	test(|| {
		let (id, original) = register(&CUSTOMER, KeyKind::Ed25519, 112);
		let a = TestKey::new(KeyKind::Sr25519, 113);
		let proof_a = rotation_signature(&a, id, 0);
		assert_ok!(DeviceRegistry::rotate_key(signed(&CUSTOMER), id, a.public(), proof_a));
		// Rotating back to the original key: it is retired.
		assert_noop!(
			DeviceRegistry::rotate_key(
				signed(&CUSTOMER),
				id,
				original.public(),
				rotation_signature(&original, id, 1)
			),
			Error::<Test>::KeyRetired
		);
		// Rotating to the current key: it is in use.
		assert_noop!(
			DeviceRegistry::rotate_key(signed(&CUSTOMER), id, a.public(), proof_a),
			Error::<Test>::AlreadyExists
		);
	});
}

#[test]
fn rotate_errors() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 114);
		let (_, other) = register(&STRANGER, KeyKind::Sr25519, 115);
		let new = TestKey::new(KeyKind::Secp256k1, 116);
		assert_noop!(
			DeviceRegistry::rotate_key(
				signed(&CUSTOMER),
				99,
				new.public(),
				rotation_signature(&new, 99, 0)
			),
			Error::<Test>::DeviceNotFound
		);
		assert_noop!(
			DeviceRegistry::rotate_key(
				signed(&STRANGER),
				id,
				new.public(),
				rotation_signature(&new, id, 0)
			),
			Error::<Test>::NotOwner
		);
		// The key of another device.
		assert_noop!(
			DeviceRegistry::rotate_key(
				signed(&CUSTOMER),
				id,
				other.public(),
				rotation_signature(&other, id, 0)
			),
			Error::<Test>::AlreadyExists
		);
		// Operators cannot rotate keys, whatever their permissions.
		assert_ok!(DeviceRegistry::add_operator(signed(&CUSTOMER), id, GATEWAY, Permissions::ALL));
		assert_noop!(
			DeviceRegistry::rotate_key(
				signed(&GATEWAY),
				id,
				new.public(),
				rotation_signature(&new, id, 0)
			),
			Error::<Test>::NotOwner
		);
	});
}

#[test]
fn a_suspended_device_can_rotate() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 117);
		assert_ok!(DeviceRegistry::suspend(signed(&CUSTOMER), id));
		let new = TestKey::new(KeyKind::P256, 118);
		assert_ok!(DeviceRegistry::rotate_key(
			signed(&CUSTOMER),
			id,
			new.public(),
			rotation_signature(&new, id, 0)
		));
		assert_ok!(DeviceRegistry::resume(signed(&CUSTOMER), id));
		assert!(R::is_active(id));
	});
}
