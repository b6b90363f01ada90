//! The vault: the accounts in memory ([`Vault`]) and the encrypted, versioned file that holds
//! them ([`VaultFile`]).
//!
//! - this module: in-memory operations (add, replace, remove, search, HOTP advance), the
//!   public option and credential types, and [`VaultError`];
//! - `file.rs`: create, open, save, key slots, generations and the crash-safe write path
//!   (`docs/reference/security-brief.md` §3.2–§3.3, requirements S1–S6, K1–K5);
//! - `format.rs`: the byte layout and its strict parser (security.md §3.1, C1, C3, C6, C7);
//! - `crypto.rs`: AES-256-GCM, HKDF, the key commitment and Argon2id (security.md §8.1);
//! - `payload.rs`: the JSON inside the ciphertext, via private mirror structs.
//!
//! The file format is specified byte by byte in `docs/vault.md`. The keychain itself is
//! [`crate::keychain`]'s business; this module only decides what the keychain key wraps.

use std::fmt;
use std::path::PathBuf;

use crate::account::{Account, AccountId, FieldError, Kind};
use crate::keychain::KeychainError;
use crate::secret::SecretString;

mod credentials;
pub mod crypto;
mod disk;
mod file;
pub mod format;
mod payload;
mod rollback;
mod slots;

pub use credentials::CredentialChange;
pub(crate) use disk::{is_own_file, parent_dir};
pub use file::VaultFile;
pub use rollback::Rollback;

/// The environment variable that names the vault file, for the app and the CLI alike.
pub const PATH_ENV: &str = "TWOFOLD_VAULT";

/// The vault file used when none is given on a command line: `$TWOFOLD_VAULT` when set and
/// not empty, else `twofold/vault.twofold` in the platform's data directory (`~/.local/share`
/// on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows). `None` when
/// neither exists (no home directory). The app and the CLI both call this (issue 10 §2).
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(PATH_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    dirs::data_dir().map(|d| d.join("twofold").join("vault.twofold"))
}

/// Why the vault could not be created, opened or saved. No variant carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// There is no vault file at `path`.
    #[error("no vault at {}", path.display())]
    NotFound {
        /// Where the vault was expected.
        path: PathBuf,
    },
    /// [`VaultFile::create`] found a file already there.
    #[error("a vault already exists at {}", path.display())]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error("cannot access {}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Authentication failed: the file is damaged or was tampered with.
    #[error("vault file is damaged (integrity check failed): {}", path.display())]
    Integrity {
        /// The damaged file.
        path: PathBuf,
        /// Which check failed: `"header checksum"`, `"key commitment"`,
        /// `"payload authentication"`, `"written file differs"`.
        what: &'static str,
    },
    /// The file is not a well-formed vault of a supported version.
    #[error("vault file is malformed ({reason}): {}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The current file does not open, but earlier generations exist. `newest_good` is the
    /// newest generation that opens with the same credential, if any; open it with
    /// [`VaultFile::open_generation`] or put it back with [`VaultFile::restore_generation`].
    #[error("{}", damaged_message(path, newest_good.as_ref()))]
    Damaged {
        /// The damaged vault file.
        path: PathBuf,
        /// Path and generation number of the newest good previous generation.
        newest_good: Option<(PathBuf, u64)>,
    },
    /// The version field names a format this build does not read (security.md C7).
    #[error("unsupported vault format version {version}, this build reads versions 1 and 2")]
    UnsupportedVersion {
        /// The version found in the file.
        version: u16,
    },
    /// The password or recovery key does not open any matching slot.
    #[error("wrong password or recovery key")]
    WrongCredential,
    /// The vault has no slot of the kind the unlock method needs.
    #[error("this vault has no {kind} slot")]
    NoSlot {
        /// The slot kind that was needed.
        kind: SlotKind,
    },
    /// The keychain could not be used; ask for the password or the recovery key instead.
    #[error("{0}; unlock with the password or recovery key")]
    KeychainUnavailable(KeychainError),
    /// The keychain works but holds no key for this vault.
    #[error("the keychain holds no key for this vault; unlock with the password or recovery key")]
    KeychainKeyMissing,
    /// The keychain holds a key for this vault id that does not open it.
    #[error("the keychain key does not open this vault; unlock with the password or recovery key")]
    KeychainKeyWrong,
    /// Argon2id parameters outside the accepted bounds (security.md C4).
    #[error("argon2id parameters out of bounds: m = {m_kib} KiB, t = {t}, p = {p}; expected 19456 to 262144 KiB, t 2 to 12, p 1 to 8")]
    KdfParams {
        /// Memory in KiB.
        m_kib: u32,
        /// Passes.
        t: u32,
        /// Lanes.
        p: u32,
    },
    /// The file on disk is not the one this [`VaultFile`] loaded (security.md S4).
    #[error("vault changed on disk since it was opened; reopen and try again")]
    ChangedOnDisk {
        /// The vault file.
        path: PathBuf,
    },
    /// The vault file is older than a copy of it (a rollback, [`VaultFile::rollback`]): no
    /// change is saved until the user takes the newer copy back
    /// ([`VaultFile::restore_newer`]) or keeps this one ([`VaultFile::keep_current`]), so
    /// that nothing saved on top of the older file pushes the newer accounts out of the kept
    /// generations (issue 11 item 2).
    #[error(
        "the vault file (save {current}) is older than a copy of it (save {newer}): take the \
         newer copy back or keep this one before changing anything"
    )]
    RolledBack {
        /// The generation of the vault file.
        current: u64,
        /// The newest generation known.
        newer: u64,
    },
    /// Another process holds the vault's write lock.
    #[error("vault is busy: another process is saving {}", path.display())]
    Busy {
        /// The vault file.
        path: PathBuf,
    },
    /// An account with the same secret and parameters already exists.
    #[error("an account with the same secret already exists: {label}")]
    Duplicate {
        /// The existing account's label.
        label: String,
    },
    /// No account has this id.
    #[error("no account with id {id}")]
    AccountNotFound {
        /// The id asked for.
        id: AccountId,
    },
    /// An account field breaks its limit ([`crate::account::limits`]).
    #[error("{0}")]
    InvalidAccount(#[from] FieldError),
    /// The account is not an HOTP account.
    #[error("account {id} is not counter-based (hotp)")]
    NotHotp {
        /// The account.
        id: AccountId,
    },
    /// The HOTP counter cannot be advanced any further.
    #[error("the hotp counter of account {id} is exhausted")]
    CounterExhausted {
        /// The account.
        id: AccountId,
    },
    /// A format 1 vault's credential change needs a credential this session was not opened
    /// with, to re-make that slot in format 2 (`vault/credentials.rs`).
    #[error("this vault was saved in an older format: unlock it with its {kind} to change its credentials")]
    CredentialNeeded {
        /// The slot kind whose credential is needed.
        kind: SlotKind,
    },
    /// The change would leave the vault without a password or recovery-key slot
    /// (security.md K1).
    #[error("refused: the vault would be left without a password or recovery key")]
    LastCredential,
    /// The options cannot describe a vault.
    #[error("invalid vault options: {reason}")]
    InvalidOptions {
        /// What is wrong.
        reason: &'static str,
    },
    /// The operating system's random number generator failed.
    #[error("system random number generator failed: {0}")]
    Random(String),
}

fn damaged_message(path: &std::path::Path, newest_good: Option<&(PathBuf, u64)>) -> String {
    match newest_good {
        Some((p, g)) => format!(
            "vault file is damaged: {}; the newest good copy is generation {g} at {}",
            path.display(),
            p.display()
        ),
        None => format!(
            "vault file is damaged: {}; no earlier generation opens either",
            path.display()
        ),
    }
}

impl VaultError {
    /// Whether this error means the file's bytes are bad (as opposed to a wrong credential,
    /// an unsupported version or an I/O problem): the cases where an earlier generation is
    /// worth offering.
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            VaultError::Integrity { .. }
                | VaultError::Malformed { .. }
                | VaultError::KdfParams { .. }
        )
    }
}

/// Argon2id parameters of a password slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes (time cost).
    pub t: u32,
    /// Lanes (parallelism).
    pub p: u32,
}

impl KdfParams {
    /// The floor accepted on read and write (OWASP: 19 MiB, t = 2, p = 1). Meant for tests.
    pub const MINIMUM: KdfParams = KdfParams {
        m_kib: 19 * 1024,
        t: 2,
        p: 1,
    };
    /// Smallest memory accepted (19 MiB).
    pub const MIN_M_KIB: u32 = 19 * 1024;
    /// Largest memory accepted: 256 MiB, four times what Twofold writes (64 MiB). A header
    /// asking for more is refused before any memory is allocated: a hostile file cannot make
    /// an open take gigabytes and minutes (issue 11 item 9).
    pub const MAX_M_KIB: u32 = 256 * 1024;
    /// Accepted passes: Twofold writes 3; up to four times that.
    pub const T_RANGE: std::ops::RangeInclusive<u32> = 2..=12;
    /// Accepted lanes: Twofold writes 4; up to twice that.
    pub const P_RANGE: std::ops::RangeInclusive<u32> = 1..=8;

    /// Checks the bounds (security.md C4) without allocating anything.
    ///
    /// # Errors
    /// [`VaultError::KdfParams`] naming the parameters.
    pub fn check(self) -> Result<(), VaultError> {
        let ok = (Self::MIN_M_KIB..=Self::MAX_M_KIB).contains(&self.m_kib)
            && Self::T_RANGE.contains(&self.t)
            && Self::P_RANGE.contains(&self.p);
        if ok {
            Ok(())
        } else {
            Err(VaultError::KdfParams {
                m_kib: self.m_kib,
                t: self.t,
                p: self.p,
            })
        }
    }
}

impl Default for KdfParams {
    /// RFC 9106's second recommended option: 64 MiB, t = 3, p = 4.
    fn default() -> Self {
        KdfParams {
            m_kib: 64 * 1024,
            t: 3,
            p: 4,
        }
    }
}

/// How [`VaultFile::create`] protects a new vault. A recovery-key slot is always added.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// Add a keychain slot (a random key kept in the OS keychain).
    pub keychain: bool,
    /// Add a password slot with this password.
    pub password: Option<SecretString>,
    /// Put the password in a "keychain + password" slot instead (security.md K4): unlocking
    /// then needs both the keychain key and the password, and neither `keychain` nor a
    /// plain password slot is added. Requires `password`.
    pub keychain_and_password: bool,
    /// Argon2id parameters for the password.
    pub kdf: KdfParams,
}

impl Default for CreateOptions {
    /// Keychain only (plus the recovery key), default Argon2id parameters.
    fn default() -> Self {
        CreateOptions {
            keychain: true,
            password: None,
            keychain_and_password: false,
            kdf: KdfParams::default(),
        }
    }
}

/// A credential that opens a vault.
#[derive(Debug, Clone)]
pub enum Unlock {
    /// The key in the OS keychain.
    Keychain,
    /// A password. Also opens a keychain+password slot, together with the keychain key.
    Password(SecretString),
    /// The recovery key, as written down (case, spaces and dashes do not matter).
    RecoveryKey(SecretString),
}

/// The kinds of key slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlotKind {
    /// A random key in the OS keychain.
    Keychain,
    /// Argon2id of a password.
    Password,
    /// The keychain key and Argon2id of a password together.
    KeychainAndPassword,
    /// A random recovery key the user wrote down.
    RecoveryKey,
}

impl SlotKind {
    /// The type byte in the file (`docs/vault.md` §3).
    pub fn code(self) -> u8 {
        match self {
            SlotKind::Keychain => 1,
            SlotKind::Password => 2,
            SlotKind::KeychainAndPassword => 3,
            SlotKind::RecoveryKey => 4,
        }
    }

    /// The kind for a type byte.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(SlotKind::Keychain),
            2 => Some(SlotKind::Password),
            3 => Some(SlotKind::KeychainAndPassword),
            4 => Some(SlotKind::RecoveryKey),
            _ => None,
        }
    }

    /// Whether the slot carries Argon2id parameters.
    pub fn has_kdf(self) -> bool {
        matches!(self, SlotKind::Password | SlotKind::KeychainAndPassword)
    }

    /// Whether the slot needs the keychain key.
    pub fn needs_keychain(self) -> bool {
        matches!(self, SlotKind::Keychain | SlotKind::KeychainAndPassword)
    }
}

impl fmt::Display for SlotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SlotKind::Keychain => "keychain",
            SlotKind::Password => "password",
            SlotKind::KeychainAndPassword => "keychain+password",
            SlotKind::RecoveryKey => "recovery key",
        })
    }
}

/// What anyone can read from a vault file without a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInfo {
    /// Format version.
    pub version: u16,
    /// The vault id, 32 lower-case hex characters (names the keychain entry).
    pub vault_id: String,
    /// Save counter.
    pub generation: u64,
    /// The slots, in file order.
    pub slots: Vec<SlotKind>,
}

/// A freshly generated recovery key: 160 random bits as 8 groups of 4 base32 characters
/// (`ABCD-EFGH-…`). Shown once; it has no `Display` so it is never printed by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey(SecretString);

impl RecoveryKey {
    /// The grouped text to show the user once.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The same text as an [`Unlock`] credential.
    pub fn to_unlock(&self) -> Unlock {
        Unlock::RecoveryKey(self.0.clone())
    }
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey([REDACTED])")
    }
}

/// The accounts of an unlocked vault, in stored order, and the settings that must stay as
/// secret as they are (the automatic-backup password).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vault {
    accounts: Vec<Account>,
    /// The password of automatic backups (issue 5, `docs/backup.md`), kept inside the
    /// encrypted payload (`docs/vault.md` §5.2) so it is exactly as safe as the accounts.
    auto_backup_password: Option<SecretString>,
}

impl Vault {
    /// An empty vault.
    pub fn new() -> Self {
        Self::default()
    }

    /// All accounts, in stored order.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether there are no accounts.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The account with this id.
    pub fn get(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| &a.id == id)
    }

    /// The account with this id, to edit (save afterwards).
    pub fn get_mut(&mut self, id: &AccountId) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| &a.id == id)
    }

    /// Adds an account and returns its id. If the id is already taken or is not a UUID (ids
    /// from import files can be anything), the account gets a fresh one.
    ///
    /// # Errors
    /// [`VaultError::Duplicate`] if an account with the same secret and OTP parameters
    /// ([`Account::same_token`]) exists; [`VaultError::InvalidAccount`] for a field over its
    /// limit.
    pub fn add(&mut self, account: Account) -> Result<AccountId, VaultError> {
        if let Some(existing) = self.accounts.iter().find(|a| a.same_token(&account)) {
            return Err(VaultError::Duplicate {
                label: existing.label(),
            });
        }
        self.add_allowing_duplicate(account)
    }

    /// Replaces the account with the same id, keeping its position.
    ///
    /// # Errors
    /// [`VaultError::AccountNotFound`] if no account has that id;
    /// [`VaultError::InvalidAccount`] for a field over its limit.
    pub fn replace(&mut self, account: Account) -> Result<(), VaultError> {
        account.check_fields()?;
        match self.accounts.iter_mut().find(|a| a.id == account.id) {
            Some(slot) => {
                *slot = account;
                Ok(())
            }
            None => Err(VaultError::AccountNotFound { id: account.id }),
        }
    }

    /// Edits the account with this id through `edit`, which works on a copy: the change is
    /// kept only when every field is within its limit ([`Account::check_fields`]), so a front
    /// end cannot store what another would refuse. Returns what `edit` returned.
    ///
    /// # Errors
    /// [`VaultError::AccountNotFound`]; [`VaultError::InvalidAccount`] (nothing changed);
    /// or the error `edit` returned (nothing changed).
    pub fn update<T, E: From<VaultError>>(
        &mut self,
        id: &AccountId,
        edit: impl FnOnce(&mut Account) -> Result<T, E>,
    ) -> Result<T, E> {
        let slot = self
            .accounts
            .iter_mut()
            .find(|a| &a.id == id)
            .ok_or_else(|| VaultError::AccountNotFound { id: id.clone() })?;
        let mut copy = slot.clone();
        let out = edit(&mut copy)?;
        copy.id = slot.id.clone();
        copy.check_fields().map_err(VaultError::from)?;
        *slot = copy;
        Ok(out)
    }

    /// Removes and returns the account with this id.
    pub fn remove(&mut self, id: &AccountId) -> Option<Account> {
        let i = self.accounts.iter().position(|a| &a.id == id)?;
        Some(self.accounts.remove(i))
    }

    /// Case-insensitive fuzzy search over issuer and name. Results are ranked exact match,
    /// then prefix, then substring, then subsequence, stored order breaking ties. An empty
    /// (or all-blank) query returns every account.
    pub fn search(&self, query: &str) -> Vec<&Account> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return self.accounts.iter().collect();
        }
        let mut hits: Vec<(u8, usize, &Account)> = self
            .accounts
            .iter()
            .enumerate()
            .filter_map(|(i, a)| search_rank(a, &q).map(|r| (r, i, a)))
            .collect();
        hits.sort_by_key(|&(r, i, _)| (r, i));
        hits.into_iter().map(|(_, _, a)| a).collect()
    }

    /// For an HOTP account: returns the counter to use for the code now, and stores the
    /// next one. The caller must save the vault *before* showing the code (security.md S7).
    ///
    /// # Errors
    /// [`VaultError::AccountNotFound`], [`VaultError::NotHotp`], or
    /// [`VaultError::CounterExhausted`] at `u64::MAX`.
    pub fn advance_hotp(&mut self, id: &AccountId) -> Result<u64, VaultError> {
        let account = self
            .get_mut(id)
            .ok_or_else(|| VaultError::AccountNotFound { id: id.clone() })?;
        match &mut account.kind {
            Kind::Hotp { counter } => {
                let now = *counter;
                *counter = now
                    .checked_add(1)
                    .ok_or_else(|| VaultError::CounterExhausted { id: id.clone() })?;
                Ok(now)
            }
            _ => Err(VaultError::NotHotp { id: id.clone() }),
        }
    }

    /// The password automatic backups are encrypted with, if the user set one.
    pub fn auto_backup_password(&self) -> Option<&SecretString> {
        self.auto_backup_password.as_ref()
    }

    /// Sets (or with `None` forgets) the automatic-backup password. Save the vault afterwards:
    /// it is stored in the encrypted payload (`docs/vault.md` §5.2).
    pub fn set_auto_backup_password(&mut self, password: Option<SecretString>) {
        self.auto_backup_password = password;
    }

    /// Adds an account even if another one has the same token ("keep both" on import); the
    /// id is replaced by a fresh one if taken. Returns the id.
    pub(crate) fn add_allowing_duplicate(
        &mut self,
        mut account: Account,
    ) -> Result<AccountId, VaultError> {
        account.check_fields()?;
        while !account.id.is_uuid() || self.get(&account.id).is_some() {
            account.id = AccountId::random();
        }
        let id = account.id.clone();
        self.accounts.push(account);
        Ok(id)
    }

    /// The vault a decoded payload describes (`payload::Decoded`): its accounts and its
    /// settings.
    pub(crate) fn from_parts(
        accounts: Vec<Account>,
        auto_backup_password: Option<SecretString>,
    ) -> Self {
        Vault {
            accounts,
            auto_backup_password,
        }
    }
}

/// 0 exact, 1 prefix, 2 substring, 3 subsequence; `None` if no match. `q` is lower case.
fn search_rank(a: &Account, q: &str) -> Option<u8> {
    let issuer = a.issuer.to_lowercase();
    let name = a.name.to_lowercase();
    let both = format!("{issuer} {name}");
    let fields = [issuer.as_str(), name.as_str(), both.as_str()];
    if fields.contains(&q) {
        Some(0)
    } else if fields.iter().any(|f| f.starts_with(q)) {
        Some(1)
    } else if fields.iter().any(|f| f.contains(q)) {
        Some(2)
    } else if is_subsequence(q, &both) {
        Some(3)
    } else {
        None
    }
}

fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| hay.any(|h| h == c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretBytes;

    fn acct(issuer: &str, name: &str, secret: u8) -> Account {
        Account::new(
            issuer,
            name,
            SecretBytes::from_slice(&[secret; 10]),
            Kind::Totp {
                period: crate::Period::THIRTY,
            },
            0,
        )
    }

    #[test]
    fn search_ranks_exact_prefix_substring_subsequence() {
        let mut v = Vault::new();
        v.add(acct("GitLab", "x", 1)).unwrap();
        v.add(acct("Agitator", "y", 2)).unwrap();
        v.add(acct("Git", "z", 3)).unwrap();
        v.add(acct("Grand Interest Trust", "w", 4)).unwrap();
        v.add(acct("Other", "nothing", 5)).unwrap();
        let issuers: Vec<&str> = v.search("GIT").iter().map(|a| a.issuer.as_str()).collect();
        assert_eq!(
            issuers,
            ["Git", "GitLab", "Agitator", "Grand Interest Trust"]
        );
        assert_eq!(v.search("  ").len(), 5);
        assert!(v.search("zzz").is_empty());
    }

    #[test]
    fn add_rejects_duplicates_and_replace_needs_an_existing_id() {
        let mut v = Vault::new();
        let id = v.add(acct("A", "a", 1)).unwrap();
        let dup = v.add(acct("B", "b", 1)).unwrap_err();
        assert!(
            matches!(&dup, VaultError::Duplicate { label } if label == "A (a)"),
            "{dup}"
        );
        let mut changed = v.get(&id).unwrap().clone();
        changed.notes = "n".into();
        v.replace(changed).unwrap();
        assert_eq!(v.get(&id).unwrap().notes, "n");
        assert!(matches!(
            v.replace(acct("C", "c", 3)),
            Err(VaultError::AccountNotFound { .. })
        ));
        assert!(v.remove(&id).is_some());
        assert!(v.is_empty());
    }

    #[test]
    fn add_gives_a_fresh_id_when_the_id_is_taken() {
        let mut v = Vault::new();
        let a = acct("A", "a", 1);
        let mut b = acct("B", "b", 2);
        b.id = a.id.clone();
        let ida = v.add(a).unwrap();
        let idb = v.add(b).unwrap();
        assert_ne!(ida, idb);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn an_id_that_is_not_a_uuid_is_replaced_on_add() {
        // See: issue 11 item 7 (imported ids up to 4 KiB were kept as they came).
        let mut v = Vault::new();
        for id in [
            "x".repeat(4096),
            "1".into(),
            "6F1C0B9E-2D7A-4C3E-9A51-0C8E1F2B3A4D".into(),
        ] {
            let mut a = acct(&id[..1], "a", v.len() as u8 + 1);
            a.id = AccountId(id.clone());
            let got = v.add(a).unwrap();
            assert!(got.is_uuid() && got.0 != id, "{id:.16} became {}", got.0);
            assert_eq!(got.0.len(), 36);
        }
        // A UUID in the canonical form is kept.
        let mut a = acct("K", "k", 9);
        let kept = "6f1c0b9e-2d7a-4c3e-9a51-0c8e1f2b3a4d";
        a.id = AccountId(kept.into());
        assert_eq!(v.add(a).unwrap().0, kept);
    }

    #[test]
    fn advance_hotp_returns_current_and_stores_next() {
        let mut v = Vault::new();
        let mut h = acct("H", "h", 1);
        h.kind = Kind::Hotp { counter: 7 };
        let id = v.add(h).unwrap();
        assert_eq!(v.advance_hotp(&id).unwrap(), 7);
        assert_eq!(v.advance_hotp(&id).unwrap(), 8);
        assert_eq!(v.get(&id).unwrap().kind, Kind::Hotp { counter: 9 });
        let t = v.add(acct("T", "t", 2)).unwrap();
        assert!(matches!(
            v.advance_hotp(&t),
            Err(VaultError::NotHotp { .. })
        ));
        v.get_mut(&id).unwrap().kind = Kind::Hotp { counter: u64::MAX };
        assert!(matches!(
            v.advance_hotp(&id),
            Err(VaultError::CounterExhausted { .. })
        ));
    }

    #[test]
    fn kdf_bounds() {
        assert!(KdfParams::default().check().is_ok());
        assert!(KdfParams::MINIMUM.check().is_ok());
        for bad in [
            KdfParams {
                m_kib: 19 * 1024 - 1,
                t: 2,
                p: 1,
            },
            KdfParams {
                m_kib: 2 * 1024 * 1024 + 1,
                t: 2,
                p: 1,
            },
            KdfParams {
                m_kib: 65536,
                t: 1,
                p: 1,
            },
            KdfParams {
                m_kib: 65536,
                t: 65,
                p: 1,
            },
            KdfParams {
                m_kib: 65536,
                t: 3,
                p: 0,
            },
            KdfParams {
                m_kib: 65536,
                t: 3,
                p: 17,
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
