//! `ProvenanceRecorder`: readings other pallets vouch for, kept in a stream's recorded window,
//! apart from the device's signed anchors.

use crate::{
	mock::{Provenance, *},
	*,
};
use frame::testing_prelude::*;

fn record(stream: StreamId, sequence: u64, reading: &[u8]) -> Result<AnchorIndex, DispatchError> {
	<Provenance as ProvenanceRecorder<AccountId>>::record(
		stream,
		sequence,
		reading,
		1_700_000_000_000,
		&GATEWAY,
	)
}

#[test]
fn a_recorded_reading_is_kept_apart_from_anchors_and_proven_by_its_bytes() {
	test(|| {
		let stream = stream();
		assert_eq!(
			<Provenance as ProvenanceRecorder<AccountId>>::stream_device(stream),
			Some(DEVICE)
		);
		assert_eq!(<Provenance as ProvenanceRecorder<AccountId>>::stream_device(99), None);
		let reading = b"feed 0, round 7: 1234.5 W".to_vec();
		let root = format::reading_leaf_hash::<HostBlake2>(&reading);
		let index = record(stream, 7, &reading).unwrap();
		assert_eq!(index, 0);
		System::assert_last_event(
			Event::ReadingRecorded { stream, index, sequence: 7, root, recorder: GATEWAY }.into(),
		);
		let stored = Provenance::recorded_of(stream, index).unwrap();
		assert_eq!(
			stored,
			Recorded {
				index: 0,
				sequence: 7,
				root,
				timestamp: 1_700_000_000_000,
				recorder: GATEWAY,
				recorded_at: 1,
			}
		);
		assert_eq!(Provenance::latest_recorded(stream), Some(stored));
		assert!(Provenance::verify_recorded(stream, index, reading.clone()));
		assert!(!Provenance::verify_recorded(stream, index, b"another reading".to_vec()));
		assert!(!Provenance::verify_recorded(stream, index + 1, reading.clone()));
		// Not an anchor: the device's window, anchor counter and sequence numbers are untouched,
		// and the anchor reads (device-signed batches only) do not show it.
		let record = Streams::<Test>::get(stream).unwrap();
		assert_eq!((record.anchor_count, record.last_sequence), (0, None));
		assert_eq!(Anchors::<Test>::iter_prefix(stream).count(), 0);
		assert!(Provenance::latest_anchor(stream).is_none());
		assert!(!Provenance::verify_inclusion(stream, index, reading.clone(), 0, vec![]));
		// The device keeps anchoring from where it was; the recorder's counter is its own.
		anchor(stream, 1);
		assert_eq!(record_ok(stream, 7, &reading), 1);
		assert_eq!(Provenance::latest_anchor(stream).unwrap().sequence, 1);
	});
}

fn record_ok(stream: StreamId, sequence: u64, reading: &[u8]) -> AnchorIndex {
	record(stream, sequence, reading).unwrap()
}

#[test]
fn recording_never_pushes_the_devices_anchors_out_of_their_window() {
	test(|| {
		let stream = stream();
		for sequence in 1..=u64::from(WINDOW) {
			anchor(stream, sequence);
		}
		let signed: Vec<_> = Provenance::anchors(stream, None, 100);
		assert_eq!(signed.len(), WINDOW as usize);
		// A feed recording every round, for many more rounds than both windows hold.
		for round in 0..20u64 {
			record_ok(stream, round, &round.to_le_bytes());
		}
		assert_eq!(Provenance::anchors(stream, None, 100), signed);
		// Its own window keeps the newest `RECORDED_WINDOW`, newest first, pageable.
		let recorded = Provenance::recorded(stream, None, 100);
		assert_eq!(recorded.iter().map(|r| r.sequence).collect::<Vec<_>>(), vec![19, 18, 17]);
		assert_eq!(RecordedReadings::<Test>::iter_prefix(stream).count(), RECORDED_WINDOW as usize);
		assert_eq!(RecordedCount::<Test>::get(stream), 20);
		assert!(Provenance::recorded_of(stream, 16).is_none(), "left the recorded window");
		let page = Provenance::recorded(stream, None, 2);
		assert_eq!(page.iter().map(|r| r.index).collect::<Vec<_>>(), vec![19, 18]);
		let next = Provenance::recorded(stream, Some(18), 2);
		assert_eq!(next.iter().map(|r| r.index).collect::<Vec<_>>(), vec![17]);
		assert!(Provenance::recorded(stream, Some(17), 2).is_empty());
		assert!(Provenance::recorded(99, None, 2).is_empty());
		assert!(Provenance::latest_recorded(99).is_none());
	});
}

#[test]
fn recording_needs_a_stream_of_an_active_device_and_changes_nothing_otherwise() {
	test(|| {
		let stream = stream();
		assert_noop!(record(99, 8, b"x"), Error::<Test>::StreamNotFound);
		TestRegistry::set_active(DEVICE, false);
		assert_noop!(record(stream, 8, b"x"), Error::<Test>::DeviceInactive);
		TestRegistry::set_active(DEVICE, true);
		RecordedCount::<Test>::insert(stream, u64::MAX);
		assert_noop!(record(stream, 8, b"x"), Error::<Test>::Overflow);
		RecordedCount::<Test>::remove(stream);
	});
}

#[test]
fn removing_a_stream_deletes_its_recorded_window_and_counter() {
	test(|| {
		let stream = stream();
		anchor(stream, 1);
		for round in 0..5u64 {
			record_ok(stream, round, b"value");
		}
		assert_ok!(Provenance::remove_stream(RuntimeOrigin::signed(OWNER), stream));
		assert_eq!(RecordedReadings::<Test>::iter_prefix(stream).count(), 0);
		assert!(!RecordedCount::<Test>::contains_key(stream));
		assert!(Provenance::latest_recorded(stream).is_none());
		assert_eq!(held(HoldReason::StreamDeposit, &OWNER), 0);
	});
}

#[test]
fn try_state_refuses_recorded_readings_out_of_place() {
	test(|| {
		let stream = stream();
		record_ok(stream, 0, b"value");
		let good = RecordedReadings::<Test>::get(stream, 0).unwrap();
		// In the wrong slot.
		RecordedReadings::<Test>::insert(stream, 1, good.clone());
		assert!(Provenance::do_try_state().is_err());
		RecordedReadings::<Test>::remove(stream, 1);
		// Beyond the counter.
		RecordedReadings::<Test>::insert(stream, 1, Recorded { index: 1, ..good.clone() });
		assert!(Provenance::do_try_state().is_err());
		RecordedReadings::<Test>::remove(stream, 1);
		// Of a stream that does not exist.
		RecordedReadings::<Test>::insert(99, 0, good);
		assert!(Provenance::do_try_state().is_err());
		RecordedReadings::<Test>::remove(99, 0);
		assert!(Provenance::do_try_state().is_ok());
	});
}
