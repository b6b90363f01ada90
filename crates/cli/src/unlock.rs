//! Finding the vault and unlocking it: the default path, the keystore, and the password or
//! recovery key from a file, the environment or a prompt.
//!
//! Policy (security.md §3.2, K1–K5): the keychain is tried first when the vault has a
//! keychain slot and the store works; otherwise, or when it fails, a password is required. A
//! missing keychain never leads to a key file on disk: there is no such fallback here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use twofold_core::keychain::{KeyStore, MemoryKeyStore};
use twofold_core::vault::{self, SlotKind, Unlock, VaultError, VaultFile};
use twofold_core::SecretString;

use crate::cli::GlobalArgs;
use crate::error::{one_line, Exit, Failure};

/// Environment variable holding the vault password (documented as less safe).
pub const PASSWORD_ENV: &str = "TWOFOLD_PASSWORD";
/// Environment variable holding the new password for `password set`.
pub const NEW_PASSWORD_ENV: &str = "TWOFOLD_NEW_PASSWORD";
/// Environment variable holding the password of a file being imported, exported or
/// verified: never the vault's own.
pub const BACKUP_PASSWORD_ENV: &str = "TWOFOLD_BACKUP_PASSWORD";

/// The hint every "no backup password" error ends with.
pub const BACKUP_PASSWORD_HINT: &str =
    "give it with --backup-password-file FILE, the TWOFOLD_BACKUP_PASSWORD environment variable, or at a prompt (run in a terminal)";

/// The vault path: `--vault`, else core's [`vault::default_path`] (`TWOFOLD_VAULT`, else
/// `<data dir>/twofold/vault.twofold`), the same as the app's.
pub fn vault_path(global: &GlobalArgs) -> Result<PathBuf, Failure> {
    if let Some(p) = global.vault.as_ref().filter(|p| !p.as_os_str().is_empty()) {
        return Ok(p.clone());
    }
    vault::default_path().ok_or_else(|| {
        Failure::other("cannot find the user data directory; give the vault with --vault PATH")
    })
}

/// The OS keychain, or why it cannot be used.
pub struct Keystore {
    store: Box<dyn KeyStore>,
    /// Why the OS keychain is not usable, if it is not.
    pub unavailable: Option<String>,
}

impl Keystore {
    /// Connects to the OS keychain. When that fails, holds an empty in-memory store (so
    /// password slots still open) and remembers why.
    pub fn connect() -> Self {
        match twofold_core::keychain::OsKeyStore::new() {
            Ok(store) => Keystore {
                store: Box::new(store),
                unavailable: None,
            },
            Err(e) => Keystore {
                store: Box::new(MemoryKeyStore::default()),
                unavailable: Some(one_line(&e)),
            },
        }
    }

    /// The store to hand to the vault.
    pub fn store(&self) -> &dyn KeyStore {
        self.store.as_ref()
    }

    /// No OS keychain at all (a vault with no keychain slot, or `init --no-keychain`).
    pub fn none() -> Self {
        Keystore {
            store: Box::new(MemoryKeyStore::default()),
            unavailable: Some("not used".to_owned()),
        }
    }

    /// Whether the OS keychain answered.
    pub fn is_available(&self) -> bool {
        self.unavailable.is_none()
    }
}

/// Reads a secret from the first line of `path` (trailing newline removed).
pub fn read_secret_file(path: &Path, what: &str) -> Result<SecretString, Failure> {
    let raw = std::fs::read(path).map_err(|e| {
        Failure::other(format!(
            "cannot read the {what} file {}: {}",
            path.display(),
            one_line(&e)
        ))
    })?;
    let raw = zeroize::Zeroizing::new(raw);
    let Ok(text) = std::str::from_utf8(&raw) else {
        return Err(Failure::usage(format!(
            "the {what} file {} is not UTF-8 text",
            path.display()
        )));
    };
    let first = text.lines().next().unwrap_or("");
    if first.is_empty() {
        return Err(Failure::usage(format!(
            "the {what} file {} is empty",
            path.display()
        )));
    }
    Ok(SecretString::from(first))
}

/// A non-empty secret from the environment variable `var`.
fn env_secret(var: &str) -> Option<SecretString> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(SecretString::new(v)),
        _ => None,
    }
}

/// Whether standard input is a terminal (prompts are allowed only then).
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

fn prompt(text: &str) -> Result<SecretString, Failure> {
    let p = rpassword::prompt_password(text)
        .map_err(|e| Failure::other(format!("cannot read the password: {}", one_line(&e))))?;
    Ok(SecretString::new(p))
}

/// The hint every "no password" error ends with.
pub const PASSWORD_HINT: &str =
    "give it with --password-file FILE, the TWOFOLD_PASSWORD environment variable, or at a prompt (run in a terminal)";

/// The vault password from `--password-file`, `TWOFOLD_PASSWORD`, or a prompt (terminal only).
/// `None` when none of them is available.
pub fn existing_password(global: &GlobalArgs) -> Result<Option<SecretString>, Failure> {
    if let Some(f) = &global.password_file {
        return read_secret_file(f, "password").map(Some);
    }
    if let Some(p) = env_secret(PASSWORD_ENV) {
        return Ok(Some(p));
    }
    if interactive() {
        return prompt("Vault password: ").map(Some);
    }
    Ok(None)
}

/// Whether a password was given without prompting (file or environment).
pub fn password_given(global: &GlobalArgs) -> bool {
    global.password_file.is_some() || env_secret(PASSWORD_ENV).is_some()
}

/// A new password: from `file`, `env`, or a prompt asked twice (terminal only).
pub fn new_password(file: Option<&Path>, env: &str) -> Result<Option<SecretString>, Failure> {
    if let Some(f) = file {
        return read_secret_file(f, "password").map(Some);
    }
    if let Some(p) = env_secret(env) {
        return Ok(Some(p));
    }
    if interactive() {
        let first = prompt("New password: ")?;
        if first.is_empty() {
            return Err(Failure::usage("the password is empty"));
        }
        let second = prompt("Repeat the password: ")?;
        if first != second {
            return Err(Failure::usage("the passwords do not match"));
        }
        return Ok(Some(first));
    }
    Ok(None)
}

/// The password of an existing file being imported or verified (`what` names it in the
/// prompt): from `file`, [`BACKUP_PASSWORD_ENV`], or a prompt (terminal only). `None` when
/// none of them is available. Kept apart from the vault password on purpose: the two are
/// never read from the same place.
pub fn backup_password(file: Option<&Path>, what: &str) -> Result<Option<SecretString>, Failure> {
    if let Some(f) = file {
        return read_secret_file(f, "backup password").map(Some);
    }
    if let Some(p) = env_secret(BACKUP_PASSWORD_ENV) {
        return Ok(Some(p));
    }
    if interactive() {
        return prompt(&format!("Password of the {what}: ")).map(Some);
    }
    Ok(None)
}

/// The password for a new encrypted export: from `file`, [`BACKUP_PASSWORD_ENV`], or a
/// prompt asked twice (terminal only). `None` when none of them is available.
/// Refused when it is weak ([`twofold_core::strength::check`]: zxcvbn score 3 or more).
pub fn new_backup_password(file: Option<&Path>) -> Result<Option<SecretString>, Failure> {
    let password = new_backup_password_unchecked(file)?;
    if let Some(p) = &password {
        twofold_core::strength::check(p, &[])
            .map_err(|weak| Failure::usage(format!("backup password: {weak}")))?;
    }
    Ok(password)
}

fn new_backup_password_unchecked(file: Option<&Path>) -> Result<Option<SecretString>, Failure> {
    if let Some(f) = file {
        return read_secret_file(f, "backup password").map(Some);
    }
    if let Some(p) = env_secret(BACKUP_PASSWORD_ENV) {
        return Ok(Some(p));
    }
    if interactive() {
        let first = prompt("Password for the export file (not the vault password): ")?;
        if first.is_empty() {
            return Err(Failure::usage("the backup password is empty"));
        }
        let second = prompt("Repeat the export password: ")?;
        if first != second {
            return Err(Failure::usage("the backup passwords do not match"));
        }
        return Ok(Some(first));
    }
    Ok(None)
}

/// Opens the vault at `path` with the best credential available (see the module docs).
pub fn open(global: &GlobalArgs, path: &Path) -> Result<VaultFile, Failure> {
    let header = VaultFile::inspect(path).map_err(open_failure)?;
    // Connect to the keychain only when a slot needs it: it may be slow or absent.
    let keychain_slot = header
        .slots
        .iter()
        .any(|s| matches!(s, SlotKind::Keychain | SlotKind::KeychainAndPassword));
    let keystore = if keychain_slot {
        Keystore::connect()
    } else {
        Keystore::none()
    };

    if let Some(f) = &global.recovery_key_file {
        let key = read_secret_file(f, "recovery key")?;
        return VaultFile::open(path, &Unlock::RecoveryKey(key), keystore.store())
            .map_err(open_failure);
    }

    let mut keychain_problem = None;
    if header.slots.contains(&SlotKind::Keychain) && !global.password {
        match &keystore.unavailable {
            Some(why) => keychain_problem = Some(why.clone()),
            None => match VaultFile::open(path, &Unlock::Keychain, keystore.store()) {
                Ok(v) => return Ok(v),
                Err(
                    e @ (VaultError::KeychainUnavailable(_)
                    | VaultError::KeychainKeyMissing
                    | VaultError::KeychainKeyWrong),
                ) => keychain_problem = Some(one_line(&e)),
                Err(e) => return Err(open_failure(e)),
            },
        }
    }

    let has_password_slot = header
        .slots
        .iter()
        .any(|s| matches!(s, SlotKind::Password | SlotKind::KeychainAndPassword));
    if !has_password_slot {
        let why = keychain_problem.unwrap_or_else(|| "it has no keychain slot".to_owned());
        return Err(Failure::new(
            Exit::Credential,
            format!(
                "cannot unlock {}: {why}; the vault has no password, open it with --recovery-key-file FILE",
                path.display()
            ),
        ));
    }
    let Some(password) = existing_password(global)? else {
        let why = match keychain_problem {
            Some(p) => format!("the keychain cannot unlock it ({p}); "),
            None => String::new(),
        };
        return Err(Failure::new(
            Exit::Credential,
            format!(
                "the vault {} needs its password: {why}{PASSWORD_HINT}",
                path.display()
            ),
        ));
    };
    VaultFile::open(path, &Unlock::Password(password), keystore.store()).map_err(open_failure)
}

/// A vault error met while opening, with a hint where one helps.
fn open_failure(e: VaultError) -> Failure {
    let hint = match &e {
        VaultError::NotFound { .. } => "; create one with `twofold-cli init`",
        _ => "",
    };
    let f = Failure::from(e);
    if hint.is_empty() {
        f
    } else {
        Failure::new(f.exit, format!("{}{hint}", f.message))
    }
}
