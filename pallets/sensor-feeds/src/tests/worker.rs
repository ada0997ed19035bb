//! The off-chain worker against the HTTP double: good answers become signed reports in the pool;
//! every kind of bad answer becomes a status, never a transaction; nothing is fetched twice.

use crate::{mock::*, *};
use frame::{deps::sp_runtime::offchain::storage::StorageValueRef, testing_prelude::*};
use iot_primitives::feeds::{
	status_key,
	url::{host_verdict_key, HostVerdict, ALLOW_PRIVATE_HOSTS_KEY, HOST_QUEUE_KEY},
	FeedStatus, FetchError,
};

fn status(feed: FeedId) -> FeedStatus {
	StorageValueRef::persistent(&status_key(feed)).get::<FeedStatus>().unwrap().unwrap()
}

/// One operator on chain, its key local, `URL` answering `answer`.
fn one_local_operator(answer: Answer) -> Env {
	let env = Env::new(1);
	env.insert_local_key(0);
	env.http.answer(URL, answer);
	env
}

fn spec_at(url: &str) -> FeedSpecOf<Test> {
	FeedSpec { url: url.as_bytes().to_vec().try_into().unwrap(), ..spec(1, 1) }
}

#[test]
fn a_good_answer_becomes_a_signed_report_that_settles_the_round() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	env.http.answer(URL, json(r#"{"power_w": 1234.56, "status": "ok"}"#));
	env.run(|| {
		let feed = register(spec(1, 1));
		run_to(4);
		SensorFeeds::offchain_worker(4);
		let status = status(feed);
		assert_eq!(status.last_success_block, Some(4));
		assert_eq!(status.last_report, Some((2, 12_346)));
		assert_eq!((status.last_error, status.consecutive_failures), (None, 0));
	});
	let reports = env.take_reports();
	assert_eq!(reports.len(), 1);
	let (report, signature) = reports.into_iter().next().unwrap();
	assert_eq!((report.feed, report.round, report.value), (0, 2, 12_346));
	assert_eq!(report.operator, operator(0));
	env.run(|| {
		assert_ok!(submit(report, signature));
		assert_eq!(Feeds::<Test>::get(0).unwrap().last.unwrap().value, 12_346);
	});
}

#[test]
fn a_round_is_fetched_and_reported_once() {
	let mut env = one_local_operator(json(r#"{"power_w": 1}"#));
	env.run(|| {
		register(spec(1, 1));
		// Workers report for the round of the relay block number they see (the one the pool
		// checks the report against): relay blocks 4 and 5 are both round 2.
		run_to(4);
		SensorFeeds::offchain_worker(4);
		run_to(5);
		SensorFeeds::offchain_worker(5);
	});
	assert_eq!(env.http.requested().len(), 1, "one attempt per round");
	// The report was not included (no block took it here), so the worker of block 5 submitted
	// the same signed report again, without fetching again.
	let reports = env.take_reports();
	assert_eq!(reports.iter().map(|(r, _)| r.round).collect::<Vec<_>>(), vec![2, 2]);
	assert_eq!(reports[0], reports[1]);
	// Relay block 6 is round 3.
	env.run(|| {
		run_to(6);
		SensorFeeds::offchain_worker(6);
	});
	assert_eq!(env.http.requested().len(), 2);
	assert_eq!(env.take_reports()[0].0.round, 3);
}

#[test]
fn bad_answers_leave_a_status_and_no_transaction() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	let cases: Vec<(&str, Answer, FetchError)> = vec![
		(
			"http://sim.local/500",
			Answer::Respond(500, vec![], b"oops".to_vec()),
			FetchError::HttpStatus(500),
		),
		("http://sim.local/slow", Answer::Timeout, FetchError::Timeout),
		("http://nowhere.invalid/", Answer::Unreachable, FetchError::Unreachable),
		(
			"http://sim.local/huge",
			json(&format!(r#"{{"power_w": 1, "pad": "{}"}}"#, "x".repeat(MAX_BODY as usize))),
			FetchError::TooLarge,
		),
		("http://sim.local/html", json("<html>not json</html>"), FetchError::InvalidJson),
		("http://sim.local/missing", json(r#"{"energy_wh": 5}"#), FetchError::MissingField),
	];
	for (url, answer, _) in &cases {
		env.http.answer(url, answer.clone());
	}
	env.run(|| {
		for (url, _, _) in &cases {
			register(spec_at(url));
		}
		run_to(4);
		SensorFeeds::offchain_worker(4);
		for (feed, (url, _, expected)) in cases.iter().enumerate() {
			let status = status(feed as FeedId);
			assert_eq!(status.last_error, Some(*expected), "{url}");
			assert_eq!(status.last_success_block, None, "{url}");
			assert_eq!((status.last_attempt_block, status.consecutive_failures), (4, 1), "{url}");
		}
	});
	assert!(env.take_reports().is_empty());
	assert_eq!(env.http.requested().len(), cases.len(), "all due feeds fetched in one run");
}

#[test]
fn a_declared_oversized_body_is_refused_unread_and_strings_are_not_numbers() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	env.http.answer(
		"http://sim.local/declared",
		Answer::Respond(
			200,
			vec![("content-length".into(), "10000000".into())],
			br#"{"power_w": 1}"#.to_vec(),
		),
	);
	env.http.answer("http://sim.local/text", json(r#"{"power_w": "1234.5"}"#));
	env.run(|| {
		register(spec_at("http://sim.local/declared"));
		register(spec_at("http://sim.local/text"));
		run_to(4);
		SensorFeeds::offchain_worker(4);
		assert_eq!(status(0).last_error, Some(FetchError::TooLarge));
		assert_eq!(status(1).last_error, Some(FetchError::NotANumber));
	});
	assert!(env.take_reports().is_empty());
}

#[test]
fn failures_count_up_and_a_success_clears_them() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	env.http.answer(URL, Answer::Respond(503, vec![], vec![]));
	env.run(|| {
		register(spec(1, 1));
		for block in [4, 6] {
			run_to(block);
			SensorFeeds::offchain_worker(block);
		}
		assert_eq!(status(0).consecutive_failures, 2);
	});
	env.http.answer(URL, json(r#"{"power_w": 2}"#));
	env.run(|| {
		run_to(8);
		SensorFeeds::offchain_worker(8);
		let status = status(0);
		assert_eq!((status.consecutive_failures, status.last_error), (0, None));
		assert_eq!(status.last_report, Some((4, 20)));
	});
}

#[test]
fn a_node_without_an_assigned_key_fetches_nothing() {
	let mut env = Env::new(3);
	env.http.answer(URL, json(r#"{"power_w": 1}"#));
	// No local key at all.
	env.run(|| {
		register(spec(1, 1));
		run_to(4);
		SensorFeeds::offchain_worker(4);
	});
	assert!(env.http.requested().is_empty());
	// A local operator key that is not assigned to round 2.
	let assigned = env.run(|| {
		let record = Feeds::<Test>::get(0).unwrap();
		SensorFeeds::assigned(0, 2, &record.spec, &Operators::<Test>::get())
	});
	let idle = (0..3).find(|i| !assigned.contains(&operator(*i))).unwrap();
	env.insert_local_key(idle);
	env.run(|| SensorFeeds::offchain_worker(4));
	assert!(env.http.requested().is_empty());
	assert!(env.take_reports().is_empty());
}

fn header(name: &str, value: &str) -> (String, String) {
	(name.into(), value.into())
}

/// Values crossed between feeds when a server sent bytes past its `Content-Length` on a reused
/// connection. Now every request asks for its own connection, and a body longer than declared is
/// refused (before, the whole body was read and parsed).
#[test]
fn every_request_has_its_own_connection_and_a_body_must_match_its_length() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	let first = br#"{"power_w": 1}"#;
	let smuggled = [&first[..], br#"{"power_w": 999}"#].concat();
	env.http.answer(
		"http://sim.local/longer",
		Answer::Respond(200, vec![header("Content-Length", &first.len().to_string())], smuggled),
	);
	env.http.answer(
		"http://sim.local/shorter",
		Answer::Respond(200, vec![header("content-length", "40")], first.to_vec()),
	);
	env.http.answer(
		"http://sim.local/exact",
		Answer::Respond(
			200,
			vec![header("content-length", &first.len().to_string())],
			first.to_vec(),
		),
	);
	env.http.answer(
		"http://sim.local/garbled",
		Answer::Respond(200, vec![header("content-length", "12, 14")], first.to_vec()),
	);
	env.run(|| {
		for url in ["longer", "shorter", "exact", "garbled"] {
			register(spec_at(&format!("http://sim.local/{url}")));
		}
		run_to(4);
		SensorFeeds::offchain_worker(4);
		assert_eq!(status(0).last_error, Some(FetchError::LengthMismatch));
		assert_eq!(status(1).last_error, Some(FetchError::LengthMismatch));
		assert_eq!(status(2).last_error, None);
		assert_eq!(status(2).last_report, Some((2, 10)));
		assert_eq!(status(3).last_error, Some(FetchError::LengthMismatch));
	});
	for headers in env.http.request_headers() {
		assert!(headers.contains(&header("Connection", "close")), "{headers:?}");
	}
	assert_eq!(env.take_reports().len(), 1);
}

/// Bodies used to be read only after every head was in or the shared deadline passed, one after
/// the other, so a hanging feed made its neighbours late and every feed showed the slowest one's
/// latency. Now each answer is read as it arrives, against its own deadline.
#[test]
fn a_hanging_server_delays_only_its_own_feed() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	env.http
		.answer("http://sim.local/hangs", Answer::Hang(200, vec![], br#"{"power_w": "#.to_vec()));
	env.http.answer("http://sim.local/silent", Answer::Timeout);
	env.http.answer(
		"http://sim.local/late",
		Answer::Delayed(1_500, Box::new(json(r#"{"power_w": 3}"#))),
	);
	env.http.answer("http://sim.local/fast", json(r#"{"power_w": 4}"#));
	env.run(|| {
		for url in ["hangs", "silent", "late", "fast"] {
			register(spec_at(&format!("http://sim.local/{url}")));
		}
		run_to(4);
		SensorFeeds::offchain_worker(4);
		let (hangs, silent, late, fast) = (status(0), status(1), status(2), status(3));
		assert_eq!(hangs.last_error, Some(FetchError::Timeout));
		assert_eq!(silent.last_error, Some(FetchError::Timeout));
		assert!(hangs.last_latency_ms >= TIMEOUT_MS && silent.last_latency_ms >= TIMEOUT_MS);
		assert_eq!((late.last_error, late.last_report), (None, Some((2, 30))));
		assert!((1_500..1_600).contains(&late.last_latency_ms), "{}", late.last_latency_ms);
		assert_eq!((fast.last_error, fast.last_report), (None, Some((2, 40))));
		assert!(fast.last_latency_ms < 100, "{}", fast.last_latency_ms);
	});
	assert_eq!(env.take_reports().len(), 2);
}

/// A worker still busy with the last round (its lock held) kept the next round waiting, so a
/// feed's fetch slid to the round's last block, whose report can never land. Locks are per round
/// now: the next round is fetched at once.
#[test]
fn a_round_is_fetched_while_the_last_rounds_fetch_still_holds_its_lock() {
	use frame::deps::sp_runtime::offchain::storage_lock::{StorageLock, Time};
	let mut env = one_local_operator(json(r#"{"power_w": 1}"#));
	env.run(|| {
		let feed = register(spec(1, 1));
		run_to(4);
		let key = crate::worker::lock_key(feed, &operator(0).encode(), 1);
		let mut lock = StorageLock::<Time>::new(&key);
		let _busy = lock.try_lock().unwrap();
		SensorFeeds::offchain_worker(4);
		assert_eq!(status(feed).last_report, Some((2, 10)));
	});
	assert_eq!(env.take_reports().len(), 1);
}

/// `iot_feedStatus` said success for reports that never landed. Now a report is followed: seen
/// on chain (`last_included_round`), or an error once its round is over.
#[test]
fn a_report_is_followed_until_it_lands_or_its_round_ends() {
	let mut env = one_local_operator(json(r#"{"power_w": 1}"#));
	env.run(|| {
		let feed = register(spec(1, 1));
		run_to(4);
		SensorFeeds::offchain_worker(4);
		assert_eq!(status(feed).last_included_round, None);
	});
	let reports = env.take_reports();
	env.run(|| {
		// Included in block 5.
		run_to(5);
		let (report, signature) = reports[0].clone();
		assert_ok!(submit(report, signature));
		SensorFeeds::offchain_worker(5);
		let now = status(0);
		assert_eq!((now.last_included_round, now.last_error), (Some(2), None));
		// Round 3: submitted, but no block takes it before round 4.
		run_to(6);
		SensorFeeds::offchain_worker(6);
		assert_eq!(status(0).last_report, Some((3, 10)));
		run_to(8);
		SensorFeeds::offchain_worker(8);
		// Round 3 was lost (`NotIncluded`, then cleared by round 4's successful submission in the
		// same run): submitted round 4, included round 2 says so.
		let now = status(0);
		assert_eq!(now.last_included_round, Some(2));
		assert_eq!(now.last_report, Some((4, 10)));
		assert_eq!(now.consecutive_failures, 0);
	});
	let (rounds, _): (Vec<Round>, Vec<_>) =
		env.take_reports().into_iter().map(|(report, sig)| (report.round, sig)).unzip();
	assert_eq!(rounds, vec![3, 4]);
}

#[test]
fn a_report_lost_with_its_round_is_an_error_in_the_status() {
	let mut env = one_local_operator(json(r#"{"power_w": 1}"#));
	env.run(|| {
		register(spec(1, 1));
		run_to(4);
		SensorFeeds::offchain_worker(4);
		// Round 3 comes, the report of round 2 never landed; the server now fails, so the next
		// attempt does not overwrite what the status says.
		run_to(6);
	});
	env.http.answer(URL, Answer::Respond(503, vec![], vec![]));
	env.run(|| {
		// The follow-up runs before the fetch: the round-2 loss is counted, then the 503.
		SensorFeeds::offchain_worker(6);
		let now = status(0);
		assert_eq!(now.last_error, Some(FetchError::HttpStatus(503)));
		assert_eq!(now.consecutive_failures, 2);
		assert_eq!(now.last_included_round, None);
	});
}

/// An operator's node fetched any URL: a feed at the node's own RPC port put its answers on
/// chain. Without the node's permission, loopback, private and local hosts are refused unfetched
/// in every spelling, and a name is fetched only once the node resolved it to public addresses.
#[test]
fn private_hosts_are_refused_unless_the_node_allows_them() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	let private = [
		"http://127.0.0.1:9944/health",
		"http://2130706433/",
		"http://0x7f.1/",
		"http://[::1]:9944/",
		"http://[::ffff:127.0.0.1]/",
		"http://localhost:9944/",
		"http://api.LOCALHOST./",
		"http://10.0.0.7/",
		"http://169.254.169.254/latest/meta-data",
	];
	for url in private {
		env.http.answer(url, json(r#"{"power_w": 1}"#));
	}
	env.run(|| {
		StorageValueRef::persistent(ALLOW_PRIVATE_HOSTS_KEY).set(&false);
		for url in private {
			register(spec_at(url));
		}
		run_to(4);
		SensorFeeds::offchain_worker(4);
		for (feed, url) in private.iter().enumerate() {
			assert_eq!(
				status(feed as FeedId).last_error,
				Some(FetchError::PrivateAddress),
				"{url}"
			);
		}
	});
	assert!(env.http.requested().is_empty(), "nothing fetched");
	assert!(env.take_reports().is_empty());
	// The operator allows private hosts (`--feed-private-hosts allow`): the next round is fetched.
	env.run(|| {
		StorageValueRef::persistent(ALLOW_PRIVATE_HOSTS_KEY).set(&true);
		run_to(6);
		SensorFeeds::offchain_worker(6);
	});
	assert_eq!(env.http.requested().len(), private.len());
}

#[test]
fn a_name_is_fetched_once_the_node_resolved_it_to_public_addresses() {
	let mut env = Env::new(1);
	env.insert_local_key(0);
	env.http.answer("http://public.example/", json(r#"{"power_w": 1}"#));
	env.http.answer("http://rebinds.example/", json(r#"{"power_w": 1}"#));
	env.run(|| {
		StorageValueRef::persistent(ALLOW_PRIVATE_HOSTS_KEY).set(&false);
		register(spec_at("http://public.example/"));
		register(spec_at("http://rebinds.example/"));
		run_to(4);
		SensorFeeds::offchain_worker(4);
		assert_eq!(status(0).last_error, Some(FetchError::HostUnchecked));
		assert_eq!(status(1).last_error, Some(FetchError::HostUnchecked));
		// The worker asked the node to resolve both names.
		let queue: Vec<(Vec<u8>, u64)> =
			StorageValueRef::persistent(HOST_QUEUE_KEY).get().unwrap().unwrap();
		let mut names: Vec<&[u8]> = queue.iter().map(|(name, _)| name.as_slice()).collect();
		names.sort();
		assert_eq!(names, vec![&b"public.example"[..], b"rebinds.example"]);
		// The node's verdicts (what `iot-node` writes after resolving them).
		let now = frame::deps::sp_io::offchain::timestamp().unix_millis();
		StorageValueRef::persistent(&host_verdict_key("public.example"))
			.set(&HostVerdict { checked_at_ms: now, public: true });
		StorageValueRef::persistent(&host_verdict_key("rebinds.example"))
			.set(&HostVerdict { checked_at_ms: now, public: false });
		run_to(6);
		SensorFeeds::offchain_worker(6);
		assert_eq!((status(0).last_error, status(0).last_report), (None, Some((3, 10))));
		assert_eq!(status(1).last_error, Some(FetchError::PrivateAddress));
	});
	assert_eq!(env.http.requested(), vec!["http://public.example/".to_string()]);
}

/// Feeds of an inactive device or a removed stream get no reports on chain: their operators do
/// not fetch them either.
#[test]
fn feeds_of_an_inactive_device_or_a_removed_stream_are_not_fetched() {
	let mut env = one_local_operator(json(r#"{"power_w": 1}"#));
	env.run(|| {
		register(spec(1, 1));
		run_to(4);
		TestRegistry::set_active(false);
		SensorFeeds::offchain_worker(4);
		TestRegistry::set_active(true);
		TestRecorder::remove_stream(true);
		run_to(6);
		SensorFeeds::offchain_worker(6);
		TestRecorder::remove_stream(false);
	});
	assert!(env.http.requested().is_empty());
}
