//! Changing a vault's credentials: a new password, the password removed, a new recovery key
//! (`docs/vault.md` §4.3; security.md K1, K5; issue 11 items 1 and 6).
//!
//! A credential change **rotates the data key**: a new DEK is drawn, the changed slot is made
//! afresh from its new credential, every other slot gets the new DEK sealed to its public key
//! (format 2, `slots::reseal`: no other credential is needed), the payload is re-encrypted,
//! and every copy kept beside the vault (`<name>.gen-N`, `<name>.damaged`) that opens with the
//! old key is sealed again under the new one; a copy that does not (saved before an earlier
//! change, or damaged) is removed, and the caller is told. So after the change no file in the
//! vault's folder opens with the old credential, and a data key taken from an old file
//! decrypts nothing current. Copies made elsewhere before the change (backups, a sync tool's
//! history, file-system snapshots) still open with the old credential: nothing can reach them.
//!
//! A format 1 file is upgraded to format 2 by its first credential change. Its slots cannot be
//! re-sealed without their credentials, so each one is re-made from what this session has: the
//! slot it was opened with, the keychain key (from the session or the keychain); a password
//! slot it was not opened with makes the change fail with [`VaultError::CredentialNeeded`]; a
//! recovery-key slot it was not opened with is replaced by a new recovery key, returned in
//! [`CredentialChange::recovery_key`] to show the user.

use std::fs;
use std::path::{Path, PathBuf};

use super::crypto;
use super::disk::{
    io_err, list_generations, map_parse, parent_dir, read_bytes, sibling, sync_dir, write_temp,
    WriteLock,
};
use super::file::{check_k1, VaultFile};
use super::format::{self, Header, Slot};
use super::slots::{
    combined_material, commits_to, decrypt, generate_recovery_key, get_keychain_secret, new_slot,
    reseal, seal, slot_from, slot_of, Material,
};
use super::{KdfParams, RecoveryKey, SlotKind, VaultError};
use crate::keychain::KeyStore;
use crate::secret::{SecretBytes, SecretString};

/// What a credential change did besides the change itself.
#[derive(Debug, Default)]
pub struct CredentialChange {
    /// Copies kept beside the vault that were sealed again under the new key.
    pub resealed: usize,
    /// Copies removed because they could not be sealed again: they were saved before an
    /// earlier credential change, or are damaged. They opened with an old credential.
    pub removed: Vec<PathBuf>,
    /// A new recovery key to show the user once: the one asked for, or (format 1 upgrade)
    /// the replacement of a recovery key this session was not opened with.
    pub recovery_key: Option<RecoveryKey>,
}

/// Derives a new slot's material from its fresh salt (Argon2id needs the salt first).
type MaterialFor = Box<dyn Fn(&[u8; 32]) -> Result<Material, VaultError>>;

/// What becomes of one slot kind in a change.
enum Plan {
    /// A new slot from this credential (with its salt; the closure derives its material).
    New(SlotKind, Option<KdfParams>, MaterialFor),
    /// The slot goes.
    Drop(SlotKind),
}

impl VaultFile {
    /// Sets, replaces or (with `None`) removes the password, rotating the data key (module
    /// docs), and saves. In a keychain+password vault the combined slot is re-made with the
    /// new password; removing the password from it leaves a keychain slot in its place (issue
    /// 11 item 6). Removing it from a vault with a plain password slot drops that slot, and is
    /// refused if it would leave neither a password nor a recovery key (K1). The keychain key,
    /// when a slot needs it, comes from this session or from `keystore`.
    ///
    /// # Errors
    /// [`VaultError::KdfParams`], [`VaultError::LastCredential`], keychain errors (a keychain
    /// slot to make and no keychain key), [`VaultError::CredentialNeeded`] (format 1 upgrade),
    /// and everything [`VaultFile::save`] returns (nothing is changed then).
    pub fn set_password(
        &mut self,
        password: Option<SecretString>,
        kdf: KdfParams,
        keystore: &dyn KeyStore,
    ) -> Result<CredentialChange, VaultError> {
        let combined = slot_of(&self.header, SlotKind::KeychainAndPassword).is_some();
        let mut plans = Vec::new();
        match password {
            Some(password) => {
                kdf.check()?;
                if combined {
                    let secret = self.keychain_key(keystore)?;
                    plans.push(Plan::New(
                        SlotKind::KeychainAndPassword,
                        Some(kdf),
                        Box::new(move |salt| {
                            let a = crypto::argon2id(password.expose().as_bytes(), salt, kdf)?;
                            Ok(combined_material(&secret, a.as_ref()))
                        }),
                    ));
                } else {
                    plans.push(Plan::New(
                        SlotKind::Password,
                        Some(kdf),
                        Box::new(move |salt| {
                            let a = crypto::argon2id(password.expose().as_bytes(), salt, kdf)?;
                            Ok(Material::new(a.to_vec()))
                        }),
                    ));
                }
            }
            None if combined => {
                // The keychain half stays: the vault becomes a keychain vault (item 6).
                let secret = self.keychain_key(keystore)?;
                plans.push(Plan::Drop(SlotKind::KeychainAndPassword));
                plans.push(Plan::New(
                    SlotKind::Keychain,
                    None,
                    Box::new(move |_| Ok(Material::new(secret.expose().to_vec()))),
                ));
            }
            None => plans.push(Plan::Drop(SlotKind::Password)),
        }
        self.rotate(plans, keystore)
    }

    /// Replaces the recovery-key slot with a new random key, rotating the data key (module
    /// docs), saves, and returns the key to show once in [`CredentialChange::recovery_key`].
    /// The old recovery key no longer opens any file in the vault's folder.
    ///
    /// # Errors
    /// As [`VaultFile::set_password`].
    pub fn regenerate_recovery_key(
        &mut self,
        keystore: &dyn KeyStore,
    ) -> Result<CredentialChange, VaultError> {
        let (raw, shown) = generate_recovery_key()?;
        let plans = vec![Plan::New(
            SlotKind::RecoveryKey,
            None,
            Box::new(move |_| Ok(Material::new(raw.expose().to_vec()))),
        )];
        let mut change = self.rotate(plans, keystore)?;
        change.recovery_key = Some(shown);
        Ok(change)
    }

    /// The keychain key: this session's, else the keychain's.
    fn keychain_key(&self, keystore: &dyn KeyStore) -> Result<SecretBytes, VaultError> {
        match &self.keychain_secret {
            Some(s) => Ok(s.clone()),
            None => get_keychain_secret(&self.header, keystore),
        }
    }

    /// The rotation itself (module docs): new data key, slots per `plans` plus every other
    /// slot sealed to the new key, save, then the copies beside the vault.
    fn rotate(
        &mut self,
        plans: Vec<Plan>,
        keystore: &dyn KeyStore,
    ) -> Result<CredentialChange, VaultError> {
        let mut change = CredentialChange::default();
        let new_dek = crypto::random_key()?;
        let vault_id = self.header.vault_id;
        let touched: Vec<SlotKind> = plans
            .iter()
            .map(|p| match p {
                Plan::New(k, ..) | Plan::Drop(k) => *k,
            })
            .collect();
        let mut slots: Vec<Slot> = Vec::with_capacity(4);
        for old in &self.header.slots {
            if touched.contains(&old.kind) {
                continue;
            }
            let mut slot = old.clone();
            if slot.sealed.is_some() {
                reseal(&mut slot, &vault_id, &new_dek)?;
            } else {
                match self.v1_material(old, keystore)? {
                    Some(material) => slot = upgrade(old, &material, &vault_id, &new_dek)?,
                    // A format 1 recovery slot this session cannot re-make: a new key.
                    None => {
                        let (raw, shown) = generate_recovery_key()?;
                        slot = new_slot(
                            format::VERSION,
                            SlotKind::RecoveryKey,
                            None,
                            &vault_id,
                            &new_dek,
                            |_| Ok(Material::new(raw.expose().to_vec())),
                        )?;
                        change.recovery_key = Some(shown);
                    }
                }
            }
            slots.push(slot);
        }
        for plan in plans {
            if let Plan::New(kind, kdf, material) = plan {
                slots.push(new_slot(
                    format::VERSION,
                    kind,
                    kdf,
                    &vault_id,
                    &new_dek,
                    |salt| material(salt),
                )?);
            }
        }
        slots.sort_by_key(|s| s.kind);
        let mut header = self.header.clone();
        header.version = format::VERSION;
        header.slots = slots;
        check_k1(&header)?;

        let old_dek = std::mem::replace(&mut self.dek, new_dek);
        let old_header = self.header.clone();
        if let Err(e) = self.save_with(header) {
            // The change did not happen: keep the key the file on disk still uses.
            if self.header == old_header {
                self.dek = old_dek;
            }
            return Err(e);
        }
        self.v1_opened = None;
        self.reseal_copies(&old_dek, &mut change)?;
        Ok(change)
    }

    /// A format 1 slot's material, from what this session has (module docs). `Ok(None)` for a
    /// recovery slot this session was not opened with.
    fn v1_material(
        &self,
        slot: &Slot,
        keystore: &dyn KeyStore,
    ) -> Result<Option<Material>, VaultError> {
        if let Some((kind, material)) = &self.v1_opened {
            if *kind == slot.kind {
                return Ok(Some(material.clone()));
            }
        }
        match slot.kind {
            SlotKind::Keychain => {
                let secret = self.keychain_key(keystore)?;
                Ok(Some(Material::new(secret.expose().to_vec())))
            }
            SlotKind::RecoveryKey => Ok(None),
            kind => Err(VaultError::CredentialNeeded { kind }),
        }
    }

    /// Seals every copy beside the vault that opens with `old_dek` again under the current
    /// key and header (keeping its generation number and accounts); removes the others.
    fn reseal_copies(
        &self,
        old_dek: &SecretBytes,
        change: &mut CredentialChange,
    ) -> Result<(), VaultError> {
        let path = &self.path;
        let mut copies: Vec<PathBuf> = list_generations(path)?.into_iter().map(|g| g.0).collect();
        let damaged = sibling(path, super::disk::DAMAGED_SUFFIX)?;
        if damaged.exists() {
            copies.push(damaged);
        }
        if copies.is_empty() {
            return Ok(());
        }
        let _lock = WriteLock::acquire(path)?;
        for copy in copies {
            match self.resealed(&copy, old_dek) {
                Some(bytes) => {
                    let tmp = write_temp(path, &bytes)?;
                    fs::rename(&tmp, &copy).map_err(|e| {
                        let _ = fs::remove_file(&tmp);
                        io_err(&copy)(e)
                    })?;
                    change.resealed += 1;
                }
                None => {
                    fs::remove_file(&copy).map_err(io_err(&copy))?;
                    change.removed.push(copy);
                }
            }
        }
        sync_dir(&parent_dir(path))
    }

    /// The bytes of `copy` sealed under this session's key and slots, when it is a copy of
    /// this vault that opens with `old_dek`.
    fn resealed(&self, copy: &Path, old_dek: &SecretBytes) -> Option<Vec<u8>> {
        let bytes = read_bytes(copy).ok()?;
        let parsed = format::parse(&bytes).map_err(|e| map_parse(copy, e)).ok()?;
        if parsed.header.vault_id != self.header.vault_id || !commits_to(&parsed.header, old_dek) {
            return None;
        }
        let plaintext = decrypt(copy, &parsed, old_dek).ok()?;
        let header = Header {
            generation: parsed.header.generation,
            ..self.header.clone()
        };
        seal(header, &self.dek, &plaintext).ok().map(|(b, _)| b)
    }
}

/// A format 1 slot made format 2 with the same id, salt and KDF parameters (its material was
/// derived with that salt), holding `dek`.
fn upgrade(
    old: &Slot,
    material: &Material,
    vault_id: &[u8; 16],
    dek: &SecretBytes,
) -> Result<Slot, VaultError> {
    slot_from(
        format::VERSION,
        old.kind,
        old.kdf,
        old.id,
        old.salt,
        vault_id,
        dek,
        material,
    )
}
