//! Rollbacks are noticed and never destroy history (issue 11 item 2; docs/vault.md §7): when
//! the vault file is replaced by an older copy (a sync tool, a restore from an old copy), open
//! and reload report it, saves number above every generation present and never overwrite a
//! generation file, and the newer copy can be taken back. A damaged vault's open tries a
//! bounded number of generation files (item 9).

use std::fs;
use std::path::Path;

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{CreateOptions, KdfParams, Unlock, VaultError, VaultFile};
use twofold_core::{Account, Kind, Period, SecretBytes, SecretString};

const PW: &str = "rollback test password";

fn account(n: u8) -> Account {
    Account::new(
        format!("Account {n}"),
        "me",
        SecretBytes::from_slice(&[n; 20]),
        Kind::Totp {
            period: Period::THIRTY,
        },
        0,
    )
}

fn unlock() -> Unlock {
    Unlock::Password(SecretString::from(PW))
}

/// A vault saved until it is at `generation`, one account added per save.
fn vault_at(dir: &Path, generation: u64) -> VaultFile {
    let opts = CreateOptions {
        keychain: false,
        password: Some(PW.into()),
        keychain_and_password: false,
        kdf: KdfParams::MINIMUM,
    };
    let path = dir.join("vault.twofold");
    let (mut vf, _) = VaultFile::create(&path, opts, &MemoryKeyStore::new(), 0).unwrap();
    let mut n = 0;
    while vf.header_info().generation < generation {
        n += 1;
        vf.vault_mut().add(account(n)).unwrap();
        vf.save().unwrap();
    }
    vf
}

fn issuers(vf: &VaultFile) -> Vec<String> {
    vf.vault()
        .accounts()
        .iter()
        .map(|a| a.issuer.clone())
        .collect()
}

#[test]
fn an_older_file_put_in_place_is_reported_and_no_generation_is_overwritten() {
    // See: issue 11 item 2 (list showed the old accounts without a word, and two adds later
    // keep_generation had deleted the generation holding the newer accounts).
    let dir = tempfile::tempdir().unwrap();
    let vf = vault_at(dir.path(), 6);
    let path = vf.path().to_owned();
    assert!(vf.rollback().is_none(), "no rollback in normal use");
    drop(vf);
    let gens = VaultFile::generations(&path).unwrap();
    let numbers: Vec<u64> = gens.iter().map(|g| g.1).collect();
    assert_eq!(numbers, [5, 4, 3, 2, 1]);
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = gens
        .iter()
        .map(|(p, _)| (p.clone(), fs::read(p).unwrap()))
        .collect();

    // What a sync tool or a restore does: an older generation copied over the vault.
    fs::copy(dir.path().join("vault.twofold.gen-3"), &path).unwrap();
    let mut vf = VaultFile::open(&path, &unlock(), &MemoryKeyStore::new()).unwrap();
    assert_eq!(vf.vault().len(), 2);
    let rb = vf.rollback().expect("the rollback is reported");
    assert_eq!((rb.current, rb.newer), (3, 5));
    assert_eq!(
        rb.newer_file.as_deref(),
        Some(dir.path().join("vault.twofold.gen-5").as_path())
    );

    // Nothing is saved on top of the older file while the rollback is unsettled: a save
    // would start pushing the newer generations out of the five kept.
    let vault_bytes = fs::read(&path).unwrap();
    vf.vault_mut().add(account(20)).unwrap();
    assert!(matches!(
        vf.save(),
        Err(VaultError::RolledBack {
            current: 3,
            newer: 5
        })
    ));
    assert_eq!(fs::read(&path).unwrap(), vault_bytes);

    // Keeping the older file settles it: saved above every generation present, and the
    // next saves go through; no generation file changes.
    vf.keep_current().unwrap();
    assert_eq!(vf.header_info().generation, 6);
    vf.vault_mut().add(account(21)).unwrap();
    vf.save().unwrap();
    assert_eq!(vf.header_info().generation, 7);
    for (p, bytes) in &before {
        if p.exists() {
            assert_eq!(
                &fs::read(p).unwrap(),
                bytes,
                "{} was overwritten",
                p.display()
            );
        }
    }
    // The generations holding the newer accounts (4 and 5) are still there.
    for g in [4, 5] {
        let file = dir.path().join(format!("vault.twofold.gen-{g}"));
        let old =
            VaultFile::open_generation(&path, &file, &unlock(), &MemoryKeyStore::new()).unwrap();
        assert_eq!(old.vault().len() as u64, g - 1, "generation {g}");
    }
    assert!(
        vf.rollback().is_none(),
        "after a save the file is the newest again"
    );

    // The newer copy can be taken back without a credential: its accounts become current.
    let gen5 = dir.path().join("vault.twofold.gen-5");
    vf.adopt_generation(&gen5).unwrap();
    assert_eq!(
        issuers(&vf),
        ["Account 1", "Account 2", "Account 3", "Account 4"]
    );
    let reopened = VaultFile::open(&path, &unlock(), &MemoryKeyStore::new()).unwrap();
    assert_eq!(issuers(&reopened), issuers(&vf));
    assert_eq!(reopened.header_info().generation, 8);
}

#[test]
fn a_session_notices_a_file_older_than_it_has_seen() {
    let dir = tempfile::tempdir().unwrap();
    let mut vf = vault_at(dir.path(), 4);
    let path = vf.path().to_owned();
    let older = dir.path().join("older-copy");
    fs::copy(dir.path().join("vault.twofold.gen-2"), &older).unwrap();
    // Generation files gone too (a sync tool that syncs only the vault file).
    for (g, _) in VaultFile::generations(&path).unwrap() {
        fs::remove_file(g).unwrap();
    }
    fs::copy(&older, &path).unwrap();
    vf.reload().unwrap();
    let rb = vf.rollback().expect("the session saw generation 4");
    assert_eq!((rb.current, rb.newer, rb.newer_file), (2, 4, None));
    assert!(rb.in_memory, "the session still holds generation 4");
    vf.restore_newer().unwrap();
    assert_eq!(vf.vault().len(), 3, "the accounts of generation 4 are back");
    assert!(vf.rollback().is_none());
}

#[test]
fn another_process_saving_in_between_is_a_change_on_disk_not_a_rollback() {
    // See: issue 17 (two CLI processes editing one vault: one opened at save 26 while the
    // other saved 27 and 28, found generation file 27 beside its stale view, warned of a
    // rollback and refused to save instead of reporting a change on disk).
    let dir = tempfile::tempdir().unwrap();
    let mut stale = vault_at(dir.path(), 3);
    let path = stale.path().to_owned();
    let mut other = VaultFile::open(&path, &unlock(), &MemoryKeyStore::new()).unwrap();
    for n in 10..12 {
        other.vault_mut().add(account(n)).unwrap();
        other.save().unwrap();
    }
    assert!(
        VaultFile::generations(&path).unwrap()[0].1 > stale.header_info().generation,
        "a generation file newer than the stale session's view"
    );
    assert_eq!(stale.rollback(), None, "the file moved on: not a rollback");
    stale.vault_mut().add(account(20)).unwrap();
    assert!(
        matches!(stale.save(), Err(VaultError::ChangedOnDisk { .. })),
        "refused as a change on disk"
    );
    stale.reload().unwrap();
    assert_eq!(stale.rollback(), None, "after reloading, still no rollback");
    assert_eq!(
        stale.vault().len(),
        4,
        "the other process's two accounts, not the refused one"
    );
}

#[test]
fn a_damaged_vault_tries_a_bounded_number_of_generations() {
    // See: issue 11 item 9 (every vault.gen-* present was tried, with no cap).
    let dir = tempfile::tempdir().unwrap();
    let vf = vault_at(dir.path(), 2);
    let path = vf.path().to_owned();
    drop(vf);
    // One good generation, older than twenty damaged ones.
    let good = dir.path().join("vault.twofold.gen-1");
    assert!(VaultFile::open_generation(&path, &good, &unlock(), &MemoryKeyStore::new()).is_ok());
    let mut garbage = fs::read(&path).unwrap();
    let last = garbage.len() - 1;
    garbage[last] ^= 1;
    for g in 2..22 {
        fs::write(dir.path().join(format!("vault.twofold.gen-{g}")), &garbage).unwrap();
    }
    fs::write(&path, &garbage).unwrap();
    match VaultFile::open(&path, &unlock(), &MemoryKeyStore::new()) {
        Err(VaultError::Damaged { newest_good, .. }) => {
            assert_eq!(newest_good, None, "generation 1 lies beyond the cap")
        }
        other => panic!("expected Damaged, got {other:?}"),
    }
    // Within the cap, the good one is found.
    for g in 9..22 {
        fs::remove_file(dir.path().join(format!("vault.twofold.gen-{g}"))).unwrap();
    }
    match VaultFile::open(&path, &unlock(), &MemoryKeyStore::new()) {
        Err(VaultError::Damaged { newest_good, .. }) => {
            assert_eq!(newest_good.map(|g| g.1), Some(1))
        }
        other => panic!("expected Damaged, got {other:?}"),
    }
}
