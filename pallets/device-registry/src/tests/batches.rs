//! `commit_batch`, `claim_from_batch`, `mark_batch_compromised`.

use super::prelude::*;

/// MAKER approved, one batch of five devices (every key type, plus a second sr25519) committed.
fn setup() -> TestBatch {
	approve(&MAKER);
	let batch = TestBatch::new(
		&[KeyKind::Ed25519, KeyKind::Sr25519, KeyKind::Secp256k1, KeyKind::P256, KeyKind::Sr25519],
		60,
	);
	assert_ok!(DeviceRegistry::commit_batch(signed(&MAKER), batch.root, batch.leaf_count));
	batch
}

fn claim(batch: &TestBatch, index: u32, owner: &AccountId) -> DispatchResult {
	let key = &batch.keys[index as usize];
	DeviceRegistry::claim_from_batch(
		signed(owner),
		0,
		key.public(),
		index,
		batch.proof(index),
		claim_signature(key, 0, owner),
	)
}

#[test]
fn commit_stores_the_batch_and_holds_the_deposit() {
	test(|| {
		let batch = setup();
		let stored = Batches::<Test>::get(0).unwrap();
		assert_eq!(stored.manufacturer, MAKER);
		assert_eq!(stored.root, batch.root);
		assert_eq!(stored.leaf_count, 5);
		assert_eq!(stored.status, BatchStatus::Active);
		assert_eq!(stored.deposit, BATCH_DEPOSIT);
		assert_eq!(NextBatchId::<Test>::get(), 1);
		assert_eq!(held(HoldReason::BatchDeposit, &MAKER), BATCH_DEPOSIT);
		System::assert_last_event(
			Event::<Test>::BatchCommitted {
				batch: 0,
				manufacturer: MAKER,
				root: batch.root,
				leaf_count: 5,
			}
			.into(),
		);
	});
}

#[test]
fn commit_errors() {
	test(|| {
		assert_noop!(
			DeviceRegistry::commit_batch(signed(&STRANGER), [1; 32], 3),
			Error::<Test>::NotManufacturer
		);
		approve(&MAKER);
		assert_noop!(
			DeviceRegistry::commit_batch(signed(&MAKER), [1; 32], 0),
			Error::<Test>::EmptyBatch
		);
		approve(&PAUPER);
		assert_noop!(
			DeviceRegistry::commit_batch(signed(&PAUPER), [1; 32], 3),
			TokenError::FundsUnavailable
		);
		assert_ok!(DeviceRegistry::revoke_manufacturer(RuntimeOrigin::root(), MAKER));
		assert_noop!(
			DeviceRegistry::commit_batch(signed(&MAKER), [1; 32], 3),
			Error::<Test>::ManufacturerRevoked
		);
	});
}

#[test]
fn every_key_type_can_be_claimed() {
	test(|| {
		let batch = setup();
		for index in 0..batch.leaf_count {
			assert_ok!(claim(&batch, index, &CUSTOMER));
			let id = index as DeviceId;
			let key = batch.keys[index as usize].public();
			let record = Devices::<Test>::get(id).unwrap();
			assert_eq!(record.key, key);
			assert_eq!(record.owner, CUSTOMER);
			assert_eq!(record.manufacturer, Some(MAKER));
			assert_eq!(record.batch, Some(0));
			assert_eq!(record.metadata, DeviceMetadata::default());
			assert!(R::is_active(id));
			System::assert_last_event(
				Event::<Test>::DeviceClaimed { device: id, batch: 0, owner: CUSTOMER, key }.into(),
			);
		}
		assert_eq!(held(HoldReason::DeviceDeposit, &CUSTOMER), 5 * DEVICE_DEPOSIT);
		// The batch deposit stays with the manufacturer.
		assert_eq!(held(HoldReason::BatchDeposit, &MAKER), BATCH_DEPOSIT);
	});
}

#[test]
fn a_device_is_claimed_once() {
	test(|| {
		let batch = setup();
		assert_ok!(claim(&batch, 1, &CUSTOMER));
		assert_noop!(claim(&batch, 1, &CUSTOMER), Error::<Test>::AlreadyExists);
		assert_noop!(claim(&batch, 1, &STRANGER), Error::<Test>::AlreadyExists);
	});
}

#[test]
fn bad_proofs_are_refused() {
	test(|| {
		let batch = setup();
		let key = &batch.keys[2];
		let good = batch.proof(2);
		let attempt = |index: u32, proof: MerkleProof, public: DeviceKey| {
			DeviceRegistry::claim_from_batch(
				signed(&CUSTOMER),
				0,
				public,
				index,
				proof,
				claim_signature(key, 0, &CUSTOMER),
			)
		};

		// Right proof, wrong index.
		assert_noop!(attempt(3, good.clone(), key.public()), Error::<Test>::BadProof);
		// Another leaf's proof.
		assert_noop!(attempt(2, batch.proof(3), key.public()), Error::<Test>::BadProof);
		// Index outside the batch.
		assert_noop!(attempt(5, good.clone(), key.public()), Error::<Test>::BadProof);
		// A tampered sibling.
		let mut tampered = good.to_vec();
		tampered[0][0] ^= 1;
		let tampered: MerkleProof = tampered.try_into().unwrap();
		assert_noop!(attempt(2, tampered, key.public()), Error::<Test>::BadProof);
		// Truncated and extended proofs.
		let truncated: MerkleProof = good[..good.len() - 1].to_vec().try_into().unwrap();
		assert_noop!(attempt(2, truncated, key.public()), Error::<Test>::BadProof);
		let mut extended = good.clone();
		extended.try_push([0; 32]).unwrap();
		assert_noop!(attempt(2, extended, key.public()), Error::<Test>::BadProof);
		// A key outside the batch, with its own valid signature.
		let outsider = TestKey::new(KeyKind::Secp256k1, 99);
		assert_noop!(
			DeviceRegistry::claim_from_batch(
				signed(&CUSTOMER),
				0,
				outsider.public(),
				2,
				good.clone(),
				claim_signature(&outsider, 0, &CUSTOMER),
			),
			Error::<Test>::BadProof
		);
		// And the genuine claim still works.
		assert_ok!(attempt(2, good, key.public()));
	});
}

#[test]
fn claim_signatures_bind_owner_batch_and_chain() {
	test(|| {
		let batch = setup();
		// A second batch with the same keys, so batch 0's proofs are valid for batch 1 too.
		assert_ok!(DeviceRegistry::commit_batch(signed(&MAKER), batch.root, batch.leaf_count));
		for index in 0..4u32 {
			let key = &batch.keys[index as usize];
			let submit = |owner: &AccountId, signature: DeviceSignature| {
				DeviceRegistry::claim_from_batch(
					signed(owner),
					0,
					key.public(),
					index,
					batch.proof(index),
					signature,
				)
			};
			// Signed for CUSTOMER, submitted by STRANGER.
			assert_noop!(
				submit(&STRANGER, claim_signature(key, 0, &CUSTOMER)),
				Error::<Test>::BadSignature
			);
			// Signed for batch 1, submitted for batch 0.
			assert_noop!(
				submit(&CUSTOMER, claim_signature(key, 1, &CUSTOMER)),
				Error::<Test>::BadSignature
			);
			// Signed for another chain.
			let foreign = ClaimPayload::new([0xAA; 32], 0, CUSTOMER, key.public());
			assert_noop!(
				submit(&CUSTOMER, key.sign(&foreign.signing_bytes())),
				Error::<Test>::BadSignature
			);
			// A registration proof is not a claim proof.
			assert_noop!(
				submit(&CUSTOMER, registration_signature(key, &CUSTOMER)),
				Error::<Test>::BadSignature
			);
		}
	});
}

#[test]
fn claim_errors() {
	test(|| {
		let batch = setup();
		let key = &batch.keys[0];
		assert_noop!(
			DeviceRegistry::claim_from_batch(
				signed(&CUSTOMER),
				7,
				key.public(),
				0,
				batch.proof(0),
				claim_signature(key, 7, &CUSTOMER),
			),
			Error::<Test>::BatchNotFound
		);
		assert_noop!(
			DeviceRegistry::claim_from_batch(
				signed(&PAUPER),
				0,
				key.public(),
				0,
				batch.proof(0),
				claim_signature(key, 0, &PAUPER),
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn compromised_batch_refuses_claims_and_deactivates_its_devices() {
	test(|| {
		let batch = setup();
		assert_ok!(claim(&batch, 0, &CUSTOMER));
		assert!(R::is_active(0));

		assert_ok!(DeviceRegistry::mark_batch_compromised(RuntimeOrigin::root(), 0));
		assert_eq!(Batches::<Test>::get(0).unwrap().status, BatchStatus::Compromised);
		System::assert_last_event(Event::<Test>::BatchMarkedCompromised { batch: 0 }.into());

		assert_noop!(claim(&batch, 1, &CUSTOMER), Error::<Test>::BatchCompromised);
		// The claimed device keeps its status but is no longer active for other pallets.
		assert_eq!(status(0), DeviceStatus::Active);
		assert!(!R::is_active(0));
		// A device registered directly is unaffected.
		let (direct, _) = register(&CUSTOMER, KeyKind::Sr25519, 98);
		assert!(R::is_active(direct));
	});
}

#[test]
fn mark_batch_compromised_errors() {
	test(|| {
		assert_noop!(
			DeviceRegistry::mark_batch_compromised(RuntimeOrigin::root(), 0),
			Error::<Test>::BatchNotFound
		);
		setup();
		assert_noop!(DeviceRegistry::mark_batch_compromised(signed(&MAKER), 0), BadOrigin);
		assert_ok!(DeviceRegistry::mark_batch_compromised(RuntimeOrigin::root(), 0));
		assert_noop!(
			DeviceRegistry::mark_batch_compromised(RuntimeOrigin::root(), 0),
			Error::<Test>::InvalidTransition
		);
	});
}

#[test]
fn revoked_manufacturer_batches_cannot_be_claimed() {
	test(|| {
		let batch = setup();
		assert_ok!(claim(&batch, 0, &CUSTOMER));
		assert_ok!(DeviceRegistry::revoke_manufacturer(RuntimeOrigin::root(), MAKER));
		assert_noop!(claim(&batch, 1, &CUSTOMER), Error::<Test>::ManufacturerRevoked);
		// Devices already claimed stay active (see `DeviceRegistry::is_active`).
		assert!(R::is_active(0));
	});
}
