//! The gateway's typed client is generated at compile time from `gateway/metadata/iot-runtime.scale`
//! (subxt's `runtime_metadata_path`), so that the gateway does not depend on the runtime crate.
//! This test keeps that file equal to the runtime's own metadata (V16, as the node serves it
//! through `Metadata_metadata_at_version`): after a change of the runtime's calls, storage,
//! events or runtime APIs it fails until the file is regenerated with
//!
//! ```text
//! IOT_UPDATE_METADATA=1 cargo test --locked --workspace --test metadata
//! ```

use polkadot_sdk::sp_genesis_builder::DEV_RUNTIME_PRESET;
use std::path::PathBuf;

mod common;

#[test]
fn the_gateways_metadata_file_is_the_runtimes_metadata() {
	// Some constants are read from storage (`SelfParaId`): the development chain's genesis state,
	// as the dev node serves it.
	let metadata = common::state_of(DEV_RUNTIME_PRESET)
		.execute_with(|| iot_runtime::Runtime::metadata_at_version(16))
		.expect("the runtime serves V16");
	let bytes: &[u8] = &metadata;
	let path =
		PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../gateway/metadata/iot-runtime.scale");
	if std::env::var_os("IOT_UPDATE_METADATA").is_some() {
		std::fs::write(&path, bytes).expect("writing the metadata file");
		println!("wrote {} ({} bytes)", path.display(), bytes.len());
		return;
	}
	let on_disk = std::fs::read(&path).unwrap_or_default();
	assert!(
		on_disk == bytes,
		"{} ({} bytes) is not the runtime's metadata ({} bytes): regenerate it with \
		 `IOT_UPDATE_METADATA=1 cargo test --locked --workspace --test metadata` and rebuild the gateway",
		path.display(),
		on_disk.len(),
		bytes.len()
	);
}
