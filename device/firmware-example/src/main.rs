//! A device's firmware, as small as it gets: it takes 64 readings of a (simulated) temperature
//! sensor, builds the batch's Merkle root as they come ([`BatchBuilder`]), numbers the anchor
//! from a persisted counter, signs the anchor statement with a P-256 key and with an sr25519 key,
//! and prints everything over semihosting, one JSON object a line, for the host to check and the
//! gateway to submit. Run under QEMU (machine `mps2-an386`, a Cortex-M4F):
//!
//! ```text
//! qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic \
//!   -semihosting-config enable=on,target=native -kernel <elf> \
//!   -append "<genesis hash hex> <P-256 device id> <its stream> <sr25519 device id> <its stream> <first sequence>"
//! ```
//!
//! The keys are fixed example keys (a real device keeps its P-256 key in a secure element, see
//! `iot_device::signer::SecureElementSigner`), and the sr25519 nonces come from a fixed-seed
//! generator because the emulated board has no random number generator: **never** ship that —
//! inject the part's TRNG.

#![no_std]
#![no_main]

use core::fmt::Write as _;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hio, nr};
use iot_device::{
	batch::BatchBuilder,
	iot_formats::{
		device::DeviceSignature,
		provenance::{AnchorPayload, ANCHOR_TAG},
		SoftwareBlake2,
	},
	sequence::{MemoryStore, SequenceCounter},
	sign_anchor,
	signer::{P256Signer, Sr25519Signer},
	Signer,
};

/// The example's P-256 secret (the host test registers its public key).
const P256_SECRET: [u8; 32] = [0x41; 32];
/// The example's sr25519 seed.
const SR25519_SEED: [u8; 32] = [0x42; 32];
const READINGS: u32 = 64;
/// Stack painted below the current stack pointer to measure the peak use.
const PAINTED: usize = 48 * 1024;
const PAINT: u32 = 0xdead_beef;

/// Example only: splitmix64. The emulated board has no TRNG; a real one's goes here.
struct ExampleRng(u64);

impl rand_core::RngCore for ExampleRng {
	fn next_u32(&mut self) -> u32 {
		self.next_u64() as u32
	}
	fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}
	fn fill_bytes(&mut self, dest: &mut [u8]) {
		for chunk in dest.chunks_mut(8) {
			let bytes = self.next_u64().to_le_bytes();
			chunk.copy_from_slice(&bytes[..chunk.len()]);
		}
	}
	fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
		self.fill_bytes(dest);
		Ok(())
	}
}

impl rand_core::CryptoRng for ExampleRng {}

/// The command line QEMU passes with `-append` (semihosting SYS_GET_CMDLINE).
fn command_line(buf: &mut [u8]) -> &str {
	let mut block = [buf.as_mut_ptr() as usize, buf.len()];
	// SAFETY: the block points at `buf` and gives its length; the host writes at most that into
	// `buf`, and the length it wrote back into the block (hence `&mut`, which `syscall`'s
	// signature does not ask for; the volatile read keeps the compiler from assuming it unchanged).
	#[allow(clippy::unnecessary_mut_passed)]
	let failed = unsafe { cortex_m_semihosting::syscall(nr::GET_CMDLINE, &mut block) };
	let written = unsafe { core::ptr::read_volatile(&block[1]) };
	let len = if failed == 0 { written.min(buf.len()) } else { 0 };
	core::str::from_utf8(&buf[..len]).unwrap_or("")
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
	let s = s.strip_prefix("0x").unwrap_or(s);
	if s.len() != 64 {
		return None;
	}
	let mut out = [0u8; 32];
	for (i, slot) in out.iter_mut().enumerate() {
		*slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
	}
	Some(out)
}

struct Hex<'a>(&'a [u8]);

impl core::fmt::Display for Hex<'_> {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str("0x")?;
		for byte in self.0 {
			write!(f, "{byte:02x}")?;
		}
		Ok(())
	}
}

/// Reading `i`: 8 bytes of time (ms, little-endian) and 4 of temperature in milli-degrees.
fn reading(i: u32, start_ms: u64) -> ([u8; 12], u64) {
	let time = start_ms + u64::from(i) * 60_000;
	let milli_celsius = 21_000i32 + ((i * 37) % 900) as i32;
	let mut out = [0u8; 12];
	out[..8].copy_from_slice(&time.to_le_bytes());
	out[8..].copy_from_slice(&milli_celsius.to_le_bytes());
	(out, time)
}

/// Fills the stack below the current frame with a pattern; `stack_used` finds how deep it went.
#[inline(never)]
fn paint_stack() -> usize {
	let here = cortex_m::register::msp::read() as usize;
	let bottom = here - PAINTED;
	for addr in (bottom..here - 256).step_by(4) {
		// SAFETY: the RAM below the stack pointer is unused stack (the board has 4 MiB of it).
		unsafe { core::ptr::write_volatile(addr as *mut u32, PAINT) };
	}
	bottom
}

fn stack_used(bottom: usize, top: usize) -> usize {
	let mut addr = bottom;
	// SAFETY: reads of the painted region.
	while addr < top && unsafe { core::ptr::read_volatile(addr as *const u32) } == PAINT {
		addr += 4;
	}
	top - addr
}

#[entry]
fn main() -> ! {
	let Ok(mut out) = hio::hstdout() else { fail() };
	let mut line = [0u8; 512];
	let args = command_line(&mut line);
	// The host's command line starts with the program's name (QEMU: the kernel's path).
	let mut fields = args.split_ascii_whitespace().skip(1);
	// No defaults: a device that signs for a chain it was not told about is a bug.
	let genesis_hash = fields.next().and_then(parse_hex32).unwrap_or_else(|| usage(&mut out));
	let mut number = || fields.next().and_then(|f| f.parse::<u64>().ok());
	let numbers = [number(), number(), number(), number(), number()];
	let [Some(p256_device), Some(p256_stream), Some(sr_device), Some(sr_stream), Some(first_sequence)] =
		numbers
	else {
		usage(&mut out)
	};

	let stack_top = cortex_m::register::msp::read() as usize;
	let painted_bottom = paint_stack();

	let mut p256 = P256Signer::from_secret(&P256_SECRET).unwrap_or_else(|_| fail());
	let mut sr25519 =
		Sr25519Signer::from_seed(&SR25519_SEED, ExampleRng(0x5eed)).unwrap_or_else(|_| fail());

	let start_ms = 1_764_000_000_000u64;
	for (signer, device, stream) in [
		(&mut p256 as &mut dyn DynSigner, p256_device, p256_stream),
		(&mut sr25519 as &mut dyn DynSigner, sr_device, sr_stream),
	] {
		// Each device has its own counter; a real one opens it on its flash
		// (iot_device::sequence::CounterStore), here it lives in RAM.
		let mut sequences =
			SequenceCounter::open(MemoryStore::default(), 16).unwrap_or_else(|_| fail());
		if let Some(last_on_chain) = first_sequence.checked_sub(1) {
			sequences.advance_past(last_on_chain).unwrap_or_else(|_| fail());
		}
		let mut batch = BatchBuilder::<SoftwareBlake2>::new();
		let (mut first, mut last) = (0, 0);
		for i in 0..READINGS {
			let (bytes, time) = reading(i, start_ms);
			if i == 0 {
				first = time;
			}
			last = time;
			batch.push(&bytes).unwrap_or_else(|_| fail());
			let _ = writeln!(
				out,
				"{{\"kind\":\"reading\",\"device\":{device},\"index\":{i},\"bytes\":\"{}\"}}",
				Hex(&bytes)
			);
		}
		let (root, count) = batch.finish().unwrap_or_else(|| fail());
		let sequence = sequences.next_sequence().unwrap_or_else(|_| fail());
		let anchor = AnchorPayload {
			tag: ANCHOR_TAG,
			genesis_hash,
			device,
			stream,
			sequence,
			root,
			count,
			first_timestamp: first,
			last_timestamp: last,
			content_id: None,
		};
		let signature = signer.sign_anchor(&anchor).unwrap_or_else(|| fail());
		let key = signer.key();
		let _ = writeln!(
			out,
			"{{\"kind\":\"anchor\",\"keyType\":\"{}\",\"publicKey\":\"{}\",\"device\":{device},\"stream\":{stream},\"sequence\":{sequence},\"root\":\"{}\",\"count\":{count},\"firstTimestamp\":{first},\"lastTimestamp\":{last},\"signature\":\"{}\"}}",
			key.0,
			Hex(key.1.as_bytes()),
			Hex(&root),
			Hex(signature.as_bytes()),
		);
	}
	let _ = writeln!(
		out,
		"{{\"kind\":\"done\",\"stackBytes\":{},\"builderBytes\":{}}}",
		stack_used(painted_bottom, stack_top),
		core::mem::size_of::<BatchBuilder<SoftwareBlake2>>()
	);
	debug::exit(debug::EXIT_SUCCESS);
	halt()
}

/// The two signers behind one loop.
trait DynSigner {
	fn key(&self) -> (&'static str, iot_device::iot_formats::device::DeviceKey);
	fn sign_anchor(&mut self, anchor: &AnchorPayload<'_>) -> Option<DeviceSignature>;
}

impl<S: Signer> DynSigner for S {
	fn key(&self) -> (&'static str, iot_device::iot_formats::device::DeviceKey) {
		use iot_device::iot_formats::device::DeviceKey;
		let key = self.public_key();
		let name = match key {
			DeviceKey::Ed25519(_) => "ed25519",
			DeviceKey::Sr25519(_) => "sr25519",
			DeviceKey::Secp256k1(_) => "secp256k1",
			DeviceKey::P256(_) => "p256",
		};
		(name, key)
	}
	fn sign_anchor(&mut self, anchor: &AnchorPayload<'_>) -> Option<DeviceSignature> {
		sign_anchor(self, anchor).ok()
	}
}

fn usage(out: &mut hio::HostStream) -> ! {
	let _ = writeln!(
		out,
		"usage: <genesis hash, 64 hex digits> <P-256 device> <stream> <sr25519 device> <stream> <first sequence>"
	);
	fail()
}

fn fail() -> ! {
	debug::exit(debug::EXIT_FAILURE);
	halt()
}

/// After a semihosting exit QEMU has stopped; on a board without a debugger, sleep.
fn halt() -> ! {
	loop {
		cortex_m::asm::wfi();
	}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
	fail()
}
