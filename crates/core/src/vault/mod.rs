//! The vault. STUB: being written.
/// Why the vault could not be created, opened or saved.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The file is damaged or was tampered with.
    #[error("vault integrity check failed")]
    Integrity,
}
