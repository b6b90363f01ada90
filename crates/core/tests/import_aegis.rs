//! The Aegis importer (`formats::aegis`, issue 5): plain and encrypted vault exports from
//! `../shared/fixtures/interop/aegis/` import to EXPECTED.md's V-set, groups become tags, a
//! hand-built db v3 keeps notes and favourites and skips what Twofold cannot read, and hostile
//! scrypt parameters, missing password slots and tampered databases give clear errors.

use twofold_core::formats::{self, FormatError};
use twofold_core::{Algorithm, Kind, SecretString};

use crate::util::{assert_accounts, fixture, fixture_text, import, import_ok, totp, v_set, NOW};

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn aegis_plain_json_is_v1_to_v7() {
    let imported = import_ok("aegis", "aegis/importers/aegis_plain.json", None);
    assert_accounts(&imported.accounts, &v_set(), "aegis_plain.json");
    // db v1 has no notes, favourites or groups; the file's order is kept.
    for (i, a) in imported.accounts.iter().enumerate() {
        assert!(a.notes.is_empty() && a.tags.is_empty() && !a.favourite);
        assert_eq!(a.order, i as i64);
    }
    let aegis = formats::importer("aegis").unwrap();
    assert!(!aegis
        .is_encrypted(&fixture("aegis/importers/aegis_plain.json"))
        .unwrap());
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn aegis_encrypted_json_opens_with_test() {
    let imported = import_ok(
        "aegis",
        "aegis/importers/aegis_encrypted.json",
        Some("test"),
    );
    assert_accounts(&imported.accounts, &v_set(), "aegis_encrypted.json");
    let aegis = formats::importer("aegis").unwrap();
    assert!(aegis
        .is_encrypted(&fixture("aegis/importers/aegis_encrypted.json"))
        .unwrap());
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn aegis_wrong_or_missing_password_is_refused() {
    assert_eq!(
        import(
            "aegis",
            "aegis/importers/aegis_encrypted.json",
            Some("tset")
        ),
        Err(FormatError::WrongPassword { format: "Aegis" })
    );
    assert_eq!(
        import("aegis", "aegis/importers/aegis_encrypted.json", None),
        Err(FormatError::PasswordRequired { format: "Aegis" })
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn aegis_plain_grouped_v2_groups_become_tags() {
    let imported = import_ok("aegis", "aegis/vault/aegis_plain_grouped_v2.json", None);
    assert_accounts(&imported.accounts, &v_set(), "aegis_plain_grouped_v2.json");
    let tags: Vec<(&str, Vec<&str>)> = imported
        .accounts
        .iter()
        .map(|a| {
            (
                a.issuer.as_str(),
                a.tags.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        tags,
        [
            ("Deno", vec!["group1"]),
            ("SPDX", vec![]),
            ("Airbnb", vec!["group1"]),
            ("Issuu", vec!["group2"]),
            ("Air Canada", vec![]),
            ("WWE", vec![]),
            ("Boeing", vec![]),
        ]
    );
}

/// A plain vault in the current format (db v3) built by hand: groups by uuid, notes,
/// favourites, and entries Twofold cannot read skipped with their reason.
#[test]
fn aegis_db_v3_reads_groups_notes_favourites_and_skips_bad_entries() {
    let vault = r#"{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,
      "groups":[{"uuid":"a","name":"Work"},{"uuid":"b","name":"Home"}],
      "entries":[
        {"type":"totp","uuid":"1","name":"alice","issuer":"ACME","note":"desk","favorite":true,
         "groups":["b","a","zz"],"icon":null,"info":{"secret":"GEZDGNBVGY3TQOJQ","algo":"SHA256","digits":8,"period":60}},
        {"type":"motp","uuid":"2","name":"m","issuer":"MOTP","info":{"secret":"abcd","algo":"MD5","digits":6,"period":10,"pin":"1234"}},
        {"type":"totp","uuid":"3","name":"bad","issuer":"Bad","info":{"secret":"!!","algo":"SHA1","digits":6,"period":30}},
        {"type":"totp","uuid":"4","name":"md5","issuer":"Md5","info":{"secret":"GEZDGNBVGY3TQOJQ","algo":"MD5","digits":6,"period":30}},
        {"type":"hotp","uuid":"5","name":"bob","issuer":"","info":{"secret":"GEZDGNBVGY3TQOJQ","digits":6,"counter":7}}
      ]}}"#;
    let aegis = formats::importer("aegis").unwrap();
    let imported = aegis.import(vault.as_bytes(), None, NOW).unwrap();
    assert_eq!(imported.accounts.len(), 2);
    let a = &imported.accounts[0];
    assert_eq!((a.issuer.as_str(), a.name.as_str()), ("ACME", "alice"));
    assert_eq!(
        a.tags,
        ["Home", "Work"],
        "group order kept, unknown uuid dropped"
    );
    assert_eq!(a.notes, "desk");
    assert!(a.favourite);
    assert_eq!(a.kind, totp(60));
    assert_eq!((a.algorithm, a.digits.get()), (Algorithm::Sha256, 8));
    assert_eq!(imported.accounts[1].kind, Kind::Hotp { counter: 7 });
    assert_eq!(imported.accounts[1].order, 1);
    let skipped: Vec<(usize, &str)> = imported
        .skipped
        .iter()
        .map(|s| (s.index, s.label.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [(1, "MOTP (m)"), (2, "Bad (bad)"), (3, "Md5 (md5)")]
    );
    assert!(imported.skipped[0].reason.contains("\"motp\""));
    assert!(imported.skipped[1].reason.starts_with("secret:"));
    assert!(imported.skipped[2].reason.contains("MD5"));
}

fn encrypted_with_slot(n: u64, r: u64, p: u64) -> String {
    let text = fixture_text("aegis/importers/aegis_encrypted.json");
    text.replace("\"n\": 32768", &format!("\"n\": {n}"))
        .replace("\"r\": 8", &format!("\"r\": {r}"))
        .replace("\"p\": 1,", &format!("\"p\": {p},"))
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn aegis_scrypt_parameters_are_bounded_before_the_kdf_runs() {
    let aegis = formats::importer("aegis").unwrap();
    let pw = SecretString::from("test");
    for (n, r, p) in [
        (1u64 << 21, 8, 1),
        (32768, 33, 1),
        (32768, 8, 17),
        (1 << 20, 16, 1),
    ] {
        let file = encrypted_with_slot(n, r, p);
        let started = std::time::Instant::now();
        let err = aegis.import(file.as_bytes(), Some(&pw), NOW).unwrap_err();
        assert!(
            matches!(err, FormatError::Limit { .. }),
            "{n} {r} {p}: {err}"
        );
        assert!(
            started.elapsed().as_millis() < 500,
            "{n} {r} {p}: the kdf ran"
        );
    }
    let err = aegis
        .import(encrypted_with_slot(1000, 8, 1).as_bytes(), Some(&pw), NOW)
        .unwrap_err();
    assert!(err.to_string().contains("power of two"), "{err}");
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn aegis_vault_without_password_slot_is_unsupported() {
    let text = fixture_text("aegis/importers/aegis_encrypted.json");
    let biometric = text.replace("\"type\": 1,", "\"type\": 2,");
    let err = formats::importer("aegis")
        .unwrap()
        .import(biometric.as_bytes(), Some(&SecretString::from("test")), NOW)
        .unwrap_err();
    assert!(matches!(err, FormatError::Unsupported { .. }), "{err}");
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn aegis_tampered_db_is_reported_as_damaged() {
    let text = fixture_text("aegis/importers/aegis_encrypted.json");
    let tampered = text.replacen("\"db\": \"R", "\"db\": \"S", 1);
    assert_ne!(tampered, text);
    let err = formats::importer("aegis")
        .unwrap()
        .import(tampered.as_bytes(), Some(&SecretString::from("test")), NOW)
        .unwrap_err();
    assert!(matches!(err, FormatError::Malformed { .. }), "{err}");
}
