//! Unit tests, one file per group of calls. Every test ends with `do_try_state()` (see
//! `mock::test`).

mod anchors;
mod attestations;
mod lineage;
mod reads;
mod recorder;
mod streams;
