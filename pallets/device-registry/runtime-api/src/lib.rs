//! # Device registry runtime API
//!
//! Read access to `pallet-device-registry` for the node's `iot_*` RPC methods and for clients
//! (`api.call.deviceRegistryApi.<method>` in polkadot.js). Every list is paginated as
//! [`MAX_PAGE`] describes. The runtime answers from the pallet's view functions, which PAPI and
//! subxt can also call directly (`RuntimeViewFunction`).
//!
//! The API is generic over the records it returns, so this crate does not depend on the pallet;
//! the runtime fixes them to the pallet's types:
//!
//! ```ignore
//! impl pallet_device_registry_runtime_api::DeviceRegistryApi<
//!     Block,
//!     AccountId,
//!     pallet_device_registry::DeviceRecordOf<Runtime>,
//!     pallet_device_registry::ManufacturerInfoOf<Runtime>,
//! > for Runtime {
//!     fn device(id: DeviceId) -> Option<pallet_device_registry::DeviceRecordOf<Runtime>> {
//!         DeviceRegistry::device(id)
//!     }
//!     fn device_by_key(key: DeviceKey) -> Option<(DeviceId, pallet_device_registry::DeviceRecordOf<Runtime>)> {
//!         DeviceRegistry::device_by_key(key)
//!     }
//!     fn devices_of(owner: AccountId, start_after: Option<DeviceId>, limit: u32)
//!         -> Vec<(DeviceId, pallet_device_registry::DeviceRecordOf<Runtime>)> {
//!         DeviceRegistry::devices_of(owner, start_after, limit)
//!     }
//!     fn manufacturer(who: AccountId) -> Option<pallet_device_registry::ManufacturerInfoOf<Runtime>> {
//!         DeviceRegistry::manufacturer(who)
//!     }
//! }
//! ```

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use iot_primitives::{
	device::{DeviceId, DeviceKey},
	MAX_PAGE,
};

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of the device registry.
	///
	/// `Device` is the pallet's device record (`DeviceRecordOf<Runtime>`), `Manufacturer` its
	/// manufacturer record (`ManufacturerInfoOf<Runtime>`).
	pub trait DeviceRegistryApi<AccountId, Device, Manufacturer>
	where
		AccountId: Codec,
		Device: Codec,
		Manufacturer: Codec,
	{
		/// The device with this id, whatever its status.
		fn device(id: DeviceId) -> Option<Device>;

		/// The device whose *current* key is `key`; `None` for unknown keys and for retired
		/// ones (rotated away, or of a removed device).
		fn device_by_key(key: DeviceKey) -> Option<(DeviceId, Device)>;

		/// A page of `owner`'s devices: at most `min(limit, MAX_PAGE)` (100) of them, in storage
		/// order (not by id), starting after the device `start_after` — pass the last id of the
		/// previous page, `None` for the first page. A page shorter than the limit is the last.
		fn devices_of(owner: AccountId, start_after: Option<DeviceId>, limit: u32) -> Vec<(DeviceId, Device)>;

		/// A manufacturer's record (name, metadata, active or revoked).
		fn manufacturer(who: AccountId) -> Option<Manufacturer>;
	}
}
