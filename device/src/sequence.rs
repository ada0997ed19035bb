//! Anchor sequence numbers that survive reboots.
//!
//! The chain accepts a device's anchors of a stream only with strictly increasing sequence
//! numbers: a device that restarts and counts from 0 again has every anchor refused
//! (`StaleSequence`) until it passes the old count, and a device that reuses a number after a
//! power cut signs two different statements with one sequence (the chain keeps whichever
//! arrives first). So the counter must be persisted before a number is used, and flash wears
//! out: a write per anchor would kill a cheap flash page in months.
//!
//! [`SequenceCounter`] therefore **reserves** numbers in blocks: before handing out the first
//! number of a block it persists the block's end; after a reboot it starts at the persisted end.
//! A power cut loses at most the unused rest of one block (a gap, which the chain accepts), never
//! reuses a number, and the flash is written once per `reserve` anchors. The firmware implements
//! [`CounterStore`] over its flash; the store must not return before the value is durable.
//!
//! One counter per device serves all its streams: numbers increasing across all of them are
//! increasing per stream.

/// Durable storage of one `u64`, implemented by the firmware over its flash (a dedicated page,
/// two alternating slots with a checksum so that a torn write leaves the old value readable).
pub trait CounterStore {
	/// The storage's error (a flash driver's).
	type Error;
	/// The value last persisted; `None` if none ever was (a new device).
	fn load(&mut self) -> Result<Option<u64>, Self::Error>;
	/// Persists `value`; returns only once a reboot would [`load`](Self::load) it.
	fn persist(&mut self, value: u64) -> Result<(), Self::Error>;
}

/// Why no sequence number was handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceError<E> {
	/// The store failed; no number was handed out and none is lost.
	Store(E),
	/// All `u64` numbers are used.
	Exhausted,
}

/// Hands out strictly increasing sequence numbers, never the same twice, across reboots.
pub struct SequenceCounter<S> {
	store: S,
	next: u64,
	/// Numbers below this are persisted as reserved.
	reserved_until: u64,
	reserve: u64,
}

impl<S: CounterStore> SequenceCounter<S> {
	/// Opens the counter on `store`, reserving `reserve` numbers per flash write (at least 1).
	pub fn open(mut store: S, reserve: u64) -> Result<Self, S::Error> {
		let start = store.load()?.unwrap_or(0);
		Ok(Self { store, next: start, reserved_until: start, reserve: reserve.max(1) })
	}

	/// The next sequence number: persisted as used (with its block) before it is returned.
	pub fn next_sequence(&mut self) -> Result<u64, SequenceError<S::Error>> {
		let number = self.next;
		let after = number.checked_add(1).ok_or(SequenceError::Exhausted)?;
		if number >= self.reserved_until {
			let until = number.saturating_add(self.reserve);
			self.store.persist(until).map_err(SequenceError::Store)?;
			self.reserved_until = until;
		}
		self.next = after;
		Ok(number)
	}

	/// Makes the next number greater than `last_on_chain` (the stream's last sequence the chain
	/// reports, e.g. after a device is restored from a backup or replaced with the same key).
	pub fn advance_past(&mut self, last_on_chain: u64) -> Result<(), SequenceError<S::Error>> {
		let next = last_on_chain.checked_add(1).ok_or(SequenceError::Exhausted)?;
		if next > self.next {
			self.next = next;
		}
		Ok(())
	}

	/// The number [`next_sequence`](Self::next_sequence) will return.
	pub fn peek(&self) -> u64 {
		self.next
	}

	#[cfg(test)]
	pub(crate) fn store_mut_for_test(&mut self) -> &mut S {
		&mut self.store
	}

	/// The store back (e.g. to inspect it in a test).
	pub fn into_store(self) -> S {
		self.store
	}
}

/// A [`CounterStore`] in RAM: for tests and examples only (a reboot loses it), with a count of
/// the writes a flash would take.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
	/// The persisted value.
	pub value: Option<u64>,
	/// How many times it was persisted.
	pub writes: u64,
}

impl CounterStore for MemoryStore {
	type Error = core::convert::Infallible;

	fn load(&mut self) -> Result<Option<u64>, Self::Error> {
		Ok(self.value)
	}

	fn persist(&mut self, value: u64) -> Result<(), Self::Error> {
		self.value = Some(value);
		self.writes = self.writes.saturating_add(1);
		Ok(())
	}
}
