//! Provenance in our runtime: deposits in IOT and the benchmarked weight of anchoring against a
//! balance transfer (the budget: an sr25519 anchor at most 1.5×
//! `transfer_keep_alive`, independent of the batch size).
//!
//! `cargo test -p iot-runtime --test provenance -- --nocapture` prints the figures the README
//! quotes.

use iot_runtime::{
	configs::iot::{AttestationDeposit, ProductDeposit, StreamDeposit},
	token, Runtime,
};
use pallet_provenance::WeightInfo as _;
use polkadot_sdk::{
	frame_support::{dispatch::DispatchClass, traits::Get},
	frame_system,
	pallet_balances::WeightInfo as _,
};

mod common;
use common::iot;

type ProvenanceWeights = <Runtime as pallet_provenance::Config>::WeightInfo;
type BalancesWeights = <Runtime as polkadot_sdk::pallet_balances::Config>::WeightInfo;

#[test]
fn deposits_are_affordable_and_cover_the_window() {
	let (stream, attestation, product) =
		(StreamDeposit::get(), AttestationDeposit::get(), ProductDeposit::get());
	println!(
		"deposits: stream (with its window) {} IOT, attestation {} IOT, product {} IOT",
		iot(stream),
		iot(attestation),
		iot(product)
	);
	let window: u32 = <Runtime as pallet_provenance::Config>::AnchorWindow::get();
	{
		use codec::MaxEncodedLen;
		println!(
			"bytes: anchor {} (value), stream {}, attestation {}, product {}; window {window}",
			pallet_provenance::AnchorOf::<Runtime>::max_encoded_len(),
			pallet_provenance::StreamOf::<Runtime>::max_encoded_len(),
			pallet_provenance::AttestationOf::<Runtime>::max_encoded_len(),
			pallet_provenance::ProductOf::<Runtime>::max_encoded_len(),
		);
	}
	// The stream's deposit pays for every anchor and every recorded reading it can store.
	let recorded: u32 = <Runtime as pallet_provenance::Config>::RecordedWindow::get();
	assert!(stream >= token::deposit(2 + window + recorded, 0));
	{
		use codec::MaxEncodedLen;
		let bytes = pallet_provenance::StreamOf::<Runtime>::max_encoded_len()
			+ window as usize * pallet_provenance::AnchorOf::<Runtime>::max_encoded_len()
			+ recorded as usize * pallet_provenance::RecordedOf::<Runtime>::max_encoded_len();
		assert!(stream >= token::deposit(2 + window + recorded, bytes as u32));
	}
	assert!(stream < 10 * token::UNIT && attestation < token::UNIT && product < token::UNIT);
}

#[test]
fn anchoring_weights_against_a_transfer() {
	let transfer = BalancesWeights::transfer_keep_alive();
	let normal = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(DispatchClass::Normal)
		.max_total
		.unwrap_or_default();
	let rows = [
		("balances.transfer_keep_alive", transfer),
		("anchor ed25519", ProvenanceWeights::anchor_ed25519()),
		("anchor sr25519", ProvenanceWeights::anchor_sr25519()),
		("anchor secp256k1", ProvenanceWeights::anchor_secp256k1()),
		("anchor p256", ProvenanceWeights::anchor_p256()),
		("create_stream", ProvenanceWeights::create_stream()),
		("attest (superseding)", ProvenanceWeights::attest()),
		("revoke_attestation", ProvenanceWeights::revoke_attestation()),
		("anchor_product, 32 inputs", ProvenanceWeights::anchor_product(32)),
	];
	println!(
		"| call | ref time incl. storage (µs) | × transfer_keep_alive | per block (normal class) |"
	);
	println!("|---|---|---|---|");
	for (name, weight) in rows {
		println!(
			"| {name} | {:.1} | {:.2} | {} |",
			weight.ref_time() as f64 / 1e6,
			weight.ref_time() as f64 / transfer.ref_time() as f64,
			normal.ref_time() / weight.ref_time().max(1),
		);
	}
	let sr25519 = ProvenanceWeights::anchor_sr25519();
	let per_block = normal.ref_time() / sr25519.ref_time().max(1);
	println!(
		"readings per block at 1,000 per batch (sr25519): {}; per second at 6 s blocks: {}",
		per_block * 1_000,
		per_block * 1_000 / 6
	);
	// The weight of an anchor does not depend on the batch: the benchmark has no component.
	assert!(ProvenanceWeights::anchor_p256().ref_time() > sr25519.ref_time());
	assert!(per_block >= 1_000, "a block holds at least a thousand anchors");
}
