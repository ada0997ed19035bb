//! `iot_*` methods over the device registry's runtime API, answering in plain JSON: accounts in
//! SS58, keys and hashes in `0x` hex, text fields as UTF-8 strings (hex if they are not UTF-8),
//! amounts as decimal strings (they exceed JavaScript's safe integers).
//!
//! polkadot.js can call the same API directly (`api.call.deviceRegistryApi.*`) and get the SCALE
//! types; these methods are for everything else (curl, dashboards, scripts).

use super::json::{account, hex, invalid, runtime_error, text, unhex};
use iot_runtime::{
	opaque::Block,
	pallet_device_registry::{
		DeviceKey, DeviceRecordOf, DeviceStatus, ManufacturerInfoOf, ManufacturerStatus,
	},
	AccountId, Runtime,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_device_registry_runtime_api::{DeviceId, DeviceRegistryApi, MAX_PAGE};
use polkadot_sdk::{
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_core::{crypto::Ss58Codec, H256},
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The runtime API these methods read, with the runtime's record types.
pub trait RegistryApi:
	DeviceRegistryApi<Block, AccountId, DeviceRecordOf<Runtime>, ManufacturerInfoOf<Runtime>>
{
}
impl<T> RegistryApi for T where
	T: DeviceRegistryApi<Block, AccountId, DeviceRecordOf<Runtime>, ManufacturerInfoOf<Runtime>>
{
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

/// Implementation of [`DeviceRegistryRpcServer`] over any client with the registry's runtime API.
pub struct DeviceRegistryRpcImpl<C> {
	client: Arc<C>,
}

impl<C: HeaderBackend<Block>> DeviceRegistryRpcImpl<C> {
	/// Creates the handler.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}

	fn at(&self, at: Option<H256>) -> H256 {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl<C> DeviceRegistryRpcServer for DeviceRegistryRpcImpl<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: RegistryApi,
{
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
		let limit = limit.unwrap_or(MAX_PAGE).min(MAX_PAGE);
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

	/// The handler against a mock client: no node, no database, only the runtime API's answers.
	mod against_a_mock_client {
		use super::*;
		use iot_runtime::pallet_device_registry::DeviceMetadataOf;
		use polkadot_sdk::{
			sp_blockchain::{BlockStatus, Info},
			sp_runtime::traits::{Block as BlockT, NumberFor},
		};
		use std::sync::Mutex;

		const BEST: H256 = H256::repeat_byte(0xbb);
		const OLD: H256 = H256::repeat_byte(0x01);

		/// Ten devices of one owner, ids 1..=10; records which block each call read.
		#[derive(Default)]
		struct MockClient {
			reads_at: Arc<Mutex<Vec<H256>>>,
		}

		struct MockApi {
			reads_at: Arc<Mutex<Vec<H256>>>,
		}

		fn record(id: DeviceId) -> DeviceRecordOf<Runtime> {
			DeviceRecordOf::<Runtime> {
				key: DeviceKey::Sr25519([id as u8; 32]),
				owner: AccountId::from([7; 32]),
				manufacturer: None,
				batch: None,
				status: if id == 3 { DeviceStatus::Compromised } else { DeviceStatus::Active },
				metadata: metadata(b"washer-3000", &[0xff]),
				rotations: 2,
				deposit: 1_000_000_000_000_000_000_000,
				registered_at: 5,
			}
		}

		fn metadata(model: &[u8], firmware: &[u8]) -> DeviceMetadataOf<Runtime> {
			DeviceMetadataOf::<Runtime> {
				model: model.to_vec().try_into().expect("short"),
				firmware_version: firmware.to_vec().try_into().expect("short"),
				firmware_hash: Some([0xab; 32]),
				uri: Default::default(),
			}
		}

		impl ProvideRuntimeApi<Block> for MockClient {
			type Api = MockApi;
			fn runtime_api(&self) -> polkadot_sdk::sp_api::ApiRef<'_, Self::Api> {
				MockApi { reads_at: self.reads_at.clone() }.into()
			}
		}

		impl HeaderBackend<Block> for MockClient {
			fn header(
				&self,
				_: H256,
			) -> polkadot_sdk::sp_blockchain::Result<Option<<Block as BlockT>::Header>> {
				Ok(None)
			}
			fn info(&self) -> Info<Block> {
				Info {
					best_hash: BEST,
					best_number: 9,
					finalized_hash: BEST,
					finalized_number: 9,
					genesis_hash: OLD,
					number_leaves: 1,
					finalized_state: None,
					block_gap: None,
				}
			}
			fn status(&self, _: H256) -> polkadot_sdk::sp_blockchain::Result<BlockStatus> {
				Ok(BlockStatus::InChain)
			}
			fn number(
				&self,
				_: H256,
			) -> polkadot_sdk::sp_blockchain::Result<Option<NumberFor<Block>>> {
				Ok(None)
			}
			fn hash(
				&self,
				_: NumberFor<Block>,
			) -> polkadot_sdk::sp_blockchain::Result<Option<H256>> {
				Ok(None)
			}
		}

		polkadot_sdk::sp_api::mock_impl_runtime_apis! {
			impl DeviceRegistryApi<Block, AccountId, DeviceRecordOf<Runtime>, ManufacturerInfoOf<Runtime>> for MockApi {
				#[advanced]
				fn device(&self, at: H256, id: DeviceId) -> Result<Option<DeviceRecordOf<Runtime>>, polkadot_sdk::sp_api::ApiError> {
					self.reads_at.lock().expect("not poisoned").push(at);
					Ok((1..=10).contains(&id).then(|| record(id)))
				}
				fn device_by_key(&self, _key: DeviceKey) -> Option<(DeviceId, DeviceRecordOf<Runtime>)> {
					None
				}
				fn devices_of(&self, _owner: AccountId, start_after: Option<DeviceId>, limit: u32) -> Vec<(DeviceId, DeviceRecordOf<Runtime>)> {
					(start_after.map_or(1, |id| id + 1)..=10).take(limit as usize).map(|id| (id, record(id))).collect()
				}
				fn manufacturer(&self, _who: AccountId) -> Option<ManufacturerInfoOf<Runtime>> {
					None
				}
			}
		}

		fn handler() -> (DeviceRegistryRpcImpl<MockClient>, Arc<Mutex<Vec<H256>>>) {
			let client = MockClient::default();
			let reads_at = client.reads_at.clone();
			(DeviceRegistryRpcImpl::new(Arc::new(client)), reads_at)
		}

		#[test]
		fn a_device_answers_in_plain_json_at_the_best_block_by_default() {
			let (rpc, reads_at) = handler();
			let device = rpc.device(3, None).expect("read").expect("device 3 exists");
			assert_eq!(device.id, 3);
			assert_eq!(device.status, "compromised");
			assert_eq!(device.model, "washer-3000");
			// Not UTF-8: hex.
			assert_eq!(device.firmware_version, "0xff");
			assert_eq!(device.firmware_hash, Some(format!("0x{}", "ab".repeat(32))));
			// Above 2^53: a decimal string, exactly.
			assert_eq!(device.deposit, "1000000000000000000000");
			assert_eq!(
				device.key,
				KeyJson { key_type: "sr25519".into(), public_key: hex(&[3; 32]) }
			);
			assert_eq!(rpc.device(11, Some(OLD)).expect("read"), None);
			assert_eq!(*reads_at.lock().expect("not poisoned"), vec![BEST, OLD]);
		}

		#[test]
		fn pages_follow_next_until_a_short_page() {
			let (rpc, _) = handler();
			let owner = AccountId::from([7; 32]).to_ss58check();
			let mut seen = vec![];
			let mut start_after = None;
			loop {
				let page = rpc.devices_of(owner.clone(), start_after, Some(4), None).expect("read");
				seen.extend(page.devices.iter().map(|d| d.id));
				match page.next {
					Some(next) => start_after = Some(next),
					None => break,
				}
			}
			assert_eq!(seen, (1..=10).collect::<Vec<_>>());
			// A limit above the maximum is cut to it, not refused.
			let page = rpc.devices_of(owner, None, Some(u32::MAX), None).expect("read");
			assert_eq!(page.devices.len(), 10);
			assert_eq!(page.next, None);
		}

		#[test]
		fn malformed_parameters_are_invalid_params() {
			let (rpc, reads_at) = handler();
			let error = rpc.devices_of("nope".into(), None, None, None).unwrap_err();
			assert_eq!(error.code(), crate::rpc::json::INVALID_PARAMS);
			let bad_key = KeyJson { key_type: "p256".into(), public_key: "0x01".into() };
			assert!(rpc.device_by_key(bad_key, None).unwrap_err().message().contains("33 bytes"));
			// Refused before the runtime is asked.
			assert!(reads_at.lock().expect("not poisoned").is_empty());
		}
	}
}
