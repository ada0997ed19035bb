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
//! - **Claims**: the payee redeems a voucher with [`Pallet::claim`] and receives `min(amount,
//!   funds) − claimed`; the voucher's nonce must exceed the last redeemed one. The channel stays
//!   open. [`Pallet::claim_many`] redeems vouchers of many channels in one extrinsic (a gateway
//!   serving a thousand devices): every channel's money is held on the same account, the caller,
//!   so each extra channel costs one storage write.
//! - **Hash-locked vouchers** redeem only together with a preimage of their lock, which the claim
//!   publishes in `PreimageRevealed`: a buyer pays for encrypted data exactly when the seller
//!   reveals the key on chain. A voucher may also name the provenance anchor it pays for; the
//!   chain records it in `Claimed`.
//! - **Closing**: the payee closes cooperatively at any time ([`Pallet::close`], optionally
//!   redeeming a last voucher): the rest returns to the payer at once. The payer closes
//!   unilaterally with [`Pallet::start_close`]: the payee may still claim during the channel's
//!   challenge period; afterwards anyone calls [`Pallet::settle`] and the rest returns to the
//!   payer. A channel may carry an expiry: after it, no voucher redeems and anyone may settle.
//!
//! ## Terminology
//!
//! - **Funds**: everything the payer put in; **claimed**: what the payee received so far;
//!   `funds − claimed` is still held on the payee.
//! - **Claim deadline**: the last block in which vouchers redeem: the earlier of the expiry and
//!   the end of the challenge period once the payer started closing.
//!
//! ## Interface
//!
//! - [`Pallet::open`] `(payee, amount, signer, challenge_period, expires_at)`: signed, the payer.
//!   Moves `amount` onto the payee's hold, holds `ChannelDeposit` from the payer. Event `Opened`.
//!   Errors: `SelfChannel`, `ZeroAmount`, `ChallengePeriodTooShort`, `ExpiryTooSoon`,
//!   `TooManyChannels`, `DeviceNotFound`, `NotAuthorized`, `DeviceInactive`,
//!   `PayeeCannotReceive`, `Overflow`, funds. O(1).
//! - [`Pallet::top_up`] `(channel, amount)`: signed, the payer. Event `ToppedUp`. Errors:
//!   `NotFound`, `NotPayer`, `ZeroAmount`, `Closing`, `Expired`, `Overflow`, funds. O(1).
//! - [`Pallet::claim`] `(channel, signed)`: signed, the payee. Event `Claimed` (and
//!   `PreimageRevealed`). Errors: `NotFound`, `NotPayee`, `ClaimPeriodOver`, `StaleNonce`,
//!   `ExceedsFunds`, `NothingToClaim`, `WrongPreimage`, `BadSignature`, `Overflow`. O(1) + one
//!   signature check (weight per
//!   key type; P-256 is verified in the runtime and is the heaviest).
//! - [`Pallet::claim_many`] `(claims)`: signed, the payee of every channel named; all or
//!   nothing. Errors: `NoClaims` and those of `claim`. O(claims).
//! - [`Pallet::close`] `(channel, last)`: signed, the payee. Redeems `last` if given, returns the
//!   rest to the payer, releases the payer's deposit, deletes the channel. Event `Closed`. Errors:
//!   `NotFound`, `NotPayee` and those of `claim` for `last`. O(1).
//! - [`Pallet::start_close`] `(channel)`: signed, the payer. Starts the challenge period. Event
//!   `CloseStarted`. Errors: `NotFound`, `NotPayer`, `AlreadyClosing`. O(1).
//! - [`Pallet::settle`] `(channel)`: signed, anyone, once the claim deadline has passed. Like
//!   `close` without a voucher. Event `Closed`. Errors: `NotFound`, `StillOpen`. O(1).

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
use iot_primitives::channel::{lock_of, verify_voucher, VoucherPayload};
pub use iot_primitives::{channel::VOUCHER_TAG, device::DeviceRegistry};

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// Largest page of [`Pallet::channels_of`].
pub const MAX_CHANNELS_PAGE: u32 = 100;

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
pub mod pallet {
	use super::*;

	#[pallet::pallet]
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

		/// Held on the payer per open channel (`ChannelOf::max_encoded_len()` bytes plus two
		/// index entries).
		#[pallet::constant]
		type ChannelDeposit: Get<BalanceOf<Self>>;

		/// Shortest challenge period a channel may have, in blocks: the least time a payee has to
		/// react to a unilateral close.
		#[pallet::constant]
		type MinChallengePeriod: Get<BlockNumberFor<Self>>;

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
		/// A channel was opened and funded.
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
		/// The payer started closing; the payee may claim until `settle_after` (inclusive).
		CloseStarted { channel: ChannelId, settle_after: BlockNumberFor<T> },
		/// The channel was closed: `paid` went to the payee over its life, `refunded` back to
		/// the payer now.
		Closed { channel: ChannelId, paid: BalanceOf<T>, refunded: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such channel (never opened, or closed).
		NotFound,
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
		/// Open a channel to `payee` funded with `amount`, whose vouchers `signer` signs.
		///
		/// Origin: signed, the payer.
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
			let now = frame_system::Pallet::<T>::block_number();
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
					opened_at: now,
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
		/// Origin: signed, the payer.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			channel: ChannelId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::NotFound)?;
			ensure!(record.payer == who, Error::<T>::NotPayer);
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(record.closing_until.is_none(), Error::<T>::Closing);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(record.expires_at.is_none_or(|expiry| now <= expiry), Error::<T>::Expired);
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
		/// Origin: signed, the payee.
		#[pallet::call_index(2)]
		#[pallet::weight(claim_weight::<T>(&signed.signature))]
		pub fn claim(
			origin: OriginFor<T>,
			channel: ChannelId,
			signed: SignedVoucherOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::NotFound)?;
			ensure!(record.payee == who, Error::<T>::NotPayee);
			Self::redeem(channel, &mut record, signed)?;
			Channels::<T>::insert(channel, record);
			Ok(())
		}

		/// Redeem vouchers of several channels whose payee is the caller; all or nothing.
		///
		/// Origin: signed, the payee of every channel named.
		#[pallet::call_index(3)]
		#[pallet::weight(claim_many_weight::<T>(claims))]
		pub fn claim_many(origin: OriginFor<T>, claims: ClaimsOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!claims.is_empty(), Error::<T>::NoClaims);
			for (channel, signed) in claims {
				let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::NotFound)?;
				ensure!(record.payee == who, Error::<T>::NotPayee);
				Self::redeem(channel, &mut record, signed)?;
				Channels::<T>::insert(channel, record);
			}
			Ok(())
		}

		/// Close `channel` cooperatively, redeeming `last` first if given: the payee keeps what
		/// it claimed, the rest returns to the payer now.
		///
		/// Origin: signed, the payee.
		#[pallet::call_index(4)]
		#[pallet::weight(close_weight::<T>(last))]
		pub fn close(
			origin: OriginFor<T>,
			channel: ChannelId,
			last: Option<SignedVoucherOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::NotFound)?;
			ensure!(record.payee == who, Error::<T>::NotPayee);
			if let Some(signed) = last {
				Self::redeem(channel, &mut record, signed)?;
			}
			Self::finish(channel, record)
		}

		/// Start closing `channel` without the payee: it may still claim during the challenge
		/// period, then anyone may settle.
		///
		/// Origin: signed, the payer.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::start_close())]
		pub fn start_close(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::NotFound)?;
			ensure!(record.payer == who, Error::<T>::NotPayer);
			ensure!(record.closing_until.is_none(), Error::<T>::AlreadyClosing);
			let now = frame_system::Pallet::<T>::block_number();
			record.closing_until = Some(now.saturating_add(record.challenge_period));
			let settle_after = record.claim_deadline().unwrap_or(now);
			Channels::<T>::insert(channel, record);
			Self::deposit_event(Event::CloseStarted { channel, settle_after });
			Ok(())
		}

		/// Close `channel` once its claim deadline has passed: the rest returns to the payer.
		///
		/// Origin: signed, anyone.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			ensure_signed(origin)?;
			let record = Channels::<T>::get(channel).ok_or(Error::<T>::NotFound)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				record.claim_deadline().is_some_and(|deadline| now > deadline),
				Error::<T>::StillOpen
			);
			Self::finish(channel, record)
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

	/// What redeeming `signed` on `channel` would pay now, checking everything a claim checks
	/// except who submits it. Changes nothing.
	pub fn redeemable(
		channel: ChannelId,
		record: &ChannelOf<T>,
		signed: &SignedVoucherOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			record.claim_deadline().is_none_or(|deadline| now <= deadline),
			Error::<T>::ClaimPeriodOver
		);
		let voucher = &signed.voucher;
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

	/// Redeem `signed` on `record` (not written back: the caller stores it).
	fn redeem(
		channel: ChannelId,
		record: &mut ChannelOf<T>,
		signed: SignedVoucherOf<T>,
	) -> DispatchResult {
		let amount = Self::redeemable(channel, record, &signed)?;
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

	/// A page of the channels `who` pays or is paid through: ids after `start_after`, at most
	/// `min(limit, MAX_CHANNELS_PAGE)`.
	pub fn channels_of(
		who: &T::AccountId,
		start_after: Option<ChannelId>,
		limit: u32,
	) -> Vec<(ChannelId, ChannelOf<T>)> {
		let limit = usize::try_from(limit.min(MAX_CHANNELS_PAGE)).unwrap_or(0);
		let ids = match start_after {
			Some(last) => ChannelsByAccount::<T>::iter_key_prefix_from(
				who,
				ChannelsByAccount::<T>::hashed_key_for(who, last),
			),
			None => ChannelsByAccount::<T>::iter_key_prefix(who),
		};
		ids.take(limit).filter_map(|id| Channels::<T>::get(id).map(|c| (id, c))).collect()
	}

	/// What a claim of `signed` on `channel` would pay now, or why it would fail.
	pub fn check_voucher(
		channel: ChannelId,
		signed: &SignedVoucherOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let record = Channels::<T>::get(channel).ok_or(Error::<T>::NotFound)?;
		Self::redeemable(channel, &record, signed)
	}

	/// Invariants: `claimed ≤ funds` in every channel; the payee's `ChannelFunds` hold is the
	/// sum of `funds − claimed` over its channels, the payer's `ChannelDeposit` hold the sum of
	/// its records' deposits; the open-channel counts and the party index match the channels.
	pub fn do_try_state() -> Result<(), frame::deps::sp_runtime::TryRuntimeError> {
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
