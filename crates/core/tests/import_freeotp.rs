//! The FreeOTP family's importers (`formats::freeotp`, issue 5): FreeOTP+ JSON and internal
//! XML, FreeOTP 1.x `tokens.xml` and FreeOTP 2 backups from
//! `../shared/fixtures/interop/aegis/importers/` import to the accounts EXPECTED.md lists; a
//! hostile PBKDF2 iteration count is refused before any work.

use twofold_core::formats::{self, FormatError};
use twofold_core::Kind;

use crate::util::{
    assert_accounts_any_order, assert_wrong_password, check, fixture, hotp, import_ok, pw, v, vs,
    Expected, NOW,
};

/// FreeOTP's HOTP counters read `vector − 1` (EXPECTED.md): the stored value is kept as is.
fn freeotp_expected(ns: &[usize]) -> Vec<Expected> {
    ns.iter()
        .map(|&n| {
            let e = v(n);
            match e.kind {
                Kind::Hotp { counter } => Expected {
                    kind: hotp(counter - 1),
                    ..e
                },
                _ => e,
            }
        })
        .collect()
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn freeotp_plus_json() {
    let path = "aegis/importers/freeotp_plus.json";
    check(
        "freeotp-plus",
        path,
        None,
        &freeotp_expected(&[1, 2, 3, 4, 5, 6]),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn freeotp_plus_internal_xml() {
    let path = "aegis/importers/freeotp_plus_internal.xml";
    check(
        "freeotp-plus",
        path,
        None,
        &freeotp_expected(&[1, 2, 3, 4, 5, 6]),
    );
}

/// FreeOTP 1.x `tokens.xml`: 4 tokens, in the file's `tokenOrder`.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn freeotp1_tokens_xml() {
    let path = "aegis/importers/freeotp.xml";
    check("freeotp-plus", path, None, &freeotp_expected(&[6, 3, 1, 4]));
    let imported = import_ok("freeotp-plus", path, None);
    let issuers: Vec<&str> = imported
        .accounts
        .iter()
        .map(|a| a.issuer.as_str())
        .collect();
    assert_eq!(issuers, ["WWE", "Issuu", "Airbnb", "Deno"]);
    // `--from freeotp2` on this file works too.
    let again = import_ok("freeotp2", path, None);
    assert_accounts_any_order(&again.accounts, &freeotp_expected(&[6, 3, 1, 4]), path);
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn freeotp2_backups() {
    for api in ["23", "25", "27", "34"] {
        let path = format!("aegis/importers/freeotp_v2_api{api}.xml");
        check("freeotp2", &path, Some("test"), &vs(&[1, 2, 3, 4, 5, 6]));
    }
    assert_wrong_password("freeotp2", "aegis/importers/freeotp_v2_api23.xml");
    assert_wrong_password("freeotp2", "aegis/importers/freeotp_v2_api34.xml");
}

/// Token metadata without `algo`, `digits` and `period`: the defaults.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn freeotp2_null_algo() {
    let path = "aegis/importers/freeotp_v2_null_algo.xml";
    check("freeotp2", path, Some("test"), &vs(&[1]));
}

/// A FreeOTP 2 backup asking for 10 million PBKDF2 rounds is refused before any work.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn freeotp2_iteration_bound() {
    let mut bytes = fixture("aegis/importers/freeotp_v2_null_algo.xml");
    let find = |bytes: &[u8], needle: &[u8]| {
        bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("needle in fixture")
    };
    // The masterKey value is a TC_STRING: u16 length, then the JSON.
    let start = find(&bytes, b"{\"mAlgorithm\"");
    let len = u16::from_be_bytes([bytes[start - 2], bytes[start - 1]]) + 2;
    bytes[start - 2..start].copy_from_slice(&len.to_be_bytes());
    let at = find(&bytes, b"\"mIterations\":100000") + b"\"mIterations\":100000".len();
    bytes.splice(at..at, *b"00");
    let started = std::time::Instant::now();
    let err = formats::importer("freeotp2")
        .unwrap()
        .import(&bytes, Some(&pw("test")), NOW)
        .unwrap_err();
    assert!(matches!(err, FormatError::Limit { .. }), "{err}");
    assert!(err.to_string().contains("10000000"), "{err}");
    assert!(started.elapsed().as_secs() < 2, "the KDF ran");
}
