//! Proton Authenticator JSON exports, formats.md §10.
//!
//! Stub: being written.

use crate::account::Account;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

/// The Proton Authenticator importer.
pub struct Proton;

impl Importer for Proton {
    fn id(&self) -> &'static str {
        "proton"
    }
    fn name(&self) -> &'static str {
        "Proton Authenticator"
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
