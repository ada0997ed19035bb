//! # Payment-channels runtime API
//!
//! Reads of `pallet-payment-channels` for clients (`api.call.paymentChannelsApi.<method>` in
//! polkadot.js) and a dry run of a voucher, so a payee can check what a voucher is worth on chain
//! before it accepts it (or before it pays a fee to claim it). Generic over the records it
//! returns, so this crate does not depend on the pallet; the runtime fixes them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use iot_primitives::channel::ChannelId;
use polkadot_sdk::sp_runtime::DispatchError;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of the payment-channels pallet. `Channel`, `SignedVoucher`, `AccountId` and
	/// `Balance` are the pallet's types as the runtime configures them.
	pub trait PaymentChannelsApi<Channel, SignedVoucher, AccountId, Balance>
	where
		Channel: Codec,
		SignedVoucher: Codec,
		AccountId: Codec,
		Balance: Codec,
	{
		/// An open channel.
		fn channel(id: ChannelId) -> Option<Channel>;

		/// A page of the channels `who` pays or is paid through: ids after `start_after`, at
		/// most `min(limit, MAX_PAGE)` (100), in storage order.
		fn channels_of(who: AccountId, start_after: Option<ChannelId>, limit: u32) -> Vec<(ChannelId, Channel)>;

		/// What claiming `signed` on `channel` would pay now (the payee submitting it), or the
		/// error the claim would fail with. Changes nothing.
		fn check_voucher(channel: ChannelId, signed: SignedVoucher) -> Result<Balance, DispatchError>;
	}
}
