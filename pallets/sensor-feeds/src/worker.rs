//! The off-chain worker: fetch the due feeds assigned to this node's operator keys, read their
//! values, submit signed reports, and keep a status per feed in the node's off-chain storage.
//!
//! Rounds come from the pallet's `BlockNumberProvider` (the relay chain's block number in our
//! runtime), read in the state of the block just imported: the number the pool checks the report
//! against. The parachain block number `offchain_worker` is given only goes into the status and
//! the logs.
//!
//! Runs in the node (off-chain), never in block execution: it may fail in any way without
//! affecting the chain; every failure ends as a [`FetchError`] in the feed's status.

#![deny(clippy::expect_used)]

use crate::*;
use frame::deps::sp_io;
use frame::deps::sp_runtime::offchain::{
	http,
	storage::StorageValueRef,
	storage_lock::{StorageLock, Time},
	Duration, Timestamp,
};
use iot_primitives::feeds::{parse_value, status_key, FeedStatus, FetchError};
use polkadot_sdk::frame_system::offchain::SubmitTransaction;

const LOG_TARGET: &str = "sensor-feeds";

/// One fetch to make: the feed, its round, the local operator key asked for it.
struct Job<T: Config> {
	feed: FeedId,
	round: Round,
	spec: FeedSpecOf<T>,
	operator: T::AuthorityId,
}

/// Off-chain storage key of the marker "tried `feed` in round R with this key".
fn attempted_key(feed: FeedId, operator: &[u8]) -> Vec<u8> {
	let mut key = b"iot-parachain:sensor-feeds:attempted:".to_vec();
	key.extend_from_slice(&feed.to_le_bytes());
	key.extend_from_slice(operator);
	key
}

/// Off-chain storage key of the lock that keeps overlapping workers off the same feed and key.
fn lock_key(feed: FeedId, operator: &[u8]) -> Vec<u8> {
	let mut key = b"iot-parachain:sensor-feeds:lock:".to_vec();
	key.extend_from_slice(&feed.to_le_bytes());
	key.extend_from_slice(operator);
	key
}

fn attempted(feed: FeedId, operator: &[u8], round: Round) -> bool {
	let key = attempted_key(feed, operator);
	matches!(StorageValueRef::persistent(&key).get::<Round>(), Ok(Some(r)) if r >= round)
}

/// The worker's entry point, once per imported block: `block` is that parachain block's number
/// (for the status and the logs; rounds follow the provider).
pub fn run<T: Config>(block: BlockNumberFor<T>) {
	let operators = Operators::<T>::get();
	let local: Vec<T::AuthorityId> =
		T::AuthorityId::all().into_iter().filter(|key| operators.contains(key)).collect();
	if local.is_empty() {
		return;
	}
	let jobs = due_jobs::<T>(T::BlockNumberProvider::current_block_number(), &operators, &local);
	if jobs.is_empty() {
		return;
	}
	let started = sp_io::offchain::timestamp();
	let count = jobs.len();
	let mut reported = 0usize;
	// Hold every job's lock until all are done: another worker (the next block's) skips them.
	let lock_keys: Vec<Vec<u8>> =
		jobs.iter().map(|job| lock_key(job.feed, &job.operator.encode())).collect();
	let expiry = Duration::from_millis(T::FetchTimeoutMs::get().saturating_add(2_000));
	let mut locks: Vec<StorageLock<Time>> =
		lock_keys.iter().map(|key| StorageLock::<Time>::with_deadline(key, expiry)).collect();
	let mut guards = Vec::new();
	let mut runnable = Vec::new();
	for (job, lock) in jobs.into_iter().zip(locks.iter_mut()) {
		if let Ok(guard) = lock.try_lock() {
			// Read again under the lock: a worker that held it may have just tried this round.
			if attempted(job.feed, &job.operator.encode(), job.round) {
				continue;
			}
			guards.push(guard);
			runnable.push(job);
		}
	}
	let results = fetch_all::<T>(&runnable);
	let block = block.saturated_into::<u32>();
	for (job, (result, latency_ms)) in runnable.iter().zip(results) {
		let outcome = result
			.and_then(|body| {
				let pointer = core::str::from_utf8(&job.spec.pointer).unwrap_or_default();
				parse_value(&body, pointer, job.spec.value_type, job.spec.decimals)
			})
			.and_then(|value| submit::<T>(job, value).map(|()| value));
		if outcome.is_ok() {
			reported = reported.saturating_add(1);
		}
		// Once per round, whatever the outcome: a broken feed is not hammered every block, and a
		// report waiting in the pool is not submitted again.
		let marker_key = attempted_key(job.feed, &job.operator.encode());
		StorageValueRef::persistent(&marker_key).set(&job.round);
		record_status(job, block, outcome, latency_ms);
	}
	drop(guards);
	let elapsed = sp_io::offchain::timestamp().diff(&started).millis();
	log::info!(
		target: LOG_TARGET,
		"block {block}: {count} due feeds, {} fetched, {reported} reported in {elapsed} ms",
		runnable.len(),
	);
}

/// Feeds whose current round at `now` (a block number of the pallet's `BlockNumberProvider`) is
/// unsettled, assigned to a local key that has not reported it.
fn due_jobs<T: Config>(
	now: BlockNumberFor<T>,
	operators: &[T::AuthorityId],
	local: &[T::AuthorityId],
) -> Vec<Job<T>> {
	let mut jobs = Vec::new();
	// The pool checks the report on this same state, so against this same provider number; the
	// block that includes it sees this number or a later one (still this round, since intervals
	// are at least 2, unless the round ends meanwhile: then the report is dropped, and the next
	// round is reported in its turn).
	for (feed, record) in Feeds::<T>::iter() {
		let round = Pallet::<T>::round_at(&record.spec, now);
		if round < record.first_round {
			continue;
		}
		if record.last.as_ref().is_some_and(|last| last.round >= round) {
			continue;
		}
		let assigned = Pallet::<T>::assigned(feed, round, &record.spec, operators);
		for operator in local.iter().filter(|key| assigned.contains(key)) {
			let on_chain = record.pending.as_ref().is_some_and(|pending| {
				pending.round == round && pending.reports.iter().any(|(op, _)| op == operator)
			});
			if !on_chain && !attempted(feed, &operator.encode(), round) {
				jobs.push(Job {
					feed,
					round,
					spec: record.spec.clone(),
					operator: operator.clone(),
				});
			}
		}
	}
	jobs
}

/// GETs every job's URL at once; waits for all until one deadline; reads each body up to the
/// size limit. Returns each body (or why not) with the time it took.
fn fetch_all<T: Config>(jobs: &[Job<T>]) -> Vec<(Result<Vec<u8>, FetchError>, u64)> {
	let started = sp_io::offchain::timestamp();
	let deadline = started.add(Duration::from_millis(T::FetchTimeoutMs::get()));
	let limit = usize::try_from(T::MaxResponseBytes::get()).unwrap_or(usize::MAX);
	// Each job's index into `pending`, or `None` if its request could not even be started.
	let mut slots: Vec<Option<usize>> = Vec::with_capacity(jobs.len());
	let mut pending: Vec<http::PendingRequest> = Vec::new();
	for job in jobs {
		let url = core::str::from_utf8(&job.spec.url).unwrap_or_default();
		match http::Request::get(url).deadline(deadline).send() {
			Ok(request) => {
				slots.push(Some(pending.len()));
				pending.push(request);
			},
			Err(_) => slots.push(None),
		}
	}
	let mut answers: Vec<Option<Result<http::HttpResult, http::PendingRequest>>> =
		http::PendingRequest::try_wait_all(pending, deadline).into_iter().map(Some).collect();
	slots
		.into_iter()
		.map(|slot| {
			let answer = slot.and_then(|index| answers.get_mut(index).and_then(Option::take));
			let result = match answer {
				None => Err(FetchError::Unreachable),
				Some(Ok(Ok(response))) => read_body(response, deadline, limit),
				Some(Ok(Err(http::Error::DeadlineReached))) | Some(Err(_)) => {
					Err(FetchError::Timeout)
				},
				Some(Ok(Err(_))) => Err(FetchError::Unreachable),
			};
			let latency = sp_io::offchain::timestamp().diff(&started).millis();
			(result, latency)
		})
		.collect()
}

fn read_body(
	mut response: http::Response,
	deadline: Timestamp,
	limit: usize,
) -> Result<Vec<u8>, FetchError> {
	if !(200..300).contains(&response.code) {
		return Err(FetchError::HttpStatus(response.code));
	}
	// A declared length over the limit is refused before reading anything.
	let declared =
		response.headers().find("content-length").and_then(|len| len.trim().parse::<usize>().ok());
	if declared.is_some_and(|len| len > limit) {
		return Err(FetchError::TooLarge);
	}
	let mut body = response.body();
	body.deadline(deadline);
	let mut bytes = Vec::new();
	for byte in body.by_ref() {
		if bytes.len() >= limit {
			return Err(FetchError::TooLarge);
		}
		bytes.push(byte);
	}
	match body.error() {
		Some(frame::deps::sp_core::offchain::HttpError::DeadlineReached) => {
			Err(FetchError::Timeout)
		},
		Some(_) => Err(FetchError::Unreachable),
		None => Ok(bytes),
	}
}

/// Signs the report with the operator key and submits it as an authorized transaction.
fn submit<T: Config>(job: &Job<T>, value: i128) -> Result<(), FetchError> {
	let payload =
		ReportPayload::new(Pallet::<T>::genesis_hash(), job.feed, job.round, value).signing_bytes();
	let signature = job.operator.sign(&payload).ok_or(FetchError::SubmitFailed)?;
	let report = Report { feed: job.feed, round: job.round, value, operator: job.operator.clone() };
	let call = Call::<T>::report { report, signature };
	let xt = T::create_authorized_transaction(call.into());
	SubmitTransaction::<T, Call<T>>::submit_transaction(xt).map_err(|()| FetchError::SubmitFailed)
}

fn record_status<T: Config>(
	job: &Job<T>,
	block: u32,
	outcome: Result<i128, FetchError>,
	latency_ms: u64,
) {
	let key = status_key(job.feed);
	let store = StorageValueRef::persistent(&key);
	let mut status: FeedStatus = store.get().ok().flatten().unwrap_or_default();
	status.last_attempt_block = block;
	status.last_latency_ms = latency_ms;
	match outcome {
		Ok(value) => {
			status.last_success_block = Some(block);
			status.last_report = Some((job.round, value));
			status.last_error = None;
			status.consecutive_failures = 0;
		},
		Err(error) => {
			log::warn!(
				target: LOG_TARGET,
				"feed {} round {}: {}",
				job.feed,
				job.round,
				error.describe()
			);
			status.last_error = Some(error);
			status.consecutive_failures = status.consecutive_failures.saturating_add(1);
		},
	}
	store.set(&status);
}
