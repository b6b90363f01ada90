//! The Proton Authenticator importer (`formats::proton`, issue 5): its plain JSON export
//! imports to V1–V3 of EXPECTED.md, the name comes from the entry's content, and entries
//! without a usable URI are skipped with their reason.

use twofold_core::formats;

use crate::util::{assert_accounts, import_ok, v_set, NOW};

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn proton_authenticator_json_is_v1_to_v3() {
    let imported = import_ok("proton", "aegis/importers/proton_authenticator.json", None);
    assert_accounts(
        &imported.accounts,
        &v_set()[..3],
        "proton_authenticator.json",
    );
}

#[test]
fn proton_name_comes_from_content_and_bad_entries_are_skipped() {
    let json = r#"{"version":1,"entries":[
      {"id":"1","content":{"uri":"otpauth://totp/ACME:old?secret=GEZDGNBVGY3TQOJQ&issuer=ACME","entry_type":"Totp","name":"renamed"},"note":"n"},
      {"id":"2","content":{"uri":"otpauth://totp/X:y?issuer=X","entry_type":"Totp","name":"broken"},"note":null},
      {"id":"3","content":{"entry_type":"Totp","name":"nouri"}}
    ]}"#;
    let proton = formats::importer("proton").unwrap();
    let imported = proton.import(json.as_bytes(), None, NOW).unwrap();
    assert_eq!(imported.accounts.len(), 1);
    assert_eq!(imported.accounts[0].name, "renamed");
    assert_eq!(imported.accounts[0].issuer, "ACME");
    assert_eq!(imported.accounts[0].notes, "n");
    let skipped: Vec<(usize, &str)> = imported
        .skipped
        .iter()
        .map(|s| (s.index, s.label.as_str()))
        .collect();
    assert_eq!(skipped, [(1, "broken"), (2, "nouri")]);
    assert_eq!(imported.skipped[0].reason, "missing secret parameter");
    assert!(imported.skipped[1].reason.contains("missing field `uri`"));
}
