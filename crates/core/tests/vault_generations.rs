//! The vault file and other writers (docs/vault.md; docs/reference/security-brief.md S2–S4,
//! S6): a reload picks up another writer's save, a save refuses when the file changed on disk,
//! the last five generations are kept and the newest good one is offered when the vault is
//! damaged, leftover temporary files are cleaned, and files and folders are private even
//! under umask 000.

use std::fs;
use std::path::{Path, PathBuf};

use twofold_core::keychain::{KeyStore, MemoryKeyStore};
use twofold_core::vault::{Unlock, VaultError, VaultFile};

use crate::util::{keychain_opts, sample_account, small_vault, tempdir};

#[test]
fn reload_picks_up_another_writer_without_a_credential() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let mut app = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert!(!app.changed_on_disk().unwrap());
    let mut cli = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    cli.vault_mut().add(sample_account(7)).unwrap();
    cli.save().unwrap();
    assert!(app.changed_on_disk().unwrap());
    // The keychain item is gone: a reload must not need it (it reuses the data key).
    store.delete(&app.header_info().vault_id).unwrap();
    app.reload().unwrap();
    assert!(!app.changed_on_disk().unwrap());
    assert_eq!(app.vault(), cli.vault());
    app.vault_mut().add(sample_account(8)).unwrap();
    app.save().unwrap();
    assert_eq!(
        app.header_info().generation,
        cli.header_info().generation + 1
    );
}

#[test]
fn reload_refuses_another_vault_and_keeps_the_state() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let mut app = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let before = app.vault().clone();
    let other_dir = tempdir();
    let (other, _, _, _) = small_vault(other_dir.path());
    fs::copy(&other, &path).unwrap();
    let err = app.reload().unwrap_err();
    assert!(matches!(err, VaultError::Integrity { .. }), "{err:?}");
    assert_eq!(app.vault(), &before);
}

// ---------------------------------------------------------------- change detection, generations (S2–S4)

#[test]
fn save_refuses_when_the_file_changed_on_disk() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    let mut a = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let mut b = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    a.vault_mut().add(sample_account(2)).unwrap();
    a.save().unwrap();
    b.vault_mut().add(sample_account(3)).unwrap();
    let before = fs::read(&path).unwrap();
    let err = b.save().unwrap_err();
    assert!(
        matches!(&err, VaultError::ChangedOnDisk { path: p } if *p == path),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "vault changed on disk since it was opened; reopen and try again"
    );
    assert_eq!(
        fs::read(&path).unwrap(),
        before,
        "a refused save must not write"
    );
    // After reopening, the save goes through and keeps both accounts.
    let mut b = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    b.vault_mut().add(sample_account(3)).unwrap();
    b.save().unwrap();
    assert_eq!(
        VaultFile::open(&path, &Unlock::Keychain, &store)
            .unwrap()
            .vault()
            .len(),
        3
    );
}

#[test]
fn keeps_five_generations_and_offers_the_newest_good_one() {
    let dir = tempdir();
    let (path, store, rk, _) = small_vault(dir.path());
    let mut vf = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    let mut snapshots = std::collections::HashMap::new();
    snapshots.insert(vf.header_info().generation, vf.vault().clone());
    for n in 10..18 {
        vf.vault_mut().add(sample_account(n)).unwrap();
        vf.save().unwrap();
        snapshots.insert(vf.header_info().generation, vf.vault().clone());
    }
    let current = vf.header_info().generation;
    assert_eq!(current, 10);
    let gens = VaultFile::generations(&path).unwrap();
    let numbers: Vec<u64> = gens.iter().map(|g| g.1).collect();
    assert_eq!(numbers, [9, 8, 7, 6, 5]);
    for (p, g) in &gens {
        assert_eq!(VaultFile::inspect(p).unwrap().generation, *g);
    }
    // Corrupt the current file in its ciphertext.
    let mut bytes = fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 40] ^= 0x01;
    fs::write(&path, &bytes).unwrap();
    let err = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap_err();
    let (good_path, good_gen) = match &err {
        VaultError::Damaged {
            path: p,
            newest_good: Some(ng),
        } if *p == path => ng.clone(),
        other => panic!("expected Damaged, got {other:?}"),
    };
    assert_eq!(good_gen, 9);
    assert!(err.to_string().contains("generation 9"), "{err}");
    // The recovery key finds the same generation.
    let err = VaultFile::open(&path, &Unlock::RecoveryKey(rk.clone().into()), &store).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::Damaged {
                newest_good: Some((_, 9)),
                ..
            }
        ),
        "{err:?}"
    );
    let old = VaultFile::open_generation(&path, &good_path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(old.vault(), &snapshots[&9]);
    let mut restored =
        VaultFile::restore_generation(&path, &good_path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(restored.vault(), &snapshots[&9]);
    assert!(dir.path().join("vault.damaged").exists());
    let reopened = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(reopened.vault(), &snapshots[&9]);
    // And the restored vault saves normally.
    restored.vault_mut().add(sample_account(99)).unwrap();
    restored.save().unwrap();
    assert_eq!(
        VaultFile::open(&path, &Unlock::Keychain, &store)
            .unwrap()
            .vault()
            .len(),
        snapshots[&9].len() + 1
    );
}

#[test]
fn damage_without_generations_is_reported_as_such() {
    let dir = tempdir();
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    VaultFile::create(&path, keychain_opts(), &store, 0).unwrap();
    let mut bytes = fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 0x80;
    fs::write(&path, &bytes).unwrap();
    let err = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap_err();
    assert!(matches!(err, VaultError::Integrity { .. }), "{err:?}");
}

#[test]
fn leftover_temp_files_are_cleaned_and_ignored() {
    let dir = tempdir();
    let (path, store, _, _) = small_vault(dir.path());
    fs::write(dir.path().join("vault.tmp-deadbeef"), b"half a save").unwrap();
    let mut vf = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    vf.save().unwrap();
    assert!(!dir.path().join("vault.tmp-deadbeef").exists());
}

#[cfg(unix)]
#[test]
fn files_are_0600_and_directories_0700_even_under_umask_000() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;
    const ENV: &str = "TWOFOLD_TEST_UMASK_DIR";
    if let Ok(dir) = std::env::var(ENV) {
        // Child mode: runs under umask 000.
        let path = Path::new(&dir).join("nested/deeper/vault");
        let store = MemoryKeyStore::new();
        let (mut vf, _) = VaultFile::create(&path, keychain_opts(), &store, 0).unwrap();
        vf.save().unwrap();
        return;
    }
    let dir = tempdir();
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" --exact vault_generations::files_are_0600_and_directories_0700_even_under_umask_000 --test-threads=1")
        .arg(&exe)
        .env(ENV, dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let base = dir.path().join("nested");
    assert_eq!(mode(&base), 0o700);
    assert_eq!(mode(&base.join("deeper")), 0o700);
    let files: Vec<PathBuf> = fs::read_dir(base.join("deeper"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"vault".to_owned())
            && names.contains(&"vault.gen-1".to_owned())
            && names.contains(&"vault.lock".to_owned()),
        "{names:?}"
    );
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
}
