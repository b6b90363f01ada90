//! Twofold backup files (issue 5, `docs/backup.md`): a documented JSON document with every
//! account field ([`document`]), encrypted with age in passphrase mode ([`age`]) so `age -d`
//! opens it without Twofold. The restore drill and automatic backups are `crate::backup`'s.
//!
//! Detection: an age header (`age-encryption.org/v1`, binary or ASCII-armored), or a JSON
//! object with `"format": "twofold-backup"`. Any age passphrase file is taken for a backup;
//! if it does not hold a backup document, the import says so after decryption.
//!
//! Loses nothing: the schema carries every account field, ids included.
//!
//! The JSON document (schema version [`SCHEMA_VERSION`], specified field by field in
//! `docs/backup.md` §2):
//!
//! ```json
//! {"format": "twofold-backup", "version": 1, "created_at": 1700000000,
//!  "accounts": [{"id": "…", "issuer": "GitHub", "name": "alice", "secret": "JBSWY3DP…",
//!                "type": "totp", "algorithm": "SHA1", "digits": 6, "period": 30, …}]}
//! ```
//!
//! [`Account`] has no `Serialize` on purpose, so private mirror structs live here; every
//! buffer that holds the document is zeroizing and grows without leaving copies behind
//! (`SecureBuf`). Reading is strict about the envelope (`format`, `version`) and lenient per
//! account: one bad entry is skipped with its reason, never the whole file. The conversion
//! loses nothing.
//!
//! Encryption is age v1 with a single scrypt (passphrase) stanza, work factor 2^[`WORK_FACTOR`];
//! decryption accepts binary and ASCII-armored files and refuses work factors above
//! 2^[`MAX_WORK_FACTOR`] before running scrypt.

use serde::Deserialize;

use crate::account::Account;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

mod age;
mod document;

pub use self::age::{decrypt, encrypt, encrypt_with_work_factor};
pub use self::document::{from_json, to_json};

/// The schema version written in the JSON document (`"version"`).
pub const SCHEMA_VERSION: u32 = 1;

/// The value of the document's `"format"` field.
pub const FORMAT_TAG: &str = "twofold-backup";

/// The scrypt work factor backups are written with: N = 2^18, as the reference age
/// implementation uses (about a second, 256 MiB).
pub const WORK_FACTOR: u8 = 18;

/// The largest scrypt work factor accepted when decrypting: N = 2^20 (1 GiB). Checked before
/// scrypt runs, so a hostile file cannot make Twofold work for hours. Fuzz builds
/// (`cfg(fuzzing)`) accept at most 2^10, so that scrypt does not slow the fuzzer down.
pub const MAX_WORK_FACTOR: u8 = if crate::formats::FUZZING { 10 } else { 20 };

/// The first line of a binary age file.
pub const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// The first line of an ASCII-armored age file.
pub const AGE_ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

pub(crate) const FORMAT_NAME: &str = "Twofold backup";

/// Whether `input` is an age file, binary or armored (leading whitespace allowed for armor).
pub fn is_age(input: &[u8]) -> bool {
    input.starts_with(AGE_MAGIC)
        || crate::formats::trim_ascii_start(input).starts_with(AGE_ARMOR_BEGIN)
}

/// Whether `input` is a plain backup document (a JSON object with `"format": "twofold-backup"`).
pub fn is_backup_json(input: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct FormatOnly {
        format: Option<String>,
    }
    if crate::formats::trim_ascii_start(input).first() != Some(&b'{') {
        return false;
    }
    matches!(
        serde_json::from_slice::<FormatOnly>(input),
        Ok(FormatOnly { format: Some(f) }) if f == FORMAT_TAG
    )
}

/// The Twofold backup importer.
pub struct TwofoldBackup;

impl Importer for TwofoldBackup {
    fn id(&self) -> &'static str {
        "twofold"
    }
    fn name(&self) -> &'static str {
        "Twofold backup"
    }
    fn detect(&self, input: &[u8]) -> bool {
        is_age(input) || is_backup_json(input)
    }
    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        if is_age(input) {
            Ok(true)
        } else if is_backup_json(input) {
            Ok(false)
        } else {
            Err(FormatError::Unrecognized {
                hint: Some("expected a Twofold backup (age-encrypted or JSON)".into()),
            })
        }
    }
    fn import(
        &self,
        input: &[u8],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        if is_age(input) {
            let password = password.ok_or(FormatError::PasswordRequired {
                format: self.name(),
            })?;
            let json = decrypt(input, password)?;
            from_json(&json, now)
        } else {
            from_json(input, now)
        }
    }
}

/// The Twofold backup exporter.
pub struct TwofoldBackupExporter;

impl Exporter for TwofoldBackupExporter {
    fn id(&self) -> &'static str {
        "twofold"
    }
    fn name(&self) -> &'static str {
        "Twofold backup"
    }
    fn encrypted(&self) -> bool {
        true
    }
    fn loses(&self) -> &'static [&'static str] {
        &[]
    }
    fn exposes(&self) -> &'static str {
        ""
    }
    fn export(
        &self,
        accounts: &[Account],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Vec<ExportFile>, FormatError> {
        let password = password.ok_or_else(|| FormatError::Export {
            format: self.name(),
            reason: "a backup password is needed".into(),
        })?;
        let json = to_json(accounts, now);
        let bytes = encrypt(&json, password)?;
        Ok(vec![ExportFile {
            suffix: ".age".into(),
            bytes: bytes.into(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_age_binary_armored_and_plain_json() {
        let i = TwofoldBackup;
        assert!(i.detect(b"age-encryption.org/v1\n-> scrypt x 18\n"));
        assert!(i.detect(b"\n-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n"));
        assert!(i.detect(br#"{"format":"twofold-backup","version":1,"accounts":[]}"#));
        assert!(!i.detect(br#"{"format":"other","version":1,"accounts":[]}"#));
        assert!(!i.detect(b"otpauth://totp/x?secret=AAAA"));
        assert_eq!(i.is_encrypted(b"age-encryption.org/v1\n"), Ok(true));
        assert!(i.is_encrypted(b"{}").is_err());
        assert_eq!(
            i.import(b"age-encryption.org/v1\n", None, 0),
            Err(FormatError::PasswordRequired {
                format: "Twofold backup"
            })
        );
    }
}
