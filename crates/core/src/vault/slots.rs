//! The vault's key slots (`docs/vault.md` §4; security.md §3.2, K1–K5): the secret material
//! of each slot kind (keychain, password, keychain and password, recovery key), wrapping and
//! unwrapping the data key, and sealing and opening the payload with it. `file.rs` calls
//! these; nothing here touches the disk.
//!
//! Format 1 slots wrap the data key under a key-encryption key derived from the slot's
//! credential, so re-wrapping needs the credential. Format 2 slots seal the data key to the
//! slot's X25519 public key (`docs/vault.md` §4.2): a new data key can be sealed to every slot
//! with nothing but the header, which is what lets a credential change rotate the data key
//! without asking for every other credential (issue 11 item 1).

use std::path::Path;

use zeroize::Zeroizing;

use super::crypto::{self, label, KEY_LEN, RECOVERY_KEY_LEN};
use super::format::{self, Header, Sealed, Slot};
use super::{KdfParams, RecoveryKey, SlotKind, Unlock, VaultError};
use crate::keychain::{hex, KeyStore};
use crate::secret::{SecretBytes, SecretString};

/// Caches Argon2id results while trying several generations with one password.
#[derive(Default)]
pub(super) struct KekCache(Vec<CachedKek>);

/// Slot kind, salt and parameters, and the Argon2id output for them.
type CachedKek = (SlotKind, [u8; 32], KdfParams, Zeroizing<[u8; KEY_LEN]>);

impl KekCache {
    pub(super) fn argon2(
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

/// The secret material of a slot (`docs/vault.md` §4.1): `K` (keychain), `A` (Argon2id of the
/// password), `K ‖ A`, or `R` (recovery key). Everything a slot's keys derive from.
pub(super) type Material = Zeroizing<Vec<u8>>;

/// The material of a keychain+password slot: `K ‖ A`.
pub(super) fn combined_material(secret: &SecretBytes, stretched: &[u8]) -> Material {
    let mut ikm = Zeroizing::new(Vec::with_capacity(secret.len() + stretched.len()));
    ikm.extend_from_slice(secret.expose());
    ikm.extend_from_slice(stretched);
    ikm
}

/// The HKDF label of a slot kind in format `version`.
fn kind_label(kind: SlotKind, version: u16) -> &'static [u8] {
    match (kind, version >= 2) {
        (SlotKind::Keychain, false) => label::KEYCHAIN,
        (SlotKind::Password, false) => label::PASSWORD,
        (SlotKind::KeychainAndPassword, false) => label::KEYCHAIN_PASSWORD,
        (SlotKind::RecoveryKey, false) => label::RECOVERY,
        (SlotKind::Keychain, true) => label::v2::KEYCHAIN,
        (SlotKind::Password, true) => label::v2::PASSWORD,
        (SlotKind::KeychainAndPassword, true) => label::v2::KEYCHAIN_PASSWORD,
        (SlotKind::RecoveryKey, true) => label::v2::RECOVERY,
    }
}

/// A format 2 slot's X25519 key pair from its material and salt.
fn slot_pair(
    kind: SlotKind,
    material: &[u8],
    salt: &[u8],
) -> (x25519_dalek::StaticSecret, x25519_dalek::PublicKey) {
    let secret = crypto::hkdf(material, salt, kind_label(kind, 2));
    crypto::x25519_pair(&secret)
}

/// A new slot of `kind` for the data key `dek`, with a fresh id and salt. `material_for(salt)`
/// gives the slot's material (the salt is needed first for Argon2id). Format `version` 2
/// seals the key to the slot's public key; format 1 wraps it under an HKDF key.
pub(super) fn new_slot(
    version: u16,
    kind: SlotKind,
    kdf: Option<KdfParams>,
    vault_id: &[u8; 16],
    dek: &SecretBytes,
    material_for: impl FnOnce(&[u8; 32]) -> Result<Material, VaultError>,
) -> Result<Slot, VaultError> {
    let salt: [u8; 32] = crypto::random_array()?;
    let material = material_for(&salt)?;
    let id = crypto::random_array()?;
    slot_from(version, kind, kdf, id, salt, vault_id, dek, &material)
}

/// A slot of `kind` with this id and salt, whose `material` was derived with that salt,
/// holding `dek` (format 1 upgrades keep a slot's id and salt: `credentials.rs`).
#[allow(clippy::too_many_arguments)]
pub(super) fn slot_from(
    version: u16,
    kind: SlotKind,
    kdf: Option<KdfParams>,
    id: [u8; 16],
    salt: [u8; 32],
    vault_id: &[u8; 16],
    dek: &SecretBytes,
    material: &[u8],
) -> Result<Slot, VaultError> {
    let mut slot = Slot {
        kind,
        id,
        salt,
        kdf,
        sealed: None,
        wrap_nonce: [0u8; crypto::NONCE_LEN],
        wrapped: [0u8; crypto::WRAPPED_LEN],
    };
    if version >= 2 {
        let (_, public) = slot_pair(kind, material, &salt);
        slot.sealed = Some(Sealed {
            public: public.to_bytes(),
            ephemeral: [0u8; 32],
        });
        reseal(&mut slot, vault_id, dek)?;
    } else {
        slot.wrap_nonce = crypto::random_array()?;
        let kek = crypto::hkdf(material, &salt, kind_label(kind, 1));
        slot.wrapped = crypto::wrap(kek.as_ref(), &slot.wrap_nonce, &slot.aad(vault_id), dek)?;
    }
    Ok(slot)
}

/// Seals `dek` to a format 2 slot's public key again, with a fresh ephemeral key and nonce:
/// no credential is needed. The slot's id, salt, KDF parameters and public key stay.
///
/// # Errors
/// [`VaultError::InvalidOptions`] for a format 1 slot (it has no public key);
/// [`VaultError::Random`].
pub(super) fn reseal(
    slot: &mut Slot,
    vault_id: &[u8; 16],
    dek: &SecretBytes,
) -> Result<(), VaultError> {
    let Some(sealed) = slot.sealed.as_mut() else {
        return Err(VaultError::InvalidOptions {
            reason: "a format 1 slot cannot be re-sealed without its credential",
        });
    };
    let eph_bytes: Zeroizing<[u8; 32]> = Zeroizing::new(crypto::random_array()?);
    let (eph, eph_public) = crypto::x25519_pair(&eph_bytes);
    sealed.ephemeral = eph_public.to_bytes();
    let key = crypto::x25519_wrap_key(&eph, &sealed.public, &sealed.ephemeral, &sealed.public)
        .ok_or(VaultError::InvalidOptions {
            reason: "the slot's public key is a low-order point",
        })?;
    slot.wrap_nonce = crypto::random_array()?;
    slot.wrapped = crypto::wrap(key.as_ref(), &slot.wrap_nonce, &slot.aad(vault_id), dek)?;
    Ok(())
}

/// The data key in `slot`, given the slot's material; `None` if the material does not open it.
pub(super) fn try_unwrap(header: &Header, slot: &Slot, material: &[u8]) -> Option<SecretBytes> {
    let aad = slot.aad(&header.vault_id);
    let dek = match &slot.sealed {
        Some(sealed) => {
            let (secret, public) = slot_pair(slot.kind, material, &slot.salt);
            if public.to_bytes() != sealed.public {
                return None;
            }
            let key = crypto::x25519_wrap_key(
                &secret,
                &sealed.ephemeral,
                &sealed.ephemeral,
                &sealed.public,
            )?;
            crypto::unwrap(key.as_ref(), &slot.wrap_nonce, &aad, &slot.wrapped)
        }
        None => {
            let kek = crypto::hkdf(material, &slot.salt, kind_label(slot.kind, 1));
            crypto::unwrap(kek.as_ref(), &slot.wrap_nonce, &aad, &slot.wrapped)
        }
    };
    dek.filter(|dek| dek.len() == KEY_LEN)
}

/// Generates a recovery key: the bytes and the grouped text.
pub(super) fn generate_recovery_key() -> Result<(SecretBytes, RecoveryKey), VaultError> {
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

pub(super) fn slot_of(header: &Header, kind: SlotKind) -> Option<&Slot> {
    header.slots.iter().find(|s| s.kind == kind)
}

pub(super) fn vault_id_hex(header: &Header) -> String {
    hex(&header.vault_id)
}

pub(super) fn get_keychain_secret(
    header: &Header,
    keystore: &dyn KeyStore,
) -> Result<SecretBytes, VaultError> {
    match keystore.get(&vault_id_hex(header)) {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(VaultError::KeychainKeyMissing),
        Err(e) => Err(VaultError::KeychainUnavailable(e)),
    }
}

/// What an unlock found: the data key, the keychain key if one was used, and which slot
/// opened with which material (kept only where a format 1 vault may need it to upgrade).
pub(super) struct Unlocked {
    pub(super) dek: SecretBytes,
    pub(super) keychain_secret: Option<SecretBytes>,
    pub(super) opened: (SlotKind, Material),
}

/// Finds the DEK with `unlock`.
pub(super) fn unlock_dek(
    header: &Header,
    unlock: &Unlock,
    keystore: &dyn KeyStore,
    cache: &mut KekCache,
) -> Result<Unlocked, VaultError> {
    match unlock {
        Unlock::Keychain => {
            let slot = slot_of(header, SlotKind::Keychain).ok_or(VaultError::NoSlot {
                kind: SlotKind::Keychain,
            })?;
            let secret = get_keychain_secret(header, keystore)?;
            let material = Zeroizing::new(secret.expose().to_vec());
            let dek = try_unwrap(header, slot, &material).ok_or(VaultError::KeychainKeyWrong)?;
            Ok(Unlocked {
                dek,
                keychain_secret: Some(secret),
                opened: (SlotKind::Keychain, material),
            })
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
                let material = Zeroizing::new(stretched.to_vec());
                if let Some(dek) = try_unwrap(header, slot, &material) {
                    return Ok(Unlocked {
                        dek,
                        keychain_secret: None,
                        opened: (SlotKind::Password, material),
                    });
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
                let material = combined_material(&secret, stretched.as_ref());
                if let Some(dek) = try_unwrap(header, slot, &material) {
                    return Ok(Unlocked {
                        dek,
                        keychain_secret: Some(secret),
                        opened: (SlotKind::KeychainAndPassword, material),
                    });
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
            let material = Zeroizing::new(key.expose().to_vec());
            let dek = try_unwrap(header, slot, &material).ok_or(VaultError::WrongCredential)?;
            Ok(Unlocked {
                dek,
                keychain_secret: None,
                opened: (SlotKind::RecoveryKey, material),
            })
        }
    }
}

/// Whether `dek` is the data key of a file with this header (its key commitment matches).
pub(super) fn commits_to(h: &Header, dek: &SecretBytes) -> bool {
    let expected = crypto::commitment(
        dek.expose(),
        &h.payload_salt,
        format::MAGIC,
        h.version,
        &h.vault_id,
    );
    crypto::ct_eq(&expected, &h.commitment)
}

/// Checks the key commitment (constant time), then decrypts the payload (C3: in that order).
pub(super) fn decrypt(
    path: &Path,
    parsed: &format::Parsed<'_>,
    dek: &SecretBytes,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let h = &parsed.header;
    if !commits_to(h, dek) {
        return Err(VaultError::Integrity {
            path: path.to_owned(),
            what: "key commitment",
        });
    }
    let key = crypto::hkdf(dek.expose(), &h.payload_salt, label::payload(h.version));
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
pub(super) fn seal(
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
        header.version,
        &header.vault_id,
    );
    let prefix = header.encode_prefix();
    let aad_len = prefix.len();
    let mut out = Vec::with_capacity(aad_len + plaintext.len() + crypto::TAG_LEN);
    out.extend_from_slice(&prefix);
    out.extend_from_slice(plaintext);
    let key = crypto::hkdf(
        dek.expose(),
        &header.payload_salt,
        label::payload(header.version),
    );
    let (aad, body) = out.split_at_mut(aad_len);
    let tag = crypto::seal_in_place(key.as_ref(), &header.payload_nonce, aad, body)?;
    out.extend_from_slice(&tag);
    Ok((out, header))
}
