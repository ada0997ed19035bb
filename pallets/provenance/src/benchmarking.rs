//! Benchmarks (FRAME v2) of every call in its worst case:
//!
//! - `anchor_*`: one per key type of the device (P-256 is verified in the runtime), with the
//!   longest content id; the batch size does not enter (only its root is stored);
//! - `remove_stream` over the stored anchors `a` (up to the window);
//! - `attest` superseding an earlier attestation (one more read and write) with the longest
//!   schema;
//! - `anchor_product` over the number of inputs `i`.
//!
//! Devices are registered through the `Config::BenchmarkHelper` and sign with
//! `iot_primitives::bench::BenchKey`, so the runtime's real registry verifies real signatures.

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
use frame::{benchmarking::prelude::*, traits::fungible::Mutate};
use iot_primitives::bench::{BenchKey, BenchmarkHelper as _};

fn fund<T: Config>(who: &T::AccountId) {
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	let _ = T::Currency::set_balance(who, amount);
}

fn bounded<S: Get<u32>>(byte: u8) -> BoundedVec<u8, S> {
	vec![byte; S::get() as usize].try_into().expect("exactly the bound")
}

fn max_info<T: Config>() -> StreamInfo<LabelOf<T>, SchemaOf<T>> {
	StreamInfo {
		name: bounded::<T::MaxLabelLen>(b'n'),
		unit: bounded::<T::MaxLabelLen>(b'u'),
		value_type: ValueType::Structured,
		sampling_interval_ms: 1_000,
		schema: bounded::<T::MaxSchemaLen>(b's'),
	}
}

/// A funded owner, a device of `kind` it owns (key seed 7), and a stream of that device.
fn device_stream<T: Config>(kind: KeyKind) -> (T::AccountId, BenchKey, StreamId) {
	let owner: T::AccountId = account("owner", 0, 0);
	fund::<T>(&owner);
	let key = BenchKey::new(kind, 7);
	let device = T::BenchmarkHelper::register_device(&owner, key.public).expect("registry can");
	Pallet::<T>::create_stream(RawOrigin::Signed(owner.clone()).into(), device, max_info::<T>())
		.expect("owner is funded");
	(owner, key, NextStreamId::<T>::get() - 1)
}

fn max_statement<T: Config>(sequence: u64) -> AnchorStatementOf<T> {
	AnchorStatement {
		sequence,
		root: [sequence as u8; 32],
		count: u32::MAX,
		first_timestamp: 1_700_000_000_000,
		last_timestamp: 1_700_000_060_000,
		content_id: Some(bounded::<T::MaxContentIdLen>(b'c')),
	}
}

/// Anchors with sequence `sequence` on `stream`, signed by `key`.
fn anchor_one<T: Config>(stream: StreamId, key: &BenchKey, sequence: u64) {
	let (statement, signature) = signed::<T>(stream, key, sequence);
	let relayer: T::AccountId = account("gateway", 0, 0);
	Pallet::<T>::anchor(RawOrigin::Signed(relayer).into(), stream, statement, signature)
		.expect("a valid anchor");
}

fn signed<T: Config>(
	stream: StreamId,
	key: &BenchKey,
	sequence: u64,
) -> (AnchorStatementOf<T>, DeviceSignature) {
	let statement = max_statement::<T>(sequence);
	let device = Streams::<T>::get(stream).expect("stream exists").device;
	let payload = Pallet::<T>::payload(device, stream, &statement);
	let signature = key.sign(&payload.signing_bytes());
	(statement, signature)
}

/// Runs `anchor` once, timed, for a device of `kind` that anchored before (so the sequence check
/// and the slot overwrite are on their worst path).
fn bench_anchor<T: Config>(
	kind: KeyKind,
) -> (T::AccountId, StreamId, AnchorStatementOf<T>, DeviceSignature) {
	let (_, key, stream) = device_stream::<T>(kind);
	for sequence in 1..=T::AnchorWindow::get() as u64 {
		anchor_one::<T>(stream, &key, sequence);
	}
	let (statement, signature) = signed::<T>(stream, &key, T::AnchorWindow::get() as u64 + 1);
	(whitelisted_caller(), stream, statement, signature)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_stream() {
		// An operator with `MANAGE_FEEDS` of a batch-claimed device declares the stream: the
		// device, its batch and its whole operator list are read.
		let operator: T::AccountId = whitelisted_caller();
		let owner: T::AccountId = account("device-owner", 0, 0);
		fund::<T>(&operator);
		fund::<T>(&owner);
		let device = T::BenchmarkHelper::register_device_with_operator(
			&owner,
			&operator,
			BenchKey::new(KeyKind::Sr25519, 1).public,
		)
		.expect("registry can");
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), device, max_info::<T>());
		assert!(Streams::<T>::contains_key(0));
	}

	/// `a` stored entries: anchors first, then recorded readings (both windows full at the top).
	#[benchmark]
	fn remove_stream(a: Linear<0, { Pallet::<T>::max_stored_per_stream() }>) {
		let (owner, key, stream) = device_stream::<T>(KeyKind::Sr25519);
		let anchors = a.min(T::AnchorWindow::get());
		for sequence in 1..=anchors as u64 {
			anchor_one::<T>(stream, &key, sequence);
		}
		for round in 0..a.saturating_sub(anchors) as u64 {
			<Pallet<T> as ProvenanceRecorder<T::AccountId>>::record(
				stream, round, &[0u8; 64], 0, &owner,
			)
			.expect("the stream's device is active");
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), stream);
		assert!(!Streams::<T>::contains_key(stream));
		assert_eq!(RecordedReadings::<T>::iter_prefix(stream).count(), 0);
	}

	#[benchmark]
	fn anchor_ed25519() {
		let (caller, stream, statement, signature) = bench_anchor::<T>(KeyKind::Ed25519);
		#[extrinsic_call]
		anchor(RawOrigin::Signed(caller), stream, statement, signature);
		assert!(Pallet::<T>::latest_anchor(stream).is_some());
	}

	#[benchmark]
	fn anchor_sr25519() {
		let (caller, stream, statement, signature) = bench_anchor::<T>(KeyKind::Sr25519);
		#[extrinsic_call]
		anchor(RawOrigin::Signed(caller), stream, statement, signature);
		assert!(Pallet::<T>::latest_anchor(stream).is_some());
	}

	#[benchmark]
	fn anchor_secp256k1() {
		let (caller, stream, statement, signature) = bench_anchor::<T>(KeyKind::Secp256k1);
		#[extrinsic_call]
		anchor(RawOrigin::Signed(caller), stream, statement, signature);
		assert!(Pallet::<T>::latest_anchor(stream).is_some());
	}

	#[benchmark]
	fn anchor_p256() {
		let (caller, stream, statement, signature) = bench_anchor::<T>(KeyKind::P256);
		#[extrinsic_call]
		anchor(RawOrigin::Signed(caller), stream, statement, signature);
		assert!(Pallet::<T>::latest_anchor(stream).is_some());
	}

	#[benchmark]
	fn attest() {
		let (_, _, stream) = device_stream::<T>(KeyKind::Sr25519);
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let subject = Subject::Stream(stream);
		let schema = Some(bounded::<T::MaxSchemaLen>(b's'));
		Pallet::<T>::attest(
			RawOrigin::Signed(caller.clone()).into(),
			subject,
			[1; 32],
			schema.clone(),
			Zero::zero(),
			None,
			None,
		)
		.expect("funded");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), subject, [2; 32], schema, Zero::zero(), None, Some(0));
		assert!(Attestations::<T>::get(0).unwrap().superseded_at.is_some());
	}

	#[benchmark]
	fn revoke_attestation() {
		let (_, _, stream) = device_stream::<T>(KeyKind::Sr25519);
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Pallet::<T>::attest(
			RawOrigin::Signed(caller.clone()).into(),
			Subject::Stream(stream),
			[1; 32],
			None,
			Zero::zero(),
			None,
			None,
		)
		.expect("funded");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 0);
		assert!(Attestations::<T>::get(0).unwrap().revoked_at.is_some());
	}

	#[benchmark]
	fn remove_attestation() {
		let (_, _, stream) = device_stream::<T>(KeyKind::Sr25519);
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Pallet::<T>::attest(
			RawOrigin::Signed(caller.clone()).into(),
			Subject::Stream(stream),
			[1; 32],
			None,
			Zero::zero(),
			None,
			None,
		)
		.expect("funded");
		Pallet::<T>::revoke_attestation(RawOrigin::Signed(caller.clone()).into(), 0)
			.expect("attester");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 0);
		assert!(!Attestations::<T>::contains_key(0));
	}

	#[benchmark]
	fn anchor_product(i: Linear<1, { T::MaxInputs::get() }>) {
		// Distinct input anchors, one per stream, so every input check is a storage read.
		let (owner, key, first) = device_stream::<T>(KeyKind::Sr25519);
		let device = Streams::<T>::get(first).expect("stream exists").device;
		let mut inputs = vec![];
		for n in 0..i {
			let stream = if n == 0 {
				first
			} else {
				Pallet::<T>::create_stream(
					RawOrigin::Signed(owner.clone()).into(),
					device,
					max_info::<T>(),
				)
				.expect("owner is funded");
				NextStreamId::<T>::get() - 1
			};
			anchor_one::<T>(stream, &key, 1);
			inputs.push((stream, 0));
		}
		let inputs: InputsOf<T> = inputs.try_into().expect("<= MaxInputs");
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller),
			inputs,
			[3; 32],
			u32::MAX,
			Some(bounded::<T::MaxContentIdLen>(b'c')),
		);
		assert!(Products::<T>::contains_key(0));
	}

	#[benchmark]
	fn remove_product() {
		let (_, key, stream) = device_stream::<T>(KeyKind::Sr25519);
		anchor_one::<T>(stream, &key, 1);
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Pallet::<T>::anchor_product(
			RawOrigin::Signed(caller.clone()).into(),
			vec![(stream, 0)].try_into().expect("one input"),
			[3; 32],
			1,
			None,
		)
		.expect("funded");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 0);
		assert!(!Products::<T>::contains_key(0));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
