//! The crate-wide error type. Each module has its own error enum where callers react
//! differently (`uri::ParseError`, `vault::VaultError`, …); [`Error`] wraps them for callers
//! that just report. No variant carries a secret.

use crate::{
    formats::FormatError, keychain::KeychainError, migration::MigrationError, otp::OtpError,
    uri::ParseError, vault::VaultError,
};

/// Any error from twofold-core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An `otpauth://` URI could not be used.
    #[error(transparent)]
    Uri(#[from] ParseError),
    /// A Google Authenticator transfer payload could not be used.
    #[error(transparent)]
    Migration(#[from] MigrationError),
    /// A code could not be computed.
    #[error(transparent)]
    Otp(#[from] OtpError),
    /// The vault could not be created, opened or saved.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// An import or export file could not be used.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The OS keychain failed.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
