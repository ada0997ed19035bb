//! Unit tests, one file per concern. Every test ends with `do_try_state()` (see `Env::run`).

mod balance;
mod feeds;
mod reads;
mod reports;
mod stale;
mod time;
mod worker;

/// Genesis writes the pallet's storage version; `try_state` refuses a chain whose version is not
/// the code's (what a forgotten migration leaves behind).
#[test]
fn try_state_checks_the_storage_version() {
	use crate::{mock::*, STORAGE_VERSION};
	use polkadot_sdk::frame_support::traits::{GetStorageVersion, StorageVersion};
	Env::new(0).run(|| {
		assert_eq!(SensorFeeds::on_chain_storage_version(), STORAGE_VERSION);
		assert!(SensorFeeds::do_try_state().is_ok());
		StorageVersion::new(0).put::<SensorFeeds>();
		assert!(SensorFeeds::do_try_state().is_err());
		STORAGE_VERSION.put::<SensorFeeds>();
	});
}
