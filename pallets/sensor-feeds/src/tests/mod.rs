//! Unit tests, one file per concern. Every test ends with `do_try_state()` (see `Env::run`).

mod feeds;
mod reports;
mod stale;
mod worker;
