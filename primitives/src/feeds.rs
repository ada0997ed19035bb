//! # Sensor feeds: what an operator's off-chain worker reports, and how it reads a feed
//!
//! A feed is an HTTP endpoint returning JSON; a JSON pointer (RFC 6901) names the value in it.
//! Operators' off-chain workers fetch the feed, turn the value into a fixed-point integer and
//! report it for the feed's current *round*; the chain takes the median once a quorum reported.
//! The report an operator signs and the value types are defined in [`iot_formats::feeds`]
//! (re-exported here); this module is the single definition of the value parsing (the same code
//! runs in every operator's worker, so honest operators agree to the unit) and of the status a
//! worker keeps in its node's off-chain storage for the `iot_feedStatus` RPC.
//!
//! ## Values
//!
//! [`parse_value`] reads the JSON body, follows the pointer and converts: `Integer` accepts JSON
//! integers only (exact up to 64 bits); `Decimal` accepts any JSON number and scales it by
//! `10^decimals`, rounding half away from zero, with exact decimal arithmetic on the number's
//! literal text (serde_json's `arbitrary_precision`: no `f64` in between, so `21.5e-1` is exactly
//! 2.15 and every digit the server sent counts); `Boolean` maps `true`/`false` to 1/0. Strings
//! are refused (`NotANumber`), even if they look numeric: a feed that changes type should fail
//! loudly.
//!
//! Which error a number gets: text that is not JSON is `InvalidJson`; any JSON number is read,
//! whatever its exponent, and its scaled value is `OutOfRange` if it does not fit an `i128`
//! (`1e400` with 0 decimals, `2e38`), never a parse error. A zero mantissa is 0 whatever the
//! exponent (`0e999999999999`), and a value too small for the feed's decimals rounds to 0
//! (`1e-400`). The cost is bounded by the text's length: no exponent makes the worker loop.

use alloc::{string::String, vec::Vec};
use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// Key type of operators' off-chain worker keys (sr25519): `iotf`.
pub const KEY_TYPE: polkadot_sdk::sp_core::crypto::KeyTypeId =
	polkadot_sdk::sp_core::crypto::KeyTypeId(*b"iotf");

pub use iot_formats::feeds::*;

pub mod url;

/// Why fetching or reading a feed failed. Kept in the worker's status, never on chain.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum FetchError {
	/// The request could not be sent or the connection failed.
	#[codec(index = 0)]
	Unreachable,
	/// No complete answer before the deadline.
	#[codec(index = 1)]
	Timeout,
	/// The server answered with this non-2xx status.
	#[codec(index = 2)]
	HttpStatus(u16),
	/// The body exceeded the size limit.
	#[codec(index = 3)]
	TooLarge,
	/// The body is not JSON.
	#[codec(index = 4)]
	InvalidJson,
	/// Nothing at the feed's JSON pointer.
	#[codec(index = 5)]
	MissingField,
	/// The value is not of the feed's type.
	#[codec(index = 6)]
	NotANumber,
	/// The scaled value does not fit an `i128`.
	#[codec(index = 7)]
	OutOfRange,
	/// The transaction pool refused the report.
	#[codec(index = 8)]
	SubmitFailed,
	/// The body's length differs from its `Content-Length`.
	#[codec(index = 9)]
	LengthMismatch,
	/// The report was submitted, and when its round ended it was not counted and the round had
	/// not settled (a round that settled while the report waited in the pool counts as
	/// included: the chain keeps how many reported, not who).
	#[codec(index = 10)]
	NotIncluded,
	/// The host is a loopback, private, link-local or otherwise non-public address (or
	/// `localhost`), and this node does not allow feeds there.
	#[codec(index = 11)]
	PrivateAddress,
	/// The host is a name this node has not resolved yet (it resolves the names its worker asks
	/// for; the next round is fetched once it has).
	#[codec(index = 12)]
	HostUnchecked,
	/// The URL breaks the rules of [`url::parse_url`] (a feed registered before they applied).
	#[codec(index = 13)]
	BadUrl,
}

impl FetchError {
	/// A short reason, as the RPC shows it.
	pub fn describe(&self) -> String {
		use alloc::format;
		match self {
			Self::Unreachable => "unreachable".into(),
			Self::Timeout => "timeout".into(),
			Self::HttpStatus(code) => format!("http status {code}"),
			Self::TooLarge => "response too large".into(),
			Self::InvalidJson => "invalid json".into(),
			Self::MissingField => "missing field".into(),
			Self::NotANumber => "not a number".into(),
			Self::OutOfRange => "value out of range".into(),
			Self::SubmitFailed => "transaction pool refused the report".into(),
			Self::LengthMismatch => "body length differs from content-length".into(),
			Self::NotIncluded => "report not included before the round ended".into(),
			Self::PrivateAddress => "private or local address refused by this node".into(),
			Self::HostUnchecked => "host name not resolved by this node yet".into(),
			Self::BadUrl => "url not allowed".into(),
		}
	}
}

/// What a node's worker remembers about a feed, in the node's off-chain storage (persistent) at
/// [`status_key`]; the `iot_feedStatus` RPC method reads it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Default)]
pub struct FeedStatus {
	/// Parachain block after which the worker last tried the feed.
	pub last_attempt_block: u32,
	/// Parachain block of the last successful fetch and submitted report, if any.
	pub last_success_block: Option<u32>,
	/// Round and value of the last report submitted to the transaction pool.
	pub last_report: Option<(Round, i128)>,
	/// Why the last attempt failed, if it did.
	pub last_error: Option<FetchError>,
	/// How long the last request took, in milliseconds.
	pub last_latency_ms: u64,
	/// Attempts that failed since the last success.
	pub consecutive_failures: u32,
	/// The last round whose report this node saw on chain: counted in the round's reports, or
	/// the round settled while it was in the pool. A `last_report` round above it is submitted
	/// and not (yet) included; once that round is over, `last_error` says
	/// [`FetchError::NotIncluded`].
	pub last_included_round: Option<Round>,
}

/// Prefix of the worker's status keys in off-chain storage.
pub const STATUS_PREFIX: &[u8] = b"iot-parachain:sensor-feeds:status:";

/// Off-chain storage key of `feed`'s status: [`STATUS_PREFIX`] ‖ feed id `u64`.
pub fn status_key(feed: FeedId) -> Vec<u8> {
	let mut key = STATUS_PREFIX.to_vec();
	key.extend_from_slice(&feed.to_le_bytes());
	key
}

/// Reads the value at `pointer` in the JSON `body` as `value_type`, scaled by `decimals`.
pub fn parse_value(
	body: &[u8],
	pointer: &str,
	value_type: FeedValueType,
	decimals: u8,
) -> Result<i128, FetchError> {
	let json: serde_json::Value =
		serde_json::from_slice(body).map_err(|_| FetchError::InvalidJson)?;
	let value = json.pointer(pointer).ok_or(FetchError::MissingField)?;
	match (value_type, value) {
		(FeedValueType::Boolean, serde_json::Value::Bool(b)) => Ok(i128::from(*b)),
		(FeedValueType::Integer, serde_json::Value::Number(n)) => {
			if let Some(i) = n.as_i64() {
				Ok(i128::from(i))
			} else if let Some(u) = n.as_u64() {
				Ok(i128::from(u))
			} else {
				Err(FetchError::NotANumber)
			}
		},
		(FeedValueType::Decimal, serde_json::Value::Number(n)) => {
			scale_decimal(&alloc::format!("{n}"), decimals).ok_or(FetchError::OutOfRange)
		},
		_ => Err(FetchError::NotANumber),
	}
}

/// `round(text × 10^decimals)` for a JSON number's literal text (`-12.5`, `3e-2`, `1E+3`),
/// rounding half away from zero; `None` if it does not fit an `i128` or is not a number.
///
/// The work is bounded by the text's length whatever the exponent says: a zero mantissa is 0
/// (`0e2147483600` is valid JSON for 0), an exponent that would need more than the 39 digits of
/// an `i128` is out of range at once, and one that leaves no digit before the decimal point
/// rounds to 0 or ±1 — never a loop over the exponent.
pub fn scale_decimal(text: &str, decimals: u8) -> Option<i128> {
	// Digits an `i128` can hold: |i128| < 1.8 × 10^38.
	const MAX_DIGITS: i64 = 39;
	let (negative, rest) = match text.strip_prefix('-') {
		Some(rest) => (true, rest),
		None => (false, text),
	};
	let (mantissa, exponent) = match rest.find(['e', 'E']) {
		Some(at) => {
			let (m, e) = rest.split_at(at);
			(m, parse_exponent(e.get(1..)?)?)
		},
		None => (rest, 0),
	};
	let (int_part, frac_part) = match mantissa.find('.') {
		Some(at) => (mantissa.get(..at)?, mantissa.get(at.checked_add(1)?..)?),
		None => (mantissa, ""),
	};
	if int_part.is_empty() || !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit())
	{
		return None;
	}
	// The significant digits as one integer string (leading zeros dropped), and the power of ten
	// that applies to it.
	let all = int_part.bytes().chain(frac_part.bytes());
	let significant: alloc::vec::Vec<u8> = all.skip_while(|b| *b == b'0').collect();
	if significant.is_empty() {
		return Some(0);
	}
	let frac_len = i64::try_from(frac_part.len()).ok()?;
	let shift = exponent.saturating_add(i64::from(decimals)).saturating_sub(frac_len);
	let len = i64::try_from(significant.len()).ok()?;
	// The value has `len + shift` digits before the decimal point.
	if len.saturating_add(shift) > MAX_DIGITS {
		return None;
	}
	let mut digits: i128 = 0;
	let keep = len.saturating_add(shift.min(0));
	for (i, b) in significant.iter().enumerate() {
		let i = i64::try_from(i).ok()?;
		if i >= keep {
			break;
		}
		digits = digits.checked_mul(10)?.checked_add(i128::from(b.checked_sub(b'0')?))?;
	}
	if shift > 0 {
		// At most `MAX_DIGITS` multiplications: checked above.
		for _ in 0..shift {
			digits = digits.checked_mul(10)?;
		}
	} else {
		// Round on the first dropped digit (a `keep` below 0 drops a leading zero: round down).
		let first_dropped = usize::try_from(keep).ok().and_then(|k| significant.get(k));
		if first_dropped.is_some_and(|d| *d >= b'5') {
			digits = digits.checked_add(1)?;
		}
	}
	Some(if negative { digits.checked_neg()? } else { digits })
}

/// A JSON exponent (`+5`, `-03`, `2147483600`): its value, saturated far beyond any exponent that
/// can matter (±10^15), so a thousand-digit exponent costs its length and nothing more.
fn parse_exponent(text: &str) -> Option<i64> {
	const CAP: i64 = 1_000_000_000_000_000;
	let (negative, digits) = match text.as_bytes().first() {
		Some(b'-') => (true, text.get(1..)?),
		Some(b'+') => (false, text.get(1..)?),
		_ => (false, text),
	};
	if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
		return None;
	}
	let value = digits.bytes().fold(0i64, |acc, b| {
		acc.saturating_mul(10).saturating_add(i64::from(b.saturating_sub(b'0'))).min(CAP)
	});
	Some(if negative { value.saturating_neg() } else { value })
}

/// The median of `values`: the middle one, or the mean of the two middle ones rounded toward
/// negative infinity. `None` for no values.
pub fn median(values: &mut [i128]) -> Option<i128> {
	values.sort_unstable();
	let mid = values.len() / 2;
	if values.is_empty() {
		None
	} else if values.len() % 2 == 1 {
		values.get(mid).copied()
	} else {
		let (low, high) = (*values.get(mid.checked_sub(1)?)?, *values.get(mid)?);
		// Overflow-free mean: both halves, plus the carry of two odd halves.
		Some(
			low.div_euclid(2)
				.checked_add(high.div_euclid(2))?
				.checked_add((low.rem_euclid(2).checked_add(high.rem_euclid(2))?).div_euclid(2))?,
		)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn decimals_scale_exactly_and_round_half_away_from_zero() {
		assert_eq!(scale_decimal("23.7", 1), Some(237));
		assert_eq!(scale_decimal("23.7", 3), Some(23_700));
		assert_eq!(scale_decimal("-12.55", 1), Some(-126));
		assert_eq!(scale_decimal("12.54", 1), Some(125));
		assert_eq!(scale_decimal("0.05", 1), Some(1));
		assert_eq!(scale_decimal("0.04", 1), Some(0));
		assert_eq!(scale_decimal("3e-2", 2), Some(3));
		assert_eq!(scale_decimal("1E+3", 0), Some(1_000));
		assert_eq!(scale_decimal("1.5e1", 0), Some(15));
		assert_eq!(scale_decimal("4", 2), Some(400));
		assert_eq!(scale_decimal("0.0001", 2), Some(0));
		assert_eq!(scale_decimal("0.009", 2), Some(1));
		assert_eq!(scale_decimal("1e40", 0), None);
		assert_eq!(scale_decimal("abc", 0), None);
		assert_eq!(scale_decimal("", 0), None);
		assert_eq!(scale_decimal(".5", 0), None);
		assert_eq!(scale_decimal("0.5", 0), Some(1));
		assert_eq!(scale_decimal("0.05", 0), Some(0));
		assert_eq!(scale_decimal("100e-2", 0), Some(1));
		assert_eq!(scale_decimal("-0", 3), Some(0));
		assert_eq!(scale_decimal("170141183460469231731687303715884105727", 0), Some(i128::MAX));
		assert_eq!(scale_decimal("170141183460469231731687303715884105728", 0), None);
		assert_eq!(scale_decimal("1e", 0), None);
		assert_eq!(scale_decimal("1e+", 0), None);
		assert_eq!(scale_decimal("1e-x", 0), None);
	}

	/// A hostile feed server's numbers: every one is answered at once, whatever its exponent
	/// (before the fix, `0e2147483600` multiplied by ten 2·10⁹ times and stalled the worker for
	/// seconds; `0e999999999999`, valid JSON for 0, was refused).
	#[test]
	fn huge_exponents_cost_nothing() {
		let started = std::time::Instant::now();
		assert_eq!(scale_decimal("0e2147483600", 18), Some(0));
		assert_eq!(scale_decimal("0e999999999999", 0), Some(0));
		assert_eq!(scale_decimal("0.000e-999999999999999999999999", 0), Some(0));
		assert_eq!(scale_decimal("1e2147483600", 0), None);
		assert_eq!(scale_decimal("1e-2147483600", 18), Some(0));
		assert_eq!(scale_decimal("-5e-2147483647", 0), Some(0));
		assert_eq!(scale_decimal(&format!("1e{}", "9".repeat(5000)), 0), None);
		assert_eq!(scale_decimal(&format!("0.{}1", "0".repeat(5000)), 18), Some(0));
		assert_eq!(scale_decimal("1e38", 0), Some(10i128.pow(38)));
		assert_eq!(scale_decimal("2e38", 0), None);
		assert!(started.elapsed() < std::time::Duration::from_millis(100));
		// Through the JSON parser as the worker meets them (serde_json keeps the literal).
		let read = |body: &str| parse_value(body.as_bytes(), "/v", FeedValueType::Decimal, 2);
		assert_eq!(read(r#"{"v": 0e2147483600}"#), Ok(0));
		assert_eq!(read(r#"{"v": 0e999999999999}"#), Ok(0));
		assert_eq!(read(r#"{"v": 1e400}"#), Err(FetchError::OutOfRange));
		assert_eq!(read(r#"{"v": 21.5e-1}"#), Ok(215));
	}

	#[test]
	fn values_are_read_at_the_pointer_with_their_type() {
		let body = br#"{"inverter":{"power_w":1234.56,"online":true,"serial":"A1","count":7}}"#;
		let read = |p: &str, t, d| parse_value(body, p, t, d);
		assert_eq!(read("/inverter/power_w", FeedValueType::Decimal, 2), Ok(123_456));
		assert_eq!(read("/inverter/online", FeedValueType::Boolean, 0), Ok(1));
		assert_eq!(read("/inverter/count", FeedValueType::Integer, 0), Ok(7));
		assert_eq!(
			read("/inverter/power_w", FeedValueType::Integer, 0),
			Err(FetchError::NotANumber)
		);
		assert_eq!(
			read("/inverter/serial", FeedValueType::Decimal, 0),
			Err(FetchError::NotANumber)
		);
		assert_eq!(
			read("/inverter/missing", FeedValueType::Decimal, 0),
			Err(FetchError::MissingField)
		);
		assert_eq!(
			parse_value(b"<html>", "/a", FeedValueType::Decimal, 0),
			Err(FetchError::InvalidJson)
		);
		assert_eq!(
			parse_value(br#"{"a":1e300}"#, "/a", FeedValueType::Decimal, 0),
			Err(FetchError::OutOfRange)
		);
	}

	#[test]
	fn median_of_odd_and_even_counts() {
		assert_eq!(median(&mut []), None);
		assert_eq!(median(&mut [5]), Some(5));
		assert_eq!(median(&mut [9, 1, 5]), Some(5));
		assert_eq!(median(&mut [1, 2, 3, 10]), Some(2));
		assert_eq!(median(&mut [-3, -2]), Some(-3));
		assert_eq!(median(&mut [i128::MAX, i128::MAX]), Some(i128::MAX));
		assert_eq!(median(&mut [i128::MIN, i128::MIN]), Some(i128::MIN));
	}

	#[test]
	fn report_layout_matches_the_docs() {
		let bytes = ReportPayload::new([7; 32], 3, 9, -5).signing_bytes();
		assert_eq!(bytes.len(), 100);
		assert_eq!(&bytes[..36], &REPORT_TAG);
		assert_eq!(&bytes[36..68], &[7; 32]);
		assert_eq!(&bytes[68..76], &3u64.to_le_bytes());
		assert_eq!(&bytes[76..84], &9u64.to_le_bytes());
		assert_eq!(&bytes[84..100], &(-5i128).to_le_bytes());
		assert_eq!(status_key(1), [STATUS_PREFIX, &1u64.to_le_bytes()].concat());
	}

	use crate::hex;

	/// The report an operator signs, for values of every sign and both extremes.
	fn vectors() -> serde_json::Value {
		let genesis = [0x11; 32];
		let reports: Vec<serde_json::Value> = [0i128, 2_375, -1_250, i128::MAX, i128::MIN]
			.into_iter()
			.map(|value| {
				let payload = ReportPayload::new(genesis, 3, 7, value);
				serde_json::json!({
					"feed": 3,
					"round": 7,
					"value": value.to_string(),
					"signingBytes": hex(&payload.signing_bytes()),
				})
			})
			.collect();
		serde_json::json!({
			"tag": String::from_utf8(REPORT_TAG.to_vec()).unwrap(),
			"layout": "tag ‖ genesis hash ‖ feed u64 LE ‖ round u64 LE ‖ value i128 LE (two's complement)",
			"genesisHash": hex(&genesis),
			"reports": reports,
		})
	}

	/// The committed vectors are what this code produces (`UPDATE_TEST_VECTORS=1` rewrites them).
	#[test]
	fn test_vectors_file_is_current() {
		crate::assert_vectors_current("feeds.json", &vectors());
	}

	#[test]
	fn report_layout() {
		let bytes = ReportPayload::new([0x11; 32], 3, 7, -2).signing_bytes();
		assert_eq!(bytes.len(), 36 + 32 + 8 + 8 + 16);
		assert_eq!(&bytes[..36], &REPORT_TAG);
		assert_eq!(&bytes[68..76], &3u64.to_le_bytes());
		assert_eq!(&bytes[76..84], &7u64.to_le_bytes());
		assert_eq!(&bytes[84..], &(-2i128).to_le_bytes());
	}
}
