//! `iot_verifyInclusion`: proves that a reading is in an anchored batch, over the provenance
//! pallet's runtime API, for clients without SCALE tooling (curl, dashboards).

use super::json::{invalid, runtime_error, unhex};
use iot_runtime::{
	opaque::Block,
	pallet_provenance::{AnchorOf, AttestationOf, Subject},
	BlockNumber, Runtime,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_provenance_runtime_api::{AnchorIndex, ProvenanceApi, StreamId};
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend, sp_core::H256};
use std::sync::Arc;

/// The runtime API these methods read, with the runtime's record types.
pub trait ProvenanceReads:
	ProvenanceApi<Block, AnchorOf<Runtime>, AttestationOf<Runtime>, Subject, BlockNumber>
{
}
impl<T> ProvenanceReads for T where
	T: ProvenanceApi<Block, AnchorOf<Runtime>, AttestationOf<Runtime>, Subject, BlockNumber>
{
}

/// Provenance reads in the `iot` namespace.
#[rpc(server, namespace = "iot")]
pub trait ProvenanceRpc {
	/// Whether `reading` (`0x` hex) is reading number `leafIndex` of anchor `index` of `stream`,
	/// given its Merkle proof (`0x` hex hashes, leaf level first), at block `at` (default: best).
	/// `false` also when the anchor is not stored.
	#[method(name = "verifyInclusion")]
	fn verify_inclusion(
		&self,
		stream: StreamId,
		index: AnchorIndex,
		reading: String,
		leaf_index: u32,
		proof: Vec<String>,
		at: Option<H256>,
	) -> RpcResult<bool>;
}

/// Implementation of [`ProvenanceRpcServer`] over any client with the provenance runtime API.
pub struct ProvenanceRpcImpl<C> {
	client: Arc<C>,
}

impl<C> ProvenanceRpcImpl<C> {
	/// Creates the handler.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> ProvenanceRpcServer for ProvenanceRpcImpl<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ProvenanceReads,
{
	fn verify_inclusion(
		&self,
		stream: StreamId,
		index: AnchorIndex,
		reading: String,
		leaf_index: u32,
		proof: Vec<String>,
		at: Option<H256>,
	) -> RpcResult<bool> {
		let reading = unhex(&reading).map_err(invalid)?;
		let proof = proof
			.iter()
			.map(|hash| {
				unhex(hash)?.try_into().map_err(|_| format!("a proof hash has 32 bytes: {hash:?}"))
			})
			.collect::<Result<Vec<[u8; 32]>, String>>()
			.map_err(invalid)?;
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		ProvenanceApi::<_, AnchorOf<Runtime>, AttestationOf<Runtime>, Subject, BlockNumber>::verify_inclusion(
			&*self.client.runtime_api(),
			at,
			stream,
			index,
			reading,
			leaf_index,
			proof,
		)
		.map_err(|e| runtime_error("verifying the inclusion", e))
	}
}
