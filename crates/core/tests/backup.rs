//! Twofold backups (docs/backup.md): the JSON schema round trip, age encryption and its
//! interoperability with the Debian `age` binary, hostile and damaged files, the restore
//! drill, automatic backups, the auto-backup password inside the vault payload, and merging
//! imported accounts (merge.rs).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use proptest::prelude::*;
use twofold_core::backup::{self, auto, Difference};
use twofold_core::formats::{self, FormatError};
use twofold_core::keychain::MemoryKeyStore;
use twofold_core::merge::{self, DuplicateChoice};
use twofold_core::vault::{Unlock, Vault, VaultFile};
use twofold_core::{
    Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode, SecretBytes, SecretString,
};

use crate::vault::{keychain_opts, sample_account};

const PASSWORD: &str = "backup pässword 🔑";
/// Cheap scrypt for tests that do not test the work factor itself.
const FAST: u8 = 10;

fn pw() -> SecretString {
    SecretString::from(PASSWORD)
}

fn rich_account() -> Account {
    let mut a = Account::new(
        "Bänk \"quoted\"",
        "bob@example.com",
        SecretBytes::from_slice(b"12345678901234567890"),
        Kind::Hotp { counter: 7 },
        1_700_000_000,
    );
    a.algorithm = Algorithm::Sha256;
    a.digits = Digits::EIGHT;
    a.icon = Some("bank".into());
    a.tags = vec!["money".into(), "work".into()];
    a.favourite = true;
    a.order = 3;
    a.notes = "line 1\nline 2 ✓".into();
    a.recovery_codes = vec![
        RecoveryCode {
            code: SecretString::from("aaaa-bbbb"),
            used: true,
            used_at: Some(1_700_000_100),
        },
        RecoveryCode {
            code: SecretString::from("cccc-dddd"),
            used: false,
            used_at: None,
        },
    ];
    a.updated_at = 1_700_000_200;
    a.last_used_at = Some(1_700_000_300);
    a
}

// ---------------------------------------------------------------- the JSON document

fn arb_kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        (1u64..=86_400).prop_map(|p| Kind::Totp {
            period: Period::new(p).unwrap()
        }),
        any::<u64>().prop_map(|counter| Kind::Hotp { counter }),
        Just(Kind::Steam),
    ]
}

fn arb_account() -> impl Strategy<Value = Account> {
    let text = "(?s)\\PC{0,20}[\n\t\"\\\\\u{0}]?\\PC{0,8}";
    (
        (
            text,
            text,
            proptest::collection::vec(any::<u8>(), 1..64),
            arb_kind(),
            prop_oneof![
                Just(Algorithm::Sha1),
                Just(Algorithm::Sha256),
                Just(Algorithm::Sha512)
            ],
            6u32..=8,
        ),
        (
            proptest::option::of("[a-z0-9-]{1,16}"),
            proptest::collection::vec(text, 0..4),
            any::<bool>(),
            any::<i64>(),
            text,
        ),
        (
            proptest::collection::vec(
                (text, any::<bool>(), proptest::option::of(any::<i64>())),
                0..4,
            ),
            any::<i64>(),
            any::<i64>(),
            proptest::option::of(any::<i64>()),
        ),
    )
        .prop_map(
            |(
                (issuer, name, secret, kind, algorithm, digits),
                (icon, tags, favourite, order, notes),
                (codes, created, updated, last_used),
            )| {
                let mut a = Account::new(issuer, name, SecretBytes::new(secret), kind, created);
                a.algorithm = algorithm;
                a.digits = Digits::new(digits).unwrap();
                a.icon = icon;
                a.tags = tags;
                a.favourite = favourite;
                a.order = order;
                a.notes = notes;
                a.recovery_codes = codes
                    .into_iter()
                    .map(|(code, used, used_at)| RecoveryCode {
                        code: SecretString::from(code),
                        used,
                        used_at,
                    })
                    .collect();
                a.updated_at = updated;
                a.last_used_at = last_used;
                a
            },
        )
}

fn assert_same_accounts(got: &[Account], want: &[Account]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.id, w.id);
        assert_eq!(g.issuer, w.issuer);
        assert_eq!(g.name, w.name);
        assert_eq!(g.secret.to_base32(), w.secret.to_base32());
        assert_eq!(g.kind, w.kind);
        assert_eq!(g.algorithm, w.algorithm);
        assert_eq!(g.digits, w.digits);
        assert_eq!(g.icon, w.icon);
        assert_eq!(g.tags, w.tags);
        assert_eq!(g.favourite, w.favourite);
        assert_eq!(g.order, w.order);
        assert_eq!(g.notes, w.notes);
        assert_eq!(g.recovery_codes, w.recovery_codes);
        assert_eq!(g.created_at, w.created_at);
        assert_eq!(g.updated_at, w.updated_at);
        assert_eq!(g.last_used_at, w.last_used_at);
        // And nothing the field list above forgot.
        assert_eq!(g, w);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    #[test]
    fn json_round_trips_every_field(accounts in proptest::collection::vec(arb_account(), 0..6), now in any::<i64>()) {
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
    let file = backup::encrypt_with_work_factor(&json, &pw(), FAST).unwrap();
    assert!(file.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    assert_eq!(
        backup::decrypt(&file, &pw()).unwrap().as_slice(),
        json.as_slice()
    );

    let mut armored =
        age::armor::ArmoredWriter::wrap_output(Vec::new(), age::armor::Format::AsciiArmor).unwrap();
    armored.write_all(&file).unwrap();
    let armored = armored.finish().unwrap();
    assert!(armored.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    assert_eq!(
        backup::decrypt(&armored, &pw()).unwrap().as_slice(),
        json.as_slice()
    );
    // Through the format registry: detection, then import.
    let (importer, imported) = formats::import_any(&armored, None, Some(&pw()), 0).unwrap();
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
    let files = exporter.export(&accounts, Some(&pw()), 5).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].suffix, ".age");
    let importer = formats::detect(&files[0].bytes).unwrap();
    assert_eq!(importer.id(), "twofold");
    assert_eq!(importer.is_encrypted(&files[0].bytes), Ok(true));
    let back = importer.import(&files[0].bytes, Some(&pw()), 0).unwrap();
    assert_same_accounts(&back.accounts, &accounts);
}

#[test]
fn wrong_password_is_reported_as_such() {
    let file = backup::encrypt_with_work_factor(b"{}", &pw(), FAST).unwrap();
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
    let file = backup::encrypt_with_work_factor(&json, &pw(), FAST).unwrap();
    let header_end = file.windows(4).position(|w| w == b"--- ").unwrap() + 48;
    let mut cases = 0;
    // Every truncation point of the header, and a spread through the body.
    let cuts: Vec<usize> = (0..header_end)
        .chain((header_end..file.len()).step_by(7))
        .collect();
    for cut in cuts {
        let err = backup::decrypt(&file[..cut], &pw()).unwrap_err();
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
        match backup::decrypt(&bad, &pw()) {
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
        backup::decrypt(&long, &pw()),
        Err(FormatError::Malformed { .. })
    ));
    // Not age at all, and age to a public key instead of a passphrase.
    assert!(matches!(
        backup::decrypt(b"hello", &pw()),
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
        let _ = importer.import(&input, Some(&pw()), 0);
        let _ = backup::from_json(&input, 0);
    }
}

#[test]
fn armored_backup_with_leading_whitespace_opens() {
    let file = backup::encrypt_with_work_factor(b"{}", &pw(), FAST).unwrap();
    let mut armored =
        age::armor::ArmoredWriter::wrap_output(b"\n  \n".to_vec(), age::armor::Format::AsciiArmor)
            .unwrap();
    armored.write_all(&file).unwrap();
    let armored = armored.finish().unwrap();
    assert_eq!(backup::decrypt(&armored, &pw()).unwrap().as_slice(), b"{}");
}

#[test]
fn excessive_scrypt_work_factor_is_refused_before_scrypt_runs() {
    let file = backup::encrypt_with_work_factor(b"{}", &pw(), FAST).unwrap();
    let text = file.clone();
    let line_end = text[22..].iter().position(|&b| b == b'\n').unwrap() + 22;
    let line = std::str::from_utf8(&text[22..line_end]).unwrap();
    assert!(line.ends_with(" 10"), "{line}");
    for factor in ["21", "40", "63"] {
        let mut bad = text[..line_end - 2].to_vec();
        bad.extend_from_slice(factor.as_bytes());
        bad.extend_from_slice(&text[line_end..]);
        let started = Instant::now();
        let err = backup::decrypt(&bad, &pw()).unwrap_err();
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
        "the age binary is missing: apt-get install age ({version:?})"
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
fn the_age_binary_decrypts_a_backup_and_the_json_matches() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = vec![rich_account(), sample_account(1), sample_account(2)];
    let json = backup::to_json(&accounts, 1_800_000_000);
    // The real work factor, as users get it.
    let file = backup::encrypt(&json, &pw()).unwrap();
    let input = dir.path().join("backup.age");
    let output = dir.path().join("backup.json");
    std::fs::write(&input, &file).unwrap();
    let out = age_on_pty(
        &format!("-d -o {} {}", shell_quote(&output), shell_quote(&input)),
        &format!("{PASSWORD}\n"),
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
            &format!("{PASSWORD}\n{PASSWORD}\n"),
        );
        assert!(
            out.status.success(),
            "age {flags}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let file = std::fs::read(&out_path).unwrap();
        let imported = formats::importer("twofold")
            .unwrap()
            .import(&file, Some(&pw()), 0)
            .unwrap();
        assert_same_accounts(&imported.accounts, &accounts);
    }
}

// ---------------------------------------------------------------- restore drill

#[test]
fn compare_finds_added_removed_and_changed_accounts() {
    let a = sample_account(1);
    let b = sample_account(2);
    let c = sample_account(3);
    let vault = vec![a.clone(), b.clone(), c.clone()];
    assert!(backup::compare(&vault, &vault).is_empty());

    let mut b_changed = b.clone();
    b_changed.issuer = "Renamed".into();
    b_changed.kind = Kind::Totp {
        period: Period::new(60).unwrap(),
    };
    // `c` restored under another id: matched by token, `id` differs.
    let mut c_other_id = c.clone();
    c_other_id.id = AccountId::random();
    let d = sample_account(4);
    let backup_accounts = vec![a.clone(), b_changed, c_other_id, d.clone()];
    let diff = backup::compare(&backup_accounts, &vault);
    assert_eq!(
        diff,
        vec![
            Difference::Changed {
                label: b.label(),
                fields: vec!["issuer", "period"]
            },
            Difference::Changed {
                label: c.label(),
                fields: vec!["id"]
            },
            Difference::MissingFromVault { label: d.label() },
        ]
    );
    let diff = backup::compare(std::slice::from_ref(&a), &vault);
    assert_eq!(
        diff,
        vec![
            Difference::MissingFromBackup { label: b.label() },
            Difference::MissingFromBackup { label: c.label() },
        ]
    );
    // The drill on a real backup file.
    let file = backup::encrypt_with_work_factor(&backup::to_json(&vault, 1), &pw(), FAST).unwrap();
    let restored = backup::from_json(&backup::decrypt(&file, &pw()).unwrap(), 0).unwrap();
    assert!(backup::compare(&restored.accounts, &vault).is_empty());
    let json = serde_json::to_value(&diff[0]).unwrap();
    assert_eq!(json["kind"], "missing-from-backup");
}

// ---------------------------------------------------------------- automatic backups

#[test]
fn due_table() {
    const DAY: i64 = 86_400;
    let t = 1_800_000_000;
    let table: &[(Option<i64>, i64, i64, bool)] = &[
        (None, t, t, true),
        (None, 0, t, true),
        (Some(t), t + 10, t + DAY, true),
        (Some(t), t + 10, t + DAY - 1, false), // changed, but less than a day
        (Some(t), t, t + 10 * DAY, false),     // a day old, but unchanged
        (Some(t), t - 5, t + 10 * DAY, false), // changed before the backup
        (Some(t + DAY), t + 2 * DAY, t, false), // backup from the future
    ];
    for &(newest, change, now, want) in table {
        assert_eq!(
            auto::due(newest, change, now),
            want,
            "due({newest:?}, {change}, {now})"
        );
    }
}

#[test]
fn write_keeps_n_never_touches_foreign_files_and_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("backups");
    std::fs::create_dir(&d).unwrap();
    let foreign = [
        "notes.txt",
        "twofold-backup-20200101-000000.age.bak",
        "twofold-backup-2020010-0000000.age",
        "twofold-backup-20201301-000000.age",
        "other-backup-20200101-000000.age",
    ];
    for f in foreign {
        std::fs::write(d.join(f), b"keep me").unwrap();
    }
    // An automatic backup name that is a folder, not a file: never deleted either.
    std::fs::create_dir(d.join("twofold-backup-19990101-000000.age")).unwrap();
    let accounts = vec![sample_account(1)];
    let t0 = 1_800_000_000;
    let mut written = Vec::new();
    for i in 0..4 {
        let p = auto::write(&d, &accounts, &pw(), t0 + i * 86_400, 2).unwrap();
        written.push(p);
    }
    let listed = auto::list(&d).unwrap();
    assert_eq!(
        listed,
        vec![
            (written[3].clone(), t0 + 3 * 86_400),
            (written[2].clone(), t0 + 2 * 86_400)
        ]
    );
    assert_eq!(
        written[3].file_name().unwrap().to_str().unwrap(),
        "twofold-backup-20270118-080000.age"
    );
    for f in foreign {
        assert_eq!(std::fs::read(d.join(f)).unwrap(), b"keep me", "{f}");
    }
    assert!(d.join("twofold-backup-19990101-000000.age").is_dir());
    // No temp files left behind.
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), foreign.len() + 1 + 2, "{names:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (p, _) in &listed {
            let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }
    // The newest backup opens and matches.
    let file = std::fs::read(&listed[0].0).unwrap();
    let back = backup::from_json(&backup::decrypt(&file, &pw()).unwrap(), 0).unwrap();
    assert!(backup::compare(&back.accounts, &accounts).is_empty());
    // A missing folder lists as empty; a failing write is an error, not a silent skip.
    assert!(auto::list(&dir.path().join("nope")).unwrap().is_empty());
    let blocker = dir.path().join("file-not-folder");
    std::fs::write(&blocker, b"x").unwrap();
    assert!(matches!(
        auto::write(&blocker, &accounts, &pw(), t0, 2),
        Err(auto::AutoBackupError::Io { .. })
    ));
}

// ---------------------------------------------------------------- payload extension

#[test]
fn vault_with_and_without_the_auto_backup_password_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    let (mut vf, _rk) = VaultFile::create(&path, keychain_opts(), &store, 1).unwrap();
    vf.vault_mut().add(sample_account(1)).unwrap();
    vf.save().unwrap();
    let reopened = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(reopened.vault().auto_backup_password(), None);
    assert_eq!(reopened.vault().len(), 1);

    vf.vault_mut()
        .set_auto_backup_password(Some(SecretString::from("auto pw ✓")));
    vf.save().unwrap();
    let reopened = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(
        reopened.vault().auto_backup_password(),
        Some(&SecretString::from("auto pw ✓"))
    );
    assert_eq!(reopened.vault(), vf.vault());

    vf.vault_mut().set_auto_backup_password(None);
    vf.save().unwrap();
    let reopened = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(reopened.vault().auto_backup_password(), None);
    assert_eq!(reopened.vault().len(), 1);
}

// ---------------------------------------------------------------- merge

fn totp(issuer: &str, n: u32) -> Account {
    let mut a = sample_account(n);
    a.issuer = issuer.into();
    a
}

#[test]
fn merge_skip_replace_keep_both() {
    let base = || {
        let mut v = Vault::new();
        let mut h = sample_account(10);
        h.kind = Kind::Hotp { counter: 40 };
        h.order = 5;
        v.add(totp("Existing", 1)).unwrap();
        v.add(h).unwrap();
        v
    };
    let incoming = || {
        let mut h = sample_account(10);
        h.issuer = "Hotp from file".into();
        h.kind = Kind::Hotp { counter: 12 };
        vec![
            totp("Dup of existing", 1), // duplicates the vault
            totp("New", 2),
            totp("New again", 2), // duplicates an earlier incoming account
            h,                    // duplicates the vault HOTP, lower counter
        ]
    };

    // Skip.
    let mut v = base();
    let plan = merge::plan(v.accounts(), incoming());
    assert_eq!(
        plan.iter()
            .map(|i| (i.duplicate_of.is_some(), i.duplicate_in_file))
            .collect::<Vec<_>>(),
        [(true, false), (false, false), (false, true), (true, false)]
    );
    let s = merge::apply(&mut v, plan, |_, _| DuplicateChoice::Skip).unwrap();
    assert_eq!((s.added, s.replaced, s.skipped_duplicates), (1, 0, 3));
    assert_eq!(v.len(), 3);
    assert_eq!(v.accounts()[2].issuer, "New");
    assert_eq!(
        v.accounts()[2].order,
        6,
        "added after the existing accounts"
    );

    // Replace: ids, order and created_at of the vault stay; the larger counter wins.
    let mut v = base();
    let ids: Vec<AccountId> = v.accounts().iter().map(|a| a.id.clone()).collect();
    let plan = merge::plan(v.accounts(), incoming());
    let s = merge::apply(&mut v, plan, |_, _| DuplicateChoice::Replace).unwrap();
    assert_eq!((s.added, s.replaced, s.skipped_duplicates), (1, 2, 1));
    assert_eq!(v.get(&ids[0]).unwrap().issuer, "Dup of existing");
    let h = v.get(&ids[1]).unwrap();
    assert_eq!(h.issuer, "Hotp from file");
    assert_eq!((h.order, h.kind), (5, Kind::Hotp { counter: 40 }));

    // Keep both: every incoming account is added, duplicates with fresh ids.
    let mut v = base();
    let plan = merge::plan(v.accounts(), incoming());
    let dup_id = plan[0].account.id.clone();
    let s = merge::apply(&mut v, plan, |_, _| DuplicateChoice::KeepBoth).unwrap();
    assert_eq!((s.added, s.replaced, s.skipped_duplicates), (4, 0, 0));
    assert_eq!(v.len(), 6);
    assert!(v.get(&dup_id).is_none(), "keep-both gets a fresh id");

    // The choice is asked per duplicate, and only for duplicates.
    let mut v = base();
    let plan = merge::plan(v.accounts(), incoming());
    let asked = std::cell::RefCell::new(Vec::new());
    merge::apply(&mut v, plan, |_, i| {
        asked.borrow_mut().push(i.account.issuer.clone());
        DuplicateChoice::Skip
    })
    .unwrap();
    assert_eq!(
        asked.into_inner(),
        ["Dup of existing", "New again", "Hotp from file"]
    );
}

#[test]
fn restoring_a_backup_into_an_empty_vault_keeps_ids_and_order() {
    let accounts = vec![rich_account(), sample_account(1), sample_account(2)];
    let json = backup::to_json(&accounts, 1);
    let imported = backup::from_json(&json, 0).unwrap();
    let mut v = Vault::new();
    let plan = merge::plan(v.accounts(), imported.accounts);
    let s = merge::apply(&mut v, plan, |_, _| DuplicateChoice::Skip).unwrap();
    assert_eq!(s.added, 3);
    assert!(backup::compare(&accounts, v.accounts()).is_empty());
}
