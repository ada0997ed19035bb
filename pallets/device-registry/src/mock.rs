//! Test runtime: `frame_system` + `pallet_balances` (for holds) + this pallet, with 32-byte
//! accounts so the signing payloads have the same layout as on the real chain.

use crate::{self as pallet_device_registry, *};
use polkadot_sdk::{
	pallet_balances, polkadot_sdk_frame as frame,
	sp_keystore::{testing::MemoryKeystore, KeystoreExt},
};

use frame::{
	deps::{
		sp_core::{ecdsa, ed25519, sr25519, Pair as _},
		sp_runtime::AccountId32,
	},
	testing_prelude::*,
	traits::fungible::InspectHold,
};
use iot_primitives::device::{
	self as device_format, ClaimPayload, RegistrationPayload, RotationPayload,
};
use p256::ecdsa::signature::Signer as _;

pub type AccountId = AccountId32;
pub type Balance = u64;

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		DeviceRegistry: pallet_device_registry,
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
}

pub const DEVICE_DEPOSIT: Balance = 100;
pub const BATCH_DEPOSIT: Balance = 50;
pub const OPERATOR_DEPOSIT: Balance = 10;
pub const TOMBSTONE_FEE: Balance = 3;
pub const MAX_OPERATORS: u32 = 3;
pub const INITIAL_BALANCE: Balance = 10_000;

impl Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type ManufacturerOrigin = EnsureRoot<AccountId>;
	type DeviceDeposit = ConstU64<DEVICE_DEPOSIT>;
	type BatchDeposit = ConstU64<BATCH_DEPOSIT>;
	type OperatorDeposit = ConstU64<OPERATOR_DEPOSIT>;
	type TombstoneFee = ConstU64<TOMBSTONE_FEE>;
	type MaxNameLen = ConstU32<32>;
	type MaxManufacturerMetadataLen = ConstU32<64>;
	type MaxModelLen = ConstU32<32>;
	type MaxFirmwareVersionLen = ConstU32<16>;
	type MaxUriLen = ConstU32<64>;
	type MaxOperators = ConstU32<MAX_OPERATORS>;
	type WeightInfo = ();
}

/// A manufacturer.
pub const MAKER: AccountId = AccountId32::new([1; 32]);
/// A dealer.
pub const DEALER: AccountId = AccountId32::new([2; 32]);
/// An end customer.
pub const CUSTOMER: AccountId = AccountId32::new([3; 32]);
/// A gateway or fleet manager.
pub const GATEWAY: AccountId = AccountId32::new([4; 32]);
/// Somebody else.
pub const STRANGER: AccountId = AccountId32::new([5; 32]);
/// An account without funds.
pub const PAUPER: AccountId = AccountId32::new([6; 32]);

pub fn new_test_ext() -> TestState {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [MAKER, DEALER, CUSTOMER, GATEWAY, STRANGER]
			.into_iter()
			.map(|who| (who, INITIAL_BALANCE))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = TestState::new(storage);
	// The benchmarks sign with ed25519/sr25519/secp256k1 keys held in a keystore.
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		// What the runtime's genesis does for every pallet: write its storage version.
		<AllPalletsWithSystem as polkadot_sdk::frame_support::traits::OnGenesis>::on_genesis();
		System::set_block_number(1);
	});
	ext
}

/// Runs `test` in a fresh externality, then checks the pallet's invariants.
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		DeviceRegistry::do_try_state().unwrap();
	})
}

/// A device key pair of any of the four schemes, signing the way devices do.
pub enum TestKey {
	Ed25519(ed25519::Pair),
	Sr25519(sr25519::Pair),
	Secp256k1(ecdsa::Pair),
	P256(p256::ecdsa::SigningKey),
}

impl TestKey {
	/// A deterministic key of `kind` derived from `seed` (1..=200).
	pub fn new(kind: KeyKind, seed: u8) -> Self {
		let secret = [seed; 32];
		match kind {
			KeyKind::Ed25519 => Self::Ed25519(ed25519::Pair::from_seed(&secret)),
			KeyKind::Sr25519 => Self::Sr25519(sr25519::Pair::from_seed(&secret)),
			KeyKind::Secp256k1 => Self::Secp256k1(ecdsa::Pair::from_seed(&secret)),
			KeyKind::P256 => Self::P256(p256::ecdsa::SigningKey::from_slice(&secret).unwrap()),
		}
	}

	pub fn public(&self) -> DeviceKey {
		match self {
			Self::Ed25519(pair) => DeviceKey::Ed25519(pair.public().0),
			Self::Sr25519(pair) => DeviceKey::Sr25519(pair.public().0),
			Self::Secp256k1(pair) => DeviceKey::Secp256k1(pair.public().0),
			Self::P256(sk) => DeviceKey::P256(
				sk.verifying_key().to_encoded_point(true).as_bytes().try_into().unwrap(),
			),
		}
	}

	/// Signs `msg` (P-256: SHA-256, normalised to low S, like `@noble/curves`).
	pub fn sign(&self, msg: &[u8]) -> DeviceSignature {
		match self {
			Self::Ed25519(pair) => DeviceSignature::Ed25519(pair.sign(msg).0),
			Self::Sr25519(pair) => DeviceSignature::Sr25519(pair.sign(msg).0),
			Self::Secp256k1(pair) => DeviceSignature::Secp256k1(pair.sign(msg).0),
			Self::P256(sk) => {
				let sig: p256::ecdsa::Signature = sk.sign(msg);
				let sig = sig.normalize_s().unwrap_or(sig);
				DeviceSignature::P256(sig.to_bytes().as_slice().try_into().unwrap())
			},
		}
	}
}

pub const ALL_KINDS: [KeyKind; 4] =
	[KeyKind::Ed25519, KeyKind::Sr25519, KeyKind::Secp256k1, KeyKind::P256];

/// The genesis hash the pallet binds payloads to (in tests: `frame_system`'s placeholder).
pub fn genesis() -> [u8; 32] {
	DeviceRegistry::genesis_hash()
}

pub fn registration_signature(key: &TestKey, owner: &AccountId) -> DeviceSignature {
	key.sign(&RegistrationPayload::new(genesis(), owner.clone(), key.public()).signing_bytes())
}

pub fn claim_signature(key: &TestKey, batch: BatchId, owner: &AccountId) -> DeviceSignature {
	key.sign(&ClaimPayload::new(genesis(), batch, owner.clone(), key.public()).signing_bytes())
}

pub fn rotation_signature(new_key: &TestKey, device: DeviceId, rotation: u32) -> DeviceSignature {
	new_key
		.sign(&RotationPayload::new(genesis(), device, rotation, new_key.public()).signing_bytes())
}

pub fn metadata(model: &[u8]) -> DeviceMetadataOf<Test> {
	DeviceMetadata {
		model: model.to_vec().try_into().unwrap(),
		firmware_version: b"1.0.0".to_vec().try_into().unwrap(),
		firmware_hash: Some([7; 32]),
		uri: b"ipfs://bafy".to_vec().try_into().unwrap(),
	}
}

/// Registers a device of `kind` (seed `seed`) owned by `owner`; returns its id and key.
pub fn register(owner: &AccountId, kind: KeyKind, seed: u8) -> (DeviceId, TestKey) {
	let key = TestKey::new(kind, seed);
	let signature = registration_signature(&key, owner);
	assert_ok!(DeviceRegistry::register_device(
		RuntimeOrigin::signed(owner.clone()),
		key.public(),
		signature,
		metadata(b"sensor"),
	));
	(NextDeviceId::<Test>::get() - 1, key)
}

pub fn approve(who: &AccountId) {
	assert_ok!(DeviceRegistry::approve_manufacturer(
		RuntimeOrigin::root(),
		who.clone(),
		b"Acme".to_vec().try_into().unwrap(),
		b"https://acme.example".to_vec().try_into().unwrap(),
	));
}

/// Keys of a factory batch and its Merkle commitment.
pub struct TestBatch {
	pub keys: Vec<TestKey>,
	pub root: [u8; 32],
	pub leaf_count: u32,
}

impl TestBatch {
	pub fn new(kinds: &[KeyKind], first_seed: u8) -> Self {
		let keys: Vec<TestKey> = kinds
			.iter()
			.enumerate()
			.map(|(i, kind)| TestKey::new(*kind, first_seed + i as u8))
			.collect();
		let publics: Vec<DeviceKey> = keys.iter().map(TestKey::public).collect();
		let (root, leaf_count) = device_format::merkle::root::<HostBlake2>(&publics).unwrap();
		Self { keys, root, leaf_count }
	}

	pub fn proof(&self, index: u32) -> MerkleProof {
		let publics: Vec<DeviceKey> = self.keys.iter().map(TestKey::public).collect();
		device_format::merkle::proof::<HostBlake2>(&publics, index).unwrap().try_into().unwrap()
	}
}

pub fn held(reason: HoldReason, who: &AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), who)
}

pub fn free(who: &AccountId) -> Balance {
	Balances::free_balance(who)
}

pub fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::DeviceRegistry(event) => Some(event),
			_ => None,
		})
		.expect("a device registry event")
}

pub fn status(device: DeviceId) -> DeviceStatus {
	Devices::<Test>::get(device).unwrap().status
}
