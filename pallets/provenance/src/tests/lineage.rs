// `Provenance` is also a name in `frame::prelude`: the pallet is meant.
use crate::{
	mock::{Provenance, *},
	*,
};
use frame::testing_prelude::*;
use polkadot_sdk::polkadot_sdk_frame as frame;

fn inputs(list: &[(StreamId, AnchorIndex)]) -> InputsOf<Test> {
	list.to_vec().try_into().unwrap()
}

#[test]
fn a_report_is_anchored_with_its_input_anchors() {
	test(|| {
		let s = stream();
		let a = anchor(s, 1);
		let b = anchor(s, 2);
		assert_ok!(Provenance::anchor_product(
			RuntimeOrigin::signed(STRANGER),
			inputs(&[(s, a), (s, b)]),
			[9; 32],
			30,
			None
		));
		assert_eq!(last_event(), Event::ProductAnchored { id: 0, producer: STRANGER, inputs: 2 });
		assert_eq!(held(HoldReason::ProductDeposit, &STRANGER), PRODUCT_DEPOSIT);
		let product = Products::<Test>::get(0).unwrap();
		assert_eq!(product.inputs.to_vec(), vec![(s, a), (s, b)]);
		// Products can be attested like anchors.
		assert_ok!(Provenance::attest(
			RuntimeOrigin::signed(CERTIFIER),
			Subject::Product(0),
			[1; 32],
			None,
			0,
			None,
			None
		));
	});
}

#[test]
fn a_missing_input_is_refused() {
	test(|| {
		let s = stream();
		let a = anchor(s, 1);
		assert_noop!(
			Provenance::anchor_product(
				RuntimeOrigin::signed(STRANGER),
				inputs(&[(s, a), (s, 7)]),
				[9; 32],
				1,
				None
			),
			Error::<Test>::MissingInput
		);
		assert_noop!(
			Provenance::anchor_product(
				RuntimeOrigin::signed(STRANGER),
				inputs(&[(99, 0)]),
				[9; 32],
				1,
				None
			),
			Error::<Test>::MissingInput
		);
		assert_noop!(
			Provenance::anchor_product(
				RuntimeOrigin::signed(STRANGER),
				inputs(&[]),
				[9; 32],
				1,
				None
			),
			Error::<Test>::NoInputs
		);
		assert_noop!(
			Provenance::anchor_product(
				RuntimeOrigin::signed(STRANGER),
				inputs(&[(s, a)]),
				[9; 32],
				0,
				None
			),
			Error::<Test>::EmptyBatch
		);
		NextProductId::<Test>::put(ProductId::MAX);
		assert_noop!(
			Provenance::anchor_product(
				RuntimeOrigin::signed(STRANGER),
				inputs(&[(s, a)]),
				[9; 32],
				1,
				None
			),
			Error::<Test>::Overflow
		);
	});
}

#[test]
fn the_producer_removes_a_product() {
	test(|| {
		let s = stream();
		let a = anchor(s, 1);
		assert_ok!(Provenance::anchor_product(
			RuntimeOrigin::signed(STRANGER),
			inputs(&[(s, a)]),
			[9; 32],
			1,
			None
		));
		assert_noop!(
			Provenance::remove_product(RuntimeOrigin::signed(CERTIFIER), 0),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			Provenance::remove_product(RuntimeOrigin::signed(STRANGER), 5),
			Error::<Test>::ProductNotFound
		);
		assert_ok!(Provenance::remove_product(RuntimeOrigin::signed(STRANGER), 0));
		assert_eq!(last_event(), Event::ProductRemoved { id: 0 });
		assert_eq!(held(HoldReason::ProductDeposit, &STRANGER), 0);
	});
}
