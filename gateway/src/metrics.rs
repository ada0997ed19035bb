//! Prometheus metrics (`GET /metrics`, text format 0.0.4).
//!
//! | metric | type | meaning |
//! |---|---|---|
//! | `iot_gateway_batches_accepted_total{source}` | counter | batches stored (`http`, `mqtt`); retries of a stored batch are not counted |
//! | `iot_gateway_readings_accepted_total` | counter | readings in those batches |
//! | `iot_gateway_batches_rejected_total{source,reason}` | counter | refusals, by [`crate::batch::Rejection`] code |
//! | `iot_gateway_batches_submitted_total` | counter | anchor transactions handed to the node |
//! | `iot_gateway_batches_anchored_total` | counter | batches anchored in a finalized block |
//! | `iot_gateway_batches_stale_total`, `…_failed_total`, `…_retried_total` | counter | see the store's states |
//! | `iot_gateway_batches{state}` | gauge | batches in the store by state (`pending`, `submitted`, …) |
//! | `iot_gateway_in_flight` | gauge | anchor transactions in the pool now |
//! | `iot_gateway_anchor_latency_seconds` | histogram | acceptance to finalized anchor |
//! | `iot_gateway_submit_to_finality_seconds` | histogram | submission to finalized anchor |

use std::{
	collections::BTreeMap,
	fmt::Write as _,
	sync::{
		atomic::{AtomicU64, Ordering::Relaxed},
		Mutex,
	},
	time::Duration,
};

const BUCKETS: [f64; 12] = [0.5, 1.0, 2.0, 4.0, 6.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0];

#[derive(Default)]
struct Histogram {
	counts: [AtomicU64; BUCKETS.len()],
	count: AtomicU64,
	sum_micros: AtomicU64,
}

impl Histogram {
	fn observe(&self, d: Duration) {
		let secs = d.as_secs_f64();
		for (bound, slot) in BUCKETS.iter().zip(&self.counts) {
			if secs <= *bound {
				slot.fetch_add(1, Relaxed);
			}
		}
		self.count.fetch_add(1, Relaxed);
		self.sum_micros.fetch_add(u64::try_from(d.as_micros()).unwrap_or(u64::MAX), Relaxed);
	}

	fn render(&self, name: &str, help: &str, out: &mut String) {
		let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
		for (bound, slot) in BUCKETS.iter().zip(&self.counts) {
			let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", slot.load(Relaxed));
		}
		let count = self.count.load(Relaxed);
		let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
		let _ = writeln!(out, "{name}_sum {}", self.sum_micros.load(Relaxed) as f64 / 1e6);
		let _ = writeln!(out, "{name}_count {count}");
	}
}

/// The gateway's counters.
#[derive(Default)]
pub struct Metrics {
	accepted: Mutex<BTreeMap<&'static str, u64>>,
	rejected: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
	readings: AtomicU64,
	submitted: AtomicU64,
	anchored: AtomicU64,
	stale: AtomicU64,
	failed: AtomicU64,
	retried: AtomicU64,
	in_flight: AtomicU64,
	latency: Histogram,
	submit_latency: Histogram,
}

impl Metrics {
	pub fn accepted(&self, source: &'static str, readings: u32) {
		if let Ok(mut map) = self.accepted.lock() {
			*map.entry(source).or_default() += 1;
		}
		self.readings.fetch_add(u64::from(readings), Relaxed);
	}
	pub fn rejected(&self, source: &'static str, code: &'static str) {
		if let Ok(mut map) = self.rejected.lock() {
			*map.entry((source, code)).or_default() += 1;
		}
	}
	pub fn submitted(&self) {
		self.submitted.fetch_add(1, Relaxed);
	}
	/// A batch anchored: `since_submission` when this process submitted it, `received_ms` the
	/// time the store accepted it.
	pub fn anchored(&self, since_submission: Option<Duration>, received_ms: u64) {
		self.anchored.fetch_add(1, Relaxed);
		if let Some(d) = since_submission {
			self.submit_latency.observe(d);
		}
		self.latency.observe(Duration::from_millis(crate::now_ms().saturating_sub(received_ms)));
	}
	pub fn stale(&self) {
		self.stale.fetch_add(1, Relaxed);
	}
	pub fn failed(&self) {
		self.failed.fetch_add(1, Relaxed);
	}
	pub fn retried(&self) {
		self.retried.fetch_add(1, Relaxed);
	}
	pub fn set_in_flight(&self, n: usize) {
		self.in_flight.store(n as u64, Relaxed);
	}

	/// The text exposition, with the store's counts by state.
	pub fn render(&self, states: &[(crate::store::State, u64)]) -> String {
		let mut out = String::new();
		let counter = |out: &mut String, name: &str, help: &str, value: u64| {
			let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
		};
		let _ = writeln!(
			out,
			"# HELP iot_gateway_batches_accepted_total Batches stored, by transport.\n# TYPE iot_gateway_batches_accepted_total counter"
		);
		if let Ok(map) = self.accepted.lock() {
			for source in ["http", "mqtt"] {
				let n = map.get(source).copied().unwrap_or(0);
				let _ =
					writeln!(out, "iot_gateway_batches_accepted_total{{source=\"{source}\"}} {n}");
			}
		}
		let _ = writeln!(
			out,
			"# HELP iot_gateway_batches_rejected_total Batches refused, by transport and reason.\n# TYPE iot_gateway_batches_rejected_total counter"
		);
		if let Ok(map) = self.rejected.lock() {
			for ((source, code), n) in map.iter() {
				let _ = writeln!(
					out,
					"iot_gateway_batches_rejected_total{{source=\"{source}\",reason=\"{code}\"}} {n}"
				);
			}
		}
		counter(
			&mut out,
			"iot_gateway_readings_accepted_total",
			"Readings in stored batches.",
			self.readings.load(Relaxed),
		);
		counter(
			&mut out,
			"iot_gateway_batches_submitted_total",
			"Anchor transactions handed to the node.",
			self.submitted.load(Relaxed),
		);
		counter(
			&mut out,
			"iot_gateway_batches_anchored_total",
			"Batches anchored in a finalized block.",
			self.anchored.load(Relaxed),
		);
		counter(
			&mut out,
			"iot_gateway_batches_stale_total",
			"Batches whose sequence the chain took for another statement.",
			self.stale.load(Relaxed),
		);
		counter(
			&mut out,
			"iot_gateway_batches_failed_total",
			"Batches the chain refused for good.",
			self.failed.load(Relaxed),
		);
		counter(
			&mut out,
			"iot_gateway_batches_retried_total",
			"Anchor transactions dropped or refused by the node, to be submitted again.",
			self.retried.load(Relaxed),
		);
		let _ = writeln!(
			out,
			"# HELP iot_gateway_batches Batches in the store, by state.\n# TYPE iot_gateway_batches gauge"
		);
		for state in crate::store::State::ALL {
			let n = states.iter().find(|(s, _)| *s == state).map(|(_, n)| *n).unwrap_or(0);
			let _ = writeln!(out, "iot_gateway_batches{{state=\"{}\"}} {n}", state.as_str());
		}
		let _ = writeln!(
			out,
			"# HELP iot_gateway_in_flight Anchor transactions in the pool now.\n# TYPE iot_gateway_in_flight gauge\niot_gateway_in_flight {}",
			self.in_flight.load(Relaxed)
		);
		self.latency.render(
			"iot_gateway_anchor_latency_seconds",
			"From acceptance to the anchor's finalized block.",
			&mut out,
		);
		self.submit_latency.render(
			"iot_gateway_submit_to_finality_seconds",
			"From submission to the anchor's finalized block.",
			&mut out,
		);
		out
	}
}
