//! Unit tests, one file per group of calls. Every test ends with `do_try_state()` (see
//! `mock::test`).

mod claims;
mod closing;
mod fair_exchange;
mod invariants;
mod lifecycle;
mod open;

/// Genesis writes the pallet's storage version; `try_state` refuses a chain whose version is not
/// the code's (what a forgotten migration leaves behind).
#[test]
fn try_state_checks_the_storage_version() {
	use crate::{mock::*, STORAGE_VERSION};
	use polkadot_sdk::frame_support::traits::{GetStorageVersion, StorageVersion};
	new_test_ext().execute_with(|| {
		assert_eq!(PaymentChannels::on_chain_storage_version(), STORAGE_VERSION);
		assert!(PaymentChannels::do_try_state().is_ok());
		StorageVersion::new(0).put::<PaymentChannels>();
		assert!(PaymentChannels::do_try_state().is_err());
		STORAGE_VERSION.put::<PaymentChannels>();
	});
}
