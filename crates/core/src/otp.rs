//! HOTP, TOTP and Steam Guard codes (RFC 4226, RFC 6238). STUB: being written.
/// Why a code could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    /// The secret has no bytes.
    #[error("secret is empty")]
    EmptySecret,
}
