//! # IoT parachain primitives
//!
//! Types and constants shared by the runtime, the node and every pallet. `no_std`, small, and free
//! of FRAME so that device-side code (clients, firmware) can use the same definitions.
//!
//! The byte formats (ids, signing payloads, Merkle proofs, vouchers, feed reports) are defined in
//! the dependency-light crate [`iot_formats`], which device firmware uses as well; each module
//! below re-exports its formats module under the same name and adds what needs the chain's host
//! functions or traits:
//!
//! - [`device`]: device keys and signatures, the registry's signing payloads, factory-batch Merkle
//!   proofs, and the [`device::DeviceRegistry`] trait other pallets use.
//! - [`provenance`]: reading batches (their Merkle tree and inclusion proofs) and the anchor
//!   statement a device signs; test vectors shared with the JavaScript client in
//!   `test-vectors/provenance.json`.
//! - [`channel`]: payment-channel vouchers (the bytes a payer signs off chain, their
//!   verification) with test vectors in `test-vectors/channels.json`.
//! - [`feeds`]: sensor-feed reports an operator signs, how a feed's JSON value is read and
//!   scaled, the median, and the worker's status the node serves.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
	deny(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod bench;
pub mod channel;
pub mod device;
pub mod feeds;
pub mod provenance;

/// The most items one list read returns, in every pallet (runtime APIs, view functions and the
/// node's `iot_*` methods alike).
///
/// # Pagination
///
/// Every list read takes a cursor and a `limit` and returns at most `min(limit, MAX_PAGE)` items
/// in the list's own order, starting just after the cursor (`None`: from the start). The cursor
/// of the next page is the key of the last item of this one; a page shorter than the limit is the
/// last. Lists of an owner's, a subject's or a device's items go in storage order (their indexes
/// are keyed by a hash of the id, so not by ascending id) with the cursor `start_after`; a
/// stream's anchors go newest first, so their cursor is called `before`.
pub const MAX_PAGE: u32 = 100;

/// How many items a list read returns for the caller's `limit`: at most [`MAX_PAGE`].
pub fn page_len(limit: u32) -> usize {
	// `MAX_PAGE` fits every `usize` (16 bits and up).
	limit.min(MAX_PAGE) as usize
}

/// Test vectors: the committed file `test-vectors/<file>` must be what the code generates now.
/// `UPDATE_TEST_VECTORS=1 cargo test -p iot-primitives` rewrites it first, after a deliberate
/// format change (then bump the payload's tag too). The JavaScript side checks the same files.
/// `0x`-prefixed lower-case hex, as the test-vector files write bytes.
#[cfg(test)]
pub(crate) fn hex(bytes: &[u8]) -> String {
	bytes.iter().fold(String::from("0x"), |out, b| out + &format!("{b:02x}"))
}

#[cfg(test)]
pub(crate) fn assert_vectors_current(file: &str, vectors: &serde_json::Value) {
	let path = format!("{}/test-vectors/{file}", env!("CARGO_MANIFEST_DIR"));
	let generated = serde_json::to_string_pretty(vectors).unwrap() + "\n";
	if std::env::var("UPDATE_TEST_VECTORS").as_deref() == Ok("1") {
		std::fs::write(&path, &generated).unwrap();
	}
	let committed = std::fs::read_to_string(&path).unwrap_or_default();
	assert_eq!(
		committed, generated,
		"{file}: run with UPDATE_TEST_VECTORS=1 after a format change"
	);
}

use polkadot_sdk::sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};

/// Block number of the parachain.
pub type BlockNumber = u32;

/// Signature of an extrinsic: sr25519, ed25519 or secp256k1 ECDSA.
pub type Signature = MultiSignature;

/// An account id: 32 bytes, the public key of `Signature`'s signer (ECDSA keys are hashed).
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account, in the smallest unit (1 IOT = 10^12 units).
pub type Balance = u128;

/// Transaction counter of an account.
pub type Nonce = u32;

/// Hash of a block or of a trie node.
pub type Hash = polkadot_sdk::sp_core::H256;

/// Token metadata, published in the chain properties so wallets display balances correctly.
pub mod token {
	use super::Balance;

	/// Ticker shown by wallets.
	pub const SYMBOL: &str = "IOT";
	/// Number of decimals: `UNIT` is 10^DECIMALS smallest units.
	pub const DECIMALS: u8 = 12;
	/// SS58 address prefix (42 = generic Substrate, what polkadot.js uses by default).
	pub const SS58_PREFIX: u16 = 42;

	/// One whole token.
	pub const UNIT: Balance = 1_000_000_000_000;
	/// A thousandth of a token.
	pub const MILLI_UNIT: Balance = 1_000_000_000;
	/// A millionth of a token.
	pub const MICRO_UNIT: Balance = 1_000_000;

	/// Minimum balance an account must keep to exist.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

	/// Deposit for storing `items` entries of `bytes` bytes in total: 0.02 IOT per item plus
	/// 0.001 IOT per byte. Pallets derive their deposit constants from this.
	pub const fn deposit(items: u32, bytes: u32) -> Balance {
		(items as Balance)
			.saturating_mul(20 * MILLI_UNIT)
			.saturating_add((bytes as Balance).saturating_mul(MILLI_UNIT))
	}
}

// An account must hold something to exist: a zero existential deposit would let dust accounts
// fill the state for free.
const _: () = assert!(token::EXISTENTIAL_DEPOSIT > 0);

/// Time in parachain blocks, for a parachain with 6-second blocks (sessions, consensus). The
/// IoT pallets' periods are in relay-chain blocks: [`relay_time`].
pub mod time {
	use super::BlockNumber;

	/// Target block time in milliseconds (one relay-chain slot, with asynchronous backing).
	pub const MILLISECS_PER_BLOCK: u64 = 6000;
	/// Aura slot duration; equal to the block time.
	pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;

	/// Blocks in a minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	/// Blocks in an hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks in a day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// Time in relay-chain blocks: the clock of the IoT pallets' periods (payment-channel challenge
/// periods and expiries, attestation windows, sensor-feed rounds and staleness), which the runtime
/// reads from the relay chain (`RelaychainDataProvider`) so that they keep their length in
/// seconds whatever the parachain's own block rate. For parachain blocks, see [`time`].
pub mod relay_time {
	use super::BlockNumber;

	/// Relay-chain block time in milliseconds (one slot of Polkadot, Kusama and their testnets).
	pub const RELAY_MILLISECS_PER_BLOCK: u64 = 6000;

	/// Relay-chain blocks in a minute.
	pub const MINUTES: BlockNumber = 60_000 / (RELAY_MILLISECS_PER_BLOCK as BlockNumber);
	/// Relay-chain blocks in an hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Relay-chain blocks in a day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// Test doubles the pallets' mocks share (std only; never in a runtime).
#[cfg(feature = "std")]
pub mod testing {
	use core::cell::Cell;
	use polkadot_sdk::sp_runtime::traits::BlockNumberProvider;

	std::thread_local! {
		/// The mock relay chain's block number: a clock of its own, apart from `frame_system`'s.
		static RELAY_BLOCK: Cell<u64> = const { Cell::new(0) };
	}

	/// A pallet's `BlockNumberProvider` in its mock: the mock relay chain's block number (per
	/// test thread, from 0), not `frame_system`'s, so that a test shows which clock the pallet
	/// reads. The mocks' block numbers are `u64`.
	pub struct MockRelay;

	impl BlockNumberProvider for MockRelay {
		type BlockNumber = u64;

		fn current_block_number() -> u64 {
			RELAY_BLOCK.with(Cell::get)
		}

		fn set_block_number(block: u64) {
			RELAY_BLOCK.with(|b| b.set(block));
		}
	}
}

/// Para id the built-in chain specs use (the first id a `rococo-local` relay hands out).
pub const DEFAULT_PARA_ID: u32 = 1000;

#[cfg(test)]
mod tests {
	use super::token::*;

	#[test]
	fn deposit_grows_with_items_and_bytes() {
		assert_eq!(deposit(0, 0), 0);
		assert_eq!(deposit(1, 0), 20 * MILLI_UNIT);
		assert_eq!(deposit(1, 100), 20 * MILLI_UNIT + 100 * MILLI_UNIT);
		// Saturates instead of overflowing.
		assert!(deposit(u32::MAX, u32::MAX) > deposit(1, 1));
	}

	#[test]
	fn a_relay_day_is_14_400_blocks() {
		use super::relay_time::{DAYS, HOURS, MINUTES};
		assert_eq!((MINUTES, HOURS, DAYS), (10, 600, 14_400));
	}

	#[test]
	fn units_are_consistent_with_decimals() {
		assert_eq!(UNIT, 10u128.pow(DECIMALS as u32));
		assert_eq!(UNIT, 1000 * MILLI_UNIT);
	}
}
