//! Where the keychain slot keeps its key. STUB: being written.
/// The OS keychain failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No usable keychain.
    #[error("keychain unavailable: {0}")]
    Unavailable(String),
}
