//! Talking to the node: JSON-RPC over a WebSocket, transactions built and signed with the
//! runtime's own types.
//!
//! Every transaction goes through [`Chain::submit`]: read the signer's next nonce, build the
//! transaction extensions the runtime expects ([`iot_runtime::TxExtension`]), sign the payload,
//! submit with `author_submitAndWatchExtrinsic`, wait until the block that includes it is
//! finalized, then read that extrinsic's events from `System::Events` and fail on
//! `ExtrinsicFailed` with the decoded error name.

use anyhow::{anyhow, bail, Context, Result};
use codec::{Decode, Encode};
use iot_runtime::{
	AccountId, Address, Balance, Hash, Nonce, Runtime, RuntimeCall, RuntimeError, RuntimeEvent,
	Signature, TxExtension, UncheckedExtrinsic,
};
use jsonrpsee::{
	core::client::{ClientT, Subscription, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use polkadot_sdk::{
	frame_metadata_hash_extension::CheckMetadataHash,
	frame_support::storage::storage_prefix,
	frame_system::{self, EventRecord, Phase},
	pallet_transaction_payment::ChargeTransactionPayment,
	sp_core::{crypto::Ss58Codec, sr25519, Pair},
	sp_runtime::{
		generic::{Era, SignedPayload},
		DispatchError,
	},
};
use serde_json::Value;
use std::time::Duration;

/// A channel record as the runtime stores it.
pub type ChannelRecord = iot_runtime::pallet_payment_channels::ChannelOf<Runtime>;
/// A voucher with its signature, as the payee submits it.
pub type SignedVoucher = iot_runtime::pallet_payment_channels::SignedVoucherOf<Runtime>;

/// A connection to a node and the facts every transaction signs.
pub struct Chain {
	client: WsClient,
	/// Genesis hash: signed by every transaction (`CheckGenesis`, and `CheckEra` for immortal
	/// ones) and by every voucher.
	pub genesis: Hash,
	/// The node's runtime `spec_version` (`CheckSpecVersion`).
	pub spec_version: u32,
	/// The node's runtime `transaction_version` (`CheckTxVersion`).
	pub transaction_version: u32,
	/// How long a transaction may take from submission to finality.
	tx_timeout: Duration,
}

/// A transaction in a finalized block, with the events it emitted.
pub struct Included {
	/// The finalized block that contains it.
	pub block: Hash,
	/// Its events, in order (`System::ExtrinsicSuccess` last).
	pub events: Vec<RuntimeEvent>,
}

impl Chain {
	/// Connects to `url` (`ws://`, `wss://`, or `http(s)://`, which is served on the same port)
	/// and reads the genesis hash and the runtime version.
	pub async fn connect(url: &str, tx_timeout: Duration) -> Result<Self> {
		let url = ws_url(url);
		let client = WsClientBuilder::default()
			.connection_timeout(Duration::from_secs(10))
			.request_timeout(Duration::from_secs(60))
			.build(&url)
			.await
			.map_err(rpc_error)
			.with_context(|| {
				format!("cannot connect to {url}: is a node running (./scripts/dev.sh)?")
			})?;
		let genesis: Option<String> = client
			.request("chain_getBlockHash", rpc_params![0])
			.await
			.map_err(rpc_error)
			.context("chain_getBlockHash(0)")?;
		let genesis = parse_hash(&genesis.ok_or_else(|| anyhow!("the node has no block 0"))?)?;
		let version: Value = client
			.request("state_getRuntimeVersion", rpc_params![])
			.await
			.map_err(rpc_error)
			.context("state_getRuntimeVersion")?;
		let field = |name: &str| {
			version[name]
				.as_u64()
				.and_then(|v| u32::try_from(v).ok())
				.ok_or_else(|| anyhow!("state_getRuntimeVersion: no {name} in {version}"))
		};
		let spec_version = field("specVersion")?;
		let transaction_version = field("transactionVersion")?;
		Ok(Self { client, genesis, spec_version, transaction_version, tx_timeout })
	}

	/// The next nonce of `who`, counting its transactions waiting in the node's pool.
	pub async fn next_nonce(&self, who: &AccountId) -> Result<Nonce> {
		let nonce: u64 = self
			.client
			.request("system_accountNextIndex", rpc_params![who.to_ss58check()])
			.await
			.map_err(rpc_error)
			.context("system_accountNextIndex")?;
		Nonce::try_from(nonce).map_err(|_| anyhow!("nonce {nonce} does not fit the runtime's"))
	}

	/// `call` as a signed, immortal transaction of `signer` with `nonce` and no tip.
	///
	/// The signed payload is the call, the extensions' explicit data (era, nonce, tip, metadata
	/// mode) and their implicit data (versions, genesis hash, era's block hash, metadata hash),
	/// in the order of [`TxExtension`]; a payload over 256 bytes is signed as its blake2-256.
	pub fn sign(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
		nonce: Nonce,
	) -> UncheckedExtrinsic {
		let tx_ext = TxExtension::new((
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(nonce),
			frame_system::CheckWeight::<Runtime>::new(),
			ChargeTransactionPayment::<Runtime>::from(0),
			// No metadata hash: `Mode::Disabled`, implicit `None`. Offline signers (Ledger)
			// enable it and sign the runtime metadata's hash too.
			CheckMetadataHash::<Runtime>::new(false),
		));
		let implicit = (
			(),
			(),
			self.spec_version,
			self.transaction_version,
			self.genesis,
			// An immortal era's block is the genesis block.
			self.genesis,
			(),
			(),
			(),
			None,
		);
		let payload = SignedPayload::<RuntimeCall, TxExtension>::from_raw(
			call.clone(),
			tx_ext.clone(),
			implicit,
		);
		let signature = payload.using_encoded(|bytes| signer.sign(bytes));
		UncheckedExtrinsic::new_signed(
			call,
			Address::Id(account_of(signer)),
			Signature::Sr25519(signature),
			tx_ext,
		)
	}

	/// Signs `call` as `signer` with its next nonce, submits it and waits until it is in a
	/// finalized block. Fails if the pool refuses it, if it is dropped or invalidated, if it is
	/// not finalized in time, or if it is included but failed (`ExtrinsicFailed`). `what` names
	/// it in messages.
	pub async fn submit(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
		what: &str,
	) -> Result<Included> {
		let nonce = self.next_nonce(&account_of(signer)).await?;
		let encoded = self.sign(call, signer, nonce).encode();
		let mut watch: Subscription<Value> = self
			.client
			.subscribe(
				"author_submitAndWatchExtrinsic",
				rpc_params![to_hex(&encoded)],
				"author_unwatchExtrinsic",
			)
			.await
			.map_err(rpc_error)
			.with_context(|| format!("{what}: the node refused the transaction"))?;
		let block = tokio::time::timeout(self.tx_timeout, finalized_block(&mut watch, what))
			.await
			.map_err(|_| anyhow!("{what}: not finalized within {:?}", self.tx_timeout))??;
		// The node ends the subscription after `finalized`; nothing to do if it already did.
		let _ = watch.unsubscribe().await;

		let index = self.extrinsic_index(block, &encoded).await?;
		let events: Vec<RuntimeEvent> = self
			.events(block)
			.await?
			.into_iter()
			.filter(|record| record.phase == Phase::ApplyExtrinsic(index))
			.map(|record| record.event)
			.collect();
		for event in &events {
			if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) = event
			{
				bail!(
					"{what} failed in block {}: {}",
					to_hex(block.as_bytes()),
					describe_error(*dispatch_error)
				);
			}
		}
		Ok(Included { block, events })
	}

	/// Position of the extrinsic `encoded` in `block`.
	async fn extrinsic_index(&self, block: Hash, encoded: &[u8]) -> Result<u32> {
		let signed_block: Value = self
			.client
			.request("chain_getBlock", rpc_params![to_hex(block.as_bytes())])
			.await
			.map_err(rpc_error)
			.context("chain_getBlock")?;
		let extrinsics = signed_block["block"]["extrinsics"]
			.as_array()
			.ok_or_else(|| anyhow!("chain_getBlock: no extrinsics in the answer"))?;
		let wanted = to_hex(encoded);
		let position =
			extrinsics.iter().position(|xt| xt.as_str() == Some(wanted.as_str())).ok_or_else(
				|| anyhow!("the transaction is not in block {}", to_hex(block.as_bytes())),
			)?;
		u32::try_from(position).context("extrinsic index")
	}

	/// The events of `block` (`System::Events`, decoded with the runtime's event type).
	pub async fn events(&self, block: Hash) -> Result<Vec<EventRecord<RuntimeEvent, Hash>>> {
		let key = storage_prefix(b"System", b"Events");
		let raw: Option<String> = self
			.client
			.request("state_getStorage", rpc_params![to_hex(&key), to_hex(block.as_bytes())])
			.await
			.map_err(rpc_error)
			.context("state_getStorage(System::Events)")?;
		let Some(raw) = raw else { return Ok(Vec::new()) };
		Decode::decode(&mut &from_hex(&raw)?[..]).context(
			"cannot decode System::Events: the node runs a different runtime than this client \
			 was built with",
		)
	}

	/// A runtime API call (`state_call`) at `block`: SCALE-encoded arguments in, result out.
	pub async fn runtime_api<R: Decode>(
		&self,
		method: &str,
		args: impl Encode,
		block: Hash,
	) -> Result<R> {
		let raw: String = self
			.client
			.request(
				"state_call",
				rpc_params![method, to_hex(&args.encode()), to_hex(block.as_bytes())],
			)
			.await
			.map_err(rpc_error)
			.with_context(|| format!("state_call {method}"))?;
		R::decode(&mut &from_hex(&raw)?[..]).with_context(|| format!("decoding {method}'s result"))
	}

	/// The channel `id` as of `block` (`PaymentChannelsApi_channel`); `None` if not open.
	pub async fn channel(&self, id: u64, block: Hash) -> Result<Option<ChannelRecord>> {
		self.runtime_api("PaymentChannelsApi_channel", id, block).await
	}

	/// What the payee would receive for `signed` on `id` if it claimed now, or the reason the
	/// claim would fail (`PaymentChannelsApi_check_voucher`, a dry run that changes nothing).
	pub async fn check_voucher(
		&self,
		id: u64,
		signed: &SignedVoucher,
		block: Hash,
	) -> Result<Result<Balance, String>> {
		let answer: Result<Balance, DispatchError> =
			self.runtime_api("PaymentChannelsApi_check_voucher", (id, signed), block).await?;
		Ok(answer.map_err(describe_error))
	}
}

/// Waits for `finalized` in the status stream of a watched transaction.
async fn finalized_block(watch: &mut Subscription<Value>, what: &str) -> Result<Hash> {
	while let Some(status) = watch.next().await {
		let status = status.with_context(|| format!("{what}: bad transaction status"))?;
		match &status {
			// "future" (waits for an earlier nonce), "ready", "broadcast", "inBlock",
			// "retracted" (its block left the best chain; the pool resubmits it): keep waiting.
			Value::String(s) if s == "future" || s == "ready" => {},
			Value::Object(map) if map.contains_key("finalized") => {
				let hash = map["finalized"].as_str().unwrap_or_default();
				return parse_hash(hash);
			},
			Value::Object(map)
				if ["broadcast", "inBlock", "retracted"].iter().any(|k| map.contains_key(*k)) => {},
			// "invalid", "dropped", "usurped", "finalityTimeout".
			other => bail!("{what}: transaction {other}"),
		}
	}
	bail!("{what}: the node closed the status subscription before finality")
}

/// The account of an sr25519 key pair.
pub fn account_of(pair: &sr25519::Pair) -> AccountId {
	AccountId::from(pair.public().0)
}

/// A dispatch error with the pallet error's name (`PaymentChannels(NothingToClaim)`) when the
/// runtime knows it.
pub fn describe_error(error: DispatchError) -> String {
	match RuntimeError::from_dispatch_error(error) {
		Some(named) => format!("{named:?}"),
		None => format!("{error:?}"),
	}
}

/// A JSON-RPC error as one line: `Invalid Transaction (1010): Inability to pay some fees ...`
/// rather than the client's debug output.
fn rpc_error(error: jsonrpsee::core::ClientError) -> anyhow::Error {
	match error {
		jsonrpsee::core::ClientError::Call(call) => match call.data() {
			Some(data) => {
				anyhow!("{} ({}): {}", call.message(), call.code(), data.get().trim_matches('"'))
			},
			None => anyhow!("{} ({})", call.message(), call.code()),
		},
		other => anyhow!("{other}"),
	}
}

/// `ws(s)://` for `http(s)://`: the node serves both on one port.
fn ws_url(url: &str) -> String {
	if let Some(rest) = url.strip_prefix("http://") {
		format!("ws://{rest}")
	} else if let Some(rest) = url.strip_prefix("https://") {
		format!("wss://{rest}")
	} else {
		url.to_owned()
	}
}

/// `0x`-prefixed lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn from_hex(text: &str) -> Result<Vec<u8>> {
	hex::decode(text.trim_start_matches("0x")).with_context(|| format!("not hex: {text}"))
}

fn parse_hash(text: &str) -> Result<Hash> {
	let bytes = from_hex(text)?;
	let bytes: [u8; 32] = bytes.try_into().map_err(|_| anyhow!("not a 32-byte hash: {text}"))?;
	Ok(Hash::from(bytes))
}
