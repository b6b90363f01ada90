//! Damaged and hostile input to the importers (issue 5): every encrypted and plain interop
//! fixture of 2FAS, andOTP, FreeOTP and Bitwarden cut short or with flipped bytes gives an
//! error or fewer accounts, never a panic; and no input at all (random bytes, or fixtures of
//! Aegis, URI lists, Google transfer and Proton cut short or changed) makes an importer panic.

use proptest::prelude::*;
use twofold_core::formats;

use crate::util::{fixture, pw, NOW};

/// (importer id, fixture, password) for every fixture above.
const ALL: &[(&str, &str, Option<&str>)] = &[
    ("2fas", "aegis/importers/2fas_authenticator.json", None),
    (
        "2fas",
        "aegis/importers/2fas_authenticator_plain.2fas",
        None,
    ),
    (
        "2fas",
        "aegis/importers/2fas_authenticator_encrypted.2fas",
        Some("test"),
    ),
    (
        "2fas",
        "aegis/importers/2fas_authenticator_plain_v3.2fas",
        None,
    ),
    (
        "2fas",
        "aegis/importers/2fas_authenticator_encrypted_v3.2fas",
        Some("test"),
    ),
    (
        "2fas",
        "aegis/importers/2fas_authenticator_plain_v4.2fas",
        None,
    ),
    (
        "2fas",
        "aegis/importers/2fas_authenticator_encrypted_v4.2fas",
        Some("test"),
    ),
    ("2fas", "2fas-backup-decryptor/plaintext_test.json", None),
    (
        "2fas",
        "2fas-backup-decryptor/encrypted_test.2fas",
        Some("example.com"),
    ),
    ("andotp", "aegis/importers/andotp_plain.json", None),
    (
        "andotp",
        "aegis/importers/andotp_encrypted.bin",
        Some("test"),
    ),
    (
        "andotp",
        "aegis/importers/andotp_encrypted_old.bin",
        Some("test"),
    ),
    ("freeotp-plus", "aegis/importers/freeotp_plus.json", None),
    (
        "freeotp-plus",
        "aegis/importers/freeotp_plus_internal.xml",
        None,
    ),
    ("freeotp-plus", "aegis/importers/freeotp.xml", None),
    (
        "freeotp2",
        "aegis/importers/freeotp_v2_api23.xml",
        Some("test"),
    ),
    (
        "freeotp2",
        "aegis/importers/freeotp_v2_api34.xml",
        Some("test"),
    ),
    (
        "freeotp2",
        "aegis/importers/freeotp_v2_null_algo.xml",
        Some("test"),
    ),
    ("bitwarden", "aegis/importers/bitwarden.json", None),
    ("bitwarden", "aegis/importers/bitwarden.csv", None),
];

/// Cut short, every file is refused with an error, or (text formats cut between entries)
/// yields fewer accounts; never a panic, never more accounts.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn truncated_fixtures_give_errors() {
    for &(id, path, password) in ALL {
        let bytes = fixture(path);
        let importer = formats::importer(id).unwrap();
        let full = importer
            .import(&bytes, password.map(pw).as_ref(), NOW)
            .unwrap()
            .accounts
            .len();
        let text_lines = path.ends_with(".csv") || path.ends_with(".xml") && password.is_none();
        for cut in [0, 1, 10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
            let result = importer.import(&bytes[..cut], password.map(pw).as_ref(), NOW);
            match result {
                Err(_) => {}
                // Cutting a trailing newline loses nothing.
                Ok(imported) if bytes[cut..].iter().all(u8::is_ascii_whitespace) => {
                    assert_eq!(imported.accounts.len(), full, "{path} cut at {cut}")
                }
                Ok(imported) if text_lines => assert!(
                    imported.accounts.len() < full,
                    "{path} cut at {cut}: {} accounts",
                    imported.accounts.len()
                ),
                Ok(imported) => panic!(
                    "{path} cut at {cut} imported {} accounts",
                    imported.accounts.len()
                ),
            }
        }
    }
}

/// Flipped bytes never panic; in encrypted files they break the authentication tag.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn garbled_fixtures_never_panic() {
    for &(id, path, password) in ALL {
        let bytes = fixture(path);
        let importer = formats::importer(id).unwrap();
        // Each import of an encrypted file runs its KDF: fewer rounds there.
        let masks: &[u8] = if password.is_some() {
            &[0x80]
        } else {
            &[0x01, 0x80, 0xFF]
        };
        for at in [0, 3, 7, bytes.len() / 4, bytes.len() / 2, bytes.len() - 20] {
            for &mask in masks {
                let mut garbled = bytes.clone();
                garbled[at] ^= mask;
                let password = password.map(pw);
                let _ = importer.import(&garbled, password.as_ref(), NOW);
                let _ = importer.is_encrypted(&garbled);
                let _ = formats::detect(&garbled);
            }
        }
    }
}

/// What the fuzz targets do on a larger scale: `input` through the detection, `is_encrypted`
/// and import of the Aegis, URI list, Google and Proton importers, which must not panic.
fn never_panics(input: &[u8]) {
    for id in ["aegis", "uris", "google", "proton"] {
        let importer = formats::importer(id).unwrap();
        let _ = importer.detect(input);
        let _ = importer.is_encrypted(input);
        let _ = importer.import(input, None, NOW);
    }
}

/// Fixtures cut short or with one byte changed, for the never-panics property.
fn mangled(path: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let bytes = fixture(path);
    let len = bytes.len();
    (0..len, any::<u8>(), any::<bool>()).prop_map(move |(at, byte, cut)| {
        let mut b = bytes.clone();
        if cut {
            b.truncate(at);
        } else {
            b[at] = byte;
        }
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No input makes an importer panic: random bytes.
    #[test]
    fn importers_never_panic(input in proptest::collection::vec(any::<u8>(), 0..256)) {
        never_panics(&input);
    }

    /// No input makes an importer panic: real export files cut short or changed.
    #[test]
    #[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
    fn importers_never_panic_on_mangled_fixtures(
        input in prop_oneof![
            mangled("aegis/importers/aegis_plain.json"),
            mangled("aegis/vault/aegis_plain_grouped_v2.json"),
            mangled("aegis/importers/ente_auth.txt"),
            mangled("johncallahan_otpauth_migration/migration_uris.txt"),
            mangled("aegis/importers/proton_authenticator.json"),
        ]
    ) {
        never_panics(&input);
    }
}
