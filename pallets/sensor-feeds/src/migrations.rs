//! Storage migrations of the sensor-feeds pallet.

use crate::*;
use frame::traits::UncheckedOnRuntimeUpgrade;

/// Version 1 → 2: counts each owner's feeds into [`FeedsOwned`], which bounds them by
/// [`Config::MaxFeedsPerOwner`] from now on (an owner over the bound keeps its feeds and can
/// register more only once under it). Reads every feed once: at most [`Config::MaxFeeds`].
pub mod v2 {
	use super::*;

	/// The migration without its version check; use [`MigrateToV2`].
	pub struct InnerMigrateToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut owned = alloc::collections::btree_map::BTreeMap::<T::AccountId, u32>::new();
			let mut reads = 0u64;
			for (_, feed) in Feeds::<T>::iter() {
				reads = reads.saturating_add(1);
				let count = owned.entry(feed.owner).or_insert(0);
				*count = count.saturating_add(1);
			}
			let writes = owned.len() as u64;
			for (who, count) in owned {
				FeedsOwned::<T>::insert(who, count);
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}
	}

	/// Runs [`InnerMigrateToV2`] if the chain's version is 1, then writes version 2.
	pub type MigrateToV2<T> = frame::deps::frame_support::migrations::VersionedMigration<
		1,
		2,
		InnerMigrateToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
