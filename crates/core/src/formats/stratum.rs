//! Authenticator Pro / Stratum backups, plain and encrypted, formats.md §9.
//!
//! Stub: being written.

use crate::account::Account;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

/// The Authenticator Pro / Stratum importer.
pub struct Stratum;

impl Importer for Stratum {
    fn id(&self) -> &'static str {
        "stratum"
    }
    fn name(&self) -> &'static str {
        "Authenticator Pro / Stratum"
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
