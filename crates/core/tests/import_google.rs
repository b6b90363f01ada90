//! The Google Authenticator transfer importer (`formats::google`, issue 5): scito's
//! `extract_otp_secrets` samples (text and QR PNG) and johncallahan's migration strings import
//! to the accounts EXPECTED.md lists, batches are put together and missing ones reported,
//! hostile batch sizes are summarised quickly, and broken exports give clear errors.

use twofold_core::formats::{self, FormatError};
use twofold_core::Algorithm;

use crate::util::{
    acme_name, assert_account, assert_accounts, b32, expected, fixture, fixture_text, import,
    import_ok, scito_rows, totp, Expected, ACME_BATCHES, NOW,
};

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_example_export_txt() {
    let imported = import_ok("google", "extract_otp_secrets/example_export.txt", None);
    assert_accounts(&imported.accounts, &scito_rows(), "example_export.txt");
    // batch_size 1 everywhere: nothing is missing.
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_example_export_only_totp_txt() {
    let imported = import_ok(
        "google",
        "extract_otp_secrets/example_export_only_totp.txt",
        None,
    );
    let mut rows = scito_rows();
    rows.remove(4);
    assert_accounts(&imported.accounts, &rows, "example_export_only_totp.txt");
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_test_plus_problem_export_txt() {
    let imported = import_ok(
        "google",
        "extract_otp_secrets/test_plus_problem_export.txt",
        None,
    );
    // EXPECTED.md lists the raw names `SerenityLabs:test1@…`; migration.rs strips the
    // `<issuer>:` prefix when it equals the issuer (formats.md §2, "Name field").
    let sha1 = Algorithm::Sha1;
    let t = totp(30);
    assert_accounts(
        &imported.accounts,
        &[
            expected(
                "SerenityLabs",
                "test1@serenitylabs.co.uk",
                "A4RFDYMF4GSLUIBQV4ZP67OJEZ2XUQVM",
                t,
                sha1,
                6,
            ),
            expected(
                "SerenityLabs",
                "test2@serenitylabs.co.uk",
                "SCDDZ7PW5MOZLE3PQCAZM7L4S35K3UDX",
                t,
                sha1,
                6,
            ),
            expected(
                "SerenityLabs",
                "test3@serenitylabs.co.uk",
                "TR76272RVYO6EAEY2FX7W7R7KUDEGPJ4",
                t,
                sha1,
                6,
            ),
            expected(
                "SerenityLabs",
                "test4@serenitylabs.co.uk",
                "N2ILWSXSJUQUB7S6NONPJSC62NPG7EXN",
                t,
                sha1,
                6,
            ),
        ],
        "test_plus_problem_export.txt",
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_broken_exports_give_clear_errors() {
    let err = import(
        "google",
        "extract_otp_secrets/test_export_wrong_data.txt",
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, FormatError::Malformed { .. })
            && err
                .to_string()
                .contains("line 1: data is not a valid migration payload"),
        "{err}"
    );
    for file in [
        "extract_otp_secrets/test_export_wrong_prefix.txt",
        "extract_otp_secrets/test_export_wrong_content.txt",
    ] {
        assert!(
            matches!(
                formats::detect(&fixture(file)),
                Err(FormatError::Unrecognized { .. })
            ),
            "{file} was recognised"
        );
        let err = import("google", file, None).unwrap_err();
        assert!(
            err.to_string()
                .contains("line 1: expected an otpauth:// or otpauth-migration:// uri"),
            "{file}: {err}"
        );
    }
}

/// The rows of ACME batch `batch` of [`ACME_BATCHES`], whose first account is number `start`.
fn acme(batch: usize, start: usize) -> Vec<Expected> {
    ACME_BATCHES[batch]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            expected(
                "ACME",
                &acme_name(start + i),
                s,
                totp(30),
                Algorithm::Sha1,
                6,
            )
        })
        .collect()
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn johncallahan_migration_uris_txt() {
    let imported = import_ok(
        "google",
        "johncallahan_otpauth_migration/migration_uris.txt",
        None,
    );
    let sha1 = Algorithm::Sha1;
    let t = totp(30);
    // Names lose their `<issuer>:` prefix (formats.md §2); EXPECTED.md lists them raw.
    let mut rows: Vec<Expected> = vec![
        expected("", "My Test Account", "ZEBIZQGVMZJ5LXHE", t, sha1, 6),
        expected(
            "ACME Co",
            "john@example.com",
            "NHCKM5GMIOZIHAXDK2O5O4Q3ECNUSUW2",
            t,
            sha1,
            6,
        ),
        expected(
            "Beta Ltd.",
            "jane@example.com",
            "LZEP5ZGGGZVLYCUOZHD5TIHMNZXJGASW",
            t,
            sha1,
            6,
        ),
        expected(
            "Cats & Dogs",
            "mary@example.com",
            "GDC4WNINHYDCQI32X4UGDQLVYNKPNG2W",
            t,
            sha1,
            6,
        ),
        expected(
            "Daily Bugle",
            "peter@example.com",
            "XJY7G3TOMH6LKDWTFCSSZQR6OWDFRVPC",
            t,
            sha1,
            6,
        ),
        expected(
            "ACME Co",
            "john.doe@example.com",
            "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
            t,
            sha1,
            6,
        ),
        expected(
            "Example",
            "alice@google.com",
            "JBSWY3DPEHPK3PXP",
            t,
            sha1,
            6,
        ),
        expected(
            "ACME Co",
            "john@example.com",
            "NHCKM5GMIOZIHAXDK2O5O4Q3ECNUSUW2",
            t,
            sha1,
            6,
        ),
        expected(
            "Daily Bugle",
            "peter@example.com",
            "XJY7G3TOMH6LKDWTFCSSZQR6OWDFRVPC",
            t,
            sha1,
            6,
        ),
    ];
    rows.extend(acme(0, 0));
    // string1Of3 repeats batch 0 of 3 (same payload, other escaping): imported once.
    rows.extend(acme(1, 10));
    rows.extend(acme(2, 20));
    rows.push(expected("", "test", "DSFASDFASDFASFA", t, sha1, 6));
    // string3's names are not in EXPECTED.md; only issuers and secrets are checked there.
    for (i, (a, row)) in imported.accounts.iter().zip(&rows).enumerate() {
        if (1..=4).contains(&i) {
            assert_eq!(
                (a.issuer.as_str(), b32(a)),
                (row.issuer.as_str(), row.secret.to_owned())
            );
        } else {
            assert_account(a, row, "migration_uris.txt");
        }
    }
    assert_eq!(imported.accounts.len(), rows.len());
    assert_eq!(
        imported.warnings,
        ["batch 1 of 3 was read twice: its accounts are imported once"]
    );
}

fn johncallahan_line(after_comment: &str) -> String {
    let text = fixture_text("johncallahan_otpauth_migration/migration_uris.txt");
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if l.starts_with(&format!("# {after_comment} ")) {
            return lines.next().unwrap().to_owned();
        }
    }
    panic!("no line after {after_comment}");
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn missing_batch_gives_a_warning() {
    let text = format!(
        "{}\n{}\n",
        johncallahan_line("string1Of3UrlEncoded"),
        johncallahan_line("string3Of3UrlEncoded")
    );
    let google = formats::importer("google").unwrap();
    let imported = google.import(text.as_bytes(), None, NOW).unwrap();
    assert_eq!(imported.accounts.len(), 12);
    assert_eq!(
        imported.warnings,
        ["batch 2 of 3 is missing: scan the remaining QR codes"]
    );
    // The three batches in any order: complete.
    let text = format!(
        "{}\n{}\n{}\n",
        johncallahan_line("string3Of3UrlEncoded"),
        johncallahan_line("string1Of3"),
        johncallahan_line("string2Of3UrlEncoded")
    );
    let imported = google.import(text.as_bytes(), None, NOW).unwrap();
    assert_eq!(imported.accounts.len(), 22);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
}

#[test]
fn hostile_batch_size_is_summarised_quickly() {
    use base64::Engine as _;
    // MigrationPayload { otp_parameters: [{secret: "1234567890", name: "a"}], version: 1,
    // batch_size: i32::MAX, batch_index: 0, batch_id: 1 }, written by hand.
    let mut payload = vec![0x0a, 0x0f, 0x0a, 0x0a];
    payload.extend_from_slice(b"1234567890");
    payload.extend_from_slice(&[
        0x12, 0x01, b'a', 0x10, 0x01, 0x18, 0xff, 0xff, 0xff, 0xff, 0x07,
    ]);
    payload.extend_from_slice(&[0x20, 0x00, 0x28, 0x01]);
    let uri = format!(
        "otpauth-migration://offline?data={}",
        base64::engine::general_purpose::STANDARD.encode(&payload)
    );
    let started = std::time::Instant::now();
    let imported = formats::importer("google")
        .unwrap()
        .import(uri.as_bytes(), None, NOW)
        .unwrap();
    assert!(started.elapsed().as_millis() < 500);
    assert_eq!(imported.accounts.len(), 1);
    assert_eq!(
        imported.warnings,
        ["2147483646 of 2147483647 batches are missing: scan the remaining QR codes"]
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_test_googleauth_export_png() {
    let imported = import_ok(
        "google",
        "extract_otp_secrets/test_googleauth_export.png",
        None,
    );
    let sha1 = Algorithm::Sha1;
    let t = totp(30);
    // EXPECTED.md's names carry the issuer prefix (`Test1:test1@example1.com`); stripped here.
    assert_accounts(
        &imported.accounts,
        &[
            expected(
                "Test1",
                "test1@example1.com",
                "JBSWY3DPEHPK3PXP",
                t,
                sha1,
                6,
            ),
            expected(
                "Test2",
                "test2@example2.com",
                "JBSWY3DPEHPK3PXQ",
                t,
                sha1,
                6,
            ),
            expected(
                "Test3",
                "test3@example3.com",
                "JBSWY3DPEHPK3PXR",
                t,
                sha1,
                6,
            ),
        ],
        "test_googleauth_export.png",
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_qr_but_without_otp_png_is_rejected() {
    let err = import("google", "extract_otp_secrets/qr_but_without_otp.png", None).unwrap_err();
    assert!(
        matches!(&err, FormatError::Unrecognized { hint: Some(h) } if h.contains("not an otpauth")),
        "{err}"
    );
    // The QR code's text (not a secret, but not ours to echo) stays out of the message.
    assert!(!err.to_string().contains("NOT A"), "{err}");
}
