//! The HTTP interface.
//!
//! | method and path | answer |
//! |---|---|
//! | `POST /v1/batches` | a batch ([`crate::batch`] for the JSON): `202` with [`crate::ingest::Accepted`] once it is stored, `200` for a retry of a stored batch, `4xx`/`5xx` with `{"error": code, "reason": words}` |
//! | `GET /v1/batches/{id}` | the batch's state and, once anchored, where |
//! | `GET /v1/streams/{stream}/batches/{sequence}` | the same, by stream and sequence |
//! | `GET /v1/streams/{stream}/batches/{sequence}/readings/{index}` | reading `index` of the batch with its proof ([`crate::proof::ReadingProof`]) |
//! | `GET /health` | `200 {"status": "ok", …}` while the store answers, `503` otherwise |
//! | `GET /metrics` | Prometheus text ([`crate::metrics`]) |

use crate::{batch::Rejection, ingest::Ingest, proof::reading_proof, store::StoredBatch, to_hex};
use axum::{
	body::Bytes,
	extract::{rejection::BytesRejection, DefaultBodyLimit, Path, State},
	http::{header, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use serde_json::json;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
	pub ingest: Ingest,
	pub genesis_hash: [u8; 32],
	pub account: String,
	pub node: String,
}

impl IntoResponse for Rejection {
	fn into_response(self) -> Response {
		let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
		(status, Json(self)).into_response()
	}
}

fn not_found(what: String) -> Response {
	(StatusCode::NOT_FOUND, Json(json!({ "error": "not_found", "reason": what }))).into_response()
}

fn store_error(e: anyhow::Error) -> Response {
	Rejection::new(500, "store_failed", e.to_string()).into_response()
}

/// The routes, with a body limit of `max_body_bytes`.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
	Router::new()
		.route("/v1/batches", post(post_batch))
		.route("/v1/batches/{id}", get(get_batch))
		.route("/v1/streams/{stream}/batches/{sequence}", get(get_batch_by_sequence))
		.route("/v1/streams/{stream}/batches/{sequence}/readings/{index}", get(get_reading))
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.layer(DefaultBodyLimit::max(max_body_bytes))
		.with_state(state)
}

async fn post_batch(State(app): State<AppState>, body: Result<Bytes, BytesRejection>) -> Response {
	let body = match body {
		Ok(body) => body,
		Err(e) => {
			let code = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
				"body_too_large"
			} else {
				"bad_body"
			};
			app.ingest.metrics().rejected("http", code);
			return Rejection::new(e.status().as_u16(), code, e.body_text()).into_response();
		},
	};
	match app.ingest.submit(body.to_vec(), "http").await {
		Ok(accepted) => {
			let status = if accepted.duplicate { StatusCode::OK } else { StatusCode::ACCEPTED };
			(status, Json(accepted)).into_response()
		},
		Err(rejection) => {
			tracing::info!(code = rejection.code, reason = %rejection.reason, "batch refused (http)");
			rejection.into_response()
		},
	}
}

/// The state of a stored batch, as JSON.
pub fn batch_json(b: &StoredBatch) -> serde_json::Value {
	json!({
		"id": b.id,
		"stream": b.batch.stream,
		"sequence": b.batch.sequence,
		"device": b.batch.device,
		"count": b.batch.count,
		"root": to_hex(&b.batch.root),
		"source": b.source,
		"receivedMs": b.received_ms,
		"state": b.state,
		"nonce": b.nonce,
		"txHash": b.tx_hash.as_deref().map(to_hex),
		"attempts": b.attempts,
		"lastError": b.last_error,
		"resolvedMs": b.resolved_ms,
		"anchor": b.anchored.as_ref().map(|a| json!({
			"blockNumber": a.block_number,
			"blockHash": to_hex(&a.block_hash),
			"anchorIndex": a.anchor_index,
		})),
	})
}

async fn get_batch(State(app): State<AppState>, Path(id): Path<i64>) -> Response {
	match app.ingest.store().get(id) {
		Ok(Some(b)) => Json(batch_json(&b)).into_response(),
		Ok(None) => not_found(format!("no batch {id}")),
		Err(e) => store_error(e),
	}
}

async fn get_batch_by_sequence(
	State(app): State<AppState>,
	Path((stream, sequence)): Path<(u64, u64)>,
) -> Response {
	match app.ingest.store().by_sequence(stream, sequence) {
		Ok(Some(b)) => Json(batch_json(&b)).into_response(),
		Ok(None) => not_found(format!("no batch with sequence {sequence} of stream {stream}")),
		Err(e) => store_error(e),
	}
}

async fn get_reading(
	State(app): State<AppState>,
	Path((stream, sequence, index)): Path<(u64, u64, u32)>,
) -> Response {
	let store = app.ingest.store().clone();
	// Reading the batch and building the proof is CPU and disk work.
	let found = tokio::task::spawn_blocking(move || {
		store
			.by_sequence(stream, sequence)
			.map(|b| b.map(|b| (reading_proof(&b, index), b.batch.count)))
	})
	.await;
	match found {
		Ok(Ok(Some((Some(proof), _)))) => Json(proof).into_response(),
		Ok(Ok(Some((None, count)))) => not_found(format!(
			"batch {sequence} of stream {stream} has {count} readings, no reading {index}"
		)),
		Ok(Ok(None)) => not_found(format!("no batch with sequence {sequence} of stream {stream}")),
		Ok(Err(e)) => store_error(e),
		Err(e) => store_error(anyhow::anyhow!("{e}")),
	}
}

async fn health(State(app): State<AppState>) -> Response {
	match app.ingest.store().counts() {
		Ok(counts) => {
			let batches: serde_json::Map<String, serde_json::Value> =
				counts.iter().map(|(s, n)| (s.as_str().to_string(), json!(n))).collect();
			Json(json!({
				"status": "ok",
				"node": app.node,
				"genesisHash": to_hex(&app.genesis_hash),
				"account": app.account,
				"batches": batches,
			}))
			.into_response()
		},
		Err(e) => (
			StatusCode::SERVICE_UNAVAILABLE,
			Json(json!({ "status": "unavailable", "reason": e.to_string() })),
		)
			.into_response(),
	}
}

async fn metrics(State(app): State<AppState>) -> Response {
	let counts = app.ingest.store().counts().unwrap_or_default();
	([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.ingest.metrics().render(&counts))
		.into_response()
}
