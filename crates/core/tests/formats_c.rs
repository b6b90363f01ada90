//! Authenticator Pro / Stratum and Steam importers against the real export files in
//! `../shared/fixtures/interop/aegis/importers/` (EXPECTED.md): every file imports to exactly
//! the expected accounts, wrong passwords are reported as such, detection picks the right
//! importer, and truncated or damaged files give errors, never a panic.

use twofold_core::formats::{self, FormatError};
use twofold_core::{Account, Algorithm, Kind, SecretString};

const NOW: i64 = 1_700_000_000;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/fixtures/interop/aegis/importers/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// One row of EXPECTED.md's V-set: kind, issuer, name, base32 secret, algorithm, digits,
/// period (TOTP) or counter (HOTP).
struct Expected {
    kind: &'static str,
    issuer: &'static str,
    name: &'static str,
    secret: &'static str,
    algorithm: Algorithm,
    digits: u8,
    period_or_counter: u64,
}

const fn v(
    kind: &'static str,
    issuer: &'static str,
    name: &'static str,
    secret: &'static str,
    algorithm: Algorithm,
    digits: u8,
    period_or_counter: u64,
) -> Expected {
    Expected {
        kind,
        issuer,
        name,
        secret,
        algorithm,
        digits,
        period_or_counter,
    }
}

/// EXPECTED.md V1–V7. Steam (V7) is SHA-1, 5 characters, 30 s by definition; Twofold stores
/// it as `Kind::Steam` with the default digits (6), which Steam ignores.
#[rustfmt::skip]
const V: [Expected; 7] = [
    v("totp", "Deno", "Mason", "4SJHB4GSD43FZBAI7C2HLRJGPQ", Algorithm::Sha1, 6, 30),
    v("totp", "SPDX", "James", "5OM4WOOGPLQEF6UGN3CPEOOLWU", Algorithm::Sha256, 7, 20),
    v("totp", "Airbnb", "Elijah", "7ELGJSGXNCCTV3O6LKJWYFV2RA", Algorithm::Sha512, 8, 50),
    v("hotp", "Issuu", "James", "YOOMIXWS5GN6RTBPUFFWKTW5M4", Algorithm::Sha1, 6, 1),
    v("hotp", "Air Canada", "Benjamin", "KUVJJOM753IHTNDSZVCNKL7GII", Algorithm::Sha256, 7, 50),
    v("hotp", "WWE", "Mason", "5VAML3X35THCEBVRLV24CGBKOY", Algorithm::Sha512, 8, 10300),
    v("steam", "Boeing", "Sophia", "JRZCL47CMXVOQMNPZR2F7J4RGI", Algorithm::Sha1, 6, 30),
];

fn assert_account(a: &Account, e: &Expected) {
    let what = format!("{} ({})", e.issuer, e.name);
    assert_eq!(a.secret.to_base32().expose(), e.secret, "{what}: secret");
    assert_eq!(a.issuer, e.issuer, "{what}: issuer");
    assert_eq!(a.name, e.name, "{what}: name");
    assert_eq!(a.kind.name(), e.kind, "{what}: type");
    assert_eq!(a.algorithm, e.algorithm, "{what}: algorithm");
    assert_eq!(a.digits.get(), e.digits, "{what}: digits");
    match a.kind {
        Kind::Totp { period } => {
            assert_eq!(
                u64::from(period.seconds()),
                e.period_or_counter,
                "{what}: period"
            )
        }
        Kind::Hotp { counter } => assert_eq!(counter, e.period_or_counter, "{what}: counter"),
        Kind::Steam => {}
    }
    assert_eq!(
        (a.created_at, a.updated_at),
        (NOW, NOW),
        "{what}: timestamps"
    );
}

fn assert_v1_to_v7(accounts: &[Account]) {
    assert_eq!(accounts.len(), V.len(), "account count");
    for (a, e) in accounts.iter().zip(V.iter()) {
        assert_account(a, e);
    }
}

fn password(p: &str) -> SecretString {
    SecretString::from(p)
}

/// Detects the format, checks it is `id`, and imports with `pw`.
fn import_detected(input: &[u8], id: &str, pw: Option<&str>) -> formats::Imported {
    let pw = pw.map(password);
    let (importer, imported) =
        formats::import_any(input, None, pw.as_ref(), NOW).expect("the fixture imports");
    assert_eq!(importer.id(), id);
    assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
    imported
}

#[test]
fn stratum_plain_json() {
    let input = fixture("stratum_plain.json");
    let stratum = formats::importer("stratum").unwrap();
    assert!(!stratum.is_encrypted(&input).unwrap());
    assert_v1_to_v7(&import_detected(&input, "stratum", None).accounts);
}

#[test]
fn stratum_encrypted_argon2_gcm() {
    let input = fixture("stratum_encrypted.bin");
    let stratum = formats::importer("stratum").unwrap();
    assert!(stratum.is_encrypted(&input).unwrap());
    assert_v1_to_v7(&import_detected(&input, "stratum", Some("test")).accounts);
    assert_eq!(
        stratum.import(&input, Some(&password("tset")), NOW),
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
fn stratum_encrypted_legacy_pbkdf2_cbc() {
    let input = fixture("stratum_encrypted_legacy.bin");
    let stratum = formats::importer("stratum").unwrap();
    assert!(stratum.is_encrypted(&input).unwrap());
    assert_v1_to_v7(&import_detected(&input, "stratum", Some("test")).accounts);
    for wrong in ["tset", "", "test "] {
        assert_eq!(
            stratum.import(&input, Some(&password(wrong)), NOW),
            Err(FormatError::WrongPassword {
                format: stratum.name()
            }),
            "password {wrong:?}"
        );
    }
}

#[test]
fn stratum_truncations_are_errors() {
    let stratum = formats::importer("stratum").unwrap();
    let pw = password("test");
    // Plain JSON: every strict prefix is invalid JSON.
    let plain = fixture("stratum_plain.json");
    for len in (0..plain.len()).step_by(37) {
        assert!(
            stratum.import(&plain[..len], None, NOW).is_err(),
            "prefix {len}"
        );
    }
    // Legacy CBC: prefixes are too short, not block aligned, or fail the padding/JSON check.
    let legacy = fixture("stratum_encrypted_legacy.bin");
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
        let err = stratum.import(&legacy[..len], Some(&pw), NOW).unwrap_err();
        assert!(
            matches!(
                err,
                FormatError::Malformed { .. } | FormatError::WrongPassword { .. }
            ),
            "prefix {len}: {err:?}"
        );
    }
    // Current GCM: short prefixes are malformed, longer ones fail authentication.
    let gcm = fixture("stratum_encrypted.bin");
    for len in [16, 59] {
        assert!(matches!(
            stratum.import(&gcm[..len], Some(&pw), NOW),
            Err(FormatError::Malformed { .. })
        ));
    }
    assert!(matches!(
        stratum.import(&gcm[..gcm.len() - 1], Some(&pw), NOW),
        Err(FormatError::WrongPassword { .. })
    ));
}

#[test]
fn stratum_flipped_ciphertext_bit_is_detected() {
    let stratum = formats::importer("stratum").unwrap();
    let mut legacy = fixture("stratum_encrypted_legacy.bin");
    // Flip a bit in the first ciphertext block: the JSON start is destroyed.
    legacy[16 + 20 + 16] ^= 0x01;
    let err = stratum
        .import(&legacy, Some(&password("test")), NOW)
        .unwrap_err();
    assert!(
        matches!(
            err,
            FormatError::WrongPassword { .. } | FormatError::Malformed { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn steam_json_current_and_old() {
    for file in ["steam.json", "steam_old.json"] {
        let input = fixture(file);
        let steam = formats::importer("steam").unwrap();
        assert!(!steam.is_encrypted(&input).unwrap(), "{file}");
        let imported = import_detected(&input, "steam", None);
        assert_eq!(imported.accounts.len(), 1, "{file}");
        let a = &imported.accounts[0];
        // EXPECTED.md: V7 with issuer "Steam".
        let e = v(
            "steam",
            "Steam",
            "Sophia",
            V[6].secret,
            Algorithm::Sha1,
            6,
            30,
        );
        assert_account(a, &e);
    }
}

#[test]
fn steam_mafile() {
    // An SDA .maFile: the flat fields plus a session object.
    let mafile = br#"{"shared_secret":"THIl8+Jl6ugxr8x0X6eRMg==","serial_number":"1","revocation_code":"R1","uri":"otpauth://totp/Steam:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Steam","server_time":0,"account_name":"Sophia","token_gid":"1","identity_secret":"AAAA","secret_1":"AAAA","status":1,"device_id":"android:x","fully_enrolled":true,"Session":{"SessionID":"x","SteamID":7656}}"#;
    let imported = import_detected(mafile, "steam", None);
    let e = v(
        "steam",
        "Steam",
        "Sophia",
        V[6].secret,
        Algorithm::Sha1,
        6,
        30,
    );
    assert_account(&imported.accounts[0], &e);
}

#[test]
fn steam_truncations_are_errors() {
    let steam = formats::importer("steam").unwrap();
    let file = fixture("steam.json");
    // Without the final newline: the rest of the file is still the whole JSON.
    let input = file.trim_ascii_end();
    for len in 0..input.len() {
        assert!(
            steam.import(&input[..len], None, NOW).is_err(),
            "prefix {len}"
        );
        // Detection on a damaged file must not claim it (or panic).
        let _ = formats::detect(&input[..len]);
    }
}
