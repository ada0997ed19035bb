//! # Device identities: keys, signatures, signing payloads, factory-batch Merkle proofs
//!
//! The byte formats shared by `pallet-device-registry`, the other pallets that consume it through
//! `iot_primitives::device::DeviceRegistry`, and device-side code (firmware, the JavaScript
//! client, factory tools). Hashing goes through [`Blake2Hasher`], so the runtime plugs in the
//! host's blake2 and a device or a factory tool pure Rust ([`crate::SoftwareBlake2`]). Signature
//! verification with host functions is in `iot_primitives::device::verify_signature`; P-256,
//! which has none, is [`verify_p256`] here.
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

#[cfg(feature = "software-hash")]
pub use crate::SoftwareBlake2;
pub use crate::{hash_bytes, Blake2Hasher};
use crate::{AccountBytes, Sink};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// SCALE, `MaxEncodedLen` and `TypeInfo` for the chain's types, with `scale`.
macro_rules! chain_type {
	($item:item) => {
		#[cfg_attr(
			feature = "scale",
			derive(
				codec::Encode,
				codec::Decode,
				codec::DecodeWithMemTracking,
				codec::MaxEncodedLen,
				scale_info::TypeInfo
			)
		)]
		$item
	};
}
pub(crate) use chain_type;

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

chain_type! {
/// The signature scheme of a key or signature, without the bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyKind {
	/// Ed25519.
	#[cfg_attr(feature = "scale", codec(index = 0))]
	Ed25519,
	/// Sr25519 (schnorrkel).
	#[cfg_attr(feature = "scale", codec(index = 1))]
	Sr25519,
	/// ECDSA over secp256k1, blake2-256 message hash.
	#[cfg_attr(feature = "scale", codec(index = 2))]
	Secp256k1,
	/// ECDSA over NIST P-256 (secp256r1), SHA-256 message hash, low S.
	#[cfg_attr(feature = "scale", codec(index = 3))]
	P256,
}
}

impl KeyKind {
	/// The variant byte keys and signatures of this scheme start with.
	pub const fn variant_byte(self) -> u8 {
		match self {
			Self::Ed25519 => 0,
			Self::Sr25519 => 1,
			Self::Secp256k1 => 2,
			Self::P256 => 3,
		}
	}
}

chain_type! {
/// A device's public key. See the module docs for the byte layout.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeviceKey {
	/// Ed25519 public key.
	#[cfg_attr(feature = "scale", codec(index = 0))]
	Ed25519([u8; 32]),
	/// Sr25519 public key.
	#[cfg_attr(feature = "scale", codec(index = 1))]
	Sr25519([u8; 32]),
	/// secp256k1 public key, SEC1 compressed.
	#[cfg_attr(feature = "scale", codec(index = 2))]
	Secp256k1([u8; 33]),
	/// P-256 public key, SEC1 compressed.
	#[cfg_attr(feature = "scale", codec(index = 3))]
	P256([u8; 33]),
}
}

impl DeviceKey {
	/// Longest encoding of a key: variant byte + 33 bytes.
	pub const MAX_ENCODED_LEN: usize = 34;

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

	/// Writes `SCALE(key)`: the variant byte, then the raw key (no length prefix).
	pub fn write(&self, out: &mut dyn Sink) {
		out.put(&[self.kind().variant_byte()]);
		out.put(self.as_bytes());
	}
}

chain_type! {
/// A signature made by a device key. See the module docs for the byte layout and hashing rules.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeviceSignature {
	/// Ed25519 signature over the raw message.
	#[cfg_attr(feature = "scale", codec(index = 0))]
	Ed25519([u8; 64]),
	/// Sr25519 signature (context `b"substrate"`) over the raw message.
	#[cfg_attr(feature = "scale", codec(index = 1))]
	Sr25519([u8; 64]),
	/// secp256k1 recoverable signature `r ‖ s ‖ v` over `blake2_256(message)`.
	#[cfg_attr(feature = "scale", codec(index = 2))]
	Secp256k1([u8; 65]),
	/// P-256 signature `r ‖ s` over `sha256(message)`, low S.
	#[cfg_attr(feature = "scale", codec(index = 3))]
	P256([u8; 64]),
}
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

	/// The raw signature bytes, without the variant byte.
	pub fn as_bytes(&self) -> &[u8] {
		match self {
			Self::Ed25519(s) | Self::Sr25519(s) | Self::P256(s) => s.as_slice(),
			Self::Secp256k1(s) => s.as_slice(),
		}
	}

	/// Writes `SCALE(signature)`: the variant byte, then the raw signature.
	pub fn write(&self, out: &mut dyn Sink) {
		out.put(&[self.kind().variant_byte()]);
		out.put(self.as_bytes());
	}
}

chain_type! {
/// Operator permissions: a bit set over `u8`, SCALE-encoded as that single byte.
///
/// Bits not listed here are reserved; the registry refuses them.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct Permissions(pub u8);
}

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

/// The byte-producing side every payload shares: written into a [`Sink`], collected into a
/// `Vec` (with `alloc`) or a stack buffer.
macro_rules! payload_bytes {
	() => {
		/// The bytes that are signed, in a `Vec`.
		#[cfg(feature = "alloc")]
		pub fn signing_bytes(&self) -> Vec<u8> {
			let mut out = Vec::new();
			self.write(&mut out);
			out
		}

		/// The bytes that are signed, in a stack buffer (no allocator needed); `None` only if an
		/// account id or content id makes the payload longer than [`crate::MAX_PAYLOAD_LEN`].
		pub fn to_stack_bytes(&self) -> crate::PayloadBytes {
			let mut out = crate::PayloadBytes::new();
			self.write(&mut out);
			out
		}
	};
}
pub(crate) use payload_bytes;

/// Proof of possession signed by a device when its owner registers it. Layout in the module docs.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, PartialEq, Eq, Debug)]
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

impl<AccountId: AccountBytes> RegistrationPayload<AccountId> {
	/// The payload for `owner` registering `key` on the chain with `genesis_hash`.
	pub fn new(genesis_hash: [u8; 32], owner: AccountId, key: DeviceKey) -> Self {
		Self { tag: REGISTER_TAG, genesis_hash, owner, key }
	}

	/// Writes the bytes the device signs.
	pub fn write(&self, out: &mut dyn Sink) {
		out.put(&self.tag);
		out.put(&self.genesis_hash);
		self.owner.write_account(out);
		self.key.write(out);
	}

	payload_bytes!();
}

/// Proof of possession signed by a device's **new** key on rotation. Layout in the module docs.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, PartialEq, Eq, Debug)]
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

	/// Writes the bytes the new key signs.
	pub fn write(&self, out: &mut dyn Sink) {
		out.put(&self.tag);
		out.put(&self.genesis_hash);
		out.put(&self.device.to_le_bytes());
		out.put(&self.rotation.to_le_bytes());
		self.new_key.write(out);
	}

	payload_bytes!();
}

/// Proof of possession signed by a batch device when `owner` claims it. Layout in the module docs.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, PartialEq, Eq, Debug)]
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

impl<AccountId: AccountBytes> ClaimPayload<AccountId> {
	/// The payload for `owner` claiming `key` from `batch`.
	pub fn new(genesis_hash: [u8; 32], batch: BatchId, owner: AccountId, key: DeviceKey) -> Self {
		Self { tag: CLAIM_TAG, genesis_hash, batch, owner, key }
	}

	/// Writes the bytes the device signs.
	pub fn write(&self, out: &mut dyn Sink) {
		out.put(&self.tag);
		out.put(&self.genesis_hash);
		out.put(&self.batch.to_le_bytes());
		self.owner.write_account(out);
		self.key.write(out);
	}

	payload_bytes!();
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
#[cfg(feature = "p256")]
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

/// Key id used by the registry's key index: `H(SCALE(key))`.
pub fn key_id<H: Blake2Hasher>(key: &DeviceKey) -> [u8; 32] {
	let mut buf = crate::StackBytes::<{ DeviceKey::MAX_ENCODED_LEN }>::new();
	key.write(&mut buf);
	H::blake2_256(buf.as_slice().unwrap_or_default())
}

/// Merkle leaf of a batch key: `H(0x00 ‖ SCALE(key))`.
pub fn leaf_hash<H: Blake2Hasher>(key: &DeviceKey) -> [u8; 32] {
	let mut buf = crate::StackBytes::<{ DeviceKey::MAX_ENCODED_LEN + 1 }>::new();
	buf.put(&[LEAF_PREFIX]);
	key.write(&mut buf);
	H::blake2_256(buf.as_slice().unwrap_or_default())
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

/// Tools for the side that builds trees (a factory tool, a gateway, tests; not the runtime), with
/// `alloc`. The same tree serves factory batches (leaves from [`leaf_hash`]) and reading batches
/// (leaves from [`crate::provenance::reading_leaf_hash`]).
#[cfg(feature = "alloc")]
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

#[cfg(all(test, feature = "scale"))]
mod tests {
	use super::*;
	use codec::Encode;

	fn keys() -> [DeviceKey; 4] {
		[
			DeviceKey::Ed25519([1; 32]),
			DeviceKey::Sr25519([2; 32]),
			DeviceKey::Secp256k1([3; 33]),
			DeviceKey::P256([4; 33]),
		]
	}

	#[test]
	fn hand_written_bytes_are_the_scale_encoding() {
		for key in keys() {
			let mut ours = Vec::new();
			key.write(&mut ours);
			assert_eq!(ours, key.encode());
			let reg = RegistrationPayload::new([9; 32], [7u8; 32], key);
			assert_eq!(reg.signing_bytes(), reg.encode());
			assert_eq!(reg.to_stack_bytes().as_slice(), Some(&reg.encode()[..]));
			// The mocks' `u64` accounts: 8 bytes, as SCALE writes them.
			let mock = RegistrationPayload::new([9; 32], 42u64, key);
			assert_eq!(mock.signing_bytes(), mock.encode());
			let rot = RotationPayload::new([9; 32], 0x0102, 3, key);
			assert_eq!(rot.signing_bytes(), rot.encode());
			let claim = ClaimPayload::new([9; 32], 5, [7u8; 32], key);
			assert_eq!(claim.signing_bytes(), claim.encode());
		}
		let sigs = [
			DeviceSignature::Ed25519([1; 64]),
			DeviceSignature::Sr25519([2; 64]),
			DeviceSignature::Secp256k1([3; 65]),
			DeviceSignature::P256([4; 64]),
		];
		for sig in sigs {
			let mut ours = Vec::new();
			sig.write(&mut ours);
			assert_eq!(ours, sig.encode());
			assert_eq!(sig.kind().variant_byte(), sig.encode()[0]);
		}
	}
}
