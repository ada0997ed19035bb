//! Cross-chain messaging: XCMP/DMP queues, the XCM executor and `pallet-xcm`.
//!
//! Deliberately basic: the relay chain and sibling parachains can send messages, pay for execution
//! in IOT, and the relay chain (governance) may act as Root here. No teleports and no reserve
//! assets are trusted yet; add them when a bridge or asset-hub route is designed.
//!
//! **Sending is paid.** Every message a local account sends upward (UMP) or to a sibling (XCMP)
//! pays a delivery fee in IOT (`BaseDeliveryFee` plus `TransactionByteFee` per byte of the
//! message, times the queue's fee factor, which grows while the queue is congested), withdrawn
//! from the sender and burned; otherwise one transaction fee would fill the relay chain's and the
//! siblings' queues. Root (sudo, governance) and the relay chain are waived.

use crate::{
	AccountId, AllPalletsWithSystem, Balances, ParachainInfo, ParachainSystem, PolkadotXcm,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, XcmpQueue,
};
use core::marker::PhantomData;
use polkadot_sdk::{
	cumulus_primitives_core::{AggregateMessageOrigin, ParaId},
	frame_support::{
		parameter_types,
		traits::{
			ConstU32, Contains, Equals, Everything, Nothing, QueueFootprint, QueuePausedQuery,
			TransformOrigin,
		},
		weights::Weight,
	},
	frame_system::EnsureRoot,
	pallet_message_queue::OnQueueChanged,
	pallet_xcm::XcmPassthrough,
	polkadot_parachain_primitives::primitives::Sibling,
	sp_runtime::traits::Convert,
	staging_xcm::latest::prelude::*,
	staging_xcm_builder::{
		AccountId32Aliases, AllowKnownQueryResponses, AllowSubscriptionsFrom,
		AllowTopLevelPaidExecutionFrom, DenyRecursively, DenyReserveTransferToRelayChain,
		DenyThenTry, EnsureXcmOrigin, FixedWeightBounds, FrameTransactionalProcessor,
		FungibleAdapter, IsConcrete, ParentAsSuperuser, ParentIsPreset, RelayChainAsNative,
		SiblingParachainAsNative, SiblingParachainConvertsVia, SignedAccountId32AsNative,
		SignedToAccountId32, SovereignSignedViaLocation, TakeWeightCredit, TrailingSetTopicAsId,
		UsingComponents, WithComputedOrigin, WithUniqueTopic, XcmFeeManagerFromComponents,
	},
	staging_xcm_executor::XcmExecutor,
	*,
};

parameter_types! {
	pub const RelayLocation: Location = Location::parent();
	/// Our native token, as other chains see it from here.
	pub const NativeLocation: Location = Location::here();
	pub const RelayNetwork: Option<NetworkId> = None;
	pub RelayChainOrigin: RuntimeOrigin = cumulus_pallet_xcm::Origin::Relay.into();
	pub UniversalLocation: InteriorLocation = Parachain(ParachainInfo::parachain_id().into()).into();
	/// Upper bound of the weight of one XCM instruction (1 s / 1000, 64 KiB of proof).
	pub const UnitWeightCost: Weight = Weight::from_parts(1_000_000_000, 64 * 1024);
	pub const MaxInstructions: u32 = 100;
	pub const MaxAssetsIntoHolding: u32 = 64;
	/// Delivery fees are paid in IOT.
	pub FeeAssetId: AssetId = AssetId(NativeLocation::get());
	/// Base fee of one message's delivery: 3 milli-IOT, three times an extrinsic's base fee, since a
	/// message occupies another chain's queue as well.
	pub const BaseDeliveryFee: u128 = 3 * iot_primitives::token::MILLI_UNIT;
	/// Root's own location; its messages (sudo, governance) pay no delivery fee.
	pub RootLocation: Location = Location::here();
}

/// What sending one message upward costs: `(BaseDeliveryFee + bytes × TransactionByteFee) ×` the
/// upward queue's fee factor (cumulus raises it while the queue is congested).
pub type PriceForParentDelivery = polkadot_runtime_common::xcm_sender::ExponentialPrice<
	FeeAssetId,
	BaseDeliveryFee,
	super::monetary::TransactionByteFee,
	ParachainSystem,
>;

/// What sending one message to a sibling costs, with that channel's fee factor.
pub type PriceForSiblingDelivery = polkadot_runtime_common::xcm_sender::ExponentialPrice<
	FeeAssetId,
	BaseDeliveryFee,
	super::monetary::TransactionByteFee,
	XcmpQueue,
>;

/// Senders whose messages pay no delivery fee: Root here, and the relay chain.
pub type WaivedLocations = (Equals<RootLocation>, Equals<RelayLocation>);

/// Weighs XCM programs: a fixed cost per instruction, for the executor and `pallet-xcm` alike.
pub type XcmWeigher = FixedWeightBounds<UnitWeightCost, RuntimeCall, MaxInstructions>;

/// How a location is turned into a local account.
pub type LocationToAccountId = (
	// The relay chain's sovereign account.
	ParentIsPreset<AccountId>,
	// Sibling parachains' sovereign accounts.
	SiblingParachainConvertsVia<Sibling, AccountId>,
	// Plain 32-byte accounts on our network.
	AccountId32Aliases<RelayNetwork, AccountId>,
);

/// Moves IOT in and out of holding.
pub type LocalAssetTransactor =
	FungibleAdapter<Balances, IsConcrete<NativeLocation>, LocationToAccountId, AccountId, ()>;

/// How an incoming XCM origin becomes a local dispatch origin.
pub type XcmOriginToTransactDispatchOrigin = (
	SovereignSignedViaLocation<LocationToAccountId, RuntimeOrigin>,
	RelayChainAsNative<RelayChainOrigin, RuntimeOrigin>,
	SiblingParachainAsNative<cumulus_pallet_xcm::Origin, RuntimeOrigin>,
	// Relay-chain governance is Root here.
	ParentAsSuperuser<RuntimeOrigin>,
	SignedAccountId32AsNative<RelayNetwork, RuntimeOrigin>,
	XcmPassthrough<RuntimeOrigin>,
);

/// The relay chain and its plurality bodies.
pub struct ParentOrParentsPlurality;
impl Contains<Location> for ParentOrParentsPlurality {
	fn contains(location: &Location) -> bool {
		matches!(location.unpack(), (1, []) | (1, [Plurality { .. }]))
	}
}

/// Which messages may execute at all.
pub type Barrier = TrailingSetTopicAsId<
	DenyThenTry<
		DenyRecursively<DenyReserveTransferToRelayChain>,
		(
			TakeWeightCredit,
			WithComputedOrigin<
				(
					AllowTopLevelPaidExecutionFrom<Everything>,
					AllowKnownQueryResponses<PolkadotXcm>,
					AllowSubscriptionsFrom<ParentOrParentsPlurality>,
				),
				UniversalLocation,
				ConstU32<8>,
			>,
		),
	>,
>;

/// Routes outgoing messages: upward to the relay chain, XCMP to siblings.
pub type XcmRouter = WithUniqueTopic<(
	cumulus_primitives_utility::ParentAsUmp<ParachainSystem, (), PriceForParentDelivery>,
	XcmpQueue,
)>;

pub struct XcmConfig;
impl staging_xcm_executor::Config for XcmConfig {
	type RuntimeCall = RuntimeCall;
	type XcmSender = XcmRouter;
	type XcmEventEmitter = PolkadotXcm;
	type AssetTransactor = LocalAssetTransactor;
	type OriginConverter = XcmOriginToTransactDispatchOrigin;
	type IsReserve = ();
	type IsTeleporter = ();
	type UniversalLocation = UniversalLocation;
	type Barrier = Barrier;
	type Weigher = XcmWeigher;
	type Trader = UsingComponents<
		super::monetary::WeightToFee,
		NativeLocation,
		AccountId,
		Balances,
		polkadot_runtime_common::impls::ToAuthor<Runtime>,
	>;
	type ResponseHandler = PolkadotXcm;
	type AssetTrap = PolkadotXcm;
	type AssetLocker = ();
	type AssetExchanger = ();
	type SubscriptionService = PolkadotXcm;
	type PalletInstancesInfo = AllPalletsWithSystem;
	type MaxAssetsIntoHolding = MaxAssetsIntoHolding;
	// Delivery fees are withdrawn from the sender and burned (no treasury yet); waived for Root
	// and the relay chain.
	type FeeManager = XcmFeeManagerFromComponents<WaivedLocations, ()>;
	type MessageExporter = ();
	type UniversalAliases = Nothing;
	type CallDispatcher = RuntimeCall;
	type SafeCallFilter = Everything;
	type Aliasers = Nothing;
	type TransactionalProcessor = FrameTransactionalProcessor;
	type HrmpNewChannelOpenRequestHandler = ();
	type HrmpChannelAcceptedHandler = ();
	type HrmpChannelClosingHandler = ();
	type XcmRecorder = PolkadotXcm;
}

/// Local signed origins become `AccountId32` locations when they send XCM.
pub type LocalOriginToLocation = SignedToAccountId32<RuntimeOrigin, AccountId, RelayNetwork>;

impl pallet_xcm::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type SendXcmOrigin = EnsureXcmOrigin<RuntimeOrigin, LocalOriginToLocation>;
	type XcmRouter = XcmRouter;
	type ExecuteXcmOrigin = EnsureXcmOrigin<RuntimeOrigin, LocalOriginToLocation>;
	// Local accounts may not run arbitrary XCM until assets and transfers are designed.
	type XcmExecuteFilter = Nothing;
	type XcmExecutor = XcmExecutor<XcmConfig>;
	type XcmTeleportFilter = Nothing;
	type XcmReserveTransferFilter = Nothing;
	type Weigher = XcmWeigher;
	type UniversalLocation = UniversalLocation;
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	const VERSION_DISCOVERY_QUEUE_SIZE: u32 = 100;
	type AdvertisedXcmVersion = pallet_xcm::CurrentXcmVersion;
	type Currency = Balances;
	type CurrencyMatcher = ();
	type TrustedLockers = ();
	type SovereignAccountOf = LocationToAccountId;
	type MaxLockers = ConstU32<8>;
	// Measured on this runtime (scripts/benchmark.sh). Teleports and reserve transfers are
	// benchmarked as unsupported (no assets yet): their weight is the maximum, so they never fit
	// a block.
	type WeightInfo = crate::weights::pallet_xcm::WeightInfo<Runtime>;
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxRemoteLockConsumers = ConstU32<0>;
	type RemoteLockConsumerIdentifier = ();
	// Aliasing is disabled (`Aliasers = Nothing`), so no deposit is ever taken.
	type AuthorizedAliasConsideration = ();
}

impl cumulus_pallet_xcm::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type XcmExecutor = XcmExecutor<XcmConfig>;
}

impl cumulus_pallet_xcmp_queue::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ChannelInfo = ParachainSystem;
	type VersionWrapper = PolkadotXcm;
	// Sibling messages are queued in the message queue and processed later.
	type XcmpQueue =
		TransformOrigin<crate::MessageQueue, AggregateMessageOrigin, ParaId, ParaIdToSibling>;
	type MaxInboundSuspended = ConstU32<1_000>;
	type MaxActiveOutboundChannels = ConstU32<128>;
	type MaxPageSize = ConstU32<{ 103 * 1024 }>;
	type ControllerOrigin = EnsureRoot<AccountId>;
	type ControllerOriginConverter = XcmOriginToTransactDispatchOrigin;
	type WeightInfo = cumulus_pallet_xcmp_queue::weights::SubstrateWeight<Runtime>;
	type PriceForSiblingDelivery = PriceForSiblingDelivery;
}

/// Turns a para id into the message-queue origin of that sibling.
pub struct ParaIdToSibling;
impl Convert<ParaId, AggregateMessageOrigin> for ParaIdToSibling {
	fn convert(para_id: ParaId) -> AggregateMessageOrigin {
		AggregateMessageOrigin::Sibling(para_id)
	}
}

/// Forwards message-queue notifications about sibling queues to a handler keyed by para id, and
/// ignores the relay chain's and our own queues, which the XCMP queue does not manage.
pub struct NarrowOriginToSibling<Inner>(PhantomData<Inner>);

impl<Inner: QueuePausedQuery<ParaId>> QueuePausedQuery<AggregateMessageOrigin>
	for NarrowOriginToSibling<Inner>
{
	fn is_paused(origin: &AggregateMessageOrigin) -> bool {
		match origin {
			AggregateMessageOrigin::Sibling(id) => Inner::is_paused(id),
			_ => false,
		}
	}
}

impl<Inner: OnQueueChanged<ParaId>> OnQueueChanged<AggregateMessageOrigin>
	for NarrowOriginToSibling<Inner>
{
	fn on_queue_changed(origin: AggregateMessageOrigin, footprint: QueueFootprint) {
		if let AggregateMessageOrigin::Sibling(id) = origin {
			Inner::on_queue_changed(id, footprint)
		}
	}
}
