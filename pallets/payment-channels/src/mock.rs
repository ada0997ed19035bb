//! Test runtime: `frame_system` + `pallet_balances` (for holds) + this pallet, with a device
//! registry test double and 32-byte accounts so vouchers are signed with the real layout.

use crate::{self as pallet_payment_channels, *};
use core::cell::RefCell;
use frame::{
	deps::{
		sp_core::{sr25519, Pair as _},
		sp_runtime::AccountId32,
	},
	testing_prelude::*,
	traits::fungible::{Inspect, InspectHold},
};
use iot_primitives::device::verify_signature;
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
		PaymentChannels: pallet_payment_channels,
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

pub const CHANNEL_DEPOSIT: Balance = 50;
pub const MIN_CHALLENGE: u64 = 5;
pub const LOCK_GRACE: u64 = 2;
pub const MAX_CHANNELS: u32 = 3;
pub const MAX_CLAIMS: u32 = 8;
pub const INITIAL_BALANCE: Balance = 100_000;

impl Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Devices = TestRegistry;
	type BlockNumberProvider = MockRelay;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestRegistry;
	type ChannelDeposit = ConstU64<CHANNEL_DEPOSIT>;
	type MinChallengePeriod = ConstU64<MIN_CHALLENGE>;
	type LockGracePeriod = ConstU64<LOCK_GRACE>;
	type MaxChannelsPerPayer = ConstU32<MAX_CHANNELS>;
	type MaxClaims = ConstU32<MAX_CLAIMS>;
	type WeightInfo = ();
}

pub use iot_primitives::testing::MockRelay;

/// A device as the test double knows it.
#[derive(Clone)]
pub struct TestDevice {
	pub owner: AccountId,
	pub key: DeviceKey,
	pub active: bool,
}

thread_local! {
	static DEVICES: RefCell<BTreeMap<DeviceId, TestDevice>> = const { RefCell::new(BTreeMap::new()) };
}

/// The registry double: devices in a thread-local map, signatures checked for real with the
/// registry's rules (`iot_primitives::device::verify_signature`).
pub struct TestRegistry;

impl TestRegistry {
	pub fn add(id: DeviceId, device: TestDevice) {
		DEVICES.with(|d| d.borrow_mut().insert(id, device));
	}

	pub fn update(id: DeviceId, change: impl FnOnce(&mut TestDevice)) {
		DEVICES.with(|d| d.borrow_mut().get_mut(&id).map(change));
	}

	pub fn remove(id: DeviceId) {
		DEVICES.with(|d| d.borrow_mut().remove(&id));
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

	fn key(id: DeviceId) -> Option<DeviceKey> {
		Self::get(id).map(|d| d.key)
	}

	fn can_act(id: DeviceId, who: &AccountId, _: Permissions) -> bool {
		Self::get(id).is_some_and(|d| d.owner == *who)
	}

	fn verify(id: DeviceId, msg: &[u8], sig: &DeviceSignature) -> bool {
		Self::get(id).is_some_and(|d| verify_signature(&d.key, msg, sig))
	}
}

/// The benchmarks' devices are the double's.
#[cfg(feature = "runtime-benchmarks")]
impl iot_primitives::bench::BenchmarkHelper<AccountId> for TestRegistry {
	fn register_device(owner: &AccountId, key: DeviceKey) -> Option<DeviceId> {
		let id = DEVICES.with(|d| d.borrow().len() as DeviceId + 1_000);
		Self::add(id, TestDevice { owner: owner.clone(), key, active: true });
		Some(id)
	}
	fn create_stream(_: &AccountId, _: DeviceId) -> Option<iot_primitives::provenance::StreamId> {
		None
	}
	fn compromise_device(_: &AccountId, device: DeviceId) -> bool {
		Self::update(device, |d| d.active = false);
		true
	}
}

pub const PAYER: AccountId = AccountId::new([1; 32]);
pub const PAYEE: AccountId = AccountId::new([2; 32]);
pub const STRANGER: AccountId = AccountId::new([3; 32]);
/// Exists in no balance: cannot receive held funds.
pub const NOBODY: AccountId = AccountId::new([9; 32]);
/// A P-256 device owned by `PAYER`.
pub const DEVICE: DeviceId = 7;

/// The payer's voucher key.
pub fn payer_pair() -> sr25519::Pair {
	sr25519::Pair::from_seed(&[11; 32])
}

/// The P-256 secret of `DEVICE` (a secure element's key).
pub fn device_secret() -> p256::ecdsa::SigningKey {
	p256::ecdsa::SigningKey::from_slice(&[5; 32]).unwrap()
}

pub fn device_key() -> DeviceKey {
	let point = device_secret().verifying_key().to_encoded_point(true);
	DeviceKey::P256(point.as_bytes().try_into().unwrap())
}

pub fn new_test_ext() -> TestState {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [PAYER, PAYEE, STRANGER].into_iter().map(|who| (who, INITIAL_BALANCE)).collect(),
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
		TestRegistry::add(DEVICE, TestDevice { owner: PAYER, key: device_key(), active: true });
	});
	ext
}

/// Runs `test` in a fresh externality, then checks the pallet's invariants.
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		PaymentChannels::do_try_state().unwrap();
	})
}

/// The payer's key as a voucher signer.
pub fn payer_signer() -> VoucherSigner {
	VoucherSigner::Key(DeviceKey::Sr25519(payer_pair().public().0))
}

/// Opens a channel from `PAYER` to `PAYEE` with `amount`, challenge period `MIN_CHALLENGE`, no
/// expiry; returns its id.
pub fn open(amount: Balance) -> ChannelId {
	open_with_expiry(amount, None)
}

/// [`open`] with an expiry (a relay block number).
pub fn open_with_expiry(amount: Balance, expiry: Option<u64>) -> ChannelId {
	assert_ok!(PaymentChannels::open(
		RuntimeOrigin::signed(PAYER),
		PAYEE,
		amount,
		payer_signer(),
		MIN_CHALLENGE,
		expiry
	));
	NextChannelId::<Test>::get() - 1
}

pub fn voucher(amount: Balance, nonce: u64) -> Voucher<Balance> {
	Voucher { amount, nonce, lock: None, pays_for: None }
}

/// `voucher` on `channel` signed by the payer's key.
pub fn signed(channel: ChannelId, voucher: Voucher<Balance>) -> SignedVoucherOf<Test> {
	signed_by(&payer_pair(), channel, voucher)
}

pub fn signed_by(
	pair: &sr25519::Pair,
	channel: ChannelId,
	voucher: Voucher<Balance>,
) -> SignedVoucherOf<Test> {
	let payload = PaymentChannels::payload(channel, &voucher).unwrap();
	let signature = iot_primitives::channel::sign::sr25519(pair, &payload);
	SignedVoucher { voucher, signature, preimage: None }
}

/// `voucher` on `channel` signed by `DEVICE`'s P-256 key, low S.
pub fn signed_by_device(channel: ChannelId, voucher: Voucher<Balance>) -> SignedVoucherOf<Test> {
	use p256::ecdsa::{signature::Signer, Signature};
	let payload = PaymentChannels::payload(channel, &voucher).unwrap();
	let sig: Signature = device_secret().sign(&payload.signing_bytes());
	let sig = sig.normalize_s().unwrap_or(sig);
	SignedVoucher {
		voucher,
		signature: DeviceSignature::P256(sig.to_bytes().as_slice().try_into().unwrap()),
		preimage: None,
	}
}

/// A voucher for `amount` locked by the hash of `key`, and `key` as its preimage.
pub fn locked_voucher(key: &[u8], amount: Balance, nonce: u64) -> (Voucher<Balance>, Preimage) {
	let preimage: Preimage = key.to_vec().try_into().unwrap();
	let lock = Some(iot_primitives::channel::lock_of::<HostBlake2>(&preimage));
	(Voucher { amount, nonce, lock, pays_for: None }, preimage)
}

/// `signed` with `preimage` attached.
pub fn with_preimage(
	mut signed: SignedVoucherOf<Test>,
	preimage: Preimage,
) -> SignedVoucherOf<Test> {
	signed.preimage = Some(preimage);
	signed
}

/// Opens a channel from `PAYER` to `PAYEE` whose vouchers `DEVICE` signs; returns its id.
pub fn open_device_channel(amount: Balance) -> ChannelId {
	assert_ok!(PaymentChannels::open(
		RuntimeOrigin::signed(PAYER),
		PAYEE,
		amount,
		VoucherSigner::Device(DEVICE),
		MIN_CHALLENGE,
		None
	));
	NextChannelId::<Test>::get() - 1
}

pub fn claim(channel: ChannelId, signed: SignedVoucherOf<Test>) -> DispatchResult {
	PaymentChannels::claim(RuntimeOrigin::signed(PAYEE), channel, signed)
}

pub fn free(who: &AccountId) -> Balance {
	Balances::balance(who)
}

pub fn held(reason: HoldReason, who: &AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::PaymentChannels(reason), who)
}

pub fn last_event() -> Event<Test> {
	events().pop().expect("an event of this pallet")
}

pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::PaymentChannels(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Moves both clocks to `block`: the parachain's (`frame_system`) and the mock relay chain's
/// (the pallet's `BlockNumberProvider`), one relay block per parachain block as today.
pub fn run_to(block: u64) {
	System::set_block_number(block);
	MockRelay::set_block_number(block);
}

/// Moves the parachain's block number only (fast parachain blocks, the relay chain stands still).
pub fn run_parachain_to(block: u64) {
	System::set_block_number(block);
}

/// Moves the relay chain's block number only (the pallet's clock).
pub fn run_relay_to(block: u64) {
	MockRelay::set_block_number(block);
}

/// The pallet's "now": the mock relay chain's block number.
pub fn relay_now() -> u64 {
	MockRelay::current_block_number()
}
