//! A device's channel follows its device: once the device is not bound to the payer
//! (transferred, rotated, not active, removed), the channel takes no more funds and its challenge
//! period starts, so the payee keeps exactly that period for the vouchers it holds and the rest
//! returns to the payer.

use crate::{mock::*, *};
use frame::testing_prelude::*;

/// Whether the pallet announced that `channel`'s device left its payer, and with which deadline.
fn unbound_events(channel: ChannelId) -> (bool, Option<u64>) {
	let events = events();
	let unbound = events.contains(&Event::DeviceUnbound { channel, device: DEVICE });
	let settle_after = events.iter().find_map(|e| match e {
		Event::CloseStarted { channel: c, settle_after } if *c == channel => Some(*settle_after),
		_ => None,
	});
	(unbound, settle_after)
}

/// Before: the buyer of a second-hand device kept spending the old owner's channel with the
/// device's key, with no end. After: the first claim that sees the transfer starts the challenge
/// period; vouchers redeem within it only, and the rest returns to the old owner.
#[test]
fn a_transferred_device_stops_paying_from_its_old_owners_channel() {
	test(|| {
		let channel = open_device_channel(1_000);
		assert_eq!(PaymentChannels::device_bound(channel), Some(true));
		// The payee holds a voucher for service before the sale.
		let earned = signed_by_device(channel, voucher(300, 1));
		run_to(10);
		TestRegistry::update(DEVICE, |d| d.owner = STRANGER);
		assert_eq!(PaymentChannels::device_bound(channel), Some(false));
		// The old owner's money no longer goes in.
		assert_noop!(
			PaymentChannels::top_up(RuntimeOrigin::signed(PAYER), channel, 10),
			Error::<Test>::DeviceUnbound
		);
		// The dry run answers as the claim will: it pays, within the period it starts.
		assert_eq!(PaymentChannels::check_voucher(channel, earned.clone()), Ok(300));
		assert_eq!(
			Channels::<Test>::get(channel).unwrap().closing_until,
			None,
			"a read writes nothing"
		);
		assert_ok!(claim(channel, earned));
		let deadline = 10 + MIN_CHALLENGE;
		assert_eq!(unbound_events(channel), (true, Some(deadline)));
		assert_eq!(Channels::<Test>::get(channel).unwrap().closing_until, Some(deadline));
		// The buyer signs with the device it now holds: nothing after the period redeems.
		run_to(deadline + 1);
		assert_noop!(
			claim(channel, signed_by_device(channel, voucher(1_000, 2))),
			Error::<Test>::ClaimPeriodOver
		);
		run_to(deadline + LOCK_GRACE + 1);
		assert_ok!(PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel));
		assert_eq!(last_event(), Event::Closed { channel, paid: 300, refunded: 700 });
		assert_eq!(free(&PAYER), INITIAL_BALANCE - 300);
	});
}

/// Before: marking a device compromised changed nothing for its channels, and only the payer
/// could start closing them. After: anyone may start the challenge period of a channel whose
/// device is not bound; a channel whose device is bound, or a key channel, stays the payer's.
#[test]
fn anyone_starts_closing_the_channel_of_a_compromised_device() {
	test(|| {
		let key_channel = open(1_000);
		let channel = open_device_channel(1_000);
		assert_noop!(
			PaymentChannels::start_close(RuntimeOrigin::signed(STRANGER), channel),
			Error::<Test>::NotPayer
		);
		// A thief has the key; the owner marks the device compromised (no longer active).
		TestRegistry::update(DEVICE, |d| d.active = false);
		assert_noop!(
			PaymentChannels::start_close(RuntimeOrigin::signed(STRANGER), key_channel),
			Error::<Test>::NotPayer
		);
		System::reset_events();
		assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(STRANGER), channel));
		assert_eq!(unbound_events(channel), (true, Some(1 + MIN_CHALLENGE)));
		assert_noop!(
			PaymentChannels::start_close(RuntimeOrigin::signed(STRANGER), channel),
			Error::<Test>::AlreadyClosing
		);
		run_to(1 + MIN_CHALLENGE + LOCK_GRACE + 1);
		assert_ok!(PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), channel));
		assert_eq!(last_event(), Event::Closed { channel, paid: 0, refunded: 1_000 });
	});
}

/// A payer cannot cancel what it owes by marking its own device compromised: the payee keeps the
/// challenge period for the vouchers it holds.
#[test]
fn marking_ones_own_device_compromised_does_not_cancel_what_is_owed() {
	test(|| {
		let channel = open_device_channel(1_000);
		let earned = signed_by_device(channel, voucher(600, 1));
		TestRegistry::update(DEVICE, |d| d.active = false);
		assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), channel));
		run_to(1 + MIN_CHALLENGE);
		assert_ok!(claim(channel, earned));
		assert_eq!(free(&PAYEE), INITIAL_BALANCE + 600);
	});
}

/// Rotation (the old key may be exposed), removal and loss of the payer's rights each unbind.
#[test]
fn rotation_removal_and_lost_rights_unbind_the_channel() {
	let cases: [fn(); 3] = [
		|| TestRegistry::update(DEVICE, |d| d.key = DeviceKey::Sr25519([1; 32])),
		|| TestRegistry::remove(DEVICE),
		// The payer is an operator no longer (in the double, only the owner may act).
		|| TestRegistry::update(DEVICE, |d| d.owner = PAYEE),
	];
	for change in cases {
		test(|| {
			let channel = open_device_channel(1_000);
			change();
			assert_eq!(PaymentChannels::device_bound(channel), Some(false));
			assert_noop!(
				PaymentChannels::top_up(RuntimeOrigin::signed(PAYER), channel, 10),
				Error::<Test>::DeviceUnbound
			);
			assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(STRANGER), channel));
			assert!(events().contains(&Event::DeviceUnbound { channel, device: DEVICE }));
		});
	}
}

/// A channel already closing keeps its deadline: unbinding never extends or restarts it.
#[test]
fn a_closing_channel_keeps_its_deadline_when_its_device_leaves() {
	test(|| {
		let channel = open_device_channel(1_000);
		run_to(10);
		assert_ok!(PaymentChannels::start_close(RuntimeOrigin::signed(PAYER), channel));
		run_to(13);
		TestRegistry::update(DEVICE, |d| d.owner = STRANGER);
		System::reset_events();
		assert_ok!(claim(channel, signed_by_device(channel, voucher(100, 1))));
		assert_eq!(unbound_events(channel), (false, None));
		assert_eq!(Channels::<Test>::get(channel).unwrap().closing_until, Some(10 + MIN_CHALLENGE));
		// A key channel is always bound.
		let key_channel = open(100);
		assert_eq!(PaymentChannels::device_bound(key_channel), Some(true));
		assert_eq!(PaymentChannels::device_bound(99), None);
	});
}
