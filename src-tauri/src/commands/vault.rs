//! Vault commands: status, first-run creation, unlock, lock, password and recovery-key
//! management, and the activity ping for auto-lock (IPC.md "Commands"; security.md K1–K5).
//!
//! The recovery key is returned once, by `create_vault` and `regenerate_recovery_key` (SHOW).
//! Changing credentials re-authenticates with the password when the vault has one (K5).

use std::time::Instant;

use tauri::State;
use twofold_core::vault::{CreateOptions, SlotKind, Unlock, VaultFile};
use twofold_core::SecretString;
use zeroize::Zeroizing;

use crate::clipboard::Clipboard;
use crate::commands::{bounded, now_i64};
use crate::error::{IpcError, IpcResult};
use crate::state::{self, AppVault, VaultState};
use crate::views::{RecoveryKeyView, VaultStatus};

/// Longest password or recovery key accepted.
const MAX_PASSWORD_LEN: usize = 4096;

/// A non-empty secret argument, bounded, as a [`SecretString`]; the argument's copy is wiped.
fn secret_arg(what: &str, value: Option<String>) -> IpcResult<Option<SecretString>> {
    let Some(value) = value.map(Zeroizing::new) else {
        return Ok(None);
    };
    bounded(what, &value, MAX_PASSWORD_LEN)?;
    if value.is_empty() {
        return Ok(None);
    }
    Ok(Some(SecretString::new(value.as_str().to_owned())))
}

/// Whether the vault has a slot that takes a password.
fn has_password_slot(file: &VaultFile) -> bool {
    file.header_info()
        .slots
        .iter()
        .any(|s| matches!(s, SlotKind::Password | SlotKind::KeychainAndPassword))
}

/// Re-authentication before showing a secret or changing credentials: when the vault has a
/// password, `password` must open it.
///
/// # Errors
/// [`IpcError::Locked`], or [`IpcError::WrongPassword`] when the password is missing or wrong.
pub fn reauthenticate(s: &mut AppVault, password: Option<String>) -> IpcResult<()> {
    let password = secret_arg("password", password)?;
    let keystore = s.keystore();
    let file = s.file()?;
    if !has_password_slot(file) {
        return Ok(());
    }
    let Some(password) = password else {
        return Err(IpcError::WrongPassword(
            "this needs the vault password".into(),
        ));
    };
    file.check_unlock(&Unlock::Password(password), keystore.as_ref())
        .map_err(IpcError::from)
}

/// The vault's state: none, locked (and what unlocking needs) or unlocked.
#[tauri::command]
pub async fn vault_status(vault: State<'_, VaultState>) -> IpcResult<VaultStatus> {
    Ok(state::lock(&vault).status())
}

/// Creates the vault (keychain by default, optional password, always a recovery key) and
/// returns the recovery key to show once.
#[tauri::command]
pub async fn create_vault(
    vault: State<'_, VaultState>,
    password: Option<String>,
    use_keychain: bool,
) -> IpcResult<RecoveryKeyView> {
    let password = secret_arg("password", password)?;
    let mut s = state::lock(&vault);
    if s.path().exists() {
        return Err(IpcError::invalid(format!(
            "a vault already exists at {}",
            s.path().display()
        )));
    }
    if use_keychain {
        if let Some(why) = s.keychain_error() {
            return Err(IpcError::Keychain(format!(
                "the OS keychain is unavailable ({why}); untick the keychain and choose a password"
            )));
        }
    }
    if !use_keychain && password.is_none() {
        return Err(IpcError::invalid(
            "choose a password when the keychain is not used",
        ));
    }
    let keystore = s.keystore();
    let opts = CreateOptions {
        keychain: use_keychain,
        password: password.clone(),
        keychain_and_password: false,
        kdf: s.kdf,
    };
    let path = s.path().to_owned();
    let (file, recovery) = VaultFile::create(&path, opts, keystore.as_ref(), now_i64())?;
    s.install(file);
    Ok(RecoveryKeyView {
        recovery_key: recovery.expose().to_owned(),
    })
}

/// Unlocks with the password, the recovery key, or (both `null`) the keychain.
#[tauri::command]
pub async fn unlock(
    vault: State<'_, VaultState>,
    password: Option<String>,
    recovery_key: Option<String>,
) -> IpcResult<VaultStatus> {
    let password = secret_arg("password", password)?;
    let recovery_key = secret_arg("recovery key", recovery_key)?;
    let mut s = state::lock(&vault);
    if !s.path().exists() {
        return Err(IpcError::Locked(format!(
            "there is no vault at {} yet; create one first",
            s.path().display()
        )));
    }
    if !s.is_unlocked() {
        let unlock = match (password, recovery_key) {
            (Some(p), _) => Unlock::Password(p),
            (None, Some(r)) => Unlock::RecoveryKey(r),
            (None, None) => Unlock::Keychain,
        };
        s.open(unlock)?;
    }
    Ok(s.status())
}

/// Locks: wipes the vault from memory and clears our clipboard content.
#[tauri::command]
pub async fn lock(
    vault: State<'_, VaultState>,
    clipboard: State<'_, Clipboard>,
) -> IpcResult<VaultStatus> {
    let status = {
        let mut s = state::lock(&vault);
        s.lock(Some("locked".into()));
        s.status()
    };
    clipboard.clear_ours();
    Ok(status)
}

/// Sets, changes or (with `password: null`) removes the password. `current` is required
/// when the vault has a password. Removing it is refused if it would leave the vault
/// keychain-only (security.md K1).
#[tauri::command]
pub async fn set_password(
    vault: State<'_, VaultState>,
    current: Option<String>,
    password: Option<String>,
) -> IpcResult<VaultStatus> {
    let new = secret_arg("new password", password)?;
    let mut s = state::lock(&vault);
    reauthenticate(&mut s, current)?;
    let kdf = s.kdf;
    s.with_file_save(|f| f.set_password(new.clone(), kdf))?;
    s.last_activity = Instant::now();
    Ok(s.status())
}

/// Replaces the recovery key and returns the new one to show once (SHOW). Needs the password
/// when the vault has one.
#[tauri::command]
pub async fn regenerate_recovery_key(
    vault: State<'_, VaultState>,
    password: Option<String>,
) -> IpcResult<RecoveryKeyView> {
    let mut s = state::lock(&vault);
    reauthenticate(&mut s, password)?;
    let key = s.with_file_save(|f| f.regenerate_recovery_key())?;
    s.last_activity = Instant::now();
    Ok(RecoveryKeyView {
        recovery_key: key.expose().to_owned(),
    })
}

/// The UI's "the user did something" ping, for auto-lock.
#[tauri::command]
pub async fn activity(vault: State<'_, VaultState>) -> IpcResult<()> {
    state::lock(&vault).last_activity = Instant::now();
    Ok(())
}
