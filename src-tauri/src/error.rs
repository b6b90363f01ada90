//! The one error type every IPC command returns, in the `{ kind, message }` shape the UI
//! mirrors in `ui/src/lib/ipc.ts` (docs/reference/STYLE.md §4, docs/ipc.md "Errors").
//!
//! Each core error is mapped to a kind the UI can tell apart (today it treats `wrongPassword`
//! and `cancelled` specially and shows the message of the others); the message is the core
//! error's own text, which by core's rules never carries a secret.

use serde::Serialize;
use twofold_core::keychain::KeychainError;
use twofold_core::vault::VaultError;

/// An error as the UI receives it: `{ "kind": "locked", "message": "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "message", rename_all = "camelCase")]
pub enum IpcError {
    /// The vault is locked (or does not exist yet): unlock or create it first.
    #[error("{0}")]
    Locked(String),
    /// The password or recovery key is wrong.
    #[error("{0}")]
    WrongPassword(String),
    /// An argument is out of range, malformed, or refers to an expired token.
    #[error("{0}")]
    InvalidInput(String),
    /// The OS keychain failed; ask for the password or recovery key instead.
    #[error("{0}")]
    Keychain(String),
    /// No account (or undo token) with that id.
    #[error("{0}")]
    NotFound(String),
    /// The account already exists.
    #[error("{0}")]
    Duplicate(String),
    /// The vault file changed on disk and the change could not be re-applied.
    #[error("{0}")]
    ChangedOnDisk(String),
    /// The vault file is damaged.
    #[error("{0}")]
    Damaged(String),
    /// The user declined a native confirmation: nothing happened.
    #[error("{0}")]
    Cancelled(String),
    /// Anything else: I/O, the clipboard, a decoder crash.
    #[error("{0}")]
    Internal(String),
}

/// Shorthand for command results.
pub type IpcResult<T> = Result<T, IpcError>;

impl IpcError {
    /// The error for commands that need an unlocked vault.
    pub fn locked() -> Self {
        IpcError::Locked("the vault is locked; unlock it first".into())
    }

    /// An invalid-input error with `message`.
    pub fn invalid(message: impl Into<String>) -> Self {
        IpcError::InvalidInput(message.into())
    }

    /// An internal error with `message`.
    pub fn internal(message: impl Into<String>) -> Self {
        IpcError::Internal(message.into())
    }
}

/// `e` and its sources on one line, each cause once (core errors often repeat their source).
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

impl From<VaultError> for IpcError {
    fn from(e: VaultError) -> Self {
        let message = one_line(&e);
        match e {
            VaultError::NotFound { .. } => {
                IpcError::Locked(format!("{message}; create a vault first"))
            }
            VaultError::WrongCredential => IpcError::WrongPassword(message),
            VaultError::KeychainUnavailable(_)
            | VaultError::KeychainKeyMissing
            | VaultError::KeychainKeyWrong => IpcError::Keychain(message),
            VaultError::NoSlot { .. }
            | VaultError::KdfParams { .. }
            | VaultError::LastCredential
            | VaultError::InvalidOptions { .. }
            | VaultError::AlreadyExists { .. }
            | VaultError::NotHotp { .. }
            | VaultError::CounterExhausted { .. }
            | VaultError::InvalidAccount(_)
            | VaultError::CredentialNeeded { .. }
            | VaultError::RolledBack { .. } => IpcError::InvalidInput(message),
            VaultError::Duplicate { .. } => IpcError::Duplicate(message),
            VaultError::AccountNotFound { .. } => IpcError::NotFound(message),
            VaultError::ChangedOnDisk { .. } => IpcError::ChangedOnDisk(message),
            VaultError::Damaged { .. }
            | VaultError::Integrity { .. }
            | VaultError::Malformed { .. }
            | VaultError::UnsupportedVersion { .. } => IpcError::Damaged(message),
            VaultError::Io { .. } | VaultError::Busy { .. } | VaultError::Random(_) => {
                IpcError::Internal(message)
            }
        }
    }
}

impl From<KeychainError> for IpcError {
    fn from(e: KeychainError) -> Self {
        IpcError::Keychain(e.to_string())
    }
}

impl From<twofold_core::otp::OtpError> for IpcError {
    fn from(e: twofold_core::otp::OtpError) -> Self {
        IpcError::Internal(format!("cannot compute the code: {e}"))
    }
}

impl From<twofold_core::qr::QrError> for IpcError {
    fn from(e: twofold_core::qr::QrError) -> Self {
        use twofold_core::qr::QrError;
        match e {
            QrError::Encode(_) | QrError::Timeout | QrError::Panicked => {
                IpcError::Internal(e.to_string())
            }
            _ => IpcError::InvalidInput(e.to_string()),
        }
    }
}

impl From<twofold_core::capture::CaptureError> for IpcError {
    fn from(e: twofold_core::capture::CaptureError) -> Self {
        use twofold_core::capture::CaptureError;
        match e {
            CaptureError::ScreenUnavailable(_) | CaptureError::ClipboardUnavailable(_) => {
                IpcError::Internal(e.to_string())
            }
            CaptureError::Qr(q) => q.into(),
            _ => IpcError::InvalidInput(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Every variant serializes as `{ kind, message }` with the kind the UI's `ipc.ts` names;
    /// a renamed variant fails here before it confuses the UI.
    #[test]
    fn every_variant_serializes_as_kind_and_message() {
        let cases = [
            (IpcError::Locked("a".into()), "locked"),
            (IpcError::WrongPassword("a".into()), "wrongPassword"),
            (IpcError::InvalidInput("a".into()), "invalidInput"),
            (IpcError::Keychain("a".into()), "keychain"),
            (IpcError::NotFound("a".into()), "notFound"),
            (IpcError::Duplicate("a".into()), "duplicate"),
            (IpcError::ChangedOnDisk("a".into()), "changedOnDisk"),
            (IpcError::Damaged("a".into()), "damaged"),
            (IpcError::Cancelled("a".into()), "cancelled"),
            (IpcError::Internal("a".into()), "internal"),
        ];
        for (error, kind) in cases {
            let json = serde_json::to_value(&error).expect("serializes");
            assert_eq!(
                json,
                serde_json::json!({ "kind": kind, "message": "a" }),
                "{error:?}"
            );
        }
    }

    #[test]
    fn vault_errors_map_to_the_kinds_the_ui_reacts_to() {
        let path = PathBuf::from("/tmp/v.twofold");
        let kind = |e: VaultError| {
            serde_json::to_value(IpcError::from(e)).expect("serializes")["kind"]
                .as_str()
                .expect("kind is a string")
                .to_owned()
        };
        assert_eq!(kind(VaultError::WrongCredential), "wrongPassword");
        assert_eq!(kind(VaultError::KeychainKeyMissing), "keychain");
        assert_eq!(
            kind(VaultError::ChangedOnDisk { path: path.clone() }),
            "changedOnDisk"
        );
        assert_eq!(
            kind(VaultError::Damaged {
                path: path.clone(),
                newest_good: None
            }),
            "damaged"
        );
        assert_eq!(kind(VaultError::LastCredential), "invalidInput");
        assert_eq!(
            kind(VaultError::Duplicate {
                label: "GitHub".into()
            }),
            "duplicate"
        );
        assert_eq!(kind(VaultError::NotFound { path }), "locked");
    }
}
