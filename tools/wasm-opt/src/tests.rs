use super::*;

fn leb(mut value: usize) -> Vec<u8> {
	let mut out = Vec::new();
	loop {
		let byte = (value & 0x7f) as u8;
		value >>= 7;
		if value == 0 {
			out.push(byte);
			return out;
		}
		out.push(byte | 0x80);
	}
}

fn section(id: u8, contents: &[u8]) -> Vec<u8> {
	let mut out = vec![id];
	out.extend(leb(contents.len()));
	out.extend_from_slice(contents);
	out
}

fn custom(name: &str, data: &[u8]) -> Vec<u8> {
	let mut contents = leb(name.len());
	contents.extend_from_slice(name.as_bytes());
	contents.extend_from_slice(data);
	section(0, &contents)
}

/// A module with one function `() -> i32` whose body (after the local count) is `body`, and the
/// custom sections `customs` after the code section.
fn module(body: &[u8], customs: &[Vec<u8>]) -> Vec<u8> {
	let mut out = b"\0asm\x01\0\0\0".to_vec();
	out.extend(section(1, &[0x01, 0x60, 0x00, 0x01, 0x7f]));
	out.extend(section(3, &[0x01, 0x00]));
	let mut code = vec![0x00];
	code.extend_from_slice(body);
	let mut contents = vec![0x01];
	contents.extend(leb(code.len()));
	contents.extend(code);
	out.extend(section(10, &contents));
	for c in customs {
		out.extend_from_slice(c);
	}
	out
}

const CONST_ONE: &[u8] = &[0x41, 0x01, 0x0b]; // i32.const 1; end
const SIGN_EXTENDED: &[u8] = &[0x41, 0x01, 0xc0, 0x0b]; // i32.const 1; i32.extend8_s; end

fn names() -> Vec<u8> {
	// Function names: one entry, function 0 is "f".
	custom("name", &[0x01, 0x04, 0x01, 0x00, 0x01, b'f'])
}

fn version() -> Vec<u8> {
	// Long enough for a two-byte section size.
	custom("runtime_version", &[7u8; 300])
}

/// What substrate-wasm-builder runs to compact the blob.
fn compact() -> OptimizationOptions {
	let mut options = OptimizationOptions::new_opt_level_0();
	options
		.mvp_features_only()
		.debug_info(true)
		.add_pass(Pass::StripDwarf)
		.add_pass(Pass::SignextLowering);
	options
}

#[test]
fn compacting_drops_dwarf_and_keeps_every_other_section_byte_for_byte() {
	let dwarf = [custom(".debug_info", &[1; 200]), custom(".debug_line", &[2; 3])];
	let input = module(CONST_ONE, &[dwarf[0].clone(), names(), version(), dwarf[1].clone()]);
	let output = compact().run_on_bytes(&input).unwrap();
	assert_eq!(output, module(CONST_ONE, &[names(), version()]));
	// Nothing left to strip: the same bytes again.
	assert_eq!(compact().run_on_bytes(&output).unwrap(), output);
}

#[test]
fn without_debug_info_the_name_section_goes_too() {
	let input = module(CONST_ONE, &[names(), custom(".debug_info", &[1]), version()]);
	let mut options = OptimizationOptions::new_opt_level_0();
	options.add_pass(Pass::SignextLowering);
	assert_eq!(options.run_on_bytes(&input).unwrap(), module(CONST_ONE, &[version()]));
}

#[test]
fn sign_extension_is_refused_where_it_would_have_to_be_lowered() {
	let input = module(SIGN_EXTENDED, &[]);
	let err = compact().run_on_bytes(&input).unwrap_err();
	assert!(matches!(err, OptimizationError::ValidateWasmInput(_)), "{err}");
	assert!(err.to_string().contains("sign-extension operators"), "{err}");
	// The builder's other call (lowering only, in place): refused the same way.
	let mut lower = OptimizationOptions::new_opt_level_0();
	lower.add_pass(Pass::SignextLowering).debug_info(true);
	assert!(lower.run_on_bytes(&input).is_err());
	// Binaryen's default feature set has sign-extension: without the pass it is kept.
	let mut keep = OptimizationOptions::new_opt_level_0();
	keep.debug_info(true);
	assert_eq!(keep.run_on_bytes(&input).unwrap(), input);
}

#[test]
fn what_is_not_a_valid_module_is_refused() {
	let valid = module(CONST_ONE, &[version()]);
	for bad in [
		b"not wasm at all".to_vec(),
		valid[..valid.len() - 1].to_vec(),
		module(&[0x41, 0x0b], &[]), // i32.const without its immediate... then end: malformed
	] {
		let err = compact().run_on_bytes(&bad).unwrap_err();
		assert!(matches!(err, OptimizationError::ValidateWasmInput(_)), "{err}");
		assert!(!err.to_string().contains("sign-extension"), "{err}");
	}
}

#[test]
fn runs_in_place_on_a_file() {
	let path = std::env::temp_dir().join(format!("wasm-opt-test-{}.wasm", std::process::id()));
	fs::write(&path, module(CONST_ONE, &[custom(".debug_str", b"x"), names()])).unwrap();
	compact().run(&path, &path).unwrap();
	assert_eq!(fs::read(&path).unwrap(), module(CONST_ONE, &[names()]));
	fs::remove_file(&path).unwrap();
	let err = compact().run(&path, &path).unwrap_err();
	assert!(matches!(err, OptimizationError::Read(_)), "{err}");
}
