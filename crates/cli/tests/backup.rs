//! `backup verify` and backup passwords end to end (docs/backup.md): a backup matches the
//! vault until it changes, backup passwords are asked on a terminal apart from the vault
//! password, and the Debian `age` binary opens a backup the CLI wrote.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{
    assert_one_line_error, cli_bin, fixture, import, init, list, ok, on_pty, stdout,
    v_set_uri_list, Sandbox, AEGIS_SECRET, PW, V,
};

/// A vault of V1–V7 in `s` and its Twofold backup `name`, encrypted with `password`: the
/// password file and the backup.
fn v_set_backup(s: &Sandbox, password: &str, name: &str) -> (PathBuf, PathBuf) {
    init(s);
    ok(&import(s, &v_set_uri_list(s), &[]));
    let bpw = s.file("backup-pw", &format!("{password}\n"));
    let backup = s.dir.path().join(name);
    ok(&s
        .with_password(PW)
        .args(["export", "--format", "twofold", "--backup-password-file"])
        .arg(&bpw)
        .arg("--out")
        .arg(&backup)
        .output()
        .unwrap());
    (bpw, backup)
}

#[test]
fn backup_verify_matches_then_reports_a_removed_account() {
    let s = Sandbox::new();
    let (bpw, backup) = v_set_backup(&s, "a long backup passphrase", "vault-backup.age");
    let verify = |extra: &[&str]| {
        s.with_password(PW)
            .args(["backup", "verify"])
            .arg(&backup)
            .arg("--backup-password-file")
            .arg(&bpw)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = verify(&[]);
    assert_eq!(ok(&out), "backup matches the vault: 7 accounts\n");

    ok(&s
        .with_password(PW)
        .args(["remove", "deno", "--yes"])
        .output()
        .unwrap());
    // Using an HOTP code moves its counter on: the backup is now behind.
    ok(&s
        .with_password(PW)
        .args(["code", "issuu"])
        .output()
        .unwrap());
    let out = verify(&[]);
    assert_one_line_error(&out, 7, "does not match the vault: 2 differences");
    let text = stdout(&out);
    assert!(text.contains("not in the vault: Deno (Mason)"), "{text}");
    assert!(text.contains("differs: Issuu (James): counter"), "{text}");
    assert!(!text.contains(AEGIS_SECRET), "{text}");
    let out = verify(&["--json"]);
    assert_eq!(out.status.code(), Some(7));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], false);
    assert_eq!(v["backup_accounts"], 7);
    assert_eq!(v["vault_accounts"], 6);
    assert_eq!(v["differences"].as_array().unwrap().len(), 2, "{v}");

    // Wrong password: exit 4; none at all (no terminal): exit 4 naming the ways to give it.
    let wrong = s.file("wrong", "nope\n");
    let out = s
        .with_password(PW)
        .args(["backup", "verify"])
        .arg(&backup)
        .arg("--backup-password-file")
        .arg(&wrong)
        .output()
        .unwrap();
    assert_one_line_error(&out, 4, "wrong password");
    let out = s
        .with_password(PW)
        .args(["backup", "verify"])
        .arg(&backup)
        .output()
        .unwrap();
    assert_one_line_error(&out, 4, "TWOFOLD_BACKUP_PASSWORD");
}

/// Another app's file is not a backup, and no password is asked for it.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn backup_verify_refuses_another_apps_file() {
    let s = Sandbox::new();
    init(&s);
    ok(&import(&s, &v_set_uri_list(&s), &[]));
    let out = s
        .with_password(PW)
        .args(["backup", "verify"])
        .arg(fixture("aegis/importers/aegis_encrypted.json"))
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "not a Twofold backup");
}

/// Importing an encrypted file asks for its password, not the vault's, on a terminal.
#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn backup_passwords_are_asked_on_a_terminal_apart_from_the_vault_password() {
    let s = Sandbox::new();
    init(&s);
    let vault_pw = s.file("vault-pw", &format!("{PW}\n"));
    let os = |s: &str| std::ffi::OsString::from(s);
    let aegis = fixture("aegis/importers/aegis_encrypted.json");
    let out = on_pty(
        &s,
        &cli_bin(),
        &[
            &os("--password-file"),
            vault_pw.as_os_str(),
            &os("import"),
            aegis.as_os_str(),
        ],
        "test\n",
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Password of the Aegis file"), "{text}");
    assert!(!text.contains("Vault password"), "{text}");
    assert!(text.contains("added: 7"), "{text}");
}

/// An export asks for its password twice on a terminal; a mismatch writes nothing.
#[test]
fn export_password_is_asked_twice_on_a_terminal() {
    let s = Sandbox::new();
    init(&s);
    ok(&import(&s, &v_set_uri_list(&s), &[]));
    let vault_pw = s.file("vault-pw", &format!("{PW}\n"));
    let os = |s: &str| std::ffi::OsString::from(s);
    let target = s.dir.path().join("typed.age");
    let export = |typed: &str| {
        on_pty(
            &s,
            &cli_bin(),
            &[
                &os("--password-file"),
                vault_pw.as_os_str(),
                &os("export"),
                &os("--format"),
                &os("twofold"),
                &os("--out"),
                target.as_os_str(),
            ],
            typed,
        )
    };
    let out = export("first try\nsecond try\n");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("do not match"), "{text}");
    assert!(!target.exists());
    let out = export("typed passphrase\ntyped passphrase\n");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Repeat the export password"), "{text}");
    let typed = s.file("typed-pw", "typed passphrase\n");
    let out = s
        .with_password(PW)
        .args(["backup", "verify"])
        .arg(&target)
        .arg("--backup-password-file")
        .arg(&typed)
        .output()
        .unwrap();
    assert_eq!(ok(&out), "backup matches the vault: 7 accounts\n");
}

#[test]
#[ignore = "needs the age binary; run by scripts/test.sh"]
fn a_backup_made_by_the_cli_opens_with_the_age_binary() {
    let version = std::process::Command::new("age").arg("--version").output();
    assert!(
        matches!(&version, Ok(o) if o.status.success()),
        "the age binary is missing: scripts/setup.sh installs it ({version:?})"
    );
    let s = Sandbox::new();
    let (_, backup) = v_set_backup(&s, "age can open this", "backup.age");
    let json_path = s.dir.path().join("backup.json");
    let out = on_pty(
        &s,
        Path::new("age"),
        &[
            std::ffi::OsStr::new("-d"),
            std::ffi::OsStr::new("-o"),
            json_path.as_os_str(),
            backup.as_os_str(),
        ],
        "age can open this\n",
    );
    assert!(
        out.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(doc["format"], "twofold-backup");
    let in_backup = doc["accounts"].as_array().unwrap();
    let in_vault = list(&s);
    assert_eq!(in_backup.len(), in_vault.len());
    for (b, v) in in_backup.iter().zip(&in_vault) {
        assert_eq!(b["id"], v["id"]);
        assert_eq!(b["issuer"], v["issuer"]);
        assert_eq!(b["name"], v["account"]);
        assert_eq!(b["type"], v["type"]);
        let expected = V
            .iter()
            .find(|e| e.0 == v["issuer"] && e.1 == v["account"])
            .unwrap();
        assert_eq!(b["secret"], expected.7, "{}", expected.0);
    }
    // What `age -d` printed verifies too, with no password to give.
    let out = s
        .with_password(PW)
        .args(["backup", "verify"])
        .arg(&json_path)
        .output()
        .unwrap();
    assert_eq!(ok(&out), "backup matches the vault: 7 accounts\n");
}
