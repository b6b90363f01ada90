//! The otpauth URI list importer (`formats::uris`, issue 5): Aegis' `plain.txt`, Ente Auth's
//! export with its `codeDisplay` parameter and scito's `url_list_output.txt` import to the
//! accounts EXPECTED.md lists; bad lines are skipped with their index and reason.

use twofold_core::formats::{self, FormatError};

use crate::util::{
    assert_accounts, assert_accounts_any_order, import_ok, scito_rows, v_set, Expected, NOW,
};

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn aegis_plain_txt_is_v1_to_v7() {
    let imported = import_ok("uris", "aegis/importers/plain.txt", None);
    assert_accounts(&imported.accounts, &v_set(), "plain.txt");
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn ente_auth_txt_is_v1_to_v7() {
    let imported = import_ok("uris", "aegis/importers/ente_auth.txt", None);
    assert_accounts_any_order(&imported.accounts, &v_set(), "ente_auth.txt");
    // codeDisplay says pinned: false and tags: [] for every line.
    assert!(imported
        .accounts
        .iter()
        .all(|a| !a.favourite && a.tags.is_empty()));
}

#[test]
fn ente_code_display_gives_favourite_and_tags() {
    let line = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQ&issuer=ACME&codeDisplay=%7B%22pinned%22%3Atrue%2C%22trashed%22%3Afalse%2C%22tags%22%3A%5B%22Work%22%2C%22Bank%22%5D%7D\n";
    let imported = formats::importer("uris")
        .unwrap()
        .import(line.as_bytes(), None, NOW)
        .unwrap();
    assert!(imported.accounts[0].favourite);
    assert_eq!(imported.accounts[0].tags, ["Work", "Bank"]);
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn scito_url_list_output() {
    let imported = import_ok("uris", "extract_otp_secrets/url_list_output.txt", None);
    let mut rows = scito_rows();
    // The label `encoding%3A%20…` has no issuer parameter, so uri.rs splits it at the encoded
    // colon (formats.md §1 LABEL ABNF); scito keeps it whole as a name.
    rows[5] = Expected {
        issuer: "encoding".into(),
        name: "¿äÄéÉ? (demo)".into(),
        ..rows[5].clone()
    };
    assert_accounts(&imported.accounts, &rows, "url_list_output.txt");
}

#[test]
fn uri_list_skips_bad_lines_with_their_index_and_reason() {
    let text = "# a comment\n\notpauth://totp/A:a?secret=GEZDGNBVGY3TQOJQ\notpauth://yandex/Y:y?secret=GEZDGNBVGY3TQOJQ\nhello\notpauth://hotp/B:b?secret=GEZDGNBVGY3TQOJQ&counter=3\n";
    let imported = formats::importer("uris")
        .unwrap()
        .import(text.as_bytes(), None, NOW)
        .unwrap();
    assert_eq!(imported.accounts.len(), 2);
    assert_eq!(imported.accounts[1].order, 1);
    let skipped: Vec<usize> = imported.skipped.iter().map(|s| s.index).collect();
    assert_eq!(skipped, [3, 4]);
    assert!(imported.skipped[0]
        .reason
        .starts_with("line 4: unsupported otp type"));
    assert!(imported.skipped[1]
        .reason
        .contains("expected an otpauth://"));
    assert_eq!(imported.skipped[0].label, "Y:y");
}

#[test]
fn uri_list_with_no_readable_line_is_an_error() {
    let err = formats::importer("uris")
        .unwrap()
        .import(b"otpauth://totp/A?issuer=x\n", None, NOW)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "damaged otpauth URI list file: line 1: missing secret parameter"
    );
    let err = formats::importer("uris")
        .unwrap()
        .import(b"# nothing\n\n", None, NOW)
        .unwrap_err();
    assert!(matches!(err, FormatError::Unrecognized { .. }), "{err}");
    let err = formats::importer("uris")
        .unwrap()
        .import(b"\xff\xfe", None, NOW)
        .unwrap_err();
    assert!(matches!(err, FormatError::Malformed { .. }), "{err}");
}
