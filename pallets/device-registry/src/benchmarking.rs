//! Benchmarks (FRAME v2) of every call, in its worst case:
//!
//! - signature-checking calls are benchmarked once per key type (P-256 is verified in the
//!   runtime and is by far the most expensive); the callers are active manufacturers (one more
//!   read, one more field written) and metadata is at its maximum length;
//! - `claim_from_batch_*` over the proof length `p` up to 32 siblings;
//! - `accept_transfer` and `remove_device` over the number of operators dropped `o`;
//! - operator checks find the caller at the end of a full operator list.
//!
//! Real signatures are made here with `iot_primitives::bench::BenchKey`: ed25519, sr25519 and
//! secp256k1 with keys generated in the keystore that the benchmark CLI (and the mock) register;
//! P-256 with `p256` from a fixed secret, normalised to low S as the runtime requires.

#![cfg(feature = "runtime-benchmarks")]
// Benchmark setup may panic and do plain arithmetic: it never runs on chain.
#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

use super::*;
use polkadot_sdk::polkadot_sdk_frame as frame;

use alloc::{vec, vec::Vec};
use frame::{benchmarking::prelude::*, traits::fungible::Mutate};
use iot_primitives::{
	bench::BenchKey,
	device::{
		self as device_format, ClaimPayload, RegistrationPayload, RotationPayload, MAX_MERKLE_DEPTH,
	},
};

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	fund::<T>(&who);
	who
}

fn fund<T: Config>(who: &T::AccountId) {
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	let _ = T::Currency::set_balance(who, amount);
}

fn bounded<S: Get<u32>>(byte: u8) -> BoundedVec<u8, S> {
	vec![byte; S::get() as usize].try_into().expect("exactly the bound")
}

fn max_metadata<T: Config>() -> DeviceMetadataOf<T> {
	DeviceMetadata {
		model: bounded::<T::MaxModelLen>(b'm'),
		firmware_version: bounded::<T::MaxFirmwareVersionLen>(b'v'),
		firmware_hash: Some([0xf1; 32]),
		uri: bounded::<T::MaxUriLen>(b'u'),
	}
}

/// Makes `who` an active manufacturer with maximal name and metadata.
fn approve<T: Config>(who: &T::AccountId) {
	Manufacturers::<T>::insert(
		who,
		ManufacturerInfo {
			name: bounded::<T::MaxNameLen>(b'n'),
			metadata: bounded::<T::MaxManufacturerMetadataLen>(b'd'),
			status: ManufacturerStatus::Active,
		},
	);
}

/// A device owned by `owner` with maximal metadata. Its key is a placeholder: setups that need
/// the device's own signature use [`BenchKey`].
fn device<T: Config>(owner: &T::AccountId, seed: u32) -> DeviceId {
	let key = DeviceKey::Sr25519(frame::deps::sp_io::hashing::blake2_256(
		&(b"bench-device", seed).encode(),
	));
	Pallet::<T>::insert_device(owner.clone(), key, Some(owner.clone()), None, max_metadata::<T>())
		.expect("owner is funded")
}

/// Fills the operator list of `device` with `count` operators holding `RELAY_READINGS`; if
/// `last_manages` the last one holds `MANAGE_DEVICE` instead and is returned.
fn operators<T: Config>(
	device: DeviceId,
	owner: &T::AccountId,
	count: u32,
	last_manages: bool,
) -> Option<T::AccountId> {
	let mut last = None;
	for i in 0..count {
		let operator: T::AccountId = account("operator", i, 0);
		let permissions = if last_manages && i + 1 == count {
			Permissions::MANAGE_DEVICE
		} else {
			Permissions::RELAY_READINGS
		};
		Pallet::<T>::add_operator(
			RawOrigin::Signed(owner.clone()).into(),
			device,
			T::Lookup::unlookup(operator.clone()),
			permissions,
		)
		.expect("owner is funded and the list has room");
		last = Some(operator);
	}
	last
}

/// Caller (an active manufacturer), key, proof of possession and maximal metadata.
fn register_setup<T: Config>(
	kind: KeyKind,
) -> (T::AccountId, DeviceKey, DeviceSignature, DeviceMetadataOf<T>) {
	let caller: T::AccountId = whitelisted_caller();
	fund::<T>(&caller);
	approve::<T>(&caller);
	let key = BenchKey::new(kind, 0);
	let payload = RegistrationPayload::new(Pallet::<T>::genesis_hash(), caller.clone(), key.public);
	let signature = key.sign(&payload.signing_bytes());
	(caller, key.public, signature, max_metadata::<T>())
}

/// A batch whose leaf 0 is the device's key with a path of exactly `p` siblings (a tree of
/// `2^(p-1) + 1` leaves), and the claimer's proof of possession.
fn claim_setup<T: Config>(
	kind: KeyKind,
	p: u32,
) -> (T::AccountId, BatchId, DeviceKey, MerkleProof, DeviceSignature) {
	let maker = funded::<T>("maker", 0);
	approve::<T>(&maker);
	let key = BenchKey::new(kind, 1);
	let siblings: Vec<[u8; 32]> =
		(0..p).map(|i| frame::deps::sp_io::hashing::blake2_256(&i.to_le_bytes())).collect();
	let leaf_count = if p == 0 { 1 } else { (1u32 << (p - 1)) + 1 };
	let leaf = device_format::leaf_hash::<HostBlake2>(&key.public);
	let root = device_format::root_from_proof::<HostBlake2>(leaf, 0, leaf_count, &siblings)
		.expect("a path of p siblings in this tree");
	Pallet::<T>::commit_batch(RawOrigin::Signed(maker).into(), root, leaf_count)
		.expect("maker is an active, funded manufacturer");
	let batch = NextBatchId::<T>::get() - 1;

	let caller: T::AccountId = whitelisted_caller();
	fund::<T>(&caller);
	let payload = ClaimPayload::new(Pallet::<T>::genesis_hash(), batch, caller.clone(), key.public);
	let signature = key.sign(&payload.signing_bytes());
	(caller, batch, key.public, siblings.try_into().expect("p <= 32"), signature)
}

/// A device of the caller and a new key of `kind` with its rotation proof.
fn rotate_setup<T: Config>(kind: KeyKind) -> (T::AccountId, DeviceId, DeviceKey, DeviceSignature) {
	let caller: T::AccountId = whitelisted_caller();
	fund::<T>(&caller);
	let id = device::<T>(&caller, 0);
	let new = BenchKey::new(kind, 2);
	let payload = RotationPayload::new(Pallet::<T>::genesis_hash(), id, 0, new.public);
	let signature = new.sign(&payload.signing_bytes());
	(caller, id, new.public, signature)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn approve_manufacturer() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("maker", 0, 0);
		let name = bounded::<T::MaxNameLen>(b'n');
		let metadata = bounded::<T::MaxManufacturerMetadataLen>(b'd');

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, T::Lookup::unlookup(who.clone()), name, metadata);

		assert!(Pallet::<T>::is_active_manufacturer(&who));
		Ok(())
	}

	#[benchmark]
	fn revoke_manufacturer() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("maker", 0, 0);
		approve::<T>(&who);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, T::Lookup::unlookup(who.clone()));

		assert!(!Pallet::<T>::is_active_manufacturer(&who));
		Ok(())
	}

	#[benchmark]
	fn register_device_ed25519() {
		let (caller, key, signature, metadata) = register_setup::<T>(KeyKind::Ed25519);
		#[extrinsic_call]
		register_device(RawOrigin::Signed(caller), key, signature, metadata);
		assert!(Pallet::<T>::device_by_key(key).is_some());
	}

	#[benchmark]
	fn register_device_sr25519() {
		let (caller, key, signature, metadata) = register_setup::<T>(KeyKind::Sr25519);
		#[extrinsic_call]
		register_device(RawOrigin::Signed(caller), key, signature, metadata);
		assert!(Pallet::<T>::device_by_key(key).is_some());
	}

	#[benchmark]
	fn register_device_secp256k1() {
		let (caller, key, signature, metadata) = register_setup::<T>(KeyKind::Secp256k1);
		#[extrinsic_call]
		register_device(RawOrigin::Signed(caller), key, signature, metadata);
		assert!(Pallet::<T>::device_by_key(key).is_some());
	}

	#[benchmark]
	fn register_device_p256() {
		let (caller, key, signature, metadata) = register_setup::<T>(KeyKind::P256);
		#[extrinsic_call]
		register_device(RawOrigin::Signed(caller), key, signature, metadata);
		assert!(Pallet::<T>::device_by_key(key).is_some());
	}

	#[benchmark]
	fn commit_batch() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		approve::<T>(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), [7u8; 32], u32::MAX);
		assert!(Batches::<T>::contains_key(0));
	}

	#[benchmark]
	fn claim_from_batch_ed25519(p: Linear<0, MAX_MERKLE_DEPTH>) {
		let (caller, batch, key, proof, signature) = claim_setup::<T>(KeyKind::Ed25519, p);
		#[extrinsic_call]
		claim_from_batch(RawOrigin::Signed(caller), batch, key, 0, proof, signature);
		assert!(Pallet::<T>::device_by_key(key).is_some());
	}

	#[benchmark]
	fn claim_from_batch_sr25519(p: Linear<0, MAX_MERKLE_DEPTH>) {
		let (caller, batch, key, proof, signature) = claim_setup::<T>(KeyKind::Sr25519, p);
		#[extrinsic_call]
		claim_from_batch(RawOrigin::Signed(caller), batch, key, 0, proof, signature);
		assert!(Pallet::<T>::device_by_key(key).is_some());
	}

	#[benchmark]
	fn claim_from_batch_secp256k1(p: Linear<0, MAX_MERKLE_DEPTH>) {
		let (caller, batch, key, proof, signature) = claim_setup::<T>(KeyKind::Secp256k1, p);
		#[extrinsic_call]
		claim_from_batch(RawOrigin::Signed(caller), batch, key, 0, proof, signature);
		assert!(Pallet::<T>::device_by_key(key).is_some());
	}

	#[benchmark]
	fn claim_from_batch_p256(p: Linear<0, MAX_MERKLE_DEPTH>) {
		let (caller, batch, key, proof, signature) = claim_setup::<T>(KeyKind::P256, p);
		#[extrinsic_call]
		claim_from_batch(RawOrigin::Signed(caller), batch, key, 0, proof, signature);
		assert!(Pallet::<T>::device_by_key(key).is_some());
	}

	#[benchmark]
	fn mark_batch_compromised() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let maker = funded::<T>("maker", 0);
		approve::<T>(&maker);
		Pallet::<T>::commit_batch(RawOrigin::Signed(maker).into(), [7u8; 32], 10)
			.expect("maker is an active, funded manufacturer");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0);

		assert_eq!(Batches::<T>::get(0).map(|batch| batch.status), Some(BatchStatus::Compromised));
		Ok(())
	}

	#[benchmark]
	fn offer_transfer() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = device::<T>(&caller, 0);
		let to: T::AccountId = account("buyer", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, T::Lookup::unlookup(to.clone()));
		assert_eq!(PendingTransfers::<T>::get(id), Some(to));
	}

	#[benchmark]
	fn accept_transfer(o: Linear<0, { T::MaxOperators::get() }>) {
		let seller = funded::<T>("seller", 0);
		let id = device::<T>(&seller, 0);
		operators::<T>(id, &seller, o, false);
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Pallet::<T>::offer_transfer(
			RawOrigin::Signed(seller).into(),
			id,
			T::Lookup::unlookup(caller.clone()),
		)
		.expect("seller owns the device");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id);

		assert_eq!(Devices::<T>::get(id).map(|record| record.owner), Some(caller));
		assert!(Operators::<T>::get(id).is_none());
	}

	#[benchmark]
	fn cancel_transfer() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = device::<T>(&caller, 0);
		let to: T::AccountId = account("buyer", 0, 0);
		Pallet::<T>::offer_transfer(
			RawOrigin::Signed(caller.clone()).into(),
			id,
			T::Lookup::unlookup(to),
		)
		.expect("caller owns the device");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(!PendingTransfers::<T>::contains_key(id));
	}

	#[benchmark]
	fn suspend() {
		let owner = funded::<T>("owner", 0);
		let id = device::<T>(&owner, 0);
		let manager =
			operators::<T>(id, &owner, T::MaxOperators::get(), true).expect("MaxOperators > 0");
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), id);
		assert_eq!(
			Devices::<T>::get(id).map(|record| record.status),
			Some(DeviceStatus::Suspended)
		);
	}

	#[benchmark]
	fn resume() {
		let owner = funded::<T>("owner", 0);
		let id = device::<T>(&owner, 0);
		let manager =
			operators::<T>(id, &owner, T::MaxOperators::get(), true).expect("MaxOperators > 0");
		Pallet::<T>::suspend(RawOrigin::Signed(owner).into(), id).expect("device is active");
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), id);
		assert_eq!(Devices::<T>::get(id).map(|record| record.status), Some(DeviceStatus::Active));
	}

	#[benchmark]
	fn decommission() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = device::<T>(&caller, 0);
		// An open offer, which decommissioning drops.
		let to: T::AccountId = account("buyer", 0, 0);
		Pallet::<T>::offer_transfer(
			RawOrigin::Signed(caller.clone()).into(),
			id,
			T::Lookup::unlookup(to),
		)
		.expect("caller owns the device");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert_eq!(
			Devices::<T>::get(id).map(|record| record.status),
			Some(DeviceStatus::Decommissioned)
		);
		assert!(!PendingTransfers::<T>::contains_key(id));
	}

	#[benchmark]
	fn mark_compromised() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = device::<T>(&caller, 0);
		let to: T::AccountId = account("buyer", 0, 0);
		Pallet::<T>::offer_transfer(
			RawOrigin::Signed(caller.clone()).into(),
			id,
			T::Lookup::unlookup(to),
		)
		.expect("caller owns the device");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert_eq!(
			Devices::<T>::get(id).map(|record| record.status),
			Some(DeviceStatus::Compromised)
		);
	}

	#[benchmark]
	fn rotate_key_ed25519() {
		let (caller, id, new_key, signature) = rotate_setup::<T>(KeyKind::Ed25519);
		#[extrinsic_call]
		rotate_key(RawOrigin::Signed(caller), id, new_key, signature);
		assert_eq!(Devices::<T>::get(id).map(|record| record.key), Some(new_key));
	}

	#[benchmark]
	fn rotate_key_sr25519() {
		let (caller, id, new_key, signature) = rotate_setup::<T>(KeyKind::Sr25519);
		#[extrinsic_call]
		rotate_key(RawOrigin::Signed(caller), id, new_key, signature);
		assert_eq!(Devices::<T>::get(id).map(|record| record.key), Some(new_key));
	}

	#[benchmark]
	fn rotate_key_secp256k1() {
		let (caller, id, new_key, signature) = rotate_setup::<T>(KeyKind::Secp256k1);
		#[extrinsic_call]
		rotate_key(RawOrigin::Signed(caller), id, new_key, signature);
		assert_eq!(Devices::<T>::get(id).map(|record| record.key), Some(new_key));
	}

	#[benchmark]
	fn rotate_key_p256() {
		let (caller, id, new_key, signature) = rotate_setup::<T>(KeyKind::P256);
		#[extrinsic_call]
		rotate_key(RawOrigin::Signed(caller), id, new_key, signature);
		assert_eq!(Devices::<T>::get(id).map(|record| record.key), Some(new_key));
	}

	#[benchmark]
	fn update_metadata() {
		let owner = funded::<T>("owner", 0);
		let id = device::<T>(&owner, 0);
		let manager =
			operators::<T>(id, &owner, T::MaxOperators::get(), true).expect("MaxOperators > 0");
		let mut metadata = max_metadata::<T>();
		metadata.firmware_hash = Some([0xf2; 32]);
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), id, metadata.clone());
		assert_eq!(Devices::<T>::get(id).map(|record| record.metadata), Some(metadata));
	}

	#[benchmark]
	fn add_operator() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = device::<T>(&caller, 0);
		let existing = T::MaxOperators::get().saturating_sub(1);
		operators::<T>(id, &caller, existing, false);
		let operator: T::AccountId = account("operator", existing, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, T::Lookup::unlookup(operator.clone()), Permissions::ALL);
		assert!(Pallet::<T>::has_operator_permission(id, &operator, Permissions::ALL));
	}

	#[benchmark]
	fn remove_operator() {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = device::<T>(&caller, 0);
		let last =
			operators::<T>(id, &caller, T::MaxOperators::get(), false).expect("MaxOperators > 0");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, T::Lookup::unlookup(last.clone()));
		assert!(!Pallet::<T>::has_operator_permission(id, &last, Permissions::empty()));
	}

	#[benchmark]
	fn remove_device(o: Linear<0, { T::MaxOperators::get() }>) {
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = device::<T>(&caller, 0);
		operators::<T>(id, &caller, o, false);
		Pallet::<T>::decommission(RawOrigin::Signed(caller.clone()).into(), id)
			.expect("caller owns the device");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(!Devices::<T>::contains_key(id));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
