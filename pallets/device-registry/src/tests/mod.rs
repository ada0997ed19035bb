//! Unit tests, one file per group of calls. Every test runs through [`crate::mock::test`],
//! which checks the pallet's `try_state` invariants when the test body is done.

mod batches;
mod invariants;
mod lifecycle;
mod manufacturers;
mod metadata;
mod operators;
mod reads;
mod registration;
mod rotation;
mod transfers;

/// What every test file uses.
pub(crate) mod prelude {
	pub use crate::{mock::*, *};
	// `mock::DeviceRegistry` (the pallet in the test runtime) and the crate's re-export of the
	// `DeviceRegistry` trait have the same name: name the pallet explicitly, the trait `Registry`.
	pub use crate::mock::DeviceRegistry;
	pub use iot_primitives::device::{
		ClaimPayload, DeviceRegistry as Registry, RegistrationPayload, RotationPayload,
	};
	pub use polkadot_sdk::polkadot_sdk_frame::testing_prelude::*;

	/// The registry as seen by other pallets.
	pub type R = crate::Pallet<Test>;

	pub fn signed(who: &AccountId) -> RuntimeOrigin {
		RuntimeOrigin::signed(who.clone())
	}

	pub fn name(bytes: &[u8]) -> ManufacturerNameOf<Test> {
		bytes.to_vec().try_into().unwrap()
	}

	pub fn manufacturer_metadata(bytes: &[u8]) -> ManufacturerMetadataOf<Test> {
		bytes.to_vec().try_into().unwrap()
	}
}

/// Genesis writes the pallet's storage version; `try_state` refuses a chain whose version is not
/// the code's (what a forgotten migration leaves behind).
#[test]
fn try_state_checks_the_storage_version() {
	use crate::{mock::*, STORAGE_VERSION};
	use polkadot_sdk::frame_support::traits::{GetStorageVersion, StorageVersion};
	new_test_ext().execute_with(|| {
		assert_eq!(DeviceRegistry::on_chain_storage_version(), STORAGE_VERSION);
		assert!(DeviceRegistry::do_try_state().is_ok());
		StorageVersion::new(0).put::<DeviceRegistry>();
		assert!(DeviceRegistry::do_try_state().is_err());
		STORAGE_VERSION.put::<DeviceRegistry>();
	});
}
