//! The node's JSON-RPC: Substrate's `system_*`/`payment_*` extensions plus our `iot_*` namespace.
//!
//! Everything is assembled in [`create_full`]; both start paths (collator and `--dev`) call it, so
//! a method added here exists in both.

pub mod device_registry;
pub mod feeds;
pub mod iot;
pub mod provenance;

use self::{
	device_registry::DeviceRegistryRpcServer, feeds::FeedsRpcServer, iot::IotApiServer,
	provenance::ProvenanceRpcServer,
};
use crate::service::{ParachainBackend, ParachainClient};
use iot_runtime::opaque::Block;
use jsonrpsee::RpcModule;
use polkadot_sdk::{
	pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer},
	sc_transaction_pool_api::TransactionPool,
	substrate_frame_rpc_system::{System, SystemApiServer},
};
use std::sync::Arc;

/// The node's off-chain storage, where the sensor-feed worker keeps its status.
pub type OffchainStorage =
	<ParachainBackend as polkadot_sdk::sc_client_api::Backend<Block>>::OffchainStorage;

/// What the RPC handlers need.
pub struct FullDeps<P> {
	/// The client.
	pub client: Arc<ParachainClient>,
	/// Transaction pool.
	pub pool: Arc<P>,
	/// Static facts about this node, for `iot_nodeInfo`.
	pub node_info: iot::NodeInfo,
	/// Off-chain storage, for `iot_feedStatus` (`None` if the node keeps none).
	pub offchain_storage: Option<OffchainStorage>,
}

/// All RPC extensions of the node.
pub fn create_full<P>(
	deps: FullDeps<P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	P: TransactionPool<
			Block = Block,
			Hash = <Block as polkadot_sdk::sp_runtime::traits::Block>::Hash,
		> + Sync
		+ Send
		+ 'static,
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
