//! Property tests: random sequences of every call, with good and bad vouchers, checked against a
//! model after each step. Money is conserved (no fees in the mock: free + held over all accounts
//! is constant), claimed never exceeds the funds, a claim pays exactly what the model predicts
//! (so nothing is paid twice), claimed amounts and nonces never go down, and `try_state` holds.
//! Seeded, so a failure names the seed that reproduces it.

use crate::{mock::*, *};
use frame::testing_prelude::*;
use std::collections::BTreeMap;

/// xorshift64*: small, deterministic, good enough to pick operations.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}
	fn pick<T: Clone>(&mut self, items: &[T]) -> T {
		items[self.below(items.len() as u64) as usize].clone()
	}
}

/// What the model expects of one channel.
#[derive(Clone, Debug)]
struct Model {
	payee: AccountId,
	funds: Balance,
	claimed: Balance,
	nonce: u64,
	/// The payer's latest promise (cumulative) and the vouchers it signed, oldest first.
	promised: Balance,
	vouchers: Vec<Voucher<Balance>>,
	deadline: Option<u64>,
}

const PARTIES: [AccountId; 3] = [PAYER, PAYEE, STRANGER];

fn total_money() -> Balance {
	use frame::traits::fungible::Inspect;
	PARTIES.iter().map(Balances::total_balance).sum()
}

/// Runs one sequence; returns how many claims paid and how many channels closed.
fn run(seed: u64, steps: usize) -> (u32, u32) {
	new_test_ext().execute_with(|| {
		let (mut paid, mut closed) = (0, 0);
		let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
		let mut model: BTreeMap<ChannelId, Model> = BTreeMap::new();
		let money = total_money();
		for step in 0..steps {
			let now = relay_now();
			let ids: Vec<ChannelId> = model.keys().copied().collect();
			let context = format!("seed {seed} step {step}");
			match rng.below(10) {
				0 | 1 => {
					let payer = rng.pick(&PARTIES);
					let payee = rng.pick(&PARTIES);
					let amount = rng.below(2_000);
					let result = PaymentChannels::open(
						RuntimeOrigin::signed(payer.clone()),
						payee.clone(),
						amount,
						payer_signer(),
						MIN_CHALLENGE,
						None,
					);
					if result.is_ok() {
						let id = NextChannelId::<Test>::get() - 1;
						model.insert(
							id,
							Model {
								payee,
								funds: amount,
								claimed: 0,
								nonce: 0,
								promised: 0,
								vouchers: vec![],
								deadline: None,
							},
						);
					} else {
						assert!(
							payer == payee
								|| amount == 0 || OpenChannels::<Test>::get(&payer) == MAX_CHANNELS,
							"{context}: open failed unexpectedly: {result:?}"
						);
					}
				},
				2 if !ids.is_empty() => {
					let id = rng.pick(&ids);
					let amount = 1 + rng.below(500);
					let payer = Channels::<Test>::get(id).unwrap().payer;
					let result = PaymentChannels::top_up(RuntimeOrigin::signed(payer), id, amount);
					let m = model.get_mut(&id).unwrap();
					if m.deadline.is_none() {
						assert_ok!(result);
						m.funds += amount;
					} else {
						assert_noop!(result, Error::<Test>::Closing);
					}
				},
				3 | 4 if !ids.is_empty() => {
					// The payer promises more and signs a voucher for it.
					let id = rng.pick(&ids);
					let m = model.get_mut(&id).unwrap();
					m.promised += rng.below(300);
					let nonce = m.vouchers.len() as u64 + 1;
					m.vouchers.push(voucher(m.promised, nonce));
				},
				5 | 6 if !ids.is_empty() => {
					// The payee redeems some voucher: usually the latest, sometimes an old one.
					let id = rng.pick(&ids);
					let m = model.get(&id).unwrap().clone();
					let Some(latest) = m.vouchers.last().copied() else { continue };
					let chosen = if rng.below(3) == 0 { rng.pick(&m.vouchers) } else { latest };
					let before = free(&m.payee);
					let result = PaymentChannels::claim(
						RuntimeOrigin::signed(m.payee.clone()),
						id,
						signed(id, chosen),
					);
					let pays = chosen.amount.min(m.funds).saturating_sub(m.claimed);
					let in_time = m.deadline.is_none_or(|d| now <= d);
					if !in_time {
						assert_noop!(result, Error::<Test>::ClaimPeriodOver);
					} else if chosen.nonce <= m.nonce {
						assert_noop!(result, Error::<Test>::StaleNonce);
					} else if pays == 0 {
						assert_noop!(result, Error::<Test>::NothingToClaim);
					} else {
						assert_ok!(result);
						assert_eq!(free(&m.payee), before + pays, "{context}: paid amount");
						let m = model.get_mut(&id).unwrap();
						m.claimed += pays;
						m.nonce = chosen.nonce;
						paid += 1;
					}
				},
				7 if !ids.is_empty() => {
					let id = rng.pick(&ids);
					let payer = Channels::<Test>::get(id).unwrap().payer;
					let result = PaymentChannels::start_close(RuntimeOrigin::signed(payer), id);
					let m = model.get_mut(&id).unwrap();
					if m.deadline.is_none() {
						assert_ok!(result);
						m.deadline = Some(now + MIN_CHALLENGE);
					} else {
						assert_noop!(result, Error::<Test>::AlreadyClosing);
					}
				},
				8 if !ids.is_empty() => {
					let id = rng.pick(&ids);
					let m = model.get(&id).unwrap().clone();
					let by_payee = rng.below(2) == 0;
					let result = if by_payee {
						PaymentChannels::close(RuntimeOrigin::signed(m.payee.clone()), id, None)
					} else {
						PaymentChannels::settle(RuntimeOrigin::signed(STRANGER), id)
					};
					if by_payee || m.deadline.is_some_and(|d| now > d + LOCK_GRACE) {
						assert_ok!(result);
						assert_eq!(
							last_event(),
							Event::Closed {
								channel: id,
								paid: m.claimed,
								refunded: m.funds - m.claimed
							},
							"{context}"
						);
						model.remove(&id);
						closed += 1;
					} else {
						assert_noop!(result, Error::<Test>::StillOpen);
					}
				},
				_ => run_to(now + 1 + rng.below(3)),
			}
			// After every step: money conserved, records match the model, invariants hold.
			assert_eq!(total_money(), money, "{context}: money created or destroyed");
			for (id, m) in &model {
				let record = Channels::<Test>::get(id).expect("modelled channel exists");
				assert_eq!(
					(record.funds, record.claimed, record.nonce),
					(m.funds, m.claimed, m.nonce)
				);
				assert!(record.claimed <= record.funds, "{context}: claimed beyond the funds");
			}
			assert_eq!(Channels::<Test>::iter().count(), model.len(), "{context}");
			PaymentChannels::do_try_state().unwrap_or_else(|e| panic!("{context}: {e:?}"));
		}
		(paid, closed)
	})
}

#[test]
fn random_operation_sequences_keep_the_invariants() {
	let (mut paid, mut closed) = (0, 0);
	for seed in 0..200 {
		let (p, c) = run(seed, 120);
		paid += p;
		closed += c;
	}
	// The sequences do reach the interesting states, not only the refusals.
	assert!(paid > 1_000 && closed > 500, "only {paid} paying claims and {closed} closes");
}

#[test]
fn try_state_detects_corruption() {
	test(|| {
		let channel = open(1_000);
		Channels::<Test>::mutate(channel, |c| c.as_mut().unwrap().claimed = 2_000);
		assert!(PaymentChannels::do_try_state().is_err());
		Channels::<Test>::mutate(channel, |c| c.as_mut().unwrap().claimed = 10);
		// Claimed without the hold being released: holds and records disagree.
		assert!(PaymentChannels::do_try_state().is_err());
		Channels::<Test>::mutate(channel, |c| c.as_mut().unwrap().claimed = 0);
		OpenChannels::<Test>::insert(PAYER, 2);
		assert!(PaymentChannels::do_try_state().is_err());
		OpenChannels::<Test>::insert(PAYER, 1);
		ChannelsByAccount::<Test>::remove(PAYEE, channel);
		assert!(PaymentChannels::do_try_state().is_err());
		ChannelsByAccount::<Test>::insert(PAYEE, channel, ());
	});
}
