//! Rounds, staleness and the worker follow the pallet's `BlockNumberProvider` (the relay chain's
//! block number in the runtime; `MockRelay` here), not the parachain's block number: many fast
//! parachain blocks in one relay block change nothing.

use crate::{mock::*, *};
use frame::{
	deps::sp_runtime::offchain::storage::StorageValueRef, testing_prelude::*, traits::Authorize,
};
use iot_primitives::feeds::{status_key, FeedStatus};

#[test]
fn rounds_follow_the_provider_not_the_parachain_block_number() {
	Env::new(1).run(|| {
		let feed = register(spec(1, 1));
		// Relay block 4 is round 2 (interval 2); the parachain has raced to block 101.
		run_relay_to(4);
		run_parachain_to(101);
		// The parachain's round (50) is not the current one.
		let (report, sig) = signed_report(0, feed, 50, 1);
		assert!(authorize(&report, &sig).is_err());
		// The relay chain's round is; the pool keeps it for the relay blocks left in the round.
		let (report, sig) = signed_report(0, feed, 2, 7);
		let (valid, _) = Call::<Test>::report { report: report.clone(), signature: sig.clone() }
			.authorize(TransactionSource::External)
			.expect("report is an authorized call")
			.expect("valid");
		assert_eq!(valid.longevity, 2);
		assert_ok!(submit(report, sig));
		let last = Feeds::<Test>::get(feed).unwrap().last.unwrap();
		// `at` records the parachain block of the quorum.
		assert_eq!((last.round, last.value, last.at), (2, 7, 101));
		// An update applies from the provider's next round.
		assert_ok!(SensorFeeds::update_feed(
			RuntimeOrigin::signed(OWNER),
			feed,
			spec(1, 1).into_input()
		));
		assert_eq!(Feeds::<Test>::get(feed).unwrap().first_round, 3);
		// Relay block 5, still round 2: over (settled), however many parachain blocks passed.
		run_relay_to(5);
		run_parachain_to(150);
		let (report, sig) = signed_report(0, feed, 2, 8);
		assert!(authorize(&report, &sig).is_err());
		// Relay block 6: round 3 takes reports.
		run_relay_to(6);
		let (report, sig) = signed_report(0, feed, 3, 9);
		assert_ok!(submit(report, sig));
	});
}

#[test]
fn staleness_counts_provider_rounds_not_parachain_blocks() {
	Env::new(1).run(|| {
		// The parachain is far ahead of the relay chain's block 1.
		run_parachain_to(1_000);
		let feed = register(spec(1, 1));
		assert_eq!(Feeds::<Test>::get(feed).unwrap().registered_at, 1, "a relay block number");
		// A thousand more parachain blocks, the relay chain still at 1 (round 0): not stale.
		run_parachain_to(2_000);
		SensorFeeds::on_initialize(2_000);
		assert!(stale_events().is_empty());
		// Relay rounds 1..=3 pass without a value: not yet stale (after 3 rounds).
		run_relay_to(7);
		SensorFeeds::on_initialize(2_001);
		assert!(stale_events().is_empty());
		// Relay round 4: stale.
		run_relay_to(8);
		SensorFeeds::on_initialize(2_002);
		assert_eq!(stale_events(), vec![feed]);
	});
}

#[test]
fn the_worker_reports_for_the_provider_round_not_its_block_argument() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	env.http.answer(URL, json(r#"{"power_w": 1}"#));
	env.run(|| {
		register(spec(1, 1));
		// Relay block 4 (round 2); the worker runs for parachain block 101.
		run_relay_to(4);
		run_parachain_to(101);
		SensorFeeds::offchain_worker(101);
		let status: FeedStatus =
			StorageValueRef::persistent(&status_key(0)).get().unwrap().unwrap();
		// The status names the parachain block; the report the relay chain's round.
		assert_eq!(status.last_attempt_block, 101);
		assert_eq!(status.last_report, Some((2, 10)));
	});
	let reports = env.take_reports();
	assert_eq!(reports.iter().map(|(r, _)| r.round).collect::<Vec<_>>(), vec![2]);
	// The pool, on the same state, takes it.
	let (report, signature) = reports.into_iter().next().unwrap();
	env.run(|| {
		assert_ok!(submit(report, signature));
	});
}
