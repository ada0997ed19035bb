//! Test runtime: `frame_system` + `pallet_balances` (for holds) + this pallet, with a device
//! registry test double and 32-byte accounts so signed statements have the real layout.

use crate::{self as pallet_provenance, *};
use core::cell::RefCell;
use frame::{
	deps::{
		sp_core::{sr25519, Pair as _},
		sp_runtime::AccountId32,
	},
	testing_prelude::*,
};
use iot_primitives::device::{verify_signature, DeviceKey};
use polkadot_sdk::{
	pallet_balances, polkadot_sdk_frame as frame,
	sp_keystore::{testing::MemoryKeystore, KeystoreExt},
};
use std::collections::BTreeMap;

pub type AccountId = AccountId32;
pub type Balance = u64;

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Provenance: pallet_provenance,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const STREAM_DEPOSIT: Balance = 100;
pub const ATTESTATION_DEPOSIT: Balance = 10;
pub const PRODUCT_DEPOSIT: Balance = 20;
pub const WINDOW: u32 = 4;
/// Not the anchor window, so that a test mixing the two windows' slots fails.
pub const RECORDED_WINDOW: u32 = 3;
pub const MAX_INPUTS: u32 = 8;
pub const INITIAL_BALANCE: Balance = 10_000;

impl Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Devices = TestRegistry;
	type BlockNumberProvider = MockRelay;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestRegistry;
	type StreamDeposit = ConstU64<STREAM_DEPOSIT>;
	type AttestationDeposit = ConstU64<ATTESTATION_DEPOSIT>;
	type ProductDeposit = ConstU64<PRODUCT_DEPOSIT>;
	type AnchorWindow = ConstU32<WINDOW>;
	type RecordedWindow = ConstU32<RECORDED_WINDOW>;
	type MaxContentIdLen = ConstU32<64>;
	type MaxLabelLen = ConstU32<16>;
	type MaxSchemaLen = ConstU32<32>;
	type MaxInputs = ConstU32<MAX_INPUTS>;
	type WeightInfo = ();
}

pub use iot_primitives::testing::MockRelay;

/// Moves both clocks to `block`: the parachain's (`frame_system`) and the mock relay chain's
/// (the pallet's `BlockNumberProvider`), one relay block per parachain block.
pub fn run_to(block: u64) {
	System::set_block_number(block);
	MockRelay::set_block_number(block);
}

/// A device as the test double knows it.
#[derive(Clone)]
pub struct TestDevice {
	pub owner: AccountId,
	pub key: DeviceKey,
	pub active: bool,
	pub operators: Vec<(AccountId, Permissions)>,
}

thread_local! {
	static DEVICES: RefCell<BTreeMap<DeviceId, TestDevice>> = const { RefCell::new(BTreeMap::new()) };
}

/// The registry double: devices live in a thread-local map; signatures are checked for real,
/// with the same rules as the registry (host functions; P-256 in `iot_primitives`).
pub struct TestRegistry;

impl TestRegistry {
	pub fn add(id: DeviceId, device: TestDevice) {
		DEVICES.with(|d| d.borrow_mut().insert(id, device));
	}

	pub fn set_active(id: DeviceId, active: bool) {
		DEVICES.with(|d| {
			if let Some(device) = d.borrow_mut().get_mut(&id) {
				device.active = active;
			}
		});
	}

	fn get(id: DeviceId) -> Option<TestDevice> {
		DEVICES.with(|d| d.borrow().get(&id).cloned())
	}
}

impl DeviceRegistry<AccountId> for TestRegistry {
	fn is_active(id: DeviceId) -> bool {
		Self::get(id).is_some_and(|d| d.active)
	}

	fn owner(id: DeviceId) -> Option<AccountId> {
		Self::get(id).map(|d| d.owner)
	}

	fn can_act(id: DeviceId, who: &AccountId, permission: Permissions) -> bool {
		Self::get(id).is_some_and(|d| {
			d.owner == *who
				|| d.operators.iter().any(|(op, perms)| op == who && perms.contains(permission))
		})
	}

	fn key(id: DeviceId) -> Option<DeviceKey> {
		Self::get(id).map(|d| d.key)
	}

	fn verify(id: DeviceId, msg: &[u8], sig: &DeviceSignature) -> bool {
		Self::get(id).is_some_and(|d| verify_signature(&d.key, msg, sig))
	}
}

/// The benchmarks' devices are the double's; their streams, this pallet's own.
#[cfg(feature = "runtime-benchmarks")]
impl iot_primitives::bench::BenchmarkHelper<AccountId> for TestRegistry {
	fn register_device(owner: &AccountId, key: DeviceKey) -> Option<DeviceId> {
		let id = DEVICES.with(|d| d.borrow().len() as DeviceId + 1_000);
		Self::add(id, TestDevice { owner: owner.clone(), key, active: true, operators: vec![] });
		Some(id)
	}
	fn create_stream(owner: &AccountId, device: DeviceId) -> Option<StreamId> {
		Provenance::stream_for_benchmark(owner, device)
	}
}

/// The device's owner.
pub const OWNER: AccountId = AccountId32::new([1; 32]);
/// An operator of the device with `MANAGE_FEEDS`.
pub const OPERATOR: AccountId = AccountId32::new([2; 32]);
/// A gateway relaying anchors (no relation to the device).
pub const GATEWAY: AccountId = AccountId32::new([3; 32]);
/// A certifier attesting claims.
pub const CERTIFIER: AccountId = AccountId32::new([4; 32]);
/// Somebody else.
pub const STRANGER: AccountId = AccountId32::new([5; 32]);

/// The device every test starts with.
pub const DEVICE: DeviceId = 7;

/// The device's sr25519 key.
pub fn device_pair() -> sr25519::Pair {
	sr25519::Pair::from_seed(&[42; 32])
}

pub fn new_test_ext() -> TestState {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [OWNER, OPERATOR, GATEWAY, CERTIFIER, STRANGER]
			.into_iter()
			.map(|who| (who, INITIAL_BALANCE))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = TestState::new(storage);
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		// What the runtime's genesis does for every pallet: write its storage version.
		<AllPalletsWithSystem as polkadot_sdk::frame_support::traits::OnGenesis>::on_genesis();
		System::set_block_number(1);
		MockRelay::set_block_number(1);
		DEVICES.with(|d| d.borrow_mut().clear());
		TestRegistry::add(
			DEVICE,
			TestDevice {
				owner: OWNER,
				key: DeviceKey::Sr25519(device_pair().public().0),
				active: true,
				operators: vec![(OPERATOR, Permissions::MANAGE_FEEDS)],
			},
		);
	});
	ext
}

/// Runs `test` in a fresh externality, then checks the pallet's invariants.
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Provenance::do_try_state().unwrap();
	})
}

pub fn info() -> StreamInfo<LabelOf<Test>, SchemaOf<Test>> {
	StreamInfo {
		name: b"power".to_vec().try_into().unwrap(),
		unit: b"W".to_vec().try_into().unwrap(),
		value_type: ValueType::Integer,
		sampling_interval_ms: 1_000,
		schema: b"ipfs://schema".to_vec().try_into().unwrap(),
	}
}

/// Creates a stream of `DEVICE` by its owner; returns its id.
pub fn stream() -> StreamId {
	assert_ok!(Provenance::create_stream(RuntimeOrigin::signed(OWNER), DEVICE, info()));
	NextStreamId::<Test>::get() - 1
}

pub fn statement(sequence: u64, root: [u8; 32], count: u32) -> AnchorStatementOf<Test> {
	AnchorStatement {
		sequence,
		root,
		count,
		first_timestamp: 1_700_000_000_000,
		last_timestamp: 1_700_000_060_000,
		content_id: Some(b"bafy-batch".to_vec().try_into().unwrap()),
	}
}

/// The device's signature of `statement` on `stream`.
pub fn sign(stream: StreamId, statement: &AnchorStatementOf<Test>) -> DeviceSignature {
	let payload = Provenance::payload(DEVICE, stream, statement);
	DeviceSignature::Sr25519(device_pair().sign(&payload.signing_bytes()).0)
}

/// Anchors a batch with sequence `sequence` relayed by the gateway; returns the anchor index.
pub fn anchor(stream: StreamId, sequence: u64) -> AnchorIndex {
	let st = statement(sequence, [sequence as u8; 32], 10);
	let sig = sign(stream, &st);
	assert_ok!(Provenance::anchor(RuntimeOrigin::signed(GATEWAY), stream, st, sig));
	Streams::<Test>::get(stream).unwrap().anchor_count - 1
}

pub fn held(reason: HoldReason, who: &AccountId) -> Balance {
	use frame::traits::fungible::InspectHold;
	Balances::balance_on_hold(&RuntimeHoldReason::Provenance(reason), who)
}

pub fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Provenance(e) => Some(e),
			_ => None,
		})
		.expect("an event of this pallet")
}
