//! The HTTP interface without a node: a fixed table of what the chain says of two streams, the
//! real store on a temporary file, the real router. Every refusal comes with its status and
//! reason and changes nothing; an accepted batch is stored before the answer, and a retry of it
//! is the same batch.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::{
	body::{to_bytes, Body},
	http::{Request, StatusCode},
	Router,
};
use iot_device::{
	iot_formats::{
		device::DeviceSignature,
		provenance::{batch, AnchorPayload, ANCHOR_TAG},
		SoftwareBlake2,
	},
	signer::{P256Signer, Sr25519Signer},
	Signer,
};
use iot_gateway::{
	batch::StreamFacts,
	http::{router, AppState},
	ingest::Ingest,
	metrics::Metrics,
	store::Store,
	to_hex,
};
use serde_json::{json, Value};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tower::ServiceExt as _;

const GENESIS: [u8; 32] = [0x5a; 32];

fn signature_json(signature: &DeviceSignature) -> (String, String) {
	let (kind, bytes): (&str, &[u8]) = match signature {
		DeviceSignature::Ed25519(b) => ("ed25519", b),
		DeviceSignature::Sr25519(b) => ("sr25519", b),
		DeviceSignature::Secp256k1(b) => ("secp256k1", b),
		DeviceSignature::P256(b) => ("p256", b),
	};
	(kind.into(), to_hex(bytes))
}

fn body(signer: &mut impl Signer, device: u64, stream: u64, sequence: u64, n: u32) -> Value {
	let readings: Vec<Vec<u8>> = (0..n).map(|i| format!("{sequence}:{i}").into_bytes()).collect();
	let (root, count) = batch::root::<SoftwareBlake2>(&readings).unwrap();
	let statement = AnchorPayload {
		tag: ANCHOR_TAG,
		genesis_hash: GENESIS,
		device,
		stream,
		sequence,
		root,
		count,
		first_timestamp: 1_700_000_000_000,
		last_timestamp: 1_700_000_060_000,
		content_id: None,
	};
	let (key_type, signature) =
		signature_json(&iot_device::sign_anchor(signer, &statement).unwrap());
	json!({
		"stream": stream,
		"sequence": sequence,
		"firstTimestamp": 1_700_000_000_000u64,
		"lastTimestamp": 1_700_000_060_000u64,
		"readings": readings.iter().map(|r| to_hex(r)).collect::<Vec<_>>(),
		"root": to_hex(&root),
		"keyType": key_type,
		"signature": signature,
	})
}

struct Rig {
	app: Router,
	store: Store,
	_dir: tempfile::TempDir,
}

fn rig(p256: &P256Signer, sr: &impl Signer) -> Rig {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(&dir.path().join("gateway.sqlite")).unwrap();
	let mut facts = HashMap::new();
	facts.insert(
		1,
		StreamFacts { device: 10, last_sequence: Some(3), key: p256.public_key(), active: true },
	);
	facts.insert(
		2,
		StreamFacts { device: 11, last_sequence: None, key: sr.public_key(), active: true },
	);
	facts.insert(
		3,
		StreamFacts { device: 12, last_sequence: None, key: sr.public_key(), active: false },
	);
	let ingest = Ingest::new(
		store.clone(),
		Arc::new(facts),
		GENESIS,
		iot_gateway::batch::Limits { max_readings: 2_000, ..Default::default() },
		Duration::from_secs(30),
		Arc::new(Metrics::default()),
		Arc::new(tokio::sync::Notify::new()),
	);
	let app = router(
		AppState { ingest, genesis_hash: GENESIS, account: "test".into(), node: "none".into() },
		1024 * 1024,
	);
	Rig { app, store, _dir: dir }
}

async fn call(app: &Router, method: &str, uri: &str, body: Option<Vec<u8>>) -> (StatusCode, Value) {
	let request = Request::builder()
		.method(method)
		.uri(uri)
		.header("content-type", "application/json")
		.body(body.map(Body::from).unwrap_or_else(Body::empty))
		.unwrap();
	let response = app.clone().oneshot(request).await.unwrap();
	let status = response.status();
	let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
	let value = serde_json::from_slice(&bytes)
		.unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
	(status, value)
}

async fn post(app: &Router, value: &Value) -> (StatusCode, Value) {
	call(app, "POST", "/v1/batches", Some(value.to_string().into_bytes())).await
}

#[tokio::test]
async fn a_signed_batch_is_stored_then_acknowledged_and_its_readings_proven() {
	let mut p256 = P256Signer::from_secret(&[0x41; 32]).unwrap();
	let sr = Sr25519Signer::from_seed(&[0x42; 32], rand_core::OsRng).unwrap();
	let rig = rig(&p256, &sr);
	let batch = body(&mut p256, 10, 1, 4, 100);
	let (status, answer) = post(&rig.app, &batch).await;
	assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
	assert_eq!(answer["state"], "pending");
	assert_eq!(answer["count"], 100);
	let id = answer["id"].as_i64().unwrap();
	// Stored before the answer came.
	let stored = rig.store.get(id).unwrap().unwrap();
	assert_eq!(stored.batch.readings.len(), 100);

	// A retry (the acknowledgement was lost) is the same batch.
	let (status, again) = post(&rig.app, &batch).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(again["id"], id);
	assert_eq!(again["duplicate"], true);
	assert_eq!(rig.store.unresolved(10).unwrap().len(), 1);

	let (status, state) = call(&rig.app, "GET", &format!("/v1/batches/{id}"), None).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(state["state"], "pending");
	assert_eq!(state["anchor"], Value::Null);
	let (status, proof) = call(&rig.app, "GET", "/v1/streams/1/batches/4/readings/37", None).await;
	assert_eq!(status, StatusCode::OK, "{proof}");
	assert_eq!(proof["reading"], to_hex(b"4:37"));
	assert_eq!(proof["anchor"], Value::Null, "not anchored yet");
	let (status, missing) =
		call(&rig.app, "GET", "/v1/streams/1/batches/4/readings/100", None).await;
	assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");

	let (status, health) = call(&rig.app, "GET", "/health", None).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(health["batches"]["pending"], 1);
	let (_, metrics) = call(&rig.app, "GET", "/metrics", None).await;
	let metrics = metrics.as_str().unwrap().to_string();
	assert!(metrics.contains("iot_gateway_batches_accepted_total{source=\"http\"} 1"), "{metrics}");
	assert!(metrics.contains("iot_gateway_readings_accepted_total 100"), "{metrics}");
	assert!(metrics.contains("iot_gateway_batches{state=\"pending\"} 1"), "{metrics}");
}

#[tokio::test]
async fn every_bad_batch_is_refused_with_a_reason_and_nothing_is_stored() {
	let mut p256 = P256Signer::from_secret(&[0x41; 32]).unwrap();
	let mut sr = Sr25519Signer::from_seed(&[0x42; 32], rand_core::OsRng).unwrap();
	let rig = rig(&p256, &sr);
	let good = body(&mut p256, 10, 1, 4, 8);
	let edit = |f: &dyn Fn(&mut Value)| {
		let mut v = good.clone();
		f(&mut v);
		v
	};
	let cases: Vec<(Value, StatusCode, &str)> = vec![
		(edit(&|v| v["readings"] = json!([])), StatusCode::BAD_REQUEST, "empty_batch"),
		(edit(&|v| v["readings"][2] = json!("0x00")), StatusCode::BAD_REQUEST, "root_mismatch"),
		(edit(&|v| v["readings"][2] = json!("nothex")), StatusCode::BAD_REQUEST, "bad_hex"),
		(edit(&|v| v["sequence"] = json!(5)), StatusCode::UNPROCESSABLE_ENTITY, "bad_signature"),
		(edit(&|v| v["sequence"] = json!(3)), StatusCode::CONFLICT, "stale_sequence"),
		(edit(&|v| v["stream"] = json!(9)), StatusCode::UNPROCESSABLE_ENTITY, "unknown_stream"),
		(edit(&|v| v["keyType"] = json!("sr25519")), StatusCode::BAD_REQUEST, "key_type_mismatch"),
		(
			edit(&|v| v["firstTimestamp"] = json!(u64::MAX)),
			StatusCode::BAD_REQUEST,
			"bad_time_range",
		),
		(edit(&|v| v["extra"] = json!(1)), StatusCode::BAD_REQUEST, "bad_json"),
		(
			edit(&|v| v["readings"] = json!(vec!["0x01"; 2_001])),
			StatusCode::PAYLOAD_TOO_LARGE,
			"too_many_readings",
		),
		(body(&mut sr, 12, 3, 1, 4), StatusCode::UNPROCESSABLE_ENTITY, "device_inactive"),
		// Signed for stream 2's device, sent as stream 1's.
		(
			{
				let mut v = body(&mut sr, 11, 2, 4, 8);
				v["stream"] = json!(1);
				v["keyType"] = json!("p256");
				v
			},
			StatusCode::UNPROCESSABLE_ENTITY,
			"bad_signature",
		),
	];
	for (value, status, code) in cases {
		let (got, answer) = post(&rig.app, &value).await;
		assert_eq!((got, answer["error"].as_str().unwrap_or_default()), (status, code), "{answer}");
		assert!(!answer["reason"].as_str().unwrap_or_default().is_empty(), "{answer}");
	}
	let (status, answer) = call(&rig.app, "POST", "/v1/batches", Some(b"{not json".to_vec())).await;
	assert_eq!((status, answer["error"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "bad_json"));
	let huge = vec![b' '; 1024 * 1024 + 1];
	let (status, answer) = call(&rig.app, "POST", "/v1/batches", Some(huge)).await;
	assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
	assert_eq!(answer["error"], "body_too_large");
	assert!(rig.store.unresolved(10).unwrap().is_empty(), "nothing was stored");

	// The good one still goes in; the sequence it takes cannot be reused for other readings.
	assert_eq!(post(&rig.app, &good).await.0, StatusCode::ACCEPTED);
	let other = body(&mut p256, 10, 1, 4, 9);
	let (status, answer) = post(&rig.app, &other).await;
	assert_eq!(
		(status, answer["error"].as_str().unwrap()),
		(StatusCode::CONFLICT, "stale_sequence")
	);
	let (_, metrics) = call(&rig.app, "GET", "/metrics", None).await;
	assert!(metrics.as_str().unwrap().contains("reason=\"bad_signature\"} 2"), "{metrics}");
}
