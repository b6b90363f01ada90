//! The IPC commands of docs/ipc.md, one module per screen: [`vault`] (create, unlock,
//! lock, credentials), [`accounts`] (list, codes, copy, edit, delete, recovery codes, reveal),
//! [`import`] (QR, URI and manual entry, import from file, preview, confirm), [`backup`]
//! (export, restore drill, automatic backups) and [`settings`].
//!
//! Commands are thin (docs/reference/STYLE.md §5): they take the managed state, call twofold-core,
//! and map errors to [`crate::error::IpcError`]. The clock is read here, never in core. Every
//! argument is bounded before use (security.md T5). All commands are `async` so that none runs on
//! the main thread: unlocking runs Argon2id and scanning decodes images.

pub mod accounts;
pub mod auto_backup;
pub mod backup;
pub mod camera;
pub mod files;
pub mod import;
pub mod settings;
pub mod vault;

use std::time::{SystemTime, UNIX_EPOCH};

use twofold_core::account::AccountId;

use crate::error::{IpcError, IpcResult};

/// Now, in unix seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Now, in unix seconds, signed (core's metadata timestamps).
pub fn now_i64() -> i64 {
    i64::try_from(unix_now()).unwrap_or(i64::MAX)
}

/// Longest account id accepted from the UI.
const MAX_ID_LEN: usize = 256;

/// An account id from the UI, bounded.
///
/// # Errors
/// [`IpcError::InvalidInput`] for an empty or over-long id.
pub fn account_id(id: &str) -> IpcResult<AccountId> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(IpcError::invalid(format!(
            "account id must be 1 to {MAX_ID_LEN} bytes long, got {}",
            id.len()
        )));
    }
    Ok(AccountId(id.to_owned()))
}

/// Checks that `value` (named `what`) is at most `max` bytes long.
///
/// # Errors
/// [`IpcError::InvalidInput`] naming the field and both lengths (never the value: it may be a
/// secret).
pub fn bounded(what: &str, value: &str, max: usize) -> IpcResult<()> {
    if value.len() > max {
        return Err(IpcError::invalid(format!(
            "{what} is {} bytes long, expected at most {max}",
            value.len()
        )));
    }
    Ok(())
}

/// The "no such account" error.
pub fn not_found(id: &AccountId) -> IpcError {
    IpcError::NotFound(format!("no account with id {id}"))
}
