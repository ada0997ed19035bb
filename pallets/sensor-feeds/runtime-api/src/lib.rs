//! # Sensor-feeds runtime API
//!
//! Reads of `pallet-sensor-feeds` for clients (`api.call.sensorFeedsApi.<method>` in
//! polkadot.js): a feed, its latest value and round, and the feeds of a device, paginated as
//! [`MAX_PAGE`] describes. The runtime answers from the pallet's view functions, which PAPI and
//! subxt can also call directly (`RuntimeViewFunction`). Generic over the records it returns, so
//! this crate does not depend on the pallet; the runtime fixes them.
//!
//! What only a node knows (its own worker's last fetch, error and latency) is the node's
//! `iot_feedStatus` RPC method instead.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use iot_primitives::{device::DeviceId, feeds::FeedId, MAX_PAGE};

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of the sensor-feeds pallet. `Feed` is the pallet's feed record (`FeedOf<Runtime>`),
	/// `FeedValue` its settled value (`FeedValue<BlockNumber>`).
	pub trait SensorFeedsApi<Feed, FeedValue>
	where
		Feed: Codec,
		FeedValue: Codec,
	{
		/// A feed's record, or `None`.
		fn feed(feed: FeedId) -> Option<Feed>;

		/// A feed's latest settled value (round, median, block, reporters), or `None` if the
		/// feed does not exist or has no value yet.
		fn latest_value(feed: FeedId) -> Option<FeedValue>;

		/// A page of the feeds of `device`: at most `min(limit, MAX_PAGE)` (100), in storage
		/// order, after feed `start_after` (the last id of the previous page; `None` for the
		/// first). A page shorter than the limit is the last.
		fn feeds_of_device(device: DeviceId, start_after: Option<FeedId>, limit: u32) -> Vec<(FeedId, Feed)>;
	}
}
