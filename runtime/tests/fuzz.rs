//! A seeded fuzzer of the real runtime: random sequences of signed and authorized calls of the
//! four IoT pallets, balances and utility, from random accounts, with random and often malformed
//! arguments, executed block by block on the runtime (not the pallets' mocks). After every block it
//! checks every IoT pallet's `try_state`, that the total issuance equals the sum of all accounts
//! and changed only by burns (deposits move, fees for tombstones and XCM are burned), that no call
//! used more weight than it declared, and that the block's calls fit its weight limit. A panic
//! anywhere fails the test with the seed that found it.
//!
//! Half of the calls are built to get far (registrations with valid proofs, anchors and vouchers
//! signed by the registered device's key, channels on registered devices), the other half are raw
//! bytes decoded as a call of one of these pallets, which reach every argument's decoder and every
//! error path.
//!
//! `cargo test --workspace --test fuzz -- --nocapture` runs the short pass of the test command
//! (`IOT_FUZZ_SEEDS`, default 100 seeds × 12 blocks, about 1,200 blocks and 6,000 calls); `scripts/fuzz-runtime.sh MINUTES` runs new
//! seeds for that long and prints how many blocks and calls it executed.

use codec::{Decode, Encode};
use iot_primitives::{
	channel::{sign, Voucher},
	device::{DeviceKey, DeviceSignature, RegistrationPayload},
	provenance::{AnchorPayload, ANCHOR_TAG},
};
use iot_runtime::{
	DeviceRegistry, PaymentChannels, Provenance, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin,
	SensorFeeds,
};
use polkadot_sdk::{
	cumulus_pallet_parachain_system::RelaychainDataProvider,
	frame_support::{
		dispatch::{DispatchClass, GetDispatchInfo},
		traits::Authorize,
		weights::Weight,
	},
	frame_system,
	sp_core::{sr25519, Pair},
	sp_keyring::Sr25519Keyring,
	sp_runtime::{
		traits::BlockNumberProvider, transaction_validity::TransactionSource, AccountId32,
	},
};

mod common;
use common::state_of;

type Balances = polkadot_sdk::pallet_balances::Pallet<Runtime>;

/// splitmix64: a tiny, fully determined generator, so a seed reproduces a run exactly.
struct Rng(u64);
impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n.max(1)
	}
	fn bytes(&mut self, max: usize) -> Vec<u8> {
		let len = self.below(max as u64 + 1) as usize;
		(0..len).map(|_| self.next() as u8).collect()
	}
	/// Mostly small amounts, sometimes huge ones.
	fn amount(&mut self) -> u128 {
		match self.below(4) {
			0 => u128::from(self.next()) << 64 | u128::from(self.next()),
			1 => 0,
			_ => u128::from(self.below(50)) * iot_runtime::token::UNIT / 10,
		}
	}
}

const ACCOUNTS: [Sr25519Keyring; 6] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
];

/// What the fuzzer knows about the chain, to build calls that get past the first checks.
#[derive(Default)]
struct World {
	/// Devices it registered: id and the seed of its sr25519 key.
	devices: Vec<(u64, u8)>,
	/// Streams it created: id and its device's key seed.
	streams: Vec<(u64, u64, u8)>,
	/// Channels it opened: id and the seed of their voucher key.
	channels: Vec<(u64, u8)>,
}

fn device_pair(seed: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[seed; 32])
}

fn account(rng: &mut Rng) -> AccountId32 {
	ACCOUNTS[rng.below(ACCOUNTS.len() as u64) as usize].to_account_id()
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> Option<T> {
	(!items.is_empty()).then(|| items[rng.below(items.len() as u64) as usize])
}

/// A call that gets far, or `None` if the world has nothing to build it on yet.
fn structured(rng: &mut Rng, world: &World, who: &AccountId32) -> Option<RuntimeCall> {
	use pallet_device_registry::Call as Registry;
	use pallet_payment_channels::Call as Channels;
	use pallet_provenance::Call as Prov;
	let device_id =
		|rng: &mut Rng| pick(rng, &world.devices).map(|(id, _)| id).unwrap_or(rng.below(8));
	Some(match rng.below(16) {
		0 | 1 => {
			// A registration with a valid proof of possession (sometimes of a key already used).
			let seed = rng.below(40) as u8;
			let pair = device_pair(seed);
			let key = DeviceKey::Sr25519(pair.public().0);
			let genesis = pallet_device_registry::Pallet::<Runtime>::genesis_hash();
			let payload = RegistrationPayload::new(genesis, who.clone(), key);
			let signature = DeviceSignature::Sr25519(pair.sign(&payload.signing_bytes()).0);
			let metadata = pallet_device_registry::DeviceMetadataOf::<Runtime> {
				model: rng.bytes(8).try_into().ok()?,
				firmware_version: rng.bytes(4).try_into().ok()?,
				firmware_hash: None,
				uri: Default::default(),
			};
			RuntimeCall::DeviceRegistry(Registry::register_device { key, signature, metadata })
		},
		2 => RuntimeCall::Provenance(Prov::create_stream {
			device: device_id(rng),
			info: pallet_provenance::StreamInfo {
				name: rng.bytes(8).try_into().ok()?,
				unit: rng.bytes(4).try_into().ok()?,
				value_type: pallet_provenance::ValueType::Float,
				sampling_interval_ms: rng.next() as u32,
				schema: Default::default(),
			},
		}),
		3..=5 => {
			// An anchor signed by the stream's device (a random sequence, so often stale).
			let (stream, device, seed) = pick(rng, &world.streams)?;
			let first = rng.below(1 << 40);
			let statement = pallet_provenance::AnchorStatementOf::<Runtime> {
				sequence: rng.below(64),
				root: [rng.next() as u8; 32],
				count: rng.below(3) as u32,
				first_timestamp: first,
				last_timestamp: first + rng.below(1_000),
				content_id: None,
			};
			let payload = AnchorPayload {
				tag: ANCHOR_TAG,
				genesis_hash: pallet_provenance::Pallet::<Runtime>::genesis_hash(),
				device,
				stream,
				sequence: statement.sequence,
				root: statement.root,
				count: statement.count,
				first_timestamp: statement.first_timestamp,
				last_timestamp: statement.last_timestamp,
				content_id: None,
			};
			let signature =
				DeviceSignature::Sr25519(device_pair(seed).sign(&payload.signing_bytes()).0);
			RuntimeCall::Provenance(Prov::anchor { stream, statement, signature })
		},
		6 | 7 => {
			let signer = match pick(rng, &world.devices) {
				Some((id, _)) if rng.below(2) == 0 => {
					pallet_payment_channels::VoucherSigner::Device(id)
				},
				_ => pallet_payment_channels::VoucherSigner::Key(DeviceKey::Sr25519(
					device_pair(rng.below(40) as u8).public().0,
				)),
			};
			RuntimeCall::PaymentChannels(Channels::open {
				payee: account(rng),
				amount: rng.amount(),
				signer,
				challenge_period: 5 + rng.below(20) as u32,
				expires_at: None,
			})
		},
		8..=10 => {
			// A voucher signed by the channel's key (or the key of another one).
			let (channel, seed) = pick(rng, &world.channels)?;
			let voucher =
				Voucher { amount: rng.amount(), nonce: rng.below(20), lock: None, pays_for: None };
			let payload = PaymentChannels::payload(channel, &voucher)?;
			let signature = sign::sr25519(&device_pair(seed), &payload);
			let signed =
				pallet_payment_channels::SignedVoucher { voucher, signature, preimage: None };
			match rng.below(3) {
				0 => RuntimeCall::PaymentChannels(Channels::claim_many {
					claims: vec![(channel, signed.clone()), (channel, signed)].try_into().ok()?,
				}),
				1 => RuntimeCall::PaymentChannels(Channels::close { channel, last: Some(signed) }),
				_ => RuntimeCall::PaymentChannels(Channels::claim { channel, signed }),
			}
		},
		11 => {
			let channel = pick(rng, &world.channels).map(|(id, _)| id).unwrap_or(rng.below(8));
			RuntimeCall::PaymentChannels(match rng.below(3) {
				0 => Channels::start_close { channel },
				1 => Channels::settle { channel },
				_ => Channels::top_up { channel, amount: rng.amount() },
			})
		},
		12 | 13 => {
			let device = device_id(rng);
			RuntimeCall::DeviceRegistry(match rng.below(7) {
				0 => Registry::suspend { device },
				1 => Registry::resume { device },
				2 => Registry::decommission { device },
				3 => Registry::mark_compromised { device },
				4 => Registry::remove_device { device },
				5 => Registry::offer_transfer { device, to: account(rng).into() },
				_ => Registry::accept_transfer { device },
			})
		},
		14 => RuntimeCall::Balances(polkadot_sdk::pallet_balances::Call::transfer_allow_death {
			dest: account(rng).into(),
			value: rng.amount(),
		}),
		_ => RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch {
			calls: vec![structured(rng, world, who)?, raw(rng)?],
		}),
	})
}

/// Raw bytes decoded as a call of one of the fuzzed pallets (the pallet's index first).
fn raw(rng: &mut Rng) -> Option<RuntimeCall> {
	let pallets: Vec<u8> = [
		RuntimeCall::DeviceRegistry(pallet_device_registry::Call::suspend { device: 0 }),
		RuntimeCall::Provenance(pallet_provenance::Call::remove_stream { stream: 0 }),
		RuntimeCall::PaymentChannels(pallet_payment_channels::Call::settle { channel: 0 }),
		RuntimeCall::SensorFeeds(pallet_sensor_feeds::Call::remove_feed { feed: 0 }),
	]
	.iter()
	.map(|call| call.encode()[0])
	.collect();
	let mut bytes = vec![pallets[rng.below(pallets.len() as u64) as usize], rng.below(20) as u8];
	bytes.extend(rng.bytes(160));
	RuntimeCall::decode(&mut &bytes[..]).ok()
}

/// Issuance changes only by what was burned (tombstone and XCM fees, dust).
fn burned(events: &[RuntimeEvent]) -> u128 {
	events
		.iter()
		.map(|event| match event {
			RuntimeEvent::Balances(polkadot_sdk::pallet_balances::Event::Burned {
				amount, ..
			})
			| RuntimeEvent::Balances(polkadot_sdk::pallet_balances::Event::DustLost {
				amount,
				..
			}) => *amount,
			_ => 0,
		})
		.sum()
}

/// Totals of one run.
#[derive(Default, Debug)]
struct Totals {
	blocks: u64,
	calls: u64,
	succeeded: u64,
}

/// Runs `blocks` blocks from `seed`; panics (with the seed) on any broken invariant.
fn run(seed: u64, blocks: u64, totals: &mut Totals) {
	state_of(polkadot_sdk::sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let mut rng = Rng(seed);
		let mut world = World::default();
		let max_block = <Runtime as frame_system::Config>::BlockWeights::get()
			.get(DispatchClass::Normal)
			.max_total
			.unwrap_or(Weight::MAX);
		let mut relay = 1_000_000u32;
		for block in 1..=blocks {
			frame_system::Pallet::<Runtime>::reset_events();
			frame_system::Pallet::<Runtime>::set_block_number(block as u32);
			relay += 1 + rng.below(12) as u32;
			RelaychainDataProvider::<Runtime>::set_block_number(relay);
			let issuance = Balances::total_issuance();
			let mut used = Weight::zero();
			for _ in 0..rng.below(24) {
				let who = account(&mut rng);
				let call = if rng.below(2) == 0 {
					structured(&mut rng, &world, &who)
				} else {
					raw(&mut rng)
				};
				let Some(call) = call else { continue };
				let declared = call.get_dispatch_info().total_weight();
				// What CheckWeight does: a call that does not fit waits for another block.
				if used.saturating_add(declared).any_gt(max_block) {
					continue;
				}
				let (next_device, next_stream, next_channel) = (
					pallet_device_registry::NextDeviceId::<Runtime>::get(),
					pallet_provenance::NextStreamId::<Runtime>::get(),
					pallet_payment_channels::NextChannelId::<Runtime>::get(),
				);
				let origin = match call.authorize(TransactionSource::External) {
					// Authorized calls (sensor-feed reports) dispatch only if they validate.
					Some(Ok(_)) => RuntimeOrigin::from(frame_system::RawOrigin::Authorized),
					Some(Err(_)) => continue,
					None => RuntimeOrigin::signed(who.clone()),
				};
				let result = polkadot_sdk::frame_support::traits::UnfilteredDispatchable::dispatch_bypass_filter(
					call.clone(),
					origin,
				);
				totals.calls += 1;
				let actual = match &result {
					Ok(post) => {
						totals.succeeded += 1;
						post.actual_weight
					},
					Err(error) => error.post_info.actual_weight,
				}
				.unwrap_or(declared);
				assert!(
					actual.all_lte(declared),
					"seed {seed}, block {block}: {call:?} used {actual:?}, declared {declared:?}"
				);
				used = used.saturating_add(actual);
				if result.is_ok() {
					record(&mut world, &call, next_device, next_stream, next_channel);
				}
			}
			assert!(used.all_lte(max_block), "seed {seed}, block {block}: over the block's weight");
			let events: Vec<RuntimeEvent> =
				frame_system::Pallet::<Runtime>::events().into_iter().map(|r| r.event).collect();
			assert_eq!(
				Balances::total_issuance(),
				issuance - burned(&events),
				"seed {seed}, block {block}: issuance moved by more than the burns"
			);
			let accounts: u128 = frame_system::Account::<Runtime>::iter()
				.map(|(_, info)| info.data.free + info.data.reserved)
				.sum();
			assert_eq!(accounts, Balances::total_issuance(), "seed {seed}, block {block}");
			for (pallet, state) in [
				("registry", DeviceRegistry::do_try_state()),
				("provenance", Provenance::do_try_state()),
				("channels", PaymentChannels::do_try_state()),
				("feeds", SensorFeeds::do_try_state()),
			] {
				assert!(state.is_ok(), "seed {seed}, block {block}: {pallet} try_state: {state:?}");
			}
			totals.blocks += 1;
		}
	});
}

/// Remembers what a successful call created, so later calls can use it.
fn record(world: &mut World, call: &RuntimeCall, device: u64, stream: u64, channel: u64) {
	match call {
		RuntimeCall::DeviceRegistry(pallet_device_registry::Call::register_device {
			key: DeviceKey::Sr25519(public),
			..
		}) => {
			if let Some(seed) = (0..=255u8).find(|s| device_pair(*s).public().0 == *public) {
				world.devices.push((device, seed));
			}
		},
		RuntimeCall::Provenance(pallet_provenance::Call::create_stream { device: id, .. }) => {
			if let Some((_, seed)) = world.devices.iter().find(|(d, _)| d == id) {
				world.streams.push((stream, *id, *seed));
			}
		},
		RuntimeCall::PaymentChannels(pallet_payment_channels::Call::open { signer, .. }) => {
			let seed = match signer {
				pallet_payment_channels::VoucherSigner::Device(id) => {
					world.devices.iter().find(|(d, _)| d == id).map(|(_, s)| *s)
				},
				pallet_payment_channels::VoucherSigner::Key(DeviceKey::Sr25519(public)) => {
					(0..=255u8).find(|s| device_pair(*s).public().0 == *public)
				},
				_ => None,
			};
			if let Some(seed) = seed {
				world.channels.push((channel, seed));
			}
		},
		_ => {},
	}
}

fn seeds() -> u64 {
	std::env::var("IOT_FUZZ_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(100)
}

#[test]
fn random_blocks_keep_every_invariant() {
	let first: u64 =
		std::env::var("IOT_FUZZ_FIRST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
	let blocks = std::env::var("IOT_FUZZ_BLOCKS").ok().and_then(|s| s.parse().ok()).unwrap_or(12);
	let mut totals = Totals::default();
	for seed in first..first + seeds() {
		run(seed, blocks, &mut totals);
	}
	println!(
		"fuzz: seeds {first}..{}, {} blocks, {} calls ({} succeeded)",
		first + seeds(),
		totals.blocks,
		totals.calls,
		totals.succeeded
	);
	assert!(totals.succeeded > 0, "the fuzzer reached no call that succeeds");
}
