//! # iot-gateway: a site's gateway to the IoT parachain
//!
//! Devices on a site (washers, loggers, machines) sign batches of readings with their own keys;
//! the gateway takes those batches over HTTP or MQTT, checks each one as the chain will (the
//! device's signature over the anchor statement, the Merkle root over the readings, the stream and
//! its sequence), keeps it in SQLite **before** it says yes, anchors it with `provenance.anchor`
//! from its own account (it pays the fee; the device needs no funds), follows the transaction to
//! finality, and from then on serves every reading with its inclusion proof in the form
//! `iot_verifyInclusion` takes.
//!
//! | module | what it does |
//! |---|---|
//! | [`batch`] | the JSON a device sends, and the checks that turn it into a [`batch::VerifiedBatch`] |
//! | [`store`] | the SQLite store: one writer thread, group commits, the batch states |
//! | [`chain`] | the typed chain client (subxt, code generated from `metadata/iot-runtime.scale`) |
//! | [`anchorer`] | submits pending batches in nonce order, watches each to its end, reconciles after a crash |
//! | [`ingest`] | the one path both transports use: check, persist, acknowledge |
//! | [`http`], [`mqtt`] | the transports; health and Prometheus metrics on HTTP |
//! | [`proof`] | a reading's proof, and the `verify` command's check against a node |
//!
//! The gateway guide is `gateway/README.md`.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod anchorer;
pub mod batch;
pub mod chain;
pub mod config;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod mqtt;
pub mod proof;
pub mod store;

/// `0x`-prefixed lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// Bytes of `0x`-prefixed (or bare) hex.
pub fn from_hex(text: &str) -> Result<Vec<u8>, hex::FromHexError> {
	hex::decode(text.strip_prefix("0x").unwrap_or(text))
}

/// Milliseconds since the UNIX epoch, by the gateway's clock.
pub fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
		.unwrap_or(0)
}
