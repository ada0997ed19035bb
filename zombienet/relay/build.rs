// Sets the env vars the binaries read at compile time (`SUBSTRATE_CLI_COMMIT_HASH`, ...), like
// polkadot's own build script. Without a git checkout the commit hash is "unknown".
fn main() {
	substrate_build_script_utils::generate_cargo_keys();
	substrate_build_script_utils::rerun_if_git_head_changed();
}
