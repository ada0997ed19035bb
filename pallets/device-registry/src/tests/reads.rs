//! The read API served by the runtime API, and the `DeviceRegistry` trait other pallets use.

use super::prelude::*;
use iot_primitives::MAX_PAGE;

#[test]
fn device_by_id_and_by_key() {
	test(|| {
		let (id, key) = register(&CUSTOMER, KeyKind::Secp256k1, 140);
		let record = DeviceRegistry::device(id).unwrap();
		assert_eq!(DeviceRegistry::device_by_key(key.public()), Some((id, record)));
		assert_eq!(DeviceRegistry::key_entry(&key.public()), Some(KeyEntry::Active(id)));
		let unknown = TestKey::new(KeyKind::Secp256k1, 141).public();
		assert_eq!(DeviceRegistry::device_by_key(unknown), None);
		assert_eq!(DeviceRegistry::key_entry(&unknown), None);
		assert_eq!(DeviceRegistry::device(99), None);
	});
}

#[test]
fn devices_of_an_owner_are_paginated() {
	test(|| {
		let mut mine: Vec<DeviceId> =
			(0..7u8).map(|i| register(&CUSTOMER, KeyKind::Ed25519, 150 + i).0).collect();
		register(&STRANGER, KeyKind::Ed25519, 160);

		let mut seen = Vec::new();
		let mut cursor = None;
		let mut pages = Vec::new();
		loop {
			let page = DeviceRegistry::devices_of(CUSTOMER, cursor, 3);
			if page.is_empty() {
				break;
			}
			assert!(page.iter().all(|(_, record)| record.owner == CUSTOMER));
			pages.push(page.len());
			cursor = page.last().map(|(id, _)| *id);
			seen.extend(page.into_iter().map(|(id, _)| id));
		}
		assert_eq!(pages, vec![3, 3, 1]);
		seen.sort();
		mine.sort();
		assert_eq!(seen, mine);
		assert!(DeviceRegistry::devices_of(GATEWAY, None, 3).is_empty());
		assert!(DeviceRegistry::devices_of(CUSTOMER, None, 0).is_empty());
	});
}

#[test]
fn pages_are_capped() {
	test(|| {
		let count = MAX_PAGE + 5;
		let needed = Balance::from(count) * DEVICE_DEPOSIT + INITIAL_BALANCE;
		let _ = <Balances as fungible::Mutate<_>>::set_balance(&CUSTOMER, needed);
		for i in 0..count {
			register(&CUSTOMER, KeyKind::Ed25519, (i + 1) as u8);
		}
		assert_eq!(DeviceRegistry::devices_of(CUSTOMER, None, u32::MAX).len() as u32, MAX_PAGE);
	});
}

#[test]
fn manufacturer_info() {
	test(|| {
		assert_eq!(DeviceRegistry::manufacturer(MAKER), None);
		approve(&MAKER);
		assert_eq!(
			DeviceRegistry::manufacturer(MAKER).map(|info| info.status),
			Some(ManufacturerStatus::Active)
		);
	});
}

#[test]
fn verify_checks_the_current_key_of_each_type() {
	test(|| {
		for (i, kind) in ALL_KINDS.into_iter().enumerate() {
			let (id, key) = register(&CUSTOMER, kind, 170 + i as u8);
			let msg = b"reading: 21.5C";
			assert!(R::verify(id, msg, &key.sign(msg)));
			assert!(!R::verify(id, b"reading: 99.9C", &key.sign(msg)));
			let other = TestKey::new(kind, 180 + i as u8);
			assert!(!R::verify(id, msg, &other.sign(msg)));
		}
		assert!(!R::verify(99, b"x", &TestKey::new(KeyKind::Ed25519, 1).sign(b"x")));
	});
}

#[test]
fn is_active_and_owner() {
	test(|| {
		let (id, _) = register(&CUSTOMER, KeyKind::Sr25519, 190);
		assert!(R::is_active(id));
		assert_eq!(R::owner(id), Some(CUSTOMER));
		assert!(!R::is_active(99));
		assert_eq!(R::owner(99), None);
		assert_ok!(DeviceRegistry::mark_compromised(signed(&CUSTOMER), id));
		assert!(!R::is_active(id));
		// The owner is still known for a compromised device.
		assert_eq!(R::owner(id), Some(CUSTOMER));
	});
}
