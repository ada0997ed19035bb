// `Provenance` is also a name in `frame::prelude`: the pallet is meant.
use crate::{
	mock::{Provenance, *},
	*,
};
use frame::testing_prelude::*;
use polkadot_sdk::polkadot_sdk_frame as frame;

fn attest(
	subject: Subject,
	from: u64,
	until: Option<u64>,
	supersedes: Option<AttestationId>,
) -> AttestationId {
	assert_ok!(Provenance::attest(
		RuntimeOrigin::signed(CERTIFIER),
		subject,
		[7; 32],
		None,
		from,
		until,
		supersedes
	));
	NextAttestationId::<Test>::get() - 1
}

#[test]
fn a_certifier_attests_an_anchor_for_a_window() {
	test(|| {
		let s = stream();
		let index = anchor(s, 1);
		let id = attest(Subject::Anchor(s, index), 5, Some(10), None);
		assert_eq!(
			last_event(),
			Event::Attested { id, attester: CERTIFIER, subject: Subject::Anchor(s, index) }
		);
		assert_eq!(held(HoldReason::AttestationDeposit, &CERTIFIER), ATTESTATION_DEPOSIT);
		assert!(!Provenance::attestation_valid_at(id, 4), "before its window");
		assert!(Provenance::attestation_valid_at(id, 5));
		assert!(Provenance::attestation_valid_at(id, 10));
		assert!(!Provenance::attestation_valid_at(id, 11), "after its window");
		let page = Provenance::attestations_of(Subject::Anchor(s, index), None, 10);
		assert_eq!(page.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![id]);
	});
}

#[test]
fn every_kind_of_subject_must_exist() {
	test(|| {
		let s = stream();
		let index = anchor(s, 1);
		attest(Subject::Device(DEVICE), 0, None, None);
		attest(Subject::Stream(s), 0, None, None);
		attest(Subject::Anchor(s, index), 0, None, None);
		for missing in
			[Subject::Device(99), Subject::Stream(99), Subject::Anchor(s, 5), Subject::Product(0)]
		{
			assert_noop!(
				Provenance::attest(
					RuntimeOrigin::signed(CERTIFIER),
					missing,
					[7; 32],
					None,
					0,
					None,
					None
				),
				Error::<Test>::SubjectNotFound
			);
		}
	});
}

#[test]
fn revocation_ends_validity_from_its_block() {
	test(|| {
		let id = attest(Subject::Device(DEVICE), 1, None, None);
		run_to(20);
		assert_ok!(Provenance::revoke_attestation(RuntimeOrigin::signed(CERTIFIER), id));
		assert_eq!(last_event(), Event::AttestationRevoked { id });
		assert!(Provenance::attestation_valid_at(id, 19));
		assert!(!Provenance::attestation_valid_at(id, 20));
		assert_noop!(
			Provenance::revoke_attestation(RuntimeOrigin::signed(CERTIFIER), id),
			Error::<Test>::NoLongerValid
		);
		assert_noop!(
			Provenance::revoke_attestation(RuntimeOrigin::signed(STRANGER), id),
			Error::<Test>::NotAttester
		);
		assert_noop!(
			Provenance::revoke_attestation(RuntimeOrigin::signed(CERTIFIER), 99),
			Error::<Test>::AttestationNotFound
		);
	});
}

#[test]
fn supersession_replaces_an_attestation_of_the_same_subject() {
	test(|| {
		let s = stream();
		let old = attest(Subject::Stream(s), 1, None, None);
		run_to(30);
		let new = attest(Subject::Stream(s), 30, None, Some(old));
		System::assert_has_event(Event::<Test>::AttestationSuperseded { id: old, by: new }.into());
		assert!(Provenance::attestation_valid_at(old, 29));
		assert!(!Provenance::attestation_valid_at(old, 30));
		assert!(Provenance::attestation_valid_at(new, 30));
		// Not twice, not across subjects, not someone else's.
		assert_noop!(
			Provenance::attest(
				RuntimeOrigin::signed(CERTIFIER),
				Subject::Stream(s),
				[1; 32],
				None,
				30,
				None,
				Some(old)
			),
			Error::<Test>::NoLongerValid
		);
		assert_noop!(
			Provenance::attest(
				RuntimeOrigin::signed(CERTIFIER),
				Subject::Device(DEVICE),
				[1; 32],
				None,
				30,
				None,
				Some(new)
			),
			Error::<Test>::SubjectMismatch
		);
		assert_noop!(
			Provenance::attest(
				RuntimeOrigin::signed(STRANGER),
				Subject::Stream(s),
				[1; 32],
				None,
				30,
				None,
				Some(new)
			),
			Error::<Test>::NotAttester
		);
		assert_noop!(
			Provenance::attest(
				RuntimeOrigin::signed(CERTIFIER),
				Subject::Stream(s),
				[1; 32],
				None,
				30,
				None,
				Some(99)
			),
			Error::<Test>::AttestationNotFound
		);
	});
}

#[test]
fn attest_errors() {
	test(|| {
		assert_noop!(
			Provenance::attest(
				RuntimeOrigin::signed(CERTIFIER),
				Subject::Device(DEVICE),
				[1; 32],
				None,
				10,
				Some(9),
				None
			),
			Error::<Test>::BadValidity
		);
		NextAttestationId::<Test>::put(AttestationId::MAX);
		assert_noop!(
			Provenance::attest(
				RuntimeOrigin::signed(CERTIFIER),
				Subject::Device(DEVICE),
				[1; 32],
				None,
				0,
				None,
				None
			),
			Error::<Test>::Overflow
		);
		NextAttestationId::<Test>::put(0);
		let pauper = AccountId::new([9; 32]);
		assert_noop!(
			Provenance::attest(
				RuntimeOrigin::signed(pauper),
				Subject::Device(DEVICE),
				[1; 32],
				None,
				0,
				None,
				None
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn removal_needs_the_attestation_to_be_over_and_refunds() {
	test(|| {
		let open = attest(Subject::Device(DEVICE), 1, None, None);
		let windowed = attest(Subject::Device(DEVICE), 1, Some(5), None);
		assert_noop!(
			Provenance::remove_attestation(RuntimeOrigin::signed(CERTIFIER), open),
			Error::<Test>::StillValid
		);
		assert_noop!(
			Provenance::remove_attestation(RuntimeOrigin::signed(CERTIFIER), windowed),
			Error::<Test>::StillValid
		);
		assert_noop!(
			Provenance::remove_attestation(RuntimeOrigin::signed(STRANGER), open),
			Error::<Test>::NotAttester
		);
		assert_noop!(
			Provenance::remove_attestation(RuntimeOrigin::signed(CERTIFIER), 99),
			Error::<Test>::AttestationNotFound
		);
		run_to(6);
		assert_ok!(Provenance::remove_attestation(RuntimeOrigin::signed(CERTIFIER), windowed));
		assert_eq!(last_event(), Event::AttestationRemoved { id: windowed });
		assert_ok!(Provenance::revoke_attestation(RuntimeOrigin::signed(CERTIFIER), open));
		assert_ok!(Provenance::remove_attestation(RuntimeOrigin::signed(CERTIFIER), open));
		assert_eq!(held(HoldReason::AttestationDeposit, &CERTIFIER), 0);
		assert!(Provenance::attestations_of(Subject::Device(DEVICE), None, 10).is_empty());
	});
}

/// The window, revocation and supersession are relay block numbers (the pallet's
/// `BlockNumberProvider`): a parachain far ahead of the relay chain changes nothing, and
/// `created_at`/`anchored_at` stay parachain block numbers.
#[test]
fn an_attestation_window_is_measured_in_provider_blocks() {
	test(|| {
		let s = stream();
		let index = anchor(s, 1);
		let windowed = attest(Subject::Anchor(s, index), 1, Some(5), None);
		let revoked = attest(Subject::Device(DEVICE), 1, None, None);
		let old = attest(Subject::Stream(s), 1, None, None);
		// A thousand fast parachain blocks; the relay chain stays at 1.
		System::set_block_number(1_000);
		assert_noop!(
			Provenance::remove_attestation(RuntimeOrigin::signed(CERTIFIER), windowed),
			Error::<Test>::StillValid
		);
		assert!(Provenance::attestation_valid_at(windowed, 5));
		assert_ok!(Provenance::revoke_attestation(RuntimeOrigin::signed(CERTIFIER), revoked));
		assert_eq!(Attestations::<Test>::get(revoked).unwrap().revoked_at, Some(1));
		let new = attest(Subject::Stream(s), 1, None, Some(old));
		assert_eq!(Attestations::<Test>::get(old).unwrap().superseded_at, Some(1));
		assert!(Provenance::attestation_valid_at(new, 1));
		// Records of where things happened are parachain block numbers.
		let product = {
			assert_ok!(Provenance::anchor_product(
				RuntimeOrigin::signed(GATEWAY),
				vec![(s, index)].try_into().unwrap(),
				[3; 32],
				1,
				None
			));
			NextProductId::<Test>::get() - 1
		};
		assert_eq!(Products::<Test>::get(product).unwrap().anchored_at, 1_000);
		assert_eq!(Provenance::anchor_of(s, anchor(s, 2)).unwrap().anchored_at, 1_000);
		// The relay chain passes the window's end: now it is over, and removable.
		MockRelay::set_block_number(6);
		assert!(!Provenance::attestation_valid_at(windowed, 6));
		assert_ok!(Provenance::remove_attestation(RuntimeOrigin::signed(CERTIFIER), windowed));
	});
}
