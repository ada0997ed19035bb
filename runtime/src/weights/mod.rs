//! Weights of the SDK pallets measured on our runtime by `scripts/benchmark.sh` (IoT pallets keep
//! theirs in their own crate). Generated files; do not edit by hand.
//!
//! Only `pallet_balances` so far: it is the baseline every IoT figure is compared with, so it must
//! be measured in the same run as they are. The other SDK pallets still use the SDK's published
//! weights (see the README's "Not done yet").

pub mod pallet_balances;
