//! Credential changes and rollbacks through the app (issue 11 items 1, 2, 5): the recovery key
//! is enough to set a new password or make a new recovery key; a credential change made by
//! another program locks the open app with a reason that says so; an older vault file put in
//! place is reported in the status and the newer copy can be taken back.

use serde_json::json;
use twofold_app::watch;

use crate::util::{id_of, tokens, Harness};

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "tulip orbit cascade walnut ferry";

fn add(h: &mut Harness, issuer: &str, secret: &str) {
    let scan = h.ok(
        "parse_uri",
        json!({ "uri": format!("otpauth://totp/{issuer}:me?secret={secret}&issuer={issuer}") }),
    );
    let token = tokens(&scan)[0].clone();
    h.ok(
        "confirm_import",
        json!({ "decisions": [{ "token": token, "action": "add" }] }),
    );
}

#[test]
fn the_recovery_key_is_enough_to_set_a_new_password_and_make_a_new_key() {
    // See: issue 11 item 5 (re-auth demanded the current password).
    let mut h = Harness::new();
    let created = h.ok(
        "create_vault",
        json!({ "password": PASSWORD, "useKeychain": false }),
    );
    let rk = created["recoveryKey"].as_str().expect("key").to_owned();
    h.ok("lock", json!({}));
    h.ok("unlock", json!({ "password": null, "recoveryKey": rk }));
    // A wrong credential is refused; the recovery key in the "current" field is accepted.
    assert_eq!(
        h.err_kind(
            "set_password",
            json!({ "current": "not it", "password": NEW_PASSWORD })
        ),
        "wrongPassword"
    );
    let change = h.ok(
        "set_password",
        json!({ "current": rk, "password": NEW_PASSWORD }),
    );
    assert_eq!(change["status"]["state"], "unlocked");
    assert!(change["recoveryKey"].is_null(), "{change}");
    let change = h.ok("regenerate_recovery_key", json!({ "password": rk }));
    let new_rk = change["recoveryKey"]
        .as_str()
        .expect("a new key")
        .to_owned();
    assert_ne!(new_rk, rk);
    h.ok("lock", json!({}));
    assert_eq!(
        h.err_kind("unlock", json!({ "password": null, "recoveryKey": rk })),
        "wrongPassword",
        "the old recovery key is revoked"
    );
    assert_eq!(
        h.err_kind(
            "unlock",
            json!({ "password": PASSWORD, "recoveryKey": null })
        ),
        "wrongPassword",
        "the old password is revoked"
    );
    h.ok(
        "unlock",
        json!({ "password": NEW_PASSWORD, "recoveryKey": null }),
    );
}

#[test]
fn a_rollback_is_reported_and_the_newer_copy_comes_back() {
    // See: issue 11 item 2.
    let mut h = Harness::new();
    h.ok(
        "create_vault",
        json!({ "password": PASSWORD, "useKeychain": false }),
    );
    for (i, s) in ["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"]
        .iter()
        .enumerate()
    {
        add(&mut h, &format!("Site{i}"), s);
    }
    assert!(h.ok("vault_status", json!({}))["rollback"].is_null());
    let vault = h.dir.path().join("vault.twofold");
    // A sync tool puts an older copy in place (two accounts fewer).
    let older = h.dir.path().join("vault.twofold.gen-2");
    std::fs::copy(&older, &vault).expect("copies");
    watch::tick(h.app.handle(), true);
    let status = h.ok("vault_status", json!({}));
    assert_eq!(status["state"], "unlocked", "{status}");
    assert_eq!(status["rollback"]["canRestore"], true, "{status}");
    assert_eq!(
        h.ok("list_accounts", json!({}))
            .as_array()
            .expect("list")
            .len(),
        1
    );
    // Nothing is saved on top of the older file until the user chooses.
    let before = std::fs::read(&vault).expect("vault");
    let scan = h.ok(
        "parse_uri",
        json!({ "uri": "otpauth://totp/Later:me?secret=ONSWG4TFOQ&issuer=Later" }),
    );
    let err = h
        .call(
            "confirm_import",
            json!({ "decisions": [{ "token": tokens(&scan)[0], "action": "add" }] }),
        )
        .expect_err("refused during a rollback");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("older than a copy")),
        "{err}"
    );
    assert_eq!(std::fs::read(&vault).expect("vault"), before);
    let status = h.ok("restore_newer_copy", json!({}));
    assert!(status["rollback"].is_null(), "{status}");
    let accounts = h.ok("list_accounts", json!({}));
    assert_eq!(accounts.as_array().expect("list").len(), 3);
    id_of(&accounts, "Site2");

    // Rolled back again, the user keeps the older file: edits save again.
    std::fs::copy(&older, &vault).expect("copies");
    watch::tick(h.app.handle(), true);
    assert!(!h.ok("vault_status", json!({}))["rollback"].is_null());
    let status = h.ok("keep_current_copy", json!({}));
    assert!(status["rollback"].is_null(), "{status}");
    add(&mut h, "Later", "ONSWG4TFOQ======");
    assert_eq!(
        h.ok("list_accounts", json!({}))
            .as_array()
            .expect("list")
            .len(),
        2
    );
    assert_eq!(h.err_kind("keep_current_copy", json!({})), "invalidInput");
}
