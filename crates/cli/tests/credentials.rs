//! Credential changes and rollbacks through the CLI (issue 11 items 1, 2, 8): after
//! `recovery-key` and `password set` the old credential opens no file in the vault's folder; an
//! older vault file put in place is warned about on standard error and `vault restore-newer`
//! takes the newer copy back; `export` never writes over the vault.

use std::path::PathBuf;

use crate::util::{assert_one_line_error, ok, stderr, Sandbox};

const PW: &str = "first vault password";
const PW2: &str = "second vault password";

/// A password vault (no keychain here) with a few saves, and its recovery key.
fn vault(s: &Sandbox) -> String {
    let key = ok(&s
        .with_password(PW)
        .args(["init", "--no-keychain"])
        .output()
        .unwrap());
    for (i, secret) in ["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"]
        .iter()
        .enumerate()
    {
        ok(&s
            .with_password(PW)
            .args(["add", "--secret", secret, "--issuer", &format!("Site{i}")])
            .output()
            .unwrap());
    }
    key.trim().to_owned()
}

/// The vault files in the vault's folder (the vault and its generations).
fn vault_files(s: &Sandbox) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(s.vault().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name == "vault.twofold" || name.starts_with("vault.twofold.gen-")
        })
        .collect();
    v.sort();
    v
}

/// `list` on `file` with the given credential flags: does it open?
fn opens(s: &Sandbox, file: &PathBuf, flags: &[&str]) -> bool {
    s.cmd()
        .arg("--vault")
        .arg(file)
        .args(flags)
        .arg("list")
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn after_recovery_key_and_password_set_no_file_opens_with_the_old_credential() {
    // See: issue 11 item 1.
    let s = Sandbox::new();
    let old_key = vault(&s);
    let old_key_file = s.file("old-key", &format!("{old_key}\n"));
    let old_pw_file = s.file("old-pw", &format!("{PW}\n"));
    let files = vault_files(&s);
    assert!(files.len() >= 4, "{files:?}");
    for f in &files {
        assert!(
            opens(
                &s,
                f,
                &["--recovery-key-file", old_key_file.to_str().unwrap()]
            ),
            "{}",
            f.display()
        );
    }

    let out = s.with_password(PW).arg("recovery-key").output().unwrap();
    let new_key = ok(&out).trim().to_owned();
    let err = stderr(&out);
    assert!(
        err.contains("the old recovery key no longer opens this vault or any copy"),
        "{err}"
    );
    assert!(err.contains("still open with it"), "{err}");
    assert_ne!(new_key, old_key);
    for f in vault_files(&s) {
        assert!(
            !opens(
                &s,
                &f,
                &["--recovery-key-file", old_key_file.to_str().unwrap()]
            ),
            "{} opens with the old recovery key",
            f.display()
        );
    }

    let new_pw = s.file("new-pw", &format!("{PW2}\n"));
    ok(&s
        .with_password(PW)
        .args(["password", "set", "--new-password-file"])
        .arg(&new_pw)
        .output()
        .unwrap());
    for f in vault_files(&s) {
        assert!(
            !opens(&s, &f, &["--password-file", old_pw_file.to_str().unwrap()]),
            "{} opens with the old password",
            f.display()
        );
        assert!(
            opens(&s, &f, &["--password-file", new_pw.to_str().unwrap()]),
            "{}",
            f.display()
        );
    }
    let new_key_file = s.file("new-key", &format!("{new_key}\n"));
    assert!(opens(
        &s,
        &s.vault(),
        &["--recovery-key-file", new_key_file.to_str().unwrap()]
    ));
}

#[test]
fn a_rollback_is_warned_about_and_restore_newer_takes_the_newer_copy_back() {
    // See: issue 11 item 2.
    let s = Sandbox::new();
    vault(&s);
    // Two more saves, so that generations newer than the one put back exist.
    for (i, secret) in ["ONSWG4TFOQ======", "NBSWY3DPO5XXE3DE"].iter().enumerate() {
        ok(&s
            .with_password(PW)
            .args(["add", "--secret", secret, "--issuer", &format!("Later{i}")])
            .output()
            .unwrap());
    }
    let dir = s.vault().parent().unwrap().to_owned();
    std::fs::copy(dir.join("vault.twofold.gen-3"), s.vault()).unwrap();
    let out = s
        .with_password(PW)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let err = stderr(&out);
    assert!(
        err.contains(
            "warning: the vault file (save 3) is older than a copy kept beside it (save 5)"
        ),
        "{err}"
    );
    assert!(err.contains("vault restore-newer"), "{err}");
    let out = s
        .with_password(PW)
        .args(["vault", "restore-newer"])
        .output()
        .unwrap();
    let text = ok(&out);
    assert!(text.contains("restored the copy of save 5"), "{text}");
    let out = s
        .with_password(PW)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let issuers: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["issuer"].as_str().unwrap())
        .collect();
    assert_eq!(
        issuers,
        ["Site0", "Site1", "Site2", "Later0"],
        "{issuers:?}"
    );
    assert!(
        stderr(&out).is_empty(),
        "no warning once restored: {}",
        stderr(&out)
    );
    let out = s
        .with_password(PW)
        .args(["vault", "restore-newer"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "nothing to restore");

    // Roll back again: an edit is refused until the user chooses, and no file changes.
    std::fs::copy(dir.join("vault.twofold.gen-3"), s.vault()).unwrap();
    let files = |s: &Sandbox| -> Vec<(PathBuf, Vec<u8>)> {
        vault_files(s)
            .into_iter()
            .map(|p| {
                let b = std::fs::read(&p).unwrap();
                (p, b)
            })
            .collect()
    };
    let before = files(&s);
    let add = |issuer: &str| {
        s.with_password(PW)
            .args(["add", "--secret", "KRUGS4ZANFZSAYJA", "--issuer", issuer])
            .output()
            .unwrap()
    };
    let out = add("AfterRollback");
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("is older than a copy of it"), "{err}");
    assert!(err.contains("vault keep-current"), "{err}");
    assert_eq!(files(&s), before, "a refused edit changes no file");
    // Keeping the older file settles it: edits save again, the newer copies stay beside it.
    let text = ok(&s
        .with_password(PW)
        .args(["vault", "keep-current"])
        .output()
        .unwrap());
    assert!(text.contains("kept the vault file of save 3"), "{text}");
    ok(&add("AfterRollback"));
    for (p, bytes) in &before {
        if p != &s.vault() && p.exists() {
            assert_eq!(
                &std::fs::read(p).unwrap(),
                bytes,
                "{} was overwritten",
                p.display()
            );
        }
    }
}

#[test]
fn export_never_writes_over_the_vault() {
    // See: issue 11 item 8.
    let s = Sandbox::new();
    vault(&s);
    let before = std::fs::read(s.vault()).unwrap();
    let out = s
        .with_password(PW)
        .args(["export", "--format", "uris", "--yes", "--force", "--out"])
        .arg(s.vault())
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "is the vault itself");
    assert_eq!(std::fs::read(s.vault()).unwrap(), before);
}
