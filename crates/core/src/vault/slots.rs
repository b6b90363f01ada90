//! The vault's key slots (`docs/vault.md` §4; security.md §3.2, K1–K5): the key-encryption
//! key of each slot kind (keychain, password, keychain and password, recovery key), wrapping
//! and unwrapping the data key, and sealing and opening the payload with it. `file.rs` calls
//! these; nothing here touches the disk.

use std::path::Path;

use zeroize::Zeroizing;

use super::crypto::{self, label, KEY_LEN, RECOVERY_KEY_LEN};
use super::format::{self, Header, Slot};
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

/// KEK of a keychain slot.
pub(super) fn keychain_kek(secret: &SecretBytes, salt: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    crypto::hkdf(secret.expose(), salt, label::KEYCHAIN)
}

/// KEK of a password slot from the Argon2id output.
pub(super) fn password_kek(stretched: &[u8], salt: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    crypto::hkdf(stretched, salt, label::PASSWORD)
}

/// KEK of a keychain+password slot: `HKDF(keychain_secret ‖ Argon2id(password))`.
pub(super) fn keychain_password_kek(
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
pub(super) fn recovery_kek(key: &SecretBytes, salt: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    crypto::hkdf(key.expose(), salt, label::RECOVERY)
}

/// A new slot of `kind` wrapping `dek` under `kek_for(salt)`.
pub(super) fn new_slot(
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

pub(super) fn try_unwrap(header: &Header, slot: &Slot, kek: &[u8]) -> Option<SecretBytes> {
    crypto::unwrap(
        kek,
        &slot.wrap_nonce,
        &slot.aad(&header.vault_id),
        &slot.wrapped,
    )
    .filter(|dek| dek.len() == KEY_LEN)
}

/// Finds the DEK with `unlock`. Returns it and the keychain key if one was used.
pub(super) fn unlock_dek(
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
pub(super) fn decrypt(
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
