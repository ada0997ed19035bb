//! Storage and call types of the payment-channels pallet. The bytes a payer signs are in
//! [`iot_primitives::channel`].

#![cfg_attr(not(test), deny(clippy::expect_used))]

use crate::Config;
pub use iot_primitives::{
	channel::{AnchorRef, ChannelId, Voucher, MAX_PREIMAGE_LEN},
	device::{DeviceId, DeviceKey, DeviceSignature, KeyKind, Permissions},
};
use polkadot_sdk::polkadot_sdk_frame::prelude::*;

/// Balance of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A channel's record.
pub type ChannelOf<T> =
	Channel<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
/// A preimage that opens a hash-locked voucher.
pub type Preimage = BoundedVec<u8, ConstU32<MAX_PREIMAGE_LEN>>;
/// A voucher with its signature, as the payee submits it.
pub type SignedVoucherOf<T> = SignedVoucher<BalanceOf<T>>;
/// The claims of one `claim_many` call.
pub type ClaimsOf<T> = BoundedVec<(ChannelId, SignedVoucherOf<T>), <T as Config>::MaxClaims>;

/// Who signs a channel's vouchers, as named when the channel is opened.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum VoucherSigner {
	/// A key the payer controls, e.g. its own account's sr25519 key.
	#[codec(index = 0)]
	Key(DeviceKey),
	/// A registered device, by id: its key at the time the channel opens (a P-256 secure
	/// element can pay). The opener must be the device's owner or an operator with
	/// `MANAGE_DEVICE`, and the device must be active.
	#[codec(index = 1)]
	Device(DeviceId),
}

/// A voucher, its signature by the channel's voucher key and, for a hash-locked voucher, the
/// preimage of its lock.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct SignedVoucher<Balance> {
	/// What the payer signed (minus tag, genesis hash and channel id, which the chain adds).
	pub voucher: Voucher<Balance>,
	/// Signature of the voucher's bytes by the channel's voucher key.
	pub signature: DeviceSignature,
	/// The preimage of `voucher.lock`; required exactly when the voucher is locked.
	pub preimage: Option<Preimage>,
}

/// A payment channel.
///
/// Money: `funds` is held on the payee (hold reason `ChannelFunds`); `claimed ≤ funds`; the payee
/// can receive `funds − claimed` more. `deposit` is held on the payer for this record.
///
/// Time: `challenge_period`, `expires_at` and `closing_until` are in blocks of the pallet's
/// `Config::BlockNumberProvider` (relay-chain block numbers in our runtime); `opened_at` is a
/// parachain block number. Both have the type `BlockNumber`.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Channel<AccountId, Balance, BlockNumber> {
	/// Funds the channel and signs vouchers (through `signer`).
	pub payer: AccountId,
	/// Receives the payments.
	pub payee: AccountId,
	/// The key whose signatures the channel accepts; fixed for the channel's life, so rotating a
	/// device's key cannot invalidate vouchers the payee already holds.
	pub signer: DeviceKey,
	/// The registered device that signs, if the channel was opened with one.
	pub device: Option<DeviceId>,
	/// Everything the payer put in (opening amount plus top-ups).
	pub funds: Balance,
	/// Paid to the payee so far.
	pub claimed: Balance,
	/// Nonce of the last voucher redeemed; 0 before the first (vouchers start at 1).
	pub nonce: u64,
	/// Blocks of the provider (relay-chain blocks in our runtime) the payee has to claim after the
	/// payer starts closing.
	pub challenge_period: BlockNumber,
	/// Last provider block number (relay-chain block number in our runtime) at which vouchers are
	/// redeemed, if the channel expires.
	pub expires_at: Option<BlockNumber>,
	/// Set when the payer starts closing: the last provider block number (relay-chain block number
	/// in our runtime) at which the payee may still claim.
	pub closing_until: Option<BlockNumber>,
	/// Held on the payer for this record.
	pub deposit: Balance,
	/// Parachain block in which the channel was opened (a record only, never compared with a
	/// period).
	pub opened_at: BlockNumber,
}

impl<AccountId, Balance, BlockNumber: Copy + Ord> Channel<AccountId, Balance, BlockNumber> {
	/// The last provider block number (relay-chain block number in our runtime) at which the payee
	/// may claim: the earlier of the expiry and the end of the challenge period, if either is set.
	pub fn claim_deadline(&self) -> Option<BlockNumber> {
		match (self.expires_at, self.closing_until) {
			(Some(expiry), Some(closing)) => Some(expiry.min(closing)),
			(deadline, None) | (None, deadline) => deadline,
		}
	}
}
