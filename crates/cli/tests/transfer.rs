//! `import`, `export` and `backup verify` end to end (issue 5): real export files from other
//! apps (`../shared/fixtures/interop/`, read by path, see its EXPECTED.md), a vault opened
//! with `--password-file` (no Secret Service), and the files the CLI writes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{assert_one_line_error, files_in, stderr, stdout, Sandbox};

const PW: &str = "vault password, not the backup's";

/// A fixture of `../shared/fixtures/interop/`.
fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/interop/"
    ))
    .join(rel)
}

/// One expected account: issuer, name, type, algorithm, digits, period, counter, secret.
type Expected = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    Option<u64>,
    Option<u64>,
    &'static str,
);

/// EXPECTED.md's V-set, rows V1–V7 (Aegis' `VaultEntries.java`).
const V: [Expected; 7] = [
    (
        "Deno",
        "Mason",
        "totp",
        "SHA1",
        6,
        Some(30),
        None,
        "4SJHB4GSD43FZBAI7C2HLRJGPQ",
    ),
    (
        "SPDX",
        "James",
        "totp",
        "SHA256",
        7,
        Some(20),
        None,
        "5OM4WOOGPLQEF6UGN3CPEOOLWU",
    ),
    (
        "Airbnb",
        "Elijah",
        "totp",
        "SHA512",
        8,
        Some(50),
        None,
        "7ELGJSGXNCCTV3O6LKJWYFV2RA",
    ),
    (
        "Issuu",
        "James",
        "hotp",
        "SHA1",
        6,
        None,
        Some(1),
        "YOOMIXWS5GN6RTBPUFFWKTW5M4",
    ),
    (
        "Air Canada",
        "Benjamin",
        "hotp",
        "SHA256",
        7,
        None,
        Some(50),
        "KUVJJOM753IHTNDSZVCNKL7GII",
    ),
    (
        "WWE",
        "Mason",
        "hotp",
        "SHA512",
        8,
        None,
        Some(10300),
        "5VAML3X35THCEBVRLV24CGBKOY",
    ),
    (
        "Boeing",
        "Sophia",
        "steam",
        "SHA1",
        5,
        Some(30),
        None,
        "JRZCL47CMXVOQMNPZR2F7J4RGI",
    ),
];

fn init(s: &Sandbox) {
    let out = s.with_password(PW).arg("init").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        stderr(out)
    );
    stdout(out)
}

fn list(s: &Sandbox) -> Vec<Value> {
    let out = s
        .with_password(PW)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(&ok(&out)).unwrap();
    v.as_array().unwrap().clone()
}

/// The secret of each account, by `issuer (name)`, read back through a plain URI export.
fn secrets(s: &Sandbox) -> Vec<(String, String)> {
    let out = s.dir.path().join(format!("uris-{}.txt", rand_suffix()));
    let o = s
        .with_password(PW)
        .args(["export", "--format", "uris", "--yes", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    ok(&o);
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    text.lines()
        .filter(|l| l.starts_with("otpauth://"))
        .map(|l| {
            let secret = l
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("secret="))
                .unwrap_or_else(|| panic!("no secret in {l}"))
                .to_owned();
            (label_of_uri(l), secret)
        })
        .collect()
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// `issuer (name)` from an otpauth URI's `issuer=` and label (decoding `%20` and `+`).
fn label_of_uri(uri: &str) -> String {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    let rest = uri.split_once("://").unwrap().1;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let label = decode(path.split_once('/').unwrap().1);
    let issuer = query
        .split('&')
        .find_map(|p| p.strip_prefix("issuer="))
        .map(decode);
    let name = match label.split_once(':') {
        Some((_, n)) => n.trim().to_owned(),
        None => label.clone(),
    };
    let issuer = issuer.unwrap_or_else(|| {
        label
            .split_once(':')
            .map(|(i, _)| i.to_owned())
            .unwrap_or_default()
    });
    format!("{issuer} ({name})")
}

/// Asserts the vault holds exactly `expected` (any order), field by field, secrets included.
fn assert_accounts(s: &Sandbox, expected: &[Expected]) {
    let accounts = list(s);
    assert_eq!(
        accounts.len(),
        expected.len(),
        "{}",
        serde_json::to_string_pretty(&accounts).unwrap()
    );
    let secrets = secrets(s);
    for &(issuer, name, kind, alg, digits, period, counter, secret) in expected {
        let a = accounts
            .iter()
            .find(|a| a["issuer"] == issuer && a["account"] == name)
            .unwrap_or_else(|| panic!("no {issuer} ({name}) in {accounts:?}"));
        assert_eq!(a["type"], kind, "{issuer}");
        assert_eq!(a["algorithm"], alg, "{issuer}");
        assert_eq!(a["digits"], digits, "{issuer}");
        assert_eq!(a["period"].as_u64(), period, "{issuer}");
        assert_eq!(a["counter"].as_u64(), counter, "{issuer}");
        let label = format!("{issuer} ({name})");
        let got = secrets
            .iter()
            .find(|(l, _)| *l == label)
            .unwrap_or_else(|| panic!("no URI for {label} in {secrets:?}"));
        assert_eq!(got.1.trim_end_matches('='), secret, "{label}");
    }
}

fn import(s: &Sandbox, file: &Path, extra: &[&str]) -> std::process::Output {
    s.with_password(PW)
        .arg("import")
        .arg(file)
        .args(extra)
        .output()
        .unwrap()
}

fn import_json(s: &Sandbox, file: &Path, extra: &[&str]) -> Value {
    let out = import(s, file, &[extra, &["--json"]].concat());
    serde_json::from_str(&ok(&out)).unwrap()
}

#[test]
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
    assert!(!text.contains("4SJHB4GSD43FZBAI7C2HLRJGPQ"), "{text}");
    assert_accounts(&s, &V);
}

#[test]
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

#[test]
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

    assert_eq!(
        std::fs::read(s.vault()).unwrap(),
        before,
        "a failed import wrote"
    );
    assert!(list(&s).is_empty());
}

#[test]
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

#[test]
fn twofold_and_aegis_exports_import_back_into_a_fresh_vault() {
    let s = Sandbox::new();
    init(&s);
    ok(&import(&s, &fixture("aegis/importers/plain.txt"), &[]));
    ok(&s
        .with_password(PW)
        .args(["edit", "airbnb", "--tag", "travel", "--favourite", "true"])
        .output()
        .unwrap());
    let bpw = s.file("backup-pw", "a long backup passphrase\n");
    let out_dir = s.dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();

    for (format, name) in [("twofold", "backup"), ("aegis", "aegis-vault")] {
        let path = out_dir.join(name);
        let out = s
            .with_password(PW)
            .args(["export", "--format", format, "--backup-password-file"])
            .arg(&bpw)
            .arg("--out")
            .arg(&path)
            .output()
            .unwrap();
        let text = ok(&out);
        let written = PathBuf::from(text.trim().strip_prefix("wrote ").unwrap());
        assert!(written.starts_with(&out_dir), "{text}");
        let bytes = std::fs::read(&written).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("4SJHB4GSD43FZBAI7C2HLRJGPQ"),
            "{format} export holds a plain secret"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&written).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{format}");
        }

        // Never over an existing file without --force.
        let again = s
            .with_password(PW)
            .args(["export", "--format", format, "--backup-password-file"])
            .arg(&bpw)
            .arg("--out")
            .arg(&written)
            .output()
            .unwrap();
        assert_one_line_error(&again, 1, "already exists");
        assert_eq!(std::fs::read(&written).unwrap(), bytes);

        let fresh = Sandbox::new();
        init(&fresh);
        let v = {
            let out = fresh
                .with_password(PW)
                .arg("import")
                .arg(&written)
                .arg("--backup-password-file")
                .arg(&bpw)
                .arg("--json")
                .output()
                .unwrap();
            serde_json::from_str::<Value>(&ok(&out)).unwrap()
        };
        assert_eq!(v["format"], format, "{v}");
        assert_eq!(v["added"], 7, "{v}");
        assert_accounts(&fresh, &V);
        if format == "twofold" {
            let airbnb = list(&fresh)
                .into_iter()
                .find(|a| a["issuer"] == "Airbnb")
                .unwrap();
            assert_eq!(airbnb["tags"], serde_json::json!(["travel"]));
            assert_eq!(airbnb["favourite"], true);
        }
    }
}

#[test]
fn plain_exports_need_yes_and_encrypted_ones_a_password() {
    let s = Sandbox::new();
    init(&s);
    ok(&import(&s, &fixture("aegis/importers/plain.txt"), &[]));
    let out_dir = s.dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("plain.json");

    let out = s
        .with_password(PW)
        .args(["export", "--format", "aegis-plain", "--out"])
        .arg(&target)
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "--yes");
    let out = s
        .with_password(PW)
        .args(["export", "--format", "twofold", "--out"])
        .arg(&target)
        .output()
        .unwrap();
    assert_one_line_error(&out, 4, "--backup-password-file");
    // A weak backup password is refused (security.md B2) for every encrypted format.
    let weak = s.file("weak-pw", "password1\n");
    for format in ["twofold", "aegis"] {
        let out = s
            .with_password(PW)
            .args(["export", "--format", format, "--backup-password-file"])
            .arg(&weak)
            .arg("--out")
            .arg(&target)
            .output()
            .unwrap();
        assert_one_line_error(&out, 2, "backup password: the password is too weak");
    }
    assert_eq!(files_in(&out_dir), Vec::<String>::new());

    let out = s
        .with_password(PW)
        .args(["export", "--format", "aegis-plain", "--yes", "--out"])
        .arg(&target)
        .output()
        .unwrap();
    ok(&out);
    let doc: Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(doc["db"]["entries"].as_array().unwrap().len(), 7, "{doc}");
    assert_eq!(files_in(&out_dir), ["plain.json"]);
}

#[test]
fn google_qr_export_writes_png_files_that_scan_back() {
    let s = Sandbox::new();
    init(&s);
    // The V-rows Google's transfer format can carry (period 30, 6 or 8 digits, no Steam).
    let all = std::fs::read_to_string(fixture("aegis/importers/plain.txt")).unwrap();
    let lines: Vec<&str> = all
        .lines()
        .filter(|l| ["Deno", "Issuu", "WWE"].iter().any(|k| l.contains(k)))
        .collect();
    assert_eq!(lines.len(), 3, "{all}");
    let list_file = s.file("three.txt", &lines.join("\n"));
    ok(&import(&s, &list_file, &[]));
    let out_dir = s.dir.path().join("qr");
    std::fs::create_dir(&out_dir).unwrap();
    let out = s
        .with_password(PW)
        .args(["export", "--format", "google-qr", "--yes", "--out"])
        .arg(out_dir.join("codes.png"))
        .output()
        .unwrap();
    let text = ok(&out);
    assert!(stderr(&out).contains("cannot carry"), "{}", stderr(&out));
    // One batch: one file, PATH itself.
    let names = files_in(&out_dir);
    assert_eq!(names, ["codes.png"], "{text}");
    assert_eq!(
        text.trim(),
        format!("wrote {}", out_dir.join("codes.png").display())
    );
    let bytes = std::fs::read(out_dir.join("codes.png")).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    let fresh = Sandbox::new();
    init(&fresh);
    for name in &names {
        let out = fresh
            .with_password(PW)
            .arg("scan")
            .arg(out_dir.join(name))
            .arg("--add")
            .output()
            .unwrap();
        ok(&out);
    }
    assert_accounts(&fresh, &[V[0], V[3], V[5]]);

    // Twelve accounts: two batches of at most ten, numbered files.
    for _ in 0..3 {
        ok(&import(&s, &list_file, &["--duplicates", "keep-both"]));
    }
    assert_eq!(list(&s).len(), 12);
    let many = s.dir.path().join("qr-many");
    std::fs::create_dir(&many).unwrap();
    let out = s
        .with_password(PW)
        .args(["export", "--format", "google-qr", "--yes", "--out"])
        .arg(many.join("codes"))
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(files_in(&many), ["codes-1.png", "codes-2.png"]);
    let v = import_json(&fresh, &many.join("codes-2.png"), &[]);
    assert_eq!(v["format"], "google", "{v}");
    assert_eq!(v["in_file"], 2, "{v}");
    assert_eq!(v["skipped_duplicates"], 2, "{v}");

    // An account the format cannot hold (SPDX: 7 digits, 20 s) fails the export as a whole.
    ok(&import(&s, &fixture("aegis/importers/plain.txt"), &[]));
    let other = s.dir.path().join("qr2");
    std::fs::create_dir(&other).unwrap();
    let out = s
        .with_password(PW)
        .args(["export", "--format", "google-qr", "--yes", "--out"])
        .arg(other.join("codes"))
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "cannot export");
    assert_eq!(files_in(&other), Vec::<String>::new());
}

#[test]
fn backup_verify_matches_then_reports_a_removed_account() {
    let s = Sandbox::new();
    init(&s);
    ok(&import(&s, &fixture("aegis/importers/plain.txt"), &[]));
    let bpw = s.file("backup-pw", "a long backup passphrase\n");
    let backup = s.dir.path().join("vault-backup.age");
    ok(&s
        .with_password(PW)
        .args(["export", "--format", "twofold", "--backup-password-file"])
        .arg(&bpw)
        .arg("--out")
        .arg(&backup)
        .output()
        .unwrap());
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
    assert!(!text.contains("4SJHB4GSD43FZBAI7C2HLRJGPQ"), "{text}");
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
    // Another app's file is not a backup, and no password is asked for it.
    let out = s
        .with_password(PW)
        .args(["backup", "verify"])
        .arg(fixture("aegis/importers/aegis_encrypted.json"))
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, "not a Twofold backup");
}

// ---------------------------------------------------------------- terminals and age

/// Runs `program args` on a pseudo-terminal through util-linux `script`, typing `typed`
/// into it, with the sandbox's environment. Panics if `script` or `program` is missing:
/// the suite needs them (`age` comes from scripts/setup.sh).
fn on_pty(
    s: &Sandbox,
    program: &Path,
    args: &[&std::ffi::OsStr],
    typed: &str,
) -> std::process::Output {
    use std::io::Write;
    let quote = |a: &std::ffi::OsStr| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''"));
    let mut line = quote(program.as_os_str());
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let home = s.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut child = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("TWOFOLD_VAULT", s.vault())
        .env("DBUS_SESSION_BUS_ADDRESS", crate::util::NO_BUS)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) is needed to give a command a terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn cli_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_twofold-cli"))
}

#[test]
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

    // An export asks twice; a mismatch writes nothing.
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
fn a_backup_made_by_the_cli_opens_with_the_age_binary() {
    let version = std::process::Command::new("age").arg("--version").output();
    assert!(
        matches!(&version, Ok(o) if o.status.success()),
        "the age binary is missing: apt-get install age ({version:?})"
    );
    let s = Sandbox::new();
    init(&s);
    ok(&import(&s, &fixture("aegis/importers/plain.txt"), &[]));
    let bpw = s.file("backup-pw", "age can open this\n");
    let backup = s.dir.path().join("backup.age");
    ok(&s
        .with_password(PW)
        .args(["export", "--format", "twofold", "--backup-password-file"])
        .arg(&bpw)
        .arg("--out")
        .arg(&backup)
        .output()
        .unwrap());
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
