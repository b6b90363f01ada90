//! `otpauth://` key URIs. STUB: being written.
/// Why an otpauth URI could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not an otpauth URI.
    #[error("unsupported scheme {scheme:?}, expected \"otpauth\"")]
    Scheme {
        /// The scheme found.
        scheme: String,
    },
}
