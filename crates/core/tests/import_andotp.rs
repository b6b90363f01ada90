//! The andOTP importer (`formats::andotp`, issue 5): plain, encrypted and old encrypted
//! backups from `../shared/fixtures/interop/aegis/importers/` import to EXPECTED.md's V-set;
//! wrong passwords and tampered ciphertext are reported as wrong passwords.

use twofold_core::formats::{self, FormatError};

use crate::util::{assert_wrong_password, check, fixture, pw, v, vs, Expected, NOW};

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn andotp_plain() {
    check(
        "andotp",
        "aegis/importers/andotp_plain.json",
        None,
        &vs(&[1, 2, 3, 4, 5, 6, 7]),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn andotp_encrypted() {
    let path = "aegis/importers/andotp_encrypted.bin";
    check("andotp", path, Some("test"), &vs(&[1, 2, 3, 4, 5, 6, 7]));
    assert_wrong_password("andotp", path);
}

/// Old andOTP wrote `Issuer - Issuer:Name` labels: name keeps the `Issuer:` prefix.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn andotp_encrypted_old() {
    let path = "aegis/importers/andotp_encrypted_old.bin";
    let expected: Vec<Expected> = (1..=6)
        .map(|n| {
            let e = v(n);
            Expected {
                name: format!("{}:{}", e.issuer, e.name),
                ..e
            }
        })
        .collect();
    check("andotp", path, Some("test"), &expected);
    assert_wrong_password("andotp", path);
}

/// A flipped ciphertext byte in the middle of a binary backup is caught by AES-GCM.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn tampered_ciphertext_is_wrong_password() {
    for path in [
        "aegis/importers/andotp_encrypted.bin",
        "aegis/importers/andotp_encrypted_old.bin",
    ] {
        let mut bytes = fixture(path);
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        let err = formats::importer("andotp")
            .unwrap()
            .import(&bytes, Some(&pw("test")), NOW)
            .unwrap_err();
        assert!(
            matches!(err, FormatError::WrongPassword { .. }),
            "{path}: {err}"
        );
    }
}
