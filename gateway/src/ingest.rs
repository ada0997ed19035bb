//! The one path both transports take: parse, check against the chain, persist, acknowledge.
//!
//! What the chain says of a stream (its device, the device's key and status, the last anchored
//! sequence) is cached for `facts_ttl`; a batch refused on cached facts (a bad signature after
//! a key rotation, an inactive device that was resumed) is checked once more on fresh ones
//! before the refusal stands.

use crate::{
	batch::{BatchRequest, Limits, Rejection, StreamFacts},
	metrics::Metrics,
	store::{Store, Stored},
};
use futures::future::BoxFuture;
use serde::Serialize;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use tokio::sync::Notify;

/// Where the gateway learns what the chain says of a stream: the chain client, or a fixed table
/// in tests and benchmarks.
pub trait FactsSource: Send + Sync + 'static {
	/// `None` when the stream (or its device) does not exist.
	fn stream_facts(&self, stream: u64) -> BoxFuture<'_, anyhow::Result<Option<StreamFacts>>>;
}

impl FactsSource for crate::chain::Chain {
	fn stream_facts(&self, stream: u64) -> BoxFuture<'_, anyhow::Result<Option<StreamFacts>>> {
		Box::pin(crate::chain::Chain::stream_facts(self, stream))
	}
}

/// A fixed table of facts.
impl FactsSource for HashMap<u64, StreamFacts> {
	fn stream_facts(&self, stream: u64) -> BoxFuture<'_, anyhow::Result<Option<StreamFacts>>> {
		let facts = self.get(&stream).cloned();
		Box::pin(async move { Ok(facts) })
	}
}

/// The answer to an accepted batch.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
	/// The batch's id in this gateway's store.
	pub id: i64,
	/// `true` when this very statement was accepted before (a retry).
	pub duplicate: bool,
	pub stream: u64,
	pub sequence: u64,
	pub count: u32,
	pub root: String,
	/// `pending` for a new batch; a retry gets the stored batch's state. `GET /v1/batches/{id}`
	/// follows it.
	pub state: &'static str,
}

/// The ingest path; cheap to clone.
#[derive(Clone)]
pub struct Ingest {
	inner: Arc<Inner>,
}

struct Inner {
	store: Store,
	facts: Arc<dyn FactsSource>,
	genesis_hash: [u8; 32],
	limits: Limits,
	facts_ttl: Duration,
	cache: Mutex<HashMap<u64, (StreamFacts, Instant)>>,
	metrics: Arc<Metrics>,
	wake: Arc<Notify>,
}

impl Ingest {
	pub fn new(
		store: Store,
		facts: Arc<dyn FactsSource>,
		genesis_hash: [u8; 32],
		limits: Limits,
		facts_ttl: Duration,
		metrics: Arc<Metrics>,
		wake: Arc<Notify>,
	) -> Self {
		Self {
			inner: Arc::new(Inner {
				store,
				facts,
				genesis_hash,
				limits,
				facts_ttl,
				cache: Mutex::new(HashMap::new()),
				metrics,
				wake,
			}),
		}
	}

	pub fn store(&self) -> &Store {
		&self.inner.store
	}

	pub fn metrics(&self) -> &Arc<Metrics> {
		&self.inner.metrics
	}

	async fn facts(&self, stream: u64, fresh: bool) -> Result<(StreamFacts, bool), Rejection> {
		let inner = &self.inner;
		if !fresh {
			if let Ok(cache) = inner.cache.lock() {
				if let Some((facts, at)) = cache.get(&stream) {
					if at.elapsed() < inner.facts_ttl {
						return Ok((facts.clone(), true));
					}
				}
			}
		}
		let facts = inner
			.facts
			.stream_facts(stream)
			.await
			.map_err(|e| {
				Rejection::new(503, "chain_unavailable", format!("asking the chain failed: {e}"))
			})?
			.ok_or_else(|| {
				Rejection::new(
					422,
					"unknown_stream",
					format!("there is no stream {stream} (or its device) on chain"),
				)
			})?;
		if let Ok(mut cache) = inner.cache.lock() {
			// Bounded: a sender cannot grow it past the streams that exist on chain.
			cache.insert(stream, (facts.clone(), Instant::now()));
		}
		Ok((facts, false))
	}

	/// Takes one batch (the JSON body), from `source` (`http`, `mqtt`).
	pub async fn submit(&self, body: Vec<u8>, source: &'static str) -> Result<Accepted, Rejection> {
		let result = self.submit_inner(body, source).await;
		match &result {
			Ok(accepted) if !accepted.duplicate => {
				self.inner.metrics.accepted(source, accepted.count)
			},
			Ok(_) => {},
			Err(rejection) => self.inner.metrics.rejected(source, rejection.code),
		}
		result
	}

	async fn submit_inner(
		&self,
		body: Vec<u8>,
		source: &'static str,
	) -> Result<Accepted, Rejection> {
		let limits = self.inner.limits;
		// JSON, hex and the Merkle root are CPU work: off the async threads.
		let parsed = tokio::task::spawn_blocking(move || {
			BatchRequest::from_json(&body).and_then(|request| request.parse(&limits))
		})
		.await
		.map_err(|e| Rejection::new(500, "store_failed", format!("the checker stopped: {e}")))??;
		let genesis = self.inner.genesis_hash;
		let (facts, cached) = self.facts(parsed.stream, false).await?;
		let verify = |parsed: crate::batch::ParsedBatch, facts: StreamFacts| async move {
			tokio::task::spawn_blocking(move || parsed.verify(&facts, genesis)).await.map_err(
				|e| Rejection::new(500, "store_failed", format!("the checker stopped: {e}")),
			)?
		};
		let verified = match verify(parsed.clone(), facts).await {
			Err(r)
				if cached
					&& matches!(
						r.code,
						"bad_signature"
							| "device_inactive" | "key_type_mismatch"
							| "device_mismatch"
					) =>
			{
				let (fresh, _) = self.facts(parsed.stream, true).await?;
				verify(parsed, fresh).await?
			},
			other => other?,
		};
		let (stream, sequence, count, root) =
			(verified.stream, verified.sequence, verified.count, verified.root);
		let stored = self.inner.store.insert(verified, source).await?;
		let state = match stored {
			Stored::New(_) => {
				self.inner.wake.notify_one();
				"pending"
			},
			Stored::Duplicate(id) => match self.inner.store.get(id) {
				Ok(Some(batch)) => batch.state.as_str(),
				_ => "pending",
			},
		};
		Ok(Accepted {
			id: stored.id(),
			duplicate: matches!(stored, Stored::Duplicate(_)),
			stream,
			sequence,
			count,
			root: crate::to_hex(&root),
			state,
		})
	}
}
