//! The vault file: create, open, save, reload, credentials, generations (`docs/vault.md`;
//! `docs/reference/security-brief.md` §3.2–§3.3, S1–S6, K1–K5). The steps on disk are `disk.rs`'s,
//! the key slots `slots.rs`'s; this file strings them together.
//!
//! Write path (security.md §3.3): take the advisory lock on `<name>.lock`, refuse if the file
//! changed since it was loaded, encrypt with a fresh salt and nonce, write
//! `<name>.tmp-<random>` (create_new, mode 0600 at open), `sync_all`, hard-link the current
//! file to `<name>.gen-<generation>` (copy if links are unsupported), rename the temporary
//! file over the vault, fsync the directory, prune generations beyond the last
//! `GENERATIONS_KEPT` (`disk.rs`), then re-read, decrypt and compare before reporting success.
//!
//! Every file-system step of that path goes through `seam`, which is a no-op in normal
//! builds. With the `fault-injection` feature (on for this crate's own tests) a test can fail
//! the k-th step of a save, or make writes stop with ENOSPC after n bytes, to prove that the
//! original file stays byte-identical and the error reaches the caller (security.md S1 b).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::crypto;
use super::disk::{
    ensure_dir, file_name, identity, io_err, keep_generation, list_generations, map_parse,
    newest_generation, parent_dir, prune_generations, read_bytes, remove_stale_temps, seam,
    sibling, sync_dir, write_temp, WriteLock,
};
use super::format::{self, Header};
use super::payload;
use super::slots::{
    combined_material, decrypt, generate_recovery_key, new_slot, seal, unlock_dek, vault_id_hex,
    KekCache, Material,
};
use super::{CreateOptions, HeaderInfo, RecoveryKey, SlotKind, Unlock, Vault, VaultError};
use crate::keychain::{hex, KeyStore};
use crate::secret::SecretBytes;

/// How many generation files a damaged vault's open tries, newest first: what Twofold keeps
/// (`GENERATIONS_KEPT`) with a margin, never every file a folder happens to hold (issue 11
/// item 9).
const MAX_GENERATIONS_TRIED: usize = 8;

/// An unlocked vault bound to its file.
pub struct VaultFile {
    pub(super) path: PathBuf,
    pub(super) vault: Vault,
    pub(super) created_at: i64,
    pub(super) dek: SecretBytes,
    pub(super) header: Header,
    /// A digest of the file as loaded or last written (header, length and tag: `disk.rs`
    /// `identity`), to detect changes on disk (S4).
    pub(super) disk_digest: [u8; 32],
    /// The keychain key, if this session obtained it (needed to re-make a keychain slot).
    pub(super) keychain_secret: Option<SecretBytes>,
    /// Format 1 files only: the slot this session opened and its material, so that a
    /// credential change can upgrade that slot to format 2 without asking for it again.
    pub(super) v1_opened: Option<(SlotKind, Material)>,
    /// The highest generation this session has loaded or written: a file on disk older than
    /// this is a rollback (issue 11 item 2).
    pub(super) seen_generation: u64,
    /// What this session held before a reload brought an older file in (a rollback): the
    /// accounts, creation time and generation, so that "restore the newer copy" can put them
    /// back even when no generation file holds them.
    pub(super) newer_state: Option<Box<(Vault, i64, u64)>>,
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

/// Parses, unlocks and decrypts one file.
fn open_one(
    path: &Path,
    unlock: &Unlock,
    keystore: &dyn KeyStore,
    cache: &mut KekCache,
) -> Result<VaultFile, VaultError> {
    let bytes = read_bytes(path)?;
    let parsed = format::parse(&bytes).map_err(|e| map_parse(path, e))?;
    let unlocked = unlock_dek(&parsed.header, unlock, keystore, cache)?;
    let plaintext = decrypt(path, &parsed, &unlocked.dek)?;
    let decoded = payload::decode(&plaintext).map_err(|reason| VaultError::Malformed {
        path: path.to_owned(),
        reason,
    })?;
    let v1_opened = (parsed.header.version < 2).then_some(unlocked.opened);
    Ok(VaultFile {
        path: path.to_owned(),
        vault: Vault::from_parts(decoded.accounts, decoded.auto_backup_password),
        created_at: decoded.created_at,
        dek: unlocked.dek,
        seen_generation: parsed.header.generation,
        header: parsed.header,
        disk_digest: identity(&bytes),
        keychain_secret: unlocked.keychain_secret,
        v1_opened,
        newer_state: None,
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

        let build = || -> Result<(Vec<format::Slot>, RecoveryKey), VaultError> {
            let v = format::VERSION;
            let mut slots = Vec::with_capacity(3);
            if let (Some(secret), false) = (&keychain_secret, combined) {
                slots.push(new_slot(
                    v,
                    SlotKind::Keychain,
                    None,
                    &vault_id,
                    &dek,
                    |_| Ok(Material::new(secret.expose().to_vec())),
                )?);
            }
            if let Some(password) = &opts.password {
                let stretch = |salt: &[u8; 32]| {
                    crypto::argon2id(password.expose().as_bytes(), salt, opts.kdf)
                };
                if combined {
                    // Invariant: combined implies needs_keychain, so the secret exists.
                    let secret = keychain_secret
                        .as_ref()
                        .ok_or(VaultError::KeychainKeyMissing)?;
                    slots.push(new_slot(
                        v,
                        SlotKind::KeychainAndPassword,
                        Some(opts.kdf),
                        &vault_id,
                        &dek,
                        |salt| Ok(combined_material(secret, stretch(salt)?.as_ref())),
                    )?);
                } else {
                    slots.push(new_slot(
                        v,
                        SlotKind::Password,
                        Some(opts.kdf),
                        &vault_id,
                        &dek,
                        |salt| Ok(Material::new(stretch(salt)?.to_vec())),
                    )?);
                }
            }
            let (raw, shown) = generate_recovery_key()?;
            slots.push(new_slot(
                v,
                SlotKind::RecoveryKey,
                None,
                &vault_id,
                &dek,
                |_| Ok(Material::new(raw.expose().to_vec())),
            )?);
            slots.sort_by_key(|s| s.kind);
            Ok((slots, shown))
        };
        let (slots, recovery) = build().map_err(cleanup_keychain)?;

        let header = Header {
            version: format::VERSION,
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
            v1_opened: None,
            seen_generation: 1,
            newer_state: None,
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
                    .take(MAX_GENERATIONS_TRIED)
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
            let damaged = sibling(path, super::disk::DAMAGED_SUFFIX)?;
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
    ///
    /// While the file is rolled back ([`VaultFile::rollback`]) nothing is saved:
    /// [`VaultError::RolledBack`] until [`VaultFile::restore_newer`] or
    /// [`VaultFile::keep_current`] settles it.
    pub fn save(&mut self) -> Result<(), VaultError> {
        let header = self.header.clone();
        self.write_generation(header, true)
    }

    /// [`VaultFile::save`] without the rollback check: for the saves that settle a rollback.
    pub(super) fn save_settled(&mut self) -> Result<(), VaultError> {
        let header = self.header.clone();
        self.save_with(header)
    }

    /// Saves under `header` (a credential change's new slots) without the rollback check.
    pub(super) fn save_with(&mut self, header: Header) -> Result<(), VaultError> {
        self.write_generation(header, false)
    }

    fn write_generation(
        &mut self,
        mut header: Header,
        refuse_rollback: bool,
    ) -> Result<(), VaultError> {
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
        // Under the lock and after the change check, so that another process's save is
        // reported as a change on disk and never mistaken for a rollback.
        if refuse_rollback {
            if let Some(rb) = self.rollback_among(list_generations(&path)?) {
                return Err(VaultError::RolledBack {
                    current: rb.current,
                    newer: rb.newer,
                });
            }
        }
        let previous = self.header.generation;
        // Above every generation present and every one this session saw, so that after a
        // rollback (an older file put in place) a save never collides with the newer
        // generations beside it or reuses a number (issue 11 item 2).
        header.generation = previous
            .max(newest_generation(&path))
            .max(self.seen_generation)
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
        self.seen_generation = self.seen_generation.max(written.generation);
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
    /// A credential change made elsewhere rotates the data key (issue 11 item 1), so after one
    /// this fails with a key-commitment error and the caller must unlock again, as must a
    /// different vault at the same path; the in-memory state is left untouched on any error.
    /// An older file than this session saw reloads, and [`VaultFile::rollback`] reports it.
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
        let vault = Vault::from_parts(decoded.accounts, decoded.auto_backup_password);
        if parsed.header.generation < self.header.generation && self.newer_state.is_none() {
            // An older file came in (a rollback): keep what this session held, newer, so that
            // it can be put back (`restore_newer`).
            self.newer_state = Some(Box::new((
                std::mem::replace(&mut self.vault, vault),
                self.created_at,
                self.header.generation,
            )));
        } else {
            self.vault = vault;
        }
        self.created_at = decoded.created_at;
        self.disk_digest = identity(&bytes);
        self.seen_generation = self.seen_generation.max(parsed.header.generation);
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

    /// Checks that `unlock` opens this vault's current slots and yields this session's
    /// DEK; for re-authentication before credential changes or exports (K5).
    ///
    /// # Errors
    /// As the unlock part of [`VaultFile::open`].
    pub fn check_unlock(&self, unlock: &Unlock, keystore: &dyn KeyStore) -> Result<(), VaultError> {
        let unlocked = unlock_dek(&self.header, unlock, keystore, &mut KekCache::default())?;
        if crypto::ct_eq(unlocked.dek.expose(), self.dek.expose()) {
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

pub(super) fn check_k1(header: &Header) -> Result<(), VaultError> {
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
        version: h.version,
        vault_id: vault_id_hex(h),
        generation: h.generation,
        slots: h.slots.iter().map(|s| s.kind).collect(),
    }
}
