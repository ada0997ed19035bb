//! `iot_feedStatus`: what this node's off-chain worker knows about a sensor feed: last success,
//! last error and latency. Only the node knows this (it is in its off-chain storage, written by
//! the worker), so it is an RPC method and not a runtime API.

use iot_primitives::feeds::{status_key, FeedId, FeedStatus};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use polkadot_sdk::{sp_core::offchain::OffchainStorage, sp_offchain::STORAGE_PREFIX};
use serde::Serialize;

/// The status of one feed as JSON.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FeedStatusJson {
	/// The feed.
	pub feed: FeedId,
	/// Block in which this node's worker last tried the feed.
	pub last_attempt_block: u32,
	/// Block of its last successful fetch and report.
	pub last_success_block: Option<u32>,
	/// Round of the last report.
	pub last_round: Option<u64>,
	/// Value of the last report (scaled by the feed's decimals), as a decimal string.
	pub last_value: Option<String>,
	/// Why the last attempt failed (`timeout`, `http status 500`, …), if it did.
	pub last_error: Option<String>,
	/// Duration of the last request, in milliseconds.
	pub last_latency_ms: u64,
	/// Failed attempts since the last success.
	pub consecutive_failures: u32,
	/// The last round whose report this node saw on chain (counted, or the round settled while
	/// it was in the pool). A `lastRound` above it is submitted and not (yet) included.
	pub last_included_round: Option<u64>,
}

impl FeedStatusJson {
	/// The JSON form of `status`.
	pub fn new(feed: FeedId, status: FeedStatus) -> Self {
		Self {
			feed,
			last_attempt_block: status.last_attempt_block,
			last_success_block: status.last_success_block,
			last_round: status.last_report.map(|(round, _)| round),
			last_value: status.last_report.map(|(_, value)| value.to_string()),
			last_error: status.last_error.map(|error| error.describe()),
			last_latency_ms: status.last_latency_ms,
			consecutive_failures: status.consecutive_failures,
			last_included_round: status.last_included_round,
		}
	}
}

/// Sensor-feed status in the `iot` namespace.
#[rpc(server, namespace = "iot")]
pub trait FeedsRpc {
	/// This node's worker status of `feed`; `null` if its worker never tried the feed (it holds
	/// no operator key assigned to it, or off-chain workers are disabled).
	#[method(name = "feedStatus")]
	fn feed_status(&self, feed: FeedId) -> RpcResult<Option<FeedStatusJson>>;
}

/// Implementation of [`FeedsRpcServer`] over the node's off-chain storage.
pub struct FeedsRpcImpl<S> {
	storage: Option<S>,
}

impl<S> FeedsRpcImpl<S> {
	/// Creates the handler; `None` when the node keeps no off-chain storage.
	pub fn new(storage: Option<S>) -> Self {
		Self { storage }
	}
}

impl<S: OffchainStorage + 'static> FeedsRpcServer for FeedsRpcImpl<S> {
	fn feed_status(&self, feed: FeedId) -> RpcResult<Option<FeedStatusJson>> {
		use codec::Decode;
		let Some(storage) = &self.storage else { return Ok(None) };
		let bytes = storage.get(STORAGE_PREFIX, &status_key(feed));
		Ok(bytes
			.and_then(|bytes| FeedStatus::decode(&mut &bytes[..]).ok())
			.map(|status| FeedStatusJson::new(feed, status)))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Encode;
	use iot_primitives::feeds::FetchError;
	use polkadot_sdk::sp_core::offchain::storage::InMemOffchainStorage;

	#[test]
	fn reads_what_the_worker_wrote() {
		let mut storage = InMemOffchainStorage::default();
		let status = FeedStatus {
			last_attempt_block: 12,
			last_success_block: Some(10),
			last_report: Some((5, -1234)),
			last_error: Some(FetchError::HttpStatus(500)),
			last_latency_ms: 7,
			consecutive_failures: 1,
			last_included_round: Some(4),
		};
		storage.set(STORAGE_PREFIX, &status_key(3), &status.encode());
		let rpc = FeedsRpcImpl::new(Some(storage));
		let json = rpc.feed_status(3).unwrap().unwrap();
		assert_eq!(json.last_value.as_deref(), Some("-1234"));
		assert_eq!(json.last_error.as_deref(), Some("http status 500"));
		assert_eq!(json.last_round, Some(5));
		assert_eq!(json.last_included_round, Some(4));
		assert_eq!(rpc.feed_status(4).unwrap(), None);
		assert_eq!(FeedsRpcImpl::<InMemOffchainStorage>::new(None).feed_status(3).unwrap(), None);
	}
}
