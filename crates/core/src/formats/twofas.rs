//! 2FAS backups (schemas 1-4), plain and encrypted, formats.md §4.
//!
//! Stub: being written.

use crate::account::Account;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

/// The 2FAS importer.
pub struct TwoFas;

impl Importer for TwoFas {
    fn id(&self) -> &'static str {
        "2fas"
    }
    fn name(&self) -> &'static str {
        "2FAS"
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
