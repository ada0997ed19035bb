//! `iot-node`: the collator node of the IoT parachain.
//!
//! Two ways to start, one service builder ([`service`]):
//! - as a single-node dev chain (`iot-node --dev`), which seals and finalizes its own blocks with
//!   mocked relay-chain data and needs no relay chain: what the tests, the demo and the benchmarks
//!   run, and all a default build (`cargo build -p iot-node`) can do;
//! - as a relay-connected collator (`iot-node --collator -- <relay args>`), what zombienet and real
//!   networks run: a build with `--features collator`, which embeds a relay-chain node
//!   (`collator`, `relay_cli`).
//!
//! Off-chain workers run with HTTP enabled in both modes. RPC (System, TransactionPayment and our
//! `iot_*` namespace) is assembled in [`rpc`].

mod chain_spec;
mod cli;
#[cfg(feature = "collator")]
mod collator;
mod command;
mod feed_hosts;
#[cfg(feature = "collator")]
mod relay_cli;
mod rpc;
mod service;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
	command::run()
}
