//! The backup document (`docs/backup.md` §2): writing every account field into the JSON
//! document and reading it back, strictly for the envelope and leniently per account.
//!
//! [`Account`] has no `Serialize` on purpose, so private mirror structs live here; every
//! buffer that holds the document is zeroizing and grows without leaving copies behind
//! ([`SecureBuf`]).

use std::collections::HashSet;
use std::io::{self, Write};

use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use super::{FORMAT_NAME, FORMAT_TAG, SCHEMA_VERSION};
use crate::account::{Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode};
use crate::formats::{check_entries, check_field, FormatError, Imported, Skipped, MAX_FILE_BYTES};
use crate::secret::{SecretBytes, SecretString};

// ---------------------------------------------------------------------------------------------
// Zeroizing growth

/// A byte buffer that zeroizes on drop and, when it must grow, moves into a new zeroizing
/// allocation so that no stale copy of its content stays in freed memory.
pub(super) struct SecureBuf(Zeroizing<Vec<u8>>);

impl SecureBuf {
    /// Bytes held so far.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

impl SecureBuf {
    pub(super) fn with_capacity(capacity: usize) -> Self {
        SecureBuf(Zeroizing::new(Vec::with_capacity(capacity)))
    }

    fn reserve(&mut self, extra: usize) {
        let need = self.0.len().saturating_add(extra);
        if need > self.0.capacity() {
            let capacity = need.max(self.0.capacity().saturating_mul(2)).max(4096);
            let mut grown = Zeroizing::new(Vec::with_capacity(capacity));
            grown.extend_from_slice(&self.0);
            // The old allocation is zeroized as it drops here.
            self.0 = grown;
        }
    }

    pub(super) fn into_inner(self) -> Zeroizing<Vec<u8>> {
        self.0
    }
}

impl Write for SecureBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.reserve(data.len());
        self.0.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Writing the document

#[derive(Serialize)]
struct DocOut<'a> {
    format: &'static str,
    version: u32,
    created_at: i64,
    accounts: Vec<AccountOut<'a>>,
}

#[derive(Serialize)]
struct AccountOut<'a> {
    id: &'a str,
    issuer: &'a str,
    name: &'a str,
    secret: SecretOut,
    #[serde(rename = "type")]
    kind: &'static str,
    algorithm: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
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

#[derive(Serialize)]
struct CodeOut<'a> {
    code: SecretRef<'a>,
    used: bool,
    used_at: Option<i64>,
}

/// The base32 text of a secret, zeroized when the mirror drops.
struct SecretOut(SecretString);

impl Serialize for SecretOut {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

/// A secret string serialized without a copy.
struct SecretRef<'a>(&'a SecretString);

impl Serialize for SecretRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

fn account_out(a: &Account) -> AccountOut<'_> {
    let (period, counter) = match a.kind {
        Kind::Totp { period } => (Some(period.seconds()), None),
        Kind::Hotp { counter } => (None, Some(counter)),
        Kind::Steam => (None, None),
    };
    AccountOut {
        id: &a.id.0,
        issuer: &a.issuer,
        name: &a.name,
        secret: SecretOut(a.secret.to_base32()),
        kind: a.kind.name(),
        algorithm: a.algorithm.as_str(),
        digits: a.digits.get(),
        period,
        counter,
        icon: a.icon.as_deref(),
        tags: &a.tags,
        favourite: a.favourite,
        order: a.order,
        notes: &a.notes,
        recovery_codes: a
            .recovery_codes
            .iter()
            .map(|c| CodeOut {
                code: SecretRef(&c.code),
                used: c.used,
                used_at: c.used_at,
            })
            .collect(),
        created_at: a.created_at,
        updated_at: a.updated_at,
        last_used_at: a.last_used_at,
    }
}

/// The backup JSON document (unencrypted) for these accounts, in vault order.
///
/// `now` (unix seconds) is the document's `created_at`. The output is pretty-printed (one
/// field a line) so that `age -d backup.age` is readable; it lives only in zeroizing memory.
pub fn to_json(accounts: &[Account], now: i64) -> Zeroizing<Vec<u8>> {
    let doc = DocOut {
        format: FORMAT_TAG,
        version: SCHEMA_VERSION,
        created_at: now,
        accounts: accounts.iter().map(account_out).collect(),
    };
    let estimate = accounts
        .iter()
        .map(|a| {
            1024 + 2 * (a.issuer.len() + a.name.len() + a.notes.len() + a.secret.len())
                + a.tags.iter().map(|t| 2 * t.len() + 16).sum::<usize>()
                + a.recovery_codes
                    .iter()
                    .map(|c| 2 * c.code.expose().len() + 96)
                    .sum::<usize>()
        })
        .sum::<usize>()
        + 256;
    let mut buf = SecureBuf::with_capacity(estimate);
    // Invariant: serializing these mirrors cannot fail: every map key is a string, every
    // value a string, integer, bool or null, and the writer never returns an error. An
    // error would leave a truncated document, which `from_json` rejects.
    let _ = serde_json::to_writer_pretty(&mut buf, &doc);
    let _ = buf.write_all(b"\n");
    buf.into_inner()
}

// ---------------------------------------------------------------------------------------------
// Reading the document

#[derive(Deserialize)]
struct EnvelopeIn {
    format: Option<String>,
    version: Option<u64>,
}

#[derive(Deserialize)]
struct DocIn<'a> {
    #[serde(borrow)]
    accounts: Option<Entries<'a>>,
}

/// The accounts array as raw JSON slices of the input (no copies of secrets), at most
/// [`crate::formats::MAX_ENTRIES`] kept; `total` counts all of them.
struct Entries<'a> {
    list: Vec<&'a RawValue>,
    total: usize,
}

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of accounts")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries<'a>, A::Error> {
                let mut list = Vec::new();
                let mut total = 0usize;
                loop {
                    if list.len() < crate::formats::MAX_ENTRIES {
                        match seq.next_element::<&'de RawValue>()? {
                            Some(raw) => list.push(raw),
                            None => break,
                        }
                    } else if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                    total += 1;
                }
                Ok(Entries { list, total })
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct AccountIn {
    id: Option<String>,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    name: String,
    secret: SecretIn,
    #[serde(rename = "type")]
    kind: String,
    algorithm: Option<String>,
    digits: Option<u32>,
    period: Option<u64>,
    counter: Option<u64>,
    icon: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    favourite: bool,
    #[serde(default)]
    order: i64,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    recovery_codes: Vec<CodeIn>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
    last_used_at: Option<i64>,
}

#[derive(Deserialize)]
struct CodeIn {
    code: SecretIn,
    #[serde(default)]
    used: bool,
    used_at: Option<i64>,
}

/// Just the label of an entry, for the skip report of an entry that does not parse.
#[derive(Deserialize)]
struct LabelIn {
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// A JSON string read straight into a [`SecretString`] (owned strings are taken, not copied).
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

/// Reads a backup JSON document. Accounts keep their ids.
///
/// # Errors
/// - [`FormatError::Unrecognized`] if it is not a Twofold backup document;
/// - [`FormatError::Unsupported`] for a schema version other than 1 ..= [`SCHEMA_VERSION`];
/// - [`FormatError::Malformed`] for invalid JSON or a missing `accounts` array;
/// - [`FormatError::Limit`] beyond [`MAX_FILE_BYTES`] or [`crate::formats::MAX_ENTRIES`].
///
/// An entry that is not a valid account goes to [`Imported::skipped`] with the reason.
pub fn from_json(json: &[u8], now: i64) -> Result<Imported, FormatError> {
    if json.len() > MAX_FILE_BYTES {
        return Err(FormatError::Limit {
            format: FORMAT_NAME,
            reason: format!(
                "document is {} bytes, expected at most {MAX_FILE_BYTES}",
                json.len()
            ),
        });
    }
    if crate::formats::trim_ascii_start(json).first() != Some(&b'{') {
        return Err(not_a_backup());
    }
    let envelope: EnvelopeIn = crate::formats::parse_json(FORMAT_NAME, json)?;
    if envelope.format.as_deref() != Some(FORMAT_TAG) {
        return Err(not_a_backup());
    }
    let version = envelope.version.ok_or_else(|| FormatError::Malformed {
        format: FORMAT_NAME,
        reason: "no \"version\" field".into(),
    })?;
    if version == 0 || version > u64::from(SCHEMA_VERSION) {
        return Err(FormatError::Unsupported {
            format: FORMAT_NAME,
            reason: format!(
                "schema version {version}, this build reads versions 1 to {SCHEMA_VERSION}"
            ),
        });
    }
    let doc: DocIn<'_> = crate::formats::parse_json(FORMAT_NAME, json)?;
    let entries = doc.accounts.ok_or_else(|| FormatError::Malformed {
        format: FORMAT_NAME,
        reason: "no \"accounts\" array".into(),
    })?;
    check_entries(FORMAT_NAME, entries.total)?;

    let mut imported = Imported::default();
    let mut ids: HashSet<String> = HashSet::with_capacity(entries.list.len());
    for (index, raw) in entries.list.into_iter().enumerate() {
        match account_in(raw, now) {
            Ok(mut account) => {
                if !ids.insert(account.id.0.clone()) {
                    account.id = AccountId::random();
                    ids.insert(account.id.0.clone());
                    imported.warnings.push(format!(
                        "account {index} ({}) repeats the id of an earlier account; it got a new id",
                        account.label()
                    ));
                }
                imported.accounts.push(account);
            }
            Err(reason) => imported.skipped.push(Skipped {
                index,
                label: entry_label(raw),
                reason,
            }),
        }
    }
    Ok(imported)
}

fn not_a_backup() -> FormatError {
    FormatError::Unrecognized {
        hint: Some(format!(
            "expected a JSON object with \"format\": \"{FORMAT_TAG}\" or an age-encrypted file"
        )),
    }
}

fn entry_label(raw: &RawValue) -> String {
    match serde_json::from_str::<LabelIn>(raw.get()) {
        Ok(l) => {
            let issuer = l.issuer.unwrap_or_default();
            let name = l.name.unwrap_or_default();
            let mut label = match (issuer.is_empty(), name.is_empty()) {
                (false, false) => format!("{issuer} ({name})"),
                (false, true) => issuer,
                (true, _) => name,
            };
            if label.len() > 200 {
                let mut end = 200;
                while !label.is_char_boundary(end) {
                    end -= 1;
                }
                label.truncate(end);
            }
            label
        }
        Err(_) => String::new(),
    }
}

/// Why an entry did not parse, without echoing any value (serde_json quotes the offending
/// value in type errors, and that value may be a secret).
fn entry_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("missing field") {
        let field = msg.split(" at line").next().unwrap_or("missing field");
        return format!("{field}, expected a complete account");
    }
    match e.classify() {
        serde_json::error::Category::Data => format!(
            "a field has the wrong type or value (column {} of the entry), expected an account object as docs/backup.md describes",
            e.column()
        ),
        _ => format!("invalid JSON (column {} of the entry)", e.column()),
    }
}

/// Converts one entry; `Err` is the skip reason (never a value).
fn account_in(raw: &RawValue, now: i64) -> Result<Account, String> {
    let a: AccountIn = serde_json::from_str(raw.get()).map_err(|e| entry_error(&e))?;
    check_field("issuer", &a.issuer)?;
    check_field("name", &a.name)?;
    check_field("notes", &a.notes)?;
    if let Some(icon) = &a.icon {
        check_field("icon", icon)?;
    }
    for tag in &a.tags {
        check_field("tag", tag)?;
    }
    for code in &a.recovery_codes {
        check_field("recovery code", code.code.0.expose())?;
    }
    let id = match a.id {
        Some(id) if !id.trim().is_empty() => {
            check_field("id", &id)?;
            AccountId(id)
        }
        _ => AccountId::random(),
    };
    let secret_text = a.secret.0;
    check_field("secret", secret_text.expose())?;
    let secret = SecretBytes::from_base32(secret_text.expose())
        .map_err(|_| "secret is not valid base32, expected RFC 4648 base32 text".to_owned())?;
    if secret.is_empty() {
        return Err("secret is empty, expected base32 text".into());
    }
    let kind = match a.kind.as_str() {
        "totp" => {
            let seconds = a.period.unwrap_or(30);
            Kind::Totp {
                period: Period::new(seconds).ok_or_else(|| {
                    format!(
                        "period is {seconds}, expected 1 to {} seconds",
                        Period::MAX_SECONDS
                    )
                })?,
            }
        }
        "hotp" => Kind::Hotp {
            counter: a.counter.unwrap_or(0),
        },
        "steam" => Kind::Steam,
        _ => return Err("type is not one of totp, hotp, steam".into()),
    };
    let algorithm = match a.algorithm.as_deref() {
        None => Algorithm::Sha1,
        Some(s) => Algorithm::parse(s)
            .ok_or_else(|| "algorithm is not one of SHA1, SHA256, SHA512".to_owned())?,
    };
    let digits = match a.digits {
        None => Digits::SIX,
        Some(d) => Digits::new(d).ok_or_else(|| format!("digits is {d}, expected 6 to 8"))?,
    };
    Ok(Account {
        id,
        issuer: a.issuer,
        name: a.name,
        secret,
        kind,
        algorithm,
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
        created_at: a.created_at.unwrap_or(now),
        updated_at: a.updated_at.unwrap_or(now),
        last_used_at: a.last_used_at,
    })
}
