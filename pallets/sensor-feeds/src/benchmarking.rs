//! Benchmarks (FRAME v2) of every call and the stale check in their worst case:
//!
//! - `register_feed` / `update_feed` with the longest URL, pointer and unit, and a full
//!   operator set;
//! - `report`: a report that joins a round still short of its quorum, with `MaxOperators`
//!   operators (the assignment and duplicate checks walk all of them);
//! - `report_settling` over the reports `n` of the settling round: median, outlier check, a
//!   reward paid to each of the `n` operators (to accounts that do not exist yet), and the
//!   reading recorded through the runtime's real `ProvenanceRecorder`;
//! - `remove_feed` by a stranger, of an abandoned feed (stale, funded, no value for
//!   `AbandonedAfterRounds` rounds): both holds released; `fund_feed` and `withdraw_feed_balance` on a feed with a balance;
//! - `authorize_report`: the pool's check, signature included;
//! - `check_stale` over the feeds looked at per block, every one of them flagged.
//!
//! Operator keys come from the benchmark keystore (`RuntimeAppPublic::generate_pair`); devices
//! and streams from the `Config::BenchmarkHelper` (`register_device`, `create_stream`).

#![cfg(feature = "runtime-benchmarks")]
// Benchmark setup may panic and do plain arithmetic: it never runs on chain.
#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

use super::*;
use alloc::format;
use frame::{benchmarking::prelude::*, traits::fungible::Mutate};
use iot_primitives::{
	bench::{BenchKey, BenchmarkHelper as _},
	device::KeyKind,
};
use polkadot_sdk::frame_support::traits::Authorize;

fn fund<T: Config>(who: &T::AccountId) {
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	let _ = T::Currency::set_balance(who, amount);
}

fn bounded<S: Get<u32>>(prefix: &[u8]) -> BoundedVec<u8, S> {
	let mut bytes = prefix.to_vec();
	bytes.resize(S::get() as usize, b'a');
	bytes.try_into().expect("exactly the bound")
}

fn max_spec<T: Config>(operators: u8, quorum: u8) -> FeedSpecOf<T> {
	FeedSpec {
		url: bounded::<T::MaxUrlLen>(b"https://"),
		pointer: bounded::<T::MaxPointerLen>(b"/"),
		value_type: FeedValueType::Decimal,
		decimals: 18,
		unit: bounded::<ConstU32<16>>(b""),
		interval: T::MinInterval::get(),
		operators_per_round: operators,
		quorum,
	}
}

/// A prepaid balance for many rounds.
fn prepaid<T: Config>() -> BalanceOf<T> {
	T::ReportReward::get().saturating_mul(1_000u32.into()).max(1u32.into())
}

/// A funded owner with a device and a stream of it.
fn device_and_stream<T: Config>(owner: &T::AccountId) -> (DeviceId, StreamId) {
	fund::<T>(owner);
	let device =
		T::BenchmarkHelper::register_device(owner, BenchKey::new(KeyKind::Sr25519, 9).public)
			.expect("registry can");
	let stream = T::BenchmarkHelper::create_stream(owner, device).expect("recorder can");
	(device, stream)
}

/// `n` operators from the benchmark keystore, set on chain.
fn operators<T: Config>(n: u32) -> Vec<T::AuthorityId> {
	let keys: Vec<T::AuthorityId> = (0..n)
		.map(|i| T::AuthorityId::generate_pair(Some(format!("//operator{i}").into_bytes())))
		.collect();
	let mut sorted = keys.clone();
	sorted.sort();
	Operators::<T>::put(OperatorsOf::<T>::try_from(sorted).expect("at most MaxOperators"));
	keys
}

/// `asked` operators on chain and a feed of `owner` (funded, with a device and a stream)
/// asking one of them, prepaid with `balance`; returns its id.
fn feed_of<T: Config>(owner: &T::AccountId, asked: u32, balance: BalanceOf<T>) -> FeedId {
	let (device, stream) = device_and_stream::<T>(owner);
	operators::<T>(asked);
	Pallet::<T>::register_feed(
		RawOrigin::Signed(owner.clone()).into(),
		device,
		stream,
		max_spec::<T>(1, 1).into_input(),
		balance,
	)
	.expect("valid feed");
	NextFeedId::<T>::get() - 1
}

/// A feed asking all `n` operators with quorum `quorum`, its current round, and the reports of
/// the first `already` operators in.
fn feed_with_reports<T: Config>(
	n: u32,
	quorum: u32,
	already: u32,
) -> (FeedId, Round, Vec<T::AuthorityId>) {
	let owner: T::AccountId = account("owner", 0, 0);
	let (device, stream) = device_and_stream::<T>(&owner);
	let keys = operators::<T>(n);
	Pallet::<T>::register_feed(
		RawOrigin::Signed(owner).into(),
		device,
		stream,
		max_spec::<T>(n as u8, quorum as u8).into_input(),
		prepaid::<T>(),
	)
	.expect("valid feed");
	let feed = NextFeedId::<T>::get() - 1;
	// Rounds count blocks of the pallet's clock (the relay chain's in the runtime).
	let now = T::BlockNumberProvider::current_block_number() + T::MinInterval::get();
	T::BlockNumberProvider::set_block_number(now);
	let round = Pallet::<T>::round_at(&Feeds::<T>::get(feed).unwrap().spec, now);
	for (i, key) in keys.iter().enumerate().take(already as usize) {
		let (report, signature) = signed::<T>(feed, round, key, i as i128 * 1_000);
		Pallet::<T>::report(RawOrigin::Authorized.into(), report, signature).expect("counted");
	}
	(feed, round, keys)
}

fn signed<T: Config>(
	feed: FeedId,
	round: Round,
	key: &T::AuthorityId,
	value: i128,
) -> (Report<T::AuthorityId>, <T::AuthorityId as RuntimeAppPublic>::Signature) {
	let payload = ReportPayload::new(Pallet::<T>::genesis_hash(), feed, round, value);
	let signature = key.sign(&payload.signing_bytes()).expect("key in the keystore");
	(Report { feed, round, value, operator: key.clone() }, signature)
}

#[benchmarks(where <T as frame_system::Config>::RuntimeCall: From<Call<T>>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_feed() {
		// An operator with `MANAGE_FEEDS` of a batch-claimed device registers the feed: the
		// device, its batch and its whole operator list are read.
		let operator: T::AccountId = whitelisted_caller();
		let owner: T::AccountId = account("device-owner", 0, 0);
		fund::<T>(&operator);
		fund::<T>(&owner);
		let device = T::BenchmarkHelper::register_device_with_operator(
			&owner,
			&operator,
			BenchKey::new(KeyKind::Sr25519, 9).public,
		)
		.expect("registry can");
		let device_owner = T::Devices::owner(device).expect("registered");
		let stream =
			T::BenchmarkHelper::create_stream(&device_owner, device).expect("recorder can");
		let max = T::MaxOperators::get() as u8;
		operators::<T>(max.into());
		#[extrinsic_call]
		_(
			RawOrigin::Signed(operator),
			device,
			stream,
			max_spec::<T>(max, max).into_input(),
			prepaid::<T>(),
		);
		assert_eq!(FeedCount::<T>::get(), 1);
		assert_eq!(FeedBalances::<T>::get(0), prepaid::<T>());
	}

	#[benchmark]
	fn update_feed() {
		let owner: T::AccountId = whitelisted_caller();
		feed_of::<T>(&owner, T::MaxOperators::get(), prepaid::<T>());
		let max = T::MaxOperators::get() as u8;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), 0, max_spec::<T>(max, max).into_input());
		assert_eq!(Feeds::<T>::get(0).unwrap().spec.quorum, max);
	}

	/// A stranger removes an abandoned feed on the longest path: stale, funded for a round, and
	/// without a value for more than `AbandonedAfterRounds` rounds (so the clock is read too);
	/// both holds are released.
	#[benchmark]
	fn remove_feed() {
		let owner: T::AccountId = account("owner", 0, 0);
		feed_of::<T>(&owner, T::MaxOperators::get(), prepaid::<T>());
		Feeds::<T>::mutate(0, |feed| feed.as_mut().unwrap().stale = true);
		let later = T::MinInterval::get() * (T::AbandonedAfterRounds::get() + 2).into();
		T::BlockNumberProvider::set_block_number(
			T::BlockNumberProvider::current_block_number() + later,
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(whitelisted_caller()), 0);
		assert_eq!(FeedCount::<T>::get(), 0);
		assert!(T::Currency::balance_on_hold(&HoldReason::FeedBalance.into(), &owner).is_zero());
	}

	#[benchmark]
	fn fund_feed() {
		let owner: T::AccountId = whitelisted_caller();
		feed_of::<T>(&owner, 1, prepaid::<T>());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), 0, prepaid::<T>());
		assert_eq!(FeedBalances::<T>::get(0), prepaid::<T>() + prepaid::<T>());
	}

	#[benchmark]
	fn withdraw_feed_balance() {
		let owner: T::AccountId = whitelisted_caller();
		let balance = prepaid::<T>() + prepaid::<T>();
		feed_of::<T>(&owner, 1, balance);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), 0, prepaid::<T>());
		assert_eq!(FeedBalances::<T>::get(0), prepaid::<T>());
	}

	#[benchmark]
	fn set_operators(n: Linear<1, { T::MaxOperators::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let keys: Vec<T::AuthorityId> = (0..n)
			.map(|i| T::AuthorityId::generate_pair(Some(format!("//set{i}").into_bytes())))
			.collect();
		let keys: OperatorsOf<T> = keys.try_into().expect("at most MaxOperators");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, keys);
		assert_eq!(Operators::<T>::get().len() as u32, n);
		Ok(())
	}

	#[benchmark]
	fn report() {
		let max = T::MaxOperators::get();
		// Quorum of all operators, all but two reported: the next one still waits.
		let (feed, round, keys) = feed_with_reports::<T>(max, max, max.saturating_sub(2));
		let (submitted, signature) =
			signed::<T>(feed, round, &keys[max.saturating_sub(2) as usize], 7);
		#[extrinsic_call]
		_(RawOrigin::Authorized, submitted, signature);
		assert!(max == 1 || Feeds::<T>::get(feed).unwrap().last.is_none());
	}

	#[benchmark]
	fn report_settling(n: Linear<1, { T::MaxOperators::get() }>) {
		let (feed, round, keys) = feed_with_reports::<T>(T::MaxOperators::get(), n, n - 1);
		let (submitted, signature) = signed::<T>(feed, round, &keys[n as usize - 1], i128::MAX / 2);
		#[extrinsic_call]
		report(RawOrigin::Authorized, submitted, signature);
		assert_eq!(Feeds::<T>::get(feed).unwrap().last.unwrap().reporters as u32, n);
		assert!(FeedBalances::<T>::get(feed) < prepaid::<T>() || T::ReportReward::get().is_zero());
	}

	#[benchmark]
	fn authorize_report() -> Result<(), BenchmarkError> {
		let max = T::MaxOperators::get();
		let (feed, round, keys) = feed_with_reports::<T>(max, max, max.saturating_sub(2));
		let (submitted, signature) =
			signed::<T>(feed, round, &keys[max.saturating_sub(2) as usize], 7);
		let call: <T as frame_system::Config>::RuntimeCall =
			Call::<T>::report { report: submitted, signature }.into();
		#[block]
		{
			call.authorize(TransactionSource::External)
				.expect("report is an authorized call")
				.map_err(|_| "authorize failed")?;
		}
		Ok(())
	}

	#[benchmark]
	fn check_stale(n: Linear<0, { T::StaleChecksPerBlock::get() }>) {
		let owner: T::AccountId = account("owner", 0, 0);
		let (device, stream) = device_and_stream::<T>(&owner);
		operators::<T>(1);
		for _ in 0..n {
			Pallet::<T>::register_feed(
				RawOrigin::Signed(owner.clone()).into(),
				device,
				stream,
				max_spec::<T>(1, 1).into_input(),
				prepaid::<T>(),
			)
			.expect("valid feed");
		}
		let later = T::MinInterval::get() * (T::StaleAfterRounds::get() + 2).into();
		let now = T::BlockNumberProvider::current_block_number() + later;
		let checked;
		#[block]
		{
			checked = Pallet::<T>::check_stale(now);
		}
		assert_eq!(checked, n);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::Env::new(0).ext, crate::mock::Test);
}
