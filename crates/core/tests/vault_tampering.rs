//! The vault file against tampering, truncation and hostile headers (docs/vault.md §3;
//! docs/reference/security-brief.md C1, C3, C4, C7): every bit flip and every truncation of a
//! vault is refused without leaking a secret, as are trailing bytes, a slot from another
//! vault, other format versions, out-of-bounds KDF parameters (before Argon2 runs), a forged
//! key commitment and mutated lengths.

use std::fs;
use std::time::Instant;

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{
    crypto, format, CreateOptions, KdfParams, SlotKind, Unlock, VaultError, VaultFile,
};

use crate::util::{
    forge_header, is_format_or_integrity, open_fails, password_opts, small_vault, tempdir,
    OnFailure, PASSWORD,
};

// ---------------------------------------------------------------- tampering (C1)

/// The vault's keys and salts are the OS's draw, so a failure prints the file and its
/// keychain key (the last of [`small_vault`]'s secrets) instead of a seed.
fn replay(good: &[u8], secrets: &[String]) -> [OnFailure; 2] {
    [
        OnFailure::bytes("vault file, in hex", good),
        OnFailure::text("keychain key, in hex", secrets.last().unwrap()),
    ]
}

#[test]
fn every_bit_flip_is_rejected_without_leaking_secrets() {
    let dir = tempdir();
    let (path, store, _, secrets) = small_vault(dir.path());
    let good = fs::read(&path).unwrap();
    let _replay = replay(&good, &secrets);
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
    let (path, store, _, secrets) = small_vault(dir.path());
    let good = fs::read(&path).unwrap();
    let _replay = replay(&good, &secrets);
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
    let pb = format::parse(&b).unwrap();
    let b_slot = pb
        .header
        .slots
        .iter()
        .find(|s| s.kind == SlotKind::RecoveryKey)
        .unwrap()
        .clone();
    let forged = forge_header(&a, |header| {
        for s in header
            .slots
            .iter_mut()
            .filter(|s| s.kind == SlotKind::RecoveryKey)
        {
            *s = b_slot.clone();
        }
    });
    let probe = dir.path().join("forged");
    let err = open_fails(
        &probe,
        &forged,
        &Unlock::RecoveryKey(b_rk.into()),
        &MemoryKeyStore::new(),
    );
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
    forge_header(bytes, |header| {
        for s in header.slots.iter_mut().filter(|s| s.kind.has_kdf()) {
            s.kdf = Some(kdf);
        }
    })
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
        // The error names the parameters, so they were refused before Argon2 ran (format::parse
        // refuses them, above); the time bound is a second check with room for a loaded
        // machine: Argon2 at the absurd rejected parameters (u32::MAX KiB or passes) would run
        // far longer.
        assert!(took.as_millis() < 500, "{kdf:?} took {took:?}");
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
    let forged = forge_header(&good, |header| {
        header.commitment = crypto::commitment(
            &[0x55; 32],
            &header.payload_salt,
            format::MAGIC,
            format::VERSION,
            &header.vault_id,
        );
    });
    let probe = dir.path().join("forged");
    let err = open_fails(&probe, &forged, &Unlock::Keychain, &store);
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
