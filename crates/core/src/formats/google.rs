//! Google Authenticator transfer: migration URIs and QR images, formats.md §2.
//!
//! Stub: being written.

use crate::account::Account;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

/// The Google Authenticator transfer importer.
pub struct GoogleTransfer;

impl Importer for GoogleTransfer {
    fn id(&self) -> &'static str {
        "google"
    }
    fn name(&self) -> &'static str {
        "Google Authenticator transfer"
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

/// The Google Authenticator transfer QR codes exporter.
pub struct GoogleQrExporter;

impl Exporter for GoogleQrExporter {
    fn id(&self) -> &'static str {
        "google-qr"
    }
    fn name(&self) -> &'static str {
        "Google Authenticator transfer QR codes"
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
