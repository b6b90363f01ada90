//! Aegis vault files, plain and encrypted, formats.md §3.
//!
//! Stub: being written.

use crate::account::Account;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

/// The Aegis importer.
pub struct Aegis;

impl Importer for Aegis {
    fn id(&self) -> &'static str {
        "aegis"
    }
    fn name(&self) -> &'static str {
        "Aegis"
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

/// The Aegis (encrypted) exporter.
pub struct AegisExporter;

impl Exporter for AegisExporter {
    fn id(&self) -> &'static str {
        "aegis"
    }
    fn name(&self) -> &'static str {
        "Aegis (encrypted)"
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

/// The Aegis (plain) exporter.
pub struct AegisPlainExporter;

impl Exporter for AegisPlainExporter {
    fn id(&self) -> &'static str {
        "aegis-plain"
    }
    fn name(&self) -> &'static str {
        "Aegis (plain)"
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
