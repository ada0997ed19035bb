//! `ProvenanceRecorder`: readings other pallets vouch for, recorded as one-reading anchors.

use crate::{
	mock::{Provenance, *},
	*,
};
use frame::testing_prelude::*;

#[test]
fn a_recorded_reading_is_an_anchor_proven_like_any_other() {
	test(|| {
		let stream = stream();
		assert_eq!(
			<Provenance as ProvenanceRecorder<AccountId>>::stream_device(stream),
			Some(DEVICE)
		);
		assert_eq!(<Provenance as ProvenanceRecorder<AccountId>>::stream_device(99), None);
		let reading = b"feed 0, round 7: 1234.5 W".to_vec();
		let index = <Provenance as ProvenanceRecorder<AccountId>>::record(
			stream,
			7,
			&reading,
			1_700_000_000_000,
			&GATEWAY,
		)
		.unwrap();
		let stored = Provenance::anchor_of(stream, index).unwrap();
		assert_eq!((stored.sequence, stored.count, stored.submitter), (7, 1, GATEWAY));
		assert!(Provenance::verify_inclusion(stream, index, reading.clone(), 0, vec![]));
		assert!(!Provenance::verify_inclusion(
			stream,
			index,
			b"another reading".to_vec(),
			0,
			vec![]
		));
		// The recorder's counter is its own: the device's sequence numbers are untouched, so the
		// device keeps anchoring from where it was.
		assert_eq!(Streams::<Test>::get(stream).unwrap().last_sequence, None);
		anchor(stream, 1);
		assert_ok!(<Provenance as ProvenanceRecorder<AccountId>>::record(
			stream, 7, &reading, 0, &GATEWAY
		));
		assert_noop!(
			<Provenance as ProvenanceRecorder<AccountId>>::record(99, 8, &reading, 0, &GATEWAY),
			Error::<Test>::StreamNotFound
		);
		TestRegistry::set_active(DEVICE, false);
		assert_noop!(
			<Provenance as ProvenanceRecorder<AccountId>>::record(stream, 8, &reading, 0, &GATEWAY),
			Error::<Test>::DeviceInactive
		);
	});
}
