//! The restore drill and automatic backups (docs/backup.md): `backup::compare` finds what a
//! backup lacks or has changed, `auto::due` and `auto::write` keep the newest N files without
//! touching anything else in the folder, and the auto-backup password lives in the vault
//! payload.

use twofold_core::backup::{self, auto, Difference};
use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{Unlock, VaultFile};
use twofold_core::{AccountId, Kind, Period, SecretString};

use crate::util::{backup_pw, keychain_opts, sample_account, FAST};

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
    let file =
        backup::encrypt_with_work_factor(&backup::to_json(&vault, 1), &backup_pw(), FAST).unwrap();
    let restored = backup::from_json(&backup::decrypt(&file, &backup_pw()).unwrap(), 0).unwrap();
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
        let p = auto::write(&d, &accounts, &backup_pw(), t0 + i * 86_400, 2).unwrap();
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
    let back = backup::from_json(&backup::decrypt(&file, &backup_pw()).unwrap(), 0).unwrap();
    assert!(backup::compare(&back.accounts, &accounts).is_empty());
    // A missing folder lists as empty; a failing write is an error, not a silent skip.
    assert!(auto::list(&dir.path().join("nope")).unwrap().is_empty());
    let blocker = dir.path().join("file-not-folder");
    std::fs::write(&blocker, b"x").unwrap();
    assert!(matches!(
        auto::write(&blocker, &accounts, &backup_pw(), t0, 2),
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
