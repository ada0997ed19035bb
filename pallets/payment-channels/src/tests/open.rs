//! `open` and `top_up`.

use crate::{mock::*, *};
use frame::{deps::sp_core::Pair as _, testing_prelude::*};

#[test]
fn open_moves_the_funds_onto_the_payee_and_holds_the_record_deposit() {
	test(|| {
		let channel = open(1_000);
		assert_eq!(channel, 0);
		assert_eq!(free(&PAYER), INITIAL_BALANCE - 1_000 - CHANNEL_DEPOSIT);
		assert_eq!(held(HoldReason::ChannelDeposit, &PAYER), CHANNEL_DEPOSIT);
		assert_eq!(held(HoldReason::ChannelFunds, &PAYEE), 1_000);
		assert_eq!(free(&PAYEE), INITIAL_BALANCE);
		let record = Channels::<Test>::get(channel).unwrap();
		assert_eq!((record.funds, record.claimed, record.nonce), (1_000, 0, 0));
		assert_eq!(record.signer, DeviceKey::Sr25519(payer_pair().public().0));
		assert_eq!(OpenChannels::<Test>::get(PAYER), 1);
		assert_eq!(
			last_event(),
			Event::Opened {
				channel,
				payer: PAYER,
				payee: PAYEE,
				amount: 1_000,
				challenge_period: MIN_CHALLENGE,
				expires_at: None,
			}
		);
		assert_eq!(PaymentChannels::channels_of(PAYER, None, 10).len(), 1);
		assert_eq!(PaymentChannels::channels_of(PAYEE, None, 10)[0].0, channel);
	});
}

#[test]
fn a_device_signs_for_its_owner() {
	test(|| {
		assert_ok!(PaymentChannels::open(
			RuntimeOrigin::signed(PAYER),
			PAYEE,
			500,
			VoucherSigner::Device(DEVICE),
			MIN_CHALLENGE,
			None
		));
		let record = Channels::<Test>::get(0).unwrap();
		assert_eq!((record.signer, record.device), (device_key(), Some(DEVICE)));
	});
}

#[test]
fn open_refuses_bad_requests() {
	test(|| {
		let payer = RuntimeOrigin::signed(PAYER);
		let key = payer_signer();
		assert_noop!(
			PaymentChannels::open(payer.clone(), PAYER, 1, key, MIN_CHALLENGE, None),
			Error::<Test>::SelfChannel
		);
		assert_noop!(
			PaymentChannels::open(payer.clone(), PAYEE, 0, key, MIN_CHALLENGE, None),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			PaymentChannels::open(payer.clone(), PAYEE, 1, key, MIN_CHALLENGE - 1, None),
			Error::<Test>::ChallengePeriodTooShort
		);
		// Now is block 1: the expiry must be at least 1 + challenge period.
		assert_noop!(
			PaymentChannels::open(payer.clone(), PAYEE, 1, key, MIN_CHALLENGE, Some(MIN_CHALLENGE)),
			Error::<Test>::ExpiryTooSoon
		);
		assert_noop!(
			PaymentChannels::open(
				payer.clone(),
				PAYEE,
				1,
				VoucherSigner::Device(99),
				MIN_CHALLENGE,
				None
			),
			Error::<Test>::DeviceNotFound
		);
		assert_noop!(
			PaymentChannels::open(
				RuntimeOrigin::signed(STRANGER),
				PAYEE,
				1,
				VoucherSigner::Device(DEVICE),
				MIN_CHALLENGE,
				None
			),
			Error::<Test>::NotAuthorized
		);
		TestRegistry::update(DEVICE, |d| d.active = false);
		assert_noop!(
			PaymentChannels::open(
				payer.clone(),
				PAYEE,
				1,
				VoucherSigner::Device(DEVICE),
				MIN_CHALLENGE,
				None
			),
			Error::<Test>::DeviceInactive
		);
		assert_noop!(
			PaymentChannels::open(payer.clone(), NOBODY, 1, key, MIN_CHALLENGE, None),
			Error::<Test>::PayeeCannotReceive
		);
		// More than the payer can spend while keeping its account alive.
		assert_noop!(
			PaymentChannels::open(payer.clone(), PAYEE, INITIAL_BALANCE, key, MIN_CHALLENGE, None),
			TokenError::FundsUnavailable
		);
		assert_noop!(
			PaymentChannels::open(RuntimeOrigin::none(), PAYEE, 1, key, MIN_CHALLENGE, None),
			DispatchError::BadOrigin
		);
		NextChannelId::<Test>::put(ChannelId::MAX);
		assert_noop!(
			PaymentChannels::open(payer, PAYEE, 1, key, MIN_CHALLENGE, None),
			Error::<Test>::Overflow
		);
	});
}

#[test]
fn a_payer_has_a_bounded_number_of_open_channels() {
	test(|| {
		for _ in 0..MAX_CHANNELS {
			open(10);
		}
		assert_noop!(
			PaymentChannels::open(
				RuntimeOrigin::signed(PAYER),
				PAYEE,
				10,
				payer_signer(),
				MIN_CHALLENGE,
				None
			),
			Error::<Test>::TooManyChannels
		);
		// Closing one frees a slot.
		assert_ok!(PaymentChannels::close(RuntimeOrigin::signed(PAYEE), 0, None));
		assert_eq!(OpenChannels::<Test>::get(PAYER), MAX_CHANNELS - 1);
		open(10);
	});
}

#[test]
fn top_up_adds_to_the_funds_held_on_the_payee() {
	test(|| {
		let channel = open(1_000);
		assert_ok!(PaymentChannels::top_up(RuntimeOrigin::signed(PAYER), channel, 500));
		assert_eq!(Channels::<Test>::get(channel).unwrap().funds, 1_500);
		assert_eq!(held(HoldReason::ChannelFunds, &PAYEE), 1_500);
		assert_eq!(free(&PAYER), INITIAL_BALANCE - 1_500 - CHANNEL_DEPOSIT);
		assert_eq!(last_event(), Event::ToppedUp { channel, amount: 500, funds: 1_500 });
	});
}

#[test]
fn top_up_refuses_bad_requests() {
	test(|| {
		let channel = open(1_000);
		let payer = RuntimeOrigin::signed(PAYER);
		assert_noop!(PaymentChannels::top_up(payer.clone(), 9, 1), Error::<Test>::ChannelNotFound);
		assert_noop!(
			PaymentChannels::top_up(RuntimeOrigin::signed(PAYEE), channel, 1),
			Error::<Test>::NotPayer
		);
		assert_noop!(PaymentChannels::top_up(payer.clone(), channel, 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			PaymentChannels::top_up(payer.clone(), channel, INITIAL_BALANCE),
			TokenError::FundsUnavailable
		);
		assert_ok!(PaymentChannels::start_close(payer.clone(), channel));
		assert_noop!(PaymentChannels::top_up(payer.clone(), channel, 1), Error::<Test>::Closing);

		assert_ok!(PaymentChannels::open(
			payer.clone(),
			PAYEE,
			10,
			payer_signer(),
			MIN_CHALLENGE,
			Some(20)
		));
		run_to(21);
		assert_noop!(PaymentChannels::top_up(payer, 1, 1), Error::<Test>::Expired);
	});
}
