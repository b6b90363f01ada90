//! The OS keychain (docs/reference/security-brief.md K2–K4).
//!
//! - Without a Secret Service (a session bus address that points nowhere), the keychain
//!   fails fast with `Unavailable`, creating a keychain vault writes nothing, and a password
//!   vault leaves no key file behind. This runs everywhere.
//! - Against a real Secret Service (`#[ignore]`d here; `scripts/test.sh` runs them inside a
//!   private D-Bus session with gnome-keyring): keychain unlock, fallback to password and
//!   recovery key after the item is deleted, and keychain+password mode.

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use twofold_core::keychain::{KeyStore, KeychainError, NoKeyStore, OsKeyStore};
use twofold_core::vault::{CreateOptions, KdfParams, SlotKind, Unlock, VaultError, VaultFile};

use crate::util::{keychain_opts, password_opts, sample_account, PASSWORD};

const NO_BUS_CHILD: &str = "TWOFOLD_TEST_NO_BUS_DIR";

#[cfg(target_os = "linux")]
#[test]
fn without_a_secret_service_the_keychain_fails_fast_and_nothing_is_written() {
    if let Ok(dir) = std::env::var(NO_BUS_CHILD) {
        // Child mode: DBUS_SESSION_BUS_ADDRESS points at a socket that does not exist.
        let dir = std::path::PathBuf::from(dir);
        let start = Instant::now();
        let store: Box<dyn KeyStore> = match OsKeyStore::new() {
            Ok(s) => {
                let err = s.probe().unwrap_err();
                assert!(matches!(err, KeychainError::Unavailable(_)), "{err:?}");
                Box::new(s)
            }
            Err(e) => {
                assert!(matches!(e, KeychainError::Unavailable(_)), "{e:?}");
                Box::new(NoKeyStore::new(e))
            }
        };
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "took {:?}",
            start.elapsed()
        );
        let path = dir.join("vault");
        let err = VaultFile::create(&path, keychain_opts(), store.as_ref(), 0).unwrap_err();
        assert!(
            matches!(
                err,
                VaultError::KeychainUnavailable(KeychainError::Unavailable(_))
            ),
            "{err:?}"
        );
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            0,
            "a failed keychain create wrote files"
        );
        // The caller's fallback: a password vault. The directory then holds the vault and
        // its (empty) lock file, and no key file.
        let (mut vf, _) =
            VaultFile::create(&path, password_opts(PASSWORD), store.as_ref(), 0).unwrap();
        vf.vault_mut().add(sample_account(1)).unwrap();
        vf.save().unwrap();
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["vault", "vault.gen-1", "vault.lock"]);
        assert_eq!(fs::metadata(dir.join("vault.lock")).unwrap().len(), 0);
        let err = VaultFile::open(&path, &Unlock::Keychain, store.as_ref()).unwrap_err();
        assert!(
            matches!(
                err,
                VaultError::NoSlot {
                    kind: SlotKind::Keychain
                }
            ),
            "{err:?}"
        );
        VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), store.as_ref()).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "keychain::without_a_secret_service_the_keychain_fails_fast_and_nothing_is_written",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(NO_BUS_CHILD, dir.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-such-bus", dir.path().display()),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn os_store() -> OsKeyStore {
    let store = OsKeyStore::new()
        .expect("this test needs a Secret Service (run it through scripts/test.sh)");
    store.probe().expect("the keychain probe must pass");
    assert!(store.is_persistent());
    store
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test.sh"]
fn os_keychain_vault_falls_back_to_password_and_recovery_key() {
    let store = os_store();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault");
    let opts = CreateOptions {
        keychain: true,
        ..password_opts(PASSWORD)
    };
    let (mut vf, rk) = VaultFile::create(&path, opts, &store, 0).unwrap();
    vf.vault_mut().add(sample_account(1)).unwrap();
    vf.save().unwrap();
    let id = vf.header_info().vault_id;
    assert!(store.get(&id).unwrap().is_some());
    let reopened = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(reopened.vault(), vf.vault());
    store.delete(&id).unwrap();
    assert_eq!(store.get(&id).unwrap(), None);
    let err = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap_err();
    assert!(matches!(err, VaultError::KeychainKeyMissing), "{err:?}");
    assert_eq!(
        VaultFile::open(&path, &rk.to_unlock(), &store)
            .unwrap()
            .vault(),
        vf.vault()
    );
    assert_eq!(
        VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), &store)
            .unwrap()
            .vault(),
        vf.vault()
    );
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test.sh"]
fn os_keychain_and_password_needs_the_right_password() {
    let store = os_store();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault");
    let opts = CreateOptions {
        keychain_and_password: true,
        kdf: KdfParams::MINIMUM,
        ..password_opts(PASSWORD)
    };
    let (vf, rk) = VaultFile::create(&path, opts, &store, 0).unwrap();
    let id = vf.header_info().vault_id;
    VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), &store).unwrap();
    let err =
        VaultFile::open(&path, &Unlock::Password("not the password".into()), &store).unwrap_err();
    assert!(matches!(err, VaultError::WrongCredential), "{err:?}");
    let err = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::NoSlot {
                kind: SlotKind::Keychain
            }
        ),
        "{err:?}"
    );
    store.delete(&id).unwrap();
    let err = VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), &store).unwrap_err();
    assert!(matches!(err, VaultError::KeychainKeyMissing), "{err:?}");
    VaultFile::open(&path, &rk.to_unlock(), &store).unwrap();
}
