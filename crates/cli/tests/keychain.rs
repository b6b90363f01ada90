//! With a real Secret Service (gnome-keyring in a private D-Bus session, started by
//! scripts/test.sh): `init` uses the keychain by default and nothing asks for a password.
//! These tests fail, never pass silently, when the service is absent.

use crate::util::{stderr, stdout, Sandbox, ACME_URI};

#[test]
#[ignore = "needs a Secret Service; run by scripts/test.sh"]
fn keychain_vault_needs_no_password() {
    let s = Sandbox::with_session_bus();
    let out = s.cmd().arg("init").output().unwrap();
    assert!(out.status.success(), "init failed: {}", stderr(&out));
    assert!(stderr(&out).contains("keychain"), "{}", stderr(&out));
    assert!(stderr(&out).contains("write this down"));
    let recovery = stdout(&out).trim().to_owned();
    assert!(!recovery.is_empty());

    let doctor = s.cmd().arg("doctor").output().unwrap();
    let report = stdout(&doctor);
    assert!(report.contains("unlocked by: keychain"), "{report}");
    assert!(report.contains(": working"), "{report}");
    assert!(
        report.contains("keychain key for this vault: present"),
        "{report}"
    );

    let out = s.cmd().args(["add", "--uri", ACME_URI]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s.cmd().args(["code", "acme", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let code: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let from = code["valid_from"].as_u64().unwrap();
    let expected = s
        .cmd()
        .args(["generate", "--uri", ACME_URI, "--at", &from.to_string()])
        .output()
        .unwrap();
    assert_eq!(
        format!("{}\n", code["code"].as_str().unwrap()),
        stdout(&expected)
    );

    let out = s.cmd().args(["list", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["issuer"], "ACME");

    // K1: a keychain-only vault still has its recovery key.
    let key_file = s.file("recovery", &recovery);
    let out = s
        .cmd()
        .arg("--recovery-key-file")
        .arg(&key_file)
        .arg("list")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // Adding a password keeps the keychain slot; --password then forces the password path.
    let pw = s.file("pw", "pw\n");
    let out = s
        .cmd()
        .args(["password", "set", "--new-password-file"])
        .arg(&pw)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    s.cmd().arg("list").assert().success();
    s.cmd()
        .arg("--password-file")
        .arg(&pw)
        .arg("--password")
        .arg("list")
        .assert()
        .success();
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test.sh"]
fn keychain_and_password_mode_needs_both() {
    let s = Sandbox::with_session_bus();
    let pw = s.file("pw", "secret words\n");
    let out = s
        .cmd()
        .arg("--password-file")
        .arg(&pw)
        .args(["init", "--keychain-and-password"])
        .output()
        .unwrap();
    assert!(out.status.success(), "init failed: {}", stderr(&out));
    s.cmd()
        .arg("--password-file")
        .arg(&pw)
        .args(["add", "--uri", ACME_URI])
        .assert()
        .success();
    let out = s.cmd().arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let wrong = s.file("wrong", "other words\n");
    let out = s
        .cmd()
        .arg("--password-file")
        .arg(&wrong)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test.sh"]
fn password_remove_on_keychain_and_password_leaves_a_keychain_vault() {
    // See: issue 11 item 6 (it dropped both slots and left a recovery-key-only vault).
    let s = Sandbox::with_session_bus();
    let pw = s.file("pw", "secret words\n");
    let with_pw = |args: &[&str]| {
        let out = s
            .cmd()
            .arg("--password-file")
            .arg(&pw)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    with_pw(&["init", "--keychain-and-password"]);
    with_pw(&["add", "--uri", ACME_URI]);
    with_pw(&["password", "remove"]);
    // The keychain alone opens it now, with no password.
    let out = s.cmd().args(["list", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ACME"));
    let doctor = s.cmd().arg("doctor").output().unwrap();
    let report = stdout(&doctor);
    assert!(
        report
            .lines()
            .any(|l| l.trim() == "unlocked by: keychain, recovery key"),
        "{report}"
    );
}
