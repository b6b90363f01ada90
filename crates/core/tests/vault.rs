//! The vault file: round trips, tamper and truncation resistance, strict parsing, change
//! detection, generations, permissions and the slot rules (docs/vault.md;
//! docs/reference/security-brief.md C1–C4, C7, S2–S4, S6, K1, K5).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use proptest::prelude::*;
use twofold_core::keychain::{KeyStore, KeychainError, MemoryKeyStore};
use twofold_core::vault::{
    crypto, format, CreateOptions, KdfParams, SlotKind, Unlock, VaultError, VaultFile,
};
use twofold_core::{
    Account, Algorithm, Digits, Kind, Period, RecoveryCode, SecretBytes, SecretString,
};

pub const PASSWORD: &str = "correct horse battery staple";

/// Options for a vault with a keychain slot only (plus the recovery key): no Argon2.
pub fn keychain_opts() -> CreateOptions {
    CreateOptions {
        keychain: true,
        password: None,
        keychain_and_password: false,
        kdf: KdfParams::MINIMUM,
    }
}

/// Options for a password vault with the cheapest accepted Argon2id parameters.
pub fn password_opts(password: &str) -> CreateOptions {
    CreateOptions {
        keychain: false,
        password: Some(SecretString::from(password)),
        keychain_and_password: false,
        kdf: KdfParams::MINIMUM,
    }
}

pub fn sample_account(n: u32) -> Account {
    let mut secret = vec![0u8; 20];
    secret[..4].copy_from_slice(&n.to_be_bytes());
    secret[4..8].copy_from_slice(b"seed");
    let mut a = Account::new(
        format!("Issuer {n}"),
        format!("user{n}@example.com"),
        SecretBytes::new(secret),
        Kind::Totp {
            period: Period::THIRTY,
        },
        1_700_000_000,
    );
    a.tags = vec!["work".into()];
    a.notes = "ünïcode ✓ notes".into();
    a.recovery_codes = vec![RecoveryCode {
        code: SecretString::from(format!("rc-{n}-secret")),
        used: n.is_multiple_of(2),
        used_at: None,
    }];
    a
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A small keychain vault with one account; returns its path, store, recovery key text and
/// the texts that must never appear in an error.
fn small_vault(dir: &Path) -> (PathBuf, MemoryKeyStore, String, Vec<String>) {
    let path = dir.join("vault");
    let store = MemoryKeyStore::new();
    let (mut vf, rk) = VaultFile::create(&path, keychain_opts(), &store, 1).unwrap();
    let account = sample_account(1);
    let mut secrets = vec![
        account.secret.to_base32().expose().to_owned(),
        rk.expose().to_owned(),
        "rc-1-secret".to_owned(),
    ];
    vf.vault_mut().add(account).unwrap();
    vf.save().unwrap();
    let key = store.get(&vf.header_info().vault_id).unwrap().unwrap();
    secrets.push(data_encoding::HEXLOWER.encode(key.expose()));
    (path, store, rk.expose().to_owned(), secrets)
}

fn is_format_or_integrity(e: &VaultError) -> bool {
    matches!(
        e,
        VaultError::Integrity { .. }
            | VaultError::Malformed { .. }
            | VaultError::UnsupportedVersion { .. }
            | VaultError::KdfParams { .. }
    )
}

// ---------------------------------------------------------------- round trips

fn arb_kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        (1u64..=86_400).prop_map(|p| Kind::Totp {
            period: Period::new(p).unwrap()
        }),
        any::<u64>().prop_map(|counter| Kind::Hotp { counter }),
        Just(Kind::Steam),
    ]
}

fn arb_account() -> impl Strategy<Value = Account> {
    let text = "\\PC{0,24}";
    (
        (
            text,
            text,
            proptest::collection::vec(any::<u8>(), 1..48),
            arb_kind(),
        ),
        (
            prop_oneof![
                Just(Algorithm::Sha1),
                Just(Algorithm::Sha256),
                Just(Algorithm::Sha512)
            ],
            6u32..=8,
            proptest::option::of("[a-z0-9-]{1,16}"),
            proptest::collection::vec(text, 0..4),
            any::<bool>(),
            any::<i64>(),
            "(?s)\\PC{0,40}[\n\t\"\\\\]?\\PC{0,10}",
        ),
        (
            proptest::collection::vec(
                (text, any::<bool>(), proptest::option::of(any::<i64>())),
                0..4,
            ),
            any::<i64>(),
            any::<i64>(),
            proptest::option::of(any::<i64>()),
        ),
    )
        .prop_map(
            |(
                (issuer, name, secret, kind),
                (algorithm, digits, icon, tags, favourite, order, notes),
                (codes, c, u, l),
            )| {
                let mut a = Account::new(issuer, name, SecretBytes::new(secret), kind, c);
                a.algorithm = algorithm;
                a.digits = Digits::new(digits).unwrap();
                a.icon = icon;
                a.tags = tags;
                a.favourite = favourite;
                a.order = order;
                a.notes = notes;
                a.recovery_codes = codes
                    .into_iter()
                    .map(|(code, used, used_at)| RecoveryCode {
                        code: SecretString::from(code),
                        used,
                        used_at,
                    })
                    .collect();
                a.updated_at = u;
                a.last_used_at = l;
                a
            },
        )
}

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
    fn keychain_vault_round_trips_arbitrary_accounts(accounts in proptest::collection::vec(arb_account(), 0..6)) {
        round_trip(accounts, keychain_opts(), |_| Unlock::Keychain);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]
    #[test]
    fn password_vault_round_trips_arbitrary_accounts(accounts in proptest::collection::vec(arb_account(), 0..6)) {
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

// ---------------------------------------------------------------- tampering (C1)

#[test]
fn every_bit_flip_is_rejected_without_leaking_secrets() {
    let dir = tempdir();
    let (path, store, _, secrets) = small_vault(dir.path());
    let good = fs::read(&path).unwrap();
    let probe = dir.path().join("flipped");
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for bit in 0..good.len() * 8 {
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        // A new file per case: rewriting one file in place makes ext4 flush on every close.
        let probe = probe.with_extension(bit.to_string());
        fs::write(&probe, &bad).unwrap();
        let err = VaultFile::open(&probe, &Unlock::Keychain, &store)
            .map(|_| ())
            .expect_err(&format!("bit {bit} flipped and the vault still opened"));
        fs::remove_file(&probe).unwrap();
        assert!(
            is_format_or_integrity(&err),
            "bit {bit}: unexpected error {err:?}"
        );
        let text = format!("{err} {err:?}");
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "bit {bit}: error text leaks a secret"
            );
        }
        *kinds
            .entry(format!("{:?}", std::mem::discriminant(&err)))
            .or_default() += 1;
    }
    // The header checksum, the payload tag, the magic and the version checks all fire.
    assert!(kinds.len() >= 3, "{kinds:?}");
}

#[test]
fn every_truncation_is_rejected() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let good = fs::read(&path).unwrap();
    let probe = dir.path().join("short");
    for len in 0..good.len() {
        let probe = probe.with_extension(len.to_string());
        fs::write(&probe, &good[..len]).unwrap();
        let err = VaultFile::open(&probe, &Unlock::Keychain, &store)
            .map(|_| ())
            .expect_err(&format!("truncated to {len} bytes and still opened"));
        fs::remove_file(&probe).unwrap();
        assert!(is_format_or_integrity(&err), "len {len}: {err:?}");
    }
}

#[test]
fn trailing_bytes_are_rejected() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    for extra in [&[0u8][..], b"garbage", &[0u8; 16]] {
        let mut bytes = fs::read(&path).unwrap();
        bytes.extend_from_slice(extra);
        let probe = dir.path().join("long");
        fs::write(&probe, &bytes).unwrap();
        let err = VaultFile::open(&probe, &Unlock::Keychain, &store)
            .map(|_| ())
            .unwrap_err();
        assert!(
            matches!(
                err,
                VaultError::Integrity {
                    what: "payload authentication",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn a_slot_from_another_vault_does_not_open_this_one() {
    // Swap the recovery slot of vault B into vault A (fixing the header checksum, as an
    // attacker could): the slot's AAD binds it to B's vault id.
    let dir = tempdir();
    let (a_path, _, _, _) = small_vault(&dir.path().join("a"));
    let (b_path, _, b_rk, _) = small_vault(&dir.path().join("b"));
    let a = fs::read(&a_path).unwrap();
    let b = fs::read(&b_path).unwrap();
    let pa = format::parse(&a).unwrap();
    let pb = format::parse(&b).unwrap();
    let mut header = pa.header.clone();
    let b_slot = pb
        .header
        .slots
        .iter()
        .find(|s| s.kind == SlotKind::RecoveryKey)
        .unwrap()
        .clone();
    for s in header
        .slots
        .iter_mut()
        .filter(|s| s.kind == SlotKind::RecoveryKey)
    {
        *s = b_slot.clone();
    }
    let mut forged = header.encode_prefix();
    forged.extend_from_slice(pa.ciphertext);
    forged.extend_from_slice(&pa.tag);
    let probe = dir.path().join("forged");
    fs::write(&probe, &forged).unwrap();
    let err = VaultFile::open(
        &probe,
        &Unlock::RecoveryKey(b_rk.into()),
        &MemoryKeyStore::new(),
    )
    .map(|_| ())
    .unwrap_err();
    assert!(matches!(err, VaultError::WrongCredential), "{err:?}");
}

// ---------------------------------------------------------------- strict parsing (C3, C4, C7)

#[test]
fn every_other_version_is_unsupported() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let good = fs::read(&path).unwrap();
    let probe = dir.path().join("version");
    for v in 0..=u16::MAX {
        if (format::MIN_VERSION..=format::VERSION).contains(&v) {
            continue;
        }
        let mut bad = good.clone();
        bad[8..10].copy_from_slice(&v.to_be_bytes());
        // The pure parser for every value; the file API on a spread of them.
        assert_eq!(
            format::parse(&bad).map(|_| ()).unwrap_err(),
            format::ParseError::Version(v)
        );
        if v.is_multiple_of(251) || !(4..=u16::MAX - 4).contains(&v) {
            fs::write(&probe, &bad).unwrap();
            let err = VaultFile::open(&probe, &Unlock::Keychain, &store)
                .map(|_| ())
                .unwrap_err();
            assert!(
                matches!(err, VaultError::UnsupportedVersion { version } if version == v),
                "{err:?}"
            );
            let err = VaultFile::inspect(&probe).unwrap_err();
            assert!(
                matches!(err, VaultError::UnsupportedVersion { version } if version == v),
                "{err:?}"
            );
        }
    }
}

/// Rewrites the KDF parameters of the password slot, fixing the header checksum.
fn with_kdf(bytes: &[u8], kdf: KdfParams) -> Vec<u8> {
    let parsed = format::parse(bytes).unwrap();
    let mut header = parsed.header.clone();
    for s in header.slots.iter_mut().filter(|s| s.kind.has_kdf()) {
        s.kdf = Some(kdf);
    }
    let mut out = header.encode_prefix();
    out.extend_from_slice(parsed.ciphertext);
    out.extend_from_slice(&parsed.tag);
    out
}

#[test]
fn out_of_bounds_kdf_parameters_are_rejected_fast() {
    let dir = tempdir();
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    VaultFile::create(&path, password_opts(PASSWORD), &store, 0).unwrap();
    let good = fs::read(&path).unwrap();
    let probe = dir.path().join("kdf");
    let table = [
        (
            KdfParams {
                m_kib: u32::MAX,
                t: 3,
                p: 4,
            },
            false,
        ),
        (
            KdfParams {
                m_kib: 256 * 1024 + 1,
                t: 3,
                p: 4,
            },
            false,
        ),
        (
            KdfParams {
                m_kib: 19 * 1024 - 1,
                t: 3,
                p: 4,
            },
            false,
        ),
        (
            KdfParams {
                m_kib: 8,
                t: 3,
                p: 1,
            },
            false,
        ),
        (
            KdfParams {
                m_kib: 65_536,
                t: 1,
                p: 4,
            },
            false,
        ),
        (
            KdfParams {
                m_kib: 65_536,
                t: 13,
                p: 4,
            },
            false,
        ),
        (
            KdfParams {
                m_kib: 65_536,
                t: u32::MAX,
                p: 4,
            },
            false,
        ),
        (
            KdfParams {
                m_kib: 65_536,
                t: 3,
                p: 0,
            },
            false,
        ),
        (
            KdfParams {
                m_kib: 65_536,
                t: 3,
                p: 9,
            },
            false,
        ),
        (KdfParams::MINIMUM, true),
        (KdfParams::default(), true),
        (
            KdfParams {
                m_kib: 256 * 1024,
                t: 12,
                p: 8,
            },
            true,
        ),
    ];
    for (kdf, accepted) in table {
        let bytes = with_kdf(&good, kdf);
        assert_eq!(format::parse(&bytes).is_ok(), accepted, "{kdf:?}");
        if accepted {
            continue;
        }
        fs::write(&probe, &bytes).unwrap();
        let start = Instant::now();
        let err = VaultFile::open(&probe, &Unlock::Password(PASSWORD.into()), &store)
            .map(|_| ())
            .unwrap_err();
        let took = start.elapsed();
        assert!(
            matches!(err, VaultError::KdfParams { m_kib, t, p } if (m_kib, t, p) == (kdf.m_kib, kdf.t, kdf.p)),
            "{err:?}"
        );
        assert!(took.as_millis() < 50, "{kdf:?} took {took:?}");
        assert!(matches!(
            VaultFile::inspect(&probe),
            Err(VaultError::KdfParams { .. })
        ));
    }
    // Writing refuses them too.
    let bad = KdfParams {
        m_kib: 1024,
        t: 1,
        p: 1,
    };
    let err = VaultFile::create(
        &dir.path().join("other"),
        CreateOptions {
            kdf: bad,
            ..password_opts("x")
        },
        &store,
        0,
    )
    .map(|_| ())
    .unwrap_err();
    assert!(matches!(err, VaultError::KdfParams { .. }), "{err:?}");
}

#[test]
fn commitment_mismatch_is_rejected_before_decrypting() {
    // Recompute the commitment under a different DEK and fix the checksum: the slot still
    // unwraps the real DEK, and the commitment check must stop the open before the payload
    // is decrypted (the error names the commitment, not the payload tag).
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let good = fs::read(&path).unwrap();
    let parsed = format::parse(&good).unwrap();
    let mut header = parsed.header.clone();
    header.commitment = crypto::commitment(
        &[0x55; 32],
        &header.payload_salt,
        format::MAGIC,
        format::VERSION,
        &header.vault_id,
    );
    let mut forged = header.encode_prefix();
    forged.extend_from_slice(parsed.ciphertext);
    forged.extend_from_slice(&parsed.tag);
    let probe = dir.path().join("forged");
    fs::write(&probe, &forged).unwrap();
    let err = VaultFile::open(&probe, &Unlock::Keychain, &store)
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::Integrity {
                what: "key commitment",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("vault file is damaged (integrity check failed): "),
        "{err}"
    );
}

#[test]
fn length_mutated_fields_are_rejected() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let good = fs::read(&path).unwrap();
    let header_len = u32::from_be_bytes(good[10..14].try_into().unwrap());
    // A header_len that is off by one either way, re-checksummed as an attacker would.
    for delta in [-1i64, 1] {
        let mut bad = good.clone();
        let new_len = (i64::from(header_len) + delta) as u32;
        bad[10..14].copy_from_slice(&new_len.to_be_bytes());
        let body_end = 14 + new_len as usize;
        let sum = crypto::sha256(&bad[..body_end]);
        let mut forged = bad[..body_end].to_vec();
        forged.extend_from_slice(&sum);
        forged.extend_from_slice(&good[14 + header_len as usize + 32..]);
        let probe = dir.path().join("len");
        fs::write(&probe, &forged).unwrap();
        let err = VaultFile::open(&probe, &Unlock::Keychain, &store)
            .map(|_| ())
            .unwrap_err();
        assert!(
            matches!(err, VaultError::Malformed { .. }),
            "delta {delta}: {err:?}"
        );
    }
}

#[test]
fn reload_picks_up_another_writer_without_a_credential() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let mut app = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert!(!app.changed_on_disk().unwrap());
    let mut cli = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    cli.vault_mut().add(sample_account(7)).unwrap();
    cli.save().unwrap();
    assert!(app.changed_on_disk().unwrap());
    // The keychain item is gone: a reload must not need it (it reuses the data key).
    store.delete(&app.header_info().vault_id).unwrap();
    app.reload().unwrap();
    assert!(!app.changed_on_disk().unwrap());
    assert_eq!(app.vault(), cli.vault());
    app.vault_mut().add(sample_account(8)).unwrap();
    app.save().unwrap();
    assert_eq!(
        app.header_info().generation,
        cli.header_info().generation + 1
    );
}

#[test]
fn reload_refuses_another_vault_and_keeps_the_state() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let mut app = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let before = app.vault().clone();
    let other_dir = tempdir();
    let (other, _, _, _) = small_vault(other_dir.path());
    fs::copy(&other, &path).unwrap();
    let err = app.reload().unwrap_err();
    assert!(matches!(err, VaultError::Integrity { .. }), "{err:?}");
    assert_eq!(app.vault(), &before);
}

// ---------------------------------------------------------------- change detection, generations (S2–S4)

#[test]
fn save_refuses_when_the_file_changed_on_disk() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let mut a = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let mut b = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    a.vault_mut().add(sample_account(2)).unwrap();
    a.save().unwrap();
    b.vault_mut().add(sample_account(3)).unwrap();
    let before = fs::read(&path).unwrap();
    let err = b.save().unwrap_err();
    assert!(
        matches!(&err, VaultError::ChangedOnDisk { path: p } if *p == path),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "vault changed on disk since it was opened; reopen and try again"
    );
    assert_eq!(
        fs::read(&path).unwrap(),
        before,
        "a refused save must not write"
    );
    // After reopening, the save goes through and keeps both accounts.
    let mut b = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    b.vault_mut().add(sample_account(3)).unwrap();
    b.save().unwrap();
    assert_eq!(
        VaultFile::open(&path, &Unlock::Keychain, &store)
            .unwrap()
            .vault()
            .len(),
        3
    );
}

#[test]
fn keeps_five_generations_and_offers_the_newest_good_one() {
    let dir = tempdir();
    let (path, store, rk, _) = small_vault(dir.path());
    let mut vf = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let mut snapshots = std::collections::HashMap::new();
    snapshots.insert(vf.header_info().generation, vf.vault().clone());
    for n in 10..18 {
        vf.vault_mut().add(sample_account(n)).unwrap();
        vf.save().unwrap();
        snapshots.insert(vf.header_info().generation, vf.vault().clone());
    }
    let current = vf.header_info().generation;
    assert_eq!(current, 10);
    let gens = VaultFile::generations(&path).unwrap();
    let numbers: Vec<u64> = gens.iter().map(|g| g.1).collect();
    assert_eq!(numbers, [9, 8, 7, 6, 5]);
    for (p, g) in &gens {
        assert_eq!(VaultFile::inspect(p).unwrap().generation, *g);
    }
    // Corrupt the current file in its ciphertext.
    let mut bytes = fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 40] ^= 0x01;
    fs::write(&path, &bytes).unwrap();
    let err = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap_err();
    let (good_path, good_gen) = match &err {
        VaultError::Damaged {
            path: p,
            newest_good: Some(ng),
        } if *p == path => ng.clone(),
        other => panic!("expected Damaged, got {other:?}"),
    };
    assert_eq!(good_gen, 9);
    assert!(err.to_string().contains("generation 9"), "{err}");
    // The recovery key finds the same generation.
    let err = VaultFile::open(&path, &Unlock::RecoveryKey(rk.clone().into()), &store).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::Damaged {
                newest_good: Some((_, 9)),
                ..
            }
        ),
        "{err:?}"
    );
    let old = VaultFile::open_generation(&path, &good_path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(old.vault(), &snapshots[&9]);
    let mut restored =
        VaultFile::restore_generation(&path, &good_path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(restored.vault(), &snapshots[&9]);
    assert!(dir.path().join("vault.damaged").exists());
    let reopened = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(reopened.vault(), &snapshots[&9]);
    // And the restored vault saves normally.
    restored.vault_mut().add(sample_account(99)).unwrap();
    restored.save().unwrap();
    assert_eq!(
        VaultFile::open(&path, &Unlock::Keychain, &store)
            .unwrap()
            .vault()
            .len(),
        snapshots[&9].len() + 1
    );
}

#[test]
fn damage_without_generations_is_reported_as_such() {
    let dir = tempdir();
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    VaultFile::create(&path, keychain_opts(), &store, 0).unwrap();
    let mut bytes = fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 0x80;
    fs::write(&path, &bytes).unwrap();
    let err = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap_err();
    assert!(matches!(err, VaultError::Integrity { .. }), "{err:?}");
}

#[test]
fn leftover_temp_files_are_cleaned_and_ignored() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    fs::write(dir.path().join("vault.tmp-deadbeef"), b"half a save").unwrap();
    let mut vf = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    vf.save().unwrap();
    assert!(!dir.path().join("vault.tmp-deadbeef").exists());
}

#[cfg(unix)]
#[test]
fn files_are_0600_and_directories_0700_even_under_umask_000() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;
    const ENV: &str = "TWOFOLD_TEST_UMASK_DIR";
    if let Ok(dir) = std::env::var(ENV) {
        // Child mode: runs under umask 000.
        let path = Path::new(&dir).join("nested/deeper/vault");
        let store = MemoryKeyStore::new();
        let (mut vf, _) = VaultFile::create(&path, keychain_opts(), &store, 0).unwrap();
        vf.save().unwrap();
        return;
    }
    let dir = tempdir();
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" --exact vault::files_are_0600_and_directories_0700_even_under_umask_000 --test-threads=1")
        .arg(&exe)
        .env(ENV, dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let base = dir.path().join("nested");
    assert_eq!(mode(&base), 0o700);
    assert_eq!(mode(&base.join("deeper")), 0o700);
    let files: Vec<PathBuf> = fs::read_dir(base.join("deeper"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"vault".to_owned())
            && names.contains(&"vault.gen-1".to_owned())
            && names.contains(&"vault.lock".to_owned()),
        "{names:?}"
    );
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
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
    let parsed = format::parse(&good).unwrap();
    let mut header = parsed.header.clone();
    header.slots.retain(|s| s.kind == SlotKind::Keychain);
    let mut forged = header.encode_prefix();
    forged.extend_from_slice(parsed.ciphertext);
    forged.extend_from_slice(&parsed.tag);
    let probe = dir.path().join("forged");
    fs::write(&probe, &forged).unwrap();
    let err = VaultFile::open(&probe, &Unlock::Keychain, &store)
        .map(|_| ())
        .unwrap_err();
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
