//! The plaintext inside a vault file: JSON of private mirror structs (`docs/vault.md` §5).
//!
//! [`Account`] deliberately does not implement `Serialize` (account.rs), so the mirrors live
//! here and nowhere else. Secrets are written as base32 strings inside the encrypted
//! payload; the JSON buffers are zeroized by the caller ([`encode`] returns a zeroizing
//! buffer sized up front so that growing it leaves no copies behind).

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::account::{Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode};
use crate::secret::{SecretBytes, SecretString};

/// What a payload decodes to.
pub struct Decoded {
    /// The accounts, in stored order.
    pub accounts: Vec<Account>,
    /// When the vault was created (unix seconds).
    pub created_at: i64,
}

#[derive(Serialize)]
struct PayloadOut<'a> {
    created_at: i64,
    accounts: Vec<AccountOut<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PayloadIn {
    created_at: i64,
    accounts: Vec<AccountIn>,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum KindMirror {
    Totp { period: u32 },
    Hotp { counter: u64 },
    Steam,
}

#[derive(Serialize)]
struct AccountOut<'a> {
    id: &'a str,
    issuer: &'a str,
    name: &'a str,
    secret: Base32Ref<'a>,
    kind: KindMirror,
    algorithm: Algorithm,
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
#[serde(deny_unknown_fields)]
struct AccountIn {
    id: String,
    issuer: String,
    name: String,
    secret: Base32In,
    kind: KindMirror,
    algorithm: Algorithm,
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
#[serde(deny_unknown_fields)]
struct CodeIn {
    code: SecretIn,
    used: bool,
    used_at: Option<i64>,
}

/// Serializes secret bytes as base32 through a zeroizing temporary.
struct Base32Ref<'a>(&'a SecretBytes);

impl Serialize for Base32Ref<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.0.to_base32();
        s.serialize_str(text.expose())
    }
}

/// Serializes a secret string without copying it.
struct StrRef<'a>(&'a SecretString);

impl Serialize for StrRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

/// Deserializes base32 straight into [`SecretBytes`], zeroizing any owned copy.
struct Base32In(SecretBytes);

impl<'de> Deserialize<'de> for Base32In {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Base32In;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a base32 secret")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Base32In, E> {
                if v.is_empty() {
                    return Ok(Base32In(SecretBytes::default()));
                }
                SecretBytes::from_base32(v)
                    .map(Base32In)
                    .map_err(|_| E::custom("secret is not valid base32"))
            }
            fn visit_string<E: de::Error>(self, mut v: String) -> Result<Base32In, E> {
                let r = self.visit_str(&v);
                v.zeroize();
                r
            }
        }
        d.deserialize_str(V)
    }
}

/// Deserializes a string straight into [`SecretString`].
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
            fn visit_string<E: de::Error>(self, v: String) -> Result<SecretIn, E> {
                Ok(SecretIn(SecretString::new(v)))
            }
        }
        d.deserialize_str(V)
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

/// A generous upper bound of the JSON size, so the zeroizing buffer never reallocates.
fn size_hint(accounts: &[Account]) -> usize {
    accounts
        .iter()
        .map(|a| {
            // JSON escaping can grow a character to 6 bytes (`\u00XX`).
            let text = a.issuer.len()
                + a.name.len()
                + a.notes.len()
                + a.icon.as_ref().map_or(0, String::len)
                + a.tags.iter().map(|t| t.len() + 3).sum::<usize>()
                + a.recovery_codes
                    .iter()
                    .map(|c| c.code.expose().len() + 48)
                    .sum::<usize>();
            512 + 6 * text + 2 * a.secret.len() + 8
        })
        .sum::<usize>()
        + 64
}

/// Encodes accounts to JSON in a zeroizing buffer.
pub fn encode(accounts: &[Account], created_at: i64) -> Result<Zeroizing<Vec<u8>>, String> {
    let out = PayloadOut {
        created_at,
        accounts: accounts
            .iter()
            .map(|a| AccountOut {
                id: &a.id.0,
                issuer: &a.issuer,
                name: &a.name,
                secret: Base32Ref(&a.secret),
                kind: kind_out(a.kind),
                algorithm: a.algorithm,
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
    let mut buf = Zeroizing::new(Vec::with_capacity(size_hint(accounts)));
    serde_json::to_writer(&mut *buf, &out).map_err(|e| e.to_string())?;
    Ok(buf)
}

/// Decodes and validates the JSON payload. Errors name the problem, never a value.
pub fn decode(json: &[u8]) -> Result<Decoded, String> {
    let p: PayloadIn = serde_json::from_slice(json).map_err(|e| {
        // serde_json errors quote at most a type or field name, but to be safe against
        // quoting payload text we report only the position and category.
        format!(
            "payload is not valid ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })?;
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
            algorithm: a.algorithm,
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
    })
}
