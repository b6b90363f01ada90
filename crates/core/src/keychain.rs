//! Where the keychain slot keeps its key: the OS keychain, or memory in tests.
//!
//! [`KeyStore`] is the small interface the vault needs (get, set, delete one 32-byte key per
//! vault id, plus a self-test). `OsKeyStore` (feature `os-keychain`) stores the key through
//! keyring-core in the platform store: the Secret Service over zbus on Linux, the Keychain on
//! macOS, the Credential Manager on Windows. [`MemoryKeyStore`] keeps keys in process memory
//! for tests and fuzzing; it is not persistent and says so ([`KeyStore::is_persistent`]).
//!
//! Requirements served (`docs/reference/security-brief.md` §3.2, §7): K2 (a failing keychain is an
//! error the caller turns into "ask for a password", never a key file on disk), K3 (a probe
//! that writes, reads back and deletes an entry), and fail-fast: every OS call runs on a
//! helper thread with a deadline, so a missing session bus or a Secret Service that never
//! answers yields [`KeychainError::Unavailable`] instead of a hang.
//!
//! Which keychain item belongs to which vault, and what the key wraps, is the vault's
//! business (`docs/vault.md`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::secret::SecretBytes;

/// The OS keychain failed. Messages carry the platform's explanation, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No usable keychain: no session bus, no Secret Service, no store for this platform,
    /// or the store did not answer in time.
    #[error("keychain unavailable: {0}")]
    Unavailable(String),
    /// The keychain exists but is locked, or access was refused.
    #[error("keychain is locked or access was denied: {0}")]
    Locked(String),
    /// The keychain answered with an error.
    #[error("keychain operation failed: {0}")]
    Failed(String),
}

/// A store for the one random key per vault that the keychain slot needs.
///
/// Implementations must be cheap to call and must fail (not block forever) when the
/// backing service is absent.
pub trait KeyStore: Send + Sync {
    /// A short human name for messages: `"Secret Service"`, `"memory"`, …
    fn describe(&self) -> String;

    /// The key stored for `vault_id`, or `None` if there is none.
    ///
    /// # Errors
    /// [`KeychainError`] if the store cannot be reached, is locked, or fails.
    fn get(&self, vault_id: &str) -> Result<Option<SecretBytes>, KeychainError>;

    /// Stores `key` for `vault_id`, replacing any previous key.
    ///
    /// # Errors
    /// [`KeychainError`] if the store cannot be reached, is locked, or fails.
    fn set(&self, vault_id: &str, key: &SecretBytes) -> Result<(), KeychainError>;

    /// Deletes the key for `vault_id`. Deleting a key that does not exist succeeds.
    ///
    /// # Errors
    /// [`KeychainError`] if the store cannot be reached, is locked, or fails.
    fn delete(&self, vault_id: &str) -> Result<(), KeychainError>;

    /// Self-test (security.md K3): writes a random probe entry, reads it back, compares and
    /// deletes it.
    ///
    /// # Errors
    /// [`KeychainError`] from any step, or [`KeychainError::Failed`] if the value read back
    /// differs from the value written.
    fn probe(&self) -> Result<(), KeychainError> {
        let mut id_bytes = [0u8; 8];
        getrandom::fill(&mut id_bytes)
            .map_err(|e| KeychainError::Failed(format!("random number generator failed: {e}")))?;
        let probe_id = format!("probe-{}", hex(&id_bytes));
        let mut value = vec![0u8; 32];
        getrandom::fill(&mut value)
            .map_err(|e| KeychainError::Failed(format!("random number generator failed: {e}")))?;
        let value = SecretBytes::new(value);
        self.set(&probe_id, &value)?;
        let read = self.get(&probe_id);
        let deleted = self.delete(&probe_id);
        match read? {
            Some(back) if back == value => {}
            Some(_) => {
                return Err(KeychainError::Failed(
                    "probe entry read back with a different value".into(),
                ))
            }
            None => {
                return Err(KeychainError::Failed(
                    "probe entry was not found after writing it".into(),
                ))
            }
        }
        deleted
    }

    /// Whether keys survive the end of this process. `false` means the store is a stand-in
    /// (tests) and the app should report "no persistent keychain" (security.md K3).
    fn is_persistent(&self) -> bool {
        true
    }
}

/// Lower-case hex, for keychain entry names.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Invariant: writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Keys in process memory, shared between clones. For tests, fuzzing and benchmarks.
///
/// A failure can be injected with [`MemoryKeyStore::set_failure`] to exercise the paths
/// where the keychain is unavailable or locked.
#[derive(Debug, Clone, Default)]
pub struct MemoryKeyStore {
    inner: Arc<Mutex<MemoryInner>>,
}

#[derive(Debug, Default)]
struct MemoryInner {
    keys: HashMap<String, SecretBytes>,
    failure: Option<KeychainError>,
}

impl MemoryKeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store whose every call fails with `error`.
    pub fn failing(error: KeychainError) -> Self {
        let store = Self::default();
        store.set_failure(Some(error));
        store
    }

    /// Makes every later call fail with `error` (`None` restores normal operation).
    pub fn set_failure(&self, error: Option<KeychainError>) {
        self.lock().failure = error;
    }

    /// Number of keys held (probe entries are deleted by the probe).
    pub fn len(&self) -> usize {
        self.lock().keys.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        // A panic while holding this lock cannot leave the map half-updated (every
        // operation is a single HashMap call), so a poisoned lock is safe to reuse.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(inner: &MemoryInner) -> Result<(), KeychainError> {
        match &inner.failure {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

impl KeyStore for MemoryKeyStore {
    fn describe(&self) -> String {
        "memory".into()
    }

    fn get(&self, vault_id: &str) -> Result<Option<SecretBytes>, KeychainError> {
        let inner = self.lock();
        Self::check(&inner)?;
        Ok(inner.keys.get(vault_id).cloned())
    }

    fn set(&self, vault_id: &str, key: &SecretBytes) -> Result<(), KeychainError> {
        let mut inner = self.lock();
        Self::check(&inner)?;
        inner.keys.insert(vault_id.to_owned(), key.clone());
        Ok(())
    }

    fn delete(&self, vault_id: &str) -> Result<(), KeychainError> {
        let mut inner = self.lock();
        Self::check(&inner)?;
        inner.keys.remove(vault_id);
        Ok(())
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

/// Stands in when no keychain could be reached (for instance when `OsKeyStore::new`
/// failed): every call fails with the error given, so callers can always hold a
/// `&dyn KeyStore` and the vault reports [`crate::vault::VaultError::KeychainUnavailable`].
#[derive(Debug, Clone)]
pub struct NoKeyStore {
    reason: KeychainError,
}

impl NoKeyStore {
    /// A store that fails every call with `reason`.
    pub fn new(reason: KeychainError) -> Self {
        Self { reason }
    }
}

impl KeyStore for NoKeyStore {
    fn describe(&self) -> String {
        "none".into()
    }

    fn get(&self, _vault_id: &str) -> Result<Option<SecretBytes>, KeychainError> {
        Err(self.reason.clone())
    }

    fn set(&self, _vault_id: &str, _key: &SecretBytes) -> Result<(), KeychainError> {
        Err(self.reason.clone())
    }

    fn delete(&self, _vault_id: &str) -> Result<(), KeychainError> {
        Err(self.reason.clone())
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

#[cfg(feature = "os-keychain")]
pub use os::OsKeyStore;

#[cfg(feature = "os-keychain")]
mod os {
    use std::sync::{mpsc, Arc};
    use std::time::Duration;

    use keyring_core::{CredentialStore, Entry};
    use zeroize::Zeroizing;

    use super::{KeyStore, KeychainError};
    use crate::secret::SecretBytes;

    /// The keychain service name under which every Twofold entry is stored.
    const SERVICE: &str = "twofold";

    /// How long one keychain call may take before we report the keychain unavailable. The
    /// Secret Service may show an unlock prompt, so this is generous, but it is finite.
    const DEADLINE: Duration = Duration::from_secs(20);

    /// How long connecting may take. With no session bus the connection fails at once; a
    /// bus that never answers is cut off here.
    const CONNECT_DEADLINE: Duration = Duration::from_secs(10);

    /// The platform keychain through keyring-core: Secret Service (Linux, via zbus),
    /// Keychain (macOS), Credential Manager (Windows).
    ///
    /// Keys are stored as lower-case hex text, because some Secret Service back ends (KDE
    /// Wallet) only hold UTF-8. Entries are named service `twofold`, user `vault-<id>`.
    #[derive(Clone)]
    pub struct OsKeyStore {
        store: Arc<CredentialStore>,
        name: &'static str,
    }

    impl std::fmt::Debug for OsKeyStore {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("OsKeyStore")
                .field("name", &self.name)
                .finish()
        }
    }

    /// Runs `f` on a helper thread and gives up after `deadline`. A call that never returns
    /// leaves its thread behind, which is the price of never hanging the caller.
    fn with_deadline<T: Send + 'static>(
        deadline: Duration,
        what: &'static str,
        f: impl FnOnce() -> Result<T, KeychainError> + Send + 'static,
    ) -> Result<T, KeychainError> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("twofold-keychain".into())
            .spawn(move || {
                let _ = tx.send(f());
            })
            .map_err(|e| KeychainError::Failed(format!("cannot start keychain thread: {e}")))?;
        match rx.recv_timeout(deadline) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(KeychainError::Unavailable(format!(
                "no answer from the keychain within {} s while trying to {what}",
                deadline.as_secs()
            ))),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(KeychainError::Failed(format!(
                "keychain call failed unexpectedly while trying to {what}"
            ))),
        }
    }

    /// Maps keyring-core errors, dropping any payload that might hold secret bytes.
    fn map_err(e: keyring_core::Error) -> KeychainError {
        use keyring_core::Error as E;
        match e {
            E::NoStorageAccess(inner) => KeychainError::Locked(inner.to_string()),
            E::PlatformFailure(inner) => KeychainError::Failed(inner.to_string()),
            E::NoDefaultStore => KeychainError::Unavailable("no credential store".into()),
            E::BadEncoding(_) | E::BadDataFormat(..) => {
                KeychainError::Failed("the stored key has an unexpected format".into())
            }
            E::Ambiguous(items) => KeychainError::Failed(format!(
                "{} keychain entries match this vault, expected one",
                items.len()
            )),
            other => KeychainError::Failed(other.to_string()),
        }
    }

    fn user(vault_id: &str) -> String {
        format!("vault-{vault_id}")
    }

    impl OsKeyStore {
        /// Connects to the platform keychain.
        ///
        /// # Errors
        /// [`KeychainError::Unavailable`] when there is no keychain (on Linux: no session bus
        /// or no `org.freedesktop.secrets`), quickly and without hanging.
        pub fn new() -> Result<Self, KeychainError> {
            let (store, name) = with_deadline(CONNECT_DEADLINE, "connect", || {
                Self::connect().map_err(|e| match e {
                    KeychainError::Failed(m) | KeychainError::Locked(m) => {
                        KeychainError::Unavailable(m)
                    }
                    other => other,
                })
            })?;
            Ok(Self { store, name })
        }

        #[cfg(target_os = "linux")]
        fn connect() -> Result<(Arc<CredentialStore>, &'static str), KeychainError> {
            let store: Arc<CredentialStore> =
                zbus_secret_service_keyring_store::Store::new().map_err(map_err)?;
            Ok((store, "Secret Service"))
        }

        #[cfg(target_os = "macos")]
        fn connect() -> Result<(Arc<CredentialStore>, &'static str), KeychainError> {
            let store: Arc<CredentialStore> =
                apple_native_keyring_store::keychain::Store::new().map_err(map_err)?;
            Ok((store, "macOS Keychain"))
        }

        #[cfg(target_os = "windows")]
        fn connect() -> Result<(Arc<CredentialStore>, &'static str), KeychainError> {
            let store: Arc<CredentialStore> =
                windows_native_keyring_store::Store::new().map_err(map_err)?;
            Ok((store, "Windows Credential Manager"))
        }

        #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
        fn connect() -> Result<(Arc<CredentialStore>, &'static str), KeychainError> {
            Err(KeychainError::Unavailable(
                "no keychain support for this platform".into(),
            ))
        }

        fn entry(store: &Arc<CredentialStore>, vault_id: &str) -> Result<Entry, KeychainError> {
            store.build(SERVICE, &user(vault_id), None).map_err(map_err)
        }
    }

    impl KeyStore for OsKeyStore {
        fn describe(&self) -> String {
            self.name.into()
        }

        fn get(&self, vault_id: &str) -> Result<Option<SecretBytes>, KeychainError> {
            let store = self.store.clone();
            let vault_id = vault_id.to_owned();
            with_deadline(DEADLINE, "read a key", move || {
                let entry = Self::entry(&store, &vault_id)?;
                match entry.get_password() {
                    Ok(text) => {
                        let text = Zeroizing::new(text);
                        let bytes = data_encoding::HEXLOWER_PERMISSIVE
                            .decode(text.as_bytes())
                            .map_err(|_| {
                                KeychainError::Failed(
                                    "the stored key has an unexpected format".into(),
                                )
                            })?;
                        Ok(Some(SecretBytes::new(bytes)))
                    }
                    Err(keyring_core::Error::NoEntry) => Ok(None),
                    Err(e) => Err(map_err(e)),
                }
            })
        }

        fn set(&self, vault_id: &str, key: &SecretBytes) -> Result<(), KeychainError> {
            let store = self.store.clone();
            let vault_id = vault_id.to_owned();
            let text = Zeroizing::new(data_encoding::HEXLOWER.encode(key.expose()));
            with_deadline(DEADLINE, "store a key", move || {
                let entry = Self::entry(&store, &vault_id)?;
                entry.set_password(&text).map_err(map_err)
            })
        }

        fn delete(&self, vault_id: &str) -> Result<(), KeychainError> {
            let store = self.store.clone();
            let vault_id = vault_id.to_owned();
            with_deadline(DEADLINE, "delete a key", move || {
                let entry = Self::entry(&store, &vault_id)?;
                match entry.delete_credential() {
                    Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                    Err(e) => Err(map_err(e)),
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_shares_state_between_clones() {
        let a = MemoryKeyStore::new();
        let b = a.clone();
        let key = SecretBytes::from_slice(&[7u8; 32]);
        assert_eq!(a.get("v1").unwrap(), None);
        a.set("v1", &key).unwrap();
        assert_eq!(b.get("v1").unwrap(), Some(key.clone()));
        assert_eq!(b.len(), 1);
        b.delete("v1").unwrap();
        assert_eq!(a.get("v1").unwrap(), None);
        // Deleting a missing key succeeds.
        a.delete("v1").unwrap();
        assert!(a.is_empty());
    }

    #[test]
    fn memory_store_probe_leaves_nothing_behind() {
        let s = MemoryKeyStore::new();
        s.probe().unwrap();
        assert!(s.is_empty());
        assert!(!s.is_persistent());
        assert_eq!(s.describe(), "memory");
    }

    #[test]
    fn memory_store_injected_failure_is_reported_and_can_be_cleared() {
        let s = MemoryKeyStore::failing(KeychainError::Locked("test".into()));
        assert_eq!(s.probe(), Err(KeychainError::Locked("test".into())));
        assert!(matches!(s.get("x"), Err(KeychainError::Locked(_))));
        s.set_failure(None);
        s.probe().unwrap();
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
