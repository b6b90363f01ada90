//! `import` end to end (issue 5): real export files from other apps
//! (`../shared/fixtures/interop/`, read by path, see its EXPECTED.md) into a vault opened with
//! `--password-file` (no Secret Service); dry runs and failed imports change nothing;
//! duplicates are skipped, replaced or kept.

use serde_json::Value;

use crate::util::{
    assert_accounts, assert_one_line_error, fixture, import, import_json, init, list, ok, stderr,
    Sandbox, AEGIS_SECRET, PW, V,
};

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn imports_an_encrypted_aegis_vault_with_a_password_file() {
    let s = Sandbox::new();
    init(&s);
    let pw = s.file("aegis-pw", "test\n");
    let out = import(
        &s,
        &fixture("aegis/importers/aegis_encrypted.json"),
        &["--backup-password-file", pw.to_str().unwrap()],
    );
    let text = ok(&out);
    assert!(text.contains("format: Aegis (aegis, encrypted)"), "{text}");
    assert!(text.contains("added: 7"), "{text}");
    assert!(!text.contains(AEGIS_SECRET), "{text}");
    assert_accounts(&s, &V);
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn imports_2fas_andotp_and_uri_lists() {
    let s = Sandbox::new();
    init(&s);
    // 2FAS schema 4, encrypted, password from the environment: V1, V4, V5, V6, V7.
    let out = s
        .with_password(PW)
        .env("TWOFOLD_BACKUP_PASSWORD", "test")
        .arg("import")
        .arg(fixture(
            "aegis/importers/2fas_authenticator_encrypted_v4.2fas",
        ))
        .arg("--json")
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["format"], "2fas");
    assert_eq!(v["encrypted"], true);
    assert_eq!(v["added"], 5);
    assert_accounts(&s, &[V[0], V[3], V[4], V[5], V[6]]);

    // andOTP plain: the other two (V2, V3) are new, the five others are duplicates.
    let v = import_json(&s, &fixture("aegis/importers/andotp_plain.json"), &[]);
    assert_eq!(v["format"], "andotp");
    assert_eq!(
        (v["added"].as_u64(), v["skipped_duplicates"].as_u64()),
        (Some(2), Some(5))
    );
    assert_accounts(&s, &V);

    // An otpauth URI list from standard input, into a fresh vault.
    let s = Sandbox::new();
    init(&s);
    let text = std::fs::read(fixture("aegis/importers/plain.txt")).unwrap();
    let out = s
        .with_password(PW)
        .args(["import", "-", "--json"])
        .write_stdin(text)
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["format"], "uris");
    assert_eq!(v["added"], 7);
    assert_accounts(&s, &V);

    // andOTP encrypted (current format), with a password file: all duplicates now.
    let pw = s.file("andotp-pw", "test\n");
    let v = import_json(
        &s,
        &fixture("aegis/importers/andotp_encrypted.bin"),
        &[
            "--backup-password-file",
            pw.to_str().unwrap(),
            "--from",
            "andotp",
        ],
    );
    assert_eq!(
        (v["added"].as_u64(), v["skipped_duplicates"].as_u64()),
        (Some(0), Some(7))
    );
    assert_eq!(list(&s).len(), 7);
}

/// The vault file is still `before`, and empty.
fn assert_unchanged(s: &Sandbox, before: &[u8]) {
    assert_eq!(
        std::fs::read(s.vault()).unwrap(),
        before,
        "a failed import wrote"
    );
    assert!(list(s).is_empty());
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn dry_run_and_failed_imports_leave_the_vault_unchanged() {
    let s = Sandbox::new();
    init(&s);
    let before = std::fs::read(s.vault()).unwrap();

    let out = import(
        &s,
        &fixture("aegis/importers/andotp_plain.json"),
        &["--dry-run"],
    );
    let text = ok(&out);
    assert!(text.contains("would be added: 7"), "{text}");
    assert!(stderr(&out).contains("dry run"), "{}", stderr(&out));
    assert_eq!(std::fs::read(s.vault()).unwrap(), before, "dry run wrote");

    // Wrong backup password: one line, exit 4, nothing written.
    let pw = s.file("wrong-pw", "not the password\n");
    let out = import(
        &s,
        &fixture("aegis/importers/aegis_encrypted.json"),
        &["--backup-password-file", pw.to_str().unwrap()],
    );
    assert_one_line_error(&out, 4, "wrong password");
    assert!(
        !stderr(&out).contains("not the password"),
        "{}",
        stderr(&out)
    );

    // Encrypted with no backup password (the vault's is not used for it): exit 4.
    let out = import(
        &s,
        &fixture("aegis/importers/andotp_encrypted.bin"),
        &["--from", "andotp"],
    );
    assert_one_line_error(&out, 4, "--backup-password-file");
    let out = import(&s, &fixture("aegis/importers/aegis_encrypted.json"), &[]);
    assert_one_line_error(&out, 4, "TWOFOLD_BACKUP_PASSWORD");

    // Not an export file at all: exit 2, pointing at --from.
    let out = import(
        &s,
        &fixture("extract_otp_secrets/test_export_wrong_content.txt"),
        &[],
    );
    assert_one_line_error(&out, 2, "--from");

    assert_unchanged(&s, &before);
}

/// The failed imports of [`dry_run_and_failed_imports_leave_the_vault_unchanged`] that need
/// no export file of another app.
#[test]
fn missing_and_oversized_files_leave_the_vault_unchanged() {
    let s = Sandbox::new();
    init(&s);
    let before = std::fs::read(s.vault()).unwrap();
    let out = import(&s, &s.dir.path().join("missing.json"), &[]);
    assert_one_line_error(&out, 1, "cannot read");
    // Bigger than any export: refused after reading at most one byte past the limit.
    let big = s.dir.path().join("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(33 * 1024 * 1024)
        .unwrap();
    let out = import(&s, &big, &[]);
    assert_one_line_error(&out, 2, "larger than 32 MiB");

    assert_unchanged(&s, &before);
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn duplicates_are_skipped_replaced_or_kept() {
    let s = Sandbox::new();
    init(&s);
    let plain = fixture("aegis/importers/plain.txt");
    let aegis = fixture("aegis/importers/andotp_plain.json");
    assert_eq!(import_json(&s, &plain, &[])["added"], 7);
    let ids = |s: &Sandbox| {
        let mut v: Vec<String> = list(s)
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let before = ids(&s);
    let out = s
        .with_password(PW)
        .args(["edit", "deno", "--issuer", "Renamed"])
        .output()
        .unwrap();
    ok(&out);

    // Default: skip.
    let out = import(&s, &aegis, &[]);
    let text = ok(&out);
    assert!(text.contains("added: 0"), "{text}");
    assert!(
        text.contains("duplicate: Deno (Mason) (already in the vault): skipped"),
        "{text}"
    );
    let v = import_json(&s, &aegis, &["--duplicates", "skip"]);
    assert_eq!(
        (
            v["added"].as_u64(),
            v["replaced"].as_u64(),
            v["skipped_duplicates"].as_u64()
        ),
        (Some(0), Some(0), Some(7))
    );
    assert_eq!(v["duplicates"].as_array().unwrap().len(), 7);
    assert_eq!(v["duplicates"][0]["choice"], "skip");
    assert!(list(&s).iter().any(|a| a["issuer"] == "Renamed"));

    // Replace: same ids and count, the file's fields win.
    let v = import_json(&s, &aegis, &["--duplicates", "replace"]);
    assert_eq!(
        (v["added"].as_u64(), v["replaced"].as_u64()),
        (Some(0), Some(7))
    );
    assert_eq!(ids(&s), before);
    assert!(list(&s).iter().all(|a| a["issuer"] != "Renamed"));
    assert_accounts(&s, &V);

    // Keep both: seven more.
    let v = import_json(&s, &aegis, &["--duplicates", "keep-both"]);
    assert_eq!(
        (v["added"].as_u64(), v["skipped_duplicates"].as_u64()),
        (Some(7), Some(0))
    );
    assert_eq!(list(&s).len(), 14);
}

/// See: issue 10 §2. Re-importing an Aegis export with `--duplicates replace` wiped the
/// account's recovery codes and notes (Aegis files carry neither the codes nor notes added
/// after the export). Core's one Replace rule keeps what the file cannot carry.
#[test]
fn issue_10_aegis_reimport_with_replace_keeps_recovery_codes_and_notes() {
    use twofold_core::keychain::MemoryKeyStore;
    use twofold_core::vault::{Unlock, VaultFile};
    use twofold_core::SecretString;

    let s = Sandbox::new();
    init(&s);
    ok(&s
        .with_password(PW)
        .args(["add", "--secret", "JBSWY3DPEHPK3PXP", "--issuer", "GitHub"])
        .args(["--account", "alice"])
        .output()
        .unwrap());
    let bpw = s.file("backup-pw", "a long backup passphrase\n");
    let aegis = s.dir.path().join("aegis.json");
    let out = s
        .with_password(PW)
        .args(["export", "--format", "aegis", "--backup-password-file"])
        .arg(&bpw)
        .arg("--out")
        .arg(&aegis)
        .output()
        .unwrap();
    ok(&out);
    // After the export: two recovery codes (Google prints them with one space inside) and notes.
    ok(&s
        .with_password(PW)
        .args(["recovery-codes", "add", "github", "1234 5678", "2345 6789"])
        .output()
        .unwrap());
    ok(&s
        .with_password(PW)
        .args(["recovery-codes", "use", "github", "2345 6789"])
        .output()
        .unwrap());
    ok(&s
        .with_password(PW)
        .args(["edit", "github", "--notes", "codes printed, in the drawer"])
        .output()
        .unwrap());

    let v = import_json(
        &s,
        &aegis,
        &[
            "--duplicates",
            "replace",
            "--backup-password-file",
            bpw.to_str().unwrap(),
        ],
    );
    assert_eq!(v["replaced"], 1, "{v}");

    let vf = VaultFile::open(
        &s.vault(),
        &Unlock::Password(SecretString::from(PW)),
        &MemoryKeyStore::new(),
    )
    .unwrap();
    let a = &vf.vault().accounts()[0];
    let codes: Vec<(&str, bool)> = a
        .recovery_codes
        .iter()
        .map(|r| (r.code.expose(), r.used))
        .collect();
    assert_eq!(codes, [("1234 5678", false), ("2345 6789", true)]);
    assert_eq!(a.notes, "codes printed, in the drawer");
}
