//! # Device identities: keys, signatures, signing payloads, factory-batch Merkle proofs
//!
//! The byte formats shared by `pallet-device-registry`, the other pallets that consume it through
//! [`DeviceRegistry`], and device-side code (firmware, the polkadot.js end-to-end suite, factory
//! tools). Everything here is `no_std`, free of FRAME and of host functions: hashing goes through
//! the small [`Blake2Hasher`] trait, so the runtime plugs in the host's blake2 and a device or a
//! factory tool plugs in pure Rust ([`SoftwareBlake2`]).
//!
//! Every multi-byte integer below is little-endian (SCALE). `||` is concatenation. `H` is
//! blake2b with a 32-byte output (BLAKE2b-256, *not* BLAKE-256 or BLAKE2s).
//!
//! ## Keys ([`DeviceKey`])
//!
//! SCALE encoding: one variant byte, then the raw key, with no length prefix:
//!
//! | variant | byte | key bytes | format |
//! |---|---|---|---|
//! | `Ed25519` | `0x00` | 32 | RFC 8032 public key |
//! | `Sr25519` | `0x01` | 32 | schnorrkel/Ristretto public key |
//! | `Secp256k1` | `0x02` | 33 | SEC1 compressed point (`0x02`/`0x03` ‖ X) |
//! | `P256` | `0x03` | 33 | SEC1 compressed point (`0x02`/`0x03` ‖ X), NIST P-256 / secp256r1 |
//!
//! The *key id* used to index keys on chain is `H(SCALE(key))` ([`key_id`]), i.e. the variant
//! byte is hashed too.
//!
//! ## Signatures ([`DeviceSignature`])
//!
//! Same variant bytes as the keys. What is signed is always the message bytes as given (for the
//! registry: the SCALE-encoded payload), with these conventions:
//!
//! | variant | bytes | signing rule |
//! |---|---|---|
//! | `Ed25519` | 64 | RFC 8032 Ed25519 over the raw message |
//! | `Sr25519` | 64 | schnorrkel with signing context `b"substrate"` over the raw message (what `@polkadot/util-crypto` `sr25519Sign` and `sp_core::sr25519::Pair::sign` do) |
//! | `Secp256k1` | 65 | `r ‖ s ‖ v` over `H(message)` (blake2b-256, *not* keccak or SHA-256), `v` = recovery id 0 or 1 (what `sp_core::ecdsa::Pair::sign` and `@polkadot/util-crypto` `secp256k1Sign(msg, pair, 'blake2')` produce) |
//! | `P256` | 64 | `r ‖ s` (32 bytes each, big-endian) over `SHA-256(message)`; **`s` must be low** (`s ≤ n/2`), high-S twins are refused (what `@noble/curves` 1.9 gives with `p256.sign(msg, secret, { prehash: true, lowS: true })`; secure elements that return DER or high-S must be converted/normalised) |
//!
//! ## Signing payloads
//!
//! Each payload is a SCALE-encoded struct whose first field is a fixed ASCII tag, encoded as raw
//! bytes without a length prefix. The tag separates the registry's payloads from each other and
//! from anything else a key may sign; the genesis hash binds the payload to one chain. `owner` is
//! the SCALE encoding of the account id: on this chain an `AccountId32`, i.e. its 32 raw bytes
//! (the public key of an sr25519/ed25519 account; `blake2_256` of the compressed key for an ECDSA
//! account — exactly what `decodeAddress` returns in polkadot.js).
//!
//! [`RegistrationPayload`] — signed by the device to prove it holds the key it registers:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 41 | tag `b"iot-parachain:device-registry:register:v1"` |
//! | 41 | 32 | genesis hash of the chain |
//! | 73 | 32 | owner account id (the account that submits `register_device`) |
//! | 105 | 33 or 34 | `SCALE(key)` (variant byte + key) |
//!
//! Total: 138 bytes for ed25519/sr25519 keys, 139 bytes for secp256k1/P-256 keys.
//!
//! [`RotationPayload`] — signed by the **new** key when the owner rotates a device's key:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 39 | tag `b"iot-parachain:device-registry:rotate:v1"` |
//! | 39 | 32 | genesis hash |
//! | 71 | 8 | device id, `u64` little-endian |
//! | 79 | 4 | rotation counter, `u32` little-endian: the number of rotations the device has had so far (0 for the first rotation; read it from the device record) |
//! | 83 | 33 or 34 | `SCALE(new key)` |
//!
//! Total: 116 or 117 bytes. The counter makes every rotation proof single-use.
//!
//! [`ClaimPayload`] — signed by a device of a factory batch when its new owner claims it:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 38 | tag `b"iot-parachain:device-registry:claim:v1"` |
//! | 38 | 32 | genesis hash |
//! | 70 | 8 | batch id, `u64` little-endian |
//! | 78 | 32 | owner account id (the account that submits `claim_from_batch`) |
//! | 110 | 33 or 34 | `SCALE(key)` |
//!
//! Total: 143 or 144 bytes.
//!
//! ## Factory batches: the Merkle tree
//!
//! A manufacturer commits a batch as `(root, leaf_count)`. The tree is built over the batch's
//! keys in the manufacturer's chosen order:
//!
//! - leaf `i` = `H(0x00 ‖ SCALE(key_i))` ([`leaf_hash`]);
//! - inner node = `H(0x01 ‖ left ‖ right)` ([`node_hash`]);
//! - levels are built pairwise from the left; **on a level with an odd number of nodes the last
//!   node is promoted unchanged** to the next level (it is not hashed with itself);
//! - a tree of one leaf has the leaf hash as its root.
//!
//! A proof is `(leaf_index, siblings)`: the sibling hashes from the leaf level upwards, skipping
//! levels where the node was promoted. Its length is therefore fully determined by
//! `(leaf_index, leaf_count)` and at most [`MAX_MERKLE_DEPTH`] (32, enough for `u32::MAX`
//! leaves). Verification ([`root_from_proof`]) requires the proof to have exactly that length.
//! The distinct leaf and node tags rule out presenting an inner node as a leaf (the
//! second-preimage weakness of untagged trees), and committing the leaf count fixes the shape of
//! the tree, so a proof cannot point outside the batch.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Stable identifier of a device; survives key rotation and transfers. Assigned sequentially
/// from 0 by the registry.
pub type DeviceId = u64;

/// Identifier of a factory batch committed by a manufacturer. Assigned sequentially from 0.
pub type BatchId = u64;

/// Maximum number of siblings in a batch inclusion proof (a tree of up to `u32::MAX` leaves).
pub const MAX_MERKLE_DEPTH: u32 = 32;

/// Domain tag of [`RegistrationPayload`].
pub const REGISTER_TAG: [u8; 41] = *b"iot-parachain:device-registry:register:v1";
/// Domain tag of [`RotationPayload`].
pub const ROTATE_TAG: [u8; 39] = *b"iot-parachain:device-registry:rotate:v1";
/// Domain tag of [`ClaimPayload`].
pub const CLAIM_TAG: [u8; 38] = *b"iot-parachain:device-registry:claim:v1";

/// Prefix byte of a Merkle leaf hash: `H(LEAF_PREFIX ‖ SCALE(key))`.
pub const LEAF_PREFIX: u8 = 0x00;
/// Prefix byte of a Merkle inner node hash: `H(NODE_PREFIX ‖ left ‖ right)`.
pub const NODE_PREFIX: u8 = 0x01;

/// The signature scheme of a key or signature, without the bytes.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum KeyKind {
	/// Ed25519.
	#[codec(index = 0)]
	Ed25519,
	/// Sr25519 (schnorrkel).
	#[codec(index = 1)]
	Sr25519,
	/// ECDSA over secp256k1, blake2-256 message hash.
	#[codec(index = 2)]
	Secp256k1,
	/// ECDSA over NIST P-256 (secp256r1), SHA-256 message hash, low S.
	#[codec(index = 3)]
	P256,
}

/// A device's public key. See the module docs for the byte layout.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum DeviceKey {
	/// Ed25519 public key.
	#[codec(index = 0)]
	Ed25519([u8; 32]),
	/// Sr25519 public key.
	#[codec(index = 1)]
	Sr25519([u8; 32]),
	/// secp256k1 public key, SEC1 compressed.
	#[codec(index = 2)]
	Secp256k1([u8; 33]),
	/// P-256 public key, SEC1 compressed.
	#[codec(index = 3)]
	P256([u8; 33]),
}

impl DeviceKey {
	/// The key's signature scheme.
	pub fn kind(&self) -> KeyKind {
		match self {
			Self::Ed25519(_) => KeyKind::Ed25519,
			Self::Sr25519(_) => KeyKind::Sr25519,
			Self::Secp256k1(_) => KeyKind::Secp256k1,
			Self::P256(_) => KeyKind::P256,
		}
	}

	/// The raw key bytes, without the variant byte.
	pub fn as_bytes(&self) -> &[u8] {
		match self {
			Self::Ed25519(k) | Self::Sr25519(k) => k.as_slice(),
			Self::Secp256k1(k) | Self::P256(k) => k.as_slice(),
		}
	}
}

/// A signature made by a device key. See the module docs for the byte layout and hashing rules.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum DeviceSignature {
	/// Ed25519 signature over the raw message.
	#[codec(index = 0)]
	Ed25519([u8; 64]),
	/// Sr25519 signature (context `b"substrate"`) over the raw message.
	#[codec(index = 1)]
	Sr25519([u8; 64]),
	/// secp256k1 recoverable signature `r ‖ s ‖ v` over `blake2_256(message)`.
	#[codec(index = 2)]
	Secp256k1([u8; 65]),
	/// P-256 signature `r ‖ s` over `sha256(message)`, low S.
	#[codec(index = 3)]
	P256([u8; 64]),
}

impl DeviceSignature {
	/// The signature's scheme.
	pub fn kind(&self) -> KeyKind {
		match self {
			Self::Ed25519(_) => KeyKind::Ed25519,
			Self::Sr25519(_) => KeyKind::Sr25519,
			Self::Secp256k1(_) => KeyKind::Secp256k1,
			Self::P256(_) => KeyKind::P256,
		}
	}
}

/// Operator permissions: a bit set over `u8`, SCALE-encoded as that single byte.
///
/// Bits not listed here are reserved; the registry refuses them.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct Permissions(pub u8);

impl Permissions {
	/// Submit readings / anchors on behalf of the device (a gateway).
	pub const RELAY_READINGS: Self = Self(1);
	/// Manage the device's data feeds (a fleet manager).
	pub const MANAGE_FEEDS: Self = Self(2);
	/// Manage the device record: suspend, resume, update metadata.
	pub const MANAGE_DEVICE: Self = Self(4);
	/// Every defined permission.
	pub const ALL: Self = Self(1 | 2 | 4);

	/// No permission.
	pub const fn empty() -> Self {
		Self(0)
	}

	/// The raw bits.
	pub const fn bits(self) -> u8 {
		self.0
	}

	/// Whether every bit of `other` is set in `self` (always true for an empty `other`).
	pub const fn contains(self, other: Self) -> bool {
		self.0 & other.0 == other.0
	}

	/// The bits of both sets.
	pub const fn union(self, other: Self) -> Self {
		Self(self.0 | other.0)
	}

	/// Whether no bit is set.
	pub const fn is_empty(self) -> bool {
		self.0 == 0
	}

	/// Whether only defined bits are set.
	pub const fn is_valid(self) -> bool {
		self.0 & !Self::ALL.0 == 0
	}
}

/// Proof of possession signed by a device when its owner registers it. Layout in the module docs.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct RegistrationPayload<AccountId> {
	/// Always [`REGISTER_TAG`].
	pub tag: [u8; 41],
	/// Genesis hash of the chain.
	pub genesis_hash: [u8; 32],
	/// The account registering (and owning) the device.
	pub owner: AccountId,
	/// The key being registered.
	pub key: DeviceKey,
}

impl<AccountId: Encode> RegistrationPayload<AccountId> {
	/// The payload for `owner` registering `key` on the chain with `genesis_hash`.
	pub fn new(genesis_hash: [u8; 32], owner: AccountId, key: DeviceKey) -> Self {
		Self { tag: REGISTER_TAG, genesis_hash, owner, key }
	}

	/// The bytes the device signs.
	pub fn signing_bytes(&self) -> Vec<u8> {
		self.encode()
	}
}

/// Proof of possession signed by a device's **new** key on rotation. Layout in the module docs.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct RotationPayload {
	/// Always [`ROTATE_TAG`].
	pub tag: [u8; 39],
	/// Genesis hash of the chain.
	pub genesis_hash: [u8; 32],
	/// The device whose key rotates.
	pub device: DeviceId,
	/// Rotations the device has had so far.
	pub rotation: u32,
	/// The new key.
	pub new_key: DeviceKey,
}

impl RotationPayload {
	/// The payload for rotating `device` (with `rotation` previous rotations) to `new_key`.
	pub fn new(
		genesis_hash: [u8; 32],
		device: DeviceId,
		rotation: u32,
		new_key: DeviceKey,
	) -> Self {
		Self { tag: ROTATE_TAG, genesis_hash, device, rotation, new_key }
	}

	/// The bytes the new key signs.
	pub fn signing_bytes(&self) -> Vec<u8> {
		self.encode()
	}
}

/// Proof of possession signed by a batch device when `owner` claims it. Layout in the module docs.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct ClaimPayload<AccountId> {
	/// Always [`CLAIM_TAG`].
	pub tag: [u8; 38],
	/// Genesis hash of the chain.
	pub genesis_hash: [u8; 32],
	/// The batch the device belongs to.
	pub batch: BatchId,
	/// The account claiming (and owning) the device.
	pub owner: AccountId,
	/// The device's key, a leaf of the batch.
	pub key: DeviceKey,
}

impl<AccountId: Encode> ClaimPayload<AccountId> {
	/// The payload for `owner` claiming `key` from `batch`.
	pub fn new(genesis_hash: [u8; 32], batch: BatchId, owner: AccountId, key: DeviceKey) -> Self {
		Self { tag: CLAIM_TAG, genesis_hash, batch, owner, key }
	}

	/// The bytes the device signs.
	pub fn signing_bytes(&self) -> Vec<u8> {
		self.encode()
	}
}

/// Verifies a P-256 (secp256r1) ECDSA signature.
///
/// `key` is a SEC1-compressed point, `sig` is `r ‖ s` (big-endian scalars), and the message is
/// hashed with SHA-256 before verification. Signatures with a high `s` (`s > n/2`) are refused
/// even though they are mathematically valid: every valid signature has such a twin, and
/// accepting both would let anyone derive a second valid signature from a first one.
///
/// Pure Rust (`p256` 0.13): there is no host function for P-256, so in the runtime this costs
/// roughly 45 times an sr25519 host check; the registry's weights account for it.
pub fn verify_p256(key: &[u8; 33], msg: &[u8], sig: &[u8; 64]) -> bool {
	use p256::ecdsa::{signature::Verifier, Signature, VerifyingKey};

	let Ok(verifying_key) = VerifyingKey::from_sec1_bytes(key) else { return false };
	let Ok(signature) = Signature::from_slice(sig) else { return false };
	// `normalize_s` returns `Some(low-S twin)` exactly when `s` is high.
	if signature.normalize_s().is_some() {
		return false;
	}
	verifying_key.verify(msg, &signature).is_ok()
}

/// Verifies a device signature of `msg` by `key`.
///
/// Ed25519, Sr25519 and secp256k1 go through the host functions of `sp_io::crypto` (in native
/// code they are plain `sp_core` calls and need no externalities); P-256 has no host function and
/// is verified in the runtime by [`verify_p256`] (low-S only).
/// A signature of another scheme than the key's is refused without any curve arithmetic.
pub fn verify_signature(key: &DeviceKey, msg: &[u8], signature: &DeviceSignature) -> bool {
	use polkadot_sdk::{
		sp_core::{ecdsa, ed25519, sr25519},
		sp_io,
	};
	match (key, signature) {
		(DeviceKey::Ed25519(public), DeviceSignature::Ed25519(sig)) => {
			sp_io::crypto::ed25519_verify(
				&ed25519::Signature::from_raw(*sig),
				msg,
				&ed25519::Public::from_raw(*public),
			)
		},
		(DeviceKey::Sr25519(public), DeviceSignature::Sr25519(sig)) => {
			sp_io::crypto::sr25519_verify(
				&sr25519::Signature::from_raw(*sig),
				msg,
				&sr25519::Public::from_raw(*public),
			)
		},
		(DeviceKey::Secp256k1(public), DeviceSignature::Secp256k1(sig)) => {
			sp_io::crypto::ecdsa_verify(
				&ecdsa::Signature::from_raw(*sig),
				msg,
				&ecdsa::Public::from_raw(*public),
			)
		},
		(DeviceKey::P256(public), DeviceSignature::P256(sig)) => verify_p256(public, msg, sig),
		_ => false,
	}
}

/// The first 32 bytes of a block hash (zero-padded if shorter): what every signed payload
/// binds as the chain's genesis hash.
pub fn hash_bytes(hash: &[u8]) -> [u8; 32] {
	let mut out = [0u8; 32];
	for (slot, byte) in out.iter_mut().zip(hash) {
		*slot = *byte;
	}
	out
}

/// BLAKE2b-256 through `sp_io`: the host function inside the runtime, plain Rust in native code.
/// What the pallets use; a device without `sp_io` uses [`SoftwareBlake2`].
pub struct HostBlake2;

impl Blake2Hasher for HostBlake2 {
	fn blake2_256(data: &[u8]) -> [u8; 32] {
		polkadot_sdk::sp_io::hashing::blake2_256(data)
	}
}

/// BLAKE2b with a 32-byte output, as a plug-in so the runtime can use its host function and a
/// device or tool a pure-Rust implementation.
pub trait Blake2Hasher {
	/// `blake2b-256(data)`.
	fn blake2_256(data: &[u8]) -> [u8; 32];
}

/// Pure-Rust BLAKE2b-256 (`sp-crypto-hashing`), for clients, tools and tests. The runtime should
/// prefer the host function (`sp_io::hashing::blake2_256`).
pub struct SoftwareBlake2;

impl Blake2Hasher for SoftwareBlake2 {
	fn blake2_256(data: &[u8]) -> [u8; 32] {
		polkadot_sdk::sp_crypto_hashing::blake2_256(data)
	}
}

/// Key id used by the registry's key index: `H(SCALE(key))`.
pub fn key_id<H: Blake2Hasher>(key: &DeviceKey) -> [u8; 32] {
	key.using_encoded(H::blake2_256)
}

/// Merkle leaf of a batch key: `H(0x00 ‖ SCALE(key))`.
pub fn leaf_hash<H: Blake2Hasher>(key: &DeviceKey) -> [u8; 32] {
	let mut data = Vec::with_capacity(35);
	data.push(LEAF_PREFIX);
	key.encode_to(&mut data);
	H::blake2_256(&data)
}

/// Merkle inner node: `H(0x01 ‖ left ‖ right)`.
pub fn node_hash<H: Blake2Hasher>(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
	let mut buf = [0u8; 65];
	let bytes = core::iter::once(&NODE_PREFIX).chain(left.iter()).chain(right.iter());
	for (slot, byte) in buf.iter_mut().zip(bytes) {
		*slot = *byte;
	}
	H::blake2_256(&buf)
}

/// Folds an inclusion proof up to the root.
///
/// Returns `None` when the proof cannot belong to a tree of `leaf_count` leaves: `leaf_index`
/// out of range, more than [`MAX_MERKLE_DEPTH`] siblings, or a sibling list that is shorter or
/// longer than the path of `leaf_index` in such a tree.
pub fn root_from_proof<H: Blake2Hasher>(
	leaf: [u8; 32],
	leaf_index: u32,
	leaf_count: u32,
	proof: &[[u8; 32]],
) -> Option<[u8; 32]> {
	if leaf_index >= leaf_count || proof.len() > MAX_MERKLE_DEPTH as usize {
		return None;
	}
	let mut hash = leaf;
	let mut index = leaf_index;
	let mut width = leaf_count;
	let mut siblings = proof.iter();
	while width > 1 {
		if index & 1 == 1 {
			// Right child: the sibling is on the left and always exists.
			let sibling = siblings.next()?;
			hash = node_hash::<H>(sibling, &hash);
		} else if index.checked_add(1)? < width {
			// Left child with a right sibling.
			let sibling = siblings.next()?;
			hash = node_hash::<H>(&hash, sibling);
		}
		// Otherwise: last node of an odd level, promoted unchanged.
		index = index.wrapping_shr(1);
		width = width.div_ceil(2);
	}
	if siblings.next().is_some() {
		return None;
	}
	Some(hash)
}

/// Whether `key` is leaf `leaf_index` of the batch committed as `(root, leaf_count)`.
pub fn verify_batch_proof<H: Blake2Hasher>(
	root: &[u8; 32],
	leaf_count: u32,
	leaf_index: u32,
	key: &DeviceKey,
	proof: &[[u8; 32]],
) -> bool {
	root_from_proof::<H>(leaf_hash::<H>(key), leaf_index, leaf_count, proof)
		.is_some_and(|computed| computed == *root)
}

/// Tools for the side that builds trees (a factory tool, a device agent, tests). Not used by the
/// runtime. The same tree serves factory batches (leaves from [`leaf_hash`]) and reading batches
/// (leaves from [`crate::provenance::reading_leaf_hash`]).
#[cfg(feature = "std")]
pub mod merkle {
	use super::{leaf_hash, node_hash, Blake2Hasher, DeviceKey};
	use alloc::vec::Vec;

	fn next_level<H: Blake2Hasher>(level: &[[u8; 32]]) -> Vec<[u8; 32]> {
		level
			.chunks(2)
			.map(|pair| match pair {
				[left, right] => node_hash::<H>(left, right),
				[single] => *single,
				_ => [0u8; 32],
			})
			.collect()
	}

	/// Root and leaf count of a tree over `leaves`; `None` for no leaves or more than `u32::MAX`.
	pub fn root_of_leaves<H: Blake2Hasher>(leaves: Vec<[u8; 32]>) -> Option<([u8; 32], u32)> {
		let count = u32::try_from(leaves.len()).ok()?;
		let mut level = leaves;
		while level.len() > 1 {
			level = next_level::<H>(&level);
		}
		level.first().map(|root| (*root, count))
	}

	/// Inclusion proof (siblings, leaf level first) of leaf `index`.
	pub fn proof_of_leaves<H: Blake2Hasher>(
		leaves: Vec<[u8; 32]>,
		index: u32,
	) -> Option<Vec<[u8; 32]>> {
		let mut idx = usize::try_from(index).ok()?;
		if idx >= leaves.len() {
			return None;
		}
		let mut level = leaves;
		let mut siblings = Vec::new();
		while level.len() > 1 {
			let sibling = if idx & 1 == 1 { idx.checked_sub(1) } else { idx.checked_add(1) };
			if let Some(hash) = sibling.and_then(|s| level.get(s)) {
				siblings.push(*hash);
			}
			idx = idx.wrapping_shr(1);
			level = next_level::<H>(&level);
		}
		Some(siblings)
	}

	/// The leaves of a batch of keys, in order.
	pub fn leaves<H: Blake2Hasher>(keys: &[DeviceKey]) -> Vec<[u8; 32]> {
		keys.iter().map(leaf_hash::<H>).collect()
	}

	/// Root and leaf count of a batch; `None` for an empty batch or more than `u32::MAX` keys.
	pub fn root<H: Blake2Hasher>(keys: &[DeviceKey]) -> Option<([u8; 32], u32)> {
		root_of_leaves::<H>(leaves::<H>(keys))
	}

	/// Inclusion proof (siblings, leaf level first) of key `index`.
	pub fn proof<H: Blake2Hasher>(keys: &[DeviceKey], index: u32) -> Option<Vec<[u8; 32]>> {
		proof_of_leaves::<H>(leaves::<H>(keys), index)
	}
}

/// What other pallets need from the device registry. The runtime wires `pallet-device-registry`;
/// a pallet's mock wires a test double (or `()`, which knows no device).
pub trait DeviceRegistry<AccountId> {
	/// Whether data from the device should be accepted now: the device exists, its status is
	/// `Active` (not suspended, decommissioned or compromised), and, if it was claimed from a
	/// factory batch, that batch has not been marked compromised.
	///
	/// A revoked manufacturer does *not* deactivate the devices it already registered (they were
	/// registered with proofs from their own keys); governance marks the manufacturer's batches
	/// compromised when their keys must no longer be trusted.
	fn is_active(id: DeviceId) -> bool;

	/// The device's current owner, whatever its status; `None` if there is no such device.
	fn owner(id: DeviceId) -> Option<AccountId>;

	/// The device's current key, whatever its status; `None` if there is no such device.
	fn key(id: DeviceId) -> Option<DeviceKey>;

	/// Whether `who` may act for the device with `permission`: the owner may do anything; an
	/// operator may do what its permission set contains. An empty `permission` asks whether
	/// `who` is the owner or any operator. Says nothing about the device's status: combine with
	/// [`DeviceRegistry::is_active`].
	fn can_act(id: DeviceId, who: &AccountId, permission: Permissions) -> bool;

	/// Whether `sig` is a valid signature of `msg` by the device's *current* key (rules per key
	/// type in the module docs; the signature type must match the key type). Says nothing about
	/// the device's status.
	fn verify(id: DeviceId, msg: &[u8], sig: &DeviceSignature) -> bool;
}

/// A registry that knows no device: nothing is active, nobody may act, nothing verifies.
impl<AccountId> DeviceRegistry<AccountId> for () {
	fn is_active(_: DeviceId) -> bool {
		false
	}
	fn owner(_: DeviceId) -> Option<AccountId> {
		None
	}
	fn key(_: DeviceId) -> Option<DeviceKey> {
		None
	}
	fn can_act(_: DeviceId, _: &AccountId, _: Permissions) -> bool {
		false
	}
	fn verify(_: DeviceId, _: &[u8], _: &DeviceSignature) -> bool {
		false
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use p256::ecdsa::{signature::Signer, Signature, SigningKey};

	type H = SoftwareBlake2;

	fn p256_key(seed: u8) -> (SigningKey, [u8; 33]) {
		let sk = SigningKey::from_slice(&[seed; 32]).unwrap();
		let point = sk.verifying_key().to_encoded_point(true);
		let public: [u8; 33] = point.as_bytes().try_into().unwrap();
		(sk, public)
	}

	fn p256_sign(sk: &SigningKey, msg: &[u8]) -> Signature {
		let sig: Signature = sk.sign(msg);
		sig.normalize_s().unwrap_or(sig)
	}

	fn bytes(sig: &Signature) -> [u8; 64] {
		sig.to_bytes().as_slice().try_into().unwrap()
	}

	#[test]
	fn payload_layouts_match_the_docs() {
		let owner = [7u8; 32];
		let ed = DeviceKey::Ed25519([1; 32]);
		let p = DeviceKey::P256([2; 33]);

		let reg = RegistrationPayload::new([9; 32], owner, ed).signing_bytes();
		assert_eq!(reg.len(), 138);
		assert_eq!(&reg[..41], &REGISTER_TAG);
		assert_eq!(&reg[41..73], &[9u8; 32]);
		assert_eq!(&reg[73..105], &owner);
		assert_eq!(reg[105], 0x00);
		assert_eq!(RegistrationPayload::new([9; 32], owner, p).signing_bytes().len(), 139);

		let rot = RotationPayload::new([9; 32], 0x0102, 3, p).signing_bytes();
		assert_eq!(rot.len(), 117);
		assert_eq!(&rot[..39], &ROTATE_TAG);
		assert_eq!(&rot[71..79], &0x0102u64.to_le_bytes());
		assert_eq!(&rot[79..83], &3u32.to_le_bytes());
		assert_eq!(rot[83], 0x03);

		let claim = ClaimPayload::new([9; 32], 5, owner, ed).signing_bytes();
		assert_eq!(claim.len(), 143);
		assert_eq!(&claim[..38], &CLAIM_TAG);
		assert_eq!(&claim[70..78], &5u64.to_le_bytes());
		assert_eq!(&claim[78..110], &owner);
	}

	#[test]
	fn p256_verifies_low_s_and_refuses_high_s_twin() {
		let (sk, public) = p256_key(0x11);
		let msg = b"hello device";
		let sig = p256_sign(&sk, msg);
		assert!(verify_p256(&public, msg, &bytes(&sig)));
		assert!(!verify_p256(&public, b"other message", &bytes(&sig)));

		// The twin (r, n - s) is mathematically valid but refused.
		let twin = Signature::from_scalars(sig.r(), -sig.s()).unwrap();
		assert!(twin.normalize_s().is_some(), "twin is high-S");
		assert!(!verify_p256(&public, msg, &bytes(&twin)));

		// Another key, a malformed key and a zero signature are refused.
		let (_, other) = p256_key(0x22);
		assert!(!verify_p256(&other, msg, &bytes(&sig)));
		assert!(!verify_p256(&[0u8; 33], msg, &bytes(&sig)));
		assert!(!verify_p256(&public, msg, &[0u8; 64]));
	}

	#[test]
	fn merkle_proofs_round_trip_for_all_small_sizes() {
		for n in 1u8..=17 {
			let keys: Vec<DeviceKey> = (0..n).map(|i| DeviceKey::Sr25519([i; 32])).collect();
			let (root, count) = merkle::root::<H>(&keys).unwrap();
			assert_eq!(count, n as u32);
			for (i, key) in keys.iter().enumerate() {
				let proof = merkle::proof::<H>(&keys, i as u32).unwrap();
				assert!(proof.len() <= MAX_MERKLE_DEPTH as usize);
				assert!(verify_batch_proof::<H>(&root, count, i as u32, key, &proof));
				// Wrong index, wrong count, wrong key, truncated or extended proof: refused.
				let other = (i as u32 + 1) % count;
				if other != i as u32 {
					assert!(!verify_batch_proof::<H>(&root, count, other, key, &proof));
				}
				let stranger = DeviceKey::Ed25519([0xff; 32]);
				assert!(!verify_batch_proof::<H>(&root, count, i as u32, &stranger, &proof));
				// No claim about other leaf counts: with the promoted last node, the last leaf of a
				// 2k+1 tree walks the same path as a leaf of a 2k tree. That is why the count is
				// committed with the root and always read from storage, never from the caller.
				if !proof.is_empty() {
					assert!(!verify_batch_proof::<H>(&root, count, i as u32, key, &proof[1..]));
				}
				let mut longer = proof.clone();
				longer.push([0; 32]);
				assert!(!verify_batch_proof::<H>(&root, count, i as u32, key, &longer));
			}
		}
	}

	#[test]
	fn odd_levels_promote_the_last_node() {
		let keys: Vec<DeviceKey> = (0..3u8).map(|i| DeviceKey::Ed25519([i; 32])).collect();
		let l: Vec<[u8; 32]> = keys.iter().map(leaf_hash::<H>).collect();
		let expected = node_hash::<H>(&node_hash::<H>(&l[0], &l[1]), &l[2]);
		assert_eq!(merkle::root::<H>(&keys).unwrap(), (expected, 3));
		// The promoted leaf's proof has a single sibling.
		assert_eq!(merkle::proof::<H>(&keys, 2).unwrap(), vec![node_hash::<H>(&l[0], &l[1])]);
	}

	#[test]
	fn an_inner_node_cannot_pass_as_a_leaf() {
		let keys: Vec<DeviceKey> = (0..4u8).map(|i| DeviceKey::Ed25519([i; 32])).collect();
		let (root, count) = merkle::root::<H>(&keys).unwrap();
		let l: Vec<[u8; 32]> = keys.iter().map(leaf_hash::<H>).collect();
		let left = node_hash::<H>(&l[0], &l[1]);
		let right = node_hash::<H>(&l[2], &l[3]);
		assert_eq!(root, node_hash::<H>(&left, &right));
		// The committed count fixes the path length: every leaf of a 4-leaf tree has two
		// siblings, so a one-sibling "proof" that starts from the inner node is refused.
		assert_eq!(root_from_proof::<H>(left, 0, count, &[right]), None);
		// And a leaf is tagged 0x00, a node 0x01: hashing the same 64 bytes as a leaf-like
		// value never gives the node hash.
		let mut untagged = Vec::new();
		untagged.extend_from_slice(&l[0]);
		untagged.extend_from_slice(&l[1]);
		assert_ne!(H::blake2_256(&untagged), left);
		// A tree of one leaf has the leaf as its root.
		assert_eq!(merkle::root::<H>(&keys[..1]).unwrap(), (l[0], 1));
		assert_eq!(root_from_proof::<H>(l[0], 0, 1, &[]), Some(l[0]));
	}

	#[test]
	fn depth_is_bounded() {
		// Index 0 of a tree of 2^31 + 1 leaves has a 32-sibling path.
		let count = (1u32 << 31) + 1;
		let proof = vec![[1u8; 32]; 32];
		assert!(root_from_proof::<H>([0; 32], 0, count, &proof).is_some());
		assert!(root_from_proof::<H>([0; 32], 0, count, &proof[..31]).is_none());
		let too_long = vec![[1u8; 32]; 33];
		assert!(root_from_proof::<H>([0; 32], 0, u32::MAX, &too_long).is_none());
		assert!(root_from_proof::<H>([0; 32], 0, 0, &[]).is_none());
	}

	#[test]
	fn permissions_bits() {
		let p = Permissions::RELAY_READINGS.union(Permissions::MANAGE_FEEDS);
		assert!(p.contains(Permissions::RELAY_READINGS));
		assert!(!p.contains(Permissions::MANAGE_DEVICE));
		assert!(p.contains(Permissions::empty()));
		assert!(p.is_valid());
		assert!(!Permissions(8).is_valid());
		assert_eq!(Permissions::ALL.bits(), 7);
		assert_eq!(p.encode(), vec![3u8]);
	}

	#[test]
	fn key_encoding_and_id() {
		let k = DeviceKey::Secp256k1([2; 33]);
		let enc = k.encode();
		assert_eq!(enc.len(), 34);
		assert_eq!(enc[0], 0x02);
		assert_eq!(key_id::<H>(&k), polkadot_sdk::sp_crypto_hashing::blake2_256(&enc));
		assert_eq!(DeviceKey::max_encoded_len(), 34);
		assert_eq!(DeviceSignature::max_encoded_len(), 66);
	}

	use crate::hex;

	/// One key of each type: the public keys of fixed seeds (ed25519, sr25519 and secp256k1 from
	/// `sp-core`, P-256 from `p256`).
	fn vector_keys() -> Vec<DeviceKey> {
		use polkadot_sdk::sp_core::{ecdsa, ed25519, sr25519, Pair};
		vec![
			DeviceKey::Ed25519(ed25519::Pair::from_seed(&[1; 32]).public().0),
			DeviceKey::Sr25519(sr25519::Pair::from_seed(&[2; 32]).public().0),
			DeviceKey::Secp256k1(ecdsa::Pair::from_seed(&[3; 32]).public().0),
			DeviceKey::P256(p256_key(4).1),
		]
	}

	fn key_json(key: &DeviceKey) -> serde_json::Value {
		let kind = match key.kind() {
			KeyKind::Ed25519 => "ed25519",
			KeyKind::Sr25519 => "sr25519",
			KeyKind::Secp256k1 => "secp256k1",
			KeyKind::P256 => "p256",
		};
		serde_json::json!({ "type": kind, "publicKey": hex(key.as_bytes()), "scale": hex(&key.encode()) })
	}

	/// Every registry payload a client builds, for every key type, and a factory-batch tree.
	fn vectors() -> serde_json::Value {
		use serde_json::json;
		let genesis = [0x11; 32];
		let owner = [0x07; 32];
		let keys = vector_keys();
		let per_key = |f: &dyn Fn(&DeviceKey) -> Vec<u8>| -> Vec<serde_json::Value> {
			keys.iter()
				.map(|key| json!({ "key": key_json(key), "signingBytes": hex(&f(key)) }))
				.collect()
		};
		// A batch of 5 keys (odd: the last node is promoted), the four above and a second P-256.
		let mut batch_keys = keys.clone();
		batch_keys.push(DeviceKey::P256(p256_key(5).1));
		let (root, count) = merkle::root::<H>(&batch_keys).unwrap();
		json!({
			"hash": "blake2b-256",
			"genesisHash": hex(&genesis),
			"owner": hex(&owner),
			"register": {
				"tag": String::from_utf8(REGISTER_TAG.to_vec()).unwrap(),
				"layout": "tag ‖ genesis hash ‖ owner (32) ‖ SCALE(DeviceKey)",
				"vectors": per_key(&|key| RegistrationPayload::new(genesis, owner, *key).signing_bytes()),
			},
			"rotate": {
				"tag": String::from_utf8(ROTATE_TAG.to_vec()).unwrap(),
				"layout": "tag ‖ genesis hash ‖ device u64 LE ‖ rotation u32 LE ‖ SCALE(new DeviceKey)",
				"device": 42,
				"rotation": 3,
				"vectors": per_key(&|key| RotationPayload::new(genesis, 42, 3, *key).signing_bytes()),
			},
			"claim": {
				"tag": String::from_utf8(CLAIM_TAG.to_vec()).unwrap(),
				"layout": "tag ‖ genesis hash ‖ batch u64 LE ‖ owner (32) ‖ SCALE(DeviceKey)",
				"batch": 5,
				"vectors": per_key(&|key| ClaimPayload::new(genesis, 5, owner, *key).signing_bytes()),
			},
			"batchTree": {
				"leaf": "H(0x00 ‖ SCALE(DeviceKey))",
				"node": "H(0x01 ‖ left ‖ right), odd last node promoted",
				"keys": batch_keys.iter().map(key_json).collect::<Vec<_>>(),
				"leaves": merkle::leaves::<H>(&batch_keys).iter().map(|l| hex(l)).collect::<Vec<_>>(),
				"root": hex(&root),
				"count": count,
				"proofs": (0..count)
					.map(|i| {
						let proof = merkle::proof::<H>(&batch_keys, i).unwrap();
						proof.iter().map(|h| hex(h)).collect::<Vec<_>>()
					})
					.collect::<Vec<_>>(),
			},
		})
	}

	/// The committed vectors are what this code produces. `UPDATE_TEST_VECTORS=1 cargo test -p
	/// iot-primitives` rewrites them after a deliberate format change (then bump the tag).
	#[test]
	fn test_vectors_file_is_current() {
		crate::assert_vectors_current("device.json", &vectors());
	}

	#[test]
	fn every_batch_vector_proves() {
		let keys = vector_keys();
		let (root, count) = merkle::root::<H>(&keys).unwrap();
		for (i, key) in keys.iter().enumerate() {
			let proof = merkle::proof::<H>(&keys, i as u32).unwrap();
			assert_eq!(
				root_from_proof::<H>(leaf_hash::<H>(key), i as u32, count, &proof),
				Some(root)
			);
		}
	}
}
