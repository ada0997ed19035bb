//! `iot_verifyInclusion`: proves that a reading is in an anchored batch, over the provenance
//! pallet's runtime API, for clients without SCALE tooling (curl, dashboards).

use super::{device_registry::unhex, iot::runtime_error};
use crate::service::ParachainClient;
use iot_runtime::{
	pallet_provenance::{AnchorOf, AttestationOf, Subject},
	BlockNumber, Runtime,
};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use pallet_provenance_runtime_api::{AnchorIndex, ProvenanceApi, StreamId};
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend, sp_core::H256};
use std::sync::Arc;

fn invalid(message: String) -> ErrorObjectOwned {
	ErrorObject::owned(-32602, message, None::<()>)
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

/// Implementation of [`ProvenanceRpcServer`].
pub struct ProvenanceRpcImpl {
	client: Arc<ParachainClient>,
}

impl ProvenanceRpcImpl {
	/// Creates the handler.
	pub fn new(client: Arc<ParachainClient>) -> Self {
		Self { client }
	}
}

impl ProvenanceRpcServer for ProvenanceRpcImpl {
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
