//! The stale check in `on_initialize`.

use crate::{mock::*, *};
use frame::testing_prelude::*;

#[test]
fn a_feed_without_values_is_flagged_once_and_cleared_by_a_value() {
	Env::new(1).run(|| {
		let feed = register(spec(1, 1)); // registered in round 0 (block 1, interval 2)
								   // Rounds 1..=3 pass without a value: not yet stale (after 3 rounds).
		run_to(7);
		SensorFeeds::on_initialize(7);
		assert!(stale_events().is_empty());
		run_to(8); // round 4
		SensorFeeds::on_initialize(8);
		assert_eq!(stale_events(), vec![feed]);
		assert!(Feeds::<Test>::get(feed).unwrap().stale);
		assert_eq!(events().last(), Some(&Event::FeedStale { feed, last_round: None }));
		// Flagged once.
		SensorFeeds::on_initialize(9);
		assert_eq!(stale_events().len(), 1);
		// A value clears the flag.
		let (report, sig) = signed_report(0, feed, 4, 3);
		assert_ok!(submit(report, sig));
		assert!(!Feeds::<Test>::get(feed).unwrap().stale);
		run_to(18); // round 9: 5 rounds after the value
		SensorFeeds::on_initialize(18);
		assert_eq!(stale_events().len(), 2);
		assert_eq!(events().last(), Some(&Event::FeedStale { feed, last_round: Some(4) }));
	});
}

#[test]
fn the_check_is_bounded_per_block_and_goes_round_robin() {
	Env::new(1).run(|| {
		let feeds: Vec<FeedId> = (0..3).map(|_| register(spec(1, 1))).collect();
		assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(OWNER), feeds[1]));
		register(spec(1, 1));
		run_to(20);
		// Two feeds per block (`StaleChecksPerBlock`), in storage order, wrapping around.
		assert_eq!(SensorFeeds::on_initialize(20), <() as WeightInfo>::check_stale(2));
		assert_eq!(stale_events().len(), 2);
		SensorFeeds::on_initialize(21);
		assert_eq!(stale_events().len(), 3);
		let mut flagged = stale_events();
		flagged.sort();
		assert_eq!(flagged, vec![0, 2, 3]);
		// With no feeds, nothing is read.
		for feed in [0, 2, 3] {
			assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(OWNER), feed));
		}
		SensorFeeds::on_initialize(22);
		assert_eq!(stale_events().len(), 3);
	});
}
