//! Twofold backup files (`docs/backup.md`): age-encrypted JSON, or the plain JSON document
//! itself (what `age -d` prints). Thin wrappers over [`crate::backup`].
//!
//! Detection: an age header (`age-encryption.org/v1`, binary or ASCII-armored), or a JSON
//! object with `"format": "twofold-backup"`. Any age passphrase file is taken for a backup;
//! if it does not hold a backup document, the import says so after decryption.
//!
//! Loses nothing: the schema carries every account field, ids included.

use crate::account::Account;
use crate::backup;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

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
        backup::is_age(input) || backup::is_backup_json(input)
    }
    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        if backup::is_age(input) {
            Ok(true)
        } else if backup::is_backup_json(input) {
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
        if backup::is_age(input) {
            let password = password.ok_or(FormatError::PasswordRequired {
                format: self.name(),
            })?;
            let json = backup::decrypt(input, password)?;
            backup::from_json(&json, now)
        } else {
            backup::from_json(input, now)
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
        let json = backup::to_json(accounts, now);
        let bytes = backup::encrypt(&json, password)?;
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
