//! # `channel-demo`: a payment channel from a client's point of view
//!
//! An example a device maker can copy: everything a payer device and a payee gateway do with the
//! payment-channels pallet, in one program that talks JSON-RPC to a node (`iot-node --dev`, see
//! `./scripts/dev.sh`). It
//!
//! 1. **opens** a channel from the payer to the payee, funded with `--amount-milli`, whose
//!    vouchers the payer's own sr25519 key signs (`VoucherSigner::Key`), with the runtime's
//!    minimum challenge period and no expiry; the channel id comes from the `Opened` event;
//! 2. **signs** `--vouchers` vouchers off chain as the payer would, each for the cumulative amount
//!    `i × --step-milli` with nonce `i`, then **verifies** each as the payee would on receipt
//!    (signature against the voucher key recorded on chain, nonce up, amount within the funds)
//!    and prints how many a second each side does;
//! 3. has the payee **dry-run** the last voucher (`PaymentChannelsApi_check_voucher`) and
//!    **claim** it: one transaction, whatever the number of vouchers;
//! 4. prints the channel's state and what was paid.
//!
//! Transactions are built and signed here with the runtime crate's own types
//! ([`chain::Chain::sign`]), not through metadata: the client must be rebuilt when the runtime's
//! call or extension types change. The last line is machine-readable:
//!
//! ```text
//! RESULT channel=<id> claimed=<units> vouchers=<n> sign_per_s=<x> verify_per_s=<y> ...
//! ```
//!
//! Any failure prints `error: <what happened>` on stderr and exits with status 1.

mod chain;

use anyhow::{anyhow, ensure, Context, Result};
use chain::{account_of, to_hex, Chain, SignedVoucher};
use clap::Parser;
use iot_primitives::{
	channel::{sign, verify_voucher, ChannelId, Voucher, VoucherPayload},
	device::DeviceKey,
	token::{DECIMALS, MILLI_UNIT, SYMBOL},
};
use iot_runtime::{
	pallet_payment_channels::{self, VoucherSigner},
	Balance, Runtime, RuntimeCall, RuntimeEvent,
};
use polkadot_sdk::{
	frame_support::traits::Get,
	pallet_transaction_payment,
	sp_core::{crypto::Ss58Codec, sr25519, Pair},
};
use std::{
	process::ExitCode,
	time::{Duration, Instant},
};

/// Opens a payment channel, pays through it with off-chain vouchers and claims the last one.
#[derive(Parser, Debug)]
#[command(name = "channel-demo", version)]
struct Args {
	/// RPC endpoint of the node (`ws://`, or `http://` on the same port).
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// Secret URI of the payer, who funds the channel and signs the vouchers.
	#[arg(long, default_value = "//Alice")]
	payer: String,
	/// Secret URI of the payee, who verifies the vouchers and claims.
	#[arg(long, default_value = "//Bob")]
	payee: String,
	/// Channel funds, in thousandths of a token.
	#[arg(long, default_value_t = 100_000)]
	amount_milli: u64,
	/// Vouchers to sign and verify.
	#[arg(long, default_value_t = 1_000)]
	vouchers: u64,
	/// What each voucher adds to the cumulative amount, in thousandths of a token.
	#[arg(long, default_value_t = 1)]
	step_milli: u64,
	/// Challenge period in relay-chain blocks (6 s each, not parachain blocks) [default: the
	/// runtime's minimum].
	#[arg(long)]
	challenge_period: Option<u32>,
	/// Seconds a transaction may take to be finalized.
	#[arg(long, default_value_t = 120)]
	timeout_secs: u64,
}

fn main() -> ExitCode {
	let args = Args::parse();
	let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
		Ok(runtime) => runtime,
		Err(e) => {
			eprintln!("error: cannot start the async runtime: {e}");
			return ExitCode::FAILURE;
		},
	};
	match runtime.block_on(run(args)) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {e:#}");
			ExitCode::FAILURE
		},
	}
}

async fn run(args: Args) -> Result<()> {
	// ---- Keys and amounts, checked before anything touches the chain. ----
	let payer = key_pair(&args.payer).context("--payer")?;
	let payee = key_pair(&args.payee).context("--payee")?;
	ensure!(payer.public() != payee.public(), "payer and payee must be different accounts");
	ensure!(args.vouchers > 0, "--vouchers must be at least 1");
	ensure!(args.amount_milli > 0 && args.step_milli > 0, "amounts must not be zero");
	let funds = Balance::from(args.amount_milli) * MILLI_UNIT;
	let step = Balance::from(args.step_milli) * MILLI_UNIT;
	let total = step
		.checked_mul(Balance::from(args.vouchers))
		.ok_or_else(|| anyhow!("--vouchers × --step-milli overflows"))?;
	ensure!(
		total <= funds,
		"{} vouchers of {} would owe {}, more than the channel's {}: raise --amount-milli",
		args.vouchers,
		tokens(step),
		tokens(total),
		tokens(funds)
	);
	let min_period: u32 = <Runtime as pallet_payment_channels::Config>::MinChallengePeriod::get();
	let challenge_period = args.challenge_period.unwrap_or(min_period);
	ensure!(
		challenge_period >= min_period,
		"--challenge-period must be at least the runtime's minimum, {min_period} relay-chain blocks"
	);

	let chain = Chain::connect(&args.url, Duration::from_secs(args.timeout_secs)).await?;
	println!(
		"CONNECTED url={} genesis={} spec_version={} transaction_version={}",
		args.url,
		to_hex(chain.genesis.as_bytes()),
		chain.spec_version,
		chain.transaction_version
	);
	let built_for = iot_runtime::VERSION;
	if (chain.spec_version, chain.transaction_version)
		!= (built_for.spec_version, built_for.transaction_version)
	{
		eprintln!(
			"warning: the node runs spec_version {} / transaction_version {}, this client was \
			 built for {} / {}: rebuild it if its types changed",
			chain.spec_version,
			chain.transaction_version,
			built_for.spec_version,
			built_for.transaction_version
		);
	}
	println!(
		"ACCOUNTS payer={} payee={}",
		account_of(&payer).to_ss58check(),
		account_of(&payee).to_ss58check()
	);

	// ---- 1. The payer opens the channel; its own key will sign the vouchers. ----
	let open = RuntimeCall::PaymentChannels(pallet_payment_channels::Call::open {
		payee: account_of(&payee),
		amount: funds,
		signer: VoucherSigner::Key(DeviceKey::Sr25519(payer.public().0)),
		challenge_period,
		expires_at: None,
	});
	let opened = chain.submit(open, &payer, "open").await?;
	let channel: ChannelId = opened
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::PaymentChannels(pallet_payment_channels::Event::Opened {
				channel,
				..
			}) => Some(*channel),
			_ => None,
		})
		.ok_or_else(|| anyhow!("open: no PaymentChannels::Opened event"))?;
	println!(
		"OPENED channel={channel} block={} funds={funds} challenge_period={challenge_period}",
		to_hex(opened.block.as_bytes())
	);

	// ---- 2a. The payer signs vouchers off chain: no transaction, no fee. ----
	// A voucher binds the chain (genesis hash) and the channel; the amount is cumulative, so the
	// payee only ever needs the latest one.
	let genesis: [u8; 32] = chain.genesis.to_fixed_bytes();
	let started = Instant::now();
	let signed: Vec<SignedVoucher> = (1..=args.vouchers)
		.map(|nonce| {
			let voucher =
				Voucher { amount: step * Balance::from(nonce), nonce, lock: None, pays_for: None };
			let signature = sign::sr25519(&payer, &VoucherPayload::new(genesis, channel, &voucher));
			SignedVoucher { voucher, signature, preimage: None }
		})
		.collect();
	let sign_per_s = per_second(signed.len(), started.elapsed());
	println!("SIGNED vouchers={} per_s={sign_per_s:.0}", signed.len());

	// ---- 2b. The payee checks each voucher as it arrives, against what the chain says. ----
	// The voucher key, the funds and the last redeemed nonce come from the channel's record on
	// chain, never from the payer. The payee rebuilds the signed statement itself from its own
	// genesis hash and channel id, so a voucher for another chain or channel does not verify.
	let record = chain
		.channel(channel, opened.block)
		.await?
		.ok_or_else(|| anyhow!("channel {channel} is not open at the block that opened it"))?;
	ensure!(record.payee == account_of(&payee), "channel {channel} does not pay this payee");
	let started = Instant::now();
	let (mut last_nonce, mut last_amount) = (record.nonce, record.claimed);
	for voucher in &signed {
		let payload = VoucherPayload::new(genesis, channel, &voucher.voucher);
		let nonce = voucher.voucher.nonce;
		ensure!(
			verify_voucher(&record.signer, &payload, &voucher.signature),
			"voucher {nonce}: bad signature"
		);
		ensure!(nonce > last_nonce, "voucher {nonce}: nonce not above {last_nonce}");
		ensure!(
			voucher.voucher.amount >= last_amount && voucher.voucher.amount <= record.funds,
			"voucher {nonce}: amount {} outside {last_amount}..={}",
			voucher.voucher.amount,
			record.funds
		);
		(last_nonce, last_amount) = (nonce, voucher.voucher.amount);
	}
	let verify_per_s = per_second(signed.len(), started.elapsed());
	println!("VERIFIED vouchers={} per_s={verify_per_s:.0}", signed.len());

	// ---- 3. The payee redeems only the latest voucher: one transaction for all of them. ----
	let last = signed.last().cloned().ok_or_else(|| anyhow!("no vouchers"))?;
	// A dry run first: what the claim would pay, before paying a fee for it.
	let worth = chain
		.check_voucher(channel, &last, opened.block)
		.await?
		.map_err(|reason| anyhow!("the chain would refuse voucher {}: {reason}", last_nonce))?;
	println!("CHECKED nonce={last_nonce} would_pay={worth}");
	let claim = RuntimeCall::PaymentChannels(pallet_payment_channels::Call::claim {
		channel,
		signed: last,
	});
	let claimed = chain.submit(claim, &payee, "claim").await?;
	let (paid, total_claimed, nonce) = claimed
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::PaymentChannels(pallet_payment_channels::Event::Claimed {
				channel: id,
				amount,
				claimed,
				nonce,
				..
			}) if *id == channel => Some((*amount, *claimed, *nonce)),
			_ => None,
		})
		.ok_or_else(|| anyhow!("claim: no PaymentChannels::Claimed event"))?;
	let payee_account = account_of(&payee);
	let fee: Balance = claimed
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { who, actual_fee, .. },
			) if *who == payee_account => Some(*actual_fee),
			_ => None,
		})
		.unwrap_or(0);
	println!(
		"CLAIMED channel={channel} block={} paid={paid} claimed={total_claimed} nonce={nonce} \
		 fee={fee}",
		to_hex(claimed.block.as_bytes())
	);

	// ---- 4. The channel after the claim; it stays open for more vouchers. ----
	let record = chain
		.channel(channel, claimed.block)
		.await?
		.ok_or_else(|| anyhow!("channel {channel} is gone after the claim"))?;
	ensure!(record.claimed == total_claimed, "the record and the Claimed event disagree");
	println!(
		"CHANNEL id={channel} payer={} payee={} funds={} claimed={} unclaimed={} nonce={} \
		 challenge_period={} expires_at={:?}",
		record.payer.to_ss58check(),
		record.payee.to_ss58check(),
		record.funds,
		record.claimed,
		record.funds.saturating_sub(record.claimed),
		record.nonce,
		record.challenge_period,
		record.expires_at
	);
	println!(
		"{} vouchers paid {} in one claim (fee {}); {} stay in the channel for later vouchers.",
		signed.len(),
		tokens(paid),
		tokens(fee),
		tokens(record.funds.saturating_sub(record.claimed))
	);
	println!(
		"RESULT channel={channel} claimed={total_claimed} vouchers={} sign_per_s={sign_per_s:.0} \
		 verify_per_s={verify_per_s:.0} open_block={} claim_block={} claim_fee={fee}",
		signed.len(),
		to_hex(opened.block.as_bytes()),
		to_hex(claimed.block.as_bytes())
	);
	Ok(())
}

/// An sr25519 key pair from a secret URI: `//Alice`, a mnemonic (with `//derivation`), or a hex
/// seed.
fn key_pair(uri: &str) -> Result<sr25519::Pair> {
	sr25519::Pair::from_string(uri, None).map_err(|e| anyhow!("not a usable secret URI: {e:?}"))
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
	count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// `units` in whole tokens, e.g. `1.000000000000 IOT`.
fn tokens(units: Balance) -> String {
	let scale = 10u128.pow(u32::from(DECIMALS));
	format!("{}.{:0width$} {SYMBOL}", units / scale, units % scale, width = usize::from(DECIMALS))
}
