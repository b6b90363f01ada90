//! Credential changes revoke the old credential (issue 11 items 1, 5, 6; docs/vault.md §4.3):
//! after a new password, the password removed or a new recovery key, no file in the vault's
//! folder opens with the old credential, and a data key taken from any file made before the
//! change decrypts nothing current. Format 1 vaults are upgraded by their first change.

use std::fs;
use std::path::{Path, PathBuf};

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{CreateOptions, KdfParams, SlotKind, Unlock, VaultError, VaultFile};
use twofold_core::{Account, Kind, Period, SecretBytes, SecretString};

const OLD_PW: &str = "old password";
const NEW_PW: &str = "new password";

fn account(n: u8) -> Account {
    Account::new(
        format!("Issuer {n}"),
        "me",
        SecretBytes::from_slice(&[n; 20]),
        Kind::Totp {
            period: Period::THIRTY,
        },
        0,
    )
}

fn opts(keychain: bool, password: Option<&str>, combined: bool) -> CreateOptions {
    CreateOptions {
        keychain,
        password: password.map(SecretString::from),
        keychain_and_password: combined,
        kdf: KdfParams::MINIMUM,
    }
}

/// A vault with a few saves (so generation files exist), and a copy of the current file put
/// outside the folder ("a backup made before the change").
fn vault_with_history(
    dir: &Path,
    create: CreateOptions,
    store: &MemoryKeyStore,
) -> (VaultFile, String, PathBuf) {
    let path = dir.join("vault").join("vault.twofold");
    let (mut vf, rk) = VaultFile::create(&path, create, store, 0).unwrap();
    for n in 1..=4 {
        vf.vault_mut().add(account(n)).unwrap();
        vf.save().unwrap();
    }
    let outside = dir.join("copy-before-the-change.twofold");
    fs::copy(&path, &outside).unwrap();
    (vf, rk.expose().to_owned(), outside)
}

/// Every regular file in the vault's folder.
fn files_beside(vault: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(vault.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// No file in the folder opens with `old`; the old data key (from the copy outside) opens
/// nothing current.
fn assert_revoked(vault: &Path, old: &Unlock, outside: &Path, store: &MemoryKeyStore) {
    let files = files_beside(vault);
    let vault_files: Vec<&PathBuf> = files
        .iter()
        .filter(|p| VaultFile::inspect(p).is_ok())
        .collect();
    assert!(
        vault_files.len() >= 3,
        "the vault and its generations: {files:?}"
    );
    for f in &vault_files {
        match VaultFile::open_generation(vault, f, old, store) {
            Err(VaultError::WrongCredential | VaultError::NoSlot { .. }) => {}
            Err(e) => panic!("{}: unexpected error {e}", f.display()),
            Ok(_) => panic!("{} still opens with the old credential", f.display()),
        }
    }
    // The copy made before the change still opens with the old credential (nothing can reach
    // it), but its data key decrypts no file in the folder: bound to each file in turn, a
    // session holding the old key cannot reload it.
    for f in &vault_files {
        let mut stale = VaultFile::open_generation(f, outside, old, store)
            .expect("a copy made elsewhere before the change still opens with the old credential");
        assert!(
            matches!(stale.reload(), Err(VaultError::Integrity { .. })),
            "{}: the old data key decrypts it",
            f.display()
        );
    }
}

#[test]
fn a_new_recovery_key_revokes_the_old_one_everywhere_in_the_folder() {
    // See: issue 11 item 1 (the old recovery key opened vault.gen-N, whose data key decrypted
    // the current vault).
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryKeyStore::new();
    let (mut vf, old_rk, outside) =
        vault_with_history(dir.path(), opts(true, Some(OLD_PW), false), &store);
    let path = vf.path().to_owned();
    let generations = VaultFile::generations(&path).unwrap().len();
    assert!(generations >= 4, "{generations} generations");
    let change = vf.regenerate_recovery_key(&store).unwrap();
    let new_rk = change
        .recovery_key
        .expect("the new key")
        .expose()
        .to_owned();
    // Every generation beside the vault after the change (the earlier ones, and the file the
    // change itself kept as one) was sealed again.
    assert_eq!(
        change.resealed,
        VaultFile::generations(&path).unwrap().len(),
        "every generation sealed again"
    );
    assert!(change.removed.is_empty());
    // Accounts added after the change are in the current file only.
    vf.vault_mut().add(account(9)).unwrap();
    vf.save().unwrap();

    assert_revoked(
        &path,
        &Unlock::RecoveryKey(old_rk.as_str().into()),
        &outside,
        &store,
    );
    // The other credentials and the new key open the vault and every generation.
    for unlock in [
        Unlock::RecoveryKey(new_rk.as_str().into()),
        Unlock::Password(OLD_PW.into()),
        Unlock::Keychain,
    ] {
        assert_eq!(
            VaultFile::open(&path, &unlock, &store)
                .unwrap()
                .vault()
                .len(),
            5
        );
        for (g, _) in VaultFile::generations(&path).unwrap() {
            VaultFile::open_generation(&path, &g, &unlock, &store)
                .unwrap_or_else(|e| panic!("{}: {e}", g.display()));
        }
    }
    assert_eq!(VaultFile::inspect(&path).unwrap().version, 2);
}

#[test]
fn a_new_password_revokes_the_old_one_everywhere_in_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryKeyStore::new();
    let (mut vf, rk, outside) =
        vault_with_history(dir.path(), opts(false, Some(OLD_PW), false), &store);
    let path = vf.path().to_owned();
    let change = vf
        .set_password(Some(NEW_PW.into()), KdfParams::MINIMUM, &store)
        .unwrap();
    assert!(change.recovery_key.is_none(), "the recovery key is kept");
    assert_revoked(&path, &Unlock::Password(OLD_PW.into()), &outside, &store);
    for unlock in [
        Unlock::Password(NEW_PW.into()),
        Unlock::RecoveryKey(rk.as_str().into()),
    ] {
        assert_eq!(
            VaultFile::open(&path, &unlock, &store)
                .unwrap()
                .vault()
                .len(),
            4
        );
    }
}

#[test]
fn removing_the_password_revokes_it_and_a_combined_slot_becomes_a_keychain_slot() {
    // See: issue 11 item 6 (keychain+password lost both and became recovery-key-only).
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryKeyStore::new();
    let (mut vf, rk, outside) =
        vault_with_history(dir.path(), opts(true, Some(OLD_PW), true), &store);
    let path = vf.path().to_owned();
    assert_eq!(
        vf.header_info().slots,
        [SlotKind::KeychainAndPassword, SlotKind::RecoveryKey]
    );
    vf.set_password(None, KdfParams::MINIMUM, &store).unwrap();
    assert_eq!(
        VaultFile::inspect(&path).unwrap().slots,
        [SlotKind::Keychain, SlotKind::RecoveryKey]
    );
    assert_eq!(
        VaultFile::open(&path, &Unlock::Keychain, &store)
            .unwrap()
            .vault()
            .len(),
        4
    );
    VaultFile::open(&path, &Unlock::RecoveryKey(rk.as_str().into()), &store).unwrap();
    assert_revoked(&path, &Unlock::Password(OLD_PW.into()), &outside, &store);

    // Without the keychain key, the combined slot cannot become a keychain slot: refused,
    // nothing changed.
    let dir = tempfile::tempdir().unwrap();
    let (vf, _, _) = vault_with_history(dir.path(), opts(true, Some(OLD_PW), true), &store);
    let path = vf.path().to_owned();
    let mut vf2 = VaultFile::open(&path, &Unlock::Password(OLD_PW.into()), &store).unwrap();
    drop(vf);
    let id = vf2.header_info().vault_id;
    use twofold_core::keychain::KeyStore as _;
    store.delete(&id).unwrap();
    // The session still holds the key it opened with (keychain+password), so it works…
    vf2.set_password(None, KdfParams::MINIMUM, &store).unwrap();
    // …and a session that never had it is refused.
    let dir = tempfile::tempdir().unwrap();
    let store2 = MemoryKeyStore::new();
    let (vf, rk, _) = vault_with_history(dir.path(), opts(true, Some(OLD_PW), true), &store2);
    let path = vf.path().to_owned();
    drop(vf);
    let mut by_rk =
        VaultFile::open(&path, &Unlock::RecoveryKey(rk.as_str().into()), &store2).unwrap();
    store2.delete(&by_rk.header_info().vault_id).unwrap();
    let before = fs::read(&path).unwrap();
    assert!(matches!(
        by_rk.set_password(None, KdfParams::MINIMUM, &store2),
        Err(VaultError::KeychainKeyMissing)
    ));
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn the_recovery_key_is_enough_to_set_a_new_password_or_make_a_new_key() {
    // See: issue 11 item 5 (the core half: a session opened with the recovery key changes
    // credentials without the old password).
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryKeyStore::new();
    let (vf, rk, _) = vault_with_history(dir.path(), opts(false, Some(OLD_PW), false), &store);
    let path = vf.path().to_owned();
    drop(vf);
    let mut by_rk =
        VaultFile::open(&path, &Unlock::RecoveryKey(rk.as_str().into()), &store).unwrap();
    by_rk
        .set_password(Some(NEW_PW.into()), KdfParams::MINIMUM, &store)
        .unwrap();
    let change = by_rk.regenerate_recovery_key(&store).unwrap();
    let new_rk = change.recovery_key.unwrap().expose().to_owned();
    VaultFile::open(&path, &Unlock::Password(NEW_PW.into()), &store).unwrap();
    VaultFile::open(&path, &Unlock::RecoveryKey(new_rk.as_str().into()), &store).unwrap();
    assert!(VaultFile::open(&path, &Unlock::RecoveryKey(rk.as_str().into()), &store).is_err());
}

const SAMPLE_V1: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/vault/sample-v1.twofold"
);
const SAMPLE_V1_PASSWORD: &str = "correct horse battery staple";
const SAMPLE_V1_RECOVERY: &str = "YVGZ-PUPN-QERX-3MQC-LU72-RPLB-3II6-GAPU";

#[test]
fn a_format_1_vault_is_upgraded_by_its_first_credential_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryKeyStore::new();
    let path = dir.path().join("vault.twofold");
    fs::copy(SAMPLE_V1, &path).unwrap();
    assert_eq!(VaultFile::inspect(&path).unwrap().version, 1);

    // Ordinary saves keep format 1 (older builds keep reading it).
    let mut vf =
        VaultFile::open(&path, &Unlock::Password(SAMPLE_V1_PASSWORD.into()), &store).unwrap();
    vf.vault_mut().add(account(7)).unwrap();
    vf.save().unwrap();
    assert_eq!(VaultFile::inspect(&path).unwrap().version, 1);

    // Opened with the password: a new password keeps nothing of the old slots that this
    // session cannot re-make, so the recovery key is replaced and said so.
    let change = vf
        .set_password(Some(NEW_PW.into()), KdfParams::MINIMUM, &store)
        .unwrap();
    let new_rk = change
        .recovery_key
        .expect("format 1 recovery slot replaced")
        .expose()
        .to_owned();
    assert_eq!(VaultFile::inspect(&path).unwrap().version, 2);
    assert_eq!(
        VaultFile::open(&path, &Unlock::Password(NEW_PW.into()), &store)
            .unwrap()
            .vault()
            .len(),
        4
    );
    VaultFile::open(&path, &Unlock::RecoveryKey(new_rk.as_str().into()), &store).unwrap();
    assert!(VaultFile::open(
        &path,
        &Unlock::RecoveryKey(SAMPLE_V1_RECOVERY.into()),
        &store
    )
    .is_err());
    assert!(VaultFile::open(&path, &Unlock::Password(SAMPLE_V1_PASSWORD.into()), &store).is_err());

    // Opened with the recovery key: a new recovery key needs the password slot re-made,
    // which this session cannot do: refused, with what to do, nothing changed.
    let path2 = dir.path().join("other.twofold");
    fs::copy(SAMPLE_V1, &path2).unwrap();
    let mut vf = VaultFile::open(
        &path2,
        &Unlock::RecoveryKey(SAMPLE_V1_RECOVERY.into()),
        &store,
    )
    .unwrap();
    let before = fs::read(&path2).unwrap();
    let err = vf.regenerate_recovery_key(&store).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::CredentialNeeded {
                kind: SlotKind::Password
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("unlock it with its password"),
        "{err}"
    );
    assert_eq!(fs::read(&path2).unwrap(), before);
    // …but a new password (replacing that slot) with the recovery key kept works.
    let change = vf
        .set_password(Some(NEW_PW.into()), KdfParams::MINIMUM, &store)
        .unwrap();
    assert!(
        change.recovery_key.is_none(),
        "the recovery key it was opened with is kept"
    );
    VaultFile::open(
        &path2,
        &Unlock::RecoveryKey(SAMPLE_V1_RECOVERY.into()),
        &store,
    )
    .unwrap();
}
