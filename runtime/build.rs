#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The WASM is only built for the native (std) flavour of this crate.
#[cfg(not(feature = "std"))]
fn main() {}
