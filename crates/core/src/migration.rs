//! Google Authenticator transfer payloads. STUB: being written.
/// Why a migration URI could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    /// Not an otpauth-migration URI.
    #[error("not an otpauth-migration://offline URI")]
    Scheme,
}
