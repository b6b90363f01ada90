//! The vault file on disk: create, open, save, key slots, generations, locking
//! (`docs/vault.md`; `../shared/docs/security.md` §3.2–§3.3, S1–S6, K1–K5).
//!
//! Write path (security.md §3.3): take the advisory lock on `<name>.lock`, refuse if the file
//! changed since it was loaded, encrypt with a fresh salt and nonce, write
//! `<name>.tmp-<random>` (create_new, mode 0600 at open), `sync_all`, hard-link the current
//! file to `<name>.gen-<generation>` (copy if links are unsupported), rename the temporary
//! file over the vault, fsync the directory, prune generations beyond the last
//! [`GENERATIONS_KEPT`], then re-read, decrypt and compare before reporting success.
//!
//! Every file-system step of that path goes through `seam`, which is a no-op in normal
//! builds. With the `fault-injection` feature (on for this crate's own tests) a test can fail
//! the k-th step of a save, or make writes stop with ENOSPC after n bytes, to prove that the
//! original file stays byte-identical and the error reaches the caller (security.md S1 b).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::crypto::{self, label, KEY_LEN, RECOVERY_KEY_LEN};
use super::format::{self, Header, ParseError, Slot};
use super::payload;
use super::{
    CreateOptions, HeaderInfo, KdfParams, RecoveryKey, SlotKind, Unlock, Vault, VaultError,
};
use crate::keychain::{hex, KeyStore};
use crate::secret::{SecretBytes, SecretString};

/// How many previous generations are kept beside the vault (Aegis' default).
pub const GENERATIONS_KEPT: usize = 5;

/// How long a save waits for another process's lock before reporting [`VaultError::Busy`].
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// An unlocked vault bound to its file.
pub struct VaultFile {
    path: PathBuf,
    vault: Vault,
    created_at: i64,
    dek: SecretBytes,
    header: Header,
    /// SHA-256 of the file as loaded or last written, to detect changes on disk (S4).
    disk_digest: [u8; 32],
    /// The keychain key, if this session obtained it (needed to re-wrap a
    /// keychain+password slot).
    keychain_secret: Option<SecretBytes>,
}

impl std::fmt::Debug for VaultFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultFile")
            .field("path", &self.path)
            .field("generation", &self.header.generation)
            .field("accounts", &self.vault.len())
            .finish_non_exhaustive()
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> VaultError + '_ {
    move |source| VaultError::Io {
        path: path.to_owned(),
        source,
    }
}

fn map_parse(path: &Path, e: ParseError) -> VaultError {
    match e {
        ParseError::Malformed(reason) => VaultError::Malformed {
            path: path.to_owned(),
            reason,
        },
        ParseError::Version(version) => VaultError::UnsupportedVersion { version },
        ParseError::Checksum => VaultError::Integrity {
            path: path.to_owned(),
            what: "header checksum",
        },
        ParseError::Kdf(k) => VaultError::KdfParams {
            m_kib: k.m_kib,
            t: k.t,
            p: k.p,
        },
    }
}

/// The file-system steps of the write path, each named, so that a test can make the k-th one
/// fail (security.md S1 b, KeePassXC's `FailDevice` idea). In normal builds every function
/// here is a pass-through; the plan exists only with `cfg(test)` or the `fault-injection`
/// feature, and only for the thread that set it.
mod seam {
    use std::io::{self, Write};

    #[cfg(any(test, feature = "fault-injection"))]
    mod plan {
        use std::cell::RefCell;

        /// What to break, and the steps seen since the plan was set.
        #[derive(Default)]
        pub(super) struct Plan {
            /// Fail the steps with these indices (0-based, counted from when the plan was set).
            pub(super) fail_at: Vec<usize>,
            /// Writes stop with ENOSPC after this many bytes of each written file.
            pub(super) write_limit: Option<usize>,
            /// Every written file gets this byte flipped, silently (a faulty disk).
            pub(super) corrupt_at: Option<usize>,
            /// Every step reached: its name and whether it was made to fail.
            pub(super) ops: Vec<(&'static str, bool)>,
        }

        thread_local! {
            pub(super) static PLAN: RefCell<Option<Plan>> = const { RefCell::new(None) };
        }
    }

    #[cfg(any(test, feature = "fault-injection"))]
    pub(super) fn set(fail_at: &[usize], write_limit: Option<usize>, corrupt_at: Option<usize>) {
        plan::PLAN.with(|p| {
            *p.borrow_mut() = Some(plan::Plan {
                fail_at: fail_at.to_vec(),
                write_limit,
                corrupt_at,
                ops: Vec::new(),
            });
        });
    }

    #[cfg(any(test, feature = "fault-injection"))]
    pub(super) fn take() -> Vec<(&'static str, bool)> {
        plan::PLAN.with(|p| p.borrow_mut().take().map(|p| p.ops).unwrap_or_default())
    }

    /// Counts one step named `name`; fails it if the plan says so. Injected failures are
    /// `EIO`, except that a failed write is `ENOSPC` (a full disk).
    #[cfg(any(test, feature = "fault-injection"))]
    pub(super) fn op(name: &'static str) -> io::Result<()> {
        plan::PLAN.with(|p| {
            let mut p = p.borrow_mut();
            let Some(plan) = p.as_mut() else {
                return Ok(());
            };
            let fail = plan.fail_at.contains(&plan.ops.len());
            plan.ops.push((name, fail));
            if !fail {
                Ok(())
            } else if name == "write-temp" {
                Err(io::Error::from_raw_os_error(28))
            } else {
                Err(io::Error::from_raw_os_error(5))
            }
        })
    }

    #[cfg(not(any(test, feature = "fault-injection")))]
    #[inline(always)]
    pub(super) fn op(_name: &'static str) -> io::Result<()> {
        Ok(())
    }

    /// `write_all`, cut short by ENOSPC if the plan limits how much a file may take, or
    /// silently corrupted if the plan says so.
    pub(super) fn write_all(f: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
        op("write-temp")?;
        #[cfg(any(test, feature = "fault-injection"))]
        {
            let (limit, corrupt) = plan::PLAN.with(|p| {
                p.borrow()
                    .as_ref()
                    .map_or((None, None), |p| (p.write_limit, p.corrupt_at))
            });
            if let Some(limit) = limit.filter(|&l| l < bytes.len()) {
                f.write_all(&bytes[..limit])?;
                return Err(io::Error::from_raw_os_error(28));
            }
            if let Some(at) = corrupt.filter(|&at| at < bytes.len()) {
                let mut bad = bytes.to_vec();
                bad[at] ^= 0x01;
                return f.write_all(&bad);
            }
        }
        f.write_all(bytes)
    }
}

/// What identifies one written file, for change detection (S4): its length, its prefix (which
/// holds the per-save random salt and nonce) and its tag. Two saves never share these, and
/// hashing a few hundred bytes instead of the whole file keeps saves of large vaults fast. A
/// file damaged in its middle counts as unchanged here; saving over it is then harmless (it
/// is kept as a generation), and opening it reports the damage.
fn identity(bytes: &[u8]) -> [u8; 32] {
    let head = bytes
        .len()
        .min(format::PREFIX_LEN + format::MAX_HEADER_LEN + format::CHECKSUM_LEN);
    let tail = bytes.len().saturating_sub(crypto::TAG_LEN).max(head);
    let mut data = Vec::with_capacity(8 + head + crypto::TAG_LEN);
    data.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    data.extend_from_slice(&bytes[..head]);
    data.extend_from_slice(&bytes[tail..]);
    crypto::sha256(&data)
}

/// Reads a vault file, refusing anything larger than [`format::MAX_FILE_LEN`].
fn read_bytes(path: &Path) -> Result<Vec<u8>, VaultError> {
    let file = match seam::op("read").and_then(|()| File::open(path)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(VaultError::NotFound {
                path: path.to_owned(),
            })
        }
        Err(e) => return Err(io_err(path)(e)),
    };
    let len = file.metadata().map_err(io_err(path))?.len();
    if len > format::MAX_FILE_LEN {
        return Err(VaultError::Malformed {
            path: path.to_owned(),
            reason: format!(
                "file is {len} bytes, expected at most {}",
                format::MAX_FILE_LEN
            ),
        });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(format::MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    Ok(bytes)
}

fn file_name(path: &Path) -> Result<String, VaultError> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or(VaultError::InvalidOptions {
            reason: "the vault path must end in a UTF-8 file name",
        })
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn sibling(path: &Path, suffix: &str) -> Result<PathBuf, VaultError> {
    Ok(parent_dir(path).join(format!("{}{suffix}", file_name(path)?)))
}

/// `<name>.gen-<generation>` beside `path`.
fn gen_path(path: &Path, generation: u64) -> Result<PathBuf, VaultError> {
    sibling(path, &format!(".gen-{generation}"))
}

/// Opens a new file with mode 0600 set at creation (S6), failing if it exists.
fn create_private(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Creates the vault's directory (mode 0700 for every component created) if missing.
fn ensure_dir(dir: &Path) -> Result<(), VaultError> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(io_err(dir))
}

/// Makes a rename or unlink in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), VaultError> {
    #[cfg(unix)]
    {
        seam::op("fsync-dir")
            .and_then(|()| File::open(dir))
            .and_then(|d| d.sync_all())
            .map_err(io_err(dir))?;
    }
    #[cfg(not(unix))]
    {
        seam::op("fsync-dir").map_err(io_err(dir))?;
    }
    Ok(())
}

/// Writes `bytes` to a fresh `<name>.tmp-<random>` beside `path` and syncs it.
fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf, VaultError> {
    let rand: [u8; 8] = crypto::random_array()?;
    let tmp = sibling(path, &format!(".tmp-{}", hex(&rand)))?;
    let result = seam::op("create-temp")
        .and_then(|()| create_private(&tmp))
        .and_then(|mut f| {
            seam::write_all(&mut f, bytes)?;
            seam::op("fsync-temp")?;
            f.sync_all()
        });
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io_err(&tmp)(e))
        }
    }
}

/// Removes `<name>.tmp-*` left behind by a crashed writer. Only called under the lock.
fn remove_stale_temps(path: &Path) -> Result<(), VaultError> {
    let prefix = format!("{}.tmp-", file_name(path)?);
    let dir = parent_dir(path);
    let entries = seam::op("list-temps")
        .and_then(|()| fs::read_dir(&dir))
        .map_err(io_err(&dir))?;
    for e in entries.flatten() {
        if e.file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&prefix))
        {
            let _ = fs::remove_file(e.path());
        }
    }
    Ok(())
}

/// The advisory write lock on `<name>.lock`, released on drop (or by the OS if the process
/// dies).
struct WriteLock {
    _file: File,
}

impl WriteLock {
    fn acquire(path: &Path) -> Result<Self, VaultError> {
        let lock_path = sibling(path, ".lock")?;
        let mut o = OpenOptions::new();
        o.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let file = seam::op("lock")
            .and_then(|()| o.open(&lock_path))
            .map_err(io_err(&lock_path))?;
        let start = Instant::now();
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(WriteLock { _file: file }),
                Err(fs4::TryLockError::WouldBlock) => {
                    if start.elapsed() >= LOCK_WAIT {
                        return Err(VaultError::Busy {
                            path: path.to_owned(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(fs4::TryLockError::Error(e)) => return Err(io_err(&lock_path)(e)),
            }
        }
    }
}

/// Previous generations beside `path`, newest first.
fn list_generations(path: &Path) -> Result<Vec<(PathBuf, u64)>, VaultError> {
    let prefix = format!("{}.gen-", file_name(path)?);
    let dir = parent_dir(path);
    let entries = match seam::op("list-generations").and_then(|()| fs::read_dir(&dir)) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&dir)(e)),
    };
    let mut gens: Vec<(PathBuf, u64)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let digits = name.strip_prefix(&prefix)?;
            let g: u64 = digits.parse().ok()?;
            // Only the canonical spelling, so `x.gen-007` is never mistaken for generation 7.
            (g.to_string() == digits).then(|| (e.path(), g))
        })
        .collect();
    gens.sort_by_key(|g| std::cmp::Reverse(g.1));
    Ok(gens)
}

/// Keeps the current file as `<name>.gen-<generation>`: a hard link, or a synced copy where
/// links are not supported.
fn keep_generation(path: &Path, generation: u64) -> Result<(), VaultError> {
    let target = gen_path(path, generation)?;
    // A leftover from a save that crashed before its rename is a link to this same file.
    match seam::op("remove-old-generation").and_then(|()| fs::remove_file(&target)) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&target)(e)),
    }
    if seam::op("link-generation")
        .and_then(|()| fs::hard_link(path, &target))
        .is_ok()
    {
        return Ok(());
    }
    let bytes = read_bytes(path)?;
    let tmp = write_temp(path, &bytes)?;
    seam::op("rename-generation")
        .and_then(|()| fs::rename(&tmp, &target))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err(&target)(e)
        })
}

fn prune_generations(path: &Path) -> Result<bool, VaultError> {
    let mut pruned = false;
    for (p, _) in list_generations(path)?.into_iter().skip(GENERATIONS_KEPT) {
        seam::op("remove-generation")
            .and_then(|()| fs::remove_file(&p))
            .map_err(io_err(&p))?;
        pruned = true;
    }
    Ok(pruned)
}

/// Caches Argon2id results while trying several generations with one password.
#[derive(Default)]
struct KekCache(Vec<CachedKek>);

/// Slot kind, salt and parameters, and the Argon2id output for them.
type CachedKek = (SlotKind, [u8; 32], KdfParams, Zeroizing<[u8; KEY_LEN]>);

impl KekCache {
    fn argon2(
        &mut self,
        slot: &Slot,
        kdf: KdfParams,
        password: &SecretString,
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, VaultError> {
        if let Some((_, _, _, k)) = self
            .0
            .iter()
            .find(|(kind, salt, p, _)| *kind == slot.kind && *salt == slot.salt && *p == kdf)
        {
            return Ok(k.clone());
        }
        let k = crypto::argon2id(password.expose().as_bytes(), &slot.salt, kdf)?;
        self.0.push((slot.kind, slot.salt, kdf, k.clone()));
        Ok(k)
    }
}

/// KEK of a keychain slot.
fn keychain_kek(secret: &SecretBytes, salt: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    crypto::hkdf(secret.expose(), salt, label::KEYCHAIN)
}

/// KEK of a password slot from the Argon2id output.
fn password_kek(stretched: &[u8], salt: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    crypto::hkdf(stretched, salt, label::PASSWORD)
}

/// KEK of a keychain+password slot: `HKDF(keychain_secret ‖ Argon2id(password))`.
fn keychain_password_kek(
    secret: &SecretBytes,
    stretched: &[u8],
    salt: &[u8],
) -> Zeroizing<[u8; KEY_LEN]> {
    let mut ikm = Zeroizing::new(Vec::with_capacity(secret.len() + stretched.len()));
    ikm.extend_from_slice(secret.expose());
    ikm.extend_from_slice(stretched);
    crypto::hkdf(&ikm, salt, label::KEYCHAIN_PASSWORD)
}

/// KEK of a recovery slot.
fn recovery_kek(key: &SecretBytes, salt: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    crypto::hkdf(key.expose(), salt, label::RECOVERY)
}

/// A new slot of `kind` wrapping `dek` under `kek_for(salt)`.
fn new_slot(
    kind: SlotKind,
    kdf: Option<KdfParams>,
    vault_id: &[u8; 16],
    dek: &SecretBytes,
    kek_for: impl FnOnce(&[u8; 32]) -> Result<Zeroizing<[u8; KEY_LEN]>, VaultError>,
) -> Result<Slot, VaultError> {
    let mut slot = Slot {
        kind,
        id: crypto::random_array()?,
        salt: crypto::random_array()?,
        kdf,
        wrap_nonce: crypto::random_array()?,
        wrapped: [0u8; crypto::WRAPPED_LEN],
    };
    let kek = kek_for(&slot.salt)?;
    slot.wrapped = crypto::wrap(kek.as_ref(), &slot.wrap_nonce, &slot.aad(vault_id), dek)?;
    Ok(slot)
}

/// Generates a recovery key: the bytes and the grouped text.
fn generate_recovery_key() -> Result<(SecretBytes, RecoveryKey), VaultError> {
    let mut raw = vec![0u8; RECOVERY_KEY_LEN];
    crypto::random(&mut raw)?;
    let raw = SecretBytes::new(raw);
    let b32 = raw.to_base32();
    let mut grouped = String::with_capacity(b32.expose().len() + 8);
    for (i, c) in b32.expose().chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            grouped.push('-');
        }
        grouped.push(c);
    }
    Ok((raw, RecoveryKey(SecretString::new(grouped))))
}

fn slot_of(header: &Header, kind: SlotKind) -> Option<&Slot> {
    header.slots.iter().find(|s| s.kind == kind)
}

fn vault_id_hex(header: &Header) -> String {
    hex(&header.vault_id)
}

fn get_keychain_secret(
    header: &Header,
    keystore: &dyn KeyStore,
) -> Result<SecretBytes, VaultError> {
    match keystore.get(&vault_id_hex(header)) {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(VaultError::KeychainKeyMissing),
        Err(e) => Err(VaultError::KeychainUnavailable(e)),
    }
}

fn try_unwrap(header: &Header, slot: &Slot, kek: &[u8]) -> Option<SecretBytes> {
    crypto::unwrap(
        kek,
        &slot.wrap_nonce,
        &slot.aad(&header.vault_id),
        &slot.wrapped,
    )
    .filter(|dek| dek.len() == KEY_LEN)
}

/// Finds the DEK with `unlock`. Returns it and the keychain key if one was used.
fn unlock_dek(
    header: &Header,
    unlock: &Unlock,
    keystore: &dyn KeyStore,
    cache: &mut KekCache,
) -> Result<(SecretBytes, Option<SecretBytes>), VaultError> {
    match unlock {
        Unlock::Keychain => {
            let slot = slot_of(header, SlotKind::Keychain).ok_or(VaultError::NoSlot {
                kind: SlotKind::Keychain,
            })?;
            let secret = get_keychain_secret(header, keystore)?;
            let kek = keychain_kek(&secret, &slot.salt);
            let dek = try_unwrap(header, slot, kek.as_ref()).ok_or(VaultError::KeychainKeyWrong)?;
            Ok((dek, Some(secret)))
        }
        Unlock::Password(password) => {
            let plain = slot_of(header, SlotKind::Password);
            let combined = slot_of(header, SlotKind::KeychainAndPassword);
            if plain.is_none() && combined.is_none() {
                return Err(VaultError::NoSlot {
                    kind: SlotKind::Password,
                });
            }
            if let Some(slot) = plain {
                // Invariant: the parser guarantees password slots carry KDF parameters.
                let kdf = slot.kdf.ok_or(VaultError::WrongCredential)?;
                let stretched = cache.argon2(slot, kdf, password)?;
                let kek = password_kek(stretched.as_ref(), &slot.salt);
                if let Some(dek) = try_unwrap(header, slot, kek.as_ref()) {
                    return Ok((dek, None));
                }
            }
            if let Some(slot) = combined {
                let secret = match get_keychain_secret(header, keystore) {
                    Ok(s) => s,
                    // With a plain password slot present, the likelier story is a typo.
                    Err(_) if plain.is_some() => return Err(VaultError::WrongCredential),
                    Err(e) => return Err(e),
                };
                let kdf = slot.kdf.ok_or(VaultError::WrongCredential)?;
                let stretched = cache.argon2(slot, kdf, password)?;
                let kek = keychain_password_kek(&secret, stretched.as_ref(), &slot.salt);
                if let Some(dek) = try_unwrap(header, slot, kek.as_ref()) {
                    return Ok((dek, Some(secret)));
                }
            }
            Err(VaultError::WrongCredential)
        }
        Unlock::RecoveryKey(text) => {
            let slot = slot_of(header, SlotKind::RecoveryKey).ok_or(VaultError::NoSlot {
                kind: SlotKind::RecoveryKey,
            })?;
            let key =
                SecretBytes::from_base32(text.expose()).map_err(|_| VaultError::WrongCredential)?;
            if key.len() != RECOVERY_KEY_LEN {
                return Err(VaultError::WrongCredential);
            }
            let kek = recovery_kek(&key, &slot.salt);
            let dek = try_unwrap(header, slot, kek.as_ref()).ok_or(VaultError::WrongCredential)?;
            Ok((dek, None))
        }
    }
}

/// Checks the key commitment (constant time), then decrypts the payload (C3: in that order).
fn decrypt(
    path: &Path,
    parsed: &format::Parsed<'_>,
    dek: &SecretBytes,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let h = &parsed.header;
    let expected = crypto::commitment(
        dek.expose(),
        &h.payload_salt,
        format::MAGIC,
        format::VERSION,
        &h.vault_id,
    );
    if !crypto::ct_eq(&expected, &h.commitment) {
        return Err(VaultError::Integrity {
            path: path.to_owned(),
            what: "key commitment",
        });
    }
    let key = crypto::hkdf(dek.expose(), &h.payload_salt, label::PAYLOAD);
    let mut buf = Zeroizing::new(parsed.ciphertext.to_vec());
    if !crypto::open_in_place(
        key.as_ref(),
        &h.payload_nonce,
        parsed.aad,
        &mut buf,
        &parsed.tag,
    ) {
        return Err(VaultError::Integrity {
            path: path.to_owned(),
            what: "payload authentication",
        });
    }
    Ok(buf)
}

/// Encrypts a payload under a header that gets a fresh salt, nonce and commitment.
/// Returns the file bytes and the header as written.
fn seal(
    mut header: Header,
    dek: &SecretBytes,
    plaintext: &[u8],
) -> Result<(Vec<u8>, Header), VaultError> {
    header.payload_salt = crypto::random_array()?;
    header.payload_nonce = crypto::random_array()?;
    header.commitment = crypto::commitment(
        dek.expose(),
        &header.payload_salt,
        format::MAGIC,
        format::VERSION,
        &header.vault_id,
    );
    let prefix = header.encode_prefix();
    let aad_len = prefix.len();
    let mut out = Vec::with_capacity(aad_len + plaintext.len() + crypto::TAG_LEN);
    out.extend_from_slice(&prefix);
    out.extend_from_slice(plaintext);
    let key = crypto::hkdf(dek.expose(), &header.payload_salt, label::PAYLOAD);
    let (aad, body) = out.split_at_mut(aad_len);
    let tag = crypto::seal_in_place(key.as_ref(), &header.payload_nonce, aad, body)?;
    out.extend_from_slice(&tag);
    Ok((out, header))
}

/// Parses, unlocks and decrypts one file.
fn open_one(
    path: &Path,
    unlock: &Unlock,
    keystore: &dyn KeyStore,
    cache: &mut KekCache,
) -> Result<VaultFile, VaultError> {
    let bytes = read_bytes(path)?;
    let parsed = format::parse(&bytes).map_err(|e| map_parse(path, e))?;
    let (dek, keychain_secret) = unlock_dek(&parsed.header, unlock, keystore, cache)?;
    let plaintext = decrypt(path, &parsed, &dek)?;
    let decoded = payload::decode(&plaintext).map_err(|reason| VaultError::Malformed {
        path: path.to_owned(),
        reason,
    })?;
    Ok(VaultFile {
        path: path.to_owned(),
        vault: Vault::from_parts(decoded.accounts, decoded.auto_backup_password),
        created_at: decoded.created_at,
        dek,
        header: parsed.header,
        disk_digest: identity(&bytes),
        keychain_secret,
    })
}

impl VaultFile {
    /// Creates a new vault file at `path` (and its directory, mode 0700, if missing) with the
    /// slots `opts` asks for plus a recovery-key slot, and returns the recovery key to show
    /// the user once. `now` (unix seconds) is recorded as the creation time.
    ///
    /// Nothing is written if the keychain is asked for and fails: the caller then asks for
    /// a password (security.md K2). There is never a key file.
    ///
    /// # Errors
    /// [`VaultError::AlreadyExists`]; [`VaultError::KeychainUnavailable`];
    /// [`VaultError::InvalidOptions`] (no keychain and no password, or
    /// `keychain_and_password` without a password); [`VaultError::KdfParams`];
    /// [`VaultError::Io`].
    pub fn create(
        path: &Path,
        opts: CreateOptions,
        keystore: &dyn KeyStore,
        now: i64,
    ) -> Result<(VaultFile, RecoveryKey), VaultError> {
        file_name(path)?;
        if path.symlink_metadata().is_ok() {
            return Err(VaultError::AlreadyExists {
                path: path.to_owned(),
            });
        }
        let combined = opts.keychain_and_password;
        if combined && opts.password.is_none() {
            return Err(VaultError::InvalidOptions {
                reason: "keychain+password needs a password",
            });
        }
        if !opts.keychain && opts.password.is_none() {
            return Err(VaultError::InvalidOptions {
                reason: "choose the keychain, a password, or both",
            });
        }
        if opts.password.is_some() {
            opts.kdf.check()?;
        }
        let vault_id: [u8; 16] = crypto::random_array()?;
        let dek = crypto::random_key()?;

        let needs_keychain = opts.keychain || combined;
        let keychain_secret = if needs_keychain {
            let secret = crypto::random_key()?;
            let id = hex(&vault_id);
            keystore
                .set(&id, &secret)
                .map_err(VaultError::KeychainUnavailable)?;
            // Read back: a store that accepts writes but cannot return them is no keychain.
            match keystore.get(&id) {
                Ok(Some(back)) if back == secret => Some(secret),
                Ok(_) => {
                    let _ = keystore.delete(&id);
                    return Err(VaultError::KeychainUnavailable(
                        crate::keychain::KeychainError::Failed(
                            "the key read back differs from the key stored".into(),
                        ),
                    ));
                }
                Err(e) => {
                    let _ = keystore.delete(&id);
                    return Err(VaultError::KeychainUnavailable(e));
                }
            }
        } else {
            None
        };
        let cleanup_keychain = |e: VaultError| {
            if keychain_secret.is_some() {
                let _ = keystore.delete(&hex(&vault_id));
            }
            e
        };

        let build = || -> Result<(Vec<Slot>, RecoveryKey), VaultError> {
            let mut slots = Vec::with_capacity(3);
            if let (Some(secret), false) = (&keychain_secret, combined) {
                slots.push(new_slot(
                    SlotKind::Keychain,
                    None,
                    &vault_id,
                    &dek,
                    |salt| Ok(keychain_kek(secret, salt)),
                )?);
            }
            if let Some(password) = &opts.password {
                if combined {
                    // Invariant: combined implies needs_keychain, so the secret exists.
                    let secret = keychain_secret
                        .as_ref()
                        .ok_or(VaultError::KeychainKeyMissing)?;
                    slots.push(new_slot(
                        SlotKind::KeychainAndPassword,
                        Some(opts.kdf),
                        &vault_id,
                        &dek,
                        |salt| {
                            let stretched =
                                crypto::argon2id(password.expose().as_bytes(), salt, opts.kdf)?;
                            Ok(keychain_password_kek(secret, stretched.as_ref(), salt))
                        },
                    )?);
                } else {
                    slots.push(new_slot(
                        SlotKind::Password,
                        Some(opts.kdf),
                        &vault_id,
                        &dek,
                        |salt| {
                            let stretched =
                                crypto::argon2id(password.expose().as_bytes(), salt, opts.kdf)?;
                            Ok(password_kek(stretched.as_ref(), salt))
                        },
                    )?);
                }
            }
            let (raw, shown) = generate_recovery_key()?;
            slots.push(new_slot(
                SlotKind::RecoveryKey,
                None,
                &vault_id,
                &dek,
                |salt| Ok(recovery_kek(&raw, salt)),
            )?);
            slots.sort_by_key(|s| s.kind);
            Ok((slots, shown))
        };
        let (slots, recovery) = build().map_err(cleanup_keychain)?;

        let header = Header {
            vault_id,
            generation: 1,
            payload_salt: [0; 32],
            payload_nonce: [0; 12],
            commitment: [0; 32],
            slots,
        };
        let mut vf = VaultFile {
            path: path.to_owned(),
            vault: Vault::new(),
            created_at: now,
            dek,
            header,
            disk_digest: [0; 32],
            keychain_secret,
        };
        let had_keychain = vf.keychain_secret.is_some();
        vf.write_new().inspect_err(|_| {
            if had_keychain {
                let _ = keystore.delete(&hex(&vault_id));
            }
        })?;
        Ok((vf, recovery))
    }

    /// Reads the header of a vault file without any credential.
    ///
    /// # Errors
    /// [`VaultError::NotFound`], [`VaultError::Io`], and the format errors
    /// ([`VaultError::Malformed`], [`VaultError::UnsupportedVersion`],
    /// [`VaultError::Integrity`] for a bad header checksum, [`VaultError::KdfParams`]).
    pub fn inspect(path: &Path) -> Result<HeaderInfo, VaultError> {
        let bytes = read_bytes(path)?;
        let parsed = format::parse(&bytes).map_err(|e| map_parse(path, e))?;
        Ok(header_info(&parsed.header))
    }

    /// Opens and decrypts the vault at `path`.
    ///
    /// If the file is damaged and earlier generations exist, returns
    /// [`VaultError::Damaged`] naming the newest generation that opens with the same
    /// credential (security.md S3); without generations, the damage itself is reported.
    ///
    /// # Errors
    /// [`VaultError::NotFound`], [`VaultError::WrongCredential`], [`VaultError::NoSlot`],
    /// keychain errors ([`VaultError::KeychainUnavailable`],
    /// [`VaultError::KeychainKeyMissing`], [`VaultError::KeychainKeyWrong`]), format and
    /// integrity errors, [`VaultError::Damaged`].
    pub fn open(
        path: &Path,
        unlock: &Unlock,
        keystore: &dyn KeyStore,
    ) -> Result<VaultFile, VaultError> {
        let mut cache = KekCache::default();
        match open_one(path, unlock, keystore, &mut cache) {
            Err(e) if e.is_damage() => {
                let gens = list_generations(path)?;
                if gens.is_empty() {
                    return Err(e);
                }
                let newest_good = gens
                    .into_iter()
                    .find(|(p, _)| open_one(p, unlock, keystore, &mut cache).is_ok());
                Err(VaultError::Damaged {
                    path: path.to_owned(),
                    newest_good,
                })
            }
            other => other,
        }
    }

    /// Previous generations kept beside `path`, newest first: `(file, generation)`.
    ///
    /// # Errors
    /// [`VaultError::Io`] if the directory cannot be read.
    pub fn generations(path: &Path) -> Result<Vec<(PathBuf, u64)>, VaultError> {
        list_generations(path)
    }

    /// Opens a previous generation read-only in spirit: the result is bound to `path` (the
    /// vault), but saving it is refused with [`VaultError::ChangedOnDisk`] until it has been
    /// put back with [`VaultFile::restore_generation`].
    ///
    /// # Errors
    /// As [`VaultFile::open`], for the generation file.
    pub fn open_generation(
        path: &Path,
        generation_file: &Path,
        unlock: &Unlock,
        keystore: &dyn KeyStore,
    ) -> Result<VaultFile, VaultError> {
        let mut vf = open_one(generation_file, unlock, keystore, &mut KekCache::default())?;
        vf.path = path.to_owned();
        Ok(vf)
    }

    /// Puts a previous generation back as the current vault (after the user confirmed):
    /// the damaged file is kept as `<name>.damaged`, the generation is copied over the vault
    /// with the crash-safe write path, and the restored vault is returned, unlocked.
    ///
    /// # Errors
    /// As [`VaultFile::open`] for the generation file; [`VaultError::Busy`];
    /// [`VaultError::Io`].
    pub fn restore_generation(
        path: &Path,
        generation_file: &Path,
        unlock: &Unlock,
        keystore: &dyn KeyStore,
    ) -> Result<VaultFile, VaultError> {
        let mut vf = open_one(generation_file, unlock, keystore, &mut KekCache::default())?;
        let bytes = read_bytes(generation_file)?;
        let _lock = WriteLock::acquire(path)?;
        let dir = parent_dir(path);
        if path.exists() {
            let damaged = sibling(path, ".damaged")?;
            fs::rename(path, &damaged).map_err(io_err(path))?;
        }
        let tmp = write_temp(path, &bytes)?;
        fs::rename(&tmp, path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err(path)(e)
        })?;
        sync_dir(&dir)?;
        vf.path = path.to_owned();
        vf.disk_digest = identity(&bytes);
        Ok(vf)
    }

    /// The accounts.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The accounts, to change (then [`VaultFile::save`]).
    pub fn vault_mut(&mut self) -> &mut Vault {
        &mut self.vault
    }

    /// The vault file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header as last read or written.
    pub fn header_info(&self) -> HeaderInfo {
        header_info(&self.header)
    }

    /// When the vault was created (unix seconds).
    pub fn created_at(&self) -> i64 {
        self.created_at
    }

    /// Saves the accounts with the crash-safe write path (module docs) and verifies the
    /// written file before returning.
    ///
    /// # Errors
    /// [`VaultError::Busy`] (another process is saving), [`VaultError::ChangedOnDisk`] (the
    /// file is not the one loaded; nothing is written), [`VaultError::Io`],
    /// [`VaultError::Integrity`] if the file read back differs (the previous generation is
    /// kept).
    pub fn save(&mut self) -> Result<(), VaultError> {
        let header = self.header.clone();
        self.save_with(header)
    }

    fn save_with(&mut self, mut header: Header) -> Result<(), VaultError> {
        let path = self.path.clone();
        let _lock = WriteLock::acquire(&path)?;
        let on_disk = match read_bytes(&path) {
            Ok(b) => b,
            Err(VaultError::NotFound { .. }) => return Err(VaultError::ChangedOnDisk { path }),
            Err(e) => return Err(e),
        };
        if identity(&on_disk) != self.disk_digest {
            return Err(VaultError::ChangedOnDisk { path });
        }
        let previous = self.header.generation;
        header.generation = previous
            .checked_add(1)
            .ok_or_else(|| VaultError::Malformed {
                path: path.clone(),
                reason: "generation counter exhausted".into(),
            })?;
        let plaintext = payload::encode_vault(&self.vault, self.created_at).map_err(|reason| {
            VaultError::Malformed {
                path: path.clone(),
                reason,
            }
        })?;
        let (bytes, written) = seal(header, &self.dek, &plaintext)?;
        remove_stale_temps(&path)?;
        let tmp = write_temp(&path, &bytes)?;
        let dir = parent_dir(&path);
        let result = keep_generation(&path, previous).and_then(|()| {
            seam::op("rename")
                .and_then(|()| fs::rename(&tmp, &path))
                .map_err(io_err(&path))
        });
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        // From here on the new file is in place: track it even if a later step fails (the
        // directory sync, pruning, verification), so a retry is not refused as a change on
        // disk. The error is still returned: the save is not acknowledged.
        self.disk_digest = identity(&bytes);
        self.header = written;
        sync_dir(&dir)?;
        if prune_generations(&path)? {
            sync_dir(&dir)?;
        }
        let verified = self.verify(&bytes, &plaintext);
        if verified.is_err() {
            // The disk holds something other than what was written (S2). The previous
            // generation is kept beside it; track what is there now, so that the next save
            // rewrites the accounts from memory instead of being refused as a change on disk.
            if let Ok(back) = read_bytes(&path) {
                self.disk_digest = identity(&back);
            }
        }
        verified
    }

    /// Whether the file on disk is no longer the one this session loaded or last wrote (another
    /// process, such as the CLI, saved it since).
    ///
    /// # Errors
    /// [`VaultError::NotFound`] or [`VaultError::Io`] if the file cannot be read.
    pub fn changed_on_disk(&self) -> Result<bool, VaultError> {
        Ok(identity(&read_bytes(&self.path)?) != self.disk_digest)
    }

    /// Re-reads the file with the data key already in memory, after another process saved it:
    /// no credential is needed again, so callers never keep a password around for this.
    /// Credential changes made elsewhere (a new password, a new recovery key) only re-wrap the
    /// data key (security.md K5), so they reload too; a different vault at the same path does
    /// not, and the in-memory state is left untouched on any error.
    ///
    /// # Errors
    /// [`VaultError::Integrity`] if the file is damaged or is another vault (its key
    /// commitment does not match this data key); [`VaultError::Malformed`];
    /// [`VaultError::NotFound`]; [`VaultError::Io`].
    pub fn reload(&mut self) -> Result<(), VaultError> {
        let bytes = read_bytes(&self.path)?;
        let parsed = format::parse(&bytes).map_err(|e| map_parse(&self.path, e))?;
        if parsed.header.vault_id != self.header.vault_id {
            return Err(VaultError::Integrity {
                path: self.path.clone(),
                what: "vault id (another vault now sits at this path)",
            });
        }
        let plaintext = decrypt(&self.path, &parsed, &self.dek)?;
        let decoded = payload::decode(&plaintext).map_err(|reason| VaultError::Malformed {
            path: self.path.clone(),
            reason,
        })?;
        self.vault = Vault::from_parts(decoded.accounts, decoded.auto_backup_password);
        self.created_at = decoded.created_at;
        self.disk_digest = identity(&bytes);
        self.header = parsed.header;
        Ok(())
    }

    /// Re-reads the vault and checks it is byte-identical to `written` and decrypts to
    /// `plaintext` (S2).
    fn verify(&self, written: &[u8], plaintext: &[u8]) -> Result<(), VaultError> {
        let back = read_bytes(&self.path)?;
        let bad = || VaultError::Integrity {
            path: self.path.clone(),
            what: "written file differs",
        };
        if back != written {
            return Err(bad());
        }
        let parsed = format::parse(&back).map_err(|e| map_parse(&self.path, e))?;
        let decrypted = decrypt(&self.path, &parsed, &self.dek)?;
        if decrypted.as_slice() != plaintext {
            return Err(bad());
        }
        Ok(())
    }

    /// Writes generation 1 of a new vault: no file may exist yet.
    fn write_new(&mut self) -> Result<(), VaultError> {
        let path = self.path.clone();
        ensure_dir(&parent_dir(&path))?;
        let _lock = WriteLock::acquire(&path)?;
        if path.symlink_metadata().is_ok() {
            return Err(VaultError::AlreadyExists { path });
        }
        let plaintext = payload::encode_vault(&self.vault, self.created_at).map_err(|reason| {
            VaultError::Malformed {
                path: path.clone(),
                reason,
            }
        })?;
        let (bytes, written) = seal(self.header.clone(), &self.dek, &plaintext)?;
        let tmp = write_temp(&path, &bytes)?;
        // A hard link never replaces an existing file, unlike rename.
        let placed = match fs::hard_link(&tmp, &path) {
            Ok(()) => {
                let _ = fs::remove_file(&tmp);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_file(&tmp);
                return Err(VaultError::AlreadyExists { path });
            }
            Err(_) => fs::rename(&tmp, &path).map_err(io_err(&path)),
        };
        placed?;
        sync_dir(&parent_dir(&path))?;
        self.disk_digest = identity(&bytes);
        self.header = written;
        self.verify(&bytes, &plaintext)
    }

    /// Sets, replaces or (with `None`) removes the password, keeping the DEK (K5), and
    /// saves. In a keychain+password vault the combined slot is re-made with the new
    /// password, which needs the keychain key from this session. Removing the password
    /// removes both password kinds of slot, and is refused if it would leave neither a
    /// password nor a recovery-key slot (K1).
    ///
    /// # Errors
    /// [`VaultError::KdfParams`], [`VaultError::LastCredential`],
    /// [`VaultError::KeychainKeyMissing`] (combined slot, vault not opened through the
    /// keychain), and everything [`VaultFile::save`] returns (the change is then undone).
    pub fn set_password(
        &mut self,
        password: Option<SecretString>,
        kdf: KdfParams,
    ) -> Result<(), VaultError> {
        let mut header = self.header.clone();
        let vault_id = header.vault_id;
        match password {
            Some(password) => {
                kdf.check()?;
                if slot_of(&header, SlotKind::KeychainAndPassword).is_some() {
                    let secret = self
                        .keychain_secret
                        .as_ref()
                        .ok_or(VaultError::KeychainKeyMissing)?;
                    let slot = new_slot(
                        SlotKind::KeychainAndPassword,
                        Some(kdf),
                        &vault_id,
                        &self.dek,
                        |salt| {
                            let stretched =
                                crypto::argon2id(password.expose().as_bytes(), salt, kdf)?;
                            Ok(keychain_password_kek(secret, stretched.as_ref(), salt))
                        },
                    )?;
                    header
                        .slots
                        .retain(|s| s.kind != SlotKind::KeychainAndPassword);
                    header.slots.push(slot);
                } else {
                    let slot = new_slot(
                        SlotKind::Password,
                        Some(kdf),
                        &vault_id,
                        &self.dek,
                        |salt| {
                            let stretched =
                                crypto::argon2id(password.expose().as_bytes(), salt, kdf)?;
                            Ok(password_kek(stretched.as_ref(), salt))
                        },
                    )?;
                    header.slots.retain(|s| s.kind != SlotKind::Password);
                    header.slots.push(slot);
                }
            }
            None => {
                header.slots.retain(|s| !s.kind.has_kdf());
            }
        }
        check_k1(&header)?;
        header.slots.sort_by_key(|s| s.kind);
        self.save_with(header)
    }

    /// Replaces the recovery-key slot with a new random key, saves, and returns the key to
    /// show once. The old recovery key stops working.
    ///
    /// # Errors
    /// Everything [`VaultFile::save`] returns.
    pub fn regenerate_recovery_key(&mut self) -> Result<RecoveryKey, VaultError> {
        let mut header = self.header.clone();
        let (raw, shown) = generate_recovery_key()?;
        let slot = new_slot(
            SlotKind::RecoveryKey,
            None,
            &header.vault_id,
            &self.dek,
            |salt| Ok(recovery_kek(&raw, salt)),
        )?;
        header.slots.retain(|s| s.kind != SlotKind::RecoveryKey);
        header.slots.push(slot);
        header.slots.sort_by_key(|s| s.kind);
        self.save_with(header)?;
        Ok(shown)
    }

    /// Checks that `unlock` opens this vault's current slots and yields this session's
    /// DEK; for re-authentication before credential changes or exports (K5).
    ///
    /// # Errors
    /// As the unlock part of [`VaultFile::open`].
    pub fn check_unlock(&self, unlock: &Unlock, keystore: &dyn KeyStore) -> Result<(), VaultError> {
        let (dek, _) = unlock_dek(&self.header, unlock, keystore, &mut KekCache::default())?;
        if crypto::ct_eq(dek.expose(), self.dek.expose()) {
            Ok(())
        } else {
            Err(VaultError::WrongCredential)
        }
    }
}

/// Fault injection for tests (security.md S1 b); see the module docs. Only with `cfg(test)`
/// or the `fault-injection` feature, and hidden from the docs: no release build has it.
#[cfg(any(test, feature = "fault-injection"))]
impl VaultFile {
    /// Arms a fault plan for the calling thread: the steps with the indices in `fail_at`
    /// (0-based, counted from now) fail with EIO (ENOSPC if the step is a write); with
    /// `write_limit`, every written file stops with ENOSPC after that many bytes; with
    /// `corrupt_at`, every written file silently gets that byte flipped. Replaces any earlier
    /// plan.
    #[doc(hidden)]
    pub fn inject_faults(fail_at: &[usize], write_limit: Option<usize>, corrupt_at: Option<usize>) {
        seam::set(fail_at, write_limit, corrupt_at);
    }

    /// Disarms the calling thread's plan and returns the steps reached since it was armed,
    /// in order: each step's name and whether it was made to fail.
    #[doc(hidden)]
    pub fn take_fault_log() -> Vec<(&'static str, bool)> {
        seam::take()
    }
}

fn check_k1(header: &Header) -> Result<(), VaultError> {
    if header
        .slots
        .iter()
        .any(|s| matches!(s.kind, SlotKind::Password | SlotKind::RecoveryKey))
    {
        Ok(())
    } else {
        Err(VaultError::LastCredential)
    }
}

fn header_info(h: &Header) -> HeaderInfo {
    HeaderInfo {
        version: format::VERSION,
        vault_id: vault_id_hex(h),
        generation: h.generation,
        slots: h.slots.iter().map(|s| s.kind).collect(),
    }
}
