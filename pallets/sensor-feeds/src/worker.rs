//! The off-chain worker: fetch the due feeds assigned to this node's operator keys, read their
//! values, submit signed reports, follow them until they are on chain, and keep a status per feed
//! in the node's off-chain storage.
//!
//! Rounds come from the pallet's `BlockNumberProvider` (the relay chain's block number in our
//! runtime), read in the state of the block just imported: the number the pool checks the report
//! against. The parachain block number `offchain_worker` is given only goes into the status and
//! the logs.
//!
//! What a hostile feed server can do, and what stops it:
//! - **Make us fetch what it names** (SSRF): a URL is fetched only if its host is a public address,
//!   or a name this node resolved to public addresses only, unless the node's operator allows
//!   private hosts ([`iot_primitives::feeds::url`]).
//! - **Answer another feed's request**: every request carries `Connection: close`, so no
//!   connection (and no byte a server sends past its answer) is reused for another feed, and a
//!   body whose length differs from its `Content-Length` is refused.
//! - **Be slow**: every request has its own deadline and its body is read as it arrives, so a
//!   hanging server costs only its own feed; each feed's latency is its own.
//! - **Be big**: a declared length over the limit is refused unread, a body is cut at the limit.
//!
//! Runs in the node (off-chain), never in block execution: it may fail in any way without
//! affecting the chain; every failure ends as a [`FetchError`] in the feed's status.

#![deny(clippy::expect_used)]

use crate::*;
use frame::deps::sp_io;
use frame::deps::sp_runtime::offchain::{
	http,
	storage::{StorageRetrievalError, StorageValueRef},
	storage_lock::{StorageLock, Time},
	Duration, HttpError, HttpRequestId, HttpRequestStatus, Timestamp,
};
use iot_primitives::feeds::{
	parse_value, status_key,
	url::{
		host_verdict_key, is_local_name, is_public_v4, is_public_v6, parse_url, Host, HostVerdict,
		ALLOW_PRIVATE_HOSTS_KEY, HOST_QUEUE_KEY, HOST_VERDICT_TTL_MS, MAX_QUEUED_HOSTS,
	},
	FeedStatus, FetchError,
};
use polkadot_sdk::frame_system::offchain::SubmitTransaction;

const LOG_TARGET: &str = "sensor-feeds";

/// How long one pass of the fetch loop waits for news from any request: a finished head or a
/// body chunk. Bounds how late a ready answer is noticed, not how long a request may take.
const POLL_MS: u64 = 20;

/// A name the worker asked for within this long is not asked for again (one queue write per name
/// per minute, not per block).
const REQUEUE_MS: u64 = 60_000;

/// One fetch to make: the feed, its round, the local operator key asked for it.
struct Job<T: Config> {
	feed: FeedId,
	round: Round,
	spec: FeedSpecOf<T>,
	operator: T::AuthorityId,
}

/// A report this node submitted and has not seen on chain yet, per feed and operator key: kept to
/// submit it again while its round is open (the pool may drop it), and to tell whether it landed.
#[derive(Encode, Decode)]
struct Submitted<Signature> {
	round: Round,
	value: i128,
	signature: Signature,
	/// Parachain block after which it was last submitted.
	block: u32,
}

fn key(prefix: &[u8], feed: FeedId, operator: &[u8]) -> Vec<u8> {
	let mut key = prefix.to_vec();
	key.extend_from_slice(&feed.to_le_bytes());
	key.extend_from_slice(operator);
	key
}

/// Off-chain storage key of the marker "tried `feed` in round R with this key".
fn attempted_key(feed: FeedId, operator: &[u8]) -> Vec<u8> {
	key(b"iot-parachain:sensor-feeds:attempted:", feed, operator)
}

/// Off-chain storage key of the report in flight for `feed` with this key.
fn submitted_key(feed: FeedId, operator: &[u8]) -> Vec<u8> {
	key(b"iot-parachain:sensor-feeds:submitted:", feed, operator)
}

/// Off-chain storage key of the lock that keeps overlapping workers off the same feed, key and
/// round. Per round: a worker still busy with the last round never keeps the next one waiting.
pub(crate) fn lock_key(feed: FeedId, operator: &[u8], round: Round) -> Vec<u8> {
	let mut key = key(b"iot-parachain:sensor-feeds:lock:", feed, operator);
	key.extend_from_slice(&round.to_le_bytes());
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
	let block = block.saturated_into::<u32>();
	let jobs = scan::<T>(T::BlockNumberProvider::current_block_number(), &operators, &local, block);
	if jobs.is_empty() {
		return;
	}
	let started = sp_io::offchain::timestamp();
	let count = jobs.len();
	let mut reported = 0usize;
	// Hold every job's lock until all are done: another worker (the next block's) skips them.
	let lock_keys: Vec<Vec<u8>> =
		jobs.iter().map(|job| lock_key(job.feed, &job.operator.encode(), job.round)).collect();
	let expiry = Duration::from_millis(T::FetchTimeoutMs::get().saturating_add(2_000));
	let mut locks: Vec<StorageLock<Time>> =
		lock_keys.iter().map(|key| StorageLock::<Time>::with_deadline(key, expiry)).collect();
	let mut guards = Vec::new();
	let mut runnable = Vec::new();
	let allow_private = allows_private_hosts();
	for (job, lock) in jobs.into_iter().zip(locks.iter_mut()) {
		if let Ok(guard) = lock.try_lock() {
			// Read again under the lock: a worker that held it may have just tried this round.
			if attempted(job.feed, &job.operator.encode(), job.round) {
				continue;
			}
			guards.push(guard);
			let allowed = check_host(&job.spec.url, allow_private, started.unix_millis());
			runnable.push((job, allowed));
		}
	}
	// Each job is finished (parsed, signed, submitted, its status written) the moment its own
	// answer is in: a report waits for no other feed.
	let mut finish = |job: &Job<T>, result: Result<Vec<u8>, FetchError>, latency_ms: u64| {
		let outcome = result
			.and_then(|body| {
				let pointer = core::str::from_utf8(&job.spec.pointer).unwrap_or_default();
				parse_value(&body, pointer, job.spec.value_type, job.spec.decimals)
			})
			.and_then(|value| submit::<T>(job, value, block).map(|()| value));
		if outcome.is_ok() {
			reported = reported.saturating_add(1);
		}
		// Once per round, whatever the outcome: a broken feed is not hammered every block; a
		// report in flight is followed by `scan` from now on. Except for a name the node has not
		// resolved yet: it usually has by the next block, so try again then.
		if outcome != Err(FetchError::HostUnchecked) {
			let marker_key = attempted_key(job.feed, &job.operator.encode());
			StorageValueRef::persistent(&marker_key).set(&job.round);
		}
		record_status(job, block, outcome, latency_ms);
	};
	let mut fetching = Vec::new();
	for (job, allowed) in runnable.iter() {
		match allowed {
			Ok(()) => fetching.push(job),
			Err(error) => finish(job, Err(*error), 0),
		}
	}
	let urls: Vec<&[u8]> = fetching.iter().map(|job| job.spec.url.as_slice()).collect();
	let fetches = urls.len();
	fetch_all::<T>(&urls, |index, result, latency_ms| {
		if let Some(job) = fetching.get(index) {
			finish(job, result, latency_ms);
		}
	});
	drop(guards);
	let elapsed = sp_io::offchain::timestamp().diff(&started).millis();
	log::info!(
		target: LOG_TARGET,
		"block {block}: {count} due feeds, {fetches} fetched, {reported} reported in {elapsed} ms",
	);
}

/// Follows the reports in flight (included, lost with their round, or to be submitted again) and
/// returns the feeds whose current round at `now` (a block number of the pallet's
/// `BlockNumberProvider`) is unsettled, assigned to a local key that has not tried it.
fn scan<T: Config>(
	now: BlockNumberFor<T>,
	operators: &[T::AuthorityId],
	local: &[T::AuthorityId],
	block: u32,
) -> Vec<Job<T>> {
	let mut jobs = Vec::new();
	// The pool checks the report on this same state, so against this same provider number; the
	// block that includes it sees this number or a later one (still this round, since intervals
	// are at least 2, unless the round ends meanwhile: then the report is dropped, `follow`
	// notes it, and the next round is reported in its turn).
	for (feed, record) in Feeds::<T>::iter() {
		let round = Pallet::<T>::round_at(&record.spec, now);
		for operator in local {
			follow::<T>(feed, &record, operator, round, block);
		}
		if round < record.first_round
			|| record.last.as_ref().is_some_and(|last| last.round >= round)
			|| !T::Devices::is_active(record.device)
			|| T::Recorder::stream_device(record.stream) != Some(record.device)
			// Paused until its owner funds it: the chain would refuse the report.
			|| !Pallet::<T>::can_pay_round(feed, &record)
		{
			continue;
		}
		let assigned = Pallet::<T>::assigned(feed, round, &record.spec, operators);
		// The chain refuses reports of a round its operators cannot settle.
		if usize::from(record.spec.quorum) > assigned.len() {
			continue;
		}
		for operator in local.iter().filter(|key| assigned.contains(key)) {
			if !on_chain::<T>(&record, operator, round)
				&& !attempted(feed, &operator.encode(), round)
			{
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

/// Whether `operator`'s report for `round` is counted on chain, or the round settled (with it or
/// without: either way there is nothing left to do for it).
fn on_chain<T: Config>(record: &FeedOf<T>, operator: &T::AuthorityId, round: Round) -> bool {
	record.last.as_ref().is_some_and(|last| last.round >= round)
		|| record.pending.as_ref().is_some_and(|pending| {
			pending.round == round && pending.reports.iter().any(|(op, _)| op == operator)
		})
}

/// The report in flight for `feed` with `operator`, if any: landed (noted in the status), lost
/// with its round (an error in the status), or still open and not on chain (submitted again: the
/// pool may have dropped it, or a full block left it out).
fn follow<T: Config>(
	feed: FeedId,
	record: &FeedOf<T>,
	operator: &T::AuthorityId,
	current: Round,
	block: u32,
) {
	type SignatureOf<T> = <<T as Config>::AuthorityId as RuntimeAppPublic>::Signature;
	let key = submitted_key(feed, &operator.encode());
	let mut store = StorageValueRef::persistent(&key);
	let Ok(Some(submitted)) = store.get::<Submitted<SignatureOf<T>>>() else { return };
	if on_chain::<T>(record, operator, submitted.round) {
		store.clear();
		update_status(feed, |status| {
			status.last_included_round = Some(submitted.round);
		});
	} else if submitted.round < current || submitted.round < record.first_round {
		store.clear();
		log::warn!(
			target: LOG_TARGET,
			"feed {feed} round {}: report not included before the round ended",
			submitted.round
		);
		update_status(feed, |status| {
			status.last_error = Some(FetchError::NotIncluded);
			status.consecutive_failures = status.consecutive_failures.saturating_add(1);
		});
	} else if block > submitted.block {
		let report = Report {
			feed,
			round: submitted.round,
			value: submitted.value,
			operator: operator.clone(),
		};
		// Already in the pool is an error here and nothing to worry about.
		let _ = submit_signed::<T>(report, submitted.signature.clone());
		store.set(&Submitted { block, ..submitted });
	}
}

/// The node's policy on private hosts, as the node wrote it at start (missing: refused).
fn allows_private_hosts() -> bool {
	matches!(StorageValueRef::persistent(ALLOW_PRIVATE_HOSTS_KEY).get::<bool>(), Ok(Some(true)))
}

/// Whether this node may fetch `url` now: its host is a public address, or a name this node
/// resolved to public addresses only; anything goes if the node allows private hosts. A name
/// without a fresh verdict is queued for the node to resolve.
fn check_host(url: &[u8], allow_private: bool, now_ms: u64) -> Result<(), FetchError> {
	let parsed = parse_url(url).map_err(|_| FetchError::BadUrl)?;
	if allow_private {
		return Ok(());
	}
	let public = match parsed.host {
		Host::V4(address) => is_public_v4(address),
		Host::V6(address) => is_public_v6(address),
		Host::Name(name) if is_local_name(name) => false,
		Host::Name(name) => {
			want_resolved(name, now_ms);
			let verdict = StorageValueRef::persistent(&host_verdict_key(name)).get::<HostVerdict>();
			match verdict {
				Ok(Some(verdict))
					if now_ms.saturating_sub(verdict.checked_at_ms) <= HOST_VERDICT_TTL_MS =>
				{
					verdict.public
				},
				_ => return Err(FetchError::HostUnchecked),
			}
		},
	};
	if public {
		Ok(())
	} else {
		Err(FetchError::PrivateAddress)
	}
}

/// Asks the node to resolve `name` (and to keep resolving it while it is asked for).
fn want_resolved(name: &str, now_ms: u64) {
	let name: Vec<u8> = name.bytes().map(|b| b.to_ascii_lowercase()).collect();
	let store = StorageValueRef::persistent(HOST_QUEUE_KEY);
	let _ = store.mutate(|queue: Result<Option<Vec<(Vec<u8>, u64)>>, StorageRetrievalError>| {
		let mut queue = queue.ok().flatten().unwrap_or_default();
		if let Some((_, wanted)) = queue.iter_mut().find(|(queued, _)| *queued == name) {
			if now_ms.saturating_sub(*wanted) < REQUEUE_MS {
				// Asked recently: leave the queue as it is (no write).
				return Err(());
			}
			*wanted = now_ms;
			return Ok(queue);
		}
		if queue.len() >= MAX_QUEUED_HOSTS {
			// Drop the name asked for longest ago.
			if let Some(oldest) = queue
				.iter()
				.enumerate()
				.min_by_key(|(_, (_, wanted))| *wanted)
				.map(|(index, _)| index)
			{
				queue.swap_remove(oldest);
			}
		}
		queue.push((name.clone(), now_ms));
		Ok(queue)
	});
	// A lost race with another worker (`ConcurrentModification`) only delays the name to the
	// next block.
}

/// Where one request stands in [`fetch_all`].
enum Stage {
	/// Waiting for the status line and headers.
	Head(HttpRequestId),
	/// Reading the body: what arrived so far, and the declared length.
	Body { id: HttpRequestId, bytes: Vec<u8>, declared: Option<usize> },
	/// Finished and handed to `done`.
	Done,
}

/// GETs every URL at once and reads each answer as it arrives, each request on its own
/// connection (`Connection: close`) and against its own deadline (all the same length, inside the
/// block's budget); a slow server delays nothing but its own feed. Calls `done` with each URL's
/// index, its body (or why not) and the time its own request took, as soon as it is finished.
fn fetch_all<T: Config>(
	urls: &[&[u8]],
	mut done: impl FnMut(usize, Result<Vec<u8>, FetchError>, u64),
) {
	let started = sp_io::offchain::timestamp();
	let deadline = started.add(Duration::from_millis(T::FetchTimeoutMs::get()));
	let limit = usize::try_from(T::MaxResponseBytes::get()).unwrap_or(usize::MAX);
	let elapsed = || sp_io::offchain::timestamp().diff(&started).millis();
	let mut stages: Vec<Stage> = Vec::with_capacity(urls.len());
	for (index, url) in urls.iter().enumerate() {
		let url = core::str::from_utf8(url).unwrap_or_default();
		match http::Request::get(url)
			.add_header("Connection", "close")
			.add_header("Accept", "application/json")
			.deadline(deadline)
			.send()
		{
			Ok(request) => stages.push(Stage::Head(request.id)),
			Err(_) => {
				done(index, Err(FetchError::Unreachable), elapsed());
				stages.push(Stage::Done);
			},
		}
	}
	loop {
		if stages.iter().all(|stage| matches!(stage, Stage::Done)) {
			break;
		}
		let now = sp_io::offchain::timestamp();
		if now >= deadline {
			for (index, stage) in stages.iter_mut().enumerate() {
				if !matches!(stage, Stage::Done) {
					done(index, Err(FetchError::Timeout), elapsed());
					*stage = Stage::Done;
				}
			}
			break;
		}
		let tick = now.add(Duration::from_millis(POLL_MS)).min(deadline);
		// Heads: wait until the tick for any of them.
		let waiting: Vec<(usize, HttpRequestId)> = stages
			.iter()
			.enumerate()
			.filter_map(|(index, stage)| match stage {
				Stage::Head(id) => Some((index, *id)),
				_ => None,
			})
			.collect();
		if !waiting.is_empty() {
			let ids: Vec<HttpRequestId> = waiting.iter().map(|(_, id)| *id).collect();
			let statuses = sp_io::offchain::http_response_wait(&ids, Some(tick));
			for ((index, id), status) in waiting.into_iter().zip(statuses) {
				let next = match status {
					HttpRequestStatus::DeadlineReached => continue,
					HttpRequestStatus::Finished(code) => match head(id, code, limit) {
						Ok(declared) => Stage::Body { id, bytes: Vec::new(), declared },
						Err(error) => {
							done(index, Err(error), elapsed());
							Stage::Done
						},
					},
					HttpRequestStatus::IoError | HttpRequestStatus::Invalid => {
						done(index, Err(FetchError::Unreachable), elapsed());
						Stage::Done
					},
				};
				if let Some(stage) = stages.get_mut(index) {
					*stage = next;
				}
			}
		}
		// Bodies: take what has arrived; only the first read with nothing to read waits (until
		// the tick), the others find the tick passed and return at once.
		for (index, stage) in stages.iter_mut().enumerate() {
			let Stage::Body { id, bytes, declared } = stage else { continue };
			if let Some(result) = read_available(*id, bytes, *declared, tick, limit) {
				done(index, result.map(|()| core::mem::take(bytes)), elapsed());
				*stage = Stage::Done;
			}
		}
	}
}

/// Checks a response's status and declared length; returns the declared length.
fn head(id: HttpRequestId, code: u16, limit: usize) -> Result<Option<usize>, FetchError> {
	if !(200..300).contains(&code) {
		return Err(FetchError::HttpStatus(code));
	}
	let declared = sp_io::offchain::http_response_headers(id)
		.into_iter()
		.find(|(name, _)| name.eq_ignore_ascii_case(b"content-length"))
		.map(|(_, value)| {
			core::str::from_utf8(&value)
				.ok()
				.and_then(|text| text.trim().parse::<usize>().ok())
				.ok_or(FetchError::LengthMismatch)
		})
		.transpose()?;
	// A declared length over the limit is refused before reading anything.
	if declared.is_some_and(|len| len > limit) {
		return Err(FetchError::TooLarge);
	}
	Ok(declared)
}

/// Reads what has arrived of a body until `tick`: `None` while it goes on, the outcome once it
/// ended (its length checked against the declared one), failed or passed the limit.
fn read_available(
	id: HttpRequestId,
	bytes: &mut Vec<u8>,
	declared: Option<usize>,
	tick: Timestamp,
	limit: usize,
) -> Option<Result<(), FetchError>> {
	let mut buffer = [0u8; 4096];
	loop {
		match sp_io::offchain::http_response_read_body(id, &mut buffer, Some(tick)) {
			Ok(0) => {
				return Some(match declared {
					Some(len) if len != bytes.len() => Err(FetchError::LengthMismatch),
					_ => Ok(()),
				})
			},
			Ok(read) => {
				let read = usize::try_from(read).unwrap_or(usize::MAX);
				bytes.extend_from_slice(buffer.get(..read).unwrap_or(buffer.as_slice()));
				if bytes.len() > limit {
					return Some(Err(FetchError::TooLarge));
				}
				if declared.is_some_and(|len| bytes.len() > len) {
					return Some(Err(FetchError::LengthMismatch));
				}
			},
			Err(HttpError::DeadlineReached) => return None,
			Err(_) => return Some(Err(FetchError::Unreachable)),
		}
	}
}

/// Signs the report with the operator key, submits it as an authorized transaction, and keeps it
/// to follow it.
fn submit<T: Config>(job: &Job<T>, value: i128, block: u32) -> Result<(), FetchError> {
	let payload =
		ReportPayload::new(Pallet::<T>::genesis_hash(), job.feed, job.round, value).signing_bytes();
	let signature = job.operator.sign(&payload).ok_or(FetchError::SubmitFailed)?;
	let report = Report { feed: job.feed, round: job.round, value, operator: job.operator.clone() };
	submit_signed::<T>(report, signature.clone())?;
	StorageValueRef::persistent(&submitted_key(job.feed, &job.operator.encode())).set(&Submitted {
		round: job.round,
		value,
		signature,
		block,
	});
	Ok(())
}

fn submit_signed<T: Config>(
	report: Report<T::AuthorityId>,
	signature: <T::AuthorityId as RuntimeAppPublic>::Signature,
) -> Result<(), FetchError> {
	let call = Call::<T>::report { report, signature };
	let xt = T::create_authorized_transaction(call.into());
	SubmitTransaction::<T, Call<T>>::submit_transaction(xt).map_err(|()| FetchError::SubmitFailed)
}

fn update_status(feed: FeedId, change: impl FnOnce(&mut FeedStatus)) {
	let key = status_key(feed);
	let store = StorageValueRef::persistent(&key);
	let mut status: FeedStatus = store.get().ok().flatten().unwrap_or_default();
	change(&mut status);
	store.set(&status);
}

fn record_status<T: Config>(
	job: &Job<T>,
	block: u32,
	outcome: Result<i128, FetchError>,
	latency_ms: u64,
) {
	if let Err(error) = &outcome {
		log::warn!(
			target: LOG_TARGET,
			"feed {} round {}: {}",
			job.feed,
			job.round,
			error.describe()
		);
	}
	update_status(job.feed, |status| {
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
				status.last_error = Some(error);
				status.consecutive_failures = status.consecutive_failures.saturating_add(1);
			},
		}
	});
}
