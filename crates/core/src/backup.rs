//! Twofold backups (issue 5, `docs/backup.md`): a documented JSON document with every account
//! field, encrypted with age in passphrase mode so `age -d` opens it without Twofold; the
//! restore drill that compares a backup with the vault; and automatic backups to a folder.
//!
//! The JSON document (schema version [`SCHEMA_VERSION`], specified field by field in
//! `docs/backup.md` §2):
//!
//! ```json
//! {"format": "twofold-backup", "version": 1, "created_at": 1700000000,
//!  "accounts": [{"id": "…", "issuer": "GitHub", "name": "alice", "secret": "JBSWY3DP…",
//!                "type": "totp", "algorithm": "SHA1", "digits": 6, "period": 30, …}]}
//! ```
//!
//! [`Account`] has no `Serialize` on purpose, so private mirror structs live here; every
//! buffer that holds the document is zeroizing and grows without leaving copies behind
//! (`SecureBuf`). Reading is strict about the envelope (`format`, `version`) and lenient per
//! account: one bad entry is skipped with its reason, never the whole file. The conversion
//! loses nothing.
//!
//! Encryption is age v1 with a single scrypt (passphrase) stanza, work factor 2^[`WORK_FACTOR`];
//! decryption accepts binary and ASCII-armored files and refuses work factors above
//! 2^[`MAX_WORK_FACTOR`] before running scrypt.

use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::account::{Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode};
use crate::formats::{check_entries, check_field, FormatError, Imported, Skipped, MAX_FILE_BYTES};
use crate::secret::{SecretBytes, SecretString};

/// The schema version written in the JSON document (`"version"`).
pub const SCHEMA_VERSION: u32 = 1;

/// The value of the document's `"format"` field.
pub const FORMAT_TAG: &str = "twofold-backup";

/// The scrypt work factor backups are written with: N = 2^18, as the reference age
/// implementation uses (about a second, 256 MiB).
pub const WORK_FACTOR: u8 = 18;

/// The largest scrypt work factor accepted when decrypting: N = 2^20 (1 GiB). Checked before
/// scrypt runs, so a hostile file cannot make Twofold work for hours. Fuzz builds
/// (`cfg(fuzzing)`) accept at most 2^10, so that scrypt does not slow the fuzzer down.
pub const MAX_WORK_FACTOR: u8 = if crate::formats::FUZZING { 10 } else { 20 };

/// The first line of a binary age file.
pub const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// The first line of an ASCII-armored age file.
pub const AGE_ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

const FORMAT_NAME: &str = "Twofold backup";

/// Whether `input` is an age file, binary or armored (leading whitespace allowed for armor).
pub fn is_age(input: &[u8]) -> bool {
    input.starts_with(AGE_MAGIC)
        || crate::formats::trim_ascii_start(input).starts_with(AGE_ARMOR_BEGIN)
}

/// Whether `input` is a plain backup document (a JSON object with `"format": "twofold-backup"`).
pub fn is_backup_json(input: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct FormatOnly {
        format: Option<String>,
    }
    if crate::formats::trim_ascii_start(input).first() != Some(&b'{') {
        return false;
    }
    matches!(
        serde_json::from_slice::<FormatOnly>(input),
        Ok(FormatOnly { format: Some(f) }) if f == FORMAT_TAG
    )
}

// ---------------------------------------------------------------------------------------------
// Zeroizing growth

/// A byte buffer that zeroizes on drop and, when it must grow, moves into a new zeroizing
/// allocation so that no stale copy of its content stays in freed memory.
struct SecureBuf(Zeroizing<Vec<u8>>);

impl SecureBuf {
    fn with_capacity(capacity: usize) -> Self {
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

    fn into_inner(self) -> Zeroizing<Vec<u8>> {
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

// ---------------------------------------------------------------------------------------------
// age

fn age_passphrase(password: &SecretString) -> age::secrecy::SecretString {
    age::secrecy::SecretString::from(password.expose())
}

/// Encrypts a document with age in passphrase (scrypt) mode, work factor 2^[`WORK_FACTOR`],
/// binary format.
///
/// # Errors
/// [`FormatError::Export`] for an empty password.
pub fn encrypt(plaintext: &[u8], password: &SecretString) -> Result<Vec<u8>, FormatError> {
    encrypt_with_work_factor(plaintext, password, WORK_FACTOR)
}

/// [`encrypt`] with another scrypt work factor (clamped to 1 ..= [`MAX_WORK_FACTOR`]), for
/// tests and fuzzing that cannot afford 2^18. Backups for users always use [`encrypt`].
///
/// # Errors
/// [`FormatError::Export`] for an empty password.
pub fn encrypt_with_work_factor(
    plaintext: &[u8],
    password: &SecretString,
    log_n: u8,
) -> Result<Vec<u8>, FormatError> {
    let export_err = |reason: String| FormatError::Export {
        format: FORMAT_NAME,
        reason,
    };
    if password.is_empty() {
        return Err(export_err(
            "the backup password is empty, expected a password".into(),
        ));
    }
    let mut recipient = age::scrypt::Recipient::new(age_passphrase(password));
    recipient.set_work_factor(log_n.clamp(1, MAX_WORK_FACTOR));
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| export_err(format!("age encryption failed: {e}")))?;
    let mut out = Vec::with_capacity(plaintext.len() + plaintext.len() / 64 * 16 + 512);
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| export_err(format!("age encryption failed: {e}")))?;
    writer
        .write_all(plaintext)
        .and_then(|()| writer.finish().map(|_| ()))
        .map_err(|e| export_err(format!("age encryption failed: {e}")))?;
    Ok(out)
}

/// Decrypts an age passphrase file (binary or ASCII-armored).
///
/// # Errors
/// - [`FormatError::WrongPassword`] when the passphrase does not unwrap the file key;
/// - [`FormatError::Limit`] for a scrypt work factor above 2^[`MAX_WORK_FACTOR`] (checked
///   before scrypt runs) or a file above [`MAX_FILE_BYTES`];
/// - [`FormatError::Unsupported`] for an age file encrypted to recipients (public keys)
///   rather than a passphrase, or a future age version;
/// - [`FormatError::Malformed`] for a damaged header, a truncated or tampered body.
pub fn decrypt(file: &[u8], password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    if file.len() > MAX_FILE_BYTES {
        return Err(FormatError::Limit {
            format: FORMAT_NAME,
            reason: format!(
                "file is {} bytes, expected at most {MAX_FILE_BYTES}",
                file.len()
            ),
        });
    }
    if !is_age(file) {
        return Err(FormatError::Unrecognized {
            hint: Some("expected an age-encrypted file (age-encryption.org/v1)".into()),
        });
    }
    let malformed = |reason: String| FormatError::Malformed {
        format: FORMAT_NAME,
        reason,
    };
    // Armor may follow whitespace (is_age allows it); the binary form starts at byte 0.
    let input = if file.starts_with(AGE_MAGIC) {
        file
    } else {
        crate::formats::trim_ascii_start(file)
    };
    let reader = age::armor::ArmoredReader::new(input);
    let decryptor = age::Decryptor::new(reader).map_err(|e| header_error(&e, input))?;
    if !decryptor.is_scrypt() {
        return Err(FormatError::Unsupported {
            format: FORMAT_NAME,
            reason: "the age file is encrypted to public keys, expected a passphrase".into(),
        });
    }
    let mut identity = age::scrypt::Identity::new(age_passphrase(password));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let mut stream = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| header_error(&e, input))?;

    let mut out = SecureBuf::with_capacity(file.len());
    let mut chunk = Zeroizing::new([0u8; 16 * 1024]);
    loop {
        let n = stream.read(&mut chunk[..]).map_err(|e| {
            malformed(format!(
                "the encrypted content is damaged or truncated ({})",
                e.kind()
            ))
        })?;
        if n == 0 {
            break;
        }
        if out.0.len() + n > MAX_FILE_BYTES {
            return Err(FormatError::Limit {
                format: FORMAT_NAME,
                reason: format!("decrypted content exceeds {MAX_FILE_BYTES} bytes"),
            });
        }
        let _ = out.write_all(&chunk[..n]);
    }
    Ok(out.into_inner())
}

/// The version an age file's first line names, when it names one other than v1: for the binary
/// form the line itself, for the armored form the start of its first base64 line. `None` when
/// the file says v1 or its first line cannot be read (then it is damaged, not another version).
fn other_age_version(input: &[u8]) -> Option<String> {
    use base64::Engine as _;
    const PREFIX: &[u8] = b"age-encryption.org/";
    let first_line = |bytes: &[u8]| -> Option<String> {
        let rest = bytes.strip_prefix(PREFIX)?;
        let end = rest.iter().position(|&b| b == b'\n')?;
        let version = std::str::from_utf8(&rest[..end]).ok()?;
        let printable = !version.is_empty()
            && version.len() <= 16
            && version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.');
        (printable && version != "v1").then(|| version.to_owned())
    };
    if input.starts_with(PREFIX) {
        return first_line(input);
    }
    // Armor: "-----BEGIN AGE ENCRYPTED FILE-----", then base64 lines of 64 characters.
    let body = input.strip_prefix(AGE_ARMOR_BEGIN)?;
    let body = crate::formats::trim_ascii_start(body);
    let line_end = body
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(body.len());
    let line = &body[..line_end];
    // Whole 4-character groups only, so a line cut short still decodes its beginning.
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&line[..line.len() / 4 * 4])
        .ok()?;
    first_line(&decoded)
}

fn header_error(e: &age::DecryptError, input: &[u8]) -> FormatError {
    use age::DecryptError as E;
    match e {
        E::DecryptionFailed | E::KeyDecryptionFailed | E::NoMatchingKeys => {
            FormatError::WrongPassword {
                format: FORMAT_NAME,
            }
        }
        E::ExcessiveWork { required, .. } => FormatError::Limit {
            format: FORMAT_NAME,
            reason: format!(
                "scrypt work factor 2^{required}, expected at most 2^{MAX_WORK_FACTOR}"
            ),
        },
        // age says "unknown format" both for another version line and for a header it cannot
        // parse (a MAC that is not base64, say): only the first is another version; a file that
        // starts like a Twofold backup and does not parse is a damaged one (issue 17).
        E::UnknownFormat => match other_age_version(input) {
            Some(version) => FormatError::Unsupported {
                format: FORMAT_NAME,
                reason: format!("age format version {version:?}, expected v1"),
            },
            None => FormatError::Malformed {
                format: FORMAT_NAME,
                reason: "the age header is damaged (it does not parse)".into(),
            },
        },
        E::InvalidMac => FormatError::Malformed {
            format: FORMAT_NAME,
            reason: "the age header was altered (its MAC does not match)".into(),
        },
        E::InvalidHeader => FormatError::Malformed {
            format: FORMAT_NAME,
            reason: "the age header is invalid".into(),
        },
        E::Io(io) => FormatError::Malformed {
            format: FORMAT_NAME,
            reason: format!("the age header is damaged or truncated ({})", io.kind()),
        },
        #[allow(unreachable_patterns)]
        _ => FormatError::Malformed {
            format: FORMAT_NAME,
            reason: "the age file could not be read".into(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Restore drill

/// How a backup differs from the vault, for one account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Difference {
    /// In the vault, not in the backup.
    MissingFromBackup {
        /// The account's label.
        label: String,
    },
    /// In the backup, not in the vault.
    MissingFromVault {
        /// The account's label.
        label: String,
    },
    /// In both (same id), with different field values.
    Changed {
        /// The vault account's label.
        label: String,
        /// The fields that differ (`secret`, `issuer`, `counter`, …), never their values.
        fields: Vec<&'static str>,
    },
}

/// The names (as in the JSON schema) of the fields where `a` and `b` differ.
fn differing_fields(a: &Account, b: &Account) -> Vec<&'static str> {
    let mut f = Vec::new();
    let mut check = |differs: bool, name: &'static str| {
        if differs {
            f.push(name);
        }
    };
    let period = |k: Kind| match k {
        Kind::Totp { period } => Some(period),
        _ => None,
    };
    let counter = |k: Kind| match k {
        Kind::Hotp { counter } => Some(counter),
        _ => None,
    };
    check(a.id != b.id, "id");
    check(a.issuer != b.issuer, "issuer");
    check(a.name != b.name, "name");
    check(a.secret != b.secret, "secret");
    check(a.kind.name() != b.kind.name(), "type");
    check(a.algorithm != b.algorithm, "algorithm");
    check(a.digits != b.digits, "digits");
    check(period(a.kind) != period(b.kind), "period");
    check(counter(a.kind) != counter(b.kind), "counter");
    check(a.icon != b.icon, "icon");
    check(a.tags != b.tags, "tags");
    check(a.favourite != b.favourite, "favourite");
    check(a.order != b.order, "order");
    check(a.notes != b.notes, "notes");
    check(a.recovery_codes != b.recovery_codes, "recovery_codes");
    check(a.created_at != b.created_at, "created_at");
    check(a.updated_at != b.updated_at, "updated_at");
    check(a.last_used_at != b.last_used_at, "last_used_at");
    f
}

/// The restore drill: compares the accounts of a backup with the vault's, by id (then by
/// token for accounts whose id is not found). Empty when they match.
///
/// Differences come in vault order ([`Difference::Changed`] and
/// [`Difference::MissingFromBackup`]), then backup order ([`Difference::MissingFromVault`]).
/// A pair matched by token rather than id lists `id` among its changed fields. Every field
/// counts, including `counter` and `last_used_at`, which move on their own after a backup.
pub fn compare(backup: &[Account], vault: &[Account]) -> Vec<Difference> {
    let mut used = vec![false; backup.len()];
    // For each vault account, the index of its backup counterpart.
    let mut pair: Vec<Option<usize>> = vault
        .iter()
        .map(|v| {
            let i = backup.iter().position(|b| b.id == v.id)?;
            if used[i] {
                return None;
            }
            used[i] = true;
            Some(i)
        })
        .collect();
    for (v, p) in vault.iter().zip(pair.iter_mut()) {
        if p.is_none() {
            if let Some(i) = (0..backup.len()).find(|&i| !used[i] && backup[i].same_token(v)) {
                used[i] = true;
                *p = Some(i);
            }
        }
    }
    let mut out = Vec::new();
    for (v, p) in vault.iter().zip(&pair) {
        match p {
            Some(i) => {
                let fields = differing_fields(v, &backup[*i]);
                if !fields.is_empty() {
                    out.push(Difference::Changed {
                        label: v.label(),
                        fields,
                    });
                }
            }
            None => out.push(Difference::MissingFromBackup { label: v.label() }),
        }
    }
    for (b, u) in backup.iter().zip(&used) {
        if !u {
            out.push(Difference::MissingFromVault { label: b.label() });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Automatic backups

/// Automatic backups: at most one a day, only when the vault changed since the newest one.
pub mod auto {
    use super::*;

    /// Default number of automatic backups kept.
    pub const DEFAULT_KEEP: usize = 10;

    /// The file name prefix of automatic backups.
    pub const PREFIX: &str = "twofold-backup-";
    /// The file name suffix of automatic backups.
    pub const SUFFIX: &str = ".age";

    const DAY: i64 = 86_400;

    /// Why an automatic backup failed (shown to the user, never swallowed).
    #[derive(Debug, thiserror::Error)]
    pub enum AutoBackupError {
        /// The folder could not be read or written.
        #[error("backup folder {path}: {source}")]
        Io {
            /// The path involved.
            path: PathBuf,
            /// The OS error.
            source: std::io::Error,
        },
        /// The backup could not be encrypted.
        #[error(transparent)]
        Format(#[from] FormatError),
    }

    fn io_err(path: &Path) -> impl FnOnce(io::Error) -> AutoBackupError + '_ {
        move |source| AutoBackupError::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
    /// (Howard Hinnant's `civil_from_days`).
    fn civil_from_days(z: i64) -> (i64, u32, u32) {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    /// (year, month, day) → days since 1970-01-01 (Hinnant's `days_from_civil`).
    fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The file name of an automatic backup made at `time` (unix seconds, UTC):
    /// `twofold-backup-YYYYMMDD-HHMMSS.age`. `None` outside years 1970 to 9999.
    pub fn file_name(time: i64) -> Option<String> {
        if time < 0 {
            return None;
        }
        let (y, mo, d) = civil_from_days(time.div_euclid(DAY));
        if y > 9999 {
            return None;
        }
        let s = time.rem_euclid(DAY);
        Some(format!(
            "{PREFIX}{y:04}{mo:02}{d:02}-{:02}{:02}{:02}{SUFFIX}",
            s / 3600,
            s % 3600 / 60,
            s % 60
        ))
    }

    /// The time (unix seconds) an automatic backup's file name encodes; `None` for any name
    /// that is not exactly `twofold-backup-YYYYMMDD-HHMMSS.age` with a valid date and time.
    pub fn parse_file_name(name: &str) -> Option<i64> {
        let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
        let b = stamp.as_bytes();
        if b.len() != 15 || b[8] != b'-' {
            return None;
        }
        if !b[..8].iter().chain(&b[9..]).all(u8::is_ascii_digit) {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> i64 {
            b[r].iter()
                .fold(0i64, |acc, c| acc * 10 + i64::from(c - b'0'))
        };
        let (y, mo, d) = (num(0..4), num(4..6), num(6..8));
        let (h, mi, s) = (num(9..11), num(11..13), num(13..15));
        if !(1..=12).contains(&mo) || d < 1 || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        let days = days_from_civil(y, mo as u32, d as u32);
        let time = days * DAY + h * 3600 + mi * 60 + s;
        // Rejects 31 February and the like: the name must be the canonical one.
        (file_name(time).as_deref() == Some(name)).then_some(time)
    }

    /// The automatic backups in `dir` (`twofold-backup-YYYYMMDD-HHMMSS.age`), newest first,
    /// with their time (unix seconds, from the name). Only regular files count (not
    /// symlinks or folders). A missing folder has no backups.
    ///
    /// # Errors
    /// [`AutoBackupError::Io`] if the folder cannot be read.
    pub fn list(dir: &Path) -> Result<Vec<(PathBuf, i64)>, AutoBackupError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(dir)(e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_err(dir))?;
            let Some(time) = entry.file_name().to_str().and_then(parse_file_name) else {
                continue;
            };
            let file_type = entry.file_type().map_err(io_err(&entry.path()))?;
            if file_type.is_file() {
                out.push((entry.path(), time));
            }
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
        Ok(out)
    }

    /// Whether a backup is due: the vault changed after the newest backup (`last_change`
    /// later than `newest`) and the newest is at least a day old (or there is none).
    ///
    /// A newest backup dated in the future (a clock set back) counts as less than a day old,
    /// so the next backup waits until the clock passes it by a day.
    pub fn due(newest: Option<i64>, last_change: i64, now: i64) -> bool {
        match newest {
            None => true,
            Some(newest) => last_change > newest && now.saturating_sub(newest) >= DAY,
        }
    }

    /// Writes a backup of `accounts` into `dir` (atomically: temp file, fsync, rename; 0600),
    /// then deletes the oldest automatic backups beyond `keep`. Returns the new file's path.
    ///
    /// The folder is created if missing. `keep` is at least 1: the new backup is never
    /// deleted. Only files [`list`] reports are ever deleted; anything else in the folder is
    /// left alone.
    ///
    /// # Errors
    /// [`AutoBackupError::Format`] if encryption fails (an empty password);
    /// [`AutoBackupError::Io`] if the folder or a file cannot be written or pruned.
    pub fn write(
        dir: &Path,
        accounts: &[Account],
        password: &SecretString,
        now: i64,
        keep: usize,
    ) -> Result<PathBuf, AutoBackupError> {
        let name = file_name(now).ok_or_else(|| AutoBackupError::Io {
            path: dir.to_owned(),
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                "the clock is outside years 1970 to 9999",
            ),
        })?;
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let json = to_json(accounts, now);
        let bytes = encrypt(&json, password)?;
        drop(json);
        let path = dir.join(&name);
        crate::fsio::write_private(&path, &bytes, crate::fsio::Existing::Replace)
            .map_err(io_err(&path))?;
        prune(dir, keep.max(1), &path)?;
        Ok(path)
    }

    fn prune(dir: &Path, keep: usize, written: &Path) -> Result<(), AutoBackupError> {
        let backups = list(dir)?;
        for (old, _) in backups.iter().skip(keep) {
            if old == written {
                continue;
            }
            match std::fs::remove_file(old) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(old)(e)),
            }
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn file_names_round_trip_and_reject_impostors() {
            assert_eq!(
                file_name(0).as_deref(),
                Some("twofold-backup-19700101-000000.age")
            );
            // 2024-02-29T23:59:59Z
            assert_eq!(
                file_name(1_709_251_199).as_deref(),
                Some("twofold-backup-20240229-235959.age")
            );
            for t in [0, 951_782_400, 1_709_251_199, 1_763_900_000, 4_102_444_800] {
                let n = file_name(t).unwrap();
                assert_eq!(parse_file_name(&n), Some(t), "{n}");
            }
            for bad in [
                "twofold-backup-20230229-000000.age",
                "twofold-backup-20241301-000000.age",
                "twofold-backup-20240101-240000.age",
                "twofold-backup-20240101-000000.age.bak",
                "twofold-backup-2024010-0000000.age",
                "twofold-backup-2024O101-000000.age",
                "Twofold-backup-20240101-000000.age",
                "twofold-backup-+2024101-000000.age",
            ] {
                assert_eq!(parse_file_name(bad), None, "{bad}");
            }
            assert_eq!(file_name(-1), None);
        }
    }
}
