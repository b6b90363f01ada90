//! Settings commands: read and replace the user's settings (docs/ipc.md "Types",
//! `Settings`), stored as JSON in the app's config directory with mode 0600 (no secrets in
//! it). A changed global shortcut is re-registered at once.

use tauri::{AppHandle, Runtime, State};

use crate::error::{IpcError, IpcResult};
use crate::shortcut;
use crate::state::{self, VaultState};
use crate::views::Settings;

/// The current settings (defaults until the user changes one).
#[tauri::command]
pub async fn get_settings(vault: State<'_, VaultState>) -> IpcResult<Settings> {
    Ok(state::lock(&vault).settings.clone())
}

/// Validates, stores and applies new settings; returns them as stored. Everything is checked
/// before anything is stored: a refused request changes nothing.
#[tauri::command]
pub async fn set_settings<R: Runtime>(
    app: AppHandle<R>,
    vault: State<'_, VaultState>,
    settings: Settings,
) -> IpcResult<Settings> {
    let mut settings = settings;
    // The backup folder is set only through `set_auto_backup_folder` (a native chooser and a
    // confirmation): whatever the page sends here is replaced by the stored folder before the
    // checks, which therefore judge what will be stored (issue 11 item 4).
    settings.auto_backup_dir = state::lock(&vault).settings.auto_backup_dir.clone();
    settings.global_shortcut = settings
        .global_shortcut
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    settings.validate().map_err(IpcError::InvalidInput)?;
    if let Some(text) = settings.global_shortcut.as_deref() {
        shortcut::check(text).map_err(IpcError::InvalidInput)?;
    }
    let old = {
        let mut s = state::lock(&vault);
        let old = std::mem::replace(&mut s.settings, settings.clone());
        if let Err(e) = s.save_settings() {
            s.settings = old;
            return Err(IpcError::Internal(e));
        }
        old
    };
    if old.global_shortcut != settings.global_shortcut {
        shortcut::replace(
            &app,
            old.global_shortcut.as_deref(),
            settings.global_shortcut.as_deref(),
        )
        .map_err(IpcError::InvalidInput)?;
    }
    Ok(settings)
}
