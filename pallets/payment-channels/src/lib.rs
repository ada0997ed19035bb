//! # Payment channels pallet
//!
//! Machine-to-machine micropayments: a payer locks funds in a channel once, pays by signing
//! vouchers off chain (thousands a second, no transaction each), and the payee redeems the latest
//! voucher whenever it likes.
//!
//! ## Overview
//!
//! - **Channels** go from a payer to a payee; either may be a device's account or any account.
//!   Opening moves the channel's funds from the payer to the payee, where they are *held* (hold
//!   reason `ChannelFunds`): the payee cannot spend them, and only this pallet moves them, either
//!   released to the payee by a voucher or returned to the payer when the channel closes. The
//!   payer tops up while the channel is open. The channel record is paid for by a deposit held on
//!   the payer (`ChannelDeposit`), and a payer has at most `MaxChannelsPerPayer` open channels.
//! - **Vouchers** ([`iot_primitives::channel`], byte layout there) state the *cumulative* amount
//!   owed and a nonce, bound to this chain's genesis hash and to one channel, signed by the
//!   channel's **voucher key**: a key the payer names at opening, or the key of a registered
//!   device ([`VoucherSigner`]; checked through the [`DeviceRegistry`] trait, so a P-256 secure
//!   element can pay). The key is fixed for the channel's life.
//! - **A device's channel follows its device.** A channel whose vouchers a registered device
//!   signs pays only while the device stays *bound* to its payer: registered with the same key,
//!   active, and under the payer's control (its owner, or an operator with `MANAGE_DEVICE`). Once
//!   it is not (transferred, rotated, suspended, decommissioned, compromised, of a compromised
//!   batch, removed), the channel takes no top-ups, anyone may start its close, and the first
//!   call that sees it (a claim, `start_close`) starts the challenge period: the payee keeps
//!   exactly that period to redeem the vouchers it holds, and the rest returns to the payer. So a
//!   buyer of the device or a key thief cannot spend the old owner's channel beyond that period,
//!   and a payer cannot cancel what it owes by marking its own device compromised.
//! - **Claims**: the payee redeems a voucher with [`Pallet::claim`] and receives `min(amount,
//!   funds) − claimed`; the voucher's nonce must exceed the last redeemed one. The channel stays
//!   open. [`Pallet::claim_many`] redeems vouchers of many channels in one extrinsic (a gateway
//!   serving a thousand devices): every channel's money is held on the same account, the caller,
//!   so each extra channel costs one storage write.
//! - **Hash-locked vouchers** redeem only together with a preimage of their lock, which the claim
//!   publishes in `PreimageRevealed`: a buyer pays for encrypted data exactly when the seller
//!   reveals the key on chain. A voucher may also name the provenance anchor it pays for; the
//!   chain records it in `Claimed`. See *Selling a key* below for the rule that makes this a fair
//!   exchange.
//! - **Closing**: the payee closes cooperatively at any time ([`Pallet::close`], optionally
//!   redeeming a last voucher): the rest returns to the payer at once. The payer closes
//!   unilaterally with [`Pallet::start_close`]: the payee may still claim during the channel's
//!   challenge period; afterwards anyone calls [`Pallet::settle`] and the rest returns to the
//!   payer. A channel may carry an expiry: after it, no voucher redeems and anyone may settle.
//!
//! ## Selling a key: the rule that never gives it away unpaid
//!
//! A claim's call data is public from the moment it enters the pool, whether or not it succeeds,
//! so a seller must only submit a hash-locked claim that cannot fail. The chain guarantees:
//!
//! - **The dry run is a promise for the grace period.** If [`Pallet::check_voucher`] answers
//!   `Ok` for a hash-locked voucher in block N, a `claim` of it by the payee pays in any block
//!   whose relay-chain number is at most N's + [`Config::LockGracePeriod`], whatever the payer
//!   does in between: the claim deadline cannot come sooner (only the payee's own claims move
//!   the nonce, funds only grow, `start_close` leaves a whole challenge period, a device leaving
//!   the payer's control starts one), and a hash-locked voucher still redeems for
//!   `LockGracePeriod` relay blocks after the deadline, while [`Pallet::settle`] waits for that
//!   grace to pass.
//! - **`claim_many` settles each entry on its own**: an entry that fails is skipped
//!   ([`Event::ClaimFailed`]) and the others pay, so one bad voucher cannot turn a batch of
//!   revealed preimages into nothing.
//!
//! So the seller's rule is: dry-run `check_voucher` on the best block, submit the claim at once,
//! with a mortality of at most `LockGracePeriod` relay blocks (60 s in our runtime); never submit a
//! hash-locked voucher whose dry run failed (the payer can then not be made to pay it). Plain
//! vouchers carry no secret and redeem until the deadline exactly.
//!
//! ## Time: relay-chain block numbers
//!
//! Every period and deadline of this pallet — `challenge_period`, `expires_at`, `closing_until`,
//! `settle_after`, `MinChallengePeriod` — is a block number of [`Config::BlockNumberProvider`],
//! and "now" in every check against them is that provider's current number. They are promises in
//! wall-clock time (how long a payee has to react), so our runtime uses the **relay chain's**
//! block number (one block per 6 s, whatever the parachain's own block rate): faster parachain
//! blocks would not shorten them. Only `opened_at` is a parachain block number (where the channel
//! was opened). A client reads the relay number the chain last saw from
//! `parachainSystem.lastRelayChainBlockNumber` (storage of `cumulus-pallet-parachain-system`, the
//! relay parent of the latest block); the next block sees that number or a later one.
//!
//! ## Terminology
//!
//! - **Funds**: everything the payer put in; **claimed**: what the payee received so far;
//!   `funds − claimed` is still held on the payee.
//! - **Voucher key**: the key whose signatures the channel accepts, fixed when it opens.
//! - **Challenge period**: the relay-chain blocks a payee has to claim after the payer starts
//!   closing; chosen per channel, at least `MinChallengePeriod`.
//! - **Claim deadline**: the last relay-chain block number at which vouchers redeem: the earlier of
//!   the expiry and the end of the challenge period once the payer started closing. Hash-locked
//!   vouchers redeem for [`Config::LockGracePeriod`] relay blocks more.
//! - **Bound**: a device's channel whose device is registered with the channel's key, active, and
//!   under the payer's control.
//!
//! ## Interface
//!
//! Each call's own documentation states its origin, arguments, deposits, errors, events and
//! complexity; wallets show the same text from the runtime metadata.
//!
//! - [`Pallet::open`] — the payer opens and funds a channel to a payee.
//! - [`Pallet::top_up`] — the payer adds funds to an open channel.
//! - [`Pallet::claim`] — the payee redeems a voucher.
//! - [`Pallet::claim_many`] — the payee redeems vouchers of many channels, each on its own.
//! - [`Pallet::close`] — the payee closes, optionally redeeming a last voucher.
//! - [`Pallet::start_close`] — the payer (anyone, once the channel's device is not bound) starts
//!   a unilateral close (the challenge period).
//! - [`Pallet::settle`] — anyone closes a channel whose claim deadline (and grace) has passed.
//!
//! Reads — view functions (PAPI, subxt) and the `PaymentChannelsApi` runtime API (polkadot.js)
//! answer from the same functions: [`Pallet::channel`], [`Pallet::channels_of`] (a page of an
//! account's channels) and [`Pallet::check_voucher`] (what a claim would pay now, or its error);
//! [`Pallet::device_bound`] (whether a device's channel still pays beyond a challenge period) is a
//! view function only.
//!
//! ## Example
//!
//! The payee redeems cumulative vouchers and receives the difference each time (a unit test against
//! the mock runtime, `src/tests/claims.rs`):
#![doc = docify::embed!("src/tests/claims.rs", the_payee_receives_the_difference_since_the_last_claim)]
#![cfg_attr(not(feature = "std"), no_std)]
// `expect_used` is not denied crate-wide because FRAME's storage/error macros expand to
// `expect`; the hand-written modules deny it themselves.
#![cfg_attr(
	not(test),
	deny(clippy::unwrap_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

extern crate alloc;

use polkadot_sdk::polkadot_sdk_frame as frame;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use alloc::vec::Vec;
use frame::{
	prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
	},
};
pub use iot_primitives::{channel::VOUCHER_TAG, device::DeviceRegistry};
use iot_primitives::{
	channel::{lock_of, verify_voucher, VoucherPayload},
	page_len,
};

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// The host's blake2 for the shared formats.
pub use iot_primitives::device::HostBlake2;

/// Weight of redeeming one voucher signed with this scheme.
fn claim_weight<T: Config>(signature: &DeviceSignature) -> Weight {
	match signature.kind() {
		KeyKind::Ed25519 => T::WeightInfo::claim_ed25519(),
		KeyKind::Sr25519 => T::WeightInfo::claim_sr25519(),
		KeyKind::Secp256k1 => T::WeightInfo::claim_secp256k1(),
		KeyKind::P256 => T::WeightInfo::claim_p256(),
	}
}

/// What a voucher of this scheme costs beyond an sr25519 one (the scheme `claim_many` and
/// `close` are benchmarked with).
fn extra_signature_weight<T: Config>(signature: &DeviceSignature) -> Weight {
	claim_weight::<T>(signature).saturating_sub(T::WeightInfo::claim_sr25519())
}

fn claim_many_weight<T: Config>(claims: &ClaimsOf<T>) -> Weight {
	let count = u32::try_from(claims.len()).unwrap_or(u32::MAX);
	claims.iter().fold(T::WeightInfo::claim_many(count), |weight, (_, signed)| {
		weight.saturating_add(extra_signature_weight::<T>(&signed.signature))
	})
}

fn close_weight<T: Config>(last: &Option<SignedVoucherOf<T>>) -> Weight {
	match last {
		Some(signed) => {
			T::WeightInfo::close().saturating_add(extra_signature_weight::<T>(&signed.signature))
		},
		None => T::WeightInfo::close(),
	}
}

#[frame::pallet]
// Clippy 1.99+ fires `clone_on_copy` inside FRAME's `CloneNoBound` derive of `Call` and `Event`
// (it clones every `Copy` field through `Clone::clone`, with the span of our field). The derive is
// expanded into this module, so this is the narrowest scope that reaches it; it also exempts our
// own code in the module from this one lint.
#[allow(clippy::clone_on_copy)]
pub mod pallet {
	use super::*;

	/// The layout of this pallet's storage, raised by every migration. `try_state` (and
	/// try-runtime's upgrade check) fail when the chain's version differs from this one.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The overarching hold reason.
		type RuntimeHoldReason: Parameter
			+ Member
			+ MaxEncodedLen
			+ Copy
			+ VariantCount
			+ From<HoldReason>;

		/// Currency of the channels and the deposits.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::Mutate<Self::AccountId>;

		/// The device registry, for channels whose vouchers a registered device signs.
		type Devices: DeviceRegistry<Self::AccountId>;

		/// The clock of every period of this pallet: challenge periods, expiries (`expires_at`),
		/// `closing_until`, `settle_after` and [`Config::MinChallengePeriod`] are block numbers of
		/// this provider, and so is "now" whenever they are checked.
		///
		/// A challenge period is a wall-clock promise to the payee (time to notice a unilateral
		/// close and claim), so it must not shrink when the chain's own blocks get faster (several
		/// parachain blocks per relay block with elastic scaling). Our runtime uses the relay
		/// chain's block number (`cumulus_pallet_parachain_system::RelaychainDataProvider`: one
		/// block per 6 s whatever the parachain's rate); a solo chain may use
		/// `frame_system::Pallet<Self>`. The number type is the system's, so the storage and
		/// metadata types do not depend on the choice.
		type BlockNumberProvider: BlockNumberProvider<BlockNumber = BlockNumberFor<Self>>;

		/// Sets up what the benchmarks need from other pallets: a registered device (and a stream
		/// of it). The runtime's calls the registry and provenance pallets; a mock, its doubles.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: iot_primitives::bench::BenchmarkHelper<Self::AccountId>;

		/// Held on the payer per open channel (`ChannelOf::max_encoded_len()` bytes plus two
		/// index entries).
		#[pallet::constant]
		type ChannelDeposit: Get<BalanceOf<Self>>;

		/// Shortest challenge period a channel may have, in blocks of
		/// [`Config::BlockNumberProvider`] (relay-chain blocks in our runtime): the least time a
		/// payee has to react to a unilateral close.
		#[pallet::constant]
		type MinChallengePeriod: Get<BlockNumberFor<Self>>;

		/// Blocks of [`Config::BlockNumberProvider`] after the claim deadline in which a
		/// hash-locked voucher still redeems; [`Pallet::settle`] waits for them too. A seller whose
		/// dry run ([`Pallet::check_voucher`]) said `Ok` has this long for its claim to land: the
		/// preimage in its call data is public from the pool on, so the claim must not fail by
		/// landing a few blocks late.
		#[pallet::constant]
		type LockGracePeriod: Get<BlockNumberFor<Self>>;

		/// Open channels a payer may have at once.
		#[pallet::constant]
		type MaxChannelsPerPayer: Get<u32>;

		/// Vouchers one `claim_many` call redeems at most.
		#[pallet::constant]
		type MaxClaims: Get<u32>;

		/// Weights of the calls, generated by the pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The unclaimed funds of channels, held on their payee.
		#[codec(index = 0)]
		ChannelFunds,
		/// A channel record, held from its payer.
		#[codec(index = 1)]
		ChannelDeposit,
	}

	/// Open channels.
	#[pallet::storage]
	pub type Channels<T: Config> =
		StorageMap<_, Twox64Concat, ChannelId, ChannelOf<T>, OptionQuery>;

	/// Id the next channel gets (ids are never reused, so a voucher names one channel forever).
	#[pallet::storage]
	pub type NextChannelId<T: Config> = StorageValue<_, ChannelId, ValueQuery>;

	/// Open channels per payer (bounded by `MaxChannelsPerPayer`).
	#[pallet::storage]
	pub type OpenChannels<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Channels by party (payer and payee both), for paginated reads.
	#[pallet::storage]
	pub type ChannelsByAccount<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ChannelId,
		(),
		OptionQuery,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A channel was opened and funded. `challenge_period` and `expires_at` are in blocks of
		/// [`Config::BlockNumberProvider`] (relay-chain blocks in our runtime).
		Opened {
			channel: ChannelId,
			payer: T::AccountId,
			payee: T::AccountId,
			amount: BalanceOf<T>,
			challenge_period: BlockNumberFor<T>,
			expires_at: Option<BlockNumberFor<T>>,
		},
		/// The payer added funds; `funds` is the channel's new total.
		ToppedUp { channel: ChannelId, amount: BalanceOf<T>, funds: BalanceOf<T> },
		/// A voucher was redeemed: `amount` paid now, `claimed` in total.
		Claimed {
			channel: ChannelId,
			amount: BalanceOf<T>,
			claimed: BalanceOf<T>,
			nonce: u64,
			pays_for: Option<AnchorRef>,
		},
		/// A hash-locked voucher was redeemed with this preimage of its lock.
		PreimageRevealed { channel: ChannelId, lock: [u8; 32], preimage: Preimage },
		/// The payer started closing; the payee may claim until `settle_after` (inclusive), a
		/// block number of [`Config::BlockNumberProvider`] (the relay chain's in our runtime).
		CloseStarted { channel: ChannelId, settle_after: BlockNumberFor<T> },
		/// The channel was closed: `paid` went to the payee over its life, `refunded` back to
		/// the payer now.
		Closed { channel: ChannelId, paid: BalanceOf<T>, refunded: BalanceOf<T> },
		/// The channel's device is no longer bound to its payer (transferred, rotated, not active,
		/// or removed): its challenge period started now ([`Event::CloseStarted`] follows).
		DeviceUnbound { channel: ChannelId, device: DeviceId },
		/// An entry of `claim_many` failed with `error` and was skipped; the others were redeemed.
		ClaimFailed { channel: ChannelId, error: DispatchError },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such channel (never opened, or closed).
		ChannelNotFound,
		/// Only the channel's payer may do this.
		NotPayer,
		/// Only the channel's payee may do this.
		NotPayee,
		/// Payer and payee must differ.
		SelfChannel,
		/// The amount must not be zero.
		ZeroAmount,
		/// The challenge period is shorter than `MinChallengePeriod`.
		ChallengePeriodTooShort,
		/// The expiry must leave at least the challenge period from now.
		ExpiryTooSoon,
		/// The payer has `MaxChannelsPerPayer` open channels.
		TooManyChannels,
		/// No such device in the registry.
		DeviceNotFound,
		/// The caller may not name this device as the voucher signer.
		NotAuthorized,
		/// The device is not active.
		DeviceInactive,
		/// The payee's account cannot hold funds (it does not exist: it needs the existential
		/// deposit first).
		PayeeCannotReceive,
		/// The payer started closing the channel: no more top-ups.
		Closing,
		/// The channel has expired.
		Expired,
		/// The claim deadline has passed.
		ClaimPeriodOver,
		/// The voucher's nonce is not above the last redeemed one.
		StaleNonce,
		/// The voucher pays nothing more than already claimed (or the funds are exhausted).
		NothingToClaim,
		/// The preimage is missing, present without a lock, or does not hash to the lock.
		WrongPreimage,
		/// A hash-locked voucher states more than the channel's funds (it would publish its
		/// preimage for a partial payment): top up first.
		ExceedsFunds,
		/// The signature is not the channel's voucher key's over this voucher on this chain.
		BadSignature,
		/// The claim deadline has not passed yet (or the channel is not closing and has no
		/// expiry).
		StillOpen,
		/// The payer already started closing.
		AlreadyClosing,
		/// `claim_many` needs at least one claim.
		NoClaims,
		/// The channel's device is no longer bound to its payer (transferred, rotated, not active,
		/// or removed): the channel takes no more funds.
		DeviceUnbound,
		/// A counter or an amount overflowed.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	#[deny(clippy::expect_used)]
	impl<T: Config> Pallet<T> {
		/// Open a channel from the caller to `payee`, funded with `amount`.
		///
		/// The caller is the channel's payer: it pays by signing vouchers off chain with the
		/// voucher key `signer` names, and the payee redeems them with [`Pallet::claim`]. The new
		/// channel's id is the next one (ids are never reused) and is in [`Event::Opened`].
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the payer. If `signer` names a device, the payer must be the device's owner
		/// or an operator of it with `MANAGE_DEVICE`.
		///
		/// ## Details
		///
		/// - `payee`: the account paid. It must differ from the payer and already exist (hold its
		///   existential deposit), since the channel's funds are held on it.
		/// - `amount`: moved from the payer's free balance, which keeps its existential deposit,
		///   onto the payee, held there under [`HoldReason::ChannelFunds`]. The payee cannot spend
		///   it: vouchers release it to the payee, closing returns the rest to the payer.
		/// - `signer`: the voucher key, fixed for the channel's life. [`VoucherSigner::Key`] names
		///   a key (ed25519, sr25519, secp256k1 or P-256); [`VoucherSigner::Device`] names an
		///   active registered device, whose key at this moment is taken. The channel then follows
		///   the device: once it is not bound to the payer (see [`Pallet::device_bound`]), the
		///   channel takes no top-ups and its challenge period starts at the first claim or
		///   [`Pallet::start_close`] (by anyone) that sees it.
		/// - `challenge_period`: the blocks of [`Config::BlockNumberProvider`] (relay-chain blocks
		///   in our runtime, 6 s each) the payee keeps to claim after the payer calls
		///   [`Pallet::start_close`]; at least [`Config::MinChallengePeriod`].
		/// - `expires_at`: the last block number of [`Config::BlockNumberProvider`] (a relay-chain
		///   block number in our runtime, not a parachain one) at which vouchers redeem, if any; at
		///   least `challenge_period` after the provider's current number. After it the channel
		///   takes no top-ups and anyone may [`Pallet::settle`] it. A client reads the current
		///   relay number from `parachainSystem.lastRelayChainBlockNumber`.
		///
		/// Holds [`Config::ChannelDeposit`] on the payer for the record (hold reason
		/// [`HoldReason::ChannelDeposit`]), released when the channel closes. A payer has at most
		/// [`Config::MaxChannelsPerPayer`] open channels.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::SelfChannel`]: `payee` is the caller.
		/// - [`Error::ZeroAmount`]: `amount` is zero.
		/// - [`Error::ChallengePeriodTooShort`]: `challenge_period` is below
		///   [`Config::MinChallengePeriod`].
		/// - [`Error::ExpiryTooSoon`]: `expires_at` is before the provider's current block number
		///   plus `challenge_period`.
		/// - [`Error::TooManyChannels`]: the payer has [`Config::MaxChannelsPerPayer`] open
		///   channels.
		/// - [`Error::DeviceNotFound`]: `signer` names a device that is not registered.
		/// - [`Error::NotAuthorized`]: the caller is neither the device's owner nor its operator
		///   with `MANAGE_DEVICE`.
		/// - [`Error::DeviceInactive`]: the device is not active (suspended, decommissioned,
		///   compromised, or of a batch marked compromised).
		/// - [`Error::PayeeCannotReceive`]: the payee's account does not exist, or has no room for
		///   another hold.
		/// - [`Error::Overflow`]: the channel ids are exhausted.
		/// - `TokenError::FundsUnavailable`: the payer's free balance cannot pay the deposit and
		///   `amount` and keep its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::Opened`]: always, with the channel's id, payer, payee, amount, challenge
		///   period and expiry.
		///
		/// ## Complexity
		///
		/// O(1). Reads the payer's open-channel count, the next channel id, the payee's holds and,
		/// for a device signer, the device (through [`Config::Devices`]); writes the channel, its
		/// two index entries, the count, the next id, the payer's balance and deposit hold, and the
		/// payee's hold.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::open())]
		pub fn open(
			origin: OriginFor<T>,
			payee: T::AccountId,
			amount: BalanceOf<T>,
			signer: VoucherSigner,
			challenge_period: BlockNumberFor<T>,
			expires_at: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let payer = ensure_signed(origin)?;
			ensure!(payer != payee, Error::<T>::SelfChannel);
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(
				challenge_period >= T::MinChallengePeriod::get(),
				Error::<T>::ChallengePeriodTooShort
			);
			let now = T::BlockNumberProvider::current_block_number();
			ensure!(
				expires_at.is_none_or(|expiry| expiry >= now.saturating_add(challenge_period)),
				Error::<T>::ExpiryTooSoon
			);
			let open = OpenChannels::<T>::get(&payer);
			ensure!(open < T::MaxChannelsPerPayer::get(), Error::<T>::TooManyChannels);
			let (signer, device) = match signer {
				VoucherSigner::Key(key) => (key, None),
				VoucherSigner::Device(device) => {
					let key = T::Devices::key(device).ok_or(Error::<T>::DeviceNotFound)?;
					ensure!(
						T::Devices::can_act(device, &payer, Permissions::MANAGE_DEVICE),
						Error::<T>::NotAuthorized
					);
					ensure!(T::Devices::is_active(device), Error::<T>::DeviceInactive);
					(key, Some(device))
				},
			};
			ensure!(
				T::Currency::hold_available(&HoldReason::ChannelFunds.into(), &payee),
				Error::<T>::PayeeCannotReceive
			);
			let channel = NextChannelId::<T>::get();
			let next = channel.checked_add(1).ok_or(Error::<T>::Overflow)?;

			let deposit = T::ChannelDeposit::get();
			T::Currency::hold(&HoldReason::ChannelDeposit.into(), &payer, deposit)?;
			T::Currency::transfer_and_hold(
				&HoldReason::ChannelFunds.into(),
				&payer,
				&payee,
				amount,
				Precision::Exact,
				Preservation::Preserve,
				Fortitude::Polite,
			)?;
			NextChannelId::<T>::put(next);
			OpenChannels::<T>::insert(&payer, open.saturating_add(1));
			ChannelsByAccount::<T>::insert(&payer, channel, ());
			ChannelsByAccount::<T>::insert(&payee, channel, ());
			Channels::<T>::insert(
				channel,
				Channel {
					payer: payer.clone(),
					payee: payee.clone(),
					signer,
					device,
					funds: amount,
					claimed: Zero::zero(),
					nonce: 0,
					challenge_period,
					expires_at,
					closing_until: None,
					deposit,
					opened_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::Opened {
				channel,
				payer,
				payee,
				amount,
				challenge_period,
				expires_at,
			});
			Ok(())
		}

		/// Add `amount` to `channel`'s funds.
		///
		/// The payee may then redeem vouchers up to the new total; a voucher that was paid only up
		/// to the old funds is made whole by the next voucher.
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the channel's payer.
		///
		/// ## Details
		///
		/// - `channel`: the channel's id.
		/// - `amount`: moved from the payer's free balance, which keeps its existential deposit,
		///   onto the payee's [`HoldReason::ChannelFunds`] hold; the channel's funds grow by it.
		///
		/// Only while the payer has not started closing and the channel has not expired (its expiry
		/// block itself still takes top-ups; blocks of [`Config::BlockNumberProvider`], relay-chain
		/// blocks in our runtime).
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::ChannelNotFound`]: no such channel (never opened, or closed).
		/// - [`Error::NotPayer`]: the caller is not the channel's payer.
		/// - [`Error::ZeroAmount`]: `amount` is zero.
		/// - [`Error::Closing`]: the payer started closing the channel.
		/// - [`Error::Expired`]: the provider's current block number (the relay chain's in our
		///   runtime) is after the channel's expiry.
		/// - [`Error::DeviceUnbound`]: the channel's device is no longer bound to the payer.
		/// - [`Error::Overflow`]: the channel's funds would overflow.
		/// - `TokenError::FundsUnavailable`: the payer's free balance cannot pay `amount` and keep
		///   its existential deposit.
		///
		/// ## Events
		///
		/// - [`Event::ToppedUp`]: always, with the amount added and the channel's new total funds.
		///
		/// ## Complexity
		///
		/// O(1): reads and writes the channel, the payer's balance and the payee's hold; for a
		/// device's channel, reads the device through [`Config::Devices`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			channel: ChannelId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			ensure!(record.payer == who, Error::<T>::NotPayer);
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(record.closing_until.is_none(), Error::<T>::Closing);
			let now = T::BlockNumberProvider::current_block_number();
			ensure!(record.expires_at.is_none_or(|expiry| now <= expiry), Error::<T>::Expired);
			ensure!(Self::is_bound(&record), Error::<T>::DeviceUnbound);
			record.funds = record.funds.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			T::Currency::transfer_and_hold(
				&HoldReason::ChannelFunds.into(),
				&who,
				&record.payee,
				amount,
				Precision::Exact,
				Preservation::Preserve,
				Fortitude::Polite,
			)?;
			let funds = record.funds;
			Channels::<T>::insert(channel, record);
			Self::deposit_event(Event::ToppedUp { channel, amount, funds });
			Ok(())
		}

		/// Redeem a voucher of `channel`: the payee receives what it pays beyond the claimed.
		///
		/// Vouchers state the cumulative amount owed, so only the latest one matters: the claim
		/// pays `min(voucher amount, funds) − claimed`, and the channel stays open.
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the channel's payee.
		///
		/// ## Details
		///
		/// - `channel`: the channel's id.
		/// - `signed`: the voucher (cumulative amount, nonce, optional hash lock, optional
		///   provenance anchor it pays for), its signature by the channel's voucher key over the
		///   voucher's bytes on this chain and channel (layout in [`iot_primitives::channel`]), and
		///   the preimage of its lock, given exactly when the voucher is locked.
		///
		/// The voucher's nonce must be above the last redeemed one and becomes the channel's nonce,
		/// so no voucher with that nonce or a lower one redeems afterwards. A voucher above the
		/// funds pays what is left (a voucher after a top-up pays the rest); a hash-locked voucher
		/// must be covered in full instead, since the claim publishes its preimage. The amount is
		/// released from the payee's [`HoldReason::ChannelFunds`] hold into its free balance.
		/// Vouchers redeem until the claim deadline: the earlier of the expiry and the end of the
		/// challenge period once the payer started closing, compared with the current block number
		/// of [`Config::BlockNumberProvider`] (the relay chain's in our runtime); hash-locked
		/// vouchers for [`Config::LockGracePeriod`] blocks more (see the crate docs, *Selling a
		/// key*). If the channel's device is no longer bound to the payer and the channel is not
		/// closing yet, the claim first starts its challenge period, then redeems.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::ChannelNotFound`]: no such channel (never opened, or closed).
		/// - [`Error::NotPayee`]: the caller is not the channel's payee.
		/// - [`Error::ClaimPeriodOver`]: the claim deadline (for a hash-locked voucher, the
		///   deadline and the grace period) has passed.
		/// - [`Error::StaleNonce`]: the voucher's nonce is not above the last redeemed one.
		/// - [`Error::ExceedsFunds`]: a hash-locked voucher states more than the channel's funds.
		/// - [`Error::NothingToClaim`]: the voucher pays nothing beyond what was claimed (its
		///   amount is not above it, or the funds are exhausted).
		/// - [`Error::WrongPreimage`]: a locked voucher comes without a preimage or with one that
		///   does not hash to its lock, or an unlocked voucher comes with a preimage.
		/// - [`Error::Overflow`]: the voucher's amount does not fit the format's `u128`.
		/// - [`Error::BadSignature`]: the signature is not the voucher key's over this voucher on
		///   this channel and chain.
		///
		/// ## Events
		///
		/// - [`Event::DeviceUnbound`] and [`Event::CloseStarted`]: first, if the claim started the
		///   challenge period of a channel whose device is no longer bound.
		/// - [`Event::PreimageRevealed`]: for a hash-locked voucher, with the lock and preimage.
		/// - [`Event::Claimed`]: always, with the amount paid now, the total claimed, the voucher's
		///   nonce and the anchor it pays for.
		///
		/// ## Complexity
		///
		/// O(1): reads and writes the channel and the payee's hold, reads the genesis block hash
		/// and, for a device's channel, the device through [`Config::Devices`], and verifies one
		/// signature. The weight depends on the signature's key type: P-256 is verified in the
		/// runtime and is the heaviest.
		#[pallet::call_index(2)]
		#[pallet::weight(claim_weight::<T>(&signed.signature))]
		pub fn claim(
			origin: OriginFor<T>,
			channel: ChannelId,
			signed: SignedVoucherOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			ensure!(record.payee == who, Error::<T>::NotPayee);
			Self::redeem(channel, &mut record, signed)?;
			Channels::<T>::insert(channel, record);
			Ok(())
		}

		/// Redeem vouchers of several channels whose payee is the caller, each on its own.
		///
		/// Made for a gateway paid through many channels: their funds are all held on the caller,
		/// so each extra channel costs one storage write. Each voucher is redeemed as by
		/// [`Pallet::claim`], in order; one that fails is skipped with [`Event::ClaimFailed`] and
		/// changes nothing, and the others are redeemed (so a batch of hash-locked vouchers never
		/// publishes its preimages for nothing because one entry is bad).
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the payee of every channel named.
		///
		/// ## Details
		///
		/// - `claims`: pairs of a channel id and a signed voucher, at least one and at most
		///   [`Config::MaxClaims`]. A channel may appear more than once, with increasing nonces.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::NoClaims`]: `claims` is empty.
		///
		/// An entry's own failure ([`Error::ChannelNotFound`], [`Error::NotPayee`] and those given
		/// at [`Pallet::claim`]) does not fail the call: it is reported in [`Event::ClaimFailed`].
		///
		/// ## Events
		///
		/// - Per claim, in order, those of [`Pallet::claim`] ([`Event::DeviceUnbound`] and
		///   [`Event::CloseStarted`] when it starts a challenge period, [`Event::PreimageRevealed`]
		///   for a hash-locked voucher, then [`Event::Claimed`]), or [`Event::ClaimFailed`] with
		///   the entry's error.
		///
		/// ## Complexity
		///
		/// O(n), n = `claims.len()` ≤ [`Config::MaxClaims`]: per claim, one read and one write of
		/// the channel and one signature verification; the caller's hold is the same storage item
		/// for all. The weight is benchmarked with sr25519 vouchers; other key types add their
		/// difference.
		#[pallet::call_index(3)]
		#[pallet::weight(claim_many_weight::<T>(claims))]
		pub fn claim_many(origin: OriginFor<T>, claims: ClaimsOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!claims.is_empty(), Error::<T>::NoClaims);
			for (channel, signed) in claims {
				// Each entry in its own storage layer: a failing one leaves no write or event.
				let settled = frame::deps::frame_support::storage::with_storage_layer(
					|| -> DispatchResult {
						let mut record =
							Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
						ensure!(record.payee == who, Error::<T>::NotPayee);
						Self::redeem(channel, &mut record, signed)?;
						Channels::<T>::insert(channel, record);
						Ok(())
					},
				);
				if let Err(error) = settled {
					Self::deposit_event(Event::ClaimFailed { channel, error });
				}
			}
			Ok(())
		}

		/// Close `channel` cooperatively, redeeming `last` first if given.
		///
		/// The payee keeps what it claimed and the rest returns to the payer now. The payee may
		/// close at any time, also after the claim deadline (then without `last`).
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the channel's payee.
		///
		/// ## Details
		///
		/// - `channel`: the channel's id.
		/// - `last`: a voucher to redeem first, exactly as by [`Pallet::claim`]; `None` to close
		///   without one.
		///
		/// The unclaimed funds (`funds − claimed`) move from the payee's
		/// [`HoldReason::ChannelFunds`] hold to the payer's free balance, even if the payee's
		/// account is frozen. The deposit the payer paid at opening is released (best effort), the
		/// channel and its index entries are deleted, and the payer's open-channel count goes down.
		/// The channel's id is never reused, so its vouchers redeem nowhere afterwards.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::ChannelNotFound`]: no such channel (never opened, or closed).
		/// - [`Error::NotPayee`]: the caller is not the channel's payee.
		/// - With `last`: [`Error::ClaimPeriodOver`], [`Error::StaleNonce`],
		///   [`Error::ExceedsFunds`], [`Error::NothingToClaim`], [`Error::WrongPreimage`],
		///   [`Error::Overflow`], [`Error::BadSignature`], for the reasons given at
		///   [`Pallet::claim`]; the channel stays open.
		///
		/// ## Events
		///
		/// - With `last`, those of [`Pallet::claim`]: [`Event::PreimageRevealed`] for a hash-locked
		///   voucher, then [`Event::Claimed`].
		/// - [`Event::Closed`]: always, with what the payee was paid over the channel's life and
		///   what returned to the payer now.
		///
		/// ## Complexity
		///
		/// O(1): reads the channel; writes the payee's hold, the payer's balance and deposit hold,
		/// the open-channel count, and removes the channel and its two index entries; with `last`,
		/// one signature verification (weight per key type, as for [`Pallet::claim`]).
		#[pallet::call_index(4)]
		#[pallet::weight(close_weight::<T>(last))]
		pub fn close(
			origin: OriginFor<T>,
			channel: ChannelId,
			last: Option<SignedVoucherOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			ensure!(record.payee == who, Error::<T>::NotPayee);
			if let Some(signed) = last {
				Self::redeem(channel, &mut record, signed)?;
			}
			Self::finish(channel, record)
		}

		/// Start closing `channel` without the payee.
		///
		/// The payee may still claim during the channel's challenge period; afterwards anyone may
		/// [`Pallet::settle`] it.
		///
		/// ## Dispatch Origin
		///
		/// _Signed_ by the channel's payer; by anyone if the channel's device is no longer bound to
		/// the payer (see [`Pallet::device_bound`]), so a payer's watcher, the payee or anyone
		/// else can stop a channel whose device was sold, rotated, suspended or compromised.
		///
		/// ## Details
		///
		/// - `channel`: the channel's id.
		///
		/// The challenge period ends at the current block number of [`Config::BlockNumberProvider`]
		/// (the relay chain's in our runtime, read by clients from
		/// `parachainSystem.lastRelayChainBlockNumber`) plus the channel's challenge period, and
		/// the claim deadline becomes the earlier of that and the expiry (for an expired channel,
		/// already past). Top-ups are refused from now on. No funds move.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::ChannelNotFound`]: no such channel (never opened, or closed).
		/// - [`Error::AlreadyClosing`]: the channel is already closing.
		/// - [`Error::NotPayer`]: the caller is not the channel's payer, and the channel's device
		///   (if any) is still bound to it.
		///
		/// ## Events
		///
		/// - [`Event::DeviceUnbound`]: first, if the channel's device is no longer bound.
		/// - [`Event::CloseStarted`]: always, with `settle_after`, the claim deadline, a relay-chain
		///   block number in our runtime: the payee may claim while the relay number is at most
		///   that (hash-locked vouchers for [`Config::LockGracePeriod`] more), and
		///   [`Pallet::settle`] succeeds once it is past that plus the grace period (however many
		///   parachain blocks that takes).
		///
		/// ## Complexity
		///
		/// O(1): one read and one write of the channel; for a device's channel, reads the device
		/// through [`Config::Devices`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::start_close())]
		pub fn start_close(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			ensure!(record.closing_until.is_none(), Error::<T>::AlreadyClosing);
			let now = T::BlockNumberProvider::current_block_number();
			if !Self::unbind(channel, &mut record, now, true) {
				ensure!(record.payer == who, Error::<T>::NotPayer);
				Self::start_challenge(channel, &mut record, now, true);
			}
			Channels::<T>::insert(channel, record);
			Ok(())
		}

		/// Close `channel` once its claim deadline has passed: the rest returns to the payer.
		///
		/// Ends a unilateral close after its challenge period, or a channel after its expiry;
		/// anyone may call it, the payer included.
		///
		/// ## Dispatch Origin
		///
		/// _Signed_, by any account.
		///
		/// ## Details
		///
		/// - `channel`: the channel's id.
		///
		/// As [`Pallet::close`] without a voucher: the unclaimed funds move from the payee's hold
		/// to the payer's free balance (even if the payee's account is frozen), the payer's deposit
		/// is released (best effort), and the channel and its index entries are deleted.
		///
		/// ## Errors
		///
		/// - `BadOrigin`: the origin is not signed.
		/// - [`Error::ChannelNotFound`]: no such channel (never opened, or closed).
		/// - [`Error::StillOpen`]: the current block number of [`Config::BlockNumberProvider`] (the
		///   relay chain's in our runtime) is not after the claim deadline plus
		///   [`Config::LockGracePeriod`] (in which hash-locked vouchers still redeem), or the
		///   channel has no deadline (no expiry and no close started).
		///
		/// ## Events
		///
		/// - [`Event::Closed`]: always, with what the payee was paid over the channel's life and
		///   what returned to the payer now.
		///
		/// ## Complexity
		///
		/// O(1): reads the channel; writes the payee's hold, the payer's balance and deposit hold,
		/// the open-channel count, and removes the channel and its two index entries.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			ensure_signed(origin)?;
			let record = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			let now = T::BlockNumberProvider::current_block_number();
			ensure!(
				record.claim_deadline().is_some_and(
					|deadline| now > deadline.saturating_add(T::LockGracePeriod::get())
				),
				Error::<T>::StillOpen
			);
			Self::finish(channel, record)
		}
	}
	/// Reads, as view functions (`RuntimeViewFunction`; PAPI and subxt call them by name). The
	/// runtime API `PaymentChannelsApi` answers from the same functions for polkadot.js. Lists
	/// page as [`iot_primitives::MAX_PAGE`] describes.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// An open channel, or `None` (never opened, or closed).
		pub fn channel(id: ChannelId) -> Option<ChannelOf<T>> {
			Channels::<T>::get(id)
		}

		/// A page of the channels `who` pays or is paid through, with their ids: at most
		/// `min(limit, MAX_PAGE)`, in storage order, after channel `start_after`.
		pub fn channels_of(
			who: T::AccountId,
			start_after: Option<ChannelId>,
			limit: u32,
		) -> Vec<(ChannelId, ChannelOf<T>)> {
			let ids = match start_after {
				Some(last) => ChannelsByAccount::<T>::iter_key_prefix_from(
					&who,
					ChannelsByAccount::<T>::hashed_key_for(&who, last),
				),
				None => ChannelsByAccount::<T>::iter_key_prefix(&who),
			};
			ids.take(page_len(limit))
				.filter_map(|id| Channels::<T>::get(id).map(|c| (id, c)))
				.collect()
		}

		/// What a claim of `signed` on `channel` by its payee would pay now, or the error the
		/// claim would fail with (a replayed or older voucher: `StaleNonce`). Changes nothing.
		///
		/// For a hash-locked voucher, `Ok` is a promise for [`Config::LockGracePeriod`] blocks:
		/// it is answered without the grace, so the claim pays if it lands within that many
		/// blocks of [`Config::BlockNumberProvider`] (see the crate docs, *Selling a key*).
		pub fn check_voucher(
			channel: ChannelId,
			signed: SignedVoucherOf<T>,
		) -> Result<BalanceOf<T>, DispatchError> {
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			let now = T::BlockNumberProvider::current_block_number();
			// What the claim would do first (no event: nothing is written).
			Self::unbind(channel, &mut record, now, false);
			Self::redeemable(channel, &record, &signed, Zero::zero())
		}

		/// Whether `channel` pays beyond a challenge period: `true` for a channel signed by a key
		/// and for one whose device is still registered with the channel's key, active, and under
		/// the payer's control (owner, or operator with `MANAGE_DEVICE`); `None` if there is no
		/// such channel. A payee serving a device should stop accepting its vouchers when this
		/// turns `false` or the channel is closing.
		pub fn device_bound(channel: ChannelId) -> Option<bool> {
			Channels::<T>::get(channel).map(|record| Self::is_bound(&record))
		}
	}
}

#[deny(clippy::expect_used)]
impl<T: Config> Pallet<T> {
	/// The chain's genesis hash, which every voucher binds.
	pub fn genesis_hash() -> [u8; 32] {
		iot_primitives::device::hash_bytes(
			frame_system::BlockHash::<T>::get(BlockNumberFor::<T>::zero()).as_ref(),
		)
	}

	/// The full statement the voucher key signed for `voucher` on `channel`; `None` if the
	/// amount does not fit the format's `u128`.
	pub fn payload(channel: ChannelId, voucher: &Voucher<BalanceOf<T>>) -> Option<VoucherPayload> {
		let amount: u128 = voucher.amount.try_into().ok()?;
		Some(VoucherPayload::new(
			Self::genesis_hash(),
			channel,
			&Voucher {
				amount,
				nonce: voucher.nonce,
				lock: voucher.lock,
				pays_for: voucher.pays_for,
			},
		))
	}

	/// Whether `record`'s voucher key is still trusted for its payer: a key channel always; a
	/// device's channel while the device is registered with the channel's key, active, and under
	/// the payer's control.
	pub fn is_bound(record: &ChannelOf<T>) -> bool {
		record.device.is_none_or(|device| {
			T::Devices::key(device) == Some(record.signer)
				&& T::Devices::is_active(device)
				&& T::Devices::can_act(device, &record.payer, Permissions::MANAGE_DEVICE)
		})
	}

	/// Starts `record`'s challenge period at `now` if its device is no longer bound and it is
	/// not closing yet (events only if `emit`: a dry run writes nothing). Returns whether it did.
	fn unbind(
		channel: ChannelId,
		record: &mut ChannelOf<T>,
		now: BlockNumberFor<T>,
		emit: bool,
	) -> bool {
		if record.closing_until.is_some() || Self::is_bound(record) {
			return false;
		}
		if emit {
			if let Some(device) = record.device {
				Self::deposit_event(Event::DeviceUnbound { channel, device });
			}
		}
		Self::start_challenge(channel, record, now, emit);
		true
	}

	/// Sets `record`'s challenge period to end `challenge_period` after `now`.
	fn start_challenge(
		channel: ChannelId,
		record: &mut ChannelOf<T>,
		now: BlockNumberFor<T>,
		emit: bool,
	) {
		record.closing_until = Some(now.saturating_add(record.challenge_period));
		if emit {
			let settle_after = record.claim_deadline().unwrap_or(now);
			Self::deposit_event(Event::CloseStarted { channel, settle_after });
		}
	}

	/// What redeeming `signed` on `channel` would pay now, checking everything a claim checks
	/// except who submits it, with hash-locked vouchers redeeming `grace` blocks past the claim
	/// deadline. Changes nothing.
	pub fn redeemable(
		channel: ChannelId,
		record: &ChannelOf<T>,
		signed: &SignedVoucherOf<T>,
		grace: BlockNumberFor<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let now = T::BlockNumberProvider::current_block_number();
		let voucher = &signed.voucher;
		let grace = if voucher.lock.is_some() { grace } else { Zero::zero() };
		ensure!(
			record.claim_deadline().is_none_or(|deadline| now <= deadline.saturating_add(grace)),
			Error::<T>::ClaimPeriodOver
		);
		ensure!(voucher.nonce > record.nonce, Error::<T>::StaleNonce);
		// A partial payment must not publish the preimage: that would sell the data for less.
		ensure!(voucher.lock.is_none() || voucher.amount <= record.funds, Error::<T>::ExceedsFunds);
		let amount = voucher.amount.min(record.funds).saturating_sub(record.claimed);
		ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
		match (&voucher.lock, &signed.preimage) {
			(None, None) => {},
			(Some(lock), Some(preimage)) => {
				ensure!(lock_of::<HostBlake2>(preimage) == *lock, Error::<T>::WrongPreimage)
			},
			_ => return Err(Error::<T>::WrongPreimage.into()),
		}
		let payload = Self::payload(channel, voucher).ok_or(Error::<T>::Overflow)?;
		ensure!(
			verify_voucher(&record.signer, &payload, &signed.signature),
			Error::<T>::BadSignature
		);
		Ok(amount)
	}

	/// Redeem `signed` on `record` (not written back: the caller stores it), first starting the
	/// challenge period if the channel's device is no longer bound.
	fn redeem(
		channel: ChannelId,
		record: &mut ChannelOf<T>,
		signed: SignedVoucherOf<T>,
	) -> DispatchResult {
		let now = T::BlockNumberProvider::current_block_number();
		Self::unbind(channel, record, now, true);
		let amount = Self::redeemable(channel, record, &signed, T::LockGracePeriod::get())?;
		T::Currency::release(
			&HoldReason::ChannelFunds.into(),
			&record.payee,
			amount,
			Precision::Exact,
		)?;
		record.claimed = record.claimed.saturating_add(amount);
		record.nonce = signed.voucher.nonce;
		if let (Some(lock), Some(preimage)) = (signed.voucher.lock, signed.preimage) {
			Self::deposit_event(Event::PreimageRevealed { channel, lock, preimage });
		}
		Self::deposit_event(Event::Claimed {
			channel,
			amount,
			claimed: record.claimed,
			nonce: signed.voucher.nonce,
			pays_for: signed.voucher.pays_for,
		});
		Ok(())
	}

	/// Return the unclaimed funds to the payer, release its deposit, delete the channel.
	fn finish(channel: ChannelId, record: ChannelOf<T>) -> DispatchResult {
		let refunded = record.funds.saturating_sub(record.claimed);
		if !refunded.is_zero() {
			// `Force`: the money is the payer's; a freeze on the payee's account must not keep it.
			T::Currency::transfer_on_hold(
				&HoldReason::ChannelFunds.into(),
				&record.payee,
				&record.payer,
				refunded,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
		}
		// Best effort: a record must never get stuck because less than it says is held
		// (`try_state` reports such a mismatch).
		let _ = T::Currency::release(
			&HoldReason::ChannelDeposit.into(),
			&record.payer,
			record.deposit,
			Precision::BestEffort,
		);
		OpenChannels::<T>::mutate_exists(&record.payer, |open| {
			*open = open.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
		});
		ChannelsByAccount::<T>::remove(&record.payer, channel);
		ChannelsByAccount::<T>::remove(&record.payee, channel);
		Channels::<T>::remove(channel);
		Self::deposit_event(Event::Closed { channel, paid: record.claimed, refunded });
		Ok(())
	}

	/// Invariants: `claimed ≤ funds` in every channel; the payee's `ChannelFunds` hold is the
	/// sum of `funds − claimed` over its channels, the payer's `ChannelDeposit` hold the sum of
	/// its records' deposits; the open-channel counts and the party index match the channels.
	pub fn do_try_state() -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
		ensure!(
			Pallet::<T>::on_chain_storage_version() == STORAGE_VERSION,
			"the storage version on chain differs from the code's: a migration is missing"
		);
		use alloc::collections::btree_map::BTreeMap;
		let mut unclaimed: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut counts: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut indexed = 0u64;
		for (id, channel) in Channels::<T>::iter() {
			ensure!(id < NextChannelId::<T>::get(), "channel id beyond the counter");
			ensure!(channel.claimed <= channel.funds, "claimed more than the channel's funds");
			ensure!(channel.payer != channel.payee, "channel to oneself");
			let rest = channel.funds.saturating_sub(channel.claimed);
			let entry = unclaimed.entry(channel.payee.clone()).or_insert_with(Zero::zero);
			*entry = entry.saturating_add(rest);
			let entry = deposits.entry(channel.payer.clone()).or_insert_with(Zero::zero);
			*entry = entry.saturating_add(channel.deposit);
			let entry = counts.entry(channel.payer.clone()).or_insert(0);
			*entry = entry.saturating_add(1);
			ensure!(
				ChannelsByAccount::<T>::contains_key(&channel.payer, id)
					&& ChannelsByAccount::<T>::contains_key(&channel.payee, id),
				"channel missing from the party index"
			);
			indexed = indexed.saturating_add(2);
		}
		ensure!(
			ChannelsByAccount::<T>::iter_keys().count() as u64 == indexed,
			"party index entry without its channel"
		);
		for (who, amount) in unclaimed {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ChannelFunds.into(), &who) == amount,
				"held channel funds differ from the channels"
			);
		}
		for (who, amount) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ChannelDeposit.into(), &who) == amount,
				"held channel deposits differ from the channels"
			);
		}
		ensure!(
			OpenChannels::<T>::iter().all(|(who, n)| counts.get(&who) == Some(&n))
				&& counts.iter().all(|(who, n)| OpenChannels::<T>::get(who) == *n),
			"open-channel counts differ from the channels"
		);
		Ok(())
	}
}
