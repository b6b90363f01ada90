//! The app's import paths follow core's one set of rules (issue 10 §2): pasted links and files
//! merge through `merge` (the Replace rule keeps what the input cannot carry and never rewinds
//! an HOTP counter), recovery codes split by `recovery::parse`, and the password meter asks
//! `strength` (the shared table `tests/fixtures/strength.json`).

use serde_json::{json, Value};

use crate::util::{id_of, tokens, Harness};

const PASSWORD: &str = "correct horse battery staple";
const SECRET: &str = "JBSWY3DPEHPK3PXP";

fn created() -> Harness {
    let mut h = Harness::new();
    h.ok(
        "create_vault",
        json!({ "password": PASSWORD, "useKeychain": false }),
    );
    h
}

fn account(h: &mut Harness, issuer: &str) -> Value {
    let accounts = h.ok("list_accounts", json!({}));
    let id = id_of(&accounts, issuer);
    accounts
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["id"] == id.as_str())
        .expect("the account")
        .clone()
}

/// Adds `uri` through the paste path with `action` for its one candidate.
fn paste(h: &mut Harness, uri: &str, action: &str) -> Value {
    let scan = h.ok("parse_uri", json!({ "uri": uri }));
    let token = tokens(&scan)[0].clone();
    h.ok(
        "confirm_import",
        json!({ "decisions": [{ "token": token, "action": action }] }),
    )
}

/// See: issue 10 §2. The pasted-link path merged by hand and let a rewound HOTP counter win.
#[test]
fn issue_10_pasted_link_with_a_lower_hotp_counter_keeps_the_higher_one() {
    let mut h = created();
    paste(
        &mut h,
        &format!("otpauth://hotp/Bank:me?secret={SECRET}&issuer=Bank&counter=50"),
        "add",
    );
    let id = account(&mut h, "Bank")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    h.ok(
        "add_recovery_codes",
        json!({ "id": id, "text": "1234 5678\n2345 6789" }),
    );
    h.ok(
        "update_account",
        json!({ "id": id, "patch": { "notes": "branch code 42" } }),
    );

    let scan = h.ok(
        "parse_uri",
        json!({ "uri": format!("otpauth://hotp/Bank%20Ltd:me?secret={SECRET}&issuer=Bank%20Ltd&counter=10") }),
    );
    assert_eq!(scan["candidates"][0]["duplicateOf"], id.as_str());
    let token = tokens(&scan)[0].clone();
    let outcome = h.ok(
        "confirm_import",
        json!({ "decisions": [{ "token": token, "action": "replace" }] }),
    );
    assert_eq!(outcome["replaced"], 1, "{outcome}");
    let a = account(&mut h, "Bank Ltd");
    assert_eq!(a["id"], id.as_str(), "the account stays where it was");
    assert_eq!(
        a["counter"], 50,
        "a rewound counter would repeat used codes"
    );
    assert_eq!(a["recoveryCodesTotal"], 2, "{a}");
    assert_eq!(a["notes"], "branch code 42");

    // "Add" of an account the vault already has keeps the vault's.
    let outcome = paste(
        &mut h,
        &format!("otpauth://hotp/Other:me?secret={SECRET}&counter=0"),
        "add",
    );
    assert_eq!(
        (outcome["added"].as_u64(), outcome["skipped"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(account(&mut h, "Bank Ltd")["counter"], 50);
}

/// See: issue 10 §2. The app split "1234 5678" into two codes; the CLI kept one.
#[test]
fn pasted_recovery_codes_split_by_cores_rule() {
    let mut h = created();
    paste(
        &mut h,
        &format!("otpauth://totp/Mail:me?secret={SECRET}&issuer=Mail"),
        "add",
    );
    let id = account(&mut h, "Mail")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let view = h.ok(
        "add_recovery_codes",
        json!({ "id": id, "text": "1234 5678\nabcd-efgh, ijkl-mnop" }),
    );
    assert_eq!(view["recoveryCodesTotal"], 3, "{view}");
    let codes = h.ok(
        "list_recovery_codes",
        json!({ "id": id, "password": PASSWORD }),
    );
    assert_eq!(codes[0]["code"], "1234 5678");
    // Core's field limits: a code over 256 bytes is refused, nothing is stored.
    let long = "x".repeat(300);
    assert_eq!(
        h.err_kind("add_recovery_codes", json!({ "id": id, "text": long })),
        "invalidInput"
    );
    assert_eq!(account(&mut h, "Mail")["recoveryCodesTotal"], 3);
    let many: Vec<String> = (0..65).map(|i| format!("tag{i}")).collect();
    assert_eq!(
        h.err_kind(
            "update_account",
            json!({ "id": id, "patch": { "tags": many } })
        ),
        "invalidInput"
    );
}

/// A file import with "replace" keeps what the file cannot carry, as the CLI's does.
#[test]
fn file_import_replace_keeps_recovery_codes_and_notes() {
    let mut h = created();
    paste(
        &mut h,
        &format!("otpauth://totp/Shop:me?secret={SECRET}&issuer=Shop"),
        "add",
    );
    let id = account(&mut h, "Shop")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    h.ok(
        "add_recovery_codes",
        json!({ "id": id, "text": "aaaa\nbbbb" }),
    );
    h.ok(
        "update_account",
        json!({ "id": id, "patch": { "notes": "n", "tags": ["a"] } }),
    );
    let file = h.dir.path().join("links.txt");
    std::fs::write(
        &file,
        format!("otpauth://totp/Shop%20Two:me?secret={SECRET}&issuer=Shop%20Two\n"),
    )
    .expect("writes");
    let token = h.pick("importFile", &file);
    let preview = h.ok(
        "read_import_file",
        json!({ "token": token, "password": null }),
    );
    assert_eq!(preview["entries"][0]["duplicateOf"], id.as_str());
    let outcome = h.ok(
        "confirm_file_import",
        json!({ "importId": preview["importId"], "onDuplicate": "replace", "exclude": [] }),
    );
    assert_eq!(outcome["replaced"], 1, "{outcome}");
    let a = account(&mut h, "Shop Two");
    assert_eq!(
        (a["recoveryCodesTotal"].as_u64(), a["notes"].as_str()),
        (Some(2), Some("n"))
    );
    assert_eq!(a["tags"], json!(["a"]));
}

/// The meter and the export agree: the shared table, through IPC.
#[test]
fn password_strength_follows_the_shared_table() {
    let mut h = Harness::new();
    let table: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/strength.json"
    )))
    .expect("the table parses");
    for case in table["cases"].as_array().expect("cases") {
        let pw = case["password"].as_str().expect("password");
        let got = h.ok("password_strength", json!({ "password": pw }));
        assert_eq!(got["accepted"], case["accepted"], "{pw:?}: {got}");
        assert!(got["score"].as_u64().expect("score") <= 4);
    }
}
