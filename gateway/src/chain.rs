//! The typed chain client: subxt, with code generated at compile time from
//! `metadata/iot-runtime.scale`, the runtime's own metadata (kept equal to it by
//! `runtime/tests/metadata.rs`; `IOT_UPDATE_METADATA=1 cargo test --workspace --test metadata`
//! rewrites it after a runtime change).
//!
//! What the gateway asks the chain: a stream's device and last sequence, the device's key and
//! status (to check batches before accepting them), the anchors a stream holds (to reconcile
//! after a crash), its account's next nonce, and the finality of what it submitted.

use crate::batch::StreamFacts;
use anyhow::{anyhow, Context as _};
use iot_formats::device::{DeviceKey, DeviceSignature};
use subxt::{
	config::DefaultExtrinsicParamsBuilder,
	rpcs::{rpc_params, RpcClient},
	OnlineClient, PolkadotConfig,
};

#[subxt::subxt(runtime_metadata_path = "metadata/iot-runtime.scale")]
pub mod iot {}

use iot::runtime_types::{
	iot_formats::device as chain_device, pallet_device_registry::types::DeviceStatus,
};

/// An anchor as the chain keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainAnchor {
	pub index: u64,
	pub sequence: u64,
	pub root: [u8; 32],
	pub count: u32,
	/// Parachain block number of the block that anchored it.
	pub anchored_at: u64,
	pub submitter: [u8; 32],
}

/// A connection to a node.
#[derive(Clone)]
pub struct Chain {
	api: OnlineClient<PolkadotConfig>,
	rpc: RpcClient,
	genesis_hash: [u8; 32],
}

/// The signer the gateway pays fees with.
pub type Account = subxt_signer::sr25519::Keypair;

/// The account of a secret URI (`//Dave`, a mnemonic, `0x` seed with derivations).
pub fn account_from_uri(uri: &str) -> anyhow::Result<Account> {
	let uri: subxt_signer::SecretUri =
		uri.parse().map_err(|e| anyhow!("the gateway's account key: {e}"))?;
	Account::from_uri(&uri).map_err(|e| anyhow!("the gateway's account key: {e}"))
}

fn key_of(key: &chain_device::DeviceKey) -> DeviceKey {
	match key {
		chain_device::DeviceKey::Ed25519(k) => DeviceKey::Ed25519(*k),
		chain_device::DeviceKey::Sr25519(k) => DeviceKey::Sr25519(*k),
		chain_device::DeviceKey::Secp256k1(k) => DeviceKey::Secp256k1(*k),
		chain_device::DeviceKey::P256(k) => DeviceKey::P256(*k),
	}
}

fn signature_of(signature: &DeviceSignature) -> chain_device::DeviceSignature {
	match signature {
		DeviceSignature::Ed25519(s) => chain_device::DeviceSignature::Ed25519(*s),
		DeviceSignature::Sr25519(s) => chain_device::DeviceSignature::Sr25519(*s),
		DeviceSignature::Secp256k1(s) => chain_device::DeviceSignature::Secp256k1(*s),
		DeviceSignature::P256(s) => chain_device::DeviceSignature::P256(*s),
	}
}

/// A signed `provenance.anchor`, not yet submitted.
pub struct SignedAnchor {
	hash: [u8; 32],
	valid_until: u64,
	tx: subxt::transactions::SubmittableTransaction<
		PolkadotConfig,
		subxt::client::OnlineClientAtBlockImpl<PolkadotConfig>,
	>,
}

impl SignedAnchor {
	/// The transaction's hash.
	pub fn hash(&self) -> [u8; 32] {
		self.hash
	}

	/// The last block it can be included in (its mortality's end).
	pub fn valid_until(&self) -> u64 {
		self.valid_until
	}
}

/// A transaction handed to the node: the stream of its status updates.
pub type Progress = subxt::transactions::TransactionProgress<
	PolkadotConfig,
	subxt::client::OnlineClientAtBlockImpl<PolkadotConfig>,
>;

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`).
	pub async fn connect(url: &str) -> anyhow::Result<Self> {
		let rpc = RpcClient::from_insecure_url(url)
			.await
			.with_context(|| format!("connecting to the node at {url}"))?;
		let api = OnlineClient::<PolkadotConfig>::from_rpc_client(rpc.clone())
			.await
			.with_context(|| format!("reading the chain's metadata from {url}"))?;
		let genesis_hash = api.genesis_hash().0;
		Ok(Self { api, rpc, genesis_hash })
	}

	/// The chain's genesis hash: what every device statement binds.
	pub fn genesis_hash(&self) -> [u8; 32] {
		self.genesis_hash
	}

	/// What the newest finalized block says of `stream` and its device; `None` if the stream
	/// or its device does not exist.
	pub async fn stream_facts(&self, stream: u64) -> anyhow::Result<Option<StreamFacts>> {
		let at = self.api.at_current_block().await?;
		let Some(record) =
			at.storage().try_fetch(iot::storage().provenance().streams(), (stream,)).await?
		else {
			return Ok(None);
		};
		let record = record.decode()?;
		let Some(device) = at
			.storage()
			.try_fetch(iot::storage().device_registry().devices(), (record.device,))
			.await?
		else {
			return Ok(None);
		};
		let device = device.decode()?;
		let mut active = matches!(device.status, DeviceStatus::Active);
		if let (true, Some(batch)) = (active, device.batch) {
			let batch = at
				.storage()
				.try_fetch(iot::storage().device_registry().batches(), (batch,))
				.await?;
			active = match batch {
				Some(batch) => matches!(
					batch.decode()?.status,
					iot::runtime_types::pallet_device_registry::types::BatchStatus::Active
				),
				None => false,
			};
		}
		Ok(Some(StreamFacts {
			device: record.device,
			last_sequence: record.last_sequence,
			key: key_of(&device.key),
			active,
		}))
	}

	/// The anchors `stream` holds at the newest finalized block, newest first (the whole window).
	pub async fn anchors(&self, stream: u64) -> anyhow::Result<Vec<ChainAnchor>> {
		let at = self.api.at_current_block().await?;
		let mut out = Vec::new();
		let mut before = None;
		loop {
			let page = at
				.runtime_apis()
				.call(iot::runtime_apis().provenance_api().anchors(stream, before, 100))
				.await?;
			let Some(last) = page.last() else { break };
			before = Some(last.index);
			let full = page.len() == 100;
			out.extend(page.into_iter().map(|a| ChainAnchor {
				index: a.index,
				sequence: a.sequence,
				root: a.root,
				count: a.count,
				anchored_at: u64::from(a.anchored_at),
				submitter: a.submitter.0,
			}));
			if !full {
				break;
			}
		}
		Ok(out)
	}

	/// The newest finalized block's number.
	pub async fn finalized_number(&self) -> anyhow::Result<u64> {
		Ok(self.api.at_current_block().await?.block_number())
	}

	/// The hash of the block with `number` on the node's best chain.
	pub async fn block_hash(&self, number: u64) -> anyhow::Result<Option<[u8; 32]>> {
		let hash: Option<String> =
			self.rpc.request("chain_getBlockHash", rpc_params![number]).await?;
		hash.map(|h| {
			crate::from_hex(&h)
				.ok()
				.and_then(|b| <[u8; 32]>::try_from(b).ok())
				.ok_or_else(|| anyhow!("the node answered a block hash that is not 32 bytes: {h}"))
		})
		.transpose()
	}

	/// The newest finalized block's number and the account's nonce there (transactions with a
	/// lower nonce can never be included again), read at one block.
	pub async fn finalized_number_and_nonce(
		&self,
		account: &Account,
	) -> anyhow::Result<(u64, u64)> {
		let at = self.api.at_current_block().await?;
		let nonce = at.transactions().account_nonce(&account.public_key().to_account_id()).await?;
		Ok((at.block_number(), nonce))
	}

	/// The number of the block with `hash`, if the node has it.
	pub async fn block_number(&self, hash: [u8; 32]) -> anyhow::Result<Option<u64>> {
		let header: Option<serde_json::Value> =
			self.rpc.request("chain_getHeader", rpc_params![crate::to_hex(&hash)]).await?;
		header
			.map(|h| {
				h["number"]
					.as_str()
					.and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok())
					.ok_or_else(|| anyhow!("the node answered a header without a number: {h}"))
			})
			.transpose()
	}

	/// The nonce the account's next transaction needs, counting what the node's pool holds.
	pub async fn next_nonce(&self, account: &Account) -> anyhow::Result<u64> {
		let id = account.public_key().to_account_id().to_string();
		Ok(self.rpc.request("system_accountNextIndex", rpc_params![id]).await?)
	}

	/// Signs `provenance.anchor` for `batch` with `nonce`, mortal for `mortality` blocks.
	pub async fn sign_anchor(
		&self,
		account: &Account,
		batch: &crate::batch::VerifiedBatch,
		nonce: u64,
		mortality: u64,
	) -> anyhow::Result<SignedAnchor> {
		let statement = iot::runtime_types::pallet_provenance::AnchorStatement {
			sequence: batch.sequence,
			root: batch.root,
			count: batch.count,
			first_timestamp: batch.first_timestamp,
			last_timestamp: batch.last_timestamp,
			content_id: batch
				.content_id
				.clone()
				.map(iot::runtime_types::bounded_collections::bounded_vec::BoundedVec),
		};
		let call =
			iot::tx().provenance().anchor(batch.stream, statement, signature_of(&batch.signature));
		let params = DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new()
			.nonce(nonce)
			.mortal(mortality)
			.build();
		// Mortal from the newest finalized block, which subxt signs against.
		let at = self.api.at_current_block().await?;
		let valid_until = at.block_number().saturating_add(mortality);
		let mut txs = at.transactions();
		let tx = txs.create_signed(&call, account, params).await?;
		Ok(SignedAnchor { hash: tx.hash().0, valid_until, tx })
	}

	/// Hands a signed anchor to the node; its progress follows it to its end.
	pub async fn submit(&self, signed: SignedAnchor) -> anyhow::Result<Progress> {
		Ok(signed.tx.submit_and_watch().await?)
	}

	/// `iot_verifyInclusion` at the node's best block.
	pub async fn verify_inclusion(
		&self,
		stream: u64,
		anchor_index: u64,
		reading: &[u8],
		leaf_index: u32,
		proof: &[[u8; 32]],
	) -> anyhow::Result<bool> {
		let proof: Vec<String> = proof.iter().map(|h| crate::to_hex(h)).collect();
		Ok(self
			.rpc
			.request(
				"iot_verifyInclusion",
				rpc_params![stream, anchor_index, crate::to_hex(reading), leaf_index, proof],
			)
			.await?)
	}

	/// The provenance runtime API's own answer (the same question, without the RPC layer).
	pub async fn verify_inclusion_by_runtime_api(
		&self,
		stream: u64,
		anchor_index: u64,
		reading: &[u8],
		leaf_index: u32,
		proof: &[[u8; 32]],
	) -> anyhow::Result<bool> {
		let at = self.api.at_current_block().await?;
		Ok(at
			.runtime_apis()
			.call(iot::runtime_apis().provenance_api().verify_inclusion(
				stream,
				anchor_index,
				reading.to_vec(),
				leaf_index,
				proof.to_vec(),
			))
			.await?)
	}
}
