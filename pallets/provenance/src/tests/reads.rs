// `Provenance` is also a name in `frame::prelude`: the pallet is meant.
use crate::{
	mock::{Provenance, *},
	*,
};
use polkadot_sdk::polkadot_sdk_frame as frame;

#[test]
fn latest_and_paginated_anchors_newest_first() {
	test(|| {
		let s = stream();
		assert!(Provenance::latest_anchor(s).is_none());
		for seq in 1..=6 {
			anchor(s, seq);
		}
		assert_eq!(Provenance::latest_anchor(s).unwrap().index, 5);
		let indices = |page: Vec<AnchorOf<Test>>| page.iter().map(|a| a.index).collect::<Vec<_>>();
		assert_eq!(indices(Provenance::anchors(s, None, 3)), vec![5, 4, 3]);
		assert_eq!(indices(Provenance::anchors(s, Some(3), 3)), vec![2], "the window ends at 2");
		assert_eq!(indices(Provenance::anchors(s, None, 100)), vec![5, 4, 3, 2], "capped");
		assert!(Provenance::anchors(99, None, 3).is_empty());
	});
}

#[test]
fn try_state_notices_a_wrong_hold() {
	mock::new_test_ext().execute_with(|| {
		let s = stream();
		Streams::<Test>::mutate(s, |r| r.as_mut().unwrap().deposit = 1);
		assert!(Provenance::do_try_state().is_err());
	});
}

#[test]
fn try_state_notices_an_orphan_anchor() {
	mock::new_test_ext().execute_with(|| {
		let s = stream();
		anchor(s, 1);
		Streams::<Test>::remove(s);
		let _ = <Balances as frame::traits::fungible::MutateHold<AccountId>>::release_all(
			&RuntimeHoldReason::Provenance(HoldReason::StreamDeposit),
			&OWNER,
			frame::traits::tokens::Precision::BestEffort,
		);
		assert!(Provenance::do_try_state().is_err());
	});
}
