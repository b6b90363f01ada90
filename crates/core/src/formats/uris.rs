//! Lists of otpauth:// URIs (Aegis/Ente plain text exports), formats.md §1 and §8.
//!
//! Stub: being written.

use crate::account::Account;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

/// The otpauth URI list importer.
pub struct UriList;

impl Importer for UriList {
    fn id(&self) -> &'static str {
        "uris"
    }
    fn name(&self) -> &'static str {
        "otpauth URI list"
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

/// The otpauth URI list exporter.
pub struct UrisExporter;

impl Exporter for UrisExporter {
    fn id(&self) -> &'static str {
        "uris"
    }
    fn name(&self) -> &'static str {
        "otpauth URI list"
    }
    fn encrypted(&self) -> bool {
        false
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
