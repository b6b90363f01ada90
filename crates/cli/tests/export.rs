//! `export` end to end (issue 5): Twofold backups and Aegis vaults import back into a fresh
//! vault, plain exports need `--yes` and encrypted ones a strong password, and Google
//! Authenticator QR exports write PNG files that `scan` reads back.

use std::path::PathBuf;

use serde_json::Value;

use crate::util::{
    assert_accounts, assert_one_line_error, files_in, import, import_json, init, list, ok, stderr,
    v_set_uri_list, Sandbox, AEGIS_SECRET, PW, V,
};

#[test]
fn twofold_and_aegis_exports_import_back_into_a_fresh_vault() {
    let s = Sandbox::new();
    init(&s);
    ok(&import(&s, &v_set_uri_list(&s), &[]));
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
            !String::from_utf8_lossy(&bytes).contains(AEGIS_SECRET),
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
    ok(&import(&s, &v_set_uri_list(&s), &[]));
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
    let all = std::fs::read_to_string(v_set_uri_list(&s)).unwrap();
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
    ok(&import(&s, &v_set_uri_list(&s), &[]));
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
