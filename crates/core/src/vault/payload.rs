//! The plaintext inside a vault file: private mirror structs in the postcard wire format
//! (`docs/vault.md` §5).
//!
//! [`Account`] deliberately does not implement `Serialize` (account.rs), so the mirrors live
//! here and nowhere else. Postcard is a compact, fully specified serde format (varint
//! integers, length-prefixed bytes and strings, no field names): a 10,000-account payload
//! decodes several times faster than the same data as JSON, which keeps opening a large
//! vault well under the 20 ms budget. Secrets are written as raw bytes inside the encrypted
//! payload; the output buffer is zeroizing and sized up front ([`encode`]) so that growing it
//! leaves no copies behind, and decoding borrows from the plaintext instead of copying
//! secrets through scratch buffers.

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::account::{Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode};
use crate::secret::{SecretBytes, SecretString};
use crate::vault::Vault;

/// What a payload decodes to.
pub struct Decoded {
    /// The accounts, in stored order.
    pub accounts: Vec<Account>,
    /// When the vault was created (unix seconds).
    pub created_at: i64,
    /// The automatic-backup password, from the optional settings section (`docs/vault.md`
    /// §5.2); `None` in files written before it existed.
    pub auto_backup_password: Option<SecretString>,
}

/// The optional section after the accounts (`docs/vault.md` §5.2). Written only when it
/// holds something, so a vault without settings is byte-identical to the original layout.
#[derive(Serialize)]
struct SettingsOut<'a> {
    auto_backup_password: Option<StrRef<'a>>,
}

#[derive(Deserialize)]
struct SettingsIn {
    auto_backup_password: Option<SecretIn>,
}

#[derive(Serialize)]
struct PayloadOut<'a> {
    created_at: i64,
    accounts: Vec<AccountOut<'a>>,
}

#[derive(Deserialize)]
struct PayloadIn {
    created_at: i64,
    accounts: Vec<AccountIn>,
}

/// Externally tagged: postcard writes the variant index as a varint (0 totp, 1 hotp, 2 steam).
#[derive(Serialize, Deserialize, Clone, Copy)]
enum KindMirror {
    Totp { period: u32 },
    Hotp { counter: u64 },
    Steam,
}

/// Variant index 0 SHA1, 1 SHA256, 2 SHA512 (the order of [`Algorithm`]).
#[derive(Serialize, Deserialize, Clone, Copy)]
enum AlgorithmMirror {
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Serialize)]
struct AccountOut<'a> {
    id: &'a str,
    issuer: &'a str,
    name: &'a str,
    secret: BytesRef<'a>,
    kind: KindMirror,
    algorithm: AlgorithmMirror,
    digits: u8,
    icon: Option<&'a str>,
    tags: &'a [String],
    favourite: bool,
    order: i64,
    notes: &'a str,
    recovery_codes: Vec<CodeOut<'a>>,
    created_at: i64,
    updated_at: i64,
    last_used_at: Option<i64>,
}

#[derive(Deserialize)]
struct AccountIn {
    id: String,
    issuer: String,
    name: String,
    secret: BytesIn,
    kind: KindMirror,
    algorithm: AlgorithmMirror,
    digits: u8,
    icon: Option<String>,
    tags: Vec<String>,
    favourite: bool,
    order: i64,
    notes: String,
    recovery_codes: Vec<CodeIn>,
    created_at: i64,
    updated_at: i64,
    last_used_at: Option<i64>,
}

#[derive(Serialize)]
struct CodeOut<'a> {
    code: StrRef<'a>,
    used: bool,
    used_at: Option<i64>,
}

#[derive(Deserialize)]
struct CodeIn {
    code: SecretIn,
    used: bool,
    used_at: Option<i64>,
}

/// Serializes secret bytes without copying them.
struct BytesRef<'a>(&'a SecretBytes);

impl Serialize for BytesRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0.expose())
    }
}

/// Serializes a secret string without copying it.
struct StrRef<'a>(&'a SecretString);

impl Serialize for StrRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

/// Deserializes bytes borrowed from the plaintext straight into [`SecretBytes`].
struct BytesIn(SecretBytes);

impl<'de> Deserialize<'de> for BytesIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = BytesIn;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("secret bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<BytesIn, E> {
                Ok(BytesIn(SecretBytes::from_slice(v)))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// Deserializes a string borrowed from the plaintext straight into [`SecretString`].
struct SecretIn(SecretString);

impl<'de> Deserialize<'de> for SecretIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SecretIn;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretIn, E> {
                Ok(SecretIn(SecretString::from(v)))
            }
        }
        d.deserialize_str(V)
    }
}

fn algorithm_out(a: Algorithm) -> AlgorithmMirror {
    match a {
        Algorithm::Sha1 => AlgorithmMirror::Sha1,
        Algorithm::Sha256 => AlgorithmMirror::Sha256,
        Algorithm::Sha512 => AlgorithmMirror::Sha512,
    }
}

fn algorithm_in(a: AlgorithmMirror) -> Algorithm {
    match a {
        AlgorithmMirror::Sha1 => Algorithm::Sha1,
        AlgorithmMirror::Sha256 => Algorithm::Sha256,
        AlgorithmMirror::Sha512 => Algorithm::Sha512,
    }
}

fn kind_out(kind: Kind) -> KindMirror {
    match kind {
        Kind::Totp { period } => KindMirror::Totp {
            period: period.seconds(),
        },
        Kind::Hotp { counter } => KindMirror::Hotp { counter },
        Kind::Steam => KindMirror::Steam,
    }
}

/// An upper bound of the encoded size (varints take at most 10 bytes, lengths included), so
/// the zeroizing buffer never reallocates: a reallocation would leave a plaintext copy of the
/// payload in freed memory. Every variable-length field counts, the account id included
/// (ids read from older vaults may be longer than a UUID; issue 11 item 7).
fn size_hint(accounts: &[Account]) -> usize {
    accounts
        .iter()
        .map(|a| {
            let text = a.id.0.len()
                + a.issuer.len()
                + a.name.len()
                + a.notes.len()
                + a.icon.as_ref().map_or(0, String::len)
                + a.tags.iter().map(|t| t.len() + 3).sum::<usize>()
                + a.recovery_codes
                    .iter()
                    .map(|c| c.code.expose().len() + 32)
                    .sum::<usize>();
            256 + text + a.secret.len()
        })
        .sum::<usize>()
        + 64
}

/// Encodes a whole vault: the accounts, then the settings section if any setting is set.
pub fn encode_vault(vault: &Vault, created_at: i64) -> Result<Zeroizing<Vec<u8>>, String> {
    encode_with(vault.accounts(), created_at, vault.auto_backup_password())
}

/// Encodes accounts (postcard) in a zeroizing buffer, without the settings section.
#[cfg(test)]
pub fn encode(accounts: &[Account], created_at: i64) -> Result<Zeroizing<Vec<u8>>, String> {
    encode_with(accounts, created_at, None)
}

/// The payload, then the settings section when `auto_backup_password` is set, in one buffer
/// sized up front for both so that it never reallocates.
fn encode_with(
    accounts: &[Account],
    created_at: i64,
    auto_backup_password: Option<&SecretString>,
) -> Result<Zeroizing<Vec<u8>>, String> {
    let out = PayloadOut {
        created_at,
        accounts: accounts
            .iter()
            .map(|a| AccountOut {
                id: &a.id.0,
                issuer: &a.issuer,
                name: &a.name,
                secret: BytesRef(&a.secret),
                kind: kind_out(a.kind),
                algorithm: algorithm_out(a.algorithm),
                digits: a.digits.get(),
                icon: a.icon.as_deref(),
                tags: &a.tags,
                favourite: a.favourite,
                order: a.order,
                notes: &a.notes,
                recovery_codes: a
                    .recovery_codes
                    .iter()
                    .map(|c| CodeOut {
                        code: StrRef(&c.code),
                        used: c.used,
                        used_at: c.used_at,
                    })
                    .collect(),
                created_at: a.created_at,
                updated_at: a.updated_at,
                last_used_at: a.last_used_at,
            })
            .collect(),
    };
    let settings_hint = auto_backup_password.map_or(0, |p| p.expose().len() + 16);
    let mut buf = Zeroizing::new(Vec::with_capacity(size_hint(accounts) + settings_hint));
    postcard::to_io(&out, &mut *buf).map_err(|e| format!("payload could not be encoded: {e}"))?;
    if let Some(password) = auto_backup_password {
        let settings = SettingsOut {
            auto_backup_password: Some(StrRef(password)),
        };
        postcard::to_io(&settings, &mut *buf)
            .map_err(|e| format!("payload settings could not be encoded: {e}"))?;
    }
    Ok(buf)
}

/// Decodes and validates the payload: exactly one value, no trailing bytes. Errors name the
/// problem, never a value.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let (p, rest): (PayloadIn, &[u8]) =
        postcard::take_from_bytes(bytes).map_err(|e| format!("payload is not valid ({e})"))?;
    let auto_backup_password = decode_settings(rest)?;
    let mut ids = std::collections::HashSet::with_capacity(p.accounts.len());
    let mut accounts = Vec::with_capacity(p.accounts.len());
    for (i, a) in p.accounts.into_iter().enumerate() {
        if !ids.insert(a.id.clone()) {
            return Err(format!("account {i} repeats the id {}", a.id));
        }
        let kind = match a.kind {
            KindMirror::Totp { period } => Kind::Totp {
                period: Period::new(u64::from(period)).ok_or_else(|| {
                    format!("account {i} has period {period}, expected 1 to 86400")
                })?,
            },
            KindMirror::Hotp { counter } => Kind::Hotp { counter },
            KindMirror::Steam => Kind::Steam,
        };
        let digits = Digits::new(u32::from(a.digits))
            .ok_or_else(|| format!("account {i} has {} digits, expected 6 to 8", a.digits))?;
        accounts.push(Account {
            id: AccountId(a.id),
            issuer: a.issuer,
            name: a.name,
            secret: a.secret.0,
            kind,
            algorithm: algorithm_in(a.algorithm),
            digits,
            icon: a.icon,
            tags: a.tags,
            favourite: a.favourite,
            order: a.order,
            notes: a.notes,
            recovery_codes: a
                .recovery_codes
                .into_iter()
                .map(|c| RecoveryCode {
                    code: c.code.0,
                    used: c.used,
                    used_at: c.used_at,
                })
                .collect(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            last_used_at: a.last_used_at,
        });
    }
    Ok(Decoded {
        accounts,
        created_at: p.created_at,
        auto_backup_password,
    })
}

/// The settings section after the accounts: absent (old files, or nothing set), or exactly
/// one canonical section holding a value, with nothing after it.
fn decode_settings(rest: &[u8]) -> Result<Option<SecretString>, String> {
    if rest.is_empty() {
        return Ok(None);
    }
    let trailing = || format!("payload has {} trailing bytes", rest.len());
    match postcard::take_from_bytes::<SettingsIn>(rest) {
        Ok((
            SettingsIn {
                auto_backup_password: Some(p),
            },
            [],
        )) => Ok(Some(p.0)),
        // An empty section is never written, so it is as suspect as any other garbage.
        _ => Err(trailing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_payload_matches_the_spec_example() {
        // docs/vault.md §5: zigzag varint of the creation time, then a zero account count.
        let bytes = encode(&[], 1_700_000_000).unwrap();
        assert_eq!(bytes.as_slice(), &[0x80, 0xc4, 0x9f, 0xd5, 0x0c, 0x00]);
        assert_eq!(decode(&bytes).unwrap().created_at, 1_700_000_000);
    }

    #[test]
    fn rejects_trailing_bytes_and_bad_enums() {
        let mut bytes = encode(&[], 5).unwrap().to_vec();
        bytes.push(0);
        assert_eq!(
            decode(&bytes).err().unwrap(),
            "payload has 1 trailing bytes"
        );
        assert!(decode(&[0x0a]).is_err(), "truncated payload must fail");
    }

    #[test]
    fn settings_section_is_optional_and_strict() {
        let mut vault = Vault::new();
        // Nothing set: byte-identical to the original layout, so old readers still open it.
        let plain = encode_vault(&vault, 7).unwrap();
        assert_eq!(plain.as_slice(), encode(&[], 7).unwrap().as_slice());
        assert!(decode(&plain).unwrap().auto_backup_password.is_none());

        vault.set_auto_backup_password(Some(SecretString::from("pw ✓")));
        let with = encode_vault(&vault, 7).unwrap();
        // §5.2: Some (0x01), then the length-prefixed UTF-8 password.
        let mut expected = plain.to_vec();
        expected.extend_from_slice(&[0x01, 6]);
        expected.extend_from_slice("pw ✓".as_bytes());
        assert_eq!(with.as_slice(), expected.as_slice());
        let d = decode(&with).unwrap();
        assert_eq!(d.auto_backup_password, Some(SecretString::from("pw ✓")));
        assert_eq!(d.created_at, 7);

        // An empty section, a truncated one, or bytes after it are rejected.
        for bad in [&[0x00][..], &[0x01, 5, b'a'], &[0x01, 1, b'a', 0]] {
            let mut b = plain.to_vec();
            b.extend_from_slice(bad);
            assert!(decode(&b).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn account_fields_round_trip() {
        let mut a = Account::new(
            "Bänk",
            "bob",
            SecretBytes::from_slice(b"0123456789"),
            Kind::Hotp { counter: 7 },
            1,
        );
        a.algorithm = Algorithm::Sha512;
        a.digits = Digits::EIGHT;
        a.icon = Some("bank".into());
        a.tags = vec!["x".into()];
        a.recovery_codes = vec![RecoveryCode {
            code: SecretString::from("abcd"),
            used: true,
            used_at: Some(-3),
        }];
        a.last_used_at = Some(9);
        let bytes = encode(std::slice::from_ref(&a), 2).unwrap();
        let d = decode(&bytes).unwrap();
        assert_eq!(d.accounts, vec![a]);
        assert_eq!(d.created_at, 2);
    }

    #[test]
    fn size_hint_covers_long_ids_so_the_buffer_never_grows() {
        // See: issue 11 item 7 (4 KiB ids made saves reallocate the zeroizing buffer).
        let mut accounts = Vec::new();
        for i in 0..20u8 {
            let mut a = Account::new(
                "I",
                "n",
                crate::secret::SecretBytes::from_slice(&[i; 20]),
                Kind::Steam,
                0,
            );
            a.id = crate::account::AccountId("x".repeat(4096) + &i.to_string());
            accounts.push(a);
        }
        let buf = encode(&accounts, 0).unwrap();
        assert!(
            size_hint(&accounts) >= buf.len(),
            "hint {} < encoded {}",
            size_hint(&accounts),
            buf.len()
        );
        assert_eq!(
            buf.capacity(),
            size_hint(&accounts),
            "the buffer was never reallocated"
        );
    }
}
