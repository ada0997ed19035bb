//! # Provenance runtime API
//!
//! Reads of `pallet-provenance` for the node's `iot_*` RPC methods and for clients
//! (`api.call.provenanceApi.<method>` in polkadot.js). Every list is paginated. Generic over the
//! records it returns, so this crate does not depend on the pallet; the runtime fixes them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use iot_primitives::provenance::StreamId;

/// Position of an anchor in its stream.
pub type AnchorIndex = u64;
/// Identifier of an attestation.
pub type AttestationId = u64;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of the provenance pallet. `Anchor`, `Attestation`, `Subject` and `BlockNumber` are
	/// the pallet's types as the runtime configures them.
	pub trait ProvenanceApi<Anchor, Attestation, Subject, BlockNumber>
	where
		Anchor: Codec,
		Attestation: Codec,
		Subject: Codec,
		BlockNumber: Codec,
	{
		/// The newest anchor of `stream`.
		fn latest_anchor(stream: StreamId) -> Option<Anchor>;

		/// Stored anchors of `stream`, newest first: at most `min(limit, MAX_PAGE)` (100), never
		/// older than the window, below index `before` (the previous page's oldest; `None` for
		/// the newest page).
		fn anchors(stream: StreamId, before: Option<AnchorIndex>, limit: u32) -> Vec<Anchor>;

		/// Whether `reading` is reading number `leaf_index` of anchor `(stream, index)`, by its
		/// Merkle proof (siblings from the leaf level up). `false` if the anchor is not stored.
		fn verify_inclusion(
			stream: StreamId,
			index: AnchorIndex,
			reading: Vec<u8>,
			leaf_index: u32,
			proof: Vec<[u8; 32]>,
		) -> bool;

		/// A page of the attestations of `subject`: ids after `start_after`, at most
		/// `min(limit, MAX_PAGE)` (100), in storage order.
		fn attestations_of(subject: Subject, start_after: Option<AttestationId>, limit: u32) -> Vec<(AttestationId, Attestation)>;

		/// Whether attestation `id` holds at block number `at` of the pallet's
		/// `BlockNumberProvider`: a relay-chain block number in our runtime (like the attestation's
		/// window), read by clients from `parachainSystem.lastRelayChainBlockNumber`.
		fn attestation_valid_at(id: AttestationId, at: BlockNumber) -> bool;
	}
	/// Reads of the readings other pallets recorded in a stream (a sensor feed's settled values),
	/// kept apart from the device-signed anchors of [`ProvenanceApi`]: a recorded reading is
	/// vouched for by its recorder, **not** signed by the device. `Recorded` is the pallet's
	/// `Recorded` record as the runtime configures it.
	pub trait ProvenanceRecordedApi<Recorded>
	where
		Recorded: Codec,
	{
		/// The newest recorded reading of `stream`.
		fn latest_recorded(stream: StreamId) -> Option<Recorded>;

		/// Stored recorded readings of `stream`, newest first: at most `min(limit, MAX_PAGE)`
		/// (100), never older than the recorded window, below index `before` (the previous page's
		/// oldest; `None` for the newest page). Indices are their own, apart from anchor indices.
		fn recorded(stream: StreamId, before: Option<AnchorIndex>, limit: u32) -> Vec<Recorded>;

		/// Whether `reading` is recorded reading `index` of `stream` (a one-reading tree: its leaf
		/// hash is the stored root). `false` if it is not stored.
		fn verify_recorded(stream: StreamId, index: AnchorIndex, reading: Vec<u8>) -> bool;
	}
}
