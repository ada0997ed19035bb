//! Benchmarks (FRAME v2) of every call in its worst case:
//!
//! - `open` by an operator of a batch-claimed device, named as the voucher signer (the device,
//!   its batch and its full operator list are read);
//! - `claim_*`: one per voucher key type (P-256 is verified in the runtime), on a device's
//!   channel (the device is read to check it is still bound to the payer) that was claimed
//!   before, with a hash lock opened by the longest preimage and an anchor named;
//! - `claim_many` over the number of channels `n`, each of another payer and device, all paying
//!   the caller (the only payee `claim_many` accepts), sr25519 vouchers; other key types add the
//!   difference between their `claim_*` and `claim_sr25519`;
//! - `top_up` of a device's channel; `start_close` by a stranger on a channel whose device was
//!   compromised (the device read, two events);
//! - `close` with a last sr25519 voucher and a refund; `settle` with a refund.
//!
//! Voucher keys are `iot_primitives::bench::BenchKey`s, so the runtime verifies real signatures.

#![cfg(feature = "runtime-benchmarks")]
// Benchmark setup may panic and do plain arithmetic: it never runs on chain.
#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

use super::*;
use alloc::vec;
use frame::{
	benchmarking::prelude::*,
	traits::fungible::{Inspect, Mutate},
};
use iot_primitives::bench::{BenchKey, BenchmarkHelper as _};

fn fund<T: Config>(who: &T::AccountId) {
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	let _ = T::Currency::set_balance(who, amount);
}

/// A channel's funds: large enough for every voucher the benchmarks sign.
fn funds<T: Config>() -> BalanceOf<T> {
	T::Currency::minimum_balance().saturating_mul(1_000u32.into())
}

/// Opens a funded channel from `payer` to `payee` whose vouchers `key` signs, as the key of a
/// device `payer` registers (a device's channel: claims read the device).
fn open_channel<T: Config>(
	payer: &T::AccountId,
	payee: &T::AccountId,
	key: &BenchKey,
) -> ChannelId {
	fund::<T>(payer);
	// The payer is the device's operator, not its owner: the worst case of every check that
	// the payer may act for the device (the whole operator list is read).
	let owner: T::AccountId = account("device-owner", 0, 0);
	fund::<T>(&owner);
	let device = T::BenchmarkHelper::register_device_with_operator(&owner, payer, key.public)
		.expect("registry can");
	Pallet::<T>::open(
		RawOrigin::Signed(payer.clone()).into(),
		payee.clone(),
		funds::<T>(),
		VoucherSigner::Device(device),
		T::MinChallengePeriod::get(),
		None,
	)
	.expect("funded payer, existing payee");
	NextChannelId::<T>::get() - 1
}

/// A hash-locked voucher (longest preimage, an anchor named) for `units` × the minimum balance.
fn signed_voucher<T: Config>(
	channel: ChannelId,
	key: &BenchKey,
	units: u32,
	nonce: u64,
) -> SignedVoucherOf<T> {
	let preimage: Preimage = vec![nonce as u8; MAX_PREIMAGE_LEN as usize].try_into().unwrap();
	let voucher = Voucher {
		amount: T::Currency::minimum_balance().saturating_mul(units.into()),
		nonce,
		lock: Some(lock_of::<HostBlake2>(&preimage)),
		pays_for: Some((u64::MAX, u64::MAX)),
	};
	let payload = Pallet::<T>::payload(channel, &voucher).expect("amount fits");
	let signature = key.sign(&payload.signing_bytes());
	SignedVoucher { voucher, signature, preimage: Some(preimage) }
}

/// A channel paying the whitelisted caller, claimed once, and the next voucher to redeem.
fn claimed_channel<T: Config>(kind: KeyKind) -> (T::AccountId, ChannelId, SignedVoucherOf<T>) {
	let payee: T::AccountId = whitelisted_caller();
	fund::<T>(&payee);
	let key = BenchKey::new(kind, 3);
	let channel = open_channel::<T>(&account("payer", 0, 0), &payee, &key);
	let first = signed_voucher::<T>(channel, &key, 1, 1);
	Pallet::<T>::claim(RawOrigin::Signed(payee.clone()).into(), channel, first).expect("valid");
	(payee, channel, signed_voucher::<T>(channel, &key, 2, 2))
}

fn bench_claim<T: Config>(kind: KeyKind) -> (T::AccountId, ChannelId, SignedVoucherOf<T>) {
	claimed_channel::<T>(kind)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn open() {
		let payer: T::AccountId = whitelisted_caller();
		let payee: T::AccountId = account("payee", 0, 0);
		fund::<T>(&payer);
		fund::<T>(&payee);
		let owner: T::AccountId = account("device-owner", 0, 0);
		fund::<T>(&owner);
		let device = T::BenchmarkHelper::register_device_with_operator(
			&owner,
			&payer,
			BenchKey::new(KeyKind::P256, 1).public,
		)
		.expect("registry can");
		#[extrinsic_call]
		_(
			RawOrigin::Signed(payer),
			payee,
			funds::<T>(),
			VoucherSigner::Device(device),
			T::MinChallengePeriod::get(),
			Some(T::MinChallengePeriod::get() + 1000u32.into()),
		);
		assert!(Channels::<T>::contains_key(0));
	}

	#[benchmark]
	fn top_up() {
		let payer: T::AccountId = whitelisted_caller();
		let payee: T::AccountId = account("payee", 0, 0);
		fund::<T>(&payee);
		let channel = open_channel::<T>(&payer, &payee, &BenchKey::new(KeyKind::Sr25519, 1));
		#[extrinsic_call]
		_(RawOrigin::Signed(payer), channel, funds::<T>());
		assert_eq!(Channels::<T>::get(channel).unwrap().funds, funds::<T>() + funds::<T>());
	}

	#[benchmark]
	fn claim_ed25519() {
		let (payee, channel, signed) = bench_claim::<T>(KeyKind::Ed25519);
		#[extrinsic_call]
		claim(RawOrigin::Signed(payee), channel, signed);
		assert_eq!(Channels::<T>::get(channel).unwrap().nonce, 2);
	}

	#[benchmark]
	fn claim_sr25519() {
		let (payee, channel, signed) = bench_claim::<T>(KeyKind::Sr25519);
		#[extrinsic_call]
		claim(RawOrigin::Signed(payee), channel, signed);
		assert_eq!(Channels::<T>::get(channel).unwrap().nonce, 2);
	}

	#[benchmark]
	fn claim_secp256k1() {
		let (payee, channel, signed) = bench_claim::<T>(KeyKind::Secp256k1);
		#[extrinsic_call]
		claim(RawOrigin::Signed(payee), channel, signed);
		assert_eq!(Channels::<T>::get(channel).unwrap().nonce, 2);
	}

	#[benchmark]
	fn claim_p256() {
		let (payee, channel, signed) = bench_claim::<T>(KeyKind::P256);
		#[extrinsic_call]
		claim(RawOrigin::Signed(payee), channel, signed);
		assert_eq!(Channels::<T>::get(channel).unwrap().nonce, 2);
	}

	#[benchmark]
	fn claim_many(n: Linear<1, { T::MaxClaims::get() }>) {
		let payee: T::AccountId = whitelisted_caller();
		fund::<T>(&payee);
		let mut claims = vec![];
		for i in 0..n {
			// A device each: the registry refuses a key twice.
			let key = BenchKey::new(KeyKind::Sr25519, 100 + i);
			let channel = open_channel::<T>(&account("payer", i, 0), &payee, &key);
			let first = signed_voucher::<T>(channel, &key, 1, 1);
			Pallet::<T>::claim(RawOrigin::Signed(payee.clone()).into(), channel, first)
				.expect("valid");
			claims.push((channel, signed_voucher::<T>(channel, &key, 2, 2)));
		}
		let claims: ClaimsOf<T> = claims.try_into().expect("at most MaxClaims");
		#[extrinsic_call]
		_(RawOrigin::Signed(payee), claims);
		assert_eq!(Channels::<T>::get(0).unwrap().nonce, 2);
	}

	#[benchmark]
	fn close() {
		let (payee, channel, signed) = claimed_channel::<T>(KeyKind::Sr25519);
		#[extrinsic_call]
		_(RawOrigin::Signed(payee), channel, Some(signed));
		assert!(!Channels::<T>::contains_key(channel));
	}

	#[benchmark]
	fn start_close() {
		let payer: T::AccountId = account("payer", 0, 0);
		let payee: T::AccountId = account("payee", 0, 0);
		fund::<T>(&payee);
		let channel = open_channel::<T>(&payer, &payee, &BenchKey::new(KeyKind::Sr25519, 1));
		let device = Channels::<T>::get(channel).unwrap().device.unwrap();
		let owner = T::Devices::owner(device).expect("registered");
		assert!(T::BenchmarkHelper::compromise_device(&owner, device), "registry can");
		let anyone: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), channel);
		assert!(Channels::<T>::get(channel).unwrap().closing_until.is_some());
	}

	#[benchmark]
	fn settle() {
		let payer: T::AccountId = account("payer", 0, 0);
		let payee: T::AccountId = account("payee", 0, 0);
		fund::<T>(&payee);
		let channel = open_channel::<T>(&payer, &payee, &BenchKey::new(KeyKind::Sr25519, 1));
		Pallet::<T>::start_close(RawOrigin::Signed(payer).into(), channel).expect("payer");
		// The challenge period counts blocks of the pallet's clock (the relay chain's in the
		// runtime), not the parachain's.
		let after = T::BlockNumberProvider::current_block_number()
			+ T::MinChallengePeriod::get()
			+ T::LockGracePeriod::get();
		T::BlockNumberProvider::set_block_number(after + 1u32.into());
		let anyone: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), channel);
		assert!(!Channels::<T>::contains_key(channel));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
