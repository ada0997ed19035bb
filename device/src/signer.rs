//! The device's key: one [`Signer`] per key type the chain accepts, and a P-256 signer over a
//! secure element.
//!
//! Every signer follows the signing rules of [`iot_formats::device::DeviceSignature`]:
//!
//! | signer | what is signed |
//! |---|---|
//! | [`Ed25519Signer`] | RFC 8032 Ed25519 over the message |
//! | [`Sr25519Signer`] | schnorrkel, context `b"substrate"`, over the message, with the device's RNG for the nonce |
//! | [`Secp256k1Signer`] | ECDSA over BLAKE2b-256(message), `r ‖ s ‖ v`, low S (RFC 6979 nonces) |
//! | [`P256Signer`] | ECDSA over SHA-256(message), `r ‖ s`, **low S** (RFC 6979 nonces) |
//! | [`SecureElementSigner`] | as `P256Signer`; the element signs the SHA-256 digest, the wrapper normalises S |

use iot_formats::device::{DeviceKey, DeviceSignature};

/// Why a statement could not be signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignError {
	/// The statement is longer than [`iot_formats::MAX_PAYLOAD_LEN`] (a content id too long).
	PayloadTooLong,
	/// The key's bytes are not a valid secret key of its type.
	InvalidSecret,
	/// The secure element failed, or returned something that is not a valid signature of its key
	/// (the reason from the driver or the wrapper).
	Hardware(&'static str),
}

/// A device key that signs statements for the chain.
pub trait Signer {
	/// The key as the chain registers it.
	fn public_key(&self) -> DeviceKey;
	/// Signs `message` under the rules of [`DeviceSignature`] for this key's type.
	fn sign(&mut self, message: &[u8]) -> Result<DeviceSignature, SignError>;
}

/// An Ed25519 key held in software.
#[cfg(feature = "ed25519")]
pub struct Ed25519Signer(ed25519_dalek::SigningKey);

#[cfg(feature = "ed25519")]
impl Ed25519Signer {
	/// The key of a 32-byte RFC 8032 secret (seed).
	pub fn from_seed(seed: &[u8; 32]) -> Self {
		Self(ed25519_dalek::SigningKey::from_bytes(seed))
	}
}

#[cfg(feature = "ed25519")]
impl Signer for Ed25519Signer {
	fn public_key(&self) -> DeviceKey {
		DeviceKey::Ed25519(self.0.verifying_key().to_bytes())
	}

	fn sign(&mut self, message: &[u8]) -> Result<DeviceSignature, SignError> {
		use ed25519_dalek::Signer as _;
		Ok(DeviceSignature::Ed25519(self.0.sign(message).to_bytes()))
	}
}

/// An sr25519 key held in software. Schnorrkel signatures need a fresh random nonce each: the
/// device injects its random number generator (a hardware TRNG behind `rand_core`'s traits).
/// The key is derived from a 32-byte seed as `sp_core::sr25519::Pair::from_seed` and
/// polkadot.js do (a mini secret key, expanded in Ed25519 mode).
#[cfg(feature = "sr25519")]
pub struct Sr25519Signer<R> {
	keypair: schnorrkel::Keypair,
	rng: R,
}

#[cfg(feature = "sr25519")]
impl<R: rand_core::RngCore + rand_core::CryptoRng> Sr25519Signer<R> {
	/// The key of `seed`, signing with nonces from `rng`.
	pub fn from_seed(seed: &[u8; 32], rng: R) -> Result<Self, SignError> {
		let mini =
			schnorrkel::MiniSecretKey::from_bytes(seed).map_err(|_| SignError::InvalidSecret)?;
		Ok(Self { keypair: mini.expand_to_keypair(schnorrkel::ExpansionMode::Ed25519), rng })
	}
}

#[cfg(feature = "sr25519")]
impl<R: rand_core::RngCore + rand_core::CryptoRng> Signer for Sr25519Signer<R> {
	fn public_key(&self) -> DeviceKey {
		DeviceKey::Sr25519(self.keypair.public.to_bytes())
	}

	fn sign(&mut self, message: &[u8]) -> Result<DeviceSignature, SignError> {
		let transcript = schnorrkel::signing_context(b"substrate").bytes(message);
		let signature =
			self.keypair.sign(schnorrkel::context::attach_rng(transcript, &mut self.rng));
		Ok(DeviceSignature::Sr25519(signature.to_bytes()))
	}
}

/// A secp256k1 key held in software.
#[cfg(feature = "secp256k1")]
pub struct Secp256k1Signer(k256::ecdsa::SigningKey);

#[cfg(feature = "secp256k1")]
impl Secp256k1Signer {
	/// The key of a 32-byte big-endian secret scalar.
	pub fn from_secret(secret: &[u8; 32]) -> Result<Self, SignError> {
		k256::ecdsa::SigningKey::from_slice(secret).map(Self).map_err(|_| SignError::InvalidSecret)
	}
}

#[cfg(feature = "secp256k1")]
impl Signer for Secp256k1Signer {
	fn public_key(&self) -> DeviceKey {
		let point = self.0.verifying_key().to_encoded_point(true);
		let mut key = [0u8; 33];
		for (slot, byte) in key.iter_mut().zip(point.as_bytes()) {
			*slot = *byte;
		}
		DeviceKey::Secp256k1(key)
	}

	fn sign(&mut self, message: &[u8]) -> Result<DeviceSignature, SignError> {
		use iot_formats::Blake2Hasher as _;
		let digest = iot_formats::SoftwareBlake2::blake2_256(message);
		let (signature, recovery) = self
			.0
			.sign_prehash_recoverable(&digest)
			.map_err(|_| SignError::Hardware("secp256k1 signing failed"))?;
		let mut out = [0u8; 65];
		let bytes = signature.to_bytes();
		for (slot, byte) in out.iter_mut().zip(bytes.iter().chain([recovery.to_byte()].iter())) {
			*slot = *byte;
		}
		Ok(DeviceSignature::Secp256k1(out))
	}
}

/// A P-256 key held in software (a device without a secure element, a test bench).
#[cfg(feature = "p256")]
pub struct P256Signer(p256::ecdsa::SigningKey);

#[cfg(feature = "p256")]
impl P256Signer {
	/// The key of a 32-byte big-endian secret scalar.
	pub fn from_secret(secret: &[u8; 32]) -> Result<Self, SignError> {
		p256::ecdsa::SigningKey::from_slice(secret).map(Self).map_err(|_| SignError::InvalidSecret)
	}
}

#[cfg(feature = "p256")]
impl Signer for P256Signer {
	fn public_key(&self) -> DeviceKey {
		let point = self.0.verifying_key().to_encoded_point(true);
		let mut key = [0u8; 33];
		for (slot, byte) in key.iter_mut().zip(point.as_bytes()) {
			*slot = *byte;
		}
		DeviceKey::P256(key)
	}

	fn sign(&mut self, message: &[u8]) -> Result<DeviceSignature, SignError> {
		use p256::ecdsa::signature::Signer as _;
		let signature: p256::ecdsa::Signature = self.0.sign(message);
		let signature = signature.normalize_s().unwrap_or(signature);
		let mut out = [0u8; 64];
		for (slot, byte) in out.iter_mut().zip(signature.to_bytes().iter()) {
			*slot = *byte;
		}
		Ok(DeviceSignature::P256(out))
	}
}

/// What a P-256 secure element (ATECC608, SE050, a TPM) offers: its public key and a raw ECDSA
/// signature of a 32-byte digest. Implement it over the element's driver; the secret never
/// leaves the element.
pub trait P256SecureElement {
	/// The element's public key, SEC1-compressed (`0x02`/`0x03` ‖ X). Elements that return the
	/// uncompressed point give `0x02 | (Y & 1)` ‖ X.
	fn public_key(&self) -> [u8; 33];
	/// `r ‖ s` (32 bytes each, big-endian) over `digest` (already SHA-256 of the message).
	/// High or low S, as the element gives it (many elements return either).
	fn sign_digest(&mut self, digest: &[u8; 32]) -> Result<[u8; 64], &'static str>;
}

/// A [`Signer`] over a [`P256SecureElement`]: hashes the message with SHA-256, lets the element
/// sign the digest, and normalises the signature to low S, which the chain requires (a high-S
/// signature is refused there, since it is the malleated twin of the low one). With the `p256`
/// feature it also checks the signature against the element's public key before returning it, so
/// a faulty driver is found on the device, not by a refused transaction.
pub struct SecureElementSigner<E>(pub E);

/// The order `n` of the P-256 group, big-endian.
const P256_ORDER: [u8; 32] = [
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `n / 2` (rounded down): the largest low S.
const P256_HALF_ORDER: [u8; 32] = [
	0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
];

/// `a - b` of two 32-byte big-endian numbers with `a ≥ b`.
fn sub_be(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
	let mut out = [0u8; 32];
	let mut borrow = 0u16;
	for ((slot, x), y) in out.iter_mut().zip(a.iter()).zip(b.iter()).rev() {
		// 0x100 + x - y - borrow is in 0..=0x1ff: no overflow in u16.
		let diff =
			0x100u16.wrapping_add(u16::from(*x)).wrapping_sub(u16::from(*y)).wrapping_sub(borrow);
		*slot = (diff & 0xff) as u8;
		borrow = if diff < 0x100 { 1 } else { 0 };
	}
	out
}

/// `r ‖ s` with `s` replaced by `n - s` when it is high; `None` if `r` or `s` is 0 or ≥ `n` (not
/// a signature at all).
pub fn normalize_p256_signature(signature: &[u8; 64]) -> Option<[u8; 64]> {
	let (r, s) = signature.split_at(32);
	let r: [u8; 32] = r.try_into().ok()?;
	let s: [u8; 32] = s.try_into().ok()?;
	let zero = [0u8; 32];
	if r == zero || s == zero || r >= P256_ORDER || s >= P256_ORDER {
		return None;
	}
	// Big-endian byte arrays compare as the numbers they encode.
	let s = if s > P256_HALF_ORDER { sub_be(&P256_ORDER, &s) } else { s };
	let mut out = [0u8; 64];
	for (slot, byte) in out.iter_mut().zip(r.iter().chain(s.iter())) {
		*slot = *byte;
	}
	Some(out)
}

impl<E: P256SecureElement> Signer for SecureElementSigner<E> {
	fn public_key(&self) -> DeviceKey {
		DeviceKey::P256(self.0.public_key())
	}

	fn sign(&mut self, message: &[u8]) -> Result<DeviceSignature, SignError> {
		use sha2::Digest as _;
		let digest: [u8; 32] = sha2::Sha256::digest(message).into();
		let raw = self.0.sign_digest(&digest).map_err(SignError::Hardware)?;
		let signature = normalize_p256_signature(&raw)
			.ok_or(SignError::Hardware("the element returned an invalid signature"))?;
		#[cfg(feature = "p256")]
		if !iot_formats::device::verify_p256(&self.0.public_key(), message, &signature) {
			return Err(SignError::Hardware(
				"the signature does not verify with the element's key",
			));
		}
		Ok(DeviceSignature::P256(signature))
	}
}
