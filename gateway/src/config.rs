//! Configuration: a TOML file, overridden by flags (`iot-gateway run --help`).
//!
//! ```toml
//! node = "ws://127.0.0.1:9944"     # the node to anchor through
//! database = "gateway.sqlite"      # the store (created if missing)
//! listen = "127.0.0.1:8090"        # HTTP: batches, proofs, health, metrics
//! # account = "//Dave"             # the fee payer; better in IOT_GATEWAY_ACCOUNT
//! max_body_bytes = 16777216        # largest HTTP body / MQTT message
//! facts_ttl_secs = 30              # how long what the chain says of a stream is reused
//! log_format = "json"              # or "text"
//!
//! [limits]
//! max_readings = 100000            # per batch
//! max_reading_bytes = 4096
//!
//! [anchoring]
//! max_in_flight = 64               # anchor transactions in the pool at once
//! max_in_flight_per_stream = 8     # of one stream (below the chain's anchor window of 16)
//! mortality = 64                   # blocks a transaction stays valid
//! watch_timeout_secs = 600
//! retry_delay_ms = 2000
//!
//! [mqtt]                           # optional: without it, HTTP only
//! host = "127.0.0.1"
//! port = 1883
//! topic = "iot/batches/#"
//! answers = "iot/gateway"          # …/accepted and …/dead-letter
//! client_id = "iot-gateway"
//! ```

use crate::{anchorer, batch::Limits, mqtt::MqttSettings};
use anyhow::Context as _;
use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
	#[serde(default = "default_node")]
	pub node: String,
	#[serde(default = "default_database")]
	pub database: PathBuf,
	#[serde(default = "default_listen")]
	pub listen: SocketAddr,
	#[serde(default)]
	pub account: Option<String>,
	#[serde(default = "default_body")]
	pub max_body_bytes: usize,
	#[serde(default = "default_ttl")]
	pub facts_ttl_secs: u64,
	#[serde(default = "default_log_format")]
	pub log_format: String,
	#[serde(default)]
	pub limits: LimitsSection,
	#[serde(default)]
	pub anchoring: AnchoringSection,
	#[serde(default)]
	pub mqtt: Option<MqttSettings>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
	#[serde(default = "default_max_readings")]
	pub max_readings: u32,
	#[serde(default = "default_max_reading_bytes")]
	pub max_reading_bytes: usize,
}

impl Default for LimitsSection {
	fn default() -> Self {
		Self {
			max_readings: default_max_readings(),
			max_reading_bytes: default_max_reading_bytes(),
		}
	}
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchoringSection {
	#[serde(default = "default_in_flight")]
	pub max_in_flight: usize,
	#[serde(default = "default_in_flight_per_stream")]
	pub max_in_flight_per_stream: usize,
	#[serde(default = "default_mortality")]
	pub mortality: u64,
	#[serde(default = "default_watch_timeout")]
	pub watch_timeout_secs: u64,
	#[serde(default = "default_retry_delay")]
	pub retry_delay_ms: u64,
}

impl Default for AnchoringSection {
	fn default() -> Self {
		Self {
			max_in_flight: default_in_flight(),
			max_in_flight_per_stream: default_in_flight_per_stream(),
			mortality: default_mortality(),
			watch_timeout_secs: default_watch_timeout(),
			retry_delay_ms: default_retry_delay(),
		}
	}
}

fn default_node() -> String {
	"ws://127.0.0.1:9944".into()
}
fn default_database() -> PathBuf {
	"gateway.sqlite".into()
}
fn default_listen() -> SocketAddr {
	SocketAddr::from(([127, 0, 0, 1], 8090))
}
fn default_body() -> usize {
	16 * 1024 * 1024
}
fn default_ttl() -> u64 {
	30
}
fn default_log_format() -> String {
	"json".into()
}
fn default_max_readings() -> u32 {
	Limits::default().max_readings
}
fn default_max_reading_bytes() -> usize {
	Limits::default().max_reading_bytes
}
fn default_in_flight() -> usize {
	anchorer::Settings::default().max_in_flight
}
fn default_in_flight_per_stream() -> usize {
	anchorer::Settings::default().max_in_flight_per_stream
}
fn default_mortality() -> u64 {
	anchorer::Settings::default().mortality
}
fn default_watch_timeout() -> u64 {
	600
}
fn default_retry_delay() -> u64 {
	2000
}

impl Default for Config {
	fn default() -> Self {
		toml::from_str("").unwrap_or_else(|_| unreachable!("every field has a default"))
	}
}

impl Config {
	/// Reads a configuration file.
	pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
		let text = std::fs::read_to_string(path)
			.with_context(|| format!("reading the configuration {}", path.display()))?;
		toml::from_str(&text).with_context(|| format!("in the configuration {}", path.display()))
	}

	pub fn limits(&self) -> Limits {
		Limits {
			max_readings: self.limits.max_readings,
			max_reading_bytes: self.limits.max_reading_bytes,
			..Limits::default()
		}
	}

	pub fn anchoring(&self) -> anchorer::Settings {
		anchorer::Settings {
			max_in_flight: self.anchoring.max_in_flight.max(1),
			// Below the runtime's anchor window of 16 (see anchorer::Settings).
			max_in_flight_per_stream: self.anchoring.max_in_flight_per_stream.clamp(1, 15),
			mortality: self.anchoring.mortality.max(4),
			watch_timeout: Duration::from_secs(self.anchoring.watch_timeout_secs.max(1)),
			retry_delay: Duration::from_millis(self.anchoring.retry_delay_ms),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_documented_example_parses_and_unknown_keys_are_refused() {
		let doc = include_str!("config.rs");
		let example: String = doc
			.lines()
			.skip_while(|l| !l.starts_with("//! ```toml"))
			.skip(1)
			.take_while(|l| !l.starts_with("//! ```"))
			.map(|l| l.trim_start_matches("//!").trim_start_matches(' '))
			.collect::<Vec<_>>()
			.join("\n");
		let config: Config = toml::from_str(&example).unwrap();
		assert_eq!(config.anchoring.max_in_flight, 64);
		assert_eq!(config.mqtt.unwrap().topic, "iot/batches/#");
		assert!(toml::from_str::<Config>("nod = \"ws://x\"").is_err());
		assert_eq!(Config::default().listen.port(), 8090);
	}
}
