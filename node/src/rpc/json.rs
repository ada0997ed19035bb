//! The JSON conventions every `iot_*` method shares: byte strings as `0x` hex, text as UTF-8 (hex
//! when it is not UTF-8), accounts in SS58, and the two error codes a caller can get.

use iot_runtime::AccountId;
use jsonrpsee::types::{error::ErrorObject, ErrorObjectOwned};
use polkadot_sdk::sp_core::crypto::Ss58Codec;

/// JSON-RPC "invalid params": a parameter does not parse (bad hex, wrong length, bad address).
pub const INVALID_PARAMS: i32 = -32602;

/// A runtime API call failed (server-error range): the block is unknown or pruned, or the runtime
/// does not have the API.
pub const RUNTIME_ERROR: i32 = 9000;

/// An "invalid params" error with `message`.
pub fn invalid(message: String) -> ErrorObjectOwned {
	ErrorObject::owned(INVALID_PARAMS, message, None::<()>)
}

/// A runtime-API error: what was being read, and why it failed.
pub fn runtime_error(what: &str, e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, format!("{what}: {e}"), None::<()>)
}

/// `bytes` as `0x`-prefixed lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
	let mut out = String::with_capacity(2 + 2 * bytes.len());
	out.push_str("0x");
	for byte in bytes {
		out.push_str(&format!("{byte:02x}"));
	}
	out
}

/// The bytes of `text`, hex with or without `0x`.
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
	let digits = text.strip_prefix("0x").unwrap_or(text);
	if !digits.len().is_multiple_of(2) {
		return Err(format!("odd number of hex digits in {text:?}"));
	}
	(0..digits.len())
		.step_by(2)
		.map(|i| {
			digits
				.get(i..i + 2)
				.and_then(|pair| u8::from_str_radix(pair, 16).ok())
				.ok_or_else(|| format!("not hex: {text:?}"))
		})
		.collect()
}

/// A text field: UTF-8 as it is, anything else as hex.
pub fn text(bytes: &[u8]) -> String {
	String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| hex(bytes))
}

/// The account of an SS58 address, or "invalid params".
pub fn account(ss58: &str) -> Result<AccountId, ErrorObjectOwned> {
	AccountId::from_ss58check(ss58)
		.map_err(|e| invalid(format!("not an SS58 address {ss58:?}: {e:?}")))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn text_fields_fall_back_to_hex() {
		assert_eq!(text(b"washer-3000"), "washer-3000");
		assert_eq!(text(&[0xff, 0x00]), "0xff00");
		assert_eq!(unhex("0xff00"), Ok(vec![0xff, 0x00]));
		assert_eq!(unhex("ff00"), Ok(vec![0xff, 0x00]));
		assert!(unhex("0xf").unwrap_err().contains("odd"));
		assert!(unhex("0xzz").unwrap_err().contains("not hex"));
	}

	#[test]
	fn bad_addresses_are_invalid_params() {
		let error = account("not-an-address").unwrap_err();
		assert_eq!(error.code(), INVALID_PARAMS);
		assert!(error.message().contains("not an SS58 address"));
	}
}
