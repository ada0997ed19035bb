// `Provenance` is also a name in `frame::prelude`: the pallet is meant.
use crate::{
	mock::{Provenance, *},
	*,
};
use frame::testing_prelude::*;
use polkadot_sdk::polkadot_sdk_frame as frame;

#[test]
fn owner_and_feed_operator_create_streams_with_a_deposit() {
	test(|| {
		let first = stream();
		assert_eq!(
			last_event(),
			Event::StreamCreated { stream: first, device: DEVICE, owner: OWNER }
		);
		assert_eq!(held(HoldReason::StreamDeposit, &OWNER), STREAM_DEPOSIT);
		assert_ok!(Provenance::create_stream(RuntimeOrigin::signed(OPERATOR), DEVICE, info()));
		assert_eq!(held(HoldReason::StreamDeposit, &OPERATOR), STREAM_DEPOSIT);
		let record = Streams::<Test>::get(first).unwrap();
		assert_eq!((record.device, record.anchor_count, record.last_sequence), (DEVICE, 0, None));
	});
}

#[test]
fn create_stream_errors() {
	test(|| {
		assert_noop!(
			Provenance::create_stream(RuntimeOrigin::signed(OWNER), 99, info()),
			Error::<Test>::DeviceNotFound
		);
		assert_noop!(
			Provenance::create_stream(RuntimeOrigin::signed(STRANGER), DEVICE, info()),
			Error::<Test>::NotAuthorized
		);
		NextStreamId::<Test>::put(StreamId::MAX);
		assert_noop!(
			Provenance::create_stream(RuntimeOrigin::signed(OWNER), DEVICE, info()),
			Error::<Test>::Overflow
		);
		NextStreamId::<Test>::put(0);
		let pauper = AccountId::new([9; 32]);
		TestRegistry::add(
			8,
			TestDevice {
				owner: pauper.clone(),
				key: iot_primitives::device::DeviceKey::Sr25519([0; 32]),
				active: true,
				operators: vec![],
			},
		);
		assert_noop!(
			Provenance::create_stream(RuntimeOrigin::signed(pauper), 8, info()),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn remove_stream_deletes_its_window_and_refunds_the_declarer() {
	test(|| {
		let s = stream();
		for seq in 1..=6 {
			anchor(s, seq);
		}
		assert_eq!(Anchors::<Test>::iter_prefix(s).count(), WINDOW as usize);
		// The device's owner may remove a stream an operator declared; the deposit goes back to
		// the declarer.
		assert_ok!(Provenance::create_stream(RuntimeOrigin::signed(OPERATOR), DEVICE, info()));
		let by_operator = s + 1;
		assert_ok!(Provenance::remove_stream(RuntimeOrigin::signed(OWNER), by_operator));
		assert_eq!(held(HoldReason::StreamDeposit, &OPERATOR), 0);
		assert_ok!(Provenance::remove_stream(RuntimeOrigin::signed(OWNER), s));
		assert_eq!(last_event(), Event::StreamRemoved { stream: s });
		assert_eq!(Anchors::<Test>::iter_prefix(s).count(), 0);
		assert!(Streams::<Test>::get(s).is_none());
		assert_eq!(held(HoldReason::StreamDeposit, &OWNER), 0);
	});
}

#[test]
fn remove_stream_errors() {
	test(|| {
		assert_noop!(
			Provenance::remove_stream(RuntimeOrigin::signed(OWNER), 0),
			Error::<Test>::StreamNotFound
		);
		let s = stream();
		assert_noop!(
			Provenance::remove_stream(RuntimeOrigin::signed(STRANGER), s),
			Error::<Test>::NotAuthorized
		);
	});
}
