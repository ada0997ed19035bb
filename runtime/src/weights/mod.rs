//! Weights of the SDK pallets measured on our runtime by `scripts/benchmark.sh` (IoT pallets keep
//! theirs in their own crate). Generated files; do not edit by hand.
//!
//! `pallet_balances` is the baseline every IoT figure is compared with, so it is measured in the
//! same run as they are; `pallet_xcm` is measured here because its calls are open to every
//! signed account. The other SDK pallets still use the SDK's published weights (see the README's
//! "Not done yet").

pub mod pallet_balances;
pub mod pallet_xcm;
