//! `claim` and `claim_many`: vouchers, replays, hash locks.

use crate::{mock::*, *};
use frame::{deps::sp_core::Pair as _, testing_prelude::*};

#[docify::export]
#[test]
fn the_payee_receives_the_difference_since_the_last_claim() {
	test(|| {
		let channel = open(1_000);
		assert_ok!(claim(channel, signed(channel, voucher(300, 1))));
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 300);
		assert_eq!(held(HoldReason::ChannelFunds, &PAYEE), 700);
		assert_eq!(
			last_event(),
			Event::Claimed { channel, amount: 300, claimed: 300, nonce: 1, pays_for: None }
		);
		// Only the latest voucher matters: nonce 5 for a cumulative 450 pays 150.
		assert_ok!(claim(channel, signed(channel, voucher(450, 5))));
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 450);
		let record = Channels::<Test>::get(channel).unwrap();
		assert_eq!((record.claimed, record.nonce), (450, 5));
		// The payer's balances do not move on a claim.
		assert_eq!(free(&PAYER), INITIAL_BALANCE - 1_000 - CHANNEL_DEPOSIT);
	});
}

#[test]
fn a_voucher_beyond_the_funds_pays_what_is_left() {
	test(|| {
		let channel = open(1_000);
		assert_ok!(claim(channel, signed(channel, voucher(1_500, 1))));
		assert_eq!(
			last_event(),
			Event::Claimed { channel, amount: 1_000, claimed: 1_000, nonce: 1, pays_for: None }
		);
		assert_noop!(
			claim(channel, signed(channel, voucher(1_600, 2))),
			Error::<Test>::NothingToClaim
		);
		// After a top-up, the next voucher pays the rest of what it states.
		assert_ok!(PaymentChannels::top_up(RuntimeOrigin::signed(PAYER), channel, 1_000));
		assert_ok!(claim(channel, signed(channel, voucher(1_600, 2))));
		assert_eq!(Channels::<Test>::get(channel).unwrap().claimed, 1_600);
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 1_600);
	});
}

#[test]
fn replays_and_forgeries_are_refused() {
	test(|| {
		let channel = open(1_000);
		let other = open(1_000);
		let first = signed(channel, voucher(300, 1));
		assert_ok!(claim(channel, first.clone()));
		// The same voucher again.
		assert_noop!(claim(channel, first.clone()), Error::<Test>::StaleNonce);
		// The same voucher on another channel of the same payer and payee.
		assert_noop!(claim(other, first), Error::<Test>::BadSignature);
		// A lower cumulative amount with a higher nonce pays nothing.
		assert_noop!(
			claim(channel, signed(channel, voucher(200, 2))),
			Error::<Test>::NothingToClaim
		);
		// Signed by someone else.
		let stranger = frame::deps::sp_core::sr25519::Pair::from_seed(&[99; 32]);
		assert_noop!(
			claim(channel, signed_by(&stranger, channel, voucher(400, 2))),
			Error::<Test>::BadSignature
		);
		// Signed for another chain: same voucher, different genesis hash.
		let mut foreign = signed(channel, voucher(400, 2));
		let payload = iot_primitives::channel::VoucherPayload {
			genesis_hash: [0xee; 32],
			..PaymentChannels::payload(channel, &foreign.voucher).unwrap()
		};
		foreign.signature = iot_primitives::channel::sign::sr25519(&payer_pair(), &payload);
		assert_noop!(claim(channel, foreign), Error::<Test>::BadSignature);
		// A valid signature over other numbers.
		let mut altered = signed(channel, voucher(400, 2));
		altered.voucher.amount = 900;
		assert_noop!(claim(channel, altered), Error::<Test>::BadSignature);
		// A signature of the wrong scheme for the key.
		let mut wrong_scheme = signed(channel, voucher(400, 2));
		wrong_scheme.signature = DeviceSignature::Ed25519([0; 64]);
		assert_noop!(claim(channel, wrong_scheme), Error::<Test>::BadSignature);
	});
}

#[test]
fn only_the_payee_claims_an_existing_channel() {
	test(|| {
		let channel = open(1_000);
		assert_noop!(claim(9, signed(9, voucher(1, 1))), Error::<Test>::ChannelNotFound);
		assert_noop!(
			PaymentChannels::claim(
				RuntimeOrigin::signed(STRANGER),
				channel,
				signed(channel, voucher(1, 1))
			),
			Error::<Test>::NotPayee
		);
		assert_noop!(
			PaymentChannels::claim(
				RuntimeOrigin::signed(PAYER),
				channel,
				signed(channel, voucher(1, 1))
			),
			Error::<Test>::NotPayee
		);
		assert_noop!(
			PaymentChannels::claim(RuntimeOrigin::root(), channel, signed(channel, voucher(1, 1))),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_p256_device_pays_through_its_channel() {
	test(|| {
		assert_ok!(PaymentChannels::open(
			RuntimeOrigin::signed(PAYER),
			PAYEE,
			1_000,
			VoucherSigner::Device(DEVICE),
			MIN_CHALLENGE,
			None
		));
		assert_ok!(claim(0, signed_by_device(0, voucher(100, 1))));
		// The payer's own account key is not the channel's voucher key.
		assert_noop!(claim(0, signed(0, voucher(200, 2))), Error::<Test>::BadSignature);
		// The device's key changes: vouchers it signed before stay good for a challenge period
		// (tests/lifecycle.rs has the rules).
		let held_voucher = signed_by_device(0, voucher(250, 3));
		TestRegistry::update(DEVICE, |d| d.key = DeviceKey::Sr25519([1; 32]));
		assert_ok!(claim(0, held_voucher));
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 250);
	});
}

#[test]
fn a_hash_locked_voucher_needs_its_preimage_and_reveals_it() {
	test(|| {
		let channel = open(1_000);
		let key = b"key of batch 1".to_vec();
		let lock = lock_of::<HostBlake2>(&key);
		let locked = Voucher { amount: 400, nonce: 1, lock: Some(lock), pays_for: Some((3, 41)) };
		let mut submitted = signed(channel, locked);
		assert_noop!(claim(channel, submitted.clone()), Error::<Test>::WrongPreimage);
		submitted.preimage = Some(b"key of batch 2".to_vec().try_into().unwrap());
		assert_noop!(claim(channel, submitted.clone()), Error::<Test>::WrongPreimage);
		submitted.preimage = Some(key.clone().try_into().unwrap());
		assert_ok!(claim(channel, submitted));
		let events = events();
		assert_eq!(
			events[events.len() - 2],
			Event::PreimageRevealed { channel, lock, preimage: key.try_into().unwrap() }
		);
		assert_eq!(
			events[events.len() - 1],
			Event::Claimed {
				channel,
				amount: 400,
				claimed: 400,
				nonce: 1,
				pays_for: Some((3, 41))
			}
		);
		// A locked voucher above the funds would publish the preimage for a partial payment.
		let over = Voucher { amount: 2_000, nonce: 2, lock: Some(lock), pays_for: None };
		let mut over = signed(channel, over);
		over.preimage = Some(b"key of batch 1".to_vec().try_into().unwrap());
		assert_noop!(claim(channel, over), Error::<Test>::ExceedsFunds);
		// A preimage for an unlocked voucher is refused too (nothing may be published by
		// mistake).
		let mut plain = signed(channel, voucher(500, 2));
		plain.preimage = Some(b"x".to_vec().try_into().unwrap());
		assert_noop!(claim(channel, plain), Error::<Test>::WrongPreimage);
	});
}

#[test]
fn claim_many_settles_many_channels_of_one_payee_at_once() {
	test(|| {
		let a = open(1_000);
		let b = open(1_000);
		let claims: ClaimsOf<Test> = vec![
			(a, signed(a, voucher(100, 1))),
			(b, signed(b, voucher(200, 1))),
			(a, signed(a, voucher(150, 2))),
		]
		.try_into()
		.unwrap();
		assert_ok!(PaymentChannels::claim_many(RuntimeOrigin::signed(PAYEE), claims));
		assert_eq!(Channels::<Test>::get(a).unwrap().claimed, 150);
		assert_eq!(Channels::<Test>::get(b).unwrap().claimed, 200);
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 350);
	});
}

/// One bad entry used to fail the whole batch, publishing every preimage in it for nothing:
/// each entry now settles on its own, and a failing one changes nothing.
#[test]
fn claim_many_settles_each_entry_on_its_own() {
	test(|| {
		let a = open(1_000);
		let b = open(1_000);
		// A channel with another payee.
		assert_ok!(PaymentChannels::open(
			RuntimeOrigin::signed(STRANGER),
			PAYER,
			100,
			payer_signer(),
			MIN_CHALLENGE,
			None
		));
		let (locked, preimage) = locked_voucher(b"key of b", 300, 1);
		let claims: ClaimsOf<Test> = vec![
			(a, signed(a, voucher(100, 1))),
			// b's voucher signed for channel a: not b's.
			(b, signed(a, voucher(1, 1))),
			(9, signed(9, voucher(1, 1))),
			(a, signed(a, voucher(200, 1))),
			(2, signed(2, voucher(1, 1))),
			(b, with_preimage(signed(b, locked), preimage.clone())),
		]
		.try_into()
		.unwrap();
		System::reset_events();
		assert_ok!(PaymentChannels::claim_many(RuntimeOrigin::signed(PAYEE), claims));
		let failed: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::ClaimFailed { channel, error } => Some((channel, error)),
				_ => None,
			})
			.collect();
		assert_eq!(
			failed,
			vec![
				(b, Error::<Test>::BadSignature.into()),
				(9, Error::<Test>::ChannelNotFound.into()),
				(a, Error::<Test>::StaleNonce.into()),
				(2, Error::<Test>::NotPayee.into()),
			]
		);
		// The good entries paid, the hash-locked one included.
		assert_eq!(Channels::<Test>::get(a).unwrap().claimed, 100);
		assert_eq!(Channels::<Test>::get(b).unwrap().claimed, 300);
		assert!(events().contains(&Event::PreimageRevealed {
			channel: b,
			lock: lock_of::<HostBlake2>(&preimage),
			preimage
		}));
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 400);
		assert_noop!(
			PaymentChannels::claim_many(RuntimeOrigin::signed(PAYEE), Default::default()),
			Error::<Test>::NoClaims
		);
	});
}

#[test]
fn check_voucher_answers_like_a_claim_without_changing_anything() {
	test(|| {
		let channel = open(1_000);
		assert_eq!(
			PaymentChannels::check_voucher(channel, signed(channel, voucher(300, 1))),
			Ok(300)
		);
		assert_eq!(
			PaymentChannels::check_voucher(9, signed(9, voucher(300, 1))),
			Err(Error::<Test>::ChannelNotFound.into())
		);
		let mut forged = signed(channel, voucher(300, 1));
		forged.voucher.amount = 999;
		assert_eq!(
			PaymentChannels::check_voucher(channel, forged.clone()),
			Err(Error::<Test>::BadSignature.into())
		);
		assert_eq!(Channels::<Test>::get(channel).unwrap().claimed, 0);
	});
}
