//! Weights of `pallet-device-registry`.
//!
//! # PLACEHOLDER — regenerate from the benchmarks before any real use
//!
//! This file only declares the [`WeightInfo`] trait, with one function per benchmark in
//! `benchmarking.rs` (same names and components, so the generated file is a drop-in
//! replacement), and implements it for `()` **for the unit tests and the mock only**.
//!
//! The `()` implementation counts the storage reads and writes each call makes, priced with
//! `RocksDbWeight`, and **no computation at all**: in particular not the signature checks
//! (P-256 is verified in the runtime and costs milliseconds). A runtime must not use it. There
//! is deliberately no `SubstrateWeight` here: it is produced by
//!
//! ```text
//! iot-node benchmark pallet --runtime <iot_runtime.compact.compressed.wasm> \
//!     --genesis-builder-preset development --pallet pallet_device_registry \
//!     --extrinsic '*' --steps 50 --repeat 20 \
//!     --template pallets/device-registry/weight-template.hbs \
//!     --output pallets/device-registry/src/weights.rs
//! ```
//!
//! which overwrites this file with the trait, a `SubstrateWeight<T>` of measured figures and a
//! `()` implementation derived from them.

#![allow(unused_parens)]
#![allow(unused_imports)]

use polkadot_sdk::polkadot_sdk_frame::weights_prelude::*;

/// Weight functions needed for `pallet_device_registry`.
///
/// Calls that verify a device signature have one function per key type: a P-256 check runs in
/// the runtime and costs ~45 times an sr25519 host-function check, so charging every key the
/// P-256 price would overcharge the common case by an order of magnitude.
pub trait WeightInfo {
	fn approve_manufacturer() -> Weight;
	fn revoke_manufacturer() -> Weight;
	fn register_device_ed25519() -> Weight;
	fn register_device_sr25519() -> Weight;
	fn register_device_secp256k1() -> Weight;
	fn register_device_p256() -> Weight;
	fn commit_batch() -> Weight;
	/// `p`: siblings in the Merkle proof, `0..=32`.
	fn claim_from_batch_ed25519(p: u32) -> Weight;
	/// `p`: siblings in the Merkle proof, `0..=32`.
	fn claim_from_batch_sr25519(p: u32) -> Weight;
	/// `p`: siblings in the Merkle proof, `0..=32`.
	fn claim_from_batch_secp256k1(p: u32) -> Weight;
	/// `p`: siblings in the Merkle proof, `0..=32`.
	fn claim_from_batch_p256(p: u32) -> Weight;
	fn mark_batch_compromised() -> Weight;
	fn offer_transfer() -> Weight;
	/// `o`: operators of the device, `0..=MaxOperators`.
	fn accept_transfer(o: u32) -> Weight;
	fn cancel_transfer() -> Weight;
	fn suspend() -> Weight;
	fn resume() -> Weight;
	fn decommission() -> Weight;
	fn mark_compromised() -> Weight;
	fn rotate_key_ed25519() -> Weight;
	fn rotate_key_sr25519() -> Weight;
	fn rotate_key_secp256k1() -> Weight;
	fn rotate_key_p256() -> Weight;
	fn update_metadata() -> Weight;
	fn add_operator() -> Weight;
	fn remove_operator() -> Weight;
	/// `o`: operators of the device, `0..=MaxOperators`.
	fn remove_device(o: u32) -> Weight;
}

/// PLACEHOLDER for tests: storage accesses only, no computation. See the module docs; never use
/// in a runtime.
impl WeightInfo for () {
	fn approve_manufacturer() -> Weight {
		RocksDbWeight::get().reads_writes(0, 1)
	}
	fn revoke_manufacturer() -> Weight {
		RocksDbWeight::get().reads_writes(1, 1)
	}
	fn register_device_ed25519() -> Weight {
		RocksDbWeight::get().reads_writes(6, 6)
	}
	fn register_device_sr25519() -> Weight {
		RocksDbWeight::get().reads_writes(6, 6)
	}
	fn register_device_secp256k1() -> Weight {
		RocksDbWeight::get().reads_writes(6, 6)
	}
	fn register_device_p256() -> Weight {
		RocksDbWeight::get().reads_writes(6, 6)
	}
	fn commit_batch() -> Weight {
		RocksDbWeight::get().reads_writes(4, 4)
	}
	fn claim_from_batch_ed25519(_p: u32) -> Weight {
		RocksDbWeight::get().reads_writes(7, 6)
	}
	fn claim_from_batch_sr25519(_p: u32) -> Weight {
		RocksDbWeight::get().reads_writes(7, 6)
	}
	fn claim_from_batch_secp256k1(_p: u32) -> Weight {
		RocksDbWeight::get().reads_writes(7, 6)
	}
	fn claim_from_batch_p256(_p: u32) -> Weight {
		RocksDbWeight::get().reads_writes(7, 6)
	}
	fn mark_batch_compromised() -> Weight {
		RocksDbWeight::get().reads_writes(1, 1)
	}
	fn offer_transfer() -> Weight {
		RocksDbWeight::get().reads_writes(1, 1)
	}
	fn accept_transfer(_o: u32) -> Weight {
		RocksDbWeight::get().reads_writes(7, 9)
	}
	fn cancel_transfer() -> Weight {
		RocksDbWeight::get().reads_writes(2, 1)
	}
	fn suspend() -> Weight {
		RocksDbWeight::get().reads_writes(2, 1)
	}
	fn resume() -> Weight {
		RocksDbWeight::get().reads_writes(2, 1)
	}
	fn decommission() -> Weight {
		RocksDbWeight::get().reads_writes(1, 2)
	}
	fn mark_compromised() -> Weight {
		RocksDbWeight::get().reads_writes(1, 2)
	}
	fn rotate_key_ed25519() -> Weight {
		RocksDbWeight::get().reads_writes(3, 3)
	}
	fn rotate_key_sr25519() -> Weight {
		RocksDbWeight::get().reads_writes(3, 3)
	}
	fn rotate_key_secp256k1() -> Weight {
		RocksDbWeight::get().reads_writes(3, 3)
	}
	fn rotate_key_p256() -> Weight {
		RocksDbWeight::get().reads_writes(3, 3)
	}
	fn update_metadata() -> Weight {
		RocksDbWeight::get().reads_writes(2, 1)
	}
	fn add_operator() -> Weight {
		RocksDbWeight::get().reads_writes(4, 3)
	}
	fn remove_operator() -> Weight {
		RocksDbWeight::get().reads_writes(4, 3)
	}
	fn remove_device(_o: u32) -> Weight {
		RocksDbWeight::get().reads_writes(4, 7)
	}
}
