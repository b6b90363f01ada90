//! The app's managed state: the open vault (or none), how it was unlocked, pending import
//! candidates, the undo buffer, settings and the idle clock ([`AppVault`], managed as
//! [`VaultState`]).
//!
//! Also owns the two rules about the file on disk (security.md S4): a save that finds the
//! file changed by another process (the CLI) reloads it and re-applies the user's one change
//! instead of overwriting ([`AppVault::mutate`]), and [`AppVault::check_disk`] notices such
//! changes between saves so the UI can re-fetch.
//!
//! Locking drops the [`VaultFile`] (its key and accounts zeroize on drop), the candidates and
//! the undo buffer. No credential is kept while unlocked: reloads reuse the data key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use twofold_core::account::{Account, AccountId};
use twofold_core::fsio;
use twofold_core::keychain::{KeyStore, MemoryKeyStore};
use twofold_core::vault::{self, KdfParams, SlotKind, Unlock, Vault, VaultError, VaultFile};
use zeroize::Zeroizing;

use crate::error::{one_line, IpcError, IpcResult};
use crate::views::{Needs, RollbackView, Settings, VaultStatus};

/// The managed state type (a wrong `State<T>` panics at runtime, so it has one name).
pub type VaultState = Mutex<AppVault>;

/// How long a deleted account can be brought back.
pub const UNDO_WINDOW: Duration = Duration::from_secs(10);

/// Most import candidates kept waiting at once (a migration batch holds at most 10 000).
pub const MAX_PENDING: usize = 10_000;

/// Locks the state, recovering from a poisoned mutex (a panic elsewhere must not brick the
/// app; the state itself is never left half-updated across a panic point).
pub fn lock(state: &VaultState) -> MutexGuard<'_, AppVault> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where the keychain comes from.
pub enum KeystoreSource {
    /// The OS keychain, connected on first use.
    Os,
    /// A given store (tests use a [`MemoryKeyStore`]).
    Fixed(Arc<dyn KeyStore>),
}

/// The file's metadata when we last read or wrote it: a cheap first test before the vault
/// compares content ([`VaultFile::changed_on_disk`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct DiskStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

/// What [`AppVault::check_disk`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskChange {
    /// Nothing changed.
    None,
    /// The file changed and was reloaded (or appeared/vanished while locked): re-fetch.
    Reloaded,
    /// The file changed and no longer opens with this session's data key: locked.
    Locked(String),
}

/// Everything the commands share. See the module docs.
pub struct AppVault {
    path: PathBuf,
    keystore_source: KeystoreSource,
    keystore: Option<(Arc<dyn KeyStore>, Option<String>)>,
    file: Option<VaultFile>,
    /// Import candidates by token. Never sent to the UI.
    pub pending: HashMap<String, Account>,
    /// Deleted accounts by undo token, with the time of deletion.
    pub undo: HashMap<String, (Account, Instant)>,
    /// The last HOTP code generated per account in this session.
    pub hotp_last: HashMap<AccountId, Zeroizing<String>>,
    /// Current settings.
    pub settings: Settings,
    settings_path: Option<PathBuf>,
    /// The last user activity, for auto-lock.
    pub last_activity: Instant,
    /// Why the vault is locked, for the unlock screen.
    pub lock_reason: Option<String>,
    /// Why the keychain failed to open the vault in this session, if it did.
    keychain_failed: Option<String>,
    disk: Option<DiskStamp>,
    exists: bool,
    /// Set when a save had to reload first; the watcher emits "vault-changed".
    pub changed_externally: bool,
    /// Argon2id parameters for new passwords (tests lower them).
    pub kdf: KdfParams,
    /// The file import waiting for the user's confirmation (issue 5). Never sent to the UI.
    pub pending_file: Option<PendingFile>,
    /// What the last automatic backup did (issue 5), for the settings' status line.
    pub auto_backup: AutoBackupRun,
}

/// An import file read and converted, waiting in Rust for the user's decision
/// (`confirm_file_import`); the UI only sees its labels.
pub struct PendingFile {
    /// The handle the UI confirms or cancels with.
    pub id: String,
    /// The converted accounts, in file order (secrets: never sent to the UI).
    pub accounts: Vec<Account>,
    /// The entries the importer could not convert.
    pub skipped: Vec<twofold_core::formats::Skipped>,
}

/// The outcome of the automatic backups in this session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutoBackupRun {
    /// When the last backup was written (unix seconds).
    pub last_at: Option<i64>,
    /// Where.
    pub last_path: Option<PathBuf>,
    /// Why the last attempt failed, if it did (cleared by the next success).
    pub last_error: Option<String>,
    /// When the last attempt failed (unix seconds).
    pub failed_at: Option<i64>,
    /// Whether a backup is being written now.
    pub running: bool,
}

impl std::fmt::Debug for AppVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppVault")
            .field("path", &self.path)
            .field("unlocked", &self.file.is_some())
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

/// The default vault path, core's [`vault::default_path`] (the same as twofold-cli's):
/// `$TWOFOLD_VAULT`, else `<data dir>/twofold/vault.twofold`. A system without a home
/// directory has neither; the vault then lives beside the working directory rather than in a
/// shared temporary folder.
pub fn default_vault_path() -> PathBuf {
    vault::default_path().unwrap_or_else(|| PathBuf::from("vault.twofold"))
}

/// The default settings file: `<config dir>/app.twofold.desktop/settings.json` (Tauri's
/// app config dir for our identifier).
pub fn default_settings_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("app.twofold.desktop").join("settings.json"))
}

impl AppVault {
    /// State for the vault at `path`, with settings read from `settings_path` (defaults when
    /// missing or unreadable; `None` keeps settings in memory only).
    pub fn new(
        path: PathBuf,
        settings_path: Option<PathBuf>,
        keystore_source: KeystoreSource,
    ) -> Self {
        let settings = settings_path
            .as_deref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| serde_json::from_slice::<Settings>(&bytes).ok())
            .filter(|s| s.validate().is_ok())
            .unwrap_or_default();
        let exists = path.exists();
        AppVault {
            path,
            keystore_source,
            keystore: None,
            file: None,
            pending: HashMap::new(),
            undo: HashMap::new(),
            hotp_last: HashMap::new(),
            settings,
            settings_path,
            last_activity: Instant::now(),
            lock_reason: None,
            keychain_failed: None,
            disk: None,
            exists,
            changed_externally: false,
            kdf: KdfParams::default(),
            pending_file: None,
            auto_backup: AutoBackupRun::default(),
        }
    }

    /// State for the real app: default vault path, settings file and the OS keychain.
    pub fn from_env() -> Self {
        Self::new(
            default_vault_path(),
            default_settings_path(),
            KeystoreSource::Os,
        )
    }

    /// A test state: vault at `path`, no settings file, keys in `store`, cheap Argon2id.
    pub fn for_tests(path: PathBuf, store: MemoryKeyStore) -> Self {
        let mut state = Self::new(path, None, KeystoreSource::Fixed(Arc::new(store)));
        state.kdf = KdfParams::MINIMUM;
        state
    }

    /// The vault file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The keystore to use, connecting to the OS keychain on first use. When the OS keychain
    /// is unusable this is an empty in-memory store (password slots still open) and
    /// [`AppVault::keychain_error`] says why.
    pub fn keystore(&mut self) -> Arc<dyn KeyStore> {
        self.keystore_and_error().0
    }

    fn keystore_and_error(&mut self) -> (Arc<dyn KeyStore>, Option<String>) {
        if let Some((store, error)) = &self.keystore {
            return (store.clone(), error.clone());
        }
        let made: (Arc<dyn KeyStore>, Option<String>) = match &self.keystore_source {
            KeystoreSource::Fixed(store) => (store.clone(), None),
            KeystoreSource::Os => match twofold_core::keychain::OsKeyStore::new() {
                Ok(store) => (Arc::new(store), None),
                Err(e) => (Arc::new(MemoryKeyStore::new()), Some(one_line(&e))),
            },
        };
        self.keystore = Some(made.clone());
        made
    }

    /// Why the OS keychain cannot be used, if it cannot.
    pub fn keychain_error(&mut self) -> Option<String> {
        self.keystore_and_error().1
    }

    /// Whether the vault is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.file.is_some()
    }

    /// The open vault file.
    ///
    /// # Errors
    /// [`IpcError::Locked`] when locked.
    pub fn file(&self) -> IpcResult<&VaultFile> {
        self.file.as_ref().ok_or_else(IpcError::locked)
    }

    /// The open vault file, to change.
    ///
    /// # Errors
    /// [`IpcError::Locked`] when locked.
    pub fn file_mut(&mut self) -> IpcResult<&mut VaultFile> {
        self.file.as_mut().ok_or_else(IpcError::locked)
    }

    /// The accounts.
    ///
    /// # Errors
    /// [`IpcError::Locked`] when locked.
    pub fn vault(&self) -> IpcResult<&Vault> {
        Ok(self.file()?.vault())
    }

    /// The vault's state for the UI.
    pub fn status(&mut self) -> VaultStatus {
        let (keystore, keychain_error) = self.keystore_and_error();
        drop(keystore);
        let exists = self.path.exists();
        let slots: Vec<SlotKind> = match &self.file {
            Some(f) => f.header_info().slots,
            None if exists => VaultFile::inspect(&self.path)
                .map(|h| h.slots)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let state = if self.file.is_some() {
            "unlocked"
        } else if exists {
            "locked"
        } else {
            "none"
        };
        let has_password = slots
            .iter()
            .any(|s| matches!(s, SlotKind::Password | SlotKind::KeychainAndPassword));
        let keychain_usable = slots.contains(&SlotKind::Keychain)
            && keychain_error.is_none()
            && self.keychain_failed.is_none();
        let needs = if state != "locked" || keychain_usable {
            Needs::Nothing
        } else if has_password {
            Needs::Password
        } else {
            Needs::PasswordOrRecoveryKey
        };
        let reason = match (state, &self.lock_reason) {
            ("locked", Some(r)) => Some(r.clone()),
            ("locked", None) if needs != Needs::Nothing => {
                Some(match (&self.keychain_failed, &keychain_error) {
                    (Some(e), _) => e.clone(),
                    (None, Some(e)) if slots.contains(&SlotKind::Keychain) => {
                        format!("the keychain cannot unlock the vault ({e})")
                    }
                    _ if !has_password => {
                        "the vault has no password; unlock it with the recovery key".to_owned()
                    }
                    _ => "enter your password to unlock the vault".to_owned(),
                })
            }
            _ => None,
        };
        let rollback = self
            .file
            .as_ref()
            .and_then(VaultFile::rollback)
            .map(|r| RollbackView {
                current: r.current,
                newer: r.newer,
                can_restore: r.newer_file.is_some() || r.in_memory,
            });
        VaultStatus {
            state,
            vault_path: self.path.display().to_string(),
            slots: slots.iter().map(|s| slot_name(*s)).collect(),
            keychain_available: keychain_error.is_none(),
            keychain_error,
            needs,
            reason,
            rollback,
        }
    }

    /// At start-up, opens a keychain-protected vault right away, on a thread of its own while
    /// the window is still loading, so the first code is on screen one round trip sooner. This
    /// is exactly what the UI does on its first call (an explicit lock later stays locked);
    /// a failure is remembered as the lock reason like any keychain failure.
    pub fn unlock_at_start(&mut self) {
        if self.file.is_some() || !self.path.exists() {
            return;
        }
        if self.status().needs == Needs::Nothing {
            let _ = self.open(Unlock::Keychain);
        }
    }

    /// Installs a freshly created or opened vault as this session's.
    pub fn install(&mut self, file: VaultFile) {
        self.file = Some(file);
        self.lock_reason = None;
        self.keychain_failed = None;
        self.last_activity = Instant::now();
        self.refresh_stamp();
    }

    /// Opens the vault with `unlock`.
    ///
    /// # Errors
    /// As [`VaultFile::open`], mapped; a keychain failure is also remembered as the lock
    /// reason so the status asks for the password.
    pub fn open(&mut self, unlock: Unlock) -> IpcResult<()> {
        let keystore = self.keystore();
        match VaultFile::open(&self.path, &unlock, keystore.as_ref()) {
            Ok(file) => {
                self.install(file);
                Ok(())
            }
            Err(e) => {
                if matches!(
                    e,
                    VaultError::KeychainUnavailable(_)
                        | VaultError::KeychainKeyMissing
                        | VaultError::KeychainKeyWrong
                        | VaultError::NoSlot {
                            kind: SlotKind::Keychain
                        }
                ) {
                    self.keychain_failed = Some(one_line(&e));
                }
                Err(e.into())
            }
        }
    }

    /// Locks: drops the vault (zeroized: its data key and accounts), candidates, undo buffer and HOTP
    /// codes. `reason` is shown on the unlock screen.
    pub fn lock(&mut self, reason: Option<String>) {
        self.file = None;
        self.pending.clear();
        self.pending_file = None;
        self.undo.clear();
        self.hotp_last.clear();
        self.lock_reason = reason;
    }

    /// Re-reads the file after another process saved it, with the data key already in memory
    /// ([`VaultFile::reload`]): no credential is kept for this.
    ///
    /// # Errors
    /// [`IpcError::Locked`] without a session; the reload error otherwise.
    pub fn reload(&mut self) -> IpcResult<()> {
        self.file_mut()?.reload()?;
        self.refresh_stamp();
        Ok(())
    }

    /// Applies `change` to the accounts and saves. If the file changed on disk since it was
    /// loaded, the newer file is reloaded and `change` applied again to it (so a CLI edit is
    /// never overwritten); if any step fails the in-memory accounts are put back as they
    /// were.
    ///
    /// # Errors
    /// [`IpcError::Locked`], the error of `change`, or the save error.
    pub fn mutate<T>(
        &mut self,
        mut change: impl FnMut(&mut Vault) -> IpcResult<T>,
    ) -> IpcResult<T> {
        match self.apply_and_save(&mut change) {
            Err(Attempt::Save(VaultError::ChangedOnDisk { .. })) => {
                self.reload()?;
                self.changed_externally = true;
                self.apply_and_save(&mut change).map_err(IpcError::from)
            }
            other => other.map_err(IpcError::from),
        }
    }

    /// One attempt of [`AppVault::mutate`].
    fn apply_and_save<T>(
        &mut self,
        change: &mut impl FnMut(&mut Vault) -> IpcResult<T>,
    ) -> Result<T, Attempt> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| Attempt::Change(IpcError::locked()))?;
        let backup = file.vault().clone();
        let out = match change(file.vault_mut()) {
            Ok(v) => v,
            Err(e) => {
                *file.vault_mut() = backup;
                return Err(Attempt::Change(e));
            }
        };
        match file.save() {
            Ok(()) => {
                self.refresh_stamp();
                Ok(out)
            }
            Err(e) => {
                *file.vault_mut() = backup;
                Err(Attempt::Save(e))
            }
        }
    }

    /// Runs a credential operation of the vault file (set password, new recovery key) that
    /// saves by itself, reloading once if the file changed on disk.
    ///
    /// # Errors
    /// [`IpcError::Locked`] or the operation's error.
    pub fn with_file_save<T>(
        &mut self,
        mut op: impl FnMut(&mut VaultFile) -> Result<T, VaultError>,
    ) -> IpcResult<T> {
        let first = op(self.file_mut()?);
        let out = match first {
            Err(VaultError::ChangedOnDisk { .. }) => {
                self.reload()?;
                self.changed_externally = true;
                op(self.file_mut()?)?
            }
            other => other?,
        };
        self.refresh_stamp();
        Ok(out)
    }

    fn refresh_stamp(&mut self) {
        self.disk = stamp(&self.path);
        self.exists = self.path.exists();
    }

    /// Looks at the file on disk (cheaply: metadata first, content hash only when that
    /// changed) and reloads the vault if another process changed it.
    pub fn check_disk(&mut self) -> DiskChange {
        let exists = self.path.exists();
        if self.file.is_none() {
            let appeared_or_vanished = exists != self.exists;
            self.exists = exists;
            return if appeared_or_vanished {
                DiskChange::Reloaded
            } else {
                DiskChange::None
            };
        }
        let Some(known) = &self.disk else {
            self.refresh_stamp();
            return DiskChange::None;
        };
        let Ok(meta) = std::fs::metadata(&self.path) else {
            // Gone (or unreadable) while open: keep the session; the next save reports it.
            return DiskChange::None;
        };
        if meta.len() == known.len
            && meta.modified().ok() == known.modified
            && inode(&meta) == known.inode
        {
            return DiskChange::None;
        }
        // The metadata moved: ask the vault whether the content did (it tracks the digest of
        // what it loaded or last wrote, so our own saves never count).
        let changed = self.file.as_ref().map(VaultFile::changed_on_disk);
        match changed {
            Some(Ok(false)) => {
                self.refresh_stamp();
                DiskChange::None
            }
            Some(Ok(true)) => {
                let reloaded = match self.file.as_mut() {
                    Some(f) => f.reload(),
                    None => Ok(()),
                };
                match reloaded {
                    Ok(()) => {
                        self.refresh_stamp();
                        DiskChange::Reloaded
                    }
                    Err(e) => {
                        // A credential change elsewhere rotates the data key: this session's
                        // key no longer opens the file (its commitment differs), by design.
                        let reason = match &e {
                            VaultError::Integrity {
                                what: "key commitment",
                                ..
                            } => "the vault's password or recovery key was changed by another program; unlock it again".to_owned(),
                            e => format!(
                                "the vault was changed by another program and must be unlocked again ({e})"
                            ),
                        };
                        self.lock(Some(reason.clone()));
                        DiskChange::Locked(reason)
                    }
                }
            }
            // Unreadable for now: keep the session; the next save reports it.
            Some(Err(_)) | None => DiskChange::None,
        }
    }

    /// Forgets undo entries older than [`UNDO_WINDOW`] (they hold secrets).
    pub fn purge_expired(&mut self) {
        self.undo.retain(|_, (_, at)| at.elapsed() < UNDO_WINDOW);
    }

    /// Saves the settings file (mode 0600, written to a temporary file and renamed).
    ///
    /// # Errors
    /// The I/O problem, with the path.
    pub fn save_settings(&self) -> Result<(), String> {
        let Some(path) = &self.settings_path else {
            return Ok(());
        };
        let json = serde_json::to_vec_pretty(&self.settings)
            .map_err(|e| format!("cannot encode the settings: {e}"))?;
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        fsio::create_private_dir(dir)
            .and_then(|()| fsio::write_private(path, &json, fsio::Existing::Replace))
            .map_err(|e| format!("cannot save {}: {e}", path.display()))
    }
}

/// How one attempt of [`AppVault::mutate`] failed.
enum Attempt {
    /// The change itself was refused (nothing was saved).
    Change(IpcError),
    /// The save failed.
    Save(VaultError),
}

impl From<Attempt> for IpcError {
    fn from(a: Attempt) -> Self {
        match a {
            Attempt::Change(e) => e,
            Attempt::Save(e) => e.into(),
        }
    }
}

fn slot_name(kind: SlotKind) -> &'static str {
    match kind {
        SlotKind::Keychain => "keychain",
        SlotKind::Password => "password",
        SlotKind::KeychainAndPassword => "keychainAndPassword",
        SlotKind::RecoveryKey => "recoveryKey",
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> u64 {
    0
}

fn stamp(path: &Path) -> Option<DiskStamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(DiskStamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode: inode(&meta),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::account::{Kind, Period};
    use twofold_core::vault::CreateOptions;
    use twofold_core::{SecretBytes, SecretString};

    const PASSWORD: &str = "state test password";

    fn account(issuer: &str, byte: u8) -> Account {
        Account::new(
            issuer,
            "",
            SecretBytes::from_slice(&[byte; 20]),
            Kind::Totp {
                period: Period::THIRTY,
            },
            0,
        )
    }

    /// An unlocked app state on a fresh password vault, and a keystore the "CLI" can share.
    fn unlocked(dir: &Path) -> AppVault {
        let store = MemoryKeyStore::new();
        let path = dir.join("vault.twofold");
        let opts = CreateOptions {
            keychain: false,
            password: Some(SecretString::from(PASSWORD)),
            keychain_and_password: false,
            kdf: KdfParams::MINIMUM,
        };
        let (file, _) = VaultFile::create(&path, opts, &store, 0).expect("creates");
        let mut s = AppVault::for_tests(path, store);
        s.install(file);
        s
    }

    /// What twofold-cli does: open the file on its own, change it, save.
    fn cli_adds(path: &Path, issuer: &str, byte: u8) {
        let unlock = Unlock::Password(SecretString::from(PASSWORD));
        let mut file = VaultFile::open(path, &unlock, &MemoryKeyStore::new()).expect("opens");
        file.vault_mut().add(account(issuer, byte)).expect("adds");
        file.save().expect("saves");
    }

    fn issuers(s: &AppVault) -> Vec<String> {
        let mut v: Vec<String> = s
            .vault()
            .expect("unlocked")
            .accounts()
            .iter()
            .map(|a| a.issuer.clone())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_save_after_a_cli_change_reapplies_the_change_instead_of_overwriting() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = unlocked(dir.path());
        s.mutate(|v| v.add(account("App1", 1)).map_err(IpcError::from))
            .expect("first change");
        cli_adds(&dir.path().join("vault.twofold"), "Cli", 2);
        s.mutate(|v| v.add(account("App2", 3)).map_err(IpcError::from))
            .expect("second change, after reload");
        assert_eq!(issuers(&s), ["App1", "App2", "Cli"]);
        assert!(s.changed_externally, "the UI is told to re-fetch");
        // And the file holds all three: reopen it independently.
        let unlock = Unlock::Password(SecretString::from(PASSWORD));
        let file = VaultFile::open(s.path(), &unlock, &MemoryKeyStore::new()).expect("opens");
        assert_eq!(file.vault().len(), 3);
    }

    #[test]
    fn a_failed_change_leaves_memory_and_disk_as_they_were() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = unlocked(dir.path());
        s.mutate(|v| v.add(account("A", 1)).map_err(IpcError::from))
            .expect("adds");
        let err = s
            .mutate(|v| {
                v.add(account("B", 2)).map_err(IpcError::from)?;
                v.add(account("A again", 1)).map_err(IpcError::from)
            })
            .expect_err("the duplicate is refused");
        assert!(matches!(err, IpcError::Duplicate(_)), "{err:?}");
        assert_eq!(issuers(&s), ["A"]);
    }

    #[test]
    fn check_disk_reloads_cli_changes_and_ignores_our_own_saves() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = unlocked(dir.path());
        assert_eq!(s.check_disk(), DiskChange::None);
        s.mutate(|v| v.add(account("Ours", 1)).map_err(IpcError::from))
            .expect("adds");
        assert_eq!(
            s.check_disk(),
            DiskChange::None,
            "our own save is no change"
        );
        cli_adds(s.path(), "Theirs", 2);
        assert_eq!(s.check_disk(), DiskChange::Reloaded);
        assert_eq!(issuers(&s), ["Ours", "Theirs"]);
        assert_eq!(s.check_disk(), DiskChange::None);
    }

    #[test]
    fn lock_forgets_the_vault_candidates_and_undo_buffer() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = unlocked(dir.path());
        s.pending.insert("t".into(), account("P", 1));
        s.undo.insert("u".into(), (account("U", 2), Instant::now()));
        s.lock(Some("locked after 10 minutes without activity".into()));
        assert!(!s.is_unlocked());
        assert!(s.pending.is_empty() && s.undo.is_empty());
        assert!(matches!(s.vault(), Err(IpcError::Locked(_))));
        let status = s.status();
        assert_eq!(status.state, "locked");
        assert_eq!(status.needs, Needs::Password);
        assert_eq!(
            status.reason.as_deref(),
            Some("locked after 10 minutes without activity")
        );
        assert_eq!(status.slots, ["password", "recoveryKey"]);
    }

    #[test]
    fn settings_round_trip_through_a_private_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("config").join("settings.json");
        let mut s = AppVault::new(
            dir.path().join("v.twofold"),
            Some(file.clone()),
            KeystoreSource::Fixed(Arc::new(MemoryKeyStore::new())),
        );
        assert_eq!(s.settings, Settings::default());
        s.settings.auto_lock_mins = 3;
        s.save_settings().expect("saves");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&file)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = AppVault::new(dir.path().join("v.twofold"), Some(file), KeystoreSource::Os);
        assert_eq!(again.settings.auto_lock_mins, 3);
    }
}
