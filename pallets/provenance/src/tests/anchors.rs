// `Provenance` is also a name in `frame::prelude`: the pallet is meant.
use crate::{
	mock::{Provenance, *},
	*,
};
use frame::{deps::sp_core::Pair as _, testing_prelude::*};
use iot_primitives::provenance::batch;
use polkadot_sdk::polkadot_sdk_frame as frame;

#[docify::export]
#[test]
fn a_gateway_relays_a_device_signed_batch() {
	test(|| {
		let s = stream();
		let readings: Vec<Vec<u8>> = (0..1000u32).map(|i| i.to_le_bytes().to_vec()).collect();
		let (root, count) = batch::root::<HostBlake2>(&readings).unwrap();
		let st = statement(1, root, count);
		let sig = sign(s, &st);
		let gateway_free = Balances::free_balance(GATEWAY);
		assert_ok!(Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st, sig));
		assert_eq!(
			last_event(),
			Event::Anchored {
				stream: s,
				index: 0,
				device: DEVICE,
				sequence: 1,
				root,
				count: 1000,
				submitter: GATEWAY
			}
		);
		// No deposit for anchors: the stream's deposit covers its window.
		assert_eq!(Balances::free_balance(GATEWAY), gateway_free);
		let stored = Provenance::anchor_of(s, 0).unwrap();
		assert_eq!((stored.root, stored.count, stored.submitter), (root, 1000, GATEWAY));
		let proof = batch::proof::<HostBlake2>(&readings, 537).unwrap();
		assert!(Provenance::verify_inclusion(s, 0, readings[537].clone(), 537, proof.clone()));
		assert!(!Provenance::verify_inclusion(s, 0, readings[538].clone(), 537, proof));
	});
}

#[test]
fn sequence_numbers_must_increase_per_stream() {
	test(|| {
		let s = stream();
		anchor(s, 5);
		for stale in [5, 4, 0] {
			let st = statement(stale, [1; 32], 1);
			let sig = sign(s, &st);
			assert_noop!(
				Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st, sig),
				Error::<Test>::StaleSequence
			);
		}
		anchor(s, 9);
		// Another stream of the same device has its own sequence.
		let other = stream();
		anchor(other, 1);
	});
}

#[test]
fn replayed_statement_is_refused() {
	test(|| {
		let s = stream();
		let st = statement(1, [1; 32], 3);
		let sig = sign(s, &st);
		assert_ok!(Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st.clone(), sig));
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(STRANGER), s, st, sig),
			Error::<Test>::StaleSequence
		);
	});
}

#[test]
fn signatures_bind_chain_stream_and_content() {
	test(|| {
		let s = stream();
		let other = stream();
		let st = statement(1, [1; 32], 3);
		// Signed for the other stream.
		let sig = sign(other, &st);
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st.clone(), sig),
			Error::<Test>::BadSignature
		);
		// Signed on another chain (another genesis hash).
		let mut foreign = Provenance::payload(DEVICE, s, &st);
		foreign.genesis_hash = [0xee; 32];
		let sig = DeviceSignature::Sr25519(device_pair().sign(&foreign.signing_bytes()).0);
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st.clone(), sig),
			Error::<Test>::BadSignature
		);
		// A tampered root or count.
		let sig = sign(s, &st);
		let mut tampered = st.clone();
		tampered.root = [2; 32];
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, tampered, sig),
			Error::<Test>::BadSignature
		);
		// Signed by another key.
		let stranger_key = frame::deps::sp_core::sr25519::Pair::from_seed(&[1; 32]);
		let payload = Provenance::payload(DEVICE, s, &st);
		let sig = DeviceSignature::Sr25519(stranger_key.sign(&payload.signing_bytes()).0);
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st, sig),
			Error::<Test>::BadSignature
		);
	});
}

#[test]
fn inactive_devices_cannot_anchor() {
	test(|| {
		let s = stream();
		anchor(s, 1);
		// Suspended, decommissioned or compromised: the registry says "not active".
		TestRegistry::set_active(DEVICE, false);
		let st = statement(2, [2; 32], 1);
		let sig = sign(s, &st);
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st.clone(), sig),
			Error::<Test>::DeviceInactive
		);
		TestRegistry::set_active(DEVICE, true);
		assert_ok!(Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st, sig));
	});
}

#[test]
fn anchor_input_errors() {
	test(|| {
		let st = statement(1, [1; 32], 1);
		let sig = sign(0, &st);
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), 0, st, sig),
			Error::<Test>::StreamNotFound
		);
		let s = stream();
		let empty = statement(1, [1; 32], 0);
		let sig = sign(s, &empty);
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, empty, sig),
			Error::<Test>::EmptyBatch
		);
		let mut backwards = statement(1, [1; 32], 2);
		backwards.last_timestamp = backwards.first_timestamp - 1;
		let sig = sign(s, &backwards);
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, backwards, sig),
			Error::<Test>::BadTimeRange
		);
		Streams::<Test>::mutate(s, |r| r.as_mut().unwrap().anchor_count = AnchorIndex::MAX);
		let st = statement(1, [1; 32], 1);
		let sig = sign(s, &st);
		assert_noop!(
			Provenance::anchor(RuntimeOrigin::signed(GATEWAY), s, st, sig),
			Error::<Test>::Overflow
		);
		Streams::<Test>::mutate(s, |r| r.as_mut().unwrap().anchor_count = 0);
	});
}

#[test]
fn the_window_keeps_the_newest_anchors() {
	test(|| {
		let s = stream();
		for seq in 1..=(WINDOW as u64 + 2) {
			anchor(s, seq);
		}
		// Indices 0 and 1 were overwritten by 4 and 5.
		assert!(Provenance::anchor_of(s, 0).is_none());
		assert!(Provenance::anchor_of(s, 1).is_none());
		for index in 2..6 {
			assert_eq!(Provenance::anchor_of(s, index).unwrap().index, index);
		}
		assert_eq!(Anchors::<Test>::iter_prefix(s).count(), WINDOW as usize);
		assert!(!Provenance::verify_inclusion(s, 0, b"x".to_vec(), 0, vec![]));
	});
}
