//! MQTT ingest: batches published to the site's broker.
//!
//! The gateway subscribes to `topic` (default `iot/batches/#`) with QoS 1 and **acknowledges a
//! message only after its batch is stored** (manual PUBACK), so the broker redelivers what the
//! gateway had not stored when it died. The payload is the batch JSON of [`crate::batch`]. For
//! every message it publishes one answer (QoS 1):
//!
//! - accepted: to `{answers}/accepted`, `{"topic", "id", "stream", "sequence", "duplicate"}`;
//! - refused: to the dead-letter topic `{answers}/dead-letter`,
//!   `{"topic", "error", "reason", "payload"}` (the payload as text when it is UTF-8, else hex),
//!   and the message is acknowledged: a refused batch is refused for good, redelivering it
//!   would change nothing. A message the gateway cannot judge (the chain or the store is
//!   unavailable) is tried again every 2 s for a minute, then left **unacknowledged**: the
//!   broker delivers it again after the next reconnect.
//!
//! Messages are handled one at a time in the order they arrive (PUBACKs go out in that order,
//! as MQTT 3.1.1 requires).

use crate::ingest::Ingest;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// The `[mqtt]` section of the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttSettings {
	/// Broker host.
	pub host: String,
	/// Broker port (1883).
	#[serde(default = "default_port")]
	pub port: u16,
	/// Filter the gateway subscribes to.
	#[serde(default = "default_topic")]
	pub topic: String,
	/// Prefix of the answer topics (`…/accepted`, `…/dead-letter`).
	#[serde(default = "default_answers")]
	pub answers: String,
	/// Client id; one gateway per id (the broker keeps its session and unacknowledged messages).
	#[serde(default = "default_client_id")]
	pub client_id: String,
}

fn default_port() -> u16 {
	1883
}
fn default_topic() -> String {
	"iot/batches/#".into()
}
fn default_answers() -> String {
	"iot/gateway".into()
}
fn default_client_id() -> String {
	"iot-gateway".into()
}

fn payload_text(payload: &[u8]) -> String {
	match std::str::from_utf8(payload) {
		Ok(text) => text.to_string(),
		Err(_) => crate::to_hex(payload),
	}
}

/// Runs the MQTT ingest until the process ends; reconnects by itself.
pub async fn run(settings: MqttSettings, ingest: Ingest, max_message_bytes: usize) {
	let mut options = MqttOptions::new(&settings.client_id, &settings.host, settings.port);
	options
		.set_keep_alive(Duration::from_secs(30))
		.set_manual_acks(true)
		// A persistent session: messages published while the gateway is down wait for it.
		.set_clean_session(false)
		.set_max_packet_size(max_message_bytes.saturating_add(1024), 1024 * 1024);
	let (client, mut events) = AsyncClient::new(options, 64);
	let (tx, mut rx) = tokio::sync::mpsc::channel::<Publish>(64);

	let worker_client = client.clone();
	let answers = settings.answers.clone();
	tokio::spawn(async move {
		while let Some(publish) = rx.recv().await {
			handle(&worker_client, &ingest, &answers, publish).await;
		}
	});

	loop {
		match events.poll().await {
			Ok(Event::Incoming(Packet::ConnAck(_))) => {
				tracing::info!(host = %settings.host, port = settings.port, topic = %settings.topic, "connected to the MQTT broker");
				if let Err(e) = client.subscribe(&settings.topic, QoS::AtLeastOnce).await {
					tracing::error!(error = %e, "subscribing failed");
				}
			},
			Ok(Event::Incoming(Packet::Publish(publish))) => {
				if tx.send(publish).await.is_err() {
					return;
				}
			},
			Ok(_) => {},
			Err(e) => {
				tracing::warn!(error = %e, "MQTT connection lost; reconnecting");
				tokio::time::sleep(Duration::from_secs(1)).await;
			},
		}
	}
}

/// Tries of a message the gateway could not judge (the chain or the store unavailable), 2 s
/// apart, before it is left unacknowledged for the broker to redeliver.
const JUDGE_TRIES: u32 = 30;

async fn handle(client: &AsyncClient, ingest: &Ingest, answers: &str, publish: Publish) {
	let topic = publish.topic.clone();
	let mut tries = 0;
	let result = loop {
		let result = ingest.submit(publish.payload.to_vec(), "mqtt").await;
		tries += 1;
		match &result {
			Err(r) if r.status >= 500 && tries < JUDGE_TRIES => {
				tracing::warn!(%topic, code = r.code, reason = %r.reason, "MQTT batch not judged yet; trying again");
				tokio::time::sleep(Duration::from_secs(2)).await;
			},
			_ => break result,
		}
	};
	let (answer_topic, answer) = match &result {
		Ok(accepted) => (
			format!("{answers}/accepted"),
			json!({
				"topic": topic,
				"id": accepted.id,
				"stream": accepted.stream,
				"sequence": accepted.sequence,
				"duplicate": accepted.duplicate,
			}),
		),
		Err(rejection) if rejection.status >= 500 => {
			// Not judged: leave it unacknowledged, the broker redelivers it.
			tracing::warn!(%topic, code = rejection.code, reason = %rejection.reason, "MQTT batch not judged; left for redelivery");
			return;
		},
		Err(rejection) => {
			tracing::info!(%topic, code = rejection.code, reason = %rejection.reason, "MQTT batch refused; sent to the dead-letter topic");
			(
				format!("{answers}/dead-letter"),
				json!({
					"topic": topic,
					"error": rejection.code,
					"reason": rejection.reason,
					"payload": payload_text(&publish.payload),
				}),
			)
		},
	};
	if let Err(e) = client.publish(answer_topic, QoS::AtLeastOnce, false, answer.to_string()).await
	{
		tracing::warn!(error = %e, "publishing an answer failed");
	}
	if let Err(e) = client.ack(&publish).await {
		tracing::warn!(error = %e, "acknowledging a message failed");
	}
}
