//! The CLI's failure type and the exit codes scripts rely on (documented in `cli::AFTER_HELP`).
//!
//! Every failure is one line of text plus an [`Exit`] class. Core errors are classified here,
//! in one place, so the same problem always gives the same exit code. Messages never carry a
//! secret: core errors do not, and the CLI adds only paths, labels and queries.

use std::fmt;

use twofold_core::formats::FormatError;
use twofold_core::{keychain::KeychainError, otp::OtpError, vault::VaultError};

/// Exit codes. The numbers are a public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 1: anything not covered below.
    Error = 1,
    /// 2: bad arguments or invalid input (clap uses 2 for its usage errors too).
    Usage = 2,
    /// 3: no account matches, or several do.
    NotFound = 3,
    /// 4: wrong credential, or no usable credential.
    Credential = 4,
    /// 5: the vault file is damaged or of an unsupported version.
    Damaged = 5,
    /// 6: another program holds the vault, or it changed on disk.
    Busy = 6,
    /// 7: `backup verify` found differences between the backup and the vault.
    Differs = 7,
}

/// A failed command: what to print and how to exit.
#[derive(Debug)]
pub struct Failure {
    /// The exit class.
    pub exit: Exit,
    /// One line, lower case, no trailing period, no secret.
    pub message: String,
}

impl Failure {
    /// A failure of class `exit`.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            exit,
            message: message.into(),
        }
    }

    /// A usage or input error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// Any other error (exit 1).
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(Exit::Error, message)
    }

    /// Prefixes the message with `context: `.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// `e` and its sources as one line: `outer: inner: innermost`, skipping a source whose text
/// the line already contains (errors that print their source themselves).
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut line = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = s.source();
    }
    // One line, whatever the OS put into an I/O error.
    line.replace(['\n', '\r'], " ")
}

/// The exit class of a vault error.
pub fn vault_exit(e: &VaultError) -> Exit {
    match e {
        VaultError::WrongCredential
        | VaultError::NoSlot { .. }
        | VaultError::KeychainUnavailable(_)
        | VaultError::KeychainKeyMissing
        | VaultError::KeychainKeyWrong => Exit::Credential,
        VaultError::Integrity { .. }
        | VaultError::Malformed { .. }
        | VaultError::Damaged { .. }
        | VaultError::KdfParams { .. }
        | VaultError::UnsupportedVersion { .. } => Exit::Damaged,
        VaultError::ChangedOnDisk { .. } | VaultError::Busy { .. } => Exit::Busy,
        VaultError::AccountNotFound { .. } => Exit::NotFound,
        VaultError::InvalidAccount(_) => Exit::Usage,
        _ => Exit::Error,
    }
}

impl From<VaultError> for Failure {
    fn from(e: VaultError) -> Self {
        let hint = match e {
            VaultError::RolledBack { .. } => {
                "; `twofold-cli vault restore-newer` takes the newer copy back, \
                 `twofold-cli vault keep-current` keeps this one"
            }
            _ => "",
        };
        Failure::new(vault_exit(&e), format!("{}{hint}", one_line(&e)))
    }
}

/// The exit class of an import or export error: a password problem is a credential error,
/// a file we cannot read is invalid input, and an export failure is ours.
pub fn format_exit(e: &FormatError) -> Exit {
    match e {
        FormatError::PasswordRequired { .. } | FormatError::WrongPassword { .. } => {
            Exit::Credential
        }
        FormatError::Unrecognized { .. }
        | FormatError::Malformed { .. }
        | FormatError::Unsupported { .. }
        | FormatError::Limit { .. } => Exit::Usage,
        FormatError::Export { .. } => Exit::Error,
    }
}

impl From<FormatError> for Failure {
    fn from(e: FormatError) -> Self {
        Failure::new(format_exit(&e), one_line(&e))
    }
}

impl From<KeychainError> for Failure {
    fn from(e: KeychainError) -> Self {
        Failure::other(one_line(&e))
    }
}

impl From<OtpError> for Failure {
    fn from(e: OtpError) -> Self {
        Failure::other(one_line(&e)).context("cannot compute the code")
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::other(one_line(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cannot read /x")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn one_line_joins_sources_once() {
        let e = Outer(std::io::Error::other("disk\non fire"));
        assert_eq!(one_line(&e), "cannot read /x: disk on fire");
        let f = Failure::usage("bad").context("invalid uri");
        assert_eq!(f.to_string(), "invalid uri: bad");
        assert_eq!(f.exit, Exit::Usage);
    }
}
