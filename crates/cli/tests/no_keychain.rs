//! Every vault command with no Secret Service (the session bus points at nothing): the
//! vault is protected by a password slot and a recovery key, never by a key file.

use serde_json::Value;

use crate::util::{assert_one_line_error, files_in, fixture, stderr, stdout, Sandbox, ACME_URI};

const PW: &str = "correct horse battery staple";

/// JBSWY3DPEHPK3PXP = hex 48656c6c6f21deadbeef; `oathtool --hotp -c N 48656c6c6f21deadbeef`.
const HOTP_CODES: [&str; 3] = ["282760", "996554", "602287"];

fn init(s: &Sandbox) -> String {
    let out = s.with_password(PW).arg("init").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("write this down"), "{}", stderr(&out));
    let key = stdout(&out);
    assert_eq!(key.lines().count(), 1, "{key}");
    assert!(key.trim().len() >= 26, "{key}");
    key.trim().to_owned()
}

fn json(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn init_without_password_fails_naming_how_to_give_one() {
    let s = Sandbox::new();
    let out = s.cmd().arg("init").output().unwrap();
    assert_one_line_error(&out, 4, "--password-file");
    assert!(stderr(&out).contains("TWOFOLD_PASSWORD"));
    assert!(stderr(&out).contains("keychain"));
    assert!(!s.vault().exists());
    assert_eq!(files_in(s.vault().parent().unwrap()), Vec::<String>::new());
}

#[test]
fn init_with_password_writes_no_key_file_and_refuses_to_overwrite() {
    let s = Sandbox::new();
    init(&s);
    let dir = s.vault().parent().unwrap().to_path_buf();
    for name in files_in(&dir) {
        assert!(
            name.starts_with("vault.twofold"),
            "unexpected file {name} in {dir:?}"
        );
    }
    let before = std::fs::read(s.vault()).unwrap();
    let out = s.with_password(PW).arg("init").output().unwrap();
    assert_one_line_error(&out, 1, "already exists");
    assert_eq!(std::fs::read(s.vault()).unwrap(), before);
    // TWOFOLD_PASSWORD works too, and the vault opens with it.
    let out = s
        .cmd()
        .env("TWOFOLD_PASSWORD", PW)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_eq!(json(&out), serde_json::json!([]));
}

#[test]
fn add_list_code_and_failures_change_nothing() {
    let s = Sandbox::new();
    init(&s);

    let out = s
        .with_password(PW)
        .args(["add", "--uri", ACME_URI])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("added ACME (alice)"),
        "{}",
        stdout(&out)
    );
    let out = s
        .with_password(PW)
        .args([
            "add",
            "--secret",
            "-",
            "--issuer",
            "GitHub",
            "--account",
            "bob",
        ])
        .args(["--type", "hotp", "--counter", "0", "--tag", "work"])
        .write_stdin("jbsw y3dp ehpk 3pxp\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // list --json: the documented schema, and never a secret.
    let out = s
        .with_password(PW)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        !text.contains("GEZDGNBV") && !text.to_lowercase().contains("jbswy3dp"),
        "{text}"
    );
    let list = json(&out);
    let accounts = list.as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    let acme = accounts.iter().find(|a| a["issuer"] == "ACME").unwrap();
    assert_eq!(acme["account"], "alice");
    assert_eq!(acme["type"], "totp");
    assert_eq!(acme["algorithm"], "SHA1");
    assert_eq!(acme["digits"], 8);
    assert_eq!(acme["period"], 30);
    assert!(acme["counter"].is_null());
    assert_eq!(acme["favourite"], false);
    assert_eq!(
        acme["recovery_codes"],
        serde_json::json!({"total": 0, "unused": 0})
    );
    let gh = accounts.iter().find(|a| a["issuer"] == "GitHub").unwrap();
    assert_eq!(gh["type"], "hotp");
    assert_eq!(gh["counter"], 0);
    assert_eq!(gh["tags"], serde_json::json!(["work"]));
    assert!(gh["id"].as_str().unwrap().len() >= 8);

    // code: TOTP equals what `generate` gives for the same time step.
    let out = s
        .with_password(PW)
        .args(["code", "acme", "--json"])
        .output()
        .unwrap();
    let code = json(&out);
    let from = code["valid_from"].as_u64().unwrap();
    assert_eq!(code["valid_until"].as_u64().unwrap(), from + 30);
    let expected = s
        .cmd()
        .args(["generate", "--uri", ACME_URI, "--at", &from.to_string()])
        .output()
        .unwrap();
    assert_eq!(
        format!("{}\n", code["code"].as_str().unwrap()),
        stdout(&expected)
    );
    let plain = s.with_password(PW).args(["code", "ACME"]).output().unwrap();
    assert_eq!(stdout(&plain).trim().len(), 8);

    // HOTP: each use advances the counter, and the advance is saved.
    for (i, want) in HOTP_CODES.iter().take(2).enumerate() {
        let out = s
            .with_password(PW)
            .args(["code", "github"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), format!("{want}\n"), "use {i}");
    }
    let out = s
        .with_password(PW)
        .args(["code", "github", "--next"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "--next");
    let list = json(
        &s.with_password(PW)
            .args(["list", "--json"])
            .output()
            .unwrap(),
    );
    let gh = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["issuer"] == "GitHub")
        .unwrap()
        .clone();
    assert_eq!(gh["counter"], 2);

    // Failures below must leave the vault byte for byte as it is.
    let before = std::fs::read(s.vault()).unwrap();

    let out = s
        .with_password("wrong password")
        .args(["list"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 4, "wrong password");
    let out = s.cmd().args(["list"]).output().unwrap();
    assert_one_line_error(&out, 4, "--password-file");

    let out = s
        .with_password(PW)
        .args(["add", "--uri", "otpauth://totp/Bad:x?secret=11111111"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "the URI: invalid secret");
    let out = s
        .with_password(PW)
        .args([
            "add",
            "--uri",
            "otpauth://totp/Bad:x?secret=JBSWY3DPEHPK3PXP&digits=12",
        ])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "digits");
    let out = s
        .with_password(PW)
        .args([
            "add",
            "--secret",
            "JBSWY3DPEHPK3PXP",
            "--issuer",
            "X",
            "--period",
            "0",
        ])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "period must be 1 to 86400 seconds, got 0");

    let out = s
        .with_password(PW)
        .args(["add", "--uri", ACME_URI])
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "ACME (alice)");

    let out = s
        .with_password(PW)
        .args(["code", "nothing-like-this"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 3, "no account matches");

    assert_eq!(
        std::fs::read(s.vault()).unwrap(),
        before,
        "a failed command changed the vault"
    );

    // Ambiguous: two accounts at the same issuer.
    let out = s
        .with_password(PW)
        .args([
            "add",
            "--secret",
            "JBSWY3DPEHPK3PXQ",
            "--issuer",
            "ACME",
            "--account",
            "carol",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s.with_password(PW).args(["code", "acme"]).output().unwrap();
    assert_one_line_error(&out, 3, "matches 2 accounts");
    let err = stderr(&out);
    assert!(
        err.contains("ACME (alice)") && err.contains("ACME (carol)"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // A more precise query picks one.
    let out = s
        .with_password(PW)
        .args(["code", "carol"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim().len(), 6);
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn google_authenticator_transfer_adds_every_account() {
    let s = Sandbox::new();
    init(&s);
    // EXPECTED.md: one URI with 4 TOTP accounts whose data= holds raw `+` and `/`.
    let path = fixture("extract_otp_secrets/test_plus_problem_export.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("otpauth-migration://"))
        .unwrap();
    let out = s
        .with_password(PW)
        .args(["add", "--uri", "-"])
        .write_stdin(line)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 4, "{}", stdout(&out));
    let list = json(
        &s.with_password(PW)
            .args(["list", "--json"])
            .output()
            .unwrap(),
    );
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert!(list.iter().all(|a| a["issuer"] == "SerenityLabs"));
    // Adding the same transfer again adds nothing and says so.
    let out = s
        .with_password(PW)
        .args(["add", "--uri", line])
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "already in the vault");
}

#[test]
fn recovery_codes_edit_and_remove() {
    let s = Sandbox::new();
    init(&s);
    let out = s
        .with_password(PW)
        .args([
            "add",
            "--secret",
            "JBSWY3DPEHPK3PXP",
            "--issuer",
            "GitHub",
            "--account",
            "bob",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = s
        .with_password(PW)
        .args(["recovery-codes", "add", "github", "aaaa-1111", "-"])
        .write_stdin("bbbb-2222\n\ncccc-3333\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("added 3 recovery codes"),
        "{}",
        stdout(&out)
    );

    let out = s
        .with_password(PW)
        .args(["recovery-codes", "use", "github", "BBBB 2222"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 unused left"), "{}", stdout(&out));
    let out = s
        .with_password(PW)
        .args(["recovery-codes", "use", "github", "3"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s
        .with_password(PW)
        .args(["recovery-codes", "use", "github", "bbbb-2222"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "already marked used");
    let out = s
        .with_password(PW)
        .args(["recovery-codes", "use", "github", "zzzz"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 3, "no such recovery code");

    let codes = json(
        &s.with_password(PW)
            .args(["recovery-codes", "list", "github", "--json"])
            .output()
            .unwrap(),
    );
    let codes = codes.as_array().unwrap();
    assert_eq!(codes.len(), 3);
    assert_eq!(codes[0]["code"], "aaaa-1111");
    assert_eq!(codes[0]["used"], false);
    assert_eq!(codes[1]["used"], true);
    assert!(codes[1]["used_at"].as_i64().unwrap() > 1_600_000_000);
    assert_eq!(codes[2]["used"], true);
    let list = json(
        &s.with_password(PW)
            .args(["list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        list[0]["recovery_codes"],
        serde_json::json!({"total": 3, "unused": 1})
    );

    // edit
    let out = s
        .with_password(PW)
        .args(["edit", "github"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "nothing to change");
    let out = s
        .with_password(PW)
        .args([
            "edit",
            "github",
            "--issuer",
            "GitLab",
            "--tag",
            "work",
            "--favourite",
            "true",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s
        .with_password(PW)
        .args(["edit", "gitlab", "--counter", "3"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "--counter applies to hotp accounts");
    let list = json(
        &s.with_password(PW)
            .args(["list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(list[0]["issuer"], "GitLab");
    assert_eq!(list[0]["account"], "bob");
    assert_eq!(list[0]["tags"], serde_json::json!(["work"]));
    assert_eq!(list[0]["favourite"], true);

    // remove
    let out = s
        .with_password(PW)
        .args(["remove", "gitlab"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "--yes");
    let out = s
        .with_password(PW)
        .args(["remove", "gitlab", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("removed GitLab (bob)"));
    let list = json(
        &s.with_password(PW)
            .args(["list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(list, serde_json::json!([]));
}

#[test]
fn password_and_recovery_key_management() {
    let s = Sandbox::new();
    let first_key = init(&s);
    let key_file = s.file("recovery-1", &format!("{first_key}\n"));
    s.with_password(PW)
        .args(["add", "--uri", ACME_URI])
        .assert()
        .success();

    // The recovery key from init opens the vault.
    let out = s
        .cmd()
        .arg("--recovery-key-file")
        .arg(&key_file)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_eq!(json(&out).as_array().unwrap().len(), 1);

    // Change the password.
    let new_pw = s.file("new-password", "a new password\n");
    let out = s
        .with_password(PW)
        .args(["password", "set", "--new-password-file"])
        .arg(&new_pw)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s.with_password(PW).arg("list").output().unwrap();
    assert_one_line_error(&out, 4, "wrong password");
    s.with_password("a new password")
        .arg("list")
        .assert()
        .success();

    // Regenerate the recovery key: the old one stops working, the new one works.
    let out = s
        .with_password("a new password")
        .arg("recovery-key")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("write this down"));
    let second_key = stdout(&out).trim().to_owned();
    assert_ne!(second_key, first_key);
    let out = s
        .cmd()
        .arg("--recovery-key-file")
        .arg(&key_file)
        .arg("list")
        .output()
        .unwrap();
    assert_one_line_error(&out, 4, "wrong");
    let key_file2 = s.file("recovery-2", &second_key);
    s.cmd()
        .arg("--recovery-key-file")
        .arg(&key_file2)
        .arg("list")
        .assert()
        .success();

    // Remove the password: the recovery key remains (K1), the password no longer opens it.
    let out = s
        .with_password("a new password")
        .args(["password", "remove"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s
        .with_password("a new password")
        .arg("list")
        .output()
        .unwrap();
    assert_one_line_error(&out, 4, "--recovery-key-file");
    let out = s
        .cmd()
        .arg("--recovery-key-file")
        .arg(&key_file2)
        .args(["code", "acme"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim().len(), 8);

    // doctor reports the path, the slots and the missing keychain.
    let out = s.cmd().arg("doctor").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.contains(&s.vault().display().to_string()),
        "{report}"
    );
    assert!(report.contains("unlocked by: recovery key"), "{report}");
    assert!(report.contains("keychain: unavailable"), "{report}");
}

#[test]
fn corrupt_vault_is_reported_and_left_alone() {
    let s = Sandbox::new();
    init(&s);
    let mut bytes = std::fs::read(s.vault()).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(s.vault(), &bytes).unwrap();
    let out = s
        .with_password(PW)
        .args(["add", "--uri", ACME_URI])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("twofold-cli: error: "));
    assert_eq!(std::fs::read(s.vault()).unwrap(), bytes);

    // Not a vault at all.
    std::fs::write(s.vault(), b"hello").unwrap();
    let out = s.with_password(PW).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert_eq!(std::fs::read(s.vault()).unwrap(), b"hello");
    let out = s.cmd().arg("doctor").output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stdout(&out).contains("vault status: unreadable"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn copy_without_a_clipboard_fails_before_using_a_hotp_code() {
    let s = Sandbox::new();
    init(&s);
    s.with_password(PW)
        .args([
            "add",
            "--secret",
            "JBSWY3DPEHPK3PXP",
            "--issuer",
            "GitHub",
            "--type",
            "hotp",
        ])
        .assert()
        .success();
    let before = std::fs::read(s.vault()).unwrap();
    // No DISPLAY and no WAYLAND_DISPLAY in the sandbox environment.
    let out = s
        .with_password(PW)
        .args(["code", "github", "--copy"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "clipboard unavailable");
    assert_eq!(
        std::fs::read(s.vault()).unwrap(),
        before,
        "the counter moved"
    );
}

#[test]
fn completions_are_generated() {
    let s = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = s.cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(text.contains("recovery-codes"), "{shell}");
        assert!(
            !text.contains("__hold-clipboard"),
            "{shell} completes the hidden command"
        );
    }
}
