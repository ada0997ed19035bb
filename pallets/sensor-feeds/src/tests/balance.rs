//! A feed's prepaid balance: funded by its owner, paid to the reporting operators per settled
//! round, a paused feed when it cannot pay a round, and abandoned feeds anyone may remove.

use crate::{mock::*, *};
use frame::{deps::sp_runtime::transaction_validity::TransactionValidityError, testing_prelude::*};
use polkadot_sdk::frame_support::traits::UnfilteredDispatchable;

fn balance_held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::SensorFeeds(HoldReason::FeedBalance), who)
}

fn operator_account(i: u8) -> AccountId {
	<KeyAccount as Convert<crypto::Public, AccountId>>::convert(operator(i))
}

#[test]
fn registering_holds_the_prepaid_balance_apart_from_the_deposit() {
	Env::new(1).run(|| {
		let free = Balances::free_balance(OWNER);
		let feed = register_with(spec(1, 1), PREPAID);
		assert_eq!(FeedBalances::<Test>::get(feed), PREPAID);
		assert_eq!((held(&OWNER), balance_held(&OWNER)), (FEED_DEPOSIT, PREPAID));
		assert_eq!(Balances::free_balance(OWNER), free - FEED_DEPOSIT - PREPAID);
		assert!(events().contains(&Event::FeedFunded { feed, amount: PREPAID, balance: PREPAID }));
		assert_eq!(SensorFeeds::feed_balance(feed), Some((PREPAID, REPORT_REWARD)));
		// Nothing prepaid: no entry, no event, a paused feed.
		let unfunded = register_with(spec(1, 1), 0);
		assert!(!FeedBalances::<Test>::contains_key(unfunded));
		assert!(!events()
			.iter()
			.any(|e| matches!(e, Event::FeedFunded { feed, .. } if *feed == unfunded)));
		assert_eq!(SensorFeeds::feed_balance(unfunded), Some((0, REPORT_REWARD)));
		assert_eq!(SensorFeeds::feed_balance(99), None);
		// A prepaid balance the caller does not have: nothing happens.
		assert_noop!(
			SensorFeeds::register_feed(
				RuntimeOrigin::signed(OWNER),
				DEVICE,
				STREAM,
				spec(1, 1).into_input(),
				INITIAL_BALANCE
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn the_owner_funds_and_withdraws_and_nobody_else_can() {
	Env::new(1).run(|| {
		let feed = register_with(spec(1, 1), 0);
		assert_noop!(
			SensorFeeds::fund_feed(RuntimeOrigin::signed(OWNER), 99, 10),
			Error::<Test>::FeedNotFound
		);
		assert_noop!(
			SensorFeeds::fund_feed(RuntimeOrigin::signed(STRANGER), feed, 10),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			SensorFeeds::fund_feed(RuntimeOrigin::signed(OWNER), feed, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			SensorFeeds::fund_feed(RuntimeOrigin::signed(OWNER), feed, INITIAL_BALANCE),
			TokenError::FundsUnavailable
		);
		assert_noop!(
			SensorFeeds::fund_feed(RuntimeOrigin::none(), feed, 10),
			DispatchError::BadOrigin
		);
		assert_ok!(SensorFeeds::fund_feed(RuntimeOrigin::signed(OWNER), feed, 30));
		assert_ok!(SensorFeeds::fund_feed(RuntimeOrigin::signed(OWNER), feed, 12));
		assert_eq!(events().last(), Some(&Event::FeedFunded { feed, amount: 12, balance: 42 }));
		assert_eq!((FeedBalances::<Test>::get(feed), balance_held(&OWNER)), (42, 42));
		FeedBalances::<Test>::insert(feed, Balance::MAX);
		assert_noop!(
			SensorFeeds::fund_feed(RuntimeOrigin::signed(OWNER), feed, 1),
			Error::<Test>::Overflow
		);
		FeedBalances::<Test>::insert(feed, 42);

		assert_noop!(
			SensorFeeds::withdraw_feed_balance(RuntimeOrigin::signed(OWNER), 99, 1),
			Error::<Test>::FeedNotFound
		);
		assert_noop!(
			SensorFeeds::withdraw_feed_balance(RuntimeOrigin::signed(STRANGER), feed, 1),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			SensorFeeds::withdraw_feed_balance(RuntimeOrigin::signed(OWNER), feed, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			SensorFeeds::withdraw_feed_balance(RuntimeOrigin::signed(OWNER), feed, 43),
			Error::<Test>::InsufficientFeedBalance
		);
		let free = Balances::free_balance(OWNER);
		assert_ok!(SensorFeeds::withdraw_feed_balance(RuntimeOrigin::signed(OWNER), feed, 40));
		assert_eq!(
			events().last(),
			Some(&Event::FeedBalanceWithdrawn { feed, amount: 40, balance: 2 })
		);
		assert_eq!(Balances::free_balance(OWNER), free + 40);
		assert_ok!(SensorFeeds::withdraw_feed_balance(RuntimeOrigin::signed(OWNER), feed, 2));
		assert!(!FeedBalances::<Test>::contains_key(feed), "an empty balance is not stored");
		assert_eq!(balance_held(&OWNER), 0);
	});
}

#[test]
fn a_settled_round_pays_each_reporter_from_the_balance() {
	Env::new(3).run(|| {
		let feed = register_with(spec(3, 3), PREPAID);
		run_to(6);
		let owner_free = Balances::free_balance(OWNER);
		for (i, value) in [(0, 100), (1, 101), (2, 102)] {
			let (report, sig) = signed_report(i, feed, 3, value);
			assert_ok!(submit(report, sig));
		}
		// Each operator's key account received the reward (opening the account: the reward is
		// above the existential deposit), out of the owner's hold; the owner's free balance is
		// untouched.
		for i in 0..3 {
			assert_eq!(Balances::free_balance(operator_account(i)), REPORT_REWARD);
		}
		assert_eq!(FeedBalances::<Test>::get(feed), PREPAID - 3 * REPORT_REWARD);
		assert_eq!(balance_held(&OWNER), PREPAID - 3 * REPORT_REWARD);
		assert_eq!(Balances::free_balance(OWNER), owner_free);
		assert!(events().contains(&Event::ReportersPaid {
			feed,
			round: 3,
			paid: 3,
			reward: REPORT_REWARD
		}));
		assert!(!events().iter().any(|e| matches!(e, Event::FeedOutOfFunds { .. })));
	});
}

#[test]
fn a_feed_that_cannot_pay_a_round_is_paused_until_funded() {
	Env::new(1).run(|| {
		// One round's worth.
		let feed = register_with(spec(1, 1), REPORT_REWARD);
		run_to(4);
		let (report, sig) = signed_report(0, feed, 2, 7);
		assert_ok!(submit(report, sig));
		assert!(events().contains(&Event::FeedOutOfFunds { feed, balance: 0 }));
		assert!(!FeedBalances::<Test>::contains_key(feed));
		// Next round: the pool refuses the report as unpayable, and so does the block.
		run_to(6);
		let (report, sig) = signed_report(0, feed, 3, 8);
		assert_eq!(
			authorize(&report, &sig),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Payment))
		);
		assert_noop!(
			Call::<Test>::report { report: report.clone(), signature: sig.clone() }
				.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
				.map_err(|e| e.error),
			Error::<Test>::FeedUnfunded
		);
		// Funded: the same report counts.
		assert_ok!(SensorFeeds::fund_feed(RuntimeOrigin::signed(OWNER), feed, REPORT_REWARD));
		assert_ok!(submit(report, sig));
		assert_eq!(Feeds::<Test>::get(feed).unwrap().last.unwrap().value, 8);
	});
}

#[test]
fn with_a_zero_reward_rounds_are_free_and_nothing_is_paid() {
	Env::new(1).run(|| {
		set_report_reward(0);
		let feed = register_with(spec(1, 1), 0);
		assert_eq!(SensorFeeds::feed_balance(feed), Some((0, 0)));
		run_to(4);
		let (report, sig) = signed_report(0, feed, 2, 7);
		assert_ok!(submit(report, sig));
		assert_eq!(Feeds::<Test>::get(feed).unwrap().last.unwrap().value, 7);
		assert!(!events()
			.iter()
			.any(|e| matches!(e, Event::ReportersPaid { .. } | Event::FeedOutOfFunds { .. })));
	});
}

#[test]
fn the_worker_skips_a_paused_feed() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	env.http.answer(URL, json(r#"{"power_w": 1}"#));
	env.run(|| {
		register_with(spec(1, 1), REPORT_REWARD - 1);
		run_to(4);
		SensorFeeds::offchain_worker(4);
	});
	assert!(env.http.requested().is_empty(), "an unpayable feed is not fetched");
	assert!(env.take_reports().is_empty());
}

#[test]
fn anyone_may_remove_an_abandoned_feed_and_the_owner_gets_everything_back() {
	Env::new(1).run(|| {
		let free = Balances::free_balance(OWNER);
		let feed = register_with(spec(1, 1), REPORT_REWARD - 1);
		// Unfunded but not stale: only its owner (or the device's) may remove it.
		assert_noop!(
			SensorFeeds::remove_feed(RuntimeOrigin::signed(STRANGER), feed),
			Error::<Test>::NotAuthorized
		);
		// Stale and funded: still the owner's.
		Feeds::<Test>::mutate(feed, |f| f.as_mut().unwrap().stale = true);
		assert_ok!(SensorFeeds::fund_feed(RuntimeOrigin::signed(OWNER), feed, 1));
		assert_noop!(
			SensorFeeds::remove_feed(RuntimeOrigin::signed(STRANGER), feed),
			Error::<Test>::NotAuthorized
		);
		assert_ok!(SensorFeeds::withdraw_feed_balance(RuntimeOrigin::signed(OWNER), feed, 1));
		// Stale and unable to pay a round: abandoned; the slot goes back to the pool.
		assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(STRANGER), feed));
		assert_eq!(events().last(), Some(&Event::FeedRemoved { feed }));
		assert_eq!((held(&OWNER), balance_held(&OWNER)), (0, 0));
		assert_eq!(Balances::free_balance(OWNER), free);
		assert!(!FeedBalances::<Test>::contains_key(feed));
		assert_eq!(FeedCount::<Test>::get(), 0);
	});
}

#[test]
fn a_funded_feed_without_a_value_for_long_is_abandoned_too() {
	Env::new(1).run(|| {
		let feed = register_with(spec(1, 1), PREPAID);
		Feeds::<Test>::mutate(feed, |f| f.as_mut().unwrap().stale = true);
		// Registered in round 0 (interval 2): round ABANDONED_AFTER is not yet beyond it.
		run_to(2 * u64::from(ABANDONED_AFTER));
		assert_noop!(
			SensorFeeds::remove_feed(RuntimeOrigin::signed(STRANGER), feed),
			Error::<Test>::NotAuthorized
		);
		run_to(2 * u64::from(ABANDONED_AFTER) + 2);
		assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(STRANGER), feed));
		assert_eq!(balance_held(&OWNER), 0);
	});
}

#[test]
fn removing_a_feed_returns_its_balance() {
	Env::new(1).run(|| {
		let free = Balances::free_balance(OWNER);
		let feed = register_with(spec(1, 1), PREPAID);
		assert_ok!(SensorFeeds::remove_feed(RuntimeOrigin::signed(OWNER), feed));
		assert_eq!(Balances::free_balance(OWNER), free);
		assert_eq!(balance_held(&OWNER), 0);
	});
}

#[test]
fn try_state_refuses_balances_that_differ_from_the_holds() {
	Env::new(1).run(|| {
		let feed = register_with(spec(1, 1), PREPAID);
		FeedBalances::<Test>::insert(feed, PREPAID + 1);
		assert!(SensorFeeds::do_try_state().is_err());
		FeedBalances::<Test>::insert(feed, PREPAID);
		FeedBalances::<Test>::insert(77, 5);
		assert!(SensorFeeds::do_try_state().is_err());
		FeedBalances::<Test>::remove(77);
		assert!(SensorFeeds::do_try_state().is_ok());
	});
}
