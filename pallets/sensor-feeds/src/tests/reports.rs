//! `report`: authorization, quorum, median, outliers, recording.

use crate::{mock::*, *};
use frame::{deps::sp_runtime::transaction_validity::TransactionValidityError, testing_prelude::*};
use polkadot_sdk::frame_support::traits::UnfilteredDispatchable;

fn invalid(kind: InvalidTransaction) -> Result<(), TransactionValidityError> {
	Err(TransactionValidityError::Invalid(kind))
}

/// The operators (by index) assigned to `round` of `feed`.
fn assigned(feed: FeedId, round: Round, operators: u8) -> Vec<u8> {
	let record = Feeds::<Test>::get(feed).unwrap();
	let keys = SensorFeeds::assigned(feed, round, &record.spec, &Operators::<Test>::get());
	(0..operators).filter(|i| keys.contains(&operator(*i))).collect()
}

#[docify::export]
#[test]
fn a_quorum_settles_the_round_at_the_median_and_records_it() {
	Env::new(3).run(|| {
		let feed = register(spec(3, 3));
		run_to(6); // round 3
		for (i, value) in [(0, 100), (1, 130), (2, 102)] {
			let (report, sig) = signed_report(i, feed, 3, value);
			assert_ok!(submit(report, sig));
		}
		let record = Feeds::<Test>::get(feed).unwrap();
		let last = record.last.unwrap();
		assert_eq!((last.round, last.value, last.at, last.reporters), (3, 102, 6, 3));
		assert!(record.pending.is_none());
		let events = events();
		assert!(events.contains(&Event::ValueUpdated { feed, round: 3, value: 102, reporters: 3 }));
		// 130 is 27% above the median; the tolerance is 10%.
		assert!(events.contains(&Event::OutlierReported {
			feed,
			round: 3,
			operator: operator(1),
			value: 130,
			median: 102
		}));
		assert_eq!(events.iter().filter(|e| matches!(e, Event::OutlierReported { .. })).count(), 1);
		// Recorded as a reading of the stream, by the pallet's account, naming the reporters.
		let recorded = TestRecorder::recorded();
		assert_eq!(recorded.len(), 1);
		let (stream, sequence, reading, submitter) = &recorded[0];
		assert_eq!((*stream, *sequence, submitter.clone()), (STREAM, 3, SensorFeeds::account_id()));
		let reading = FeedReading::<crypto::Public>::decode(&mut &reading[..]).unwrap();
		assert_eq!(
			(reading.feed, reading.round, reading.value, reading.decimals),
			(feed, 3, 102, 1)
		);
		assert_eq!(reading.reporters, vec![operator(0), operator(1), operator(2)]);
	});
}

#[test]
fn below_the_quorum_reports_wait() {
	Env::new(3).run(|| {
		let feed = register(spec(3, 2));
		run_to(4);
		let (report, sig) = signed_report(0, feed, 2, 50);
		assert_ok!(submit(report, sig));
		let record = Feeds::<Test>::get(feed).unwrap();
		assert!(record.last.is_none());
		assert_eq!(record.pending.unwrap().reports.len(), 1);
		assert_eq!(
			events().last(),
			Some(&Event::ReportAccepted { feed, round: 2, operator: operator(0), value: 50 })
		);
		// A report of the next round starts over: the incomplete round is dropped.
		run_to(6);
		let (report, sig) = signed_report(1, feed, 3, 60);
		assert_ok!(submit(report, sig));
		let pending = Feeds::<Test>::get(feed).unwrap().pending.unwrap();
		assert_eq!((pending.round, pending.reports.len()), (3, 1));
		let (report, sig) = signed_report(2, feed, 3, 70);
		assert_ok!(submit(report, sig));
		assert_eq!(Feeds::<Test>::get(feed).unwrap().last.unwrap().value, 65);
	});
}

#[test]
fn authorization_refuses_what_must_not_count() {
	Env::new(3).run(|| {
		let feed = register(spec(1, 1));
		run_to(4);
		let chosen = assigned(feed, 2, 3);
		assert_eq!(chosen.len(), 1);
		let other = (0..3).find(|i| !chosen.contains(i)).unwrap();
		// Not assigned to this round.
		let (report, sig) = signed_report(other, feed, 2, 1);
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::BadSigner));
		// Not an operator at all.
		let (report, sig) = signed_report(9, feed, 2, 1);
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::BadSigner));
		// Another round.
		let (report, sig) = signed_report(chosen[0], feed, 1, 1);
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::Stale));
		// Unknown feed.
		let (report, sig) = signed_report(chosen[0], 9, 2, 1);
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::Stale));
		// Signed for another value, or for another chain.
		let (mut report, sig) = signed_report(chosen[0], feed, 2, 1);
		report.value = 2;
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::BadProof));
		let foreign = {
			use frame::deps::sp_core::Pair;
			let pair =
				crypto::Pair::from_string(&format!("//Operator{}", chosen[0]), None).unwrap();
			pair.sign(&ReportPayload::new([9; 32], feed, 2, 1).signing_bytes())
		};
		let (report, _) = signed_report(chosen[0], feed, 2, 1);
		assert_eq!(authorize(&report, &foreign), invalid(InvalidTransaction::BadProof));
		// The good one settles the round; then the round is over for everybody.
		let (report, sig) = signed_report(chosen[0], feed, 2, 1);
		assert_eq!(authorize(&report, &sig), Ok(()));
		assert_ok!(submit(report.clone(), sig.clone()));
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::Stale));
	});
}

#[test]
fn the_call_itself_checks_again_with_typed_errors() {
	Env::new(3).run(|| {
		let feed = register(spec(3, 3));
		run_to(4);
		let dispatch = |report: Report<crypto::Public>, signature| {
			Call::<Test>::report { report, signature }
				.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
				.map(|_| ())
				.map_err(|e| e.error)
		};
		let (report, sig) = signed_report(0, feed, 2, 1);
		assert_noop!(
			Call::<Test>::report { report: report.clone(), signature: sig.clone() }
				.dispatch_bypass_filter(RuntimeOrigin::signed(OWNER))
				.map_err(|e| e.error),
			DispatchError::BadOrigin
		);
		assert_ok!(dispatch(report.clone(), sig.clone()));
		assert_noop!(dispatch(report, sig), Error::<Test>::AlreadyReported);
		let (report, sig) = signed_report(1, feed, 1, 1);
		assert_noop!(dispatch(report, sig), Error::<Test>::WrongRound);
		let (report, sig) = signed_report(9, feed, 2, 1);
		assert_noop!(dispatch(report, sig), Error::<Test>::NotOperator);
		let (report, sig) = signed_report(1, 9, 2, 1);
		assert_noop!(dispatch(report, sig), Error::<Test>::FeedNotFound);
	});
}

#[test]
fn a_failed_record_keeps_the_value() {
	Env::new(1).run(|| {
		let feed = register(spec(1, 1));
		TestRecorder::fail(true);
		run_to(4);
		let (report, sig) = signed_report(0, feed, 2, 7);
		assert_ok!(submit(report, sig));
		assert_eq!(Feeds::<Test>::get(feed).unwrap().last.unwrap().value, 7);
		assert!(events().contains(&Event::RecordFailed { feed, round: 2 }));
	});
}

#[test]
fn a_shrunk_operator_set_does_not_cut_the_quorum() {
	// Before, the quorum was cut to the operators assigned: a quorum-3 feed settled on one
	// report once governance shrank the set to one. Now such a round takes no report (refused in
	// the pool, so it costs nothing), and the feed goes stale.
	Env::new(3).run(|| {
		let feed = register(spec(3, 3));
		assert_ok!(SensorFeeds::set_operators(
			RuntimeOrigin::root(),
			vec![operator(0)].try_into().unwrap()
		));
		run_to(4);
		let (report, sig) = signed_report(0, feed, 2, 5);
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::Stale));
		assert!(Feeds::<Test>::get(feed).unwrap().last.is_none());
		// A removed operator no longer counts, not even with a report already pending.
		run_to(6);
		let (report, sig) = signed_report(1, feed, 3, 5);
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::BadSigner));
	});
}

#[test]
fn assignment_rotates_and_is_deterministic() {
	Env::new(5).run(|| {
		let feed = register(spec(2, 2));
		let rounds: Vec<Vec<u8>> = (0..20).map(|round| assigned(feed, round, 5)).collect();
		assert!(rounds.iter().all(|r| r.len() == 2));
		assert_eq!(rounds[7], assigned(feed, 7, 5));
		// Over 20 rounds every operator is asked at least once.
		for i in 0..5 {
			assert!(rounds.iter().any(|r| r.contains(&i)), "operator {i} never asked");
		}
	});
}

#[test]
fn a_removed_operators_pending_report_no_longer_counts() {
	Env::new(3).run(|| {
		let feed = register(spec(3, 2));
		run_to(4);
		let (report, sig) = signed_report(0, feed, 2, 1_000);
		assert_ok!(submit(report, sig));
		assert_ok!(SensorFeeds::set_operators(
			RuntimeOrigin::root(),
			vec![operator(1), operator(2)].try_into().unwrap()
		));
		// Operator 1's report would have made the quorum of 2 with operator 0's.
		let (report, sig) = signed_report(1, feed, 2, 10);
		assert_ok!(submit(report, sig));
		let record = Feeds::<Test>::get(feed).unwrap();
		assert!(record.last.is_none());
		assert_eq!(record.pending.unwrap().reports.into_inner(), vec![(operator(1), 10)]);
		let (report, sig) = signed_report(2, feed, 2, 20);
		assert_ok!(submit(report, sig));
		assert_eq!(Feeds::<Test>::get(feed).unwrap().last.unwrap().value, 15);
	});
}

/// Before, `check_report` never looked at the device or the stream: a feed kept making its
/// operators send free reports after its owner deactivated the device or removed the stream (and
/// took those deposits back). Now the pool and the block refuse them.
#[test]
fn a_feed_stops_with_its_device_and_its_stream() {
	Env::new(1).run(|| {
		let feed = register(spec(1, 1));
		run_to(4);
		let (report, sig) = signed_report(0, feed, 2, 10);
		TestRegistry::set_active(false);
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::Stale));
		assert_noop!(
			Call::<Test>::report { report: report.clone(), signature: sig.clone() }
				.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
				.map_err(|e| e.error),
			Error::<Test>::DeviceInactive
		);
		TestRegistry::set_active(true);
		TestRecorder::remove_stream(true);
		assert_eq!(authorize(&report, &sig), invalid(InvalidTransaction::Stale));
		assert_noop!(
			Call::<Test>::report { report: report.clone(), signature: sig.clone() }
				.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
				.map_err(|e| e.error),
			Error::<Test>::StreamMismatch
		);
		TestRecorder::remove_stream(false);
		assert_ok!(submit(report, sig));
	});
}

/// Reports are fee-free and high-priority: without a bound, many feeds could fill blocks with
/// them. Past the block's share, a report is `ExhaustsResources` (it waits in the pool); the
/// next block has a fresh share.
#[test]
fn reports_take_at_most_their_share_of_a_block() {
	Env::new(1).run(|| {
		let feeds: Vec<FeedId> = (0..3).map(|_| register(spec(1, 1))).collect();
		// Room for two settling reports of `MaxOperators`, and less than the third's most.
		set_report_share(2);
		run_to(4);
		let reports: Vec<_> = feeds.iter().map(|feed| signed_report(0, *feed, 2, 10)).collect();
		assert_ok!(submit(reports[0].0.clone(), reports[0].1.clone()));
		assert_ok!(submit(reports[1].0.clone(), reports[1].1.clone()));
		assert_eq!(
			authorize(&reports[2].0, &reports[2].1),
			invalid(InvalidTransaction::ExhaustsResources)
		);
		// The next parachain block (same relay block, same round) takes it.
		run_parachain_to(5);
		assert_ok!(submit(reports[2].0.clone(), reports[2].1.clone()));
		assert!(Feeds::<Test>::get(feeds[2]).unwrap().last.is_some());
	});
}
