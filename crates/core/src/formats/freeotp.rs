//! FreeOTP+ JSON exports and FreeOTP 2 backups (Java-serialised maps), formats.md §6.
//!
//! Stub: being written.

use crate::account::Account;
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer};
use crate::secret::SecretString;

/// The FreeOTP 2 backup importer.
pub struct FreeOtp2;

impl Importer for FreeOtp2 {
    fn id(&self) -> &'static str {
        "freeotp2"
    }
    fn name(&self) -> &'static str {
        "FreeOTP 2 backup"
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

/// The FreeOTP+ importer.
pub struct FreeOtpPlus;

impl Importer for FreeOtpPlus {
    fn id(&self) -> &'static str {
        "freeotp-plus"
    }
    fn name(&self) -> &'static str {
        "FreeOTP+"
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
