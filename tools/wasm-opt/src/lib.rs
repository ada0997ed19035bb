//! # `wasm-opt`, as substrate-wasm-builder uses it, without Binaryen
//!
//! The runtime's WASM build (`substrate-wasm-builder`) runs Binaryen's `wasm-opt` once over the
//! runtime blob, with two level-0 passes only: `StripDwarf` (drop the DWARF debug sections) and
//! `SignextLowering` (rewrite sign-extension operators into WebAssembly 1.0 code), checked against
//! the WebAssembly 1.0 feature set. The crates.io `wasm-opt` compiles all of Binaryen's C++ from
//! source for that: 16 minutes of a cold build on a 2-core machine (the longest single unit of the
//! test command's cold run), and again for every other feature set of the build-dependencies.
//!
//! This crate is that crate's API as far as substrate-wasm-builder calls it, patched in by the
//! workspace's `[patch.crates-io]`. The runtime is built for `wasm32v1-none` (the scripts refuse
//! to fall back to another target), which emits WebAssembly 1.0 only, so there is nothing to
//! lower. What it does, in this order:
//!
//! 1. **Validate** the input with [`wasmparser`] against the feature set the passes ask for: with
//!    `SignextLowering` or [`OptimizationOptions::mvp_features_only`], WebAssembly 1.0 (MVP plus
//!    mutable globals), otherwise that plus sign-extension (Binaryen's default set). A blob with
//!    sign-extension operators is refused with an error that says so, instead of lowered: this
//!    crate does not implement the lowering, and a blob that has them was not built for
//!    `wasm32v1-none`.
//! 2. **Strip**: drop the custom sections named `.debug_*` (with `StripDwarf`, or without
//!    [`OptimizationOptions::debug_info`]), and the `name` section without `debug_info`, as
//!    Binaryen does. Every other section is copied byte for byte, in order, including the
//!    runtime's `runtime_version` and `runtime_apis` sections.
//! 3. **Validate the output** again, and write it (the input and the output may be one file).
//!
//! Any other use of Binaryen (other passes, optimisation levels above 0) is not provided: it does
//! not compile rather than silently doing less. To go back to Binaryen, delete the `wasm-opt`
//! line of `[patch.crates-io]` in the workspace's `Cargo.toml`.

use std::{fmt, fs, path::Path};
use wasmparser::{Validator, WasmFeatures};

/// The passes substrate-wasm-builder adds (Binaryen's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
	/// Drop the DWARF (`.debug_*`) custom sections.
	StripDwarf,
	/// Sign-extension operators to WebAssembly 1.0. Here: require that there are none.
	SignextLowering,
}

/// Options of one run, built like Binaryen's (`new_opt_level_0().add_pass(..).run(..)`).
#[derive(Clone, Debug)]
pub struct OptimizationOptions {
	passes: Vec<Pass>,
	debug_info: bool,
	mvp_only: bool,
}

/// Why a run failed (the variants of Binaryen's crate that can happen here).
#[derive(Debug)]
pub enum OptimizationError {
	/// The input is not a valid module for the feature set the options ask for.
	ValidateWasmInput(String),
	/// The output is not a valid module (a bug of this crate).
	ValidateWasmOutput(String),
	/// The input could not be read.
	Read(std::io::Error),
	/// The output could not be written.
	Write(std::io::Error),
}

impl fmt::Display for OptimizationError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::ValidateWasmInput(why) => write!(f, "Failed to validate wasm: {why}"),
			Self::ValidateWasmOutput(why) => {
				write!(f, "Failed to validate wasm after stripping (a bug): {why}")
			},
			Self::Read(e) => write!(f, "Failed to read module: {e}"),
			Self::Write(e) => write!(f, "Failed to write module: {e}"),
		}
	}
}

impl std::error::Error for OptimizationError {}

impl OptimizationOptions {
	/// Binaryen's `-O0`: no optimisation passes, only the ones added.
	pub fn new_opt_level_0() -> Self {
		Self { passes: Vec::new(), debug_info: false, mvp_only: false }
	}

	/// Runs `pass` too.
	pub fn add_pass(&mut self, pass: Pass) -> &mut Self {
		self.passes.push(pass);
		self
	}

	/// Keeps the `name` section (and, without [`Pass::StripDwarf`], the DWARF sections).
	pub fn debug_info(&mut self, keep: bool) -> &mut Self {
		self.debug_info = keep;
		self
	}

	/// The module must use WebAssembly 1.0 only.
	pub fn mvp_features_only(&mut self) -> &mut Self {
		self.mvp_only = true;
		self
	}

	fn features(&self) -> WasmFeatures {
		if self.mvp_only || self.passes.contains(&Pass::SignextLowering) {
			WasmFeatures::WASM1
		} else {
			WasmFeatures::WASM1 | WasmFeatures::SIGN_EXTENSION
		}
	}

	/// Reads `infile`, validates, strips and writes `outfile` (may be `infile`).
	pub fn run(
		&self,
		infile: impl AsRef<Path>,
		outfile: impl AsRef<Path>,
	) -> Result<(), OptimizationError> {
		let input = fs::read(infile).map_err(OptimizationError::Read)?;
		let output = self.run_on_bytes(&input)?;
		fs::write(outfile, output).map_err(OptimizationError::Write)
	}

	/// [`Self::run`] on bytes in memory.
	pub fn run_on_bytes(&self, input: &[u8]) -> Result<Vec<u8>, OptimizationError> {
		let features = self.features();
		validate(input, features).map_err(|why| {
			let extra = if features.contains(WasmFeatures::SIGN_EXTENSION)
				|| validate(input, features | WasmFeatures::SIGN_EXTENSION).is_err()
			{
				""
			} else {
				" (the module uses sign-extension operators, which this wasm-opt does not \
				 lower: build the runtime for wasm32v1-none, see tools/wasm-opt)"
			};
			OptimizationError::ValidateWasmInput(format!("{why}{extra}"))
		})?;
		let strip_dwarf = self.passes.contains(&Pass::StripDwarf) || !self.debug_info;
		let output = strip(input, strip_dwarf, !self.debug_info)
			.map_err(OptimizationError::ValidateWasmInput)?;
		validate(&output, features).map_err(OptimizationError::ValidateWasmOutput)?;
		Ok(output)
	}
}

fn validate(bytes: &[u8], features: WasmFeatures) -> Result<(), String> {
	Validator::new_with_features(features)
		.validate_all(bytes)
		.map(|_| ())
		.map_err(|e| e.to_string())
}

/// Copies the module's header and sections, leaving out DWARF and/or name sections. The input
/// has been validated, so the walk below only has to follow the binary format's framing.
fn strip(input: &[u8], dwarf: bool, names: bool) -> Result<Vec<u8>, String> {
	const HEADER: usize = 8; // magic number and version
	let mut output = Vec::with_capacity(input.len());
	output.extend_from_slice(input.get(..HEADER).ok_or("truncated header")?);
	let mut at = HEADER;
	while at < input.len() {
		let start = at;
		let id = input[at];
		let (size, size_len) = read_u32(input, at + 1)?;
		let contents = at + 1 + size_len;
		let end = contents.checked_add(size as usize).ok_or("section size overflows")?;
		let section = input.get(start..end).ok_or("truncated section")?;
		at = end;
		if id == 0 {
			let (name_len, name_len_len) = read_u32(input, contents)?;
			let name_start = contents + name_len_len;
			let name = input
				.get(name_start..name_start + name_len as usize)
				.ok_or("truncated custom section name")?;
			if (dwarf && name.starts_with(b".debug_")) || (names && name == b"name") {
				continue;
			}
		}
		output.extend_from_slice(section);
	}
	Ok(output)
}

/// An unsigned LEB128 `u32` at `at`: its value and its length in bytes.
fn read_u32(input: &[u8], at: usize) -> Result<(u32, usize), String> {
	let mut value: u32 = 0;
	for i in 0..5 {
		let byte = *input.get(at + i).ok_or("truncated LEB128")?;
		value |= u32::from(byte & 0x7f) << (7 * i);
		if byte & 0x80 == 0 {
			return Ok((value, i + 1));
		}
	}
	Err(format!("LEB128 at {at} longer than 5 bytes"))
}

#[cfg(test)]
mod tests;
