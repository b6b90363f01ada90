//! The background watcher: auto-lock after idle time (security.md D4), expiry of the undo
//! buffer, and noticing vault changes made by another process (the CLI) so the UI re-fetches
//! ("vault-changed") instead of overwriting them (security.md S4).
//!
//! One thread ticks every second; the file check (metadata first, hash only when it
//! changed) runs every other tick and whenever the window gains focus.

use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::clipboard::Clipboard;
use crate::state::{self, DiskChange, VaultState};

/// Payload of the "locked" event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockedEvent {
    /// Why, for the unlock screen.
    pub reason: String,
}

/// Starts the watcher thread.
pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    let started = std::thread::Builder::new()
        .name("twofold-watch".into())
        .spawn(move || {
            let mut n: u64 = 0;
            loop {
                std::thread::sleep(Duration::from_secs(1));
                n = n.wrapping_add(1);
                tick(&app, n.is_multiple_of(2));
            }
        });
    if let Err(e) = started {
        eprintln!("twofold: cannot start the watcher (no auto-lock, no reload): {e}");
    }
}

/// One round of the watcher. `check_disk`: also look at the vault file.
pub fn tick<R: Runtime>(app: &AppHandle<R>, check_disk: bool) {
    let Some(vault) = app.try_state::<VaultState>() else {
        return;
    };
    let (locked, changed) = {
        let mut s = state::lock(&vault);
        s.purge_expired();
        let mut locked = None;
        let mut changed = false;
        let mins = s.settings.auto_lock_mins;
        let idle = s.last_activity.elapsed();
        if s.is_unlocked() && mins > 0 && idle >= Duration::from_secs(u64::from(mins) * 60) {
            let unit = if mins == 1 { "minute" } else { "minutes" };
            let reason = format!("locked after {mins} {unit} without activity");
            s.lock(Some(reason.clone()));
            locked = Some(reason);
        } else if check_disk {
            match s.check_disk() {
                DiskChange::None => {}
                DiskChange::Reloaded => changed = true,
                DiskChange::Locked(reason) => locked = Some(reason),
            }
        }
        changed |= std::mem::take(&mut s.changed_externally);
        (locked, changed)
    };
    if let Some(reason) = locked {
        if let Some(clipboard) = app.try_state::<Clipboard>() {
            clipboard.clear_ours();
        }
        let _ = app.emit("locked", LockedEvent { reason });
    }
    if changed {
        let _ = app.emit("vault-changed", ());
    }
}

/// Locks now (tray, quit) and tells the UI.
pub fn lock_now<R: Runtime>(app: &AppHandle<R>, reason: &str) {
    if let Some(vault) = app.try_state::<VaultState>() {
        state::lock(&vault).lock(Some(reason.to_owned()));
    }
    if let Some(clipboard) = app.try_state::<Clipboard>() {
        clipboard.clear_ours();
    }
    let _ = app.emit(
        "locked",
        LockedEvent {
            reason: reason.to_owned(),
        },
    );
}
