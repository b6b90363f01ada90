//! The Authenticator Pro / Stratum importer (`formats::stratum`, issue 5): the plain, current
//! (Argon2id + AES-GCM) and legacy (PBKDF2 + AES-CBC) backups from
//! `../shared/fixtures/interop/aegis/importers/` import to EXPECTED.md's V-set; wrong
//! passwords are reported as such, and truncated or flipped files give errors, never a panic.

use twofold_core::formats::{self, FormatError};

use crate::util::{assert_accounts, fixture, import_detected, pw, v_set, NOW};

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn stratum_plain_json() {
    let input = fixture("aegis/importers/stratum_plain.json");
    let stratum = formats::importer("stratum").unwrap();
    assert!(!stratum.is_encrypted(&input).unwrap());
    assert_accounts(
        &import_detected(&input, "stratum", None).accounts,
        &v_set(),
        "stratum",
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn stratum_encrypted_argon2_gcm() {
    let input = fixture("aegis/importers/stratum_encrypted.bin");
    let stratum = formats::importer("stratum").unwrap();
    assert!(stratum.is_encrypted(&input).unwrap());
    assert_accounts(
        &import_detected(&input, "stratum", Some("test")).accounts,
        &v_set(),
        "stratum",
    );
    assert_eq!(
        stratum.import(&input, Some(&pw("tset")), NOW),
        Err(FormatError::WrongPassword {
            format: stratum.name()
        })
    );
    assert_eq!(
        stratum.import(&input, None, NOW),
        Err(FormatError::PasswordRequired {
            format: stratum.name()
        })
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn stratum_encrypted_legacy_pbkdf2_cbc() {
    let input = fixture("aegis/importers/stratum_encrypted_legacy.bin");
    let stratum = formats::importer("stratum").unwrap();
    assert!(stratum.is_encrypted(&input).unwrap());
    assert_accounts(
        &import_detected(&input, "stratum", Some("test")).accounts,
        &v_set(),
        "stratum",
    );
    for wrong in ["tset", "", "test "] {
        assert_eq!(
            stratum.import(&input, Some(&pw(wrong)), NOW),
            Err(FormatError::WrongPassword {
                format: stratum.name()
            }),
            "password {wrong:?}"
        );
    }
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn stratum_truncations_are_errors() {
    let stratum = formats::importer("stratum").unwrap();
    let password = pw("test");
    // Plain JSON: every strict prefix is invalid JSON.
    let plain = fixture("aegis/importers/stratum_plain.json");
    for len in (0..plain.len()).step_by(37) {
        assert!(
            stratum.import(&plain[..len], None, NOW).is_err(),
            "prefix {len}"
        );
    }
    // Legacy CBC: prefixes are too short, not block aligned, or fail the padding/JSON check.
    let legacy = fixture("aegis/importers/stratum_encrypted_legacy.bin");
    for len in [
        16,
        30,
        51,
        52,
        67,
        68,
        100,
        legacy.len() - 16,
        legacy.len() - 1,
    ] {
        let err = stratum
            .import(&legacy[..len], Some(&password), NOW)
            .unwrap_err();
        assert!(
            matches!(
                err,
                FormatError::Malformed { .. } | FormatError::WrongPassword { .. }
            ),
            "prefix {len}: {err:?}"
        );
    }
    // Current GCM: short prefixes are malformed, longer ones fail authentication.
    let gcm = fixture("aegis/importers/stratum_encrypted.bin");
    for len in [16, 59] {
        assert!(matches!(
            stratum.import(&gcm[..len], Some(&password), NOW),
            Err(FormatError::Malformed { .. })
        ));
    }
    assert!(matches!(
        stratum.import(&gcm[..gcm.len() - 1], Some(&password), NOW),
        Err(FormatError::WrongPassword { .. })
    ));
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn stratum_flipped_ciphertext_bit_is_detected() {
    let stratum = formats::importer("stratum").unwrap();
    let mut legacy = fixture("aegis/importers/stratum_encrypted_legacy.bin");
    // Flip a bit in the first ciphertext block: the JSON start is destroyed.
    legacy[16 + 20 + 16] ^= 0x01;
    let err = stratum.import(&legacy, Some(&pw("test")), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            FormatError::WrongPassword { .. } | FormatError::Malformed { .. }
        ),
        "{err:?}"
    );
}
