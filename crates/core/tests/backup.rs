//! Twofold backups (docs/backup.md): the JSON schema round trip, age encryption and its
//! interoperability with the Debian `age` binary, hostile and damaged files. The restore
//! drill and automatic backups are in `backup_restore.rs`, merging in `merge.rs`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use proptest::prelude::*;
use twofold_core::backup;
use twofold_core::formats::{self, FormatError};
use twofold_core::{Account, AccountId, Algorithm, Digits, Kind, Period, SecretString};

use crate::util::{
    arb_full_account, assert_same_accounts, backup_pw, rich_account, sample_account, OnFailure,
    BACKUP_PASSWORD, FAST,
};

// ---------------------------------------------------------------- the JSON document

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    #[test]
    fn json_round_trips_every_field(accounts in proptest::collection::vec(arb_full_account(), 0..6), now in any::<i64>()) {
        let json = backup::to_json(&accounts, now);
        let back = backup::from_json(&json, 0).unwrap();
        prop_assert!(back.skipped.is_empty(), "{:?}", back.skipped);
        prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert_same_accounts(&back.accounts, &accounts);
    }
}

#[test]
fn json_document_matches_the_documented_schema() {
    let a = rich_account();
    let mut steam = sample_account(2);
    steam.kind = Kind::Steam;
    let json = backup::to_json(&[a.clone(), steam, sample_account(3)], 1_800_000_000);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["format"], "twofold-backup");
    assert_eq!(v["version"], 1);
    assert_eq!(v["created_at"], 1_800_000_000i64);
    let e = &v["accounts"][0];
    let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "algorithm",
            "counter",
            "created_at",
            "digits",
            "favourite",
            "icon",
            "id",
            "issuer",
            "last_used_at",
            "name",
            "notes",
            "order",
            "recovery_codes",
            "secret",
            "tags",
            "type",
            "updated_at"
        ]
    );
    assert_eq!(e["id"], a.id.0.as_str());
    assert_eq!(e["issuer"], "Bänk \"quoted\"");
    assert_eq!(e["secret"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(e["type"], "hotp");
    assert_eq!(e["algorithm"], "SHA256");
    assert_eq!(e["digits"], 8);
    assert_eq!(e["counter"], 7);
    assert_eq!(e["icon"], "bank");
    assert_eq!(e["tags"], serde_json::json!(["money", "work"]));
    assert_eq!(e["favourite"], true);
    assert_eq!(e["order"], 3);
    assert_eq!(e["notes"], "line 1\nline 2 ✓");
    assert_eq!(
        e["recovery_codes"],
        serde_json::json!([
            {"code": "aaaa-bbbb", "used": true, "used_at": 1_700_000_100},
            {"code": "cccc-dddd", "used": false, "used_at": null}
        ])
    );
    assert_eq!(e["created_at"], 1_700_000_000);
    assert_eq!(e["updated_at"], 1_700_000_200);
    assert_eq!(e["last_used_at"], 1_700_000_300);
    let steam = &v["accounts"][1];
    assert_eq!(steam["type"], "steam");
    assert!(steam.get("period").is_none() && steam.get("counter").is_none());
    let totp = &v["accounts"][2];
    assert_eq!(totp["type"], "totp");
    assert_eq!(totp["period"], 30);
    assert!(totp.get("counter").is_none());
    assert_eq!(totp["icon"], serde_json::Value::Null);
}

#[test]
fn one_bad_entry_is_skipped_with_its_reason_and_never_its_value() {
    let doc = r#"{"format":"twofold-backup","version":1,"created_at":5,"accounts":[
        {"issuer":"Good","name":"g","secret":"JBSWY3DPEHPK3PXP","type":"totp"},
        {"issuer":"NumSecret","name":"n","secret":987654321,"type":"totp"},
        {"issuer":"BadB32","secret":"!!!!","type":"totp"},
        {"issuer":"BadType","secret":"JBSWY3DPEHPK3PXQ","type":"motp"},
        {"issuer":"BadDigits","secret":"JBSWY3DPEHPK3PXR","type":"totp","digits":9},
        {"issuer":"BadPeriod","secret":"JBSWY3DPEHPK3PXS","type":"totp","period":0},
        {"issuer":"NoSecret","type":"totp"},
        42,
        {"issuer":"Hotp","secret":"JBSWY3DPEHPK3PXT","type":"hotp","counter":9,"id":"fixed-id"},
        {"issuer":"SameId","secret":"JBSWY3DPEHPK3PXU","type":"steam","id":"fixed-id","future_field":[1,2]}
    ]}"#;
    let got = backup::from_json(doc.as_bytes(), 77).unwrap();
    let issuers: Vec<&str> = got.accounts.iter().map(|a| a.issuer.as_str()).collect();
    assert_eq!(issuers, ["Good", "Hotp", "SameId"]);
    let good = &got.accounts[0];
    assert_eq!(
        good.kind,
        Kind::Totp {
            period: Period::THIRTY
        }
    );
    assert_eq!(
        (good.digits, good.algorithm),
        (Digits::SIX, Algorithm::Sha1)
    );
    assert_eq!((good.created_at, good.updated_at), (77, 77));
    assert_eq!(got.accounts[1].kind, Kind::Hotp { counter: 9 });
    assert_eq!(got.accounts[1].id, AccountId("fixed-id".into()));
    assert_ne!(got.accounts[2].id, AccountId("fixed-id".into()));
    assert_eq!(got.warnings.len(), 1, "{:?}", got.warnings);
    let skipped: Vec<(usize, &str)> = got
        .skipped
        .iter()
        .map(|s| (s.index, s.label.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            (1, "NumSecret (n)"),
            (2, "BadB32"),
            (3, "BadType"),
            (4, "BadDigits"),
            (5, "BadPeriod"),
            (6, "NoSecret"),
            (7, "")
        ]
    );
    assert!(
        got.skipped[0].reason.contains("wrong type"),
        "{:?}",
        got.skipped[0]
    );
    assert!(got.skipped[1].reason.contains("base32"));
    assert!(got.skipped[5].reason.contains("missing field `secret`"));
    for s in &got.skipped {
        assert!(!s.reason.contains("987654321"), "value leaked: {s:?}");
    }
}

#[test]
fn envelope_errors_are_clear() {
    let unsupported = backup::from_json(
        br#"{"format":"twofold-backup","version":2,"accounts":[]}"#,
        0,
    );
    assert!(
        matches!(&unsupported, Err(FormatError::Unsupported { reason, .. }) if reason.contains("version 2")),
        "{unsupported:?}"
    );
    assert!(matches!(
        backup::from_json(br#"{"format":"other","version":1,"accounts":[]}"#, 0),
        Err(FormatError::Unrecognized { .. })
    ));
    assert!(matches!(
        backup::from_json(br#"{"format":"twofold-backup","version":1}"#, 0),
        Err(FormatError::Malformed { .. })
    ));
    assert!(matches!(
        backup::from_json(
            br#"{"format":"twofold-backup","version":1,"accounts":[{"#,
            0
        ),
        Err(FormatError::Malformed { .. })
    ));
    assert!(matches!(
        backup::from_json(b"[1,2,3]", 0),
        Err(FormatError::Unrecognized { .. })
    ));
    // More entries than MAX_ENTRIES: a limit, without materialising them all.
    let mut doc = String::from(r#"{"format":"twofold-backup","version":1,"accounts":["#);
    doc.push_str(&vec!["0"; formats::MAX_ENTRIES + 1].join(","));
    doc.push_str("]}");
    assert!(matches!(
        backup::from_json(doc.as_bytes(), 0),
        Err(FormatError::Limit { .. })
    ));
}

// ---------------------------------------------------------------- age

#[test]
fn encrypt_decrypt_round_trip_binary_and_armored() {
    let json = backup::to_json(&[rich_account()], 1);
    let file = backup::encrypt_with_work_factor(&json, &backup_pw(), FAST).unwrap();
    assert!(file.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    assert_eq!(
        backup::decrypt(&file, &backup_pw()).unwrap().as_slice(),
        json.as_slice()
    );

    let mut armored =
        age::armor::ArmoredWriter::wrap_output(Vec::new(), age::armor::Format::AsciiArmor).unwrap();
    armored.write_all(&file).unwrap();
    let armored = armored.finish().unwrap();
    assert!(armored.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    assert_eq!(
        backup::decrypt(&armored, &backup_pw()).unwrap().as_slice(),
        json.as_slice()
    );
    // Through the format registry: detection, then import.
    let (importer, imported) = formats::import_any(&armored, None, Some(&backup_pw()), 0).unwrap();
    assert_eq!(importer.id(), "twofold");
    assert_same_accounts(
        &imported.accounts,
        &[rich_account_with_id(&imported.accounts)],
    );
}

/// `rich_account()` with the id the import kept (ids are random per call).
fn rich_account_with_id(got: &[Account]) -> Account {
    let mut a = rich_account();
    a.id = got[0].id.clone();
    a
}

#[test]
fn exporter_writes_a_backup_the_importer_reads_back() {
    let accounts = vec![rich_account(), sample_account(1)];
    let exporter = formats::exporter("twofold").unwrap();
    assert!(exporter.encrypted() && exporter.loses().is_empty());
    assert!(matches!(
        exporter.export(&accounts, None, 5),
        Err(FormatError::Export { .. })
    ));
    let files = exporter.export(&accounts, Some(&backup_pw()), 5).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].suffix, ".age");
    let importer = formats::detect(&files[0].bytes).unwrap();
    assert_eq!(importer.id(), "twofold");
    assert_eq!(importer.is_encrypted(&files[0].bytes), Ok(true));
    let back = importer
        .import(&files[0].bytes, Some(&backup_pw()), 0)
        .unwrap();
    assert_same_accounts(&back.accounts, &accounts);
}

#[test]
fn wrong_password_is_reported_as_such() {
    let file = backup::encrypt_with_work_factor(b"{}", &backup_pw(), FAST).unwrap();
    let err = backup::decrypt(&file, &SecretString::from("not it")).unwrap_err();
    assert_eq!(
        err,
        FormatError::WrongPassword {
            format: "Twofold backup"
        }
    );
    assert!(!err.to_string().contains("not it"));
    assert!(backup::encrypt(b"{}", &SecretString::from("")).is_err());
}

fn is_clear_error(e: &FormatError) -> bool {
    matches!(
        e,
        FormatError::Malformed { .. }
            | FormatError::WrongPassword { .. }
            | FormatError::Unrecognized { .. }
            | FormatError::Unsupported { .. }
    )
}

#[test]
fn truncated_and_garbled_files_give_clear_errors() {
    let json = backup::to_json(&[rich_account(), sample_account(9)], 1);
    let file = backup::encrypt_with_work_factor(&json, &backup_pw(), FAST).unwrap();
    // The salt and file key are the OS's draw: a failure prints the file (its password is
    // BACKUP_PASSWORD).
    let _replay = OnFailure::bytes("age file, in hex", &file);
    let header_end = file.windows(4).position(|w| w == b"--- ").unwrap() + 48;
    let mut cases = 0;
    // Every truncation point of the header, and a spread through the body.
    let cuts: Vec<usize> = (0..header_end)
        .chain((header_end..file.len()).step_by(7))
        .collect();
    for cut in cuts {
        let err = backup::decrypt(&file[..cut], &backup_pw()).unwrap_err();
        assert!(is_clear_error(&err), "cut at {cut}: {err:?}");
        if cut > header_end + 16 {
            assert!(
                matches!(err, FormatError::Malformed { .. }),
                "cut at {cut}: {err:?}"
            );
        }
        cases += 1;
    }
    // A flipped bit anywhere.
    for i in (0..file.len()).step_by(3) {
        let mut bad = file.clone();
        bad[i] ^= 0x04;
        match backup::decrypt(&bad, &backup_pw()) {
            Err(e) => assert!(
                is_clear_error(&e) || matches!(e, FormatError::Limit { .. }),
                "flip at {i}: {e:?}"
            ),
            // Flipping a bit in the base64 padding-free encoding of the salt may change
            // nothing the parser keeps; the content must then be intact.
            Ok(plain) => assert_eq!(plain.as_slice(), json.as_slice(), "flip at {i}"),
        }
        cases += 1;
    }
    // Trailing garbage after the last chunk.
    let mut long = file.clone();
    long.extend_from_slice(b"garbage");
    assert!(matches!(
        backup::decrypt(&long, &backup_pw()),
        Err(FormatError::Malformed { .. })
    ));
    // Not age at all, and age to a public key instead of a passphrase.
    assert!(matches!(
        backup::decrypt(b"hello", &backup_pw()),
        Err(FormatError::Unrecognized { .. })
    ));
    println!("backup: {cases} damaged age files rejected");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// Hostile input never panics: random bytes behind each of the recognised openings.
    #[test]
    fn arbitrary_input_never_panics(
        prefix in prop_oneof![
            Just(&b"age-encryption.org/v1\n-> scrypt "[..]),
            Just(&b"-----BEGIN AGE ENCRYPTED FILE-----\n"[..]),
            Just(&br#"{"format":"twofold-backup","version":1,"accounts":["#[..]),
            Just(&b""[..]),
        ],
        tail in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut input = prefix.to_vec();
        input.extend_from_slice(&tail);
        let importer = formats::importer("twofold").unwrap();
        let _ = importer.detect(&input);
        let _ = importer.is_encrypted(&input);
        let _ = importer.import(&input, Some(&backup_pw()), 0);
        let _ = backup::from_json(&input, 0);
    }
}

#[test]
fn armored_backup_with_leading_whitespace_opens() {
    let file = backup::encrypt_with_work_factor(b"{}", &backup_pw(), FAST).unwrap();
    let mut armored =
        age::armor::ArmoredWriter::wrap_output(b"\n  \n".to_vec(), age::armor::Format::AsciiArmor)
            .unwrap();
    armored.write_all(&file).unwrap();
    let armored = armored.finish().unwrap();
    assert_eq!(
        backup::decrypt(&armored, &backup_pw()).unwrap().as_slice(),
        b"{}"
    );
}

#[test]
fn excessive_scrypt_work_factor_is_refused_before_scrypt_runs() {
    let file = backup::encrypt_with_work_factor(b"{}", &backup_pw(), FAST).unwrap();
    let text = file.clone();
    let line_end = text[22..].iter().position(|&b| b == b'\n').unwrap() + 22;
    let line = std::str::from_utf8(&text[22..line_end]).unwrap();
    assert!(line.ends_with(" 10"), "{line}");
    for factor in ["21", "40", "63"] {
        let mut bad = text[..line_end - 2].to_vec();
        bad.extend_from_slice(factor.as_bytes());
        bad.extend_from_slice(&text[line_end..]);
        let started = Instant::now();
        let err = backup::decrypt(&bad, &backup_pw()).unwrap_err();
        assert!(
            matches!(&err, FormatError::Limit { reason, .. } if reason.contains(&format!("2^{factor}"))),
            "{err:?}"
        );
        assert!(started.elapsed().as_secs() < 2, "scrypt ran for 2^{factor}");
    }
}

// ---------------------------------------------------------------- the age binary

/// Runs `age` with `args` on a pseudo-terminal (age reads passphrases from the terminal
/// only), typing `typed` into it. Panics if `age` or `script` is missing: the suite needs
/// them (scripts/setup.sh installs `age`; `script` is util-linux).
fn age_on_pty(args: &str, typed: &str) -> std::process::Output {
    let version = Command::new("age").arg("--version").output();
    assert!(
        matches!(&version, Ok(o) if o.status.success()),
        "the age binary is missing: scripts/setup.sh installs it ({version:?})"
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &format!("age {args}"), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) is needed to give age a terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

#[test]
#[ignore = "needs the age binary; run by scripts/test.sh"]
fn the_age_binary_decrypts_a_backup_and_the_json_matches() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = vec![rich_account(), sample_account(1), sample_account(2)];
    let json = backup::to_json(&accounts, 1_800_000_000);
    // The real work factor, as users get it.
    let file = backup::encrypt(&json, &backup_pw()).unwrap();
    let input = dir.path().join("backup.age");
    let output = dir.path().join("backup.json");
    std::fs::write(&input, &file).unwrap();
    let out = age_on_pty(
        &format!("-d -o {} {}", shell_quote(&output), shell_quote(&input)),
        &format!("{BACKUP_PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = std::fs::read(&output).unwrap();
    assert_eq!(plain, json.as_slice());
    let back = backup::from_json(&plain, 0).unwrap();
    assert_same_accounts(&back.accounts, &accounts);

    // The wrong passphrase fails in age too.
    let wrong = dir.path().join("wrong.json");
    let out = age_on_pty(
        &format!("-d -o {} {}", shell_quote(&wrong), shell_quote(&input)),
        "nope\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("incorrect passphrase"));
}

#[test]
#[ignore = "needs the age binary; run by scripts/test.sh"]
fn a_file_made_by_the_age_binary_imports() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = vec![rich_account(), sample_account(4)];
    let json = backup::to_json(&accounts, 3);
    let plain = dir.path().join("backup.json");
    std::fs::write(&plain, &json).unwrap();
    for (flags, name) in [("-p", "b.age"), ("-p -a", "a.age")] {
        let out_path = dir.path().join(name);
        let out = age_on_pty(
            &format!(
                "{flags} -o {} {}",
                shell_quote(&out_path),
                shell_quote(&plain)
            ),
            &format!("{BACKUP_PASSWORD}\n{BACKUP_PASSWORD}\n"),
        );
        assert!(
            out.status.success(),
            "age {flags}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let file = std::fs::read(&out_path).unwrap();
        let imported = formats::importer("twofold")
            .unwrap()
            .import(&file, Some(&backup_pw()), 0)
            .unwrap();
        assert_same_accounts(&imported.accounts, &accounts);
    }
}
