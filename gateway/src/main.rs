//! `iot-gateway`: run a site's gateway, or check a reading's proof against a node.
//!
//! ```text
//! iot-gateway run [--config gateway.toml] [--node ws://…] [--database gateway.sqlite]
//!                 [--listen 127.0.0.1:8090] [--account //Dave] [--mqtt-host 127.0.0.1]
//! iot-gateway verify [--node ws://…] proof.json|-
//! ```

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use iot_gateway::{
	anchorer::Anchorer,
	chain::{account_from_uri, Chain},
	config::Config,
	http::{router, AppState},
	ingest::Ingest,
	metrics::Metrics,
	mqtt::MqttSettings,
	proof::{verify_against, ReadingProof},
	store::Store,
};
use std::{io::Read as _, net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};
use tokio::sync::Notify;

#[derive(Parser)]
#[command(name = "iot-gateway", version, about = "A site's gateway to the IoT parachain")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Ingest, store, anchor and prove batches (a long-running service).
	Run(RunArgs),
	/// Check a reading's proof (as `GET /v1/streams/…/readings/…` serves it) against a node:
	/// the Merkle path, the anchor on chain, `iot_verifyInclusion` and the runtime API. Exits 0
	/// when all hold, 1 when one does not.
	Verify {
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
		/// The proof's JSON file, or `-` for standard input.
		proof: PathBuf,
	},
}

#[derive(clap::Args)]
struct RunArgs {
	/// Configuration file (TOML); flags override it.
	#[arg(long)]
	config: Option<PathBuf>,
	/// The node's WebSocket RPC.
	#[arg(long)]
	node: Option<String>,
	/// The SQLite store (created if missing).
	#[arg(long)]
	database: Option<PathBuf>,
	/// Address of the HTTP interface.
	#[arg(long)]
	listen: Option<SocketAddr>,
	/// Secret URI of the account that pays the anchors' fees (`//Dave`, a mnemonic, a `0x`
	/// seed). Prefer the environment variable IOT_GATEWAY_ACCOUNT to a flag others can read
	/// in `ps`; the flag wins over it, and it over the configuration file.
	#[arg(long)]
	account: Option<String>,
	/// MQTT broker host (enables MQTT ingest with the `[mqtt]` defaults).
	#[arg(long)]
	mqtt_host: Option<String>,
	/// MQTT broker port.
	#[arg(long)]
	mqtt_port: Option<u16>,
	/// MQTT client id.
	#[arg(long)]
	mqtt_client_id: Option<String>,
	/// Log format: `json` (one object per line) or `text`.
	#[arg(long)]
	log_format: Option<String>,
}

fn init_logs(format: &str) {
	let filter = tracing_subscriber::EnvFilter::try_from_default_env()
		.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
	let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
	if format == "text" {
		builder.init();
	} else {
		builder.json().flatten_event(true).init();
	}
}

async fn connect_with_retry(url: &str) -> Chain {
	let mut delay = Duration::from_millis(500);
	loop {
		match Chain::connect(url).await {
			Ok(chain) => return chain,
			Err(e) => {
				tracing::warn!(
					node = url,
					error = format!("{e:#}"),
					"the node cannot be reached yet"
				);
				tokio::time::sleep(delay).await;
				delay = (delay * 2).min(Duration::from_secs(10));
			},
		}
	}
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
	let RunArgs {
		config,
		node,
		database,
		listen,
		account,
		mqtt_host,
		mqtt_port,
		mqtt_client_id,
		log_format,
	} = args;
	let mut cfg = match &config {
		Some(path) => Config::load(path)?,
		None => Config::default(),
	};
	cfg.node = node.unwrap_or(cfg.node);
	cfg.database = database.unwrap_or(cfg.database);
	cfg.listen = listen.unwrap_or(cfg.listen);
	cfg.account = account.or_else(|| std::env::var("IOT_GATEWAY_ACCOUNT").ok()).or(cfg.account);
	cfg.log_format = log_format.unwrap_or(cfg.log_format);
	if let Some(host) = mqtt_host {
		let mut mqtt = cfg.mqtt.take().unwrap_or_else(|| MqttSettings {
			host: String::new(),
			port: 1883,
			topic: "iot/batches/#".into(),
			answers: "iot/gateway".into(),
			client_id: "iot-gateway".into(),
		});
		mqtt.host = host;
		cfg.mqtt = Some(mqtt);
	}
	if let Some(mqtt) = cfg.mqtt.as_mut() {
		mqtt.port = mqtt_port.unwrap_or(mqtt.port);
		mqtt.client_id = mqtt_client_id.unwrap_or(mqtt.client_id.clone());
	}
	init_logs(&cfg.log_format);

	let account_uri = cfg.account.clone().context(
		"no account to pay the anchors with: set IOT_GATEWAY_ACCOUNT, --account or `account` in the configuration",
	)?;
	let account = account_from_uri(&account_uri)?;
	let account_id = account.public_key().to_account_id().to_string();

	let store = Store::open(&cfg.database)?;
	tracing::info!(database = %cfg.database.display(), "store open");
	let chain = connect_with_retry(&cfg.node).await;
	tracing::info!(node = %cfg.node, genesis = %iot_gateway::to_hex(&chain.genesis_hash()), account = %account_id, "connected to the node");

	let metrics = Arc::new(Metrics::default());
	let wake = Arc::new(Notify::new());
	let ingest = Ingest::new(
		store.clone(),
		Arc::new(chain.clone()),
		chain.genesis_hash(),
		cfg.limits(),
		Duration::from_secs(cfg.facts_ttl_secs),
		metrics.clone(),
		wake.clone(),
	);

	let anchorer =
		Anchorer::new(store.clone(), chain.clone(), account, cfg.anchoring(), metrics, wake);
	tokio::spawn(anchorer.run());

	if let Some(mqtt) = cfg.mqtt.clone() {
		tokio::spawn(iot_gateway::mqtt::run(mqtt, ingest.clone(), cfg.max_body_bytes));
	}

	let app = router(
		AppState {
			ingest,
			genesis_hash: chain.genesis_hash(),
			account: account_id,
			node: cfg.node.clone(),
		},
		cfg.max_body_bytes,
	);
	let listener = tokio::net::TcpListener::bind(cfg.listen)
		.await
		.with_context(|| format!("listening on {}", cfg.listen))?;
	tracing::info!(listen = %cfg.listen, "HTTP interface up");
	axum::serve(listener, app)
		.with_graceful_shutdown(async {
			let _ = tokio::signal::ctrl_c().await;
			tracing::info!("stopping");
		})
		.await
		.context("the HTTP server stopped")
}

async fn verify(node: String, path: PathBuf) -> anyhow::Result<bool> {
	let mut text = String::new();
	if path.as_os_str() == "-" {
		std::io::stdin().read_to_string(&mut text).context("reading the proof from stdin")?;
	} else {
		text = std::fs::read_to_string(&path)
			.with_context(|| format!("reading the proof {}", path.display()))?;
	}
	let proof: ReadingProof = serde_json::from_str(&text).context("the proof's JSON")?;
	let chain = Chain::connect(&node).await?;
	let verdict = verify_against(&chain, &proof).await?;
	println!("{}", serde_json::to_string_pretty(&verdict)?);
	Ok(verdict.holds())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
	let cli = Cli::parse();
	let result = match cli.command {
		Command::Run(args) => run(args).await.map(|()| true),
		Command::Verify { node, proof } => verify(node, proof).await,
	};
	match result {
		Ok(true) => std::process::ExitCode::SUCCESS,
		Ok(false) => std::process::ExitCode::from(1),
		Err(e) => {
			eprintln!("iot-gateway: {e:#}");
			std::process::ExitCode::from(2)
		},
	}
}
