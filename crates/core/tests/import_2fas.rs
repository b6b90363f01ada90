//! The 2FAS importer (`formats::twofas`, issue 5): schemas 1 to 4, plain and encrypted, from
//! `../shared/fixtures/interop/` (Aegis' importer fixtures and 2fas-backup-decryptor's files)
//! import to the accounts EXPECTED.md lists, with each schema's quirks written out; wrong
//! passwords are reported as such.

use twofold_core::{Algorithm, Kind};

use crate::util::{assert_wrong_password, check, expected, hotp, totp, v, vs, Expected};

/// Schema 1 has no digits, period or algorithm: everything is TOTP SHA-1/6/30.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn twofas_schema1() {
    let expected: Vec<Expected> = (1..=6)
        .map(|n| Expected {
            kind: totp(30),
            algorithm: Algorithm::Sha1,
            digits: 6,
            ..v(n)
        })
        .collect();
    check(
        "2fas",
        "aegis/importers/2fas_authenticator.json",
        None,
        &expected,
    );
}

/// Schema 2 cannot say HOTP: all TOTP, algorithm and digits kept, period 30 when absent.
fn twofas_schema2_expected() -> Vec<Expected> {
    vec![
        v(1),
        v(3),
        Expected {
            kind: totp(30),
            ..v(4)
        },
        Expected {
            kind: totp(30),
            ..v(6)
        },
    ]
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn twofas_schema2_plain() {
    let path = "aegis/importers/2fas_authenticator_plain.2fas";
    check("2fas", path, None, &twofas_schema2_expected());
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn twofas_schema2_encrypted() {
    let path = "aegis/importers/2fas_authenticator_encrypted.2fas";
    check("2fas", path, Some("test"), &twofas_schema2_expected());
    assert_wrong_password("2fas", path);
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn twofas_schema3() {
    check(
        "2fas",
        "aegis/importers/2fas_authenticator_plain_v3.2fas",
        None,
        &vs(&[1, 2, 3, 4, 5, 6]),
    );
    let path = "aegis/importers/2fas_authenticator_encrypted_v3.2fas";
    check("2fas", path, Some("test"), &vs(&[1, 2, 3, 4, 5, 6]));
    assert_wrong_password("2fas", path);
}

/// Schema 4's `otp.label` is the account alone.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn twofas_schema4() {
    check(
        "2fas",
        "aegis/importers/2fas_authenticator_plain_v4.2fas",
        None,
        &vs(&[1, 4, 5, 6, 7]),
    );
    let path = "aegis/importers/2fas_authenticator_encrypted_v4.2fas";
    check("2fas", path, Some("test"), &vs(&[1, 4, 5, 6, 7]));
    assert_wrong_password("2fas", path);
}

/// 2fas-backup-decryptor's files: values edited in the app, unlike the V-set.
fn decryptor_expected() -> Vec<Expected> {
    use Algorithm::*;
    vec![
        expected(
            "Deno",
            "Mason",
            "4SJHB4GSD43FZBAI7C2HLRJGPQ",
            totp(30),
            Sha1,
            6,
        ),
        expected(
            "SPDX",
            "James",
            "5OM4WOOGPLQEF6UGN3CPEOOLWU",
            totp(30),
            Sha256,
            7,
        ),
        expected(
            "Airbnb",
            "Elijah",
            "7ELGJSGXNCCTV3O6LKJWYFV2RA",
            totp(60),
            Sha512,
            8,
        ),
        expected(
            "Boeing",
            "Sophia",
            "JRZCL47CMXVOQMNPZR2F7J4RGI",
            Kind::Steam,
            Sha1,
            6,
        ),
        expected(
            "Air Canada",
            "Benjamin",
            "KUVJJOM753IHTNDSZVCNKL7GII",
            hotp(10),
            Sha256,
            8,
        ),
    ]
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn twofas_decryptor_plaintext_array() {
    check(
        "2fas",
        "2fas-backup-decryptor/plaintext_test.json",
        None,
        &decryptor_expected(),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn twofas_decryptor_encrypted() {
    let path = "2fas-backup-decryptor/encrypted_test.2fas";
    check("2fas", path, Some("example.com"), &decryptor_expected());
    assert_wrong_password("2fas", path);
}
