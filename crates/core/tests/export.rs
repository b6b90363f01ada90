//! Exports read back by the importers (issue 5): Aegis (plain and encrypted), otpauth URI
//! lists and Google Authenticator QR PNGs round-trip arbitrary accounts (property tests), and
//! what Google's transfer format cannot hold is refused. The Python and zxing-cpp checks of
//! the same exports are in `interop_tools.rs`.
//!
//! `export.proptest-regressions` beside this file holds the cases proptest once shrank to;
//! they replay before any new case.

use proptest::prelude::*;
use twofold_core::formats::{self, google, FormatError};
use twofold_core::{Account, Digits, Kind, SecretBytes, SecretString};

use crate::util::{arb_export_account, export_one, totp, NOW};

fn arb_accounts(max: usize) -> impl Strategy<Value = Vec<Account>> {
    proptest::collection::vec(arb_export_account(), 0..max).prop_map(|mut v| {
        for (i, a) in v.iter_mut().enumerate() {
            a.order = i as i64;
        }
        v
    })
}

/// What every format keeps: the token and its label.
fn same_token_and_label(back: &Account, orig: &Account) -> Result<(), TestCaseError> {
    prop_assert_eq!(&back.issuer, &orig.issuer);
    prop_assert_eq!(&back.name, &orig.name);
    prop_assert_eq!(&back.secret, &orig.secret);
    prop_assert_eq!(back.kind, orig.kind);
    prop_assert_eq!(back.algorithm, orig.algorithm);
    prop_assert_eq!(back.digits, orig.digits);
    prop_assert_eq!(back.created_at, NOW);
    Ok(())
}

fn aegis_round_trip(
    accounts: &[Account],
    password: Option<&SecretString>,
) -> Result<(), TestCaseError> {
    let id = if password.is_some() {
        "aegis"
    } else {
        "aegis-plain"
    };
    let bytes = export_one(id, accounts, password);
    prop_assert_eq!(formats::detect(&bytes).map(|i| i.id()), Ok("aegis"));
    let back = formats::importer("aegis")
        .unwrap()
        .import(&bytes, password, NOW)
        .unwrap();
    prop_assert!(back.skipped.is_empty(), "{:?}", back.skipped);
    prop_assert_eq!(back.accounts.len(), accounts.len());
    for (b, a) in back.accounts.iter().zip(accounts) {
        same_token_and_label(b, a)?;
        // Aegis keeps notes, groups (as tags), favourite and the order; it loses (declared)
        // recovery codes, icon hints and dates.
        prop_assert_eq!(&b.notes, &a.notes);
        prop_assert_eq!(&b.tags, &a.tags);
        prop_assert_eq!(b.favourite, a.favourite);
        prop_assert_eq!(b.order, a.order);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn aegis_plain_export_round_trips(accounts in arb_accounts(12)) {
        aegis_round_trip(&accounts, None)?;
    }

    #[test]
    fn uris_export_round_trips(accounts in arb_accounts(12)) {
        let bytes = export_one("uris", &accounts, None);
        if accounts.is_empty() {
            prop_assert!(bytes.is_empty());
            return Ok(());
        }
        prop_assert_eq!(formats::detect(&bytes).map(|i| i.id()), Ok("uris"));
        let back = formats::importer("uris").unwrap().import(&bytes, None, NOW).unwrap();
        prop_assert!(back.skipped.is_empty(), "{:?}", back.skipped);
        prop_assert_eq!(back.accounts.len(), accounts.len());
        for (b, a) in back.accounts.iter().zip(&accounts) {
            same_token_and_label(b, a)?;
            prop_assert_eq!(b.order, a.order);
        }
    }
}

proptest! {
    // scrypt N=2^15 twice per case.
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn aegis_encrypted_export_round_trips(accounts in arb_accounts(8), pw in "\\PC{1,12}") {
        aegis_round_trip(&accounts, Some(&SecretString::from(pw.as_str())))?;
    }
}

/// Accounts Google Authenticator can hold: 30 s TOTP or HOTP up to `i64::MAX`, 6 or 8 digits.
fn arb_google_accounts() -> impl Strategy<Value = Vec<Account>> {
    proptest::collection::vec(
        (arb_export_account(), any::<bool>(), 0..=i64::MAX as u64),
        1..24,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(mut a, hotp, counter)| {
                a.kind = if hotp {
                    Kind::Hotp { counter }
                } else {
                    totp(30)
                };
                if a.digits.get() == 7 {
                    a.digits = Digits::EIGHT;
                }
                a
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    #[test]
    fn google_qr_export_round_trips(accounts in arb_google_accounts()) {
        let files = formats::exporter("google-qr").unwrap().export(&accounts, None, NOW).unwrap();
        let batches = accounts.len().div_ceil(10);
        prop_assert_eq!(files.len(), batches);
        let mut back = Vec::new();
        for (i, file) in files.iter().enumerate() {
            let suffix = if batches == 1 { ".png".to_owned() } else { format!("-{}.png", i + 1) };
            prop_assert_eq!(&file.suffix, &suffix);
            prop_assert_eq!(formats::detect(&file.bytes).map(|i| i.id()), Ok("google"));
            let imported = formats::importer("google").unwrap().import(&file.bytes, None, NOW).unwrap();
            prop_assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
            if batches > 1 {
                // One file alone: every other batch is reported missing.
                prop_assert_eq!(imported.warnings.len(), batches - 1);
            }
            back.extend(imported.accounts);
        }
        prop_assert_eq!(back.len(), accounts.len());
        for (b, a) in back.iter().zip(&accounts) {
            same_token_and_label(b, a)?;
        }
    }
}

#[test]
fn google_export_refuses_what_google_authenticator_cannot_hold() {
    let mut steam = Account::new(
        "Valve",
        "gaben",
        SecretBytes::new(vec![1; 10]),
        Kind::Steam,
        0,
    );
    steam.id = twofold_core::AccountId("x".into());
    let err = google::payloads(&[steam]).unwrap_err();
    assert!(
        matches!(&err, FormatError::Export { reason, .. } if reason.contains("Valve (gaben)")),
        "{err}"
    );
    let odd = Account::new("A", "b", SecretBytes::new(vec![1; 10]), totp(60), 0);
    assert!(google::payloads(&[odd]).is_err());
    assert!(google::payloads(&[]).is_err());
}
