//! The view functions: a feed, its latest value, the feeds of a device (and the index behind it).

use crate::{mock::*, *};
use codec::Encode;
use frame::testing_prelude::*;
use iot_primitives::MAX_PAGE;

#[test]
fn a_feed_and_its_latest_value() {
	Env::new(3).run(|| {
		let feed = register(spec(2, 2));
		// The record has no `PartialEq` (its bound type parameter): compare the bytes.
		assert_eq!(SensorFeeds::feed(feed).encode(), Feeds::<Test>::get(feed).encode());
		assert!(SensorFeeds::feed(feed).is_some());
		assert_eq!(SensorFeeds::latest_value(feed), None, "no value before the first round");
		let value = FeedValue { round: 4, value: -1_250, at: 9, reporters: 2 };
		Feeds::<Test>::mutate(feed, |record| record.as_mut().unwrap().last = Some(value.clone()));
		assert_eq!(SensorFeeds::latest_value(feed), Some(value));
		assert!(SensorFeeds::feed(99).is_none());
		assert_eq!(SensorFeeds::latest_value(99), None);
	});
}

#[test]
fn the_feeds_of_a_device_page_and_follow_removal() {
	Env::new(3).run(|| {
		let feeds: Vec<FeedId> = (0..5).map(|_| register(spec(1, 1))).collect();
		// Pages of two, each after the last id of the one before, until a short page.
		let mut seen = vec![];
		let mut cursor = None;
		loop {
			let page = SensorFeeds::feeds_of_device(DEVICE, cursor, 2);
			assert!(page
				.iter()
				.all(|(id, record)| Feeds::<Test>::get(id).encode() == Some(record).encode()));
			seen.extend(page.iter().map(|(id, _)| *id));
			if page.len() < 2 {
				break;
			}
			cursor = page.last().map(|(id, _)| *id);
		}
		seen.sort();
		assert_eq!(seen, feeds);
		assert!(SensorFeeds::feeds_of_device(99, None, 10).is_empty(), "another device has none");
		assert!(SensorFeeds::feeds_of_device(DEVICE, None, 0).is_empty());
		assert_eq!(
			SensorFeeds::feeds_of_device(DEVICE, None, u32::MAX).len(),
			5,
			"capped, not refused"
		);

		assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(OWNER), feeds[2]));
		let left: Vec<FeedId> = SensorFeeds::feeds_of_device(DEVICE, None, MAX_PAGE)
			.into_iter()
			.map(|(id, _)| id)
			.collect();
		assert_eq!(left.len(), 4);
		assert!(!left.contains(&feeds[2]));
		assert!(!FeedsByDevice::<Test>::contains_key(DEVICE, feeds[2]));
	});
}
