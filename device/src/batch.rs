//! Building a batch's Merkle root on the device, one reading at a time.
//!
//! The tree is the chain's ([`iot_formats::provenance`]): leaves `H(0x00 ‖ reading)`, inner
//! nodes `H(0x01 ‖ left ‖ right)`, levels paired from the left, the last node of an odd level
//! promoted unchanged. Built level by level it needs every leaf in memory; built as readings
//! arrive it needs only the roots of the complete subtrees so far — one per set bit of the
//! reading count, so at most 32 for up to `u32::MAX` readings, 1 KiB of hashes in all:
//!
//! - a new leaf is merged with the subtree on top of the stack as long as that one has the same
//!   size (as a binary counter carries: a count with its lowest bit set has a subtree of one
//!   leaf on top, …);
//! - at the end, the subtrees left (sizes decreasing from the bottom) are folded from the top:
//!   the smallest becomes the right child of the next bigger one, which is exactly what promoting
//!   the last node of an odd level does.
//!
//! The tests compare both builders with the formats crate's level-by-level tree for every batch
//! size up to 300, every index, and larger sizes around powers of two.

use core::marker::PhantomData;
use iot_formats::{
	device::{node_hash, MAX_MERKLE_DEPTH},
	provenance::reading_leaf_hash,
	Blake2Hasher,
};

const DEPTH: usize = MAX_MERKLE_DEPTH as usize;

/// Why a reading was not added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchError {
	/// The batch already has `u32::MAX` readings, the most an anchor can count.
	BatchFull,
}

/// The roots of the complete subtrees so far, biggest first.
#[derive(Clone)]
struct Stack {
	nodes: [[u8; 32]; DEPTH],
	len: usize,
}

impl Stack {
	const fn new() -> Self {
		Self { nodes: [[0; 32]; DEPTH], len: 0 }
	}

	fn push(&mut self, node: [u8; 32]) {
		// At most one entry per set bit of a u32 count: `len < DEPTH` here.
		if let Some(slot) = self.nodes.get_mut(self.len) {
			*slot = node;
			self.len = self.len.saturating_add(1);
		}
	}

	fn pop(&mut self) -> Option<[u8; 32]> {
		self.len = self.len.checked_sub(1)?;
		self.nodes.get(self.len).copied()
	}
}

/// Streams a batch's readings into its Merkle root, in constant memory (1 KiB of hashes).
#[derive(Clone)]
pub struct BatchBuilder<H> {
	stack: Stack,
	count: u32,
	_hasher: PhantomData<H>,
}

impl<H: Blake2Hasher> Default for BatchBuilder<H> {
	fn default() -> Self {
		Self::new()
	}
}

impl<H: Blake2Hasher> BatchBuilder<H> {
	/// An empty batch.
	pub const fn new() -> Self {
		Self { stack: Stack::new(), count: 0, _hasher: PhantomData }
	}

	/// Readings so far.
	pub fn count(&self) -> u32 {
		self.count
	}

	#[cfg(test)]
	pub(crate) fn set_count_for_test(&mut self, count: u32) {
		self.count = count;
	}

	/// Adds a reading (its bytes as the stream's format has them).
	pub fn push(&mut self, reading: &[u8]) -> Result<(), BatchError> {
		self.push_leaf(reading_leaf_hash::<H>(reading))
	}

	/// Adds a leaf already hashed (`H(0x00 ‖ reading)`), e.g. by a hashing peripheral.
	pub fn push_leaf(&mut self, leaf: [u8; 32]) -> Result<(), BatchError> {
		let count = self.count.checked_add(1).ok_or(BatchError::BatchFull)?;
		let mut node = leaf;
		let mut carry = self.count;
		while carry & 1 == 1 {
			let Some(left) = self.stack.pop() else { break };
			node = node_hash::<H>(&left, &node);
			carry = carry.wrapping_shr(1);
		}
		self.stack.push(node);
		self.count = count;
		Ok(())
	}

	/// The batch's root and reading count, as the anchor statement names them; `None` for an
	/// empty batch (the chain anchors at least one reading).
	pub fn finish(mut self) -> Option<([u8; 32], u32)> {
		let mut root = self.stack.pop()?;
		while let Some(left) = self.stack.pop() {
			root = node_hash::<H>(&left, &root);
		}
		Some((root, self.count))
	}
}

/// A [`BatchBuilder`] that also keeps the inclusion proof of one reading (chosen before the
/// readings come), in another 1 KiB: e.g. a device that hands its gateway the proof of an alarm
/// reading, or a test that checks a device's proofs.
#[derive(Clone)]
pub struct ProofBuilder<H> {
	batch: BatchBuilder<H>,
	target: u32,
	/// Where on the stack the subtree holding the target is, once its leaf is in.
	at: Option<usize>,
	proof: Stack,
}

impl<H: Blake2Hasher> ProofBuilder<H> {
	/// An empty batch that keeps the proof of reading number `target` (0-based).
	pub const fn new(target: u32) -> Self {
		Self { batch: BatchBuilder::new(), target, at: None, proof: Stack::new() }
	}

	/// Adds a reading.
	pub fn push(&mut self, reading: &[u8]) -> Result<(), BatchError> {
		self.push_leaf(reading_leaf_hash::<H>(reading))
	}

	#[cfg(test)]
	pub(crate) fn set_count_for_test(&mut self, count: u32) {
		self.batch.count = count;
	}

	/// Adds a hashed leaf.
	pub fn push_leaf(&mut self, leaf: [u8; 32]) -> Result<(), BatchError> {
		let batch = &mut self.batch;
		let count = batch.count.checked_add(1).ok_or(BatchError::BatchFull)?;
		// Whether the node being carried up is (or holds) the target.
		let mut carrying = batch.count == self.target;
		let mut node = leaf;
		let mut carry = batch.count;
		while carry & 1 == 1 {
			let left_at = batch.stack.len.saturating_sub(1);
			let Some(left) = batch.stack.pop() else { break };
			if carrying {
				self.proof.push(left);
			} else if self.at == Some(left_at) {
				self.proof.push(node);
				carrying = true;
				self.at = None;
			}
			node = node_hash::<H>(&left, &node);
			carry = carry.wrapping_shr(1);
		}
		if carrying {
			self.at = Some(batch.stack.len);
		}
		batch.stack.push(node);
		batch.count = count;
		Ok(())
	}

	/// Root, count and the target's proof (siblings from the leaf up, as
	/// [`iot_formats::device::root_from_proof`] takes them), with the proof's length; `None` for
	/// an empty batch or one that never reached the target.
	pub fn finish(self) -> Option<([u8; 32], u32, [[u8; 32]; DEPTH], usize)> {
		let Self { batch, target, at, mut proof } = self;
		if target >= batch.count {
			return None;
		}
		let BatchBuilder { mut stack, count, .. } = batch;
		let mut carrying = at == Some(stack.len.saturating_sub(1));
		let mut root = stack.pop()?;
		while let Some(left) = stack.pop() {
			if carrying {
				proof.push(left);
			} else if at == Some(stack.len) {
				proof.push(root);
				carrying = true;
			}
			root = node_hash::<H>(&left, &root);
		}
		Some((root, count, proof.nodes, proof.len))
	}
}
