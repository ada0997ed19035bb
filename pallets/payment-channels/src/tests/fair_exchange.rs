//! Hash-locked vouchers as a fair exchange: a seller whose dry run said `Ok` is paid if its claim
//! lands within the grace period, whatever the buyer (the payer) does meanwhile.

use crate::{mock::*, *};
use frame::testing_prelude::*;

fn locked(channel: ChannelId, amount: Balance, nonce: u64) -> SignedVoucherOf<Test> {
	let (voucher, preimage) = locked_voucher(b"the data's key", amount, nonce);
	with_preimage(signed(channel, voucher), preimage)
}

/// Before: the buyer starts closing, the seller's dry run at the deadline says `Ok`, the claim
/// lands one block later and fails — with the key in its call data. After: a hash-locked voucher
/// redeems for `LockGracePeriod` blocks past the deadline, and settling waits for them.
#[test]
fn a_hash_locked_claim_landing_after_the_deadline_still_pays() {
	test(|| {
		let channel = open(1_000);
		run_to(10);
		assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), channel));
		let deadline = 10 + MIN_CHALLENGE;
		run_to(deadline);
		assert_eq!(PaymentChannels::check_voucher(channel, locked(channel, 400, 1)), Ok(400));
		run_to(deadline + LOCK_GRACE);
		// The buyer cannot refund itself before the claim lands ...
		assert_noop!(
			PaymentChannels::settle(RuntimeOrigin::signed(PAYER), channel),
			Error::<Test>::StillOpen
		);
		// ... a plain voucher is over (it carries no secret) ...
		assert_noop!(
			claim(channel, signed(channel, voucher(400, 1))),
			Error::<Test>::ClaimPeriodOver
		);
		// ... and the hash-locked claim pays.
		assert_ok!(claim(channel, locked(channel, 400, 1)));
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 400);
		run_to(deadline + LOCK_GRACE + 1);
		assert_noop!(claim(channel, locked(channel, 500, 2)), Error::<Test>::ClaimPeriodOver);
		assert_ok!(PaymentChannels::settle(RuntimeOrigin::signed(PAYER), channel));
		assert_eq!(last_event(), Event::Closed { channel, paid: 400, refunded: 600 });
	});
}

/// The dry run of a hash-locked voucher is a promise: at every block where it says `Ok`, a claim
/// landing up to `LockGracePeriod` blocks later pays, also when the buyer starts closing in
/// between; past the deadline it says no, although a claim would still pay.
#[test]
fn the_dry_run_of_a_locked_voucher_holds_for_the_grace_period() {
	for start in 1..=12u64 {
		for close_at in [None, Some(start)] {
			test(|| {
				let expiry = 1 + MIN_CHALLENGE + 4;
				open_with_expiry(1_000, Some(expiry));
				run_to(start);
				let dry_run = PaymentChannels::check_voucher(0, locked(0, 400, 1));
				if close_at.is_some() {
					// The buyer sees the key in the pool and starts closing.
					let _ = PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), 0);
				}
				run_to(start + LOCK_GRACE);
				let claimed = claim(0, locked(0, 400, 1));
				if dry_run.is_ok() {
					assert_ok!(claimed);
				}
				assert_eq!(dry_run.is_ok(), start <= expiry, "block {start}");
			});
		}
	}
}

/// The expiry is a deadline like the end of a challenge period: the grace applies to it too.
#[test]
fn an_expired_channel_pays_a_locked_voucher_in_the_grace_period() {
	test(|| {
		let expiry = 1 + MIN_CHALLENGE;
		open_with_expiry(1_000, Some(expiry));
		run_to(expiry + 1);
		assert_eq!(
			PaymentChannels::check_voucher(0, locked(0, 400, 1)),
			Err(Error::<Test>::ClaimPeriodOver.into())
		);
		assert_ok!(claim(0, locked(0, 400, 1)));
	});
}
