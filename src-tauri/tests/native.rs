//! The webview is untrusted (issue 11 item 4; docs/reference/STYLE.md §11): a secret leaves the
//! vault only after a native confirmation raised by Rust that names the action, paths reach
//! commands only as tokens of a native chooser (or a drop), and non-regular files are refused.

use serde_json::json;

use crate::util::{id_of, tokens, Harness};

const PASSWORD: &str = "correct horse battery staple";

fn vault_with_one_account() -> (Harness, String) {
    let mut h = Harness::new();
    h.ok(
        "create_vault",
        json!({ "password": PASSWORD, "useKeychain": false }),
    );
    let scan = h.ok(
        "parse_uri",
        json!({ "uri": "otpauth://totp/Shop:alice?secret=JBSWY3DPEHPK3PXP&issuer=Shop" }),
    );
    let token = tokens(&scan)[0].clone();
    h.ok(
        "confirm_import",
        json!({ "decisions": [{ "token": token, "action": "add" }] }),
    );
    let accounts = h.ok("list_accounts", json!({}));
    let id = id_of(&accounts, "Shop");
    h.ok(
        "add_recovery_codes",
        json!({ "id": id, "text": "aaaa-1111\nbbbb-2222" }),
    );
    (h, id)
}

#[test]
fn secrets_are_shown_only_after_a_native_confirmation_naming_the_account() {
    let (mut h, id) = vault_with_one_account();
    for (cmd, args) in [
        ("reveal_secret", json!({ "id": id, "password": PASSWORD })),
        (
            "list_recovery_codes",
            json!({ "id": id, "password": PASSWORD }),
        ),
        (
            "show_transfer_qr",
            json!({ "vaultPassword": PASSWORD, "confirmPlain": true }),
        ),
    ] {
        h.dialogs.answer(false);
        assert_eq!(h.err_kind(cmd, args.clone()), "cancelled", "{cmd}");
        let shown = h.dialogs.shown();
        let last = shown.last().expect("a dialog was shown");
        assert!(
            last.contains("Shop (alice)") || last.contains("1 account"),
            "{cmd}: the dialog names what leaves: {last}"
        );
        // Confirmed, it goes through.
        assert!(h.call(cmd, args).is_ok(), "{cmd}");
    }
    // Without the vault password, no dialog is even shown.
    let before = h.dialogs.shown().len();
    assert_eq!(
        h.err_kind("list_recovery_codes", json!({ "id": id, "password": null })),
        "wrongPassword"
    );
    assert_eq!(h.dialogs.shown().len(), before);
}

#[test]
fn paths_come_only_from_native_choosers_and_must_be_regular_files() {
    let (mut h, _) = vault_with_one_account();
    // A cancelled chooser gives no token.
    let none = h.ok(
        "choose_path",
        json!({ "purpose": "importFile", "suggestedName": null }),
    );
    assert!(none.is_null(), "{none}");
    // A path, or a made-up token, is not accepted.
    for token in ["/etc/passwd", "0123456789abcdef0123456789abcdef"] {
        assert_eq!(
            h.err_kind(
                "read_import_file",
                json!({ "token": token, "password": null })
            ),
            "invalidInput",
            "{token}"
        );
    }
    assert_eq!(
        h.err_kind(
            "choose_path",
            json!({ "purpose": "anything", "suggestedName": null })
        ),
        "invalidInput"
    );
    // A FIFO chosen (or dropped) is refused at once instead of blocking the reader forever.
    let fifo = h.dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let token = h.pick("importFile", &fifo);
    let err = h
        .call(
            "read_import_file",
            json!({ "token": token, "password": null }),
        )
        .expect_err("refused");
    assert_eq!(err["kind"], "invalidInput");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a regular file")),
        "{err}"
    );
    let token = h.pick("imageFile", &fifo);
    assert_eq!(
        h.err_kind("scan_image_file", json!({ "token": token })),
        "invalidInput"
    );
}

#[test]
fn a_token_works_only_for_what_its_chooser_chose() {
    let (mut h, _) = vault_with_one_account();
    // A file the user chose to import from: the page cannot make it an export's destination
    // (which would write over the user's file after a confirmation that looks routine).
    let mine = h.dir.path().join("my-links.txt");
    let content = "otpauth://totp/Mine:me?secret=JBSWY3DPEHPK3PXP&issuer=Mine\n";
    std::fs::write(&mine, content).expect("write");
    let read = h.pick("importFile", &mine);
    let export = |token: &str| {
        json!({ "format": "twofold", "token": token, "password": "another long backup passphrase",
            "vaultPassword": PASSWORD, "confirmPlain": false })
    };
    assert_eq!(h.err_kind("export_vault", export(&read)), "invalidInput");
    assert_eq!(std::fs::read_to_string(&mine).expect("read"), content);
    // A folder is not a file to write or read, and an export's destination is not read back.
    let dir = h.dir.path().to_owned();
    let folder = h.pick("backupFolder", &dir);
    assert_eq!(h.err_kind("export_vault", export(&folder)), "invalidInput");
    let out = h.dir.path().join("out.age");
    let write = h.pick("exportFile", &out);
    assert_eq!(
        h.err_kind(
            "read_import_file",
            json!({ "token": write, "password": null })
        ),
        "invalidInput"
    );
    assert_eq!(
        h.err_kind(
            "set_auto_backup_folder",
            json!({ "token": read, "vaultPassword": PASSWORD })
        ),
        "invalidInput"
    );
    // The vault itself, chosen as an export's destination, is refused and left as it was.
    let vault = h.dir.path().join("vault.twofold");
    let before = std::fs::read(&vault).expect("read the vault");
    let over_vault = h.pick("exportFile", &vault);
    let err = h
        .call("export_vault", export(&over_vault))
        .expect_err("refused");
    assert_eq!(err["kind"], "invalidInput", "{err}");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("is the vault itself")),
        "{err}"
    );
    assert_eq!(std::fs::read(&vault).expect("read the vault"), before);
    // Each token still works for its own purpose.
    let preview = h.ok(
        "read_import_file",
        json!({ "token": read, "password": null }),
    );
    assert_eq!(
        preview["entries"].as_array().map(Vec::len),
        Some(1),
        "{preview}"
    );
}

#[test]
fn credential_changes_are_confirmed_natively_and_a_refusal_changes_nothing() {
    let (mut h, _) = vault_with_one_account();
    let vault = h.dir.path().join("vault.twofold");
    for (cmd, args, title) in [
        (
            "regenerate_recovery_key",
            json!({ "password": PASSWORD }),
            "New recovery key",
        ),
        (
            "set_password",
            json!({ "current": PASSWORD, "password": "a different long passphrase here" }),
            "Change the vault password",
        ),
    ] {
        let before = std::fs::read(&vault).expect("vault");
        h.dialogs.answer(false);
        assert_eq!(h.err_kind(cmd, args.clone()), "cancelled", "{cmd}");
        assert!(
            h.dialogs.shown().last().is_some_and(|d| d.contains(title)),
            "{cmd}: {:?}",
            h.dialogs.shown()
        );
        assert_eq!(std::fs::read(&vault).expect("vault"), before, "{cmd}");
        // Confirmed, it goes through and the file changes.
        h.ok(cmd, args);
        assert_ne!(std::fs::read(&vault).expect("vault"), before, "{cmd}");
    }
}

#[test]
fn automatic_backup_password_and_folder_are_confirmed_natively_and_a_refusal_changes_nothing() {
    // A webview that chose the automatic backups' password or folder could read every later
    // backup: both are confirmed in a native dialog naming the action (issue 11 item 4).
    let (mut h, _) = vault_with_one_account();
    let vault = h.dir.path().join("vault.twofold");
    let set_password = json!({ "password": "another long backup passphrase",
        "vaultPassword": PASSWORD });
    let before = std::fs::read(&vault).expect("vault");
    h.dialogs.answer(false);
    assert_eq!(
        h.err_kind("set_auto_backup_password", set_password.clone()),
        "cancelled"
    );
    assert!(
        h.dialogs
            .shown()
            .last()
            .is_some_and(|d| d.contains("Automatic backups") && d.contains("password")),
        "{:?}",
        h.dialogs.shown()
    );
    assert_eq!(std::fs::read(&vault).expect("vault"), before);
    assert_eq!(h.ok("auto_backup_status", json!({}))["hasPassword"], false);
    h.ok("set_auto_backup_password", set_password);
    assert_eq!(h.ok("auto_backup_status", json!({}))["hasPassword"], true);

    let folder = h.dir.path().join("backups");
    std::fs::create_dir(&folder).expect("mkdir");
    let token = h.pick("backupFolder", &folder);
    let set_folder = json!({ "token": token, "vaultPassword": PASSWORD });
    h.dialogs.answer(false);
    assert_eq!(
        h.err_kind("set_auto_backup_folder", set_folder.clone()),
        "cancelled"
    );
    assert!(
        h.dialogs
            .shown()
            .last()
            .is_some_and(|d| d.contains(&folder.display().to_string())),
        "the confirmation names the folder: {:?}",
        h.dialogs.shown()
    );
    assert_eq!(
        h.ok("auto_backup_status", json!({}))["dir"],
        serde_json::Value::Null
    );
    h.ok("set_auto_backup_folder", set_folder);
    assert_eq!(
        h.ok("auto_backup_status", json!({}))["dir"],
        folder.display().to_string()
    );
}
