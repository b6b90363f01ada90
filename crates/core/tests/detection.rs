//! Format detection (`formats::detect`, `formats::import_any`, issue 5): every interop
//! fixture is claimed by its own importer and by no other, and text that merely starts like
//! an image's magic bytes is not taken for an image.

use twofold_core::formats;
use twofold_core::SecretString;

use crate::util::{fixture, NOW};

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn detection_picks_the_right_importer() {
    for (file, id) in [
        ("aegis/importers/aegis_plain.json", "aegis"),
        ("aegis/importers/aegis_encrypted.json", "aegis"),
        ("aegis/vault/aegis_plain_grouped_v2.json", "aegis"),
        ("aegis/importers/plain.txt", "uris"),
        ("aegis/importers/ente_auth.txt", "uris"),
        ("extract_otp_secrets/url_list_output.txt", "uris"),
        ("extract_otp_secrets/example_export.txt", "google"),
        ("extract_otp_secrets/example_export_only_totp.txt", "google"),
        ("extract_otp_secrets/test_plus_problem_export.txt", "google"),
        ("extract_otp_secrets/test_export_wrong_data.txt", "google"),
        ("extract_otp_secrets/test_googleauth_export.png", "google"),
        ("extract_otp_secrets/qr_but_without_otp.png", "google"),
        (
            "johncallahan_otpauth_migration/migration_uris.txt",
            "google",
        ),
        ("aegis/importers/proton_authenticator.json", "proton"),
    ] {
        let found = formats::detect(&fixture(file)).map(|i| i.id());
        assert_eq!(found, Ok(id), "{file}");
    }
}

#[test]
fn text_starting_like_an_image_magic_is_not_an_image() {
    let google = formats::importer("google").unwrap();
    assert!(!google.detect(b"BMW owners club\nmembers list\n"));
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0; 12]);
    bmp.extend_from_slice(&40u32.to_le_bytes());
    assert!(google.detect(&bmp));
    assert!(google.import(&bmp, None, NOW).is_err());
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn import_any_detects_and_imports() {
    let (importer, imported) = formats::import_any(
        &fixture("aegis/importers/aegis_encrypted.json"),
        None,
        Some(&SecretString::from("test")),
        NOW,
    )
    .unwrap();
    assert_eq!(importer.id(), "aegis");
    assert_eq!(imported.accounts.len(), 7);
}

/// Detection leaves files of other formats alone.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn detection_is_specific() {
    let mine = ["2fas", "andotp", "freeotp-plus", "freeotp2", "bitwarden"];
    for path in [
        "aegis/importers/aegis_plain.json",
        "aegis/importers/plain.txt",
        "aegis/importers/proton_authenticator.json",
        "aegis/importers/stratum_plain.json",
        "aegis/importers/steam.json",
        "aegis/importers/authenticator_plus.zip",
        "aegis/importers/google_authenticator.sqlite",
        "extract_otp_secrets/test_googleauth_export.png",
        "extract_otp_secrets/example_export.txt",
    ] {
        let bytes = fixture(path);
        for id in mine {
            assert!(
                !formats::importer(id).unwrap().detect(&bytes),
                "{id} claims {path}"
            );
        }
    }
}
