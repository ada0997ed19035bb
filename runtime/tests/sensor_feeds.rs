//! Sensor feeds in our runtime: the feed deposit, the dev preset's operator, and the benchmarked
//! weight of one report against a balance transfer.
//!
//! `cargo test -p iot-runtime --test sensor_feeds -- --nocapture` prints the figures the README
//! quotes.

use iot_runtime::{configs::iot::FeedDeposit, token, Runtime};
use pallet_sensor_feeds::WeightInfo as _;
use polkadot_sdk::{
	frame_support::{dispatch::DispatchClass, traits::Get},
	frame_system,
	pallet_balances::WeightInfo as _,
	sp_keyring::Sr25519Keyring,
};

mod common;
use common::{iot, state_of};

type FeedWeights = <Runtime as pallet_sensor_feeds::Config>::WeightInfo;
type BalancesWeights = <Runtime as polkadot_sdk::pallet_balances::Config>::WeightInfo;

#[test]
fn the_feed_deposit_follows_the_record_size() {
	use codec::MaxEncodedLen;
	let bytes = pallet_sensor_feeds::FeedOf::<Runtime>::max_encoded_len();
	// The record and its prepaid-balance entry.
	assert_eq!(FeedDeposit::get(), token::deposit(2, bytes as u32 + 64));
	println!(
		"deposit: feed {} IOT ({bytes} bytes, pending round of 16 operators included, and its balance entry)",
		iot(FeedDeposit::get())
	);
	assert!(FeedDeposit::get() < 2 * token::UNIT, "a feed must stay affordable");
}

#[test]
fn the_dev_chain_is_operated_by_alice() {
	state_of(polkadot_sdk::sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let operators = pallet_sensor_feeds::Operators::<Runtime>::get();
		let alice: pallet_sensor_feeds::crypto::Public = Sr25519Keyring::Alice.public().into();
		assert_eq!(operators.into_inner(), vec![alice]);
	});
}

#[test]
fn report_weights_against_a_transfer() {
	let transfer = BalancesWeights::transfer_keep_alive();
	let block = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(DispatchClass::Normal)
		.max_total
		.unwrap_or_default();
	let max = <Runtime as pallet_sensor_feeds::Config>::MaxOperators::get();
	let rows = [
		("balances.transfer_keep_alive", transfer),
		("authorize_report (pool check, signature)", FeedWeights::authorize_report()),
		("report, below the quorum", FeedWeights::report()),
		("report settling a round of 1 (median, record)", FeedWeights::report_settling(1)),
		("report settling a round of 16", FeedWeights::report_settling(max)),
		("register_feed", FeedWeights::register_feed()),
		("check_stale, 8 feeds (per block)", FeedWeights::check_stale(8)),
		("fund_feed", FeedWeights::fund_feed()),
		("withdraw_feed_balance", FeedWeights::withdraw_feed_balance()),
		("remove_feed (an abandoned one, by a stranger)", FeedWeights::remove_feed()),
	];
	println!("| call | ref time incl. storage (µs) | × transfer_keep_alive |");
	println!("|---|---|---|");
	for (name, weight) in rows {
		println!(
			"| {name} | {:.1} | {:.2} |",
			weight.ref_time() as f64 / 1e6,
			weight.ref_time() as f64 / transfer.ref_time() as f64
		);
	}
	let one = FeedWeights::authorize_report().saturating_add(FeedWeights::report_settling(1));
	println!(
		"single-operator feed values per block (normal class, ref time): {}",
		block.ref_time() / one.ref_time().max(1)
	);
	assert!(FeedWeights::report_settling(max).ref_time() >= FeedWeights::report().ref_time());
}

/// Reports are fee-free: `MaxReportWeightPerBlock` bounds their share of a block. How many fit
/// (each counted at its most: settling a round of 16, with its authorization, by ref time and by
/// proof size), against what the feeds could ask for at most.
#[test]
fn reports_take_a_bounded_share_of_a_block() {
	let normal = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(DispatchClass::Normal)
		.max_total
		.unwrap_or_default();
	let share = <Runtime as pallet_sensor_feeds::Config>::MaxReportWeightPerBlock::get();
	assert!(
		share.ref_time() <= normal.ref_time() / 4 && share.proof_size() <= normal.proof_size() / 4,
		"at most a quarter of the normal class"
	);
	let one = FeedWeights::report_settling(1).saturating_add(FeedWeights::authorize_report());
	let by_time = share.ref_time() / one.ref_time().max(1);
	let by_proof = share.proof_size() / one.proof_size().max(1);
	println!(
		"report share per block: {:.1} ms, {} KiB; single-operator settling reports that fit: {by_time} by ref time, {by_proof} by proof size (estimated, worst case)",
		share.ref_time() as f64 / 1e9,
		share.proof_size() / 1024,
	);
	// 256 single-operator feeds at a 4-relay-block interval (24 s): 64 settling reports per
	// 6-second block.
	assert!(by_time.min(by_proof) >= 64, "the share serves every feed every 24 s");
}
