//! Test runtime: `frame_system` + `pallet_balances` + `pallet_timestamp` + this pallet, with
//! test doubles for the device registry and the provenance recorder, real sr25519 operator keys
//! in a keystore, the SDK's test transaction pool, and an HTTP double that answers what a test
//! scripts (status codes, timeouts, unreachable hosts, any body) — the SDK's own test offchain
//! externality can only answer 200.

use crate::{self as pallet_sensor_feeds, *};
use core::cell::RefCell;
use frame::deps::sp_runtime::offchain::storage::StorageValueRef;
use frame::{
	deps::{
		sp_core::offchain::{
			testing::{TestOffchainExt, TestTransactionPoolExt},
			Externalities, HttpError, HttpRequestId, HttpRequestStatus, OffchainDbExt,
			OffchainWorkerExt, OpaqueNetworkState, Timestamp as OffchainTimestamp,
			TransactionPoolExt,
		},
		sp_core::OpaquePeerId,
		sp_runtime::{testing::TestXt, AccountId32},
	},
	testing_prelude::*,
	traits::fungible::InspectHold,
};
use polkadot_sdk::frame_support::traits::UnfilteredDispatchable;
use polkadot_sdk::{
	pallet_balances, pallet_timestamp, polkadot_sdk_frame as frame,
	sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt},
};
use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex},
};

pub type AccountId = AccountId32;
pub type Balance = u64;
type TxExtension = frame_system::AuthorizeCall<Test>;
pub type Extrinsic = TestXt<RuntimeCall, TxExtension>;
type Block = frame::deps::sp_runtime::generic::Block<
	frame::deps::sp_runtime::generic::Header<u64, frame::deps::sp_runtime::traits::BlakeTwo256>,
	Extrinsic,
>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Timestamp: pallet_timestamp,
		SensorFeeds: pallet_sensor_feeds,
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

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: Self::Extension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> Self::Extension {
		TxExtension::new()
	}
}

pub const FEED_DEPOSIT: Balance = 100;
/// Paid per counted report; above the existential deposit (1), so it can open an account.
pub const REPORT_REWARD: Balance = 5;
/// What the tests prepay per feed: 100 rounds of quorum 1.
pub const PREPAID: Balance = 500;
pub const MAX_OPERATORS: u32 = 5;
pub const MAX_FEEDS: u32 = 12;
pub const MAX_FEEDS_PER_OWNER: u32 = 10;
pub const STALE_AFTER: u32 = 3;
pub const ABANDONED_AFTER: u32 = 10;
pub const TIMEOUT_MS: u64 = 2_000;
pub const MAX_BODY: u32 = 1_024;
pub const INITIAL_BALANCE: Balance = 10_000;

impl Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Devices = TestRegistry;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestRegistry;
	type Recorder = TestRecorder;
	type Time = Timestamp;
	type BlockNumberProvider = MockRelay;
	type AuthorityId = crypto::Public;
	type OperatorOrigin = EnsureRoot<AccountId>;
	type FeedDeposit = ConstU64<FEED_DEPOSIT>;
	type ReportReward = ReportReward;
	type OperatorAccount = KeyAccount;
	type MaxUrlLen = ConstU32<64>;
	type MaxPointerLen = ConstU32<32>;
	type MaxOperators = ConstU32<MAX_OPERATORS>;
	type MaxFeeds = ConstU32<MAX_FEEDS>;
	type MaxFeedsPerOwner = ConstU32<MAX_FEEDS_PER_OWNER>;
	type MaxReportWeightPerBlock = MaxReportWeightPerBlock;
	type MinInterval = ConstU64<2>;
	type StaleAfterRounds = ConstU32<STALE_AFTER>;
	type AbandonedAfterRounds = ConstU32<ABANDONED_AFTER>;
	type StaleChecksPerBlock = ConstU32<2>;
	type OutlierTolerance = OutlierTolerance;
	type FetchTimeoutMs = ConstU64<TIMEOUT_MS>;
	type MaxResponseBytes = ConstU32<MAX_BODY>;
	type WeightInfo = ();
}

parameter_types! {
	pub OutlierTolerance: Permill = Permill::from_percent(10);
}

/// [`REPORT_REWARD`] unless a test sets another ([`set_report_reward`]).
pub struct ReportReward;
impl Get<Balance> for ReportReward {
	fn get() -> Balance {
		REWARD.with(|reward| *reward.borrow())
	}
}

pub fn set_report_reward(reward: Balance) {
	REWARD.with(|r| *r.borrow_mut() = reward);
}

/// The reports' share of a block: unbounded unless a test sets it ([`set_report_share`]).
pub struct MaxReportWeightPerBlock;
impl Get<Weight> for MaxReportWeightPerBlock {
	fn get() -> Weight {
		REPORT_SHARE.with(|share| *share.borrow())
	}
}

/// Room for `reports` reports per block.
pub fn set_report_share(reports: u64) {
	let reserve = <() as WeightInfo>::report_settling(MAX_OPERATORS)
		.saturating_add(<() as WeightInfo>::authorize_report());
	REPORT_SHARE.with(|share| *share.borrow_mut() = reserve.saturating_mul(reports));
}

pub const OWNER: AccountId = AccountId::new([1; 32]);
pub const OPERATOR_ACCOUNT: AccountId = AccountId::new([2; 32]);
pub const STRANGER: AccountId = AccountId::new([3; 32]);
pub const DEVICE: DeviceId = 7;
pub const STREAM: StreamId = 70;
/// A stream of another device.
pub const OTHER_STREAM: StreamId = 71;

thread_local! {
	/// The owner benchmarks register the device for (`BenchmarkHelper::register_device`).
	static BENCH_OWNER: RefCell<Option<AccountId>> = const { RefCell::new(None) };
	static RECORDED: RefCell<Vec<(StreamId, u64, Vec<u8>, AccountId)>> = const { RefCell::new(Vec::new()) };
	static RECORD_FAILS: RefCell<bool> = const { RefCell::new(false) };
	static DEVICE_INACTIVE: RefCell<bool> = const { RefCell::new(false) };
	static STREAM_REMOVED: RefCell<bool> = const { RefCell::new(false) };
	static REPORT_SHARE: RefCell<Weight> = const { RefCell::new(Weight::MAX) };
	static REWARD: RefCell<Balance> = const { RefCell::new(REPORT_REWARD) };
}

pub use iot_primitives::testing::MockRelay;

/// The registry double: one device, owned by `OWNER`, operated by `OPERATOR_ACCOUNT` with
/// `MANAGE_FEEDS`.
pub struct TestRegistry;

impl TestRegistry {
	pub fn set_active(active: bool) {
		DEVICE_INACTIVE.with(|d| *d.borrow_mut() = !active);
	}
}

impl DeviceRegistry<AccountId> for TestRegistry {
	fn is_active(id: DeviceId) -> bool {
		id == DEVICE && !DEVICE_INACTIVE.with(|d| *d.borrow())
	}
	fn owner(id: DeviceId) -> Option<AccountId> {
		(id == DEVICE).then(|| BENCH_OWNER.with(|o| o.borrow().clone()).unwrap_or(OWNER))
	}
	fn key(_: DeviceId) -> Option<iot_primitives::device::DeviceKey> {
		None
	}
	fn can_act(id: DeviceId, who: &AccountId, permission: Permissions) -> bool {
		id == DEVICE
			&& (Self::owner(id).as_ref() == Some(who)
				|| (*who == OPERATOR_ACCOUNT && Permissions::MANAGE_FEEDS.contains(permission)))
	}
	fn verify(_: DeviceId, _: &[u8], _: &iot_primitives::device::DeviceSignature) -> bool {
		false
	}
}

/// The benchmarks' device and stream are the doubles' (`DEVICE`, `STREAM`), owned by whoever
/// the benchmark names.
#[cfg(feature = "runtime-benchmarks")]
impl iot_primitives::bench::BenchmarkHelper<AccountId> for TestRegistry {
	fn register_device(
		owner: &AccountId,
		_: iot_primitives::device::DeviceKey,
	) -> Option<DeviceId> {
		BENCH_OWNER.with(|o| *o.borrow_mut() = Some(owner.clone()));
		Some(DEVICE)
	}
	fn create_stream(_: &AccountId, _: DeviceId) -> Option<StreamId> {
		Some(STREAM)
	}
}

/// The recorder double: remembers what it was asked to record; fails when told to.
pub struct TestRecorder;

impl TestRecorder {
	pub fn recorded() -> Vec<(StreamId, u64, Vec<u8>, AccountId)> {
		RECORDED.with(|r| r.borrow().clone())
	}
	pub fn fail(fail: bool) {
		RECORD_FAILS.with(|f| *f.borrow_mut() = fail);
	}
	/// `STREAM` is gone (or back).
	pub fn remove_stream(removed: bool) {
		STREAM_REMOVED.with(|r| *r.borrow_mut() = removed);
	}
}

impl ProvenanceRecorder<AccountId> for TestRecorder {
	fn stream_device(stream: StreamId) -> Option<DeviceId> {
		match stream {
			STREAM if STREAM_REMOVED.with(|r| *r.borrow()) => None,
			STREAM => Some(DEVICE),
			OTHER_STREAM => Some(DEVICE + 1),
			_ => None,
		}
	}
	fn record(
		stream: StreamId,
		sequence: u64,
		reading: &[u8],
		_timestamp_ms: u64,
		submitter: &AccountId,
	) -> Result<u64, DispatchError> {
		if RECORD_FAILS.with(|f| *f.borrow()) {
			return Err(DispatchError::Other("recorder refuses"));
		}
		RECORDED
			.with(|r| r.borrow_mut().push((stream, sequence, reading.to_vec(), submitter.clone())));
		Ok(sequence)
	}
}

/// What the HTTP double answers for a URL.
#[derive(Clone, Debug)]
pub enum Answer {
	/// Status, headers, body, all at once.
	Respond(u16, Vec<(String, String)>, Vec<u8>),
	/// Never answers before any deadline.
	Timeout,
	/// The request cannot even be started.
	Unreachable,
	/// Status and headers at once, then these bytes of the body, then nothing before any
	/// deadline (a server that hangs in the middle of its body).
	Hang(u16, Vec<(String, String)>, Vec<u8>),
	/// The answer, with its status line this many milliseconds after the request.
	Delayed(u64, Box<Answer>),
}

/// A JSON answer with status 200.
pub fn json(body: &str) -> Answer {
	Answer::Respond(200, vec![], body.as_bytes().to_vec())
}

struct Open {
	url: String,
	opened_at: u64,
	/// Bytes of the body read so far.
	read: usize,
}

#[derive(Default)]
pub struct HttpState {
	pub answers: BTreeMap<String, Answer>,
	/// URLs requested, in order, with the headers each request carried.
	pub requested: Vec<(String, Vec<(String, String)>)>,
	open: BTreeMap<u16, Open>,
	next_id: u16,
	/// The double's clock (Unix ms): moved by every `timestamp` call (+1) and by waiting.
	now_ms: u64,
}

impl HttpState {
	/// The answer to request `id` with its delay unwrapped, and when its head arrives (`None`:
	/// never).
	fn answer(&self, id: u16) -> Option<(Answer, Option<u64>)> {
		let open = self.open.get(&id)?;
		let mut answer = self.answers.get(&open.url)?.clone();
		let mut at = open.opened_at;
		while let Answer::Delayed(delay, inner) = answer {
			at += delay;
			answer = *inner;
		}
		let arrives = match answer {
			Answer::Respond(..) | Answer::Hang(..) => Some(at),
			_ => None,
		};
		Some((answer, arrives))
	}
}

/// The HTTP double: an `offchain::Externalities` answering from `HttpState`, with a clock, so
/// that deadlines, slow heads and hanging bodies behave as they do against a real server.
#[derive(Clone, Default)]
pub struct MockHttp(pub Arc<Mutex<HttpState>>);

impl MockHttp {
	pub fn answer(&self, url: &str, answer: Answer) {
		self.0.lock().unwrap().answers.insert(url.into(), answer);
	}
	/// The URLs requested so far, in order.
	pub fn requested(&self) -> Vec<String> {
		self.0.lock().unwrap().requested.iter().map(|(url, _)| url.clone()).collect()
	}
	/// The headers each request carried.
	pub fn request_headers(&self) -> Vec<Vec<(String, String)>> {
		self.0.lock().unwrap().requested.iter().map(|(_, headers)| headers.clone()).collect()
	}
}

impl Externalities for MockHttp {
	fn is_validator(&self) -> bool {
		true
	}
	fn network_state(&self) -> Result<OpaqueNetworkState, ()> {
		Err(())
	}
	fn timestamp(&mut self) -> OffchainTimestamp {
		let mut state = self.0.lock().unwrap();
		state.now_ms += 1;
		OffchainTimestamp::from_unix_millis(state.now_ms)
	}
	fn sleep_until(&mut self, deadline: OffchainTimestamp) {
		let mut state = self.0.lock().unwrap();
		state.now_ms = state.now_ms.max(deadline.unix_millis());
	}
	fn random_seed(&mut self) -> [u8; 32] {
		[0; 32]
	}
	fn http_request_start(
		&mut self,
		method: &str,
		uri: &str,
		_: &[u8],
	) -> Result<HttpRequestId, ()> {
		assert_eq!(method, "GET");
		let mut state = self.0.lock().unwrap();
		state.requested.push((uri.into(), vec![]));
		if matches!(state.answers.get(uri), None | Some(Answer::Unreachable)) {
			return Err(());
		}
		let id = state.next_id;
		state.next_id += 1;
		let opened_at = state.now_ms;
		state.open.insert(id, Open { url: uri.into(), opened_at, read: 0 });
		Ok(HttpRequestId(id))
	}
	fn http_request_add_header(
		&mut self,
		_: HttpRequestId,
		name: &str,
		value: &str,
	) -> Result<(), ()> {
		let mut state = self.0.lock().unwrap();
		let last = state.requested.last_mut().expect("a header belongs to a started request");
		last.1.push((name.into(), value.into()));
		Ok(())
	}
	fn http_request_write_body(
		&mut self,
		_: HttpRequestId,
		_: &[u8],
		_: Option<OffchainTimestamp>,
	) -> Result<(), HttpError> {
		Ok(())
	}
	fn http_response_wait(
		&mut self,
		ids: &[HttpRequestId],
		deadline: Option<OffchainTimestamp>,
	) -> Vec<HttpRequestStatus> {
		let mut state = self.0.lock().unwrap();
		let deadline = deadline.expect("the worker always gives a deadline").unix_millis();
		let arrivals: Vec<Option<(Answer, Option<u64>)>> =
			ids.iter().map(|id| state.answer(id.0)).collect();
		// Wait until every head is in or the deadline passes, whichever comes first.
		let last =
			arrivals.iter().flatten().map(|(_, at)| at.unwrap_or(u64::MAX)).max().unwrap_or(0);
		state.now_ms = state.now_ms.max(last.min(deadline));
		let now = state.now_ms;
		arrivals
			.into_iter()
			.map(|arrival| match arrival {
				Some((Answer::Respond(code, ..) | Answer::Hang(code, ..), Some(at)))
					if at <= now =>
				{
					HttpRequestStatus::Finished(code)
				},
				Some(_) => HttpRequestStatus::DeadlineReached,
				None => HttpRequestStatus::Invalid,
			})
			.collect()
	}
	fn http_response_headers(&mut self, id: HttpRequestId) -> Vec<(Vec<u8>, Vec<u8>)> {
		match self.0.lock().unwrap().answer(id.0) {
			Some((Answer::Respond(_, headers, _) | Answer::Hang(_, headers, _), _)) => {
				headers.into_iter().map(|(k, v)| (k.into_bytes(), v.into_bytes())).collect()
			},
			_ => vec![],
		}
	}
	fn http_response_read_body(
		&mut self,
		id: HttpRequestId,
		buffer: &mut [u8],
		deadline: Option<OffchainTimestamp>,
	) -> Result<usize, HttpError> {
		let mut state = self.0.lock().unwrap();
		let (body, ends) = match state.answer(id.0) {
			Some((Answer::Respond(_, _, body), _)) => (body, true),
			Some((Answer::Hang(_, _, body), _)) => (body, false),
			Some((Answer::Timeout, _)) => (vec![], false),
			_ => return Err(HttpError::IoError),
		};
		let read = state.open[&id.0].read;
		let n = buffer.len().min(body.len() - read);
		if n == 0 && !ends {
			// Nothing more before the deadline.
			let deadline = deadline.expect("the worker always gives a deadline").unix_millis();
			state.now_ms = state.now_ms.max(deadline);
			return Err(HttpError::DeadlineReached);
		}
		buffer[..n].copy_from_slice(&body[read..read + n]);
		state.open.get_mut(&id.0).unwrap().read += n;
		Ok(n)
	}
	fn set_authorized_nodes(&mut self, _: Vec<OpaquePeerId>, _: bool) {}
}

/// The seeds of the operator keys: `//Operator0` … in the keystore of the node under test
/// only when a test adds them with [`Env::insert_local_key`].
pub fn operator(i: u8) -> crypto::Public {
	let pair =
		<crypto::Pair as frame::deps::sp_core::Pair>::from_string(&format!("//Operator{i}"), None)
			.unwrap();
	frame::deps::sp_core::Pair::public(&pair)
}

/// A test environment: externalities with the HTTP double, a keystore, a transaction pool.
pub struct Env {
	pub ext: TestState,
	pub http: MockHttp,
	/// Takes the transactions out of the pool.
	pool: Box<dyn Fn() -> Vec<Vec<u8>>>,
	keystore: Arc<MemoryKeystore>,
}

impl Env {
	/// Operators `operator(0..n)` on chain; none of their keys local yet.
	pub fn new(operators: u8) -> Self {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: [OWNER, OPERATOR_ACCOUNT, STRANGER]
				.into_iter()
				.map(|who| (who, INITIAL_BALANCE))
				.collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_sensor_feeds::GenesisConfig::<Test> {
			operators: (0..operators).map(operator).collect(),
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = TestState::new(storage);
		let (db, _) = TestOffchainExt::new();
		let (pool, pool_state) = TestTransactionPoolExt::new();
		let http = MockHttp::default();
		let keystore = Arc::new(MemoryKeystore::new());
		ext.register_extension(OffchainDbExt::new(db));
		ext.register_extension(OffchainWorkerExt::new(http.clone()));
		ext.register_extension(TransactionPoolExt::new(pool));
		ext.register_extension(KeystoreExt(keystore.clone()));
		ext.execute_with(|| {
			// What the runtime's genesis does for every pallet: write its storage version.
			<AllPalletsWithSystem as polkadot_sdk::frame_support::traits::OnGenesis>::on_genesis();
			System::set_block_number(1);
			MockRelay::set_block_number(1);
			RECORDED.with(|r| r.borrow_mut().clear());
			BENCH_OWNER.with(|o| *o.borrow_mut() = None);
			pallet_timestamp::Now::<Test>::put(1_700_000_000_000);
			TestRecorder::fail(false);
			TestRecorder::remove_stream(false);
			REPORT_SHARE.with(|share| *share.borrow_mut() = Weight::MAX);
			TestRegistry::set_active(true);
			// As on a dev node: private hosts allowed (the SSRF tests turn it off).
			StorageValueRef::persistent(iot_primitives::feeds::url::ALLOW_PRIVATE_HOSTS_KEY)
				.set(&true);
		});
		let pool = Box::new(move || std::mem::take(&mut pool_state.write().transactions));
		Self { ext, http, pool, keystore }
	}

	/// Puts operator `i`'s key into this node's keystore.
	pub fn insert_local_key(&self, i: u8) {
		self.keystore
			.sr25519_generate_new(iot_primitives::feeds::KEY_TYPE, Some(&format!("//Operator{i}")))
			.unwrap();
	}

	/// Runs `test`, then the pallet's invariants.
	pub fn run<R>(&mut self, test: impl FnOnce() -> R) -> R {
		self.ext.execute_with(|| {
			let result = test();
			SensorFeeds::do_try_state().unwrap();
			result
		})
	}

	/// The reports the worker put into the pool, decoded (and the pool emptied).
	pub fn take_reports(&self) -> Vec<(Report<crypto::Public>, crypto::Signature)> {
		let txs = (self.pool)();
		txs.into_iter()
			.map(|bytes| {
				let xt = Extrinsic::decode(&mut &bytes[..]).unwrap();
				match xt.function {
					RuntimeCall::SensorFeeds(Call::report { report, signature }) => {
						(report, signature)
					},
					other => panic!("unexpected call in the pool: {other:?}"),
				}
			})
			.collect()
	}
}

pub const URL: &str = "http://sim.local/solar";

/// A spec reading `/power_w` from `URL` as a decimal with 1 decimal, every 2 (relay) blocks.
pub fn spec(operators_per_round: u8, quorum: u8) -> FeedSpecOf<Test> {
	FeedSpec {
		url: URL.as_bytes().to_vec().try_into().unwrap(),
		pointer: b"/power_w".to_vec().try_into().unwrap(),
		value_type: FeedValueType::Decimal,
		decimals: 1,
		unit: b"W".to_vec().try_into().unwrap(),
		interval: 2,
		operators_per_round,
		quorum,
	}
}

/// Registers a feed of `DEVICE` on `STREAM` by its owner, prepaid with `PREPAID`; returns its id.
pub fn register(spec: FeedSpecOf<Test>) -> FeedId {
	register_with(spec, PREPAID)
}

/// [`register`] with `prepaid`.
pub fn register_with(spec: FeedSpecOf<Test>, prepaid: Balance) -> FeedId {
	assert_ok!(SensorFeeds::register_feed(
		RuntimeOrigin::signed(OWNER),
		DEVICE,
		STREAM,
		spec.into_input(),
		prepaid
	));
	NextFeedId::<Test>::get() - 1
}

/// A report signed by operator `i` (its key need not be local).
pub fn signed_report(
	i: u8,
	feed: FeedId,
	round: Round,
	value: i128,
) -> (Report<crypto::Public>, crypto::Signature) {
	use frame::deps::sp_core::Pair;
	let pair = crypto::Pair::from_string(&format!("//Operator{i}"), None).unwrap();
	let payload = ReportPayload::new(SensorFeeds::genesis_hash(), feed, round, value);
	(Report { feed, round, value, operator: pair.public() }, pair.sign(&payload.signing_bytes()))
}

/// Validates `report` like the pool and the block builder do.
pub fn authorize(
	report: &Report<crypto::Public>,
	signature: &crypto::Signature,
) -> Result<(), frame::deps::sp_runtime::transaction_validity::TransactionValidityError> {
	use frame::traits::Authorize;
	let call = Call::<Test>::report { report: report.clone(), signature: signature.clone() };
	call.authorize(TransactionSource::External).expect("report is an authorized call").map(|_| ())
}

/// Validates `report`, then dispatches it with the origin authorization gives.
pub fn submit(report: Report<crypto::Public>, signature: crypto::Signature) -> DispatchResult {
	authorize(&report, &signature).map_err(|_| DispatchError::Other("not authorized"))?;
	Call::<Test>::report { report, signature }
		.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
		.map(|_| ())
		.map_err(|e| e.error)
}

pub fn held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::SensorFeeds(HoldReason::FeedDeposit), who)
}

pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::SensorFeeds(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// The feeds flagged stale so far (`FeedStale` events), in order.
pub fn stale_events() -> Vec<FeedId> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::FeedStale { feed, .. } => Some(feed),
			_ => None,
		})
		.collect()
}

/// Moves both clocks to `block`: the parachain's (`frame_system`) and the mock relay chain's
/// (the pallet's `BlockNumberProvider`), one relay block per parachain block.
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
