//! The vault file (docs/vault.md; docs/reference/security-brief.md K1–K5): arbitrary
//! accounts round-trip through keychain and password vaults, every save draws a fresh salt and
//! nonce, the recovery key opens leniently, and the slot rules hold (which slots a vault gets,
//! what opens it, password changes, a missing or wrong keychain key).
//! Tampering and strict parsing are in `vault_tampering.rs`, other writers and generations in
//! `vault_generations.rs`.

use std::fs;

use proptest::prelude::*;
use twofold_core::keychain::{KeyStore, KeychainError, MemoryKeyStore};
use twofold_core::vault::{
    format, CreateOptions, KdfParams, SlotKind, Unlock, VaultError, VaultFile,
};
use twofold_core::{Account, Kind, SecretBytes};

use crate::util::{
    arb_full_account, forge_header, keychain_opts, open_fails, password_opts, sample_account,
    small_vault, tempdir, PASSWORD,
};

// ---------------------------------------------------------------- round trips

fn round_trip(accounts: Vec<Account>, opts: CreateOptions, unlock: impl Fn(&str) -> Unlock) {
    let dir = tempdir();
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    let (mut vf, rk) = VaultFile::create(&path, opts, &store, 42).unwrap();
    for a in accounts {
        match vf.vault_mut().add(a) {
            Ok(_) | Err(VaultError::Duplicate { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    vf.save().unwrap();
    let reopened = VaultFile::open(&path, &unlock(rk.expose()), &store).unwrap();
    assert_eq!(reopened.vault(), vf.vault());
    assert_eq!(reopened.created_at(), 42);
    assert_eq!(reopened.header_info(), vf.header_info());
    assert_eq!(reopened.header_info().generation, 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn keychain_vault_round_trips_arbitrary_accounts(accounts in proptest::collection::vec(arb_full_account(), 0..6)) {
        round_trip(accounts, keychain_opts(), |_| Unlock::Keychain);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]
    #[test]
    fn password_vault_round_trips_arbitrary_accounts(accounts in proptest::collection::vec(arb_full_account(), 0..6)) {
        round_trip(accounts, password_opts("pässwörd 🔑"), |_| Unlock::Password("pässwörd 🔑".into()));
    }
}

#[test]
fn recovery_key_is_grouped_base32_and_opens_leniently() {
    let dir = tempdir();
    let (path, store, rk, _) = small_vault(dir.path());
    let groups: Vec<&str> = rk.split('-').collect();
    assert_eq!(groups.len(), 8, "{}", groups.len());
    assert!(groups.iter().all(|g| g.len() == 4
        && g.chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))));
    let sloppy = rk.to_lowercase().replace('-', " ");
    let vf = VaultFile::open(
        &path,
        &Unlock::RecoveryKey(sloppy.into()),
        &MemoryKeyStore::new(),
    )
    .unwrap();
    assert_eq!(vf.vault().len(), 1);
    let wrong =
        VaultFile::open(&path, &Unlock::RecoveryKey("AAAA-BBBB".into()), &store).unwrap_err();
    assert!(matches!(wrong, VaultError::WrongCredential), "{wrong}");
    assert_eq!(wrong.to_string(), "wrong password or recovery key");
}

#[test]
fn every_save_uses_a_fresh_salt_and_nonce() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let mut vf = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let mut salts = std::collections::HashSet::new();
    let mut nonces = std::collections::HashSet::new();
    let mut files = std::collections::HashSet::new();
    for _ in 0..50 {
        vf.save().unwrap();
        let bytes = fs::read(&path).unwrap();
        let parsed = format::parse(&bytes).unwrap();
        assert!(salts.insert(parsed.header.payload_salt), "salt repeated");
        assert!(nonces.insert(parsed.header.payload_nonce), "nonce repeated");
        assert!(
            files.insert(parsed.ciphertext.to_vec()),
            "ciphertext repeated"
        );
    }
}

// ---------------------------------------------------------------- slots (K1, K2, K4, K5)

#[test]
fn create_refuses_existing_files_and_impossible_options() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let err = VaultFile::create(&path, keychain_opts(), &store, 0).unwrap_err();
    assert!(matches!(err, VaultError::AlreadyExists { .. }), "{err:?}");
    let none = CreateOptions {
        keychain: false,
        password: None,
        ..keychain_opts()
    };
    assert!(matches!(
        VaultFile::create(&dir.path().join("n"), none, &store, 0),
        Err(VaultError::InvalidOptions { .. })
    ));
    let combined_without_password = CreateOptions {
        keychain_and_password: true,
        ..keychain_opts()
    };
    assert!(matches!(
        VaultFile::create(&dir.path().join("c"), combined_without_password, &store, 0),
        Err(VaultError::InvalidOptions { .. })
    ));
}

#[test]
fn keychain_failure_at_create_writes_nothing() {
    let dir = tempdir();
    let path = dir.path().join("sub/vault");
    for failure in [
        KeychainError::Unavailable("no bus".into()),
        KeychainError::Locked("locked".into()),
    ] {
        let store = MemoryKeyStore::failing(failure.clone());
        let err = VaultFile::create(&path, keychain_opts(), &store, 0).unwrap_err();
        assert!(
            matches!(&err, VaultError::KeychainUnavailable(e) if *e == failure),
            "{err:?}"
        );
        assert!(!dir.path().join("sub").exists(), "nothing may be written");
    }
}

#[test]
fn slot_layout_follows_the_options() {
    let dir = tempdir();
    let store = MemoryKeyStore::new();
    let cases = [
        (
            keychain_opts(),
            vec![SlotKind::Keychain, SlotKind::RecoveryKey],
        ),
        (
            password_opts("pw"),
            vec![SlotKind::Password, SlotKind::RecoveryKey],
        ),
        (
            CreateOptions {
                keychain: true,
                ..password_opts("pw")
            },
            vec![
                SlotKind::Keychain,
                SlotKind::Password,
                SlotKind::RecoveryKey,
            ],
        ),
        (
            CreateOptions {
                keychain_and_password: true,
                ..password_opts("pw")
            },
            vec![SlotKind::KeychainAndPassword, SlotKind::RecoveryKey],
        ),
    ];
    for (i, (opts, slots)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("v{i}"));
        VaultFile::create(&path, opts, &store, 0).unwrap();
        assert_eq!(VaultFile::inspect(&path).unwrap().slots, slots);
    }
}

#[test]
fn keychain_and_password_needs_both() {
    let dir = tempdir();
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    let (vf, rk) = VaultFile::create(
        &path,
        CreateOptions {
            keychain_and_password: true,
            ..password_opts(PASSWORD)
        },
        &store,
        0,
    )
    .unwrap();
    let id = vf.header_info().vault_id;
    VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), &store).unwrap();
    let err = VaultFile::open(&path, &Unlock::Password("wrong".into()), &store).unwrap_err();
    assert!(matches!(err, VaultError::WrongCredential), "{err:?}");
    let err = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::NoSlot {
                kind: SlotKind::Keychain
            }
        ),
        "{err:?}"
    );
    // The password alone does not open it.
    store.delete(&id).unwrap();
    let err = VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), &store).unwrap_err();
    assert!(matches!(err, VaultError::KeychainKeyMissing), "{err:?}");
    VaultFile::open(&path, &rk.to_unlock(), &store).unwrap();
}

#[test]
fn password_change_rewraps_the_same_key_and_k1_is_kept() {
    let dir = tempdir();
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    let (mut vf, rk) = VaultFile::create(
        &path,
        CreateOptions {
            keychain: true,
            ..password_opts("old")
        },
        &store,
        0,
    )
    .unwrap();
    vf.vault_mut().add(sample_account(1)).unwrap();
    vf.save().unwrap();
    vf.check_unlock(&Unlock::Password("old".into()), &store)
        .unwrap();
    vf.set_password(Some("new".into()), KdfParams::MINIMUM, &store)
        .unwrap();
    assert!(matches!(
        VaultFile::open(&path, &Unlock::Password("old".into()), &store),
        Err(VaultError::WrongCredential)
    ));
    let reopened = VaultFile::open(&path, &Unlock::Password("new".into()), &store).unwrap();
    assert_eq!(reopened.vault(), vf.vault());
    VaultFile::open(&path, &rk.to_unlock(), &store).unwrap();
    VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    // Every credential yields the session's (rotated) DEK.
    vf.check_unlock(&Unlock::Password("new".into()), &store)
        .unwrap();
    reopened.check_unlock(&Unlock::Keychain, &store).unwrap();
    reopened.check_unlock(&rk.to_unlock(), &store).unwrap();
    // Removing the password leaves keychain + recovery key: allowed.
    vf.set_password(None, KdfParams::MINIMUM, &store).unwrap();
    assert_eq!(
        VaultFile::inspect(&path).unwrap().slots,
        [SlotKind::Keychain, SlotKind::RecoveryKey]
    );
    assert!(matches!(
        VaultFile::open(&path, &Unlock::Password("new".into()), &store),
        Err(VaultError::NoSlot {
            kind: SlotKind::Password
        })
    ));
    // A new recovery key replaces the old one.
    let rk2 = vf
        .regenerate_recovery_key(&store)
        .unwrap()
        .recovery_key
        .unwrap();
    assert_ne!(rk2.expose(), rk.expose());
    assert!(matches!(
        VaultFile::open(&path, &rk.to_unlock(), &store),
        Err(VaultError::WrongCredential)
    ));
    VaultFile::open(&path, &rk2.to_unlock(), &store).unwrap();
}

#[test]
fn keychain_only_headers_are_rejected() {
    // K1 at the format level: a header with only a keychain slot is malformed.
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let good = fs::read(&path).unwrap();
    let forged = forge_header(&good, |h| h.slots.retain(|s| s.kind == SlotKind::Keychain));
    let probe = dir.path().join("forged");
    let err = open_fails(&probe, &forged, &Unlock::Keychain, &store);
    assert!(
        matches!(&err, VaultError::Malformed { reason, .. } if reason.contains("keychain-only")),
        "{err:?}"
    );
}

#[test]
fn missing_keychain_key_falls_back_to_password_and_recovery_key() {
    let dir = tempdir();
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    let (vf, rk) = VaultFile::create(
        &path,
        CreateOptions {
            keychain: true,
            ..password_opts(PASSWORD)
        },
        &store,
        0,
    )
    .unwrap();
    store.delete(&vf.header_info().vault_id).unwrap();
    assert!(matches!(
        VaultFile::open(&path, &Unlock::Keychain, &store),
        Err(VaultError::KeychainKeyMissing)
    ));
    store.set_failure(Some(KeychainError::Locked("locked".into())));
    assert!(matches!(
        VaultFile::open(&path, &Unlock::Keychain, &store),
        Err(VaultError::KeychainUnavailable(KeychainError::Locked(_)))
    ));
    VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), &store).unwrap();
    VaultFile::open(&path, &rk.to_unlock(), &store).unwrap();
    // A wrong key under this vault's id is reported as such.
    store.set_failure(None);
    store
        .set(
            &vf.header_info().vault_id,
            &SecretBytes::from_slice(&[1; 32]),
        )
        .unwrap();
    assert!(matches!(
        VaultFile::open(&path, &Unlock::Keychain, &store),
        Err(VaultError::KeychainKeyWrong)
    ));
}

#[test]
fn hotp_advance_survives_a_save() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let mut vf = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let mut h = sample_account(5);
    h.kind = Kind::Hotp { counter: 41 };
    let id = vf.vault_mut().add(h).unwrap();
    assert_eq!(vf.vault_mut().advance_hotp(&id).unwrap(), 41);
    vf.save().unwrap();
    let reopened = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(
        reopened.vault().get(&id).unwrap().kind,
        Kind::Hotp { counter: 42 }
    );
}

#[test]
fn debug_output_of_a_vault_file_holds_no_secret() {
    let dir = tempdir();
    let (path, store, rk, secrets) = small_vault(dir.path());
    let vf = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let text = format!(
        "{vf:?} {:?} {:?}",
        vf.vault(),
        Unlock::RecoveryKey(rk.into())
    );
    for s in &secrets {
        assert!(!text.contains(s.as_str()));
    }
}
