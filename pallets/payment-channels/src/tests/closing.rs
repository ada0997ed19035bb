//! `close`, `start_close`, `settle` and expiry.

use crate::{mock::*, *};
use frame::testing_prelude::*;

#[test]
fn the_payee_closes_cooperatively_with_a_last_voucher() {
	test(|| {
		let channel = open(1_000);
		assert_ok!(claim(channel, signed(channel, voucher(100, 1))));
		assert_ok!(PaymentChannels::close(
			RuntimeOrigin::signed(PAYEE),
			channel,
			Some(signed(channel, voucher(400, 2)))
		));
		assert_eq!(last_event(), Event::Closed { channel, paid: 400, refunded: 600 });
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 400);
		assert_eq!(free(&PAYER), INITIAL_BALANCE - 400);
		assert_eq!(held(HoldReason::ChannelFunds, &PAYEE), 0);
		assert_eq!(held(HoldReason::ChannelDeposit, &PAYER), 0);
		assert!(Channels::<Test>::get(channel).is_none());
		assert_eq!(OpenChannels::<Test>::get(PAYER), 0);
		assert!(PaymentChannels::channels_of(PAYER, None, 10).is_empty());
		assert!(PaymentChannels::channels_of(PAYEE, None, 10).is_empty());
		// Closed is closed: the id is never reused, so old vouchers name nothing.
		assert_noop!(
			claim(channel, signed(channel, voucher(500, 3))),
			Error::<Test>::ChannelNotFound
		);
	});
}

#[test]
fn close_refuses_others_and_bad_last_vouchers() {
	test(|| {
		let channel = open(1_000);
		assert_noop!(
			PaymentChannels::close(RuntimeOrigin::signed(PAYER), channel, None),
			Error::<Test>::NotPayee
		);
		assert_noop!(
			PaymentChannels::close(RuntimeOrigin::signed(PAYEE), 9, None),
			Error::<Test>::ChannelNotFound
		);
		let mut forged = signed(channel, voucher(400, 1));
		forged.voucher.amount = 1_000;
		assert_noop!(
			PaymentChannels::close(RuntimeOrigin::signed(PAYEE), channel, Some(forged)),
			Error::<Test>::BadSignature
		);
	});
}

#[test]
fn unilateral_close_leaves_the_payee_its_challenge_period() {
	test(|| {
		let channel = open(1_000);
		assert_ok!(claim(channel, signed(channel, voucher(100, 1))));
		run_to(10);
		assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), channel));
		let deadline = 10 + MIN_CHALLENGE;
		assert_eq!(last_event(), Event::CloseStarted { channel, settle_after: deadline });
		assert_noop!(
			PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), channel),
			Error::<Test>::AlreadyClosing
		);
		// Settling before the period ends is refused, by anyone.
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel),
			Error::<Test>::StillOpen
		);
		run_to(deadline);
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(PAYER), channel),
			Error::<Test>::StillOpen
		);
		// The payee still claims on the last block of the period.
		assert_ok!(claim(channel, signed(channel, voucher(300, 2))));
		run_to(deadline + 1);
		assert_noop!(
			claim(channel, signed(channel, voucher(400, 3))),
			Error::<Test>::ClaimPeriodOver
		);
		// Hash-locked vouchers still redeem in the grace period: settling waits for it.
		run_to(deadline + LOCK_GRACE);
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel),
			Error::<Test>::StillOpen
		);
		run_to(deadline + LOCK_GRACE + 1);
		assert_ok!(PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel));
		assert_eq!(last_event(), Event::Closed { channel, paid: 300, refunded: 700 });
		assert_eq!(free(&PAYER), INITIAL_BALANCE - 300);
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 300);
		assert_eq!(free(&STRANGER), INITIAL_BALANCE);
	});
}

#[test]
fn start_close_and_settle_refuse_bad_requests() {
	test(|| {
		let channel = open(1_000);
		assert_noop!(
			PaymentChannels::start_close(RuntimeOrigin::signed(PAYEE), channel),
			Error::<Test>::NotPayer
		);
		assert_noop!(
			PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), 9),
			Error::<Test>::ChannelNotFound
		);
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(PAYER), 9),
			Error::<Test>::ChannelNotFound
		);
		// Open, not closing, no expiry: never settles.
		run_to(1_000);
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(PAYER), channel),
			Error::<Test>::StillOpen
		);
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::none(), channel),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn an_expired_channel_takes_no_vouchers_and_settles() {
	test(|| {
		let expiry = 1 + MIN_CHALLENGE + 4;
		open_with_expiry(1_000, Some(expiry));
		run_to(expiry);
		assert_ok!(claim(0, signed(0, voucher(100, 1))));
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), 0),
			Error::<Test>::StillOpen
		);
		run_to(expiry + 1);
		assert_noop!(claim(0, signed(0, voucher(200, 2))), Error::<Test>::ClaimPeriodOver);
		run_to(expiry + LOCK_GRACE + 1);
		assert_ok!(PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), 0));
		assert_eq!(last_event(), Event::Closed { channel: 0, paid: 100, refunded: 900 });
	});
}

#[test]
fn the_expiry_cuts_a_challenge_period_short() {
	test(|| {
		let expiry = 1 + MIN_CHALLENGE + 2;
		open_with_expiry(1_000, Some(expiry));
		run_to(5);
		assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), 0));
		// The payee knew the expiry when it accepted the channel: it is the deadline.
		assert_eq!(last_event(), Event::CloseStarted { channel: 0, settle_after: expiry });
		run_to(expiry + LOCK_GRACE + 1);
		assert_ok!(PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), 0));
	});
}

#[test]
fn closing_an_untouched_channel_refunds_everything() {
	test(|| {
		let channel = open(1_000);
		assert_ok!(PaymentChannels::close(RuntimeOrigin::signed(PAYEE), channel, None));
		assert_eq!(last_event(), Event::Closed { channel, paid: 0, refunded: 1_000 });
		assert_eq!(free(&PAYER), INITIAL_BALANCE);
		assert_eq!(free(&PAYEE), INITIAL_BALANCE);
	});
}

#[test]
fn a_fully_claimed_channel_closes_with_nothing_to_refund() {
	test(|| {
		let channel = open(1_000);
		assert_ok!(PaymentChannels::close(
			RuntimeOrigin::signed(PAYEE),
			channel,
			Some(signed(channel, voucher(1_000, 1)))
		));
		assert_eq!(last_event(), Event::Closed { channel, paid: 1_000, refunded: 0 });
		assert_eq!(free(&PAYER), INITIAL_BALANCE - 1_000);
	});
}

/// Many parachain blocks in one relay block (block bundling, elastic scaling) must not shorten
/// the payee's time: the challenge period counts relay blocks, the pallet's `BlockNumberProvider`.
#[test]
fn many_fast_parachain_blocks_do_not_end_the_challenge_period() {
	test(|| {
		let channel = open(1_000);
		run_to(10);
		assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), channel));
		let deadline = 10 + MIN_CHALLENGE;
		assert_eq!(last_event(), Event::CloseStarted { channel, settle_after: deadline });
		// A hundred challenge periods' worth of parachain blocks; the relay chain stands still.
		run_parachain_to(10 + 100 * MIN_CHALLENGE);
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel),
			Error::<Test>::StillOpen
		);
		assert_ok!(claim(channel, signed(channel, voucher(300, 1))));
		// The relay chain reaches the deadline: still the payee's.
		run_relay_to(deadline);
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel),
			Error::<Test>::StillOpen
		);
		// One relay block later the period is over, whatever the parachain did meanwhile.
		run_relay_to(deadline + 1);
		assert_noop!(
			claim(channel, signed(channel, voucher(400, 2))),
			Error::<Test>::ClaimPeriodOver
		);
		run_parachain_to(20 + 100 * MIN_CHALLENGE);
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel),
			Error::<Test>::StillOpen
		);
		run_relay_to(deadline + LOCK_GRACE + 1);
		assert_ok!(PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel));
		assert_eq!(last_event(), Event::Closed { channel, paid: 300, refunded: 700 });
	});
}

/// `expires_at` and `settle_after` are relay block numbers; `opened_at` records the parachain's.
#[test]
fn expiries_and_deadlines_are_relay_block_numbers() {
	test(|| {
		// The parachain is far ahead of the relay chain's block 1.
		run_parachain_to(1_000);
		let expiry = 1 + MIN_CHALLENGE + 4;
		for _ in 0..2 {
			open_with_expiry(1_000, Some(expiry));
		}
		assert_eq!(Channels::<Test>::get(0).unwrap().opened_at, 1_000);
		assert_noop!(
			PaymentChannels::open(
				RuntimeOrigin::signed(PAYER),
				PAYEE,
				1_000,
				payer_signer(),
				MIN_CHALLENGE,
				Some(MIN_CHALLENGE)
			),
			Error::<Test>::ExpiryTooSoon
		);
		assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), 0));
		assert_eq!(
			last_event(),
			Event::CloseStarted { channel: 0, settle_after: 1 + MIN_CHALLENGE }
		);
		run_relay_to(1 + MIN_CHALLENGE + LOCK_GRACE + 1);
		assert_ok!(PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), 0));
		// Channel 1 takes top-ups until the relay chain passes its expiry.
		run_relay_to(expiry);
		assert_ok!(PaymentChannels::top_up(RuntimeOrigin::signed(PAYER), 1, 10));
		run_relay_to(expiry + 1);
		assert_noop!(
			PaymentChannels::top_up(RuntimeOrigin::signed(PAYER), 1, 10),
			Error::<Test>::Expired
		);
		assert_eq!(System::block_number(), 1_000, "the parachain did not move");
	});
}
