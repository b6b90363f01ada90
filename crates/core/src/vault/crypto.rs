//! The vault's cryptography: AES-256-GCM, HKDF-SHA256, the HMAC-SHA256 key commitment,
//! Argon2id and (format version 2) X25519 sealing of the data key to each slot, with the fixed
//! labels of each format version (`docs/vault.md` §4, following `docs/reference/security-brief.md`
//! §3.1 and §8.1).
//!
//! Nothing here touches files or parses headers (that is `format.rs`), and nothing here
//! decides which slot to use (that is `file.rs`). Every key and derived key lives in a
//! zeroizing buffer.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{KdfParams, VaultError};
use crate::secret::{with_stack_wiped, SecretBytes};

/// Length of the data key (DEK) and of every KEK.
pub const KEY_LEN: usize = 32;
/// AES-GCM nonce length (96 bits).
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag length (128 bits).
pub const TAG_LEN: usize = 16;
/// Salts (payload salt and slot salts).
pub const SALT_LEN: usize = 32;
/// A wrapped DEK: 32 bytes of ciphertext and the tag.
pub const WRAPPED_LEN: usize = KEY_LEN + TAG_LEN;
/// Bytes of randomness in a recovery key (160 bits: 32 base32 characters).
pub const RECOVERY_KEY_LEN: usize = 20;

/// HKDF `info` labels of format version 1. Changing any of them is a format change.
pub mod label {
    /// Payload key from the DEK.
    pub const PAYLOAD: &[u8] = b"twofold/vault/v1/payload";
    /// Key-commitment key from the DEK.
    pub const COMMIT: &[u8] = b"twofold/vault/v1/commit";
    /// Keychain-slot KEK.
    pub const KEYCHAIN: &[u8] = b"twofold/vault/v1/slot/keychain";
    /// Password-slot KEK.
    pub const PASSWORD: &[u8] = b"twofold/vault/v1/slot/password";
    /// Keychain+password-slot KEK.
    pub const KEYCHAIN_PASSWORD: &[u8] = b"twofold/vault/v1/slot/keychain+password";
    /// Recovery-key-slot KEK.
    pub const RECOVERY: &[u8] = b"twofold/vault/v1/slot/recovery";
    /// Prefix of every slot's wrapping AAD.
    pub const SLOT_AAD: &[u8] = b"twofold/vault/v1/slot";

    /// The labels of format version 2 (`docs/vault.md` §4.2): the same roles, and the X25519
    /// sealing of the data key to a slot's public key.
    pub mod v2 {
        /// Payload key from the DEK.
        pub const PAYLOAD: &[u8] = b"twofold/vault/v2/payload";
        /// Key-commitment key from the DEK.
        pub const COMMIT: &[u8] = b"twofold/vault/v2/commit";
        /// Keychain-slot X25519 secret.
        pub const KEYCHAIN: &[u8] = b"twofold/vault/v2/slot/keychain";
        /// Password-slot X25519 secret.
        pub const PASSWORD: &[u8] = b"twofold/vault/v2/slot/password";
        /// Keychain+password-slot X25519 secret.
        pub const KEYCHAIN_PASSWORD: &[u8] = b"twofold/vault/v2/slot/keychain+password";
        /// Recovery-key-slot X25519 secret.
        pub const RECOVERY: &[u8] = b"twofold/vault/v2/slot/recovery";
        /// Prefix of every slot's wrapping AAD.
        pub const SLOT_AAD: &[u8] = b"twofold/vault/v2/slot";
        /// The wrapping key from the X25519 shared secret.
        pub const WRAP: &[u8] = b"twofold/vault/v2/wrap";
    }

    /// The payload label of format `version`.
    pub fn payload(version: u16) -> &'static [u8] {
        if version >= 2 {
            v2::PAYLOAD
        } else {
            PAYLOAD
        }
    }

    /// The commitment label of format `version`.
    pub fn commit(version: u16) -> &'static [u8] {
        if version >= 2 {
            v2::COMMIT
        } else {
            COMMIT
        }
    }

    /// The slot-AAD prefix of format `version`.
    pub fn slot_aad(version: u16) -> &'static [u8] {
        if version >= 2 {
            v2::SLOT_AAD
        } else {
            SLOT_AAD
        }
    }
}

/// Fills `buf` from the operating system's CSPRNG.
pub fn random(buf: &mut [u8]) -> Result<(), VaultError> {
    getrandom::fill(buf).map_err(|e| VaultError::Random(e.to_string()))
}

/// A fresh random array.
pub fn random_array<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut a = [0u8; N];
    random(&mut a)?;
    Ok(a)
}

/// A fresh random 32-byte key.
pub fn random_key() -> Result<SecretBytes, VaultError> {
    let mut k = vec![0u8; KEY_LEN];
    random(&mut k)?;
    Ok(SecretBytes::new(k))
}

/// HKDF-SHA256 (RFC 5869) to a 32-byte key.
pub fn hkdf(ikm: &[u8], salt: &[u8], info: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    let mut okm = Zeroizing::new([0u8; KEY_LEN]);
    with_stack_wiped(|| {
        let hk = Hkdf::<Sha256>::new(Some(salt), ikm);
        // Invariant: 32 bytes is far below HKDF-SHA256's limit of 255 * 32 bytes.
        hk.expand(info, okm.as_mut())
            .expect("32-byte HKDF output is always valid");
    });
    okm
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// `HMAC-SHA256(HKDF(DEK, payload_salt, "commit"), MAGIC ‖ version ‖ vault_id)`, with the
/// commit label of `version`.
pub fn commitment(
    dek: &[u8],
    payload_salt: &[u8],
    magic: &[u8],
    version: u16,
    vault_id: &[u8],
) -> [u8; 32] {
    // One wipe for both: the HKDF call nested here leaves its own to this one.
    with_stack_wiped(|| {
        let key = hkdf(dek, payload_salt, label::commit(version));
        // Invariant: HMAC accepts keys of any length.
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref()).expect("HMAC takes any key length");
        mac.update(magic);
        mac.update(&version.to_be_bytes());
        mac.update(vault_id);
        mac.finalize().into_bytes().into()
    })
}

/// Constant-time equality of two byte strings of equal length.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

fn cipher(key: &[u8]) -> Aes256Gcm {
    // Invariant: every caller passes a 32-byte key (KEY_LEN), the only length AES-256 takes.
    Aes256Gcm::new_from_slice(key).expect("AES-256 key is 32 bytes")
}

/// Encrypts `buf` in place and returns the tag.
pub fn seal_in_place(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> Result<[u8; TAG_LEN], VaultError> {
    // The AES key schedule lives on the stack while it runs: wiped after (security.md D5).
    let tag = with_stack_wiped(|| {
        cipher(key)
            .encrypt_in_place_detached(Nonce::from_slice(nonce), aad, buf)
            .map(<[u8; TAG_LEN]>::from)
    })
    .map_err(|_| VaultError::Random("encryption failed".into()))?;
    Ok(tag)
}

/// Decrypts `buf` in place, checking `tag`. `false` if authentication failed (then `buf`
/// holds garbage the caller must discard).
pub fn open_in_place(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> bool {
    with_stack_wiped(|| {
        cipher(key)
            .decrypt_in_place_detached(Nonce::from_slice(nonce), aad, buf, Tag::from_slice(tag))
            .is_ok()
    })
}

/// Wraps the DEK under `kek`.
pub fn wrap(
    kek: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    dek: &SecretBytes,
) -> Result<[u8; WRAPPED_LEN], VaultError> {
    let mut buf = Zeroizing::new([0u8; KEY_LEN]);
    buf.copy_from_slice(dek.expose());
    let tag = seal_in_place(kek, nonce, aad, buf.as_mut())?;
    let mut out = [0u8; WRAPPED_LEN];
    out[..KEY_LEN].copy_from_slice(buf.as_ref());
    out[KEY_LEN..].copy_from_slice(&tag);
    Ok(out)
}

/// Unwraps a DEK; `None` if `kek` or the AAD is wrong.
pub fn unwrap(
    kek: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    wrapped: &[u8; WRAPPED_LEN],
) -> Option<SecretBytes> {
    let mut buf = Zeroizing::new([0u8; KEY_LEN]);
    buf.copy_from_slice(&wrapped[..KEY_LEN]);
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&wrapped[KEY_LEN..]);
    open_in_place(kek, nonce, aad, buf.as_mut(), &tag)
        .then(|| SecretBytes::from_slice(buf.as_ref()))
}

/// An X25519 key pair derived from 32 bytes of secret material (format 2 slots: the slot's
/// secret is `HKDF(credential, salt, label)`). The public half is stored in the slot.
pub fn x25519_pair(
    secret: &[u8; KEY_LEN],
) -> (x25519_dalek::StaticSecret, x25519_dalek::PublicKey) {
    let s = x25519_dalek::StaticSecret::from(*secret);
    let p = x25519_dalek::PublicKey::from(&s);
    (s, p)
}

/// The wrapping key of a format 2 slot: `HKDF(X25519(a, B), ephemeral ‖ slot_public, WRAP)`.
/// `None` when the shared secret is not contributory (a low-order point in the file).
pub fn x25519_wrap_key(
    ours: &x25519_dalek::StaticSecret,
    theirs: &[u8; 32],
    ephemeral: &[u8; 32],
    slot_public: &[u8; 32],
) -> Option<Zeroizing<[u8; KEY_LEN]>> {
    let shared = ours.diffie_hellman(&x25519_dalek::PublicKey::from(*theirs));
    if !shared.was_contributory() {
        return None;
    }
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(slot_public);
    Some(hkdf(shared.as_bytes(), &salt, label::v2::WRAP))
}

/// Argon2id v1.3 of `password` with `salt`, to 32 bytes. `params` must already be within
/// bounds ([`KdfParams::check`]); nothing is allocated before that check.
pub fn argon2id(
    password: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; KEY_LEN]>, VaultError> {
    params.check()?;
    // Fuzz builds only (cargo-fuzz sets `cfg(fuzzing)`): after the bounds check, the cheapest
    // Argon2id, so the vault_open fuzzer is not stuck in the KDF of every password slot.
    #[cfg(fuzzing)]
    let params = KdfParams {
        m_kib: 8,
        t: 1,
        p: 1,
    };
    let p = argon2::Params::new(params.m_kib, params.t, params.p, Some(KEY_LEN)).map_err(|_| {
        VaultError::KdfParams {
            m_kib: params.m_kib,
            t: params.t,
            p: params.p,
        }
    })?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    a.hash_password_into(password, salt, out.as_mut())
        .map_err(|_| VaultError::KdfParams {
            m_kib: params.m_kib,
            t: params.t,
            p: params.p,
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(s.as_bytes())
            .unwrap()
    }

    #[test]
    fn hkdf_matches_rfc5869_case_1() {
        // RFC 5869 A.1 with L = 32 (the first 32 bytes of the 42-byte OKM).
        let ikm = unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        let salt = unhex("000102030405060708090a0b0c");
        let info = unhex("f0f1f2f3f4f5f6f7f8f9");
        let okm = hkdf(&ikm, &salt, &info);
        assert_eq!(
            okm.as_ref(),
            unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf").as_slice()
        );
    }

    #[test]
    fn wrap_round_trips_and_rejects_wrong_aad() {
        let kek = [1u8; 32];
        let dek = SecretBytes::from_slice(&[9u8; 32]);
        let nonce = [2u8; 12];
        let w = wrap(&kek, &nonce, b"aad", &dek).unwrap();
        assert_eq!(unwrap(&kek, &nonce, b"aad", &w), Some(dek));
        assert_eq!(unwrap(&kek, &nonce, b"aae", &w), None);
        assert_eq!(unwrap(&[3u8; 32], &nonce, b"aad", &w), None);
    }

    #[test]
    fn ct_eq_compares_lengths_and_bytes() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
