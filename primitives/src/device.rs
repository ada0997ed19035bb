//! # Device identities: keys, signatures, signing payloads, factory-batch Merkle proofs
//!
//! The byte formats (keys, signatures, the registration, rotation and claim payloads, the
//! factory-batch tree) are defined in [`iot_formats::device`], re-exported here with their
//! documentation; this module adds what needs the chain's host: signature verification through
//! `sp_io` ([`verify_signature`]), host hashing ([`HostBlake2`]) and the [`DeviceRegistry`] trait
//! other pallets use.

pub use iot_formats::device::*;

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

/// BLAKE2b-256 through `sp_io`: the host function inside the runtime, plain Rust in native code.
/// What the pallets use; a device without `sp_io` uses [`SoftwareBlake2`].
pub struct HostBlake2;

impl Blake2Hasher for HostBlake2 {
	fn hash_parts(parts: &[&[u8]]) -> [u8; 32] {
		match parts {
			[data] => polkadot_sdk::sp_io::hashing::blake2_256(data),
			_ => polkadot_sdk::sp_io::hashing::blake2_256(&parts.concat()),
		}
	}

	fn blake2_256(data: &[u8]) -> [u8; 32] {
		polkadot_sdk::sp_io::hashing::blake2_256(data)
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
	use codec::{Encode, MaxEncodedLen};
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
