//! Resolving sensor-feed host names for the off-chain worker, so that it never fetches a private
//! address by name.
//!
//! The worker runs in the runtime's WASM and cannot resolve names; the HTTP client of the node
//! does, when it connects. So the worker asks (a queue in the node's off-chain storage,
//! [`HOST_QUEUE_KEY`]) and this task answers: it resolves each wanted name every
//! [`HOST_RECHECK_MS`] and writes a [`HostVerdict`] (public: every address it resolved to is
//! public, and there is at least one). A name that does not resolve gets no verdict (the worker
//! reports "host name not resolved by this node yet"); names not asked for in
//! [`HOST_FORGET_MS`] are forgotten.
//!
//! Limit (see the pallet's README): a name resolved here may resolve differently when the HTTP
//! client connects moments later (DNS rebinding with a short TTL). The verdict narrows that
//! window to one lookup; an operator who must exclude it runs the node behind an egress filter.

use codec::{Decode, Encode};
use iot_primitives::feeds::url::{
	host_verdict_key, is_public_v4, is_public_v6, HostVerdict, HOST_FORGET_MS, HOST_QUEUE_KEY,
	HOST_RECHECK_MS, HOST_VERDICT_PREFIX,
};
use polkadot_sdk::{sp_core::offchain::OffchainStorage, sp_offchain::STORAGE_PREFIX};
use std::{
	net::{IpAddr, ToSocketAddrs},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

const LOG_TARGET: &str = "sensor-feeds";

/// How often the queue is looked at.
const PASS_EVERY: Duration = Duration::from_secs(2);

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Whether every address `name` resolves to is public; `None` if it does not resolve.
pub fn resolves_to_public_only(name: &str) -> Option<bool> {
	// The port does not matter for the lookup.
	let addresses: Vec<IpAddr> =
		(name, 80).to_socket_addrs().ok()?.map(|address| address.ip()).collect();
	if addresses.is_empty() {
		return None;
	}
	Some(addresses.iter().all(|address| match address {
		IpAddr::V4(v4) => is_public_v4(*v4),
		IpAddr::V6(v6) => is_public_v6(*v6),
	}))
}

/// One pass over the queue at `now`: forgets names no longer asked for, resolves those whose
/// verdict is missing or due, with `resolve`. Returns how many names it resolved.
pub fn pass<S: OffchainStorage>(
	storage: &mut S,
	now: u64,
	resolve: impl Fn(&str) -> Option<bool>,
) -> usize {
	let stored = storage.get(STORAGE_PREFIX, HOST_QUEUE_KEY);
	let queue: Vec<(Vec<u8>, u64)> =
		stored.as_deref().and_then(|mut bytes| Decode::decode(&mut bytes).ok()).unwrap_or_default();
	let (wanted, forgotten): (Vec<_>, Vec<_>) = queue
		.into_iter()
		.partition(|(_, wanted_at)| now.saturating_sub(*wanted_at) <= HOST_FORGET_MS);
	if !forgotten.is_empty() {
		// Only if no worker changed the queue meanwhile; otherwise the next pass does it.
		let replaced = storage.compare_and_set(
			STORAGE_PREFIX,
			HOST_QUEUE_KEY,
			stored.as_deref(),
			&wanted.encode(),
		);
		if replaced {
			for (name, _) in &forgotten {
				let key = [HOST_VERDICT_PREFIX, name].concat();
				storage.remove(STORAGE_PREFIX, &key);
			}
		}
	}
	let mut resolved = 0;
	for (name, _) in wanted {
		let Ok(name) = String::from_utf8(name) else { continue };
		let key = host_verdict_key(&name);
		let fresh = storage
			.get(STORAGE_PREFIX, &key)
			.and_then(|bytes| HostVerdict::decode(&mut &bytes[..]).ok())
			.is_some_and(|verdict| now.saturating_sub(verdict.checked_at_ms) < HOST_RECHECK_MS);
		if fresh {
			continue;
		}
		resolved += 1;
		match resolve(&name) {
			Some(public) => {
				if !public {
					log::warn!(
						target: LOG_TARGET,
						"feed host {name} resolves to a private or local address: not fetched"
					);
				}
				let verdict = HostVerdict { checked_at_ms: now, public };
				storage.set(STORAGE_PREFIX, &key, &verdict.encode());
			},
			None => log::debug!(target: LOG_TARGET, "feed host {name} does not resolve"),
		}
	}
	resolved
}

/// Runs [`pass`] every two seconds, resolving with the system's resolver (blocking: this runs on
/// a blocking task of its own, so a slow DNS server delays only the verdicts).
pub async fn run<S: OffchainStorage>(mut storage: S) {
	loop {
		pass(&mut storage, now_ms(), resolves_to_public_only);
		futures_timer::Delay::new(PASS_EVERY).await;
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_core::offchain::storage::InMemOffchainStorage;

	fn verdict(storage: &InMemOffchainStorage, name: &str) -> Option<HostVerdict> {
		storage
			.get(STORAGE_PREFIX, &host_verdict_key(name))
			.map(|bytes| HostVerdict::decode(&mut &bytes[..]).unwrap())
	}

	#[test]
	fn names_resolve_to_verdicts_and_old_ones_are_forgotten() {
		let mut storage = InMemOffchainStorage::default();
		let now = 10_000_000;
		let queue: Vec<(Vec<u8>, u64)> = vec![
			(b"localhost".to_vec(), now),
			(b"public.example".to_vec(), now),
			(b"nowhere.invalid".to_vec(), now),
			(b"old.example".to_vec(), now - HOST_FORGET_MS - 1),
		];
		storage.set(STORAGE_PREFIX, HOST_QUEUE_KEY, &queue.encode());
		storage.set(
			STORAGE_PREFIX,
			&host_verdict_key("old.example"),
			&HostVerdict { checked_at_ms: 1, public: true }.encode(),
		);
		let resolve = |name: &str| match name {
			"public.example" => Some(true),
			"nowhere.invalid" => None,
			other => resolves_to_public_only(other),
		};
		assert_eq!(pass(&mut storage, now, resolve), 3);
		assert_eq!(
			verdict(&storage, "localhost"),
			Some(HostVerdict { checked_at_ms: now, public: false })
		);
		assert_eq!(verdict(&storage, "public.example").map(|v| v.public), Some(true));
		assert_eq!(verdict(&storage, "nowhere.invalid"), None);
		assert_eq!(verdict(&storage, "old.example"), None, "forgotten with its name");
		let queue: Vec<(Vec<u8>, u64)> =
			Decode::decode(&mut &storage.get(STORAGE_PREFIX, HOST_QUEUE_KEY).unwrap()[..]).unwrap();
		assert_eq!(queue.len(), 3);
		// Fresh verdicts are not resolved again; due ones are.
		assert_eq!(pass(&mut storage, now + 1_000, resolve), 1, "only the unresolved name");
		assert_eq!(pass(&mut storage, now + HOST_RECHECK_MS, resolve), 3);
	}

	#[test]
	fn the_system_resolver_finds_loopback_private() {
		assert_eq!(resolves_to_public_only("localhost"), Some(false));
		assert_eq!(resolves_to_public_only("127.0.0.1"), Some(false));
		assert_eq!(resolves_to_public_only("8.8.8.8"), Some(true));
	}
}
