//! Automatic backups: at most one a day, only when the vault changed since the newest one,
//! into a folder the user chose, keeping the newest N (`docs/backup.md` §5).

use std::io;
use std::path::{Path, PathBuf};

use chrono::Datelike as _;

use crate::account::Account;
use crate::formats::FormatError;
use crate::secret::SecretString;

use super::{encrypt, to_json};

/// Default number of automatic backups kept.
pub const DEFAULT_KEEP: usize = 10;

/// The file name prefix of automatic backups.
pub const PREFIX: &str = "twofold-backup-";
/// The file name suffix of automatic backups.
pub const SUFFIX: &str = ".age";

const DAY: i64 = 86_400;

/// The date and time in a file name (UTC).
const STAMP: &str = "%Y%m%d-%H%M%S";

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

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> AutoBackupError + '_ {
    move |source| AutoBackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The file name of an automatic backup made at `time` (unix seconds, UTC):
/// `twofold-backup-YYYYMMDD-HHMMSS.age`. `None` outside years 1970 to 9999.
pub fn file_name(time: i64) -> Option<String> {
    if time < 0 {
        return None;
    }
    let at = chrono::DateTime::from_timestamp(time, 0)?;
    if at.year() > 9999 {
        return None;
    }
    Some(format!("{PREFIX}{}{SUFFIX}", at.format(STAMP)))
}

/// The time (unix seconds) an automatic backup's file name encodes; `None` for any name
/// that is not exactly `twofold-backup-YYYYMMDD-HHMMSS.age` with a valid date and time.
pub fn parse_file_name(name: &str) -> Option<i64> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let b = stamp.as_bytes();
    // chrono's %Y takes signs and more digits: the shape is checked first.
    if b.len() != 15 || b[8] != b'-' || !b[..8].iter().chain(&b[9..]).all(u8::is_ascii_digit) {
        return None;
    }
    let time = chrono::NaiveDateTime::parse_from_str(stamp, STAMP)
        .ok()?
        .and_utc()
        .timestamp();
    // The name must be the canonical one.
    (file_name(time).as_deref() == Some(name)).then_some(time)
}

/// The automatic backups in `dir` (`twofold-backup-YYYYMMDD-HHMMSS.age`), newest first,
/// with their time (unix seconds, from the name). Only regular files count (not
/// symlinks or folders). A missing folder has no backups.
///
/// # Errors
/// [`AutoBackupError::Io`] if the folder cannot be read.
pub fn list(dir: &Path) -> Result<Vec<(PathBuf, i64)>, AutoBackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_err(dir))?;
        let Some(time) = entry.file_name().to_str().and_then(parse_file_name) else {
            continue;
        };
        let file_type = entry.file_type().map_err(io_err(&entry.path()))?;
        if file_type.is_file() {
            out.push((entry.path(), time));
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    Ok(out)
}

/// Whether a backup is due: the vault changed after the newest backup (`last_change`
/// later than `newest`) and the newest is at least a day old (or there is none).
///
/// A newest backup dated in the future (a clock set back) counts as less than a day old,
/// so the next backup waits until the clock passes it by a day.
pub fn due(newest: Option<i64>, last_change: i64, now: i64) -> bool {
    match newest {
        None => true,
        Some(newest) => last_change > newest && now.saturating_sub(newest) >= DAY,
    }
}

/// Writes a backup of `accounts` into `dir` (atomically: temp file, fsync, rename; 0600),
/// then deletes the oldest automatic backups beyond `keep`. Returns the new file's path.
///
/// The folder is created if missing. `keep` is at least 1: the new backup is never
/// deleted. Only files [`list`] reports are ever deleted; anything else in the folder is
/// left alone.
///
/// # Errors
/// [`AutoBackupError::Format`] if encryption fails (an empty password);
/// [`AutoBackupError::Io`] if the folder or a file cannot be written or pruned.
pub fn write(
    dir: &Path,
    accounts: &[Account],
    password: &SecretString,
    now: i64,
    keep: usize,
) -> Result<PathBuf, AutoBackupError> {
    let name = file_name(now).ok_or_else(|| AutoBackupError::Io {
        path: dir.to_owned(),
        source: io::Error::new(
            io::ErrorKind::InvalidInput,
            "the clock is outside years 1970 to 9999",
        ),
    })?;
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let json = to_json(accounts, now);
    let bytes = encrypt(&json, password)?;
    drop(json);
    let path = dir.join(&name);
    crate::fsio::write_private(&path, &bytes, crate::fsio::Existing::Replace)
        .map_err(io_err(&path))?;
    prune(dir, keep.max(1), &path)?;
    Ok(path)
}

fn prune(dir: &Path, keep: usize, written: &Path) -> Result<(), AutoBackupError> {
    let backups = list(dir)?;
    for (old, _) in backups.iter().skip(keep) {
        if old == written {
            continue;
        }
        match std::fs::remove_file(old) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(old)(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_round_trip_and_reject_impostors() {
        assert_eq!(
            file_name(0).as_deref(),
            Some("twofold-backup-19700101-000000.age")
        );
        // 2024-02-29T23:59:59Z
        assert_eq!(
            file_name(1_709_251_199).as_deref(),
            Some("twofold-backup-20240229-235959.age")
        );
        for t in [0, 951_782_400, 1_709_251_199, 1_763_900_000, 4_102_444_800] {
            let n = file_name(t).unwrap();
            assert_eq!(parse_file_name(&n), Some(t), "{n}");
        }
        for bad in [
            "twofold-backup-20230229-000000.age",
            "twofold-backup-20241301-000000.age",
            "twofold-backup-20240101-240000.age",
            "twofold-backup-20240101-000000.age.bak",
            "twofold-backup-2024010-0000000.age",
            "twofold-backup-2024O101-000000.age",
            "Twofold-backup-20240101-000000.age",
            "twofold-backup-+2024101-000000.age",
        ] {
            assert_eq!(parse_file_name(bad), None, "{bad}");
        }
        assert_eq!(file_name(-1), None);
    }
}
