//! Vault commands: status, first-run creation, unlock, lock, password and recovery-key
//! management, and the activity ping for auto-lock (docs/ipc.md "Commands"; security.md K1–K5).
//!
//! The recovery key is returned once, by `create_vault` and `regenerate_recovery_key` (SHOW).
//! Changing credentials re-authenticates with the password, or the recovery key, when the vault
//! has a password (K5; issue 11 item 5), and rotates the data key (core's `credentials.rs`).

use std::time::Instant;

use tauri::State;
use twofold_core::vault::{CreateOptions, CredentialChange, SlotKind, Unlock, VaultFile};
use twofold_core::SecretString;
use zeroize::Zeroizing;

use crate::clipboard::Clipboard;
use crate::commands::{bounded, now_i64};
use crate::error::{IpcError, IpcResult};
use crate::native::{self, Dialogs};
use crate::state::{self, AppVault, VaultState};
use crate::views::{CredentialChangeView, RecoveryKeyView, VaultStatus};

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
    reauthenticate_with(s, password, false)
}

/// [`reauthenticate`], also accepting the recovery key in place of the password: a user who
/// unlocked with the recovery key (the password forgotten) can still set a new password or
/// make a new recovery key (issue 11 item 5).
fn reauthenticate_with(
    s: &mut AppVault,
    credential: Option<String>,
    recovery_key_too: bool,
) -> IpcResult<()> {
    let credential = secret_arg("password", credential)?;
    let keystore = s.keystore();
    let file = s.file()?;
    if !has_password_slot(file) {
        return Ok(());
    }
    let Some(credential) = credential else {
        return Err(IpcError::WrongPassword(if recovery_key_too {
            "this needs the vault password or the recovery key".into()
        } else {
            "this needs the vault password".into()
        }));
    };
    let by_password = file.check_unlock(&Unlock::Password(credential.clone()), keystore.as_ref());
    match by_password {
        Err(twofold_core::vault::VaultError::WrongCredential) if recovery_key_too => file
            .check_unlock(&Unlock::RecoveryKey(credential), keystore.as_ref())
            .map_err(IpcError::from),
        other => other.map_err(IpcError::from),
    }
}

/// What a credential change did, for the UI.
fn change_view(s: &mut AppVault, change: CredentialChange) -> CredentialChangeView {
    CredentialChangeView {
        status: s.status(),
        recovery_key: change.recovery_key.map(|k| k.expose().to_owned()),
        copies_resealed: change.resealed,
        copies_removed: change.removed.len(),
    }
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

/// Sets, changes or (with `password: null`) removes the password, rotating the data key.
/// `current` (the password, or the recovery key) is required when the vault has a password.
/// Removing it is refused if it would leave the vault keychain-only (security.md K1); from a
/// keychain+password vault it leaves a keychain vault. A new password is a new way into the
/// vault file, so a native confirmation raised here, not by the page, precedes any change
/// (issue 11 item 4).
#[tauri::command]
pub async fn set_password(
    vault: State<'_, VaultState>,
    dialogs: State<'_, Dialogs>,
    current: Option<String>,
    password: Option<String>,
) -> IpcResult<CredentialChangeView> {
    let new = secret_arg("new password", password)?;
    let had_password = {
        let mut s = state::lock(&vault);
        reauthenticate_with(&mut s, current, true)?;
        has_password_slot(s.file()?)
    };
    let (title, message, action) = match (&new, had_password) {
        (Some(_), false) => (
            "Set a vault password",
            "Set a password for the vault? It will open the vault file on any computer.".to_owned(),
            "Set password",
        ),
        (Some(_), true) => (
            "Change the vault password",
            "Change the vault password? The old one stops opening the files in the vault's \
             folder; copies made before (backups, sync history) still open with it."
                .to_owned(),
            "Change password",
        ),
        (None, _) => (
            "Remove the vault password",
            "Remove the vault password? The vault then opens with the keychain or the recovery \
             key only."
                .to_owned(),
            "Remove password",
        ),
    };
    confirm_change(&dialogs, title, message, action).await?;
    let mut s = state::lock(&vault);
    let kdf = s.kdf;
    let keystore = s.keystore();
    let change = s.with_file_save(|f| f.set_password(new.clone(), kdf, keystore.as_ref()))?;
    s.last_activity = Instant::now();
    Ok(change_view(&mut s, change))
}

/// Replaces the recovery key, rotating the data key, and returns the new one to show once
/// (SHOW). Needs the password (or the current recovery key) when the vault has a password, and
/// a native confirmation: the new key opens the vault file (issue 11 item 4).
#[tauri::command]
pub async fn regenerate_recovery_key(
    vault: State<'_, VaultState>,
    dialogs: State<'_, Dialogs>,
    password: Option<String>,
) -> IpcResult<CredentialChangeView> {
    {
        let mut s = state::lock(&vault);
        reauthenticate_with(&mut s, password, true)?;
    }
    confirm_change(
        &dialogs,
        "New recovery key",
        "Make a new recovery key and show it once? The old key stops opening the files in the \
         vault's folder; copies made before (backups, sync history) still open with it."
            .to_owned(),
        "Make new key",
    )
    .await?;
    let mut s = state::lock(&vault);
    let keystore = s.keystore();
    let change = s.with_file_save(|f| f.regenerate_recovery_key(keystore.as_ref()))?;
    s.last_activity = Instant::now();
    Ok(change_view(&mut s, change))
}

/// [`native::confirm`] for a credential change, whose refusal changes nothing.
async fn confirm_change(
    dialogs: &Dialogs,
    title: &str,
    message: String,
    action: &str,
) -> IpcResult<()> {
    native::confirm(dialogs, title, message, action)
        .await
        .map_err(|e| match e {
            IpcError::Cancelled(_) => IpcError::Cancelled("cancelled: nothing changed".into()),
            other => other,
        })
}

/// After a rollback (an older vault file put in place), takes the newest copy kept beside the
/// vault back: its accounts are saved as a new generation, with the data key in memory, and
/// the older file stays beside it as a generation too (issue 11 item 2).
#[tauri::command]
pub async fn restore_newer_copy(vault: State<'_, VaultState>) -> IpcResult<VaultStatus> {
    let mut s = state::lock(&vault);
    s.with_file_save(VaultFile::restore_newer)?;
    s.last_activity = Instant::now();
    Ok(s.status())
}

/// After a rollback, keeps the older vault file's accounts: they are saved as a new generation
/// and changes save again; the newer copies stay beside the vault as earlier generations
/// (issue 11 item 2). Until this or `restore_newer_copy`, every save is refused.
#[tauri::command]
pub async fn keep_current_copy(vault: State<'_, VaultState>) -> IpcResult<VaultStatus> {
    let mut s = state::lock(&vault);
    s.with_file_save(VaultFile::keep_current)?;
    s.last_activity = Instant::now();
    Ok(s.status())
}

/// The UI's "the user did something" ping, for auto-lock.
#[tauri::command]
pub async fn activity(vault: State<'_, VaultState>) -> IpcResult<()> {
    state::lock(&vault).last_activity = Instant::now();
    Ok(())
}
