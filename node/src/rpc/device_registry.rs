//! `iot_*` methods over the device registry's runtime API, answering in plain JSON: accounts in
//! SS58, keys and hashes in `0x` hex, text fields as UTF-8 strings (hex if they are not UTF-8),
//! amounts as decimal strings (they exceed JavaScript's safe integers).
//!
//! polkadot.js can call the same API directly (`api.call.deviceRegistryApi.*`) and get the SCALE
//! types; these methods are for everything else (curl, dashboards, scripts).

use super::iot::runtime_error;
use crate::service::ParachainClient;
use iot_runtime::{
	pallet_device_registry::{
		DeviceKey, DeviceRecordOf, DeviceStatus, ManufacturerInfoOf, ManufacturerStatus,
	},
	AccountId, Runtime,
};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use pallet_device_registry_runtime_api::{DeviceId, DeviceRegistryApi, MAX_DEVICES_PAGE};
use polkadot_sdk::{
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_core::{crypto::Ss58Codec, H256},
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Error code for a malformed parameter (JSON-RPC "invalid params").
const INVALID_PARAMS: i32 = -32602;

fn invalid(message: String) -> ErrorObjectOwned {
	ErrorObject::owned(INVALID_PARAMS, message, None::<()>)
}

/// A device key in JSON: its type and its public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyJson {
	/// `ed25519`, `sr25519`, `secp256k1` or `p256`.
	#[serde(rename = "type")]
	pub key_type: String,
	/// Public key, `0x` hex: 32 bytes (ed25519, sr25519) or 33 bytes SEC1 compressed (ECDSA).
	pub public_key: String,
}

impl From<&DeviceKey> for KeyJson {
	fn from(key: &DeviceKey) -> Self {
		let key_type = match key {
			DeviceKey::Ed25519(_) => "ed25519",
			DeviceKey::Sr25519(_) => "sr25519",
			DeviceKey::Secp256k1(_) => "secp256k1",
			DeviceKey::P256(_) => "p256",
		};
		Self { key_type: key_type.into(), public_key: hex(key.as_bytes()) }
	}
}

impl TryFrom<&KeyJson> for DeviceKey {
	type Error = String;

	fn try_from(json: &KeyJson) -> Result<Self, String> {
		let bytes = unhex(&json.public_key)?;
		let wrong_length =
			|n: usize| format!("a {} key has {n} bytes, got {}", json.key_type, bytes.len());
		match json.key_type.as_str() {
			"ed25519" => {
				bytes.as_slice().try_into().map(DeviceKey::Ed25519).map_err(|_| wrong_length(32))
			},
			"sr25519" => {
				bytes.as_slice().try_into().map(DeviceKey::Sr25519).map_err(|_| wrong_length(32))
			},
			"secp256k1" => {
				bytes.as_slice().try_into().map(DeviceKey::Secp256k1).map_err(|_| wrong_length(33))
			},
			"p256" => {
				bytes.as_slice().try_into().map(DeviceKey::P256).map_err(|_| wrong_length(33))
			},
			other => Err(format!("unknown key type {other:?} (ed25519, sr25519, secp256k1, p256)")),
		}
	}
}

/// A device in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceJson {
	/// Stable device id.
	pub id: DeviceId,
	/// Current key.
	pub key: KeyJson,
	/// Owner, SS58.
	pub owner: String,
	/// Manufacturer that registered it or committed its batch, SS58.
	pub manufacturer: Option<String>,
	/// Batch it was claimed from.
	pub batch: Option<u64>,
	/// `active`, `suspended`, `decommissioned` or `compromised`.
	pub status: String,
	/// Model name.
	pub model: String,
	/// Firmware version.
	pub firmware_version: String,
	/// Firmware image hash, `0x` hex.
	pub firmware_hash: Option<String>,
	/// Metadata URI or CID.
	pub uri: String,
	/// Key rotations so far.
	pub rotations: u32,
	/// Deposit held from the owner, in the smallest unit, decimal.
	pub deposit: String,
	/// Block of registration.
	pub registered_at: u32,
}

fn device_json(id: DeviceId, record: DeviceRecordOf<Runtime>) -> DeviceJson {
	let status = match record.status {
		DeviceStatus::Active => "active",
		DeviceStatus::Suspended => "suspended",
		DeviceStatus::Decommissioned => "decommissioned",
		DeviceStatus::Compromised => "compromised",
	};
	DeviceJson {
		id,
		key: (&record.key).into(),
		owner: record.owner.to_ss58check(),
		manufacturer: record.manufacturer.map(|m| m.to_ss58check()),
		batch: record.batch,
		status: status.into(),
		model: text(&record.metadata.model),
		firmware_version: text(&record.metadata.firmware_version),
		firmware_hash: record.metadata.firmware_hash.map(|h| hex(&h)),
		uri: text(&record.metadata.uri),
		rotations: record.rotations,
		deposit: record.deposit.to_string(),
		registered_at: record.registered_at,
	}
}

/// A page of an owner's devices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicesPage {
	/// The devices of this page.
	pub devices: Vec<DeviceJson>,
	/// Pass as `startAfter` for the next page; `null` when this page is the last.
	pub next: Option<DeviceId>,
}

/// A manufacturer in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManufacturerJson {
	/// Display name.
	pub name: String,
	/// Metadata (URI or CID).
	pub metadata: String,
	/// `active` or `revoked`.
	pub status: String,
}

fn manufacturer_json(info: ManufacturerInfoOf<Runtime>) -> ManufacturerJson {
	ManufacturerJson {
		name: text(&info.name),
		metadata: text(&info.metadata),
		status: match info.status {
			ManufacturerStatus::Active => "active",
			ManufacturerStatus::Revoked => "revoked",
		}
		.into(),
	}
}

fn hex(bytes: &[u8]) -> String {
	let mut out = String::with_capacity(2 + 2 * bytes.len());
	out.push_str("0x");
	for byte in bytes {
		out.push_str(&format!("{byte:02x}"));
	}
	out
}

pub(super) fn unhex(text: &str) -> Result<Vec<u8>, String> {
	let digits = text.strip_prefix("0x").unwrap_or(text);
	if !digits.len().is_multiple_of(2) {
		return Err(format!("odd number of hex digits in {text:?}"));
	}
	(0..digits.len())
		.step_by(2)
		.map(|i| {
			digits
				.get(i..i + 2)
				.and_then(|pair| u8::from_str_radix(pair, 16).ok())
				.ok_or_else(|| format!("not hex: {text:?}"))
		})
		.collect()
}

fn text(bytes: &[u8]) -> String {
	String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| hex(bytes))
}

fn account(ss58: &str) -> Result<AccountId, ErrorObjectOwned> {
	AccountId::from_ss58check(ss58)
		.map_err(|e| invalid(format!("not an SS58 address {ss58:?}: {e:?}")))
}

/// Device-registry reads in the `iot` namespace. Each takes an optional block hash `at` (default:
/// the best block).
#[rpc(server, namespace = "iot")]
pub trait DeviceRegistryRpc {
	/// The device with this id, or `null`.
	#[method(name = "device")]
	fn device(&self, id: DeviceId, at: Option<H256>) -> RpcResult<Option<DeviceJson>>;

	/// The device whose current key is `key` (`{"type": "sr25519", "publicKey": "0x…"}`), or
	/// `null` (unknown, or retired by rotation or removal).
	#[method(name = "deviceByKey")]
	fn device_by_key(&self, key: KeyJson, at: Option<H256>) -> RpcResult<Option<DeviceJson>>;

	/// A page of `owner`'s devices: at most `limit` (default and maximum 100), after the device
	/// `startAfter` (the previous page's `next`).
	#[method(name = "devicesOf")]
	fn devices_of(
		&self,
		owner: String,
		start_after: Option<DeviceId>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<DevicesPage>;

	/// A manufacturer's record, or `null`.
	#[method(name = "manufacturer")]
	fn manufacturer(&self, who: String, at: Option<H256>) -> RpcResult<Option<ManufacturerJson>>;
}

/// Implementation of [`DeviceRegistryRpcServer`].
pub struct DeviceRegistryRpcImpl {
	client: Arc<ParachainClient>,
}

impl DeviceRegistryRpcImpl {
	/// Creates the handler.
	pub fn new(client: Arc<ParachainClient>) -> Self {
		Self { client }
	}

	fn at(&self, at: Option<H256>) -> H256 {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl DeviceRegistryRpcServer for DeviceRegistryRpcImpl {
	fn device(&self, id: DeviceId, at: Option<H256>) -> RpcResult<Option<DeviceJson>> {
		let record = self
			.client
			.runtime_api()
			.device(self.at(at), id)
			.map_err(|e| runtime_error("reading the device", e))?;
		Ok(record.map(|record| device_json(id, record)))
	}

	fn device_by_key(&self, key: KeyJson, at: Option<H256>) -> RpcResult<Option<DeviceJson>> {
		let key = DeviceKey::try_from(&key).map_err(invalid)?;
		let found = self
			.client
			.runtime_api()
			.device_by_key(self.at(at), key)
			.map_err(|e| runtime_error("reading the device", e))?;
		Ok(found.map(|(id, record)| device_json(id, record)))
	}

	fn devices_of(
		&self,
		owner: String,
		start_after: Option<DeviceId>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<DevicesPage> {
		let owner = account(&owner)?;
		let limit = limit.unwrap_or(MAX_DEVICES_PAGE).min(MAX_DEVICES_PAGE);
		let page = self
			.client
			.runtime_api()
			.devices_of(self.at(at), owner, start_after, limit)
			.map_err(|e| runtime_error("reading the devices", e))?;
		// A short page is the last one; a full page may be followed by more.
		let next = match page.last() {
			Some((id, _)) if page.len() as u32 >= limit && limit > 0 => Some(*id),
			_ => None,
		};
		let devices = page.into_iter().map(|(id, record)| device_json(id, record)).collect();
		Ok(DevicesPage { devices, next })
	}

	fn manufacturer(&self, who: String, at: Option<H256>) -> RpcResult<Option<ManufacturerJson>> {
		let who = account(&who)?;
		let info = self
			.client
			.runtime_api()
			.manufacturer(self.at(at), who)
			.map_err(|e| runtime_error("reading the manufacturer", e))?;
		Ok(info.map(manufacturer_json))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn keys_round_trip_through_json() {
		let keys = [
			DeviceKey::Ed25519([1; 32]),
			DeviceKey::Sr25519([2; 32]),
			DeviceKey::Secp256k1([3; 33]),
			DeviceKey::P256([4; 33]),
		];
		for key in keys {
			let json = KeyJson::from(&key);
			assert_eq!(DeviceKey::try_from(&json), Ok(key));
		}
	}

	#[test]
	fn malformed_keys_are_refused_with_a_reason() {
		let key = |t: &str, k: &str| KeyJson { key_type: t.into(), public_key: k.into() };
		assert!(DeviceKey::try_from(&key("sr25519", "0x0102")).unwrap_err().contains("32 bytes"));
		assert!(DeviceKey::try_from(&key("p256", "0xzz")).unwrap_err().contains("not hex"));
		assert!(DeviceKey::try_from(&key("rsa", "0x00")).unwrap_err().contains("unknown key type"));
	}

	#[test]
	fn text_fields_fall_back_to_hex() {
		assert_eq!(text(b"washer-3000"), "washer-3000");
		assert_eq!(text(&[0xff, 0x00]), "0xff00");
		assert_eq!(unhex("0xff00"), Ok(vec![0xff, 0x00]));
	}
}
