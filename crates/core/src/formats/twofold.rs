//! Twofold backup files (docs/backup.md): age-encrypted JSON.
//!
//! Stub: being written.

use crate::account::Account;
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
    fn detect(&self, _input: &[u8]) -> bool {
        false
    }
    fn is_encrypted(&self, _input: &[u8]) -> Result<bool, FormatError> {
        Ok(false)
    }
    fn import(
        &self,
        _input: &[u8],
        _password: Option<&SecretString>,
        _now: i64,
    ) -> Result<Imported, FormatError> {
        Err(FormatError::Unsupported {
            format: self.name(),
            reason: "not implemented yet".into(),
        })
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
        _accounts: &[Account],
        _password: Option<&SecretString>,
        _now: i64,
    ) -> Result<Vec<ExportFile>, FormatError> {
        Err(FormatError::Export {
            format: self.name(),
            reason: "not implemented yet".into(),
        })
    }
}
