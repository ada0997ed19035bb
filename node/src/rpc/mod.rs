//! The node's JSON-RPC: Substrate's `system_*`/`payment_*` extensions plus our `iot_*` namespace.
//!
//! Everything is assembled in [`create_full`]; both start paths (collator and `--dev`) call it, so
//! a method added here exists in both. The handlers are generic over the client (any
//! `ProvideRuntimeApi + HeaderBackend` whose API has what they read), so this module depends on
//! nothing in `service.rs`: the service calls in, never the other way round, and a handler can be
//! tested against a mock client (see `device_registry`'s tests). [`json`] has the conventions
//! they share.

pub mod device_registry;
pub mod feeds;
pub mod iot;
pub mod json;
pub mod provenance;

use self::{
	device_registry::DeviceRegistryRpcServer, feeds::FeedsRpcServer, iot::IotApiServer,
	provenance::ProvenanceRpcServer,
};
use iot_runtime::{opaque::Block, AccountId, Balance, Nonce};
use jsonrpsee::RpcModule;
use polkadot_sdk::{
	cumulus_primitives_core::GetParachainInfo,
	pallet_transaction_payment_rpc::{
		TransactionPayment, TransactionPaymentApiServer, TransactionPaymentRuntimeApi,
	},
	sc_transaction_pool_api::TransactionPool,
	sp_api::{Core, ProvideRuntimeApi},
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	sp_core::offchain::OffchainStorage,
	substrate_frame_rpc_system::{AccountNonceApi, System, SystemApiServer},
};
use std::sync::Arc;

/// What the RPC handlers need.
pub struct FullDeps<C, P, S> {
	/// The client.
	pub client: Arc<C>,
	/// Transaction pool.
	pub pool: Arc<P>,
	/// Static facts about this node, for `iot_nodeInfo`.
	pub node_info: iot::NodeInfo,
	/// Off-chain storage, for `iot_feedStatus` (`None` if the node keeps none).
	pub offchain_storage: Option<S>,
}

/// All RPC extensions of the node.
pub fn create_full<C, P, S>(
	deps: FullDeps<C, P, S>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: AccountNonceApi<Block, AccountId, Nonce>
		+ TransactionPaymentRuntimeApi<Block, Balance>
		+ BlockBuilder<Block>
		+ Core<Block>
		+ GetParachainInfo<Block>
		+ device_registry::RegistryApi
		+ provenance::ProvenanceReads,
	P: TransactionPool<
			Block = Block,
			Hash = <Block as polkadot_sdk::sp_runtime::traits::Block>::Hash,
		> + Sync
		+ Send
		+ 'static,
	S: OffchainStorage + 'static,
{
	let FullDeps { client, pool, node_info, offchain_storage } = deps;
	let mut module = RpcModule::new(());
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(iot::IotRpc::new(client.clone(), node_info).into_rpc())?;
	module.merge(device_registry::DeviceRegistryRpcImpl::new(client.clone()).into_rpc())?;
	module.merge(provenance::ProvenanceRpcImpl::new(client).into_rpc())?;
	module.merge(feeds::FeedsRpcImpl::new(offchain_storage).into_rpc())?;
	Ok(module)
}
