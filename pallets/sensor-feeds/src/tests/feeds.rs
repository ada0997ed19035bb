//! `register_feed`, `update_feed`, `remove_feed`, `set_operators`.

use crate::{mock::*, *};
use frame::testing_prelude::*;
use polkadot_sdk::frame_support::traits::UnfilteredDispatchable;

#[test]
fn the_owner_or_a_feed_operator_registers_a_feed_with_a_deposit() {
	Env::new(3).run(|| {
		let feed = register(spec(2, 2));
		assert_eq!(held(&OWNER), FEED_DEPOSIT);
		let record = Feeds::<Test>::get(feed).unwrap();
		assert_eq!((record.device, record.stream, record.owner.clone()), (DEVICE, STREAM, OWNER));
		assert_eq!(
			events().last(),
			Some(&Event::FeedRegistered { feed, device: DEVICE, stream: STREAM, owner: OWNER })
		);
		assert_ok!(SensorFeeds::register_feed(
			RuntimeOrigin::signed(OPERATOR_ACCOUNT),
			DEVICE,
			STREAM,
			spec(1, 1)
		));
		assert_eq!(held(&OPERATOR_ACCOUNT), FEED_DEPOSIT);
		assert_eq!(FeedCount::<Test>::get(), 2);
	});
}

#[test]
fn register_refuses_bad_requests() {
	Env::new(3).run(|| {
		let owner = RuntimeOrigin::signed(OWNER);
		assert_noop!(
			SensorFeeds::register_feed(owner.clone(), 99, STREAM, spec(1, 1)),
			Error::<Test>::DeviceNotFound
		);
		assert_noop!(
			SensorFeeds::register_feed(RuntimeOrigin::signed(STRANGER), DEVICE, STREAM, spec(1, 1)),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			SensorFeeds::register_feed(owner.clone(), DEVICE, OTHER_STREAM, spec(1, 1)),
			Error::<Test>::StreamMismatch
		);
		assert_noop!(
			SensorFeeds::register_feed(owner.clone(), DEVICE, 999, spec(1, 1)),
			Error::<Test>::StreamMismatch
		);
		let bad_specs: Vec<Box<dyn Fn(&mut FeedSpecOf<Test>)>> = vec![
			Box::new(|s| s.url = b"ftp://sim.local/x".to_vec().try_into().unwrap()),
			Box::new(|s| s.url = b"http://\xff".to_vec().try_into().unwrap()),
			Box::new(|s| s.pointer = b"power_w".to_vec().try_into().unwrap()),
			Box::new(|s| s.interval = 1),
			Box::new(|s| s.decimals = 19),
			Box::new(|s| s.value_type = FeedValueType::Integer),
			Box::new(|s| s.operators_per_round = 0),
			Box::new(|s| s.operators_per_round = MAX_OPERATORS as u8 + 1),
			Box::new(|s| s.quorum = 0),
			Box::new(|s| s.quorum = 3),
		];
		for change in bad_specs {
			let mut bad = spec(2, 2);
			change(&mut bad);
			assert_noop!(
				SensorFeeds::register_feed(owner.clone(), DEVICE, STREAM, bad),
				Error::<Test>::BadSpec
			);
		}
		for _ in 0..MAX_FEEDS {
			register(spec(1, 1));
		}
		assert_noop!(
			SensorFeeds::register_feed(owner.clone(), DEVICE, STREAM, spec(1, 1)),
			Error::<Test>::TooManyFeeds
		);
	});
}

#[test]
fn register_needs_the_deposit() {
	Env::new(1).run(|| {
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(OPERATOR_ACCOUNT),
			STRANGER,
			INITIAL_BALANCE - 50
		));
		assert_noop!(
			SensorFeeds::register_feed(
				RuntimeOrigin::signed(OPERATOR_ACCOUNT),
				DEVICE,
				STREAM,
				spec(1, 1)
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn update_changes_the_spec_and_drops_the_pending_round() {
	Env::new(3).run(|| {
		let feed = register(spec(3, 3));
		run_to(4);
		let assigned = SensorFeeds::assigned(feed, 2, &spec(3, 3), &Operators::<Test>::get());
		let first = (0..3).find(|i| assigned.contains(&operator(*i))).unwrap();
		let (report, sig) = signed_report(first, feed, 2, 10);
		assert_ok!(submit(report, sig));
		assert!(Feeds::<Test>::get(feed).unwrap().pending.is_some());
		let mut new_spec = spec(3, 2);
		new_spec.decimals = 3;
		assert_ok!(SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), feed, new_spec.clone()));
		let record = Feeds::<Test>::get(feed).unwrap();
		assert_eq!(record.spec, new_spec);
		assert!(record.pending.is_none());
		assert_eq!(events().last(), Some(&Event::FeedUpdated { feed }));
		assert_noop!(
			SensorFeeds::update_feed(RuntimeOrigin::signed(STRANGER), feed, spec(1, 1)),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), 9, spec(1, 1)),
			Error::<Test>::FeedNotFound
		);
		let mut bad = spec(1, 1);
		bad.interval = 0;
		assert_noop!(
			SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), feed, bad),
			Error::<Test>::BadSpec
		);
		let mut slower = spec(3, 2);
		slower.interval = 4;
		assert_noop!(
			SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), feed, slower),
			Error::<Test>::IntervalChanged
		);
	});
}

#[test]
fn reports_signed_before_an_update_cannot_be_replayed_into_the_new_spec() {
	Env::new(1).run(|| {
		let feed = register(spec(1, 1));
		run_to(4);
		// Signed under the old spec for round 2, not yet submitted.
		let (report, sig) = signed_report(0, feed, 2, 10);
		let mut new_spec = spec(1, 1);
		new_spec.decimals = 3;
		assert_ok!(SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), feed, new_spec));
		assert_eq!(Feeds::<Test>::get(feed).unwrap().first_round, 3);
		assert!(authorize(&report, &sig).is_err());
		assert_noop!(
			Call::<Test>::report { report, signature: sig }
				.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
				.map_err(|e| e.error),
			Error::<Test>::WrongRound
		);
		// The next round takes reports under the new spec.
		run_to(6);
		let (report, sig) = signed_report(0, feed, 3, 10_000);
		assert_ok!(submit(report, sig));
	});
}

#[test]
fn an_inactive_device_gets_no_new_feed() {
	Env::new(1).run(|| {
		TestRegistry::set_active(false);
		assert_noop!(
			SensorFeeds::register_feed(RuntimeOrigin::signed(OWNER), DEVICE, STREAM, spec(1, 1)),
			Error::<Test>::DeviceInactive
		);
	});
}

#[test]
fn remove_releases_the_deposit() {
	Env::new(1).run(|| {
		let feed = assert_ok_feed_by(OPERATOR_ACCOUNT);
		// The device's owner may remove an operator's feed; strangers may not.
		assert_noop!(
			SensorFeeds::remove_feed(RuntimeOrigin::signed(STRANGER), feed),
			Error::<Test>::NotAuthorized
		);
		assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(OWNER), feed));
		assert_eq!(held(&OPERATOR_ACCOUNT), 0);
		assert_eq!(FeedCount::<Test>::get(), 0);
		assert_eq!(events().last(), Some(&Event::FeedRemoved { feed }));
		assert_noop!(
			SensorFeeds::remove_feed(RuntimeOrigin::signed(OWNER), feed),
			Error::<Test>::FeedNotFound
		);
	});
}

fn assert_ok_feed_by(who: AccountId) -> FeedId {
	assert_ok!(SensorFeeds::register_feed(RuntimeOrigin::signed(who), DEVICE, STREAM, spec(1, 1)));
	NextFeedId::<Test>::get() - 1
}

#[test]
fn governance_sets_the_operators() {
	Env::new(1).run(|| {
		let set: OperatorsOf<Test> = vec![operator(3), operator(2)].try_into().unwrap();
		assert_noop!(
			SensorFeeds::set_operators(RuntimeOrigin::signed(OWNER), set.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(SensorFeeds::set_operators(RuntimeOrigin::root(), set));
		let stored = Operators::<Test>::get();
		assert_eq!(stored.len(), 2);
		assert!(stored[0] < stored[1], "kept sorted");
		assert_eq!(events().last(), Some(&Event::OperatorsSet { count: 2 }));
		let duplicate: OperatorsOf<Test> = vec![operator(1), operator(1)].try_into().unwrap();
		assert_noop!(
			SensorFeeds::set_operators(RuntimeOrigin::root(), duplicate),
			Error::<Test>::DuplicateOperator
		);
	});
}
