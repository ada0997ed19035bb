//! The off-chain worker against the HTTP double: good answers become signed reports in the pool;
//! every kind of bad answer becomes a status, never a transaction; nothing is fetched twice.

use crate::{mock::*, *};
use frame::{deps::sp_runtime::offchain::storage::StorageValueRef, testing_prelude::*};
use iot_primitives::feeds::{status_key, FeedStatus, FetchError};

fn status(feed: FeedId) -> FeedStatus {
	StorageValueRef::persistent(&status_key(feed)).get::<FeedStatus>().unwrap().unwrap()
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
	let mut env = Env::new(1);
	env.insert_local_key(0);
	env.http.answer(URL, json(r#"{"power_w": 1}"#));
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
	let reports = env.take_reports();
	assert_eq!(reports.iter().map(|(r, _)| r.round).collect::<Vec<_>>(), vec![2]);
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
