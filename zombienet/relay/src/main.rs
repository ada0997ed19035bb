//! `polkadot` relay-chain node for local test networks (zombienet), built from the crates.io
//! `polkadot-cli` with the native rococo runtime. Same entry point as polkadot's own `main.rs`.

fn main() {
	if let Err(err) = polkadot_cli::run() {
		eprintln!("Error: {err}");
		std::process::exit(1);
	}
}
