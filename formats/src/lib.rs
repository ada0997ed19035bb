//! # IoT parachain byte formats
//!
//! The single definition of every byte string a device, a gateway, a payer or an operator signs
//! or hashes for the IoT parachain, and of the Merkle trees over device keys and readings. The
//! pallets, the runtime, the node, the examples and device firmware all use this crate, so they
//! agree on every byte; the JavaScript side checks the same test vectors
//! (`primitives/test-vectors/*.json`).
//!
//! Built for devices: `no_std`, and without default features it needs no allocator, no host
//! functions and no FRAME. Payloads are written into any [`Sink`] — a [`StackBytes`] buffer on a
//! microcontroller, a `Vec<u8>` with `alloc` — and hashing is injected through the small
//! [`Blake2Hasher`] trait: the runtime plugs in its host function
//! (`iot_primitives::device::HostBlake2`), a device or a tool [`SoftwareBlake2`] or its own
//! hardware.
//!
//! | module | formats |
//! |---|---|
//! | [`device`] | device keys and signatures, registration / rotation / batch-claim proofs, the factory-batch Merkle tree and its proofs |
//! | [`provenance`] | the reading tree and its proofs, the anchor statement |
//! | [`channel`] | payment-channel vouchers (plain, hash-locked, paying for an anchor) |
//! | [`feeds`] | the sensor-feed report an operator signs |
//!
//! ## Features
//!
//! | feature | adds |
//! |---|---|
//! | `alloc` | `signing_bytes() -> Vec<u8>`, the tree builders ([`device::merkle`], [`provenance::batch`]) |
//! | `scale` (implies `alloc`) | SCALE `Encode`/`Decode`, `MaxEncodedLen` and `TypeInfo` on the chain's types, payloads over any SCALE-encodable account id |
//! | `software-hash` | [`SoftwareBlake2`] (pure-Rust BLAKE2b-256) |
//! | `p256` | [`device::verify_p256`] (pure-Rust P-256 verification, low S only) |
//! | `std` (default) | all of the above but `p256`, with `std` |
//!
//! The payload writers are hand-written, not derived: each writes the bytes its table in the
//! module docs gives, and with `scale` a test checks them against the SCALE encoding of the same
//! struct (the chain's view of the payload).

#![no_std]
#![cfg_attr(
	not(test),
	deny(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod channel;
pub mod device;
pub mod feeds;
pub mod provenance;

/// Where a payload's bytes go: a fixed buffer ([`StackBytes`]), a `Vec<u8>` (with `alloc`), or a
/// hasher's state.
pub trait Sink {
	/// Appends `bytes`.
	fn put(&mut self, bytes: &[u8]);
}

#[cfg(feature = "alloc")]
impl Sink for alloc::vec::Vec<u8> {
	fn put(&mut self, bytes: &[u8]) {
		self.extend_from_slice(bytes);
	}
}

/// A payload written into a buffer of `N` bytes on the stack, for code without an allocator.
///
/// Writing more than `N` bytes marks the buffer as overflowed instead of truncating silently:
/// [`StackBytes::as_slice`] then returns `None`. Every payload here has a bounded size
/// ([`MAX_PAYLOAD_LEN`] for a 32-byte account id and a content id of up to 64 bytes).
#[derive(Clone, Debug)]
pub struct StackBytes<const N: usize> {
	buf: [u8; N],
	len: usize,
	overflowed: bool,
}

impl<const N: usize> StackBytes<N> {
	/// An empty buffer.
	pub const fn new() -> Self {
		Self { buf: [0; N], len: 0, overflowed: false }
	}

	/// The bytes written, or `None` if they did not fit.
	pub fn as_slice(&self) -> Option<&[u8]> {
		if self.overflowed {
			None
		} else {
			self.buf.get(..self.len)
		}
	}
}

impl<const N: usize> Default for StackBytes<N> {
	fn default() -> Self {
		Self::new()
	}
}

impl<const N: usize> Sink for StackBytes<N> {
	fn put(&mut self, bytes: &[u8]) {
		if self.overflowed {
			return;
		}
		let target =
			self.len.checked_add(bytes.len()).and_then(|end| self.buf.get_mut(self.len..end));
		match target {
			Some(target) => {
				target.copy_from_slice(bytes);
				self.len = self.len.saturating_add(bytes.len());
			},
			None => self.overflowed = true,
		}
	}
}

/// A buffer that holds every payload of this crate with a 32-byte account id and a content id of
/// up to 64 bytes: the voucher with both options is the longest fixed one (155 bytes), an anchor
/// with a 64-byte content id takes 208.
pub const MAX_PAYLOAD_LEN: usize = 256;

/// The stack buffer for one payload: see [`MAX_PAYLOAD_LEN`].
pub type PayloadBytes = StackBytes<MAX_PAYLOAD_LEN>;

/// The bytes an account id contributes to a payload: its SCALE encoding. On this chain an
/// `AccountId32`, i.e. its 32 raw bytes (what `decodeAddress` returns in polkadot.js).
///
/// Without `scale` only `[u8; 32]` implements it; with `scale` every SCALE-encodable type does
/// (the pallets' generic `AccountId`, the `u64` accounts of their test mocks), and `[u8; 32]`
/// still gives the same 32 bytes.
pub trait AccountBytes {
	/// Writes the account id's bytes.
	fn write_account(&self, out: &mut dyn Sink);
}

#[cfg(not(feature = "scale"))]
impl AccountBytes for [u8; 32] {
	fn write_account(&self, out: &mut dyn Sink) {
		out.put(self);
	}
}

#[cfg(feature = "scale")]
impl<T: codec::Encode> AccountBytes for T {
	fn write_account(&self, out: &mut dyn Sink) {
		self.using_encoded(|bytes| out.put(bytes));
	}
}

/// BLAKE2b with a 32-byte output (BLAKE2b-256), as a plug-in: the runtime uses its host function,
/// a device or a tool a pure-Rust implementation ([`SoftwareBlake2`]) or its hardware.
pub trait Blake2Hasher {
	/// `blake2b-256(parts[0] ‖ parts[1] ‖ …)`.
	fn hash_parts(parts: &[&[u8]]) -> [u8; 32];

	/// `blake2b-256(data)`.
	fn blake2_256(data: &[u8]) -> [u8; 32] {
		Self::hash_parts(&[data])
	}
}

/// Pure-Rust BLAKE2b-256 (`blake2b_simd`, what `sp-crypto-hashing` uses), streaming: hashing
/// needs no buffer, whatever the input's length.
#[cfg(feature = "software-hash")]
pub struct SoftwareBlake2;

#[cfg(feature = "software-hash")]
impl Blake2Hasher for SoftwareBlake2 {
	fn hash_parts(parts: &[&[u8]]) -> [u8; 32] {
		let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
		for part in parts {
			state.update(part);
		}
		let mut out = [0u8; 32];
		for (slot, byte) in out.iter_mut().zip(state.finalize().as_bytes()) {
			*slot = *byte;
		}
		out
	}
}

/// The first 32 bytes of a block hash (zero-padded if shorter): what every signed payload binds
/// as the chain's genesis hash.
pub fn hash_bytes(hash: &[u8]) -> [u8; 32] {
	let mut out = [0u8; 32];
	for (slot, byte) in out.iter_mut().zip(hash) {
		*slot = *byte;
	}
	out
}

/// Writes `n` in SCALE's compact encoding (the length prefix of a byte string).
pub(crate) fn write_compact_u32(n: u32, out: &mut dyn Sink) {
	// Modes by size: 1 byte for < 2^6, 2 bytes for < 2^14, 4 bytes for < 2^30, else 0b11 + 4.
	if n < 1 << 6 {
		out.put(&[(n as u8) << 2]);
	} else if n < 1 << 14 {
		out.put(&(((n as u16) << 2) | 0b01).to_le_bytes());
	} else if n < 1 << 30 {
		out.put(&((n << 2) | 0b10).to_le_bytes());
	} else {
		out.put(&[0b11]);
		out.put(&n.to_le_bytes());
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn stack_bytes_refuse_what_does_not_fit() {
		let mut small = StackBytes::<4>::new();
		small.put(&[1, 2]);
		small.put(&[3, 4]);
		assert_eq!(small.as_slice(), Some(&[1u8, 2, 3, 4][..]));
		small.put(&[5]);
		assert_eq!(small.as_slice(), None, "an overflow is never a truncated payload");
		small.put(&[]);
		assert_eq!(small.as_slice(), None);
	}

	#[test]
	fn compact_lengths_match_scale() {
		use codec::{Compact, Encode};
		for n in [0u32, 1, 63, 64, 255, 16_383, 16_384, (1 << 30) - 1, 1 << 30, u32::MAX] {
			let mut ours = alloc::vec::Vec::new();
			write_compact_u32(n, &mut ours);
			assert_eq!(ours, Compact(n).encode(), "{n}");
		}
	}

	#[cfg(feature = "software-hash")]
	#[test]
	fn software_blake2_is_blake2b_256_and_streams() {
		// BLAKE2b-256 of the empty string (RFC 7693 parameters, 32-byte output).
		let empty = SoftwareBlake2::blake2_256(b"");
		assert_eq!(empty[..4], [0x0e, 0x57, 0x51, 0xc0]);
		let whole = SoftwareBlake2::blake2_256(b"hello device");
		assert_eq!(SoftwareBlake2::hash_parts(&[b"hello", b" ", b"device"]), whole);
		let reference = blake2b_simd::Params::new().hash_length(32).hash(b"hello device");
		assert_eq!(&whole[..], reference.as_bytes());
	}
}
