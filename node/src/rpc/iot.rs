//! The `iot_*` JSON-RPC namespace.
//!
//! Thin wrappers over runtime APIs plus what only the node knows (its mode, version and, later,
//! off-chain worker status). Pallets add their methods here; list-returning methods must page.

use super::json::runtime_error;
use iot_runtime::opaque::Block;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use polkadot_sdk::{
	cumulus_primitives_core::GetParachainInfo,
	sp_api::{Core, ProvideRuntimeApi},
	sp_blockchain::HeaderBackend,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How the node was started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeMode {
	/// `--dev`: single node, manual seal, mocked relay chain.
	Dev,
	/// Connected to a relay chain (collator or full node).
	Collator,
}

/// Facts fixed when the node starts.
#[derive(Clone, Debug)]
pub struct NodeInfo {
	/// Node implementation name.
	pub name: String,
	/// Node version, with the git commit.
	pub version: String,
	/// Chain name from the chain spec.
	pub chain: String,
	/// Start mode.
	pub mode: NodeMode,
}

/// Answer of `iot_nodeInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfoResponse {
	/// Node implementation name.
	pub name: String,
	/// Node version, with the git commit.
	pub version: String,
	/// Chain name from the chain spec.
	pub chain: String,
	/// `dev` or `collator`.
	pub mode: NodeMode,
	/// Para id, read from the runtime at the best block.
	pub para_id: u32,
	/// Runtime `spec_version` at the best block.
	pub runtime_spec_version: u32,
	/// Best block number.
	pub best_number: u32,
	/// Finalized block number.
	pub finalized_number: u32,
}

/// The `iot` RPC namespace.
#[rpc(server, namespace = "iot")]
pub trait IotApi {
	/// Who this node is and how it runs: name, version, chain, mode, para id, runtime version
	/// and its best and finalized heights.
	#[method(name = "nodeInfo")]
	fn node_info(&self) -> RpcResult<NodeInfoResponse>;
}

/// Implementation of [`IotApiServer`] over any client with the runtime's core API and para id.
pub struct IotRpc<C> {
	client: Arc<C>,
	info: NodeInfo,
}

impl<C> IotRpc<C> {
	/// Creates the handler.
	pub fn new(client: Arc<C>, info: NodeInfo) -> Self {
		Self { client, info }
	}
}

impl<C> IotApiServer for IotRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: Core<Block> + GetParachainInfo<Block>,
{
	fn node_info(&self) -> RpcResult<NodeInfoResponse> {
		let chain_info = self.client.info();
		let best = chain_info.best_hash;
		let api = self.client.runtime_api();
		let para_id =
			api.parachain_id(best).map_err(|e| runtime_error("reading the para id", e))?;
		let version =
			api.version(best).map_err(|e| runtime_error("reading the runtime version", e))?;
		Ok(NodeInfoResponse {
			name: self.info.name.clone(),
			version: self.info.version.clone(),
			chain: self.info.chain.clone(),
			mode: self.info.mode,
			para_id: para_id.into(),
			runtime_spec_version: version.spec_version,
			best_number: chain_info.best_number,
			finalized_number: chain_info.finalized_number,
		})
	}
}
