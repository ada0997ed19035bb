//! `polkadot-prepare-worker`: PVF preparation worker spawned by `polkadot`. Its `--version` must
//! equal the node's (`polkadot_cli::NODE_VERSION`), or the node refuses to use it.

polkadot_node_core_pvf_common::decl_worker_main!(
	"prepare-worker",
	polkadot_node_core_pvf_prepare_worker::worker_entrypoint,
	polkadot_cli::NODE_VERSION,
	env!("SUBSTRATE_CLI_COMMIT_HASH"),
);
