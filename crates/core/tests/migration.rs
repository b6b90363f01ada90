//! `migration`: interop with real Google Authenticator exports (scito's `extract_otp_secrets`
//! samples and johncallahan's test strings, checked against
//! `../shared/fixtures/interop/EXPECTED.md`) and an encode→decode round trip property.

use proptest::prelude::*;
use twofold_core::migration::{self, MigrationBatch, MigrationError};
use twofold_core::{Account, Algorithm, Digits, Kind, Period, SecretBytes};

use crate::util::{acme_name, b32, fixture_text, ACME_BATCHES};

fn migration_lines(file: &str) -> Vec<String> {
    let text = fixture_text(file);
    text.lines()
        .filter(|l| migration::is_migration_uri(l))
        .map(str::to_owned)
        .collect()
}

fn decode_all(file: &str) -> Vec<MigrationBatch> {
    migration_lines(file)
        .iter()
        .map(|l| {
            let batch = migration::decode(l, 0).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(batch.skipped.is_empty(), "{file}: {:?}", batch.skipped);
            batch
        })
        .collect()
}

fn totp30() -> Kind {
    Kind::Totp {
        period: Period::THIRTY,
    }
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_example_export() {
    let batches = decode_all("extract_otp_secrets/example_export.txt");
    assert_eq!(batches.len(), 5);
    let ids: Vec<i32> = batches.iter().map(|b| b.batch_id).collect();
    assert_eq!(
        ids,
        [
            -1_320_898_453,
            -2_094_403_140,
            -1_822_886_384,
            -1_558_849_573,
            -171_198_419
        ]
    );
    assert!(batches
        .iter()
        .all(|b| (b.version, b.batch_size, b.batch_index) == (1, 1, 0)));
    assert_eq!(batches[2].accounts.len(), 2, "one URI holds two accounts");
    let accounts: Vec<&Account> = batches.iter().flat_map(|b| &b.accounts).collect();
    let expected = [
        ("raspberrypi", "pi@raspberrypi", totp30()),
        ("", "pi@raspberrypi", totp30()),
        ("", "pi@raspberrypi", totp30()),
        ("raspberrypi", "pi@raspberrypi", totp30()),
        ("", "hotp demo", Kind::Hotp { counter: 4 }),
        // Contains a colon and has no issuer: kept whole.
        ("", "encoding: ¿äÄéÉ? (demo)", totp30()),
    ];
    assert_eq!(accounts.len(), expected.len());
    for (a, (issuer, name, kind)) in accounts.iter().zip(expected) {
        assert_eq!(
            (a.issuer.as_str(), a.name.as_str(), a.kind),
            (issuer, name, kind)
        );
        assert_eq!(b32(a), "7KSQL2JTUDIS5EF65KLMRQIIGY");
        assert_eq!((a.algorithm, a.digits), (Algorithm::Sha1, Digits::SIX));
    }
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_only_totp_export() {
    let batches = decode_all("extract_otp_secrets/example_export_only_totp.txt");
    let names: Vec<(&str, &str)> = batches
        .iter()
        .flat_map(|b| &b.accounts)
        .map(|a| (a.issuer.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("raspberrypi", "pi@raspberrypi"),
            ("", "pi@raspberrypi"),
            ("", "pi@raspberrypi"),
            ("raspberrypi", "pi@raspberrypi"),
            ("", "encoding: ¿äÄéÉ? (demo)"),
        ]
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_raw_plus_in_data() {
    // `data=` is not percent-encoded: raw `+` and `/`. The name's "SerenityLabs:" prefix equals
    // the issuer and is removed (formats.md §2).
    let batches = decode_all("extract_otp_secrets/test_plus_problem_export.txt");
    let accounts: Vec<&Account> = batches.iter().flat_map(|b| &b.accounts).collect();
    let secrets = [
        "A4RFDYMF4GSLUIBQV4ZP67OJEZ2XUQVM",
        "SCDDZ7PW5MOZLE3PQCAZM7L4S35K3UDX",
        "TR76272RVYO6EAEY2FX7W7R7KUDEGPJ4",
        "N2ILWSXSJUQUB7S6NONPJSC62NPG7EXN",
    ];
    assert_eq!(accounts.len(), 4);
    for (i, (a, secret)) in accounts.iter().zip(secrets).enumerate() {
        assert_eq!(a.issuer, "SerenityLabs");
        assert_eq!(a.name, format!("test{}@serenitylabs.co.uk", i + 1));
        assert_eq!(b32(a), secret);
        assert_eq!(a.kind, totp30());
    }
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_bad_inputs_are_rejected() {
    let wrong_data = fixture_text("extract_otp_secrets/test_export_wrong_data.txt");
    assert!(matches!(
        migration::decode(&wrong_data, 0),
        Err(MigrationError::Protobuf { .. })
    ));
    let wrong_prefix = fixture_text("extract_otp_secrets/test_export_wrong_prefix.txt");
    assert!(!migration::is_migration_uri(&wrong_prefix));
    assert_eq!(
        migration::decode(&wrong_prefix, 0),
        Err(MigrationError::Scheme)
    );
    let wrong_content = fixture_text("extract_otp_secrets/test_export_wrong_content.txt");
    assert_eq!(
        migration::decode(&wrong_content, 0),
        Err(MigrationError::Scheme)
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn johncallahan_strings() {
    let batches = decode_all("johncallahan_otpauth_migration/migration_uris.txt");
    assert_eq!(batches.len(), 9);
    let view = |b: &MigrationBatch| -> Vec<(String, String, String)> {
        b.accounts
            .iter()
            .map(|a| (a.issuer.clone(), a.name.clone(), b32(a)))
            .collect()
    };
    let t = |i: &str, n: &str, s: &str| (i.to_owned(), n.to_owned(), s.to_owned());

    // string2: no batch fields at all.
    assert_eq!(
        view(&batches[0]),
        [t("", "My Test Account", "ZEBIZQGVMZJ5LXHE")]
    );
    assert_eq!(
        (
            batches[0].batch_size,
            batches[0].batch_index,
            batches[0].batch_id
        ),
        (0, 0, 0)
    );
    // string3: names carry the issuer prefix, which is removed.
    assert_eq!(
        view(&batches[1]),
        [
            t(
                "ACME Co",
                "john@example.com",
                "NHCKM5GMIOZIHAXDK2O5O4Q3ECNUSUW2"
            ),
            t(
                "Beta Ltd.",
                "homer@example.com",
                "LZEP5ZGGGZVLYCUOZHD5TIHMNZXJGASW"
            ),
            t(
                "Cats & Dogs",
                "marge@example.com",
                "GDC4WNINHYDCQI32X4UGDQLVYNKPNG2W"
            ),
            t(
                "Daily Bugle",
                "peter@example.com",
                "XJY7G3TOMH6LKDWTFCSSZQR6OWDFRVPC"
            ),
        ]
    );
    // string4: batch_size 0, a 10-byte secret.
    assert_eq!(
        view(&batches[2]),
        [
            t(
                "ACME Co",
                "john.doe@example.com",
                "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
            ),
            t("Example", "alice@google.com", "JBSWY3DPEHPK3PXP"),
        ]
    );
    assert_eq!(batches[2].batch_size, 0);
    // string5.
    assert_eq!(
        view(&batches[3]),
        [
            t(
                "ACME Co",
                "john@example.com",
                "NHCKM5GMIOZIHAXDK2O5O4Q3ECNUSUW2"
            ),
            t(
                "Daily Bugle",
                "peter@example.com",
                "XJY7G3TOMH6LKDWTFCSSZQR6OWDFRVPC"
            ),
        ]
    );
    // Batches 0, 0 (raw `/`), 1 and 2 of 3.
    let batch_accounts = |secrets: &[&str], from: usize| -> Vec<(String, String, String)> {
        secrets
            .iter()
            .enumerate()
            .map(|(i, s)| t("ACME", &acme_name(from + i), s))
            .collect()
    };
    for (batch, index, secrets, from) in [
        (&batches[4], 0, ACME_BATCHES[0], 0),
        (&batches[5], 0, ACME_BATCHES[0], 0),
        (&batches[6], 1, ACME_BATCHES[1], 10),
        (&batches[7], 2, ACME_BATCHES[2], 20),
    ] {
        assert_eq!(
            (batch.batch_size, batch.batch_index, batch.batch_id),
            (3, index, 251_676_888)
        );
        assert_eq!(view(batch), batch_accounts(secrets, from));
    }
    // The 9-byte secret, written upstream as `DSFASDFASDFASFA=`.
    assert_eq!(view(&batches[8]), [t("", "test", "DSFASDFASDFASFA")]);
    assert_eq!(batches[8].accounts[0].secret.len(), 9);
    assert_eq!(
        batches.iter().map(|b| b.accounts.len()).sum::<usize>(),
        1 + 4 + 2 + 2 + 10 + 10 + 10 + 2 + 1
    );
}

fn arb_ga_account() -> impl Strategy<Value = Account> {
    (
        "(|\\PC{1,12}|[a-z:]{1,6})",
        "(|\\PC{1,12}|[a-z: ]{1,8})",
        proptest::collection::vec(any::<u8>(), 1..40),
        prop_oneof![
            Just(Kind::Totp {
                period: Period::THIRTY
            }),
            (0..=i64::MAX as u64).prop_map(|counter| Kind::Hotp { counter }),
        ],
        prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ],
        prop_oneof![Just(Digits::SIX), Just(Digits::EIGHT)],
    )
        .prop_map(|(issuer, name, secret, kind, algorithm, digits)| {
            let mut a = Account::new(issuer, name, SecretBytes::new(secret), kind, 0);
            a.algorithm = algorithm;
            a.digits = digits;
            a
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn encode_then_decode_round_trips(
        accounts in proptest::collection::vec(arb_ga_account(), 0..25),
        batch_id in any::<i32>(),
    ) {
        let refs: Vec<&Account> = accounts.iter().collect();
        let uris = migration::encode(&refs, batch_id).unwrap();
        prop_assert_eq!(uris.len(), accounts.len().div_ceil(10));
        let mut back = Vec::new();
        for (i, uri) in uris.iter().enumerate() {
            let batch = migration::decode(uri.expose(), 0).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert!(batch.skipped.is_empty());
            prop_assert_eq!((batch.batch_id, batch.batch_index, batch.batch_size), (batch_id, i as i32, uris.len() as i32));
            back.extend(batch.accounts);
        }
        prop_assert_eq!(back.len(), accounts.len());
        for (a, b) in accounts.iter().zip(&back) {
            prop_assert_eq!(&a.issuer, &b.issuer);
            prop_assert_eq!(&a.name, &b.name);
            prop_assert!(a.same_token(b));
            prop_assert_eq!(a.kind, b.kind);
        }
    }
}
