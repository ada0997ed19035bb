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
		let events = events();
		assert_eq!(
			events[events.len() - 2..],
			[
				Event::FeedRegistered { feed, device: DEVICE, stream: STREAM, owner: OWNER },
				Event::FeedFunded { feed, amount: PREPAID, balance: PREPAID },
			]
		);
		assert_ok!(SensorFeeds::register_feed(
			RuntimeOrigin::signed(OPERATOR_ACCOUNT),
			DEVICE,
			STREAM,
			spec(1, 1).into_input(),
			PREPAID
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
			SensorFeeds::register_feed(owner.clone(), 99, STREAM, spec(1, 1).into_input(), PREPAID),
			Error::<Test>::DeviceNotFound
		);
		assert_noop!(
			SensorFeeds::register_feed(
				RuntimeOrigin::signed(STRANGER),
				DEVICE,
				STREAM,
				spec(1, 1).into_input(),
				PREPAID
			),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			SensorFeeds::register_feed(
				owner.clone(),
				DEVICE,
				OTHER_STREAM,
				spec(1, 1).into_input(),
				PREPAID
			),
			Error::<Test>::StreamMismatch
		);
		assert_noop!(
			SensorFeeds::register_feed(
				owner.clone(),
				DEVICE,
				999,
				spec(1, 1).into_input(),
				PREPAID
			),
			Error::<Test>::StreamMismatch
		);
		let bad_specs: Vec<Box<dyn Fn(&mut FeedSpecOf<Test>)>> = vec![
			Box::new(|s| s.pointer = b"power_w".to_vec().try_into().unwrap()),
			Box::new(|s| s.pointer = b"/\xff".to_vec().try_into().unwrap()),
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
				SensorFeeds::register_feed(
					owner.clone(),
					DEVICE,
					STREAM,
					bad.into_input(),
					PREPAID
				),
				Error::<Test>::BadSpec
			);
		}
		for _ in 0..MAX_FEEDS_PER_OWNER {
			register(spec(1, 1));
		}
		assert_eq!(FeedsOwned::<Test>::get(OWNER), MAX_FEEDS_PER_OWNER);
		assert_noop!(
			SensorFeeds::register_feed(
				owner.clone(),
				DEVICE,
				STREAM,
				spec(1, 1).into_input(),
				PREPAID
			),
			Error::<Test>::TooManyFeedsForOwner
		);
		for _ in MAX_FEEDS_PER_OWNER..MAX_FEEDS {
			assert_ok_feed_by(OPERATOR_ACCOUNT);
		}
		assert_noop!(
			SensorFeeds::register_feed(
				RuntimeOrigin::signed(OPERATOR_ACCOUNT),
				DEVICE,
				STREAM,
				spec(1, 1).into_input(),
				PREPAID
			),
			Error::<Test>::TooManyFeeds
		);
	});
}

/// A URL is fetched by every assigned operator's node: no user info on chain, http(s) only, a
/// host, a port in range, printable ASCII; a field over its bound gets its own error (before,
/// an over-long URL failed to decode, and the pool said only "bad input data").
#[test]
fn register_refuses_urls_an_operator_must_not_fetch_and_names_over_long_fields() {
	Env::new(3).run(|| {
		let owner = RuntimeOrigin::signed(OWNER);
		let with_url = |url: &[u8]| {
			let mut input = spec(1, 1).into_input();
			input.url = url.to_vec();
			input
		};
		for url in [
			&b"ftp://sim.local/x"[..],
			b"file:///etc/passwd",
			b"http://\xff/",
			b"http://user:secret@sim.local/",
			b"http://token@sim.local/",
			b"http://",
			b"http://:8080/",
			b"http://sim.local:0/",
			b"http://sim.local:99999/",
			b"http://sim local/",
			b"http://1.2.3.999/",
		] {
			assert_noop!(
				SensorFeeds::register_feed(owner.clone(), DEVICE, STREAM, with_url(url), PREPAID),
				Error::<Test>::BadUrl
			);
		}
		let long = [b"http://sim.local/".as_slice(), &[b'a'; 64]].concat();
		assert_noop!(
			SensorFeeds::register_feed(owner.clone(), DEVICE, STREAM, with_url(&long), PREPAID),
			Error::<Test>::UrlTooLong
		);
		let mut input = spec(1, 1).into_input();
		input.pointer = [b"/".as_slice(), &[b'p'; 32]].concat();
		assert_noop!(
			SensorFeeds::register_feed(owner.clone(), DEVICE, STREAM, input, PREPAID),
			Error::<Test>::PointerTooLong
		);
		let mut input = spec(1, 1).into_input();
		input.unit = vec![b'W'; 17];
		assert_noop!(
			SensorFeeds::register_feed(owner.clone(), DEVICE, STREAM, input, PREPAID),
			Error::<Test>::UnitTooLong
		);
		// Loopback and private hosts are every node's own policy, not the chain's.
		for url in
			[&b"http://127.0.0.1:8080/x"[..], b"http://[::1]/", b"https://api.example.com/v1"]
		{
			assert_ok!(SensorFeeds::register_feed(
				owner.clone(),
				DEVICE,
				STREAM,
				with_url(url),
				PREPAID
			));
		}
	});
}

/// Before, the quorum was silently cut to the operator set: a spec asking 3 of 2 operators
/// settled on 2. Now it is refused, and a round whose operators cannot reach the quorum (the set
/// shrank) takes no reports at all, so it costs nothing and the feed goes stale.
#[test]
fn a_quorum_larger_than_the_operator_set_is_refused() {
	Env::new(2).run(|| {
		assert_noop!(
			SensorFeeds::register_feed(
				RuntimeOrigin::signed(OWNER),
				DEVICE,
				STREAM,
				spec(3, 3).into_input(),
				PREPAID
			),
			Error::<Test>::QuorumUnreachable
		);
		let feed = register(spec(2, 2));
		assert_noop!(
			SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), feed, spec(3, 3).into_input()),
			Error::<Test>::QuorumUnreachable
		);
		let one: OperatorsOf<Test> = vec![operator(0)].try_into().unwrap();
		assert_ok!(SensorFeeds::set_operators(RuntimeOrigin::root(), one));
		run_to(4);
		let (report, sig) = signed_report(0, feed, 2, 10);
		assert!(authorize(&report, &sig).is_err());
		assert_noop!(
			Call::<Test>::report { report, signature: sig }
				.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
				.map_err(|e| e.error),
			Error::<Test>::QuorumUnreachable
		);
	});
}

#[test]
fn removing_a_feed_frees_its_owner_slot() {
	Env::new(1).run(|| {
		let feeds: Vec<FeedId> = (0..MAX_FEEDS_PER_OWNER).map(|_| register(spec(1, 1))).collect();
		assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(OWNER), feeds[0]));
		assert_eq!(FeedsOwned::<Test>::get(OWNER), MAX_FEEDS_PER_OWNER - 1);
		register(spec(1, 1));
		for feed in feeds.into_iter().skip(1) {
			assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(OWNER), feed));
		}
		assert_eq!(FeedsOwned::<Test>::get(OWNER), 1);
	});
}

#[test]
fn the_v2_migration_counts_each_owners_feeds() {
	use frame::traits::{GetStorageVersion, OnRuntimeUpgrade};
	Env::new(1).run(|| {
		register(spec(1, 1));
		register(spec(1, 1));
		assert_ok_feed_by(OPERATOR_ACCOUNT);
		// As a version-1 chain has it: feeds, no counts.
		let _ = FeedsOwned::<Test>::clear(u32::MAX, None);
		StorageVersion::new(1).put::<SensorFeeds>();
		crate::migrations::v2::MigrateToV2::<Test>::on_runtime_upgrade();
		assert_eq!(FeedsOwned::<Test>::get(OWNER), 2);
		assert_eq!(FeedsOwned::<Test>::get(OPERATOR_ACCOUNT), 1);
		assert_eq!(SensorFeeds::on_chain_storage_version(), 2);
		// Run again: nothing happens (the version says it is done).
		FeedsOwned::<Test>::insert(OWNER, 9);
		crate::migrations::v2::MigrateToV2::<Test>::on_runtime_upgrade();
		assert_eq!(FeedsOwned::<Test>::get(OWNER), 9);
		FeedsOwned::<Test>::insert(OWNER, 2);
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
				spec(1, 1).into_input(),
				PREPAID
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
		assert_ok!(SensorFeeds::update_feed(
			RuntimeOrigin::signed(OWNER),
			feed,
			new_spec.clone().into_input()
		));
		let record = Feeds::<Test>::get(feed).unwrap();
		assert_eq!(record.spec, new_spec);
		assert!(record.pending.is_none());
		assert_eq!(events().last(), Some(&Event::FeedUpdated { feed }));
		assert_noop!(
			SensorFeeds::update_feed(
				RuntimeOrigin::signed(STRANGER),
				feed,
				spec(1, 1).into_input()
			),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), 9, spec(1, 1).into_input()),
			Error::<Test>::FeedNotFound
		);
		let mut bad = spec(1, 1);
		bad.interval = 0;
		assert_noop!(
			SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), feed, bad.into_input()),
			Error::<Test>::BadSpec
		);
		let mut slower = spec(3, 2);
		slower.interval = 4;
		assert_noop!(
			SensorFeeds::update_feed(RuntimeOrigin::signed(OWNER), feed, slower.into_input()),
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
		assert_ok!(SensorFeeds::update_feed(
			RuntimeOrigin::signed(OWNER),
			feed,
			new_spec.into_input()
		));
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
			SensorFeeds::register_feed(
				RuntimeOrigin::signed(OWNER),
				DEVICE,
				STREAM,
				spec(1, 1).into_input(),
				PREPAID
			),
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
	assert_ok!(SensorFeeds::register_feed(
		RuntimeOrigin::signed(who),
		DEVICE,
		STREAM,
		spec(1, 1).into_input(),
		PREPAID
	));
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
