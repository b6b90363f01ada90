//! Twofold backups (issue 5, `docs/backup.md`): a documented JSON document with every account
//! field, encrypted with age in passphrase mode so `age -d` opens it without Twofold; the
//! restore drill that compares a backup with the vault; and automatic backups to a folder.
//!
//! Stub: being written.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::account::Account;
use crate::formats::{FormatError, Imported};
use crate::secret::SecretString;

/// The schema version written in the JSON document (`"version"`).
pub const SCHEMA_VERSION: u32 = 1;

/// The backup JSON document (unencrypted) for these accounts, in vault order.
pub fn to_json(accounts: &[Account], now: i64) -> Zeroizing<Vec<u8>> {
    let _ = (accounts, now);
    Zeroizing::new(Vec::new())
}

/// Reads a backup JSON document. Accounts keep their ids.
pub fn from_json(json: &[u8], now: i64) -> Result<Imported, FormatError> {
    let _ = (json, now);
    Err(FormatError::Unsupported {
        format: "Twofold backup",
        reason: "not implemented yet".into(),
    })
}

/// Encrypts a document with age in passphrase (scrypt) mode.
pub fn encrypt(plaintext: &[u8], password: &SecretString) -> Result<Vec<u8>, FormatError> {
    let _ = (plaintext, password);
    Err(FormatError::Unsupported {
        format: "Twofold backup",
        reason: "not implemented yet".into(),
    })
}

/// Decrypts an age passphrase file (binary or ASCII-armored).
pub fn decrypt(file: &[u8], password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let _ = (file, password);
    Err(FormatError::Unsupported {
        format: "Twofold backup",
        reason: "not implemented yet".into(),
    })
}

/// How a backup differs from the vault, for one account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Difference {
    /// In the vault, not in the backup.
    MissingFromBackup {
        /// The account's label.
        label: String,
    },
    /// In the backup, not in the vault.
    MissingFromVault {
        /// The account's label.
        label: String,
    },
    /// In both (same id), with different field values.
    Changed {
        /// The vault account's label.
        label: String,
        /// The fields that differ (`secret`, `issuer`, `counter`, …), never their values.
        fields: Vec<&'static str>,
    },
}

/// The restore drill: compares the accounts of a backup with the vault's, by id (then by
/// token for accounts whose id is not found). Empty when they match.
pub fn compare(backup: &[Account], vault: &[Account]) -> Vec<Difference> {
    let _ = (backup, vault);
    Vec::new()
}

/// Automatic backups: at most one a day, only when the vault changed since the newest one.
pub mod auto {
    use super::*;

    /// Default number of automatic backups kept.
    pub const DEFAULT_KEEP: usize = 10;

    /// Why an automatic backup failed (shown to the user, never swallowed).
    #[derive(Debug, thiserror::Error)]
    pub enum AutoBackupError {
        /// The folder could not be read or written.
        #[error("backup folder {path}: {source}")]
        Io {
            /// The path involved.
            path: PathBuf,
            /// The OS error.
            source: std::io::Error,
        },
        /// The backup could not be encrypted.
        #[error(transparent)]
        Format(#[from] FormatError),
    }

    /// The automatic backups in `dir` (`twofold-backup-YYYYMMDD-HHMMSS.age`), newest first,
    /// with their time (unix seconds, from the name).
    pub fn list(dir: &Path) -> Result<Vec<(PathBuf, i64)>, AutoBackupError> {
        let _ = dir;
        Ok(Vec::new())
    }

    /// Whether a backup is due: the vault changed after the newest backup (`last_change`
    /// later than `newest`) and the newest is at least a day old (or there is none).
    pub fn due(newest: Option<i64>, last_change: i64, now: i64) -> bool {
        let _ = (newest, last_change, now);
        false
    }

    /// Writes a backup of `accounts` into `dir` (atomically: temp file, fsync, rename; 0600),
    /// then deletes the oldest automatic backups beyond `keep`. Returns the new file's path.
    pub fn write(
        dir: &Path,
        accounts: &[Account],
        password: &SecretString,
        now: i64,
        keep: usize,
    ) -> Result<PathBuf, AutoBackupError> {
        let _ = (dir, accounts, password, now, keep);
        Ok(PathBuf::new())
    }
}
