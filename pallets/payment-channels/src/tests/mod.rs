//! Unit tests, one file per group of calls. Every test ends with `do_try_state()` (see
//! `mock::test`).

mod claims;
mod closing;
mod invariants;
mod open;
