//! Anchoring: every accepted batch goes to the chain once, in the order it was accepted.
//!
//! ## Rules
//!
//! - **Nonce order.** Batches are signed with consecutive nonces of the gateway's account, in
//!   the order the store accepted them, and handed to the node one after the other; at most
//!   `max_in_flight` are in the pool at once. (Submitted out of order, transactions wait in the
//!   pool's future queue, which holds a few hundred, and the rest is dropped without an error.)
//! - **Each transaction is watched to its end**: finalized (anchored, or refused by the chain
//!   with a reason), or invalid, dropped or timed out (then it goes back to `pending` and the
//!   nonce is read again from the node once nothing is in flight).
//! - **Never twice, never lost.** The chain takes a device's sequence once; the store records
//!   `submitted` (with nonce and transaction hash) before the node sees the transaction. After a
//!   crash, and whenever the chain answers `StaleSequence`, the batch is *reconciled* against
//!   the anchors the stream holds: the same root at the same sequence is `anchored` (whoever
//!   relayed it), another root or a later sequence is `stale`, nothing is `pending` again — but
//!   only once its earlier transaction is dead (nonce used or mortality over): until then the
//!   batch and the later ones of its stream wait, so no sequence is in two live transactions.
//! - Refusals that will not change (`DeviceInactive`, `BadSignature`, `StreamNotFound`, …) make
//!   the batch `failed`, with the chain's error as the reason; they are never retried.

use crate::{
	chain::{Account, Chain, Progress},
	metrics::Metrics,
	store::{AnchoredAt, State, Store, StoredBatch, Update},
};
use anyhow::anyhow;
use std::{
	collections::{HashMap, HashSet},
	sync::Arc,
	time::{Duration, Instant},
};
use subxt::transactions::TransactionStatus;
use tokio::{sync::Notify, task::JoinSet};

/// How the anchorer behaves (from the configuration).
#[derive(Clone, Debug)]
pub struct Settings {
	/// Transactions in the pool at once.
	pub max_in_flight: usize,
	/// Transactions of one stream in the pool at once. Below the chain's anchor window (16 in
	/// our runtime), so that after a crash every batch that was in flight is still among the
	/// stream's stored anchors when it is reconciled.
	pub max_in_flight_per_stream: usize,
	/// Blocks a transaction stays valid for.
	pub mortality: u64,
	/// Longest wait for one transaction's end before it is reconciled.
	pub watch_timeout: Duration,
	/// Pause after a failed submission.
	pub retry_delay: Duration,
}

impl Default for Settings {
	fn default() -> Self {
		Self {
			max_in_flight: 64,
			max_in_flight_per_stream: 8,
			mortality: 64,
			watch_timeout: Duration::from_secs(600),
			retry_delay: Duration::from_secs(2),
		}
	}
}

/// Where the chain left a batch.
#[derive(Debug)]
enum Verdict {
	Anchored(AnchoredAt),
	Stale(String),
	Failed(String),
	/// Not on chain: submit it again.
	Again(String),
	/// Not on chain, but its transaction may still be included: wait for it.
	Wait(String),
}

impl std::fmt::Display for Verdict {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Verdict::Anchored(at) => write!(
				f,
				"anchored in block {} ({}), anchor index {}",
				at.block_number,
				crate::to_hex(&at.block_hash),
				at.anchor_index
			),
			Verdict::Stale(why) => write!(f, "stale: {why}"),
			Verdict::Failed(why) => write!(f, "failed: {why}"),
			Verdict::Again(why) => write!(f, "to be submitted again: {why}"),
			Verdict::Wait(why) => write!(f, "waiting for its transaction: {why}"),
		}
	}
}

/// What a watched transaction came to.
enum Watched {
	Finalized { block_hash: [u8; 32], result: Result<Option<u64>, DispatchFailure> },
	NotIncluded(String),
}

#[derive(Debug)]
struct DispatchFailure {
	/// `Pallet::Error`, or the dispatch error in words.
	name: String,
}

/// Watches `progress` to the transaction's end; `Some(index)` is the anchor index of its
/// `Anchored` event.
async fn watch(progress: Progress, stream: u64, sequence: u64, timeout: Duration) -> Watched {
	match tokio::time::timeout(timeout, watch_inner(progress, stream, sequence)).await {
		Ok(watched) => watched,
		Err(_) => Watched::NotIncluded(format!("no final status in {} s", timeout.as_secs())),
	}
}

async fn watch_inner(mut progress: Progress, stream: u64, sequence: u64) -> Watched {
	use crate::chain::iot::provenance::events::Anchored;
	while let Some(status) = progress.next().await {
		let status = match status {
			Ok(status) => status,
			Err(e) => return Watched::NotIncluded(format!("watching the transaction: {e}")),
		};
		match status {
			TransactionStatus::InFinalizedBlock(in_block) => {
				let block_hash = in_block.block_hash().0;
				let result = match in_block.wait_for_success().await {
					Ok(events) => {
						Ok(events.find::<Anchored>().filter_map(Result::ok).find_map(|e| {
							(e.stream == stream && e.sequence == sequence).then_some(e.index)
						}))
					},
					Err(subxt::error::TransactionEventsError::ExtrinsicFailed(error)) => {
						let name = match &error {
							subxt::error::DispatchError::Module(module) => module.details_string(),
							other => other.to_string(),
						};
						Err(DispatchFailure { name })
					},
					Err(e) => {
						return Watched::NotIncluded(format!("reading the block's events: {e}"))
					},
				};
				return Watched::Finalized { block_hash, result };
			},
			TransactionStatus::Error { message }
			| TransactionStatus::Invalid { message }
			| TransactionStatus::Dropped { message } => return Watched::NotIncluded(message),
			_ => {},
		}
	}
	Watched::NotIncluded("the node ended the transaction's subscription".into())
}

/// The anchorer: a long-running task.
pub struct Anchorer {
	store: Store,
	chain: Chain,
	account: Account,
	settings: Settings,
	metrics: Arc<Metrics>,
	wake: Arc<Notify>,
}

type WatchResult = (i64, Instant, Watched);

impl Anchorer {
	pub fn new(
		store: Store,
		chain: Chain,
		account: Account,
		settings: Settings,
		metrics: Arc<Metrics>,
		wake: Arc<Notify>,
	) -> Self {
		Self { store, chain, account, settings, metrics, wake }
	}

	/// Where the chain holds `batch`, judged from the stream's anchors at the newest finalized
	/// block.
	async fn reconcile(&self, batch: &StoredBatch) -> anyhow::Result<Verdict> {
		let b = &batch.batch;
		let anchors = self.chain.anchors(b.stream).await?;
		if let Some(anchor) = anchors.iter().find(|a| a.sequence == b.sequence) {
			if anchor.root != b.root {
				return Ok(Verdict::Stale(format!(
					"sequence {} of stream {} was anchored with another root",
					b.sequence, b.stream
				)));
			}
			let block_hash = self
				.chain
				.block_hash(anchor.anchored_at)
				.await?
				.ok_or_else(|| anyhow!("no block {} on the node", anchor.anchored_at))?;
			return Ok(Verdict::Anchored(AnchoredAt {
				block_number: anchor.anchored_at,
				block_hash,
				anchor_index: anchor.index,
			}));
		}
		match self.chain.stream_facts(b.stream).await? {
			None => Ok(Verdict::Failed(format!("stream {} is gone from the chain", b.stream))),
			Some(facts) => match facts.last_sequence {
				Some(last) if last >= b.sequence => Ok(Verdict::Stale(format!(
					"the stream is at sequence {last}, and {} is not among its anchors",
					b.sequence
				))),
				_ => Ok(Verdict::Again("not on chain".into())),
			},
		}
	}

	/// Whether the transaction a `submitted` batch was last sent with can no longer be included:
	/// its nonce was used (the account's finalized nonce is past it) or its mortality ended. Only
	/// then is the batch sent again, so that a sequence is never in two live transactions.
	async fn earlier_transaction_dead(&self, batch: &StoredBatch) -> anyhow::Result<bool> {
		let (Some(nonce), Some(valid_until)) = (batch.nonce, batch.valid_until) else {
			return Ok(true);
		};
		let (finalized, account_nonce) =
			self.chain.finalized_number_and_nonce(&self.account).await?;
		Ok(finalized > valid_until || account_nonce > nonce)
	}

	/// [`Self::reconcile`], with `Again` held back as `Wait` while the batch's earlier
	/// transaction may still be included.
	async fn reconcile_submitted(&self, batch: &StoredBatch) -> anyhow::Result<Verdict> {
		match self.reconcile(batch).await? {
			Verdict::Again(why) if !self.earlier_transaction_dead(batch).await? => {
				Ok(Verdict::Wait(why))
			},
			verdict => Ok(verdict),
		}
	}

	async fn record(&self, batch: &StoredBatch, verdict: Verdict, latency_from: Option<Instant>) {
		let id = batch.id;
		let update = match verdict {
			Verdict::Anchored(at) => {
				self.metrics.anchored(latency_from.map(|t| t.elapsed()), batch.received_ms);
				tracing::info!(
					batch = id,
					stream = batch.batch.stream,
					sequence = batch.batch.sequence,
					block = at.block_number,
					anchor_index = at.anchor_index,
					"anchored"
				);
				Update::Anchored { id, at }
			},
			Verdict::Stale(reason) => {
				self.metrics.stale();
				tracing::warn!(batch = id, %reason, "stale");
				Update::Stale { id, reason }
			},
			Verdict::Failed(reason) => {
				self.metrics.failed();
				tracing::warn!(batch = id, %reason, "refused by the chain");
				Update::Failed { id, reason }
			},
			Verdict::Again(error) => {
				self.metrics.retried();
				tracing::info!(batch = id, %error, "to be submitted again");
				Update::Retry { id, error }
			},
			Verdict::Wait(why) => {
				tracing::info!(batch = id, %why, "its transaction may still be included: waiting");
				return;
			},
		};
		if let Err(e) = self.store.update(update).await {
			tracing::error!(batch = id, error = %e, "recording a batch's state failed");
		}
	}

	/// What a finalized or lost transaction means for its batch.
	async fn judge(&self, batch: &StoredBatch, watched: Watched) -> Verdict {
		let reconciled = |why: String| async move {
			match self.reconcile_submitted(batch).await {
				Ok(verdict) => verdict,
				Err(e) => Verdict::Again(format!("{why}; reconciling failed: {e}")),
			}
		};
		match watched {
			Watched::Finalized { block_hash, result: Ok(Some(index)) } => {
				match self.chain_block_number(block_hash).await {
					Some(number) => Verdict::Anchored(AnchoredAt {
						block_number: number,
						block_hash,
						anchor_index: index,
					}),
					None => reconciled("the block number was not found".into()).await,
				}
			},
			Watched::Finalized { result: Ok(None), .. } => {
				reconciled("finalized without an Anchored event".into()).await
			},
			Watched::Finalized { result: Err(failure), .. } => {
				if failure.name.ends_with("::StaleSequence") {
					// Anchored before (by us, before a crash, or by someone who copied the
					// statement), or overtaken: the stream's anchors say which.
					reconciled(failure.name).await
				} else {
					Verdict::Failed(format!("the chain refused the anchor: {}", failure.name))
				}
			},
			Watched::NotIncluded(why) => reconciled(why).await,
		}
	}

	async fn chain_block_number(&self, block_hash: [u8; 32]) -> Option<u64> {
		// The block the transaction was finalized in: its header has the number.
		self.chain.block_number(block_hash).await.ok()?
	}

	/// Reconciles what was `submitted` when the gateway last stopped.
	async fn recover(&self) -> anyhow::Result<()> {
		let open = self.store.unresolved(usize::MAX >> 1)?;
		for batch in open.iter().filter(|b| b.state == State::Submitted) {
			let verdict = match self.reconcile_submitted(batch).await {
				Ok(verdict) => verdict,
				Err(e) => Verdict::Wait(format!("reconciling after a restart failed: {e}")),
			};
			tracing::info!(batch = batch.id, verdict = %verdict, "reconciled after a restart");
			self.record(batch, verdict, None).await;
		}
		Ok(())
	}

	/// Runs until the process ends.
	pub async fn run(self) {
		while let Err(e) = self.recover().await {
			tracing::error!(error = %e, "recovery failed; trying again");
			tokio::time::sleep(self.settings.retry_delay).await;
		}
		let mut watchers: JoinSet<WatchResult> = JoinSet::new();
		let mut in_flight: HashMap<i64, u64> = HashMap::new();
		let mut next_nonce: Option<u64> = None;
		let mut paused_until: Option<Instant> = None;
		loop {
			if paused_until.is_some_and(|t| Instant::now() >= t) {
				paused_until = None;
			}
			if paused_until.is_none() && in_flight.len() < self.settings.max_in_flight {
				if let Err(e) = self.fill(&mut watchers, &mut in_flight, &mut next_nonce).await {
					tracing::warn!(error = %e, "submitting paused");
					paused_until = Some(Instant::now() + self.settings.retry_delay);
				}
			}
			self.metrics.set_in_flight(in_flight.len());
			tokio::select! {
				Some(joined) = watchers.join_next(), if !watchers.is_empty() => {
					let Ok((id, submitted_at, watched)) = joined else { continue };
					in_flight.remove(&id);
					let not_included = matches!(watched, Watched::NotIncluded(_));
					if not_included {
						// Later nonces may now wait forever: read the nonce again once nothing
						// is in flight.
						next_nonce = None;
					}
					match self.store.get(id) {
						Ok(Some(batch)) => {
							let verdict = self.judge(&batch, watched).await;
							self.record(&batch, verdict, Some(submitted_at)).await;
						},
						Ok(None) => tracing::error!(batch = id, "a watched batch is not in the store"),
						Err(e) => tracing::error!(batch = id, error = %e, "reading a watched batch"),
					}
				},
				_ = self.wake.notified() => {},
				_ = tokio::time::sleep(Duration::from_millis(500)) => {},
			}
		}
	}

	/// Submits pending batches, oldest first, until `max_in_flight` are in the pool.
	async fn fill(
		&self,
		watchers: &mut JoinSet<WatchResult>,
		in_flight: &mut HashMap<i64, u64>,
		next_nonce: &mut Option<u64>,
	) -> anyhow::Result<()> {
		if in_flight.len() >= self.settings.max_in_flight {
			return Ok(());
		}
		// Enough rows to fill the room even when some streams are at their limit.
		let candidates = self.store.unresolved(self.settings.max_in_flight.saturating_mul(4))?;
		let mut per_stream: HashMap<u64, usize> = HashMap::new();
		let mut waiting: HashSet<u64> = HashSet::new();
		for stream in in_flight.values() {
			*per_stream.entry(*stream).or_default() += 1;
		}
		let candidates: Vec<StoredBatch> =
			candidates.into_iter().filter(|b| !in_flight.contains_key(&b.id)).collect();
		for batch in candidates {
			if in_flight.len() >= self.settings.max_in_flight {
				break;
			}
			let stream = batch.batch.stream;
			// A stream at its limit, or behind a waiting batch, waits; its later batches too, so
			// its order holds.
			if waiting.contains(&stream)
				|| per_stream.get(&stream).copied().unwrap_or(0)
					>= self.settings.max_in_flight_per_stream
			{
				continue;
			}
			let nonce = match *next_nonce {
				Some(nonce) => nonce,
				// A nonce is read only with nothing in flight, so the node's count is exact.
				None if in_flight.is_empty() => self.chain.next_nonce(&self.account).await?,
				None => return Ok(()),
			};
			if batch.state == State::Submitted {
				// Left `submitted` by a restart or a lost transaction: resolved, sent again once
				// its earlier transaction is dead, or (with the later batches of its stream) left
				// waiting.
				match self.reconcile_submitted(&batch).await? {
					Verdict::Again(_) => {},
					Verdict::Wait(_) => {
						waiting.insert(stream);
						continue;
					},
					verdict => {
						self.record(&batch, verdict, None).await;
						continue;
					},
				}
			}
			let signed = self
				.chain
				.sign_anchor(&self.account, &batch.batch, nonce, self.settings.mortality)
				.await?;
			// Recorded before the node sees it: after a crash, this batch is reconciled.
			self.store
				.update(Update::Submitted {
					id: batch.id,
					nonce,
					tx_hash: signed.hash().to_vec(),
					valid_until: signed.valid_until(),
				})
				.await?;
			match self.chain.submit(signed).await {
				Ok(progress) => {
					*next_nonce = Some(nonce.saturating_add(1));
					in_flight.insert(batch.id, stream);
					*per_stream.entry(stream).or_default() += 1;
					self.metrics.submitted();
					let (id, stream, sequence) =
						(batch.id, batch.batch.stream, batch.batch.sequence);
					let timeout = self.settings.watch_timeout;
					let submitted_at = Instant::now();
					watchers.spawn(async move {
						(id, submitted_at, watch(progress, stream, sequence, timeout).await)
					});
					tracing::debug!(batch = id, nonce, "submitted");
				},
				Err(e) => {
					*next_nonce = None;
					self.record(&batch, Verdict::Again(format!("the node refused it: {e}")), None)
						.await;
					return Err(e);
				},
			}
		}
		Ok(())
	}
}
