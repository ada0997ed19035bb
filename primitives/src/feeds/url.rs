//! # Feed URLs and the addresses a worker may fetch
//!
//! A feed's URL is chosen by whoever registers the feed, and every assigned operator's node
//! fetches it: without rules that is a server-side request forgery (SSRF) for hire, a feed at
//! `http://127.0.0.1:9944/health` would put the operator node's own answers on chain. Two checks
//! stop it, both built on [`parse_url`]:
//!
//! - **At registration** (on chain, the same for everyone) a URL must be `http://` or `https://`
//!   with a host, no user info (`user:password@` would sit on chain in plain text), a port from 1
//!   to 65535 if one is given, only printable ASCII (an international name in its `xn--` form),
//!   and no `\` or `%` in the host (no way to spell a host that one URL parser reads differently
//!   from another). A host made of numbers must be an IPv4 address the way resolvers read one
//!   (`127.1`, `0x7f.0.0.1`, `2130706433` are all 127.0.0.1), so it is classified as what the
//!   HTTP client will connect to.
//! - **In the worker** (off chain, by the operator's own policy): an address literal is fetched
//!   only if it is public ([`is_public_v4`], [`is_public_v6`]), a name only if it is not
//!   `localhost` and the node resolved it to public addresses only (the worker cannot resolve
//!   names itself: see [`HostVerdict`]). An operator who wants private feeds (a site's own
//!   loggers on its LAN) allows them with a node flag; a dev node allows them by default.

use core::net::{Ipv4Addr, Ipv6Addr};

/// Why a URL is refused at registration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UrlError {
	/// Not `http://` or `https://`.
	Scheme,
	/// `user[:password]@` before the host.
	UserInfo,
	/// No host, or a host with characters a host name cannot have.
	Host,
	/// A port that is not a number from 1 to 65535.
	Port,
	/// A character that is not printable ASCII (space, control, non-ASCII, `\`).
	Character,
}

/// The host of a feed URL.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Host<'a> {
	/// A name, as written (compare without case).
	Name(&'a str),
	/// An IPv4 address, in whichever form it was written.
	V4(Ipv4Addr),
	/// An IPv6 address (`[…]`).
	V6(Ipv6Addr),
}

/// A feed URL, taken apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FeedUrl<'a> {
	/// `https://`.
	pub https: bool,
	/// The host.
	pub host: Host<'a>,
	/// The host as written (for a name: what the node resolves).
	pub host_text: &'a str,
	/// The port, given or the scheme's.
	pub port: u16,
}

/// Takes `url` apart under the rules of the module docs.
pub fn parse_url(url: &[u8]) -> Result<FeedUrl<'_>, UrlError> {
	if !url.iter().all(|b| (0x21..=0x7e).contains(b) && *b != b'\\') {
		return Err(UrlError::Character);
	}
	// Only printable ASCII is left, so this is UTF-8.
	let url = core::str::from_utf8(url).map_err(|_| UrlError::Character)?;
	let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
		(true, rest)
	} else if let Some(rest) = url.strip_prefix("http://") {
		(false, rest)
	} else {
		return Err(UrlError::Scheme);
	};
	let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
	if authority.contains('@') {
		return Err(UrlError::UserInfo);
	}
	let (host_text, port_text) = if let Some(bracketed) = authority.strip_prefix('[') {
		let (inside, after) = bracketed.split_once(']').ok_or(UrlError::Host)?;
		match after {
			"" => (inside, None),
			_ => (inside, Some(after.strip_prefix(':').ok_or(UrlError::Host)?)),
		}
	} else {
		match authority.split_once(':') {
			Some((host, port)) => (host, Some(port)),
			None => (authority, None),
		}
	};
	let port = match port_text {
		None => {
			if https {
				443
			} else {
				80
			}
		},
		Some(text) => {
			if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
				return Err(UrlError::Port);
			}
			match text.parse::<u16>() {
				Ok(port) if port > 0 => port,
				_ => return Err(UrlError::Port),
			}
		},
	};
	let host = if authority.starts_with('[') {
		Host::V6(host_text.parse::<Ipv6Addr>().map_err(|_| UrlError::Host)?)
	} else {
		classify_name(host_text)?
	};
	Ok(FeedUrl { https, host, host_text, port })
}

/// A host that is not in brackets: a name, or an IPv4 address in any form a resolver accepts.
fn classify_name(host: &str) -> Result<Host<'_>, UrlError> {
	let valid = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_';
	if host.is_empty() || host.len() > 253 || !host.bytes().all(valid) {
		return Err(UrlError::Host);
	}
	// As URL parsers and resolvers decide: a host whose last label is a number is an IPv4 address
	// (`127.1`, `0x7f.1`, `2130706433`, `0177.0.0.1`); one that does not parse as one is refused
	// rather than guessed at.
	let trimmed = host.strip_suffix('.').unwrap_or(host);
	let last = trimmed.rsplit('.').next().unwrap_or_default();
	let numeric = !last.is_empty()
		&& (last.bytes().all(|b| b.is_ascii_digit())
			|| ((last.starts_with("0x") || last.starts_with("0X"))
				&& last.bytes().skip(2).all(|b| b.is_ascii_hexdigit())));
	if numeric {
		return parse_ipv4_any(trimmed).map(Host::V4).ok_or(UrlError::Host);
	}
	Ok(Host::Name(host))
}

/// An IPv4 address in the forms `inet_aton` and the WHATWG URL standard accept: one to four parts
/// separated by dots, each decimal, octal (leading `0`) or hexadecimal (`0x`), the last part
/// filling the remaining bytes.
fn parse_ipv4_any(text: &str) -> Option<Ipv4Addr> {
	let mut parts = [0u64; 4];
	let mut count = 0usize;
	for part in text.split('.') {
		let slot = parts.get_mut(count)?;
		*slot = parse_ipv4_part(part)?;
		count = count.checked_add(1)?;
	}
	let (head, last) = match count {
		1..=4 => parts.split_at(count.checked_sub(1)?),
		_ => return None,
	};
	let last = *last.first()?;
	let mut value: u64 = 0;
	for (i, part) in head.iter().enumerate() {
		if *part > 255 {
			return None;
		}
		value |= part.checked_shl(24u32.checked_sub(u32::try_from(i).ok()?.checked_mul(8)?)?)?;
	}
	// The last part fills the bytes the others left: 32, 24, 16 or 8 bits.
	let bits = 32u32.checked_sub(u32::try_from(head.len()).ok()?.checked_mul(8)?)?;
	if last >= 1u64.checked_shl(bits)? {
		return None;
	}
	value |= last;
	Some(Ipv4Addr::from(u32::try_from(value).ok()?))
}

fn parse_ipv4_part(part: &str) -> Option<u64> {
	let (digits, radix) = if let Some(hex) = part.strip_prefix("0x").or(part.strip_prefix("0X")) {
		(hex, 16)
	} else if part.len() > 1 && part.starts_with('0') {
		(part.get(1..)?, 8)
	} else {
		(part, 10)
	};
	if digits.is_empty() {
		// `0x` alone is 0, as resolvers read it; an empty part (`1..2`) is not a number.
		return (radix == 16).then_some(0);
	}
	// Eleven digits are more than 32 bits in every radix that matters here: refuse, not overflow.
	if digits.len() > 11 {
		return None;
	}
	u64::from_str_radix(digits, radix).ok()
}

/// Whether an IPv4 address is reachable on the public internet: not "this network" (0/8),
/// private (10/8, 172.16/12, 192.168/16), shared (100.64/10), loopback (127/8), link-local
/// (169.254/16), IETF protocol assignments (192.0.0/24), documentation, benchmarking
/// (198.18/15), multicast (224/4), reserved (240/4) or broadcast.
pub fn is_public_v4(address: Ipv4Addr) -> bool {
	let [a, b, c, _] = address.octets();
	!(a == 0
		|| a == 10
		|| (a == 100 && (64..128).contains(&b))
		|| a == 127
		|| (a == 169 && b == 254)
		|| (a == 172 && (16..32).contains(&b))
		|| (a == 192 && b == 0 && (c == 0 || c == 2))
		|| (a == 192 && b == 168)
		|| (a == 198 && (18..20).contains(&b))
		|| (a == 198 && b == 51 && c == 100)
		|| (a == 203 && b == 0 && c == 113)
		|| a >= 224)
}

/// Whether an IPv6 address is reachable on the public internet: not unspecified, loopback,
/// unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10), multicast
/// (ff00::/8), documentation (2001:db8::/32), discard (100::/64); and an address that carries an
/// IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64
/// `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) only if that IPv4 address is public.
pub fn is_public_v6(address: Ipv6Addr) -> bool {
	let segments = address.segments();
	let [s0, s1, s2, s3, s4, s5, s6, s7] = segments;
	let embedded = |high: u16, low: u16| {
		let [a, b] = high.to_be_bytes();
		let [c, d] = low.to_be_bytes();
		Ipv4Addr::new(a, b, c, d)
	};
	if address.is_unspecified() || address.is_loopback() {
		return false;
	}
	if s0 == 0 && s1 == 0 && s2 == 0 && s3 == 0 && s4 == 0 && (s5 == 0 || s5 == 0xffff) {
		// IPv4-mapped or IPv4-compatible.
		return is_public_v4(embedded(s6, s7));
	}
	if s0 == 0x64 && s1 == 0xff9b {
		return is_public_v4(embedded(s6, s7));
	}
	if s0 == 0x2002 {
		return is_public_v4(embedded(s1, s2));
	}
	!((s0 & 0xfe00) == 0xfc00
		|| (s0 & 0xffc0) == 0xfe80
		|| (s0 & 0xffc0) == 0xfec0
		|| (s0 & 0xff00) == 0xff00
		|| (s0 == 0x2001 && s1 == 0x0db8)
		|| (s0 == 0x0100 && s1 == 0 && s2 == 0 && s3 == 0))
}

/// Whether a name means this machine whatever DNS says (`localhost`, `*.localhost`, with or
/// without a final dot, in any case).
pub fn is_local_name(name: &str) -> bool {
	// The last label decides: `localhost` and every name under it.
	let name = name.strip_suffix('.').unwrap_or(name);
	name.rsplit('.').next().is_some_and(|label| label.eq_ignore_ascii_case("localhost"))
}

/// What an operator's node found when it resolved a feed's host name, in its off-chain storage at
/// [`host_verdict_key`] (`iot-node` resolves the names the worker asks for in
/// [`HOST_QUEUE_KEY`]).
#[derive(Clone, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo, Debug)]
pub struct HostVerdict {
	/// When the name was resolved, in Unix milliseconds (the worker's clock).
	pub checked_at_ms: u64,
	/// All its addresses are public (and it has at least one).
	pub public: bool,
}

/// A verdict older than this is not used: the node resolves a wanted name again every
/// [`HOST_RECHECK_MS`], so a verdict the worker uses is at most that old plus a lookup.
pub const HOST_VERDICT_TTL_MS: u64 = 120_000;

/// How often the node resolves a wanted name again.
pub const HOST_RECHECK_MS: u64 = 30_000;

/// A name the worker stopped asking for this long ago is dropped from the queue.
pub const HOST_FORGET_MS: u64 = 600_000;

/// The most names the queue holds (the oldest wanted is dropped first).
pub const MAX_QUEUED_HOSTS: usize = 512;

/// Off-chain storage key (persistent) of the names the worker wants resolved: SCALE
/// `Vec<(name bytes, wanted at in Unix ms)>`, at most [`MAX_QUEUED_HOSTS`].
pub const HOST_QUEUE_KEY: &[u8] = b"iot-parachain:sensor-feeds:hosts";

/// Prefix of the verdict keys.
pub const HOST_VERDICT_PREFIX: &[u8] = b"iot-parachain:sensor-feeds:host:";

/// Off-chain storage key (persistent) of the verdict on `name` (lower case).
pub fn host_verdict_key(name: &str) -> alloc::vec::Vec<u8> {
	let mut key = HOST_VERDICT_PREFIX.to_vec();
	key.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
	key
}

/// Off-chain storage key (persistent) of the node's policy: SCALE `bool`, `true` if the operator
/// allows feeds at private, loopback and local addresses. Written by the node at start; missing
/// means refused.
pub const ALLOW_PRIVATE_HOSTS_KEY: &[u8] = b"iot-parachain:sensor-feeds:allow-private-hosts";

#[cfg(test)]
mod tests {
	use super::*;

	fn host(url: &str) -> Host<'_> {
		parse_url(url.as_bytes()).unwrap().host
	}

	#[test]
	fn urls_with_user_info_other_schemes_or_no_host_are_refused() {
		let refused = [
			("ftp://example.com/", UrlError::Scheme),
			("file:///etc/passwd", UrlError::Scheme),
			("HTTP://example.com/", UrlError::Scheme),
			("gopher://x/", UrlError::Scheme),
			("http://user:secret@example.com/", UrlError::UserInfo),
			("https://token@example.com/", UrlError::UserInfo),
			("http://", UrlError::Host),
			("http:///path", UrlError::Host),
			("http://:80/", UrlError::Host),
			("http://exa mple.com/", UrlError::Character),
			("http://example.com\\@evil/", UrlError::Character),
			("http://exämple.com/", UrlError::Character),
			("http://%31%32%37.0.0.1/", UrlError::Host),
			("http://example.com:0/", UrlError::Port),
			("http://example.com:65536/", UrlError::Port),
			("http://example.com:/", UrlError::Port),
			("http://example.com:8a/", UrlError::Port),
			("http://[::1/", UrlError::Host),
			("http://[::1]x/", UrlError::Host),
			("http://[fe80::1%25eth0]/", UrlError::Host),
			("http://1.2.3.256/", UrlError::Host),
			("http://1.2.3.4.5/", UrlError::Host),
			("http://99999999999/", UrlError::Host),
		];
		for (url, error) in refused {
			assert_eq!(parse_url(url.as_bytes()), Err(error), "{url}");
		}
		let ok = parse_url(b"https://api.example.com:8443/v1/power?site=3#x").unwrap();
		assert_eq!(
			ok,
			FeedUrl {
				https: true,
				host: Host::Name("api.example.com"),
				host_text: "api.example.com",
				port: 8443
			}
		);
		assert_eq!(parse_url(b"http://sim.local").unwrap().port, 80);
		// `@` after the host is part of the path, not user info.
		assert_eq!(host("http://example.com/a@b"), Host::Name("example.com"));
	}

	#[test]
	fn every_spelling_of_an_ipv4_address_is_that_address() {
		let loopback = Host::V4(Ipv4Addr::new(127, 0, 0, 1));
		for url in [
			"http://127.0.0.1/",
			"http://127.1/",
			"http://2130706433/",
			"http://0x7f000001/",
			"http://0x7f.0.0.1/",
			"http://0177.0.0.1/",
			"http://127.0.0.1./",
			"http://127.0.1/",
		] {
			assert_eq!(host(url), loopback, "{url}");
		}
		assert_eq!(host("http://10.1.2.3:8080/x"), Host::V4(Ipv4Addr::new(10, 1, 2, 3)));
		assert_eq!(
			host("http://[::ffff:127.0.0.1]/"),
			Host::V6("::ffff:127.0.0.1".parse().unwrap())
		);
		// Names that merely contain digits stay names.
		assert_eq!(host("http://1.example.com/"), Host::Name("1.example.com"));
		assert_eq!(host("http://example.123a/"), Host::Name("example.123a"));
	}

	#[test]
	fn private_and_special_addresses_are_not_public() {
		for private in [
			"0.0.0.0",
			"10.0.0.1",
			"100.64.0.1",
			"127.0.0.1",
			"169.254.169.254",
			"172.16.0.1",
			"172.31.255.255",
			"192.0.0.1",
			"192.168.1.1",
			"198.18.0.1",
			"224.0.0.1",
			"240.0.0.1",
			"255.255.255.255",
		] {
			assert!(!is_public_v4(private.parse().unwrap()), "{private}");
		}
		for public in ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1"] {
			assert!(is_public_v4(public.parse().unwrap()), "{public}");
		}
		for private in [
			"::",
			"::1",
			"fc00::1",
			"fd12:3456::1",
			"fe80::1",
			"fec0::1",
			"ff02::1",
			"2001:db8::1",
			"::ffff:127.0.0.1",
			"::ffff:10.0.0.1",
			"::127.0.0.1",
			"64:ff9b::7f00:1",
			"2002:7f00:1::",
			"100::1",
		] {
			assert!(!is_public_v6(private.parse().unwrap()), "{private}");
		}
		for public in ["2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"] {
			assert!(is_public_v6(public.parse().unwrap()), "{public}");
		}
	}

	#[test]
	fn localhost_in_any_spelling_is_local() {
		for name in ["localhost", "LOCALHOST", "localhost.", "api.localhost", "x.LocalHost."] {
			assert!(is_local_name(name), "{name}");
		}
		for name in ["localhost.example.com", "notlocalhost", "example.com"] {
			assert!(!is_local_name(name), "{name}");
		}
		assert_eq!(host_verdict_key("Sim.Local"), [HOST_VERDICT_PREFIX, b"sim.local"].concat());
	}
}
