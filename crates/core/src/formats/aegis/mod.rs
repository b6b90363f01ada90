//! Aegis vault files, plain and encrypted (`docs/reference/formats.md` §3, after Aegis's
//! `docs/vault.md`): `{version: 1, header: {slots, params}, db}`.
//!
//! Reading:
//! - Plain vaults have `header.slots` = `null` and `db` as an object; encrypted ones have
//!   `db` as base64 of AES-256-GCM(master key, no AAD) with `header.params` `{nonce, tag}`.
//! - The master key is unwrapped by the first password slot (`type` 1) that opens with the
//!   password: scrypt(password, salt, N, r, p) → 32-byte key → AES-256-GCM over `key`‖`tag`.
//!   Raw (0) and biometric (2) slots cannot be used off the phone and are ignored. Each slot's
//!   scrypt parameters are bounded before the KDF runs ([`MAX_SCRYPT_N`], [`MAX_SCRYPT_R`],
//!   [`MAX_SCRYPT_P`], and [`MAX_SCRYPT_MEMORY`] for 128·N·r).
//! - `db.version` 1, 2 and 3: `name`, `issuer`, `note` → notes, `favorite` → favourite; groups
//!   become tags by their name (v2: the entry's `group` string; v3: `groups` uuids looked up in
//!   `db.groups`, unknown uuids dropped). Types `totp`, `hotp` and `steam` are read; `motp`,
//!   `yandex`, MD5 and digits outside 6–8 are skipped with the reason, as is any other bad
//!   entry. Entries keep the file's order. Icons (images) and uuids are dropped.
//!
//! Writing: `db.version` 3 with one group per distinct tag, accounts in their manual order;
//! [`AegisExporter`] adds one password slot (scrypt N=2^15, r=8, p=1, as Aegis itself writes,
//! with a fresh salt, master key and nonces) and [`AegisPlainExporter`] writes `db` in the
//! clear. Aegis cannot carry recovery codes, Twofold's icon hints, or the created, changed and
//! last-used dates.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use data_encoding::HEXLOWER_PERMISSIVE;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::account::{Account, Algorithm, Digits, Kind, Period};
use crate::formats::{
    check_entries, check_field, parse_json, trim_ascii_start, FormatError, Imported, Importer,
    Skipped, FUZZING,
};
use crate::secret::{SecretBytes, SecretString};
use crate::vault::crypto::{open_in_place, NONCE_LEN, TAG_LEN};

mod export;

pub use export::{AegisExporter, AegisPlainExporter};

const NAME: &str = "Aegis";

/// Largest scrypt `N` accepted from a file (Aegis writes 2^15). Under `cfg(fuzzing)` 2^10,
/// so that the fuzzers get past the KDF quickly (no fuzzed input forges the GCM tag anyway).
pub const MAX_SCRYPT_N: u64 = if FUZZING { 1 << 10 } else { 1 << 20 };
/// Largest scrypt `r` accepted from a file (Aegis writes 8; 8 under `cfg(fuzzing)`).
pub const MAX_SCRYPT_R: u64 = if FUZZING { 8 } else { 32 };
/// Largest scrypt `p` accepted from a file (Aegis writes 1; 1 under `cfg(fuzzing)`).
pub const MAX_SCRYPT_P: u64 = if FUZZING { 1 } else { 16 };
/// Largest scrypt memory (128·N·r bytes) accepted from a file: 1 GiB (Aegis uses 32 MiB).
pub const MAX_SCRYPT_MEMORY: u64 = 1 << 30;
/// Largest `r·p` accepted from a slot (security.md: scrypt's cost grows with both).
pub const MAX_SCRYPT_RP: u64 = 64;
/// Most password slots accepted in one file: Aegis writes one or two (issue 11 item 3: a
/// file with thousands of bounded slots made a wrong password cost hours).
pub const MAX_PASSWORD_SLOTS: usize = 4;
/// The scrypt work (Σ N·r·p over the password slots) one file may ask for, checked before
/// any KDF runs: 64 times a slot as Aegis writes it (2^15·8·1), a few seconds in all. A
/// wrong password tries every slot, so this bounds what a hostile file can cost.
pub const MAX_SCRYPT_WORK: u64 = 1 << 24;

/// scrypt parameters Twofold writes: Aegis's own (`SCRYPT_N` etc. in `CryptoUtils.java`).
const EXPORT_LOG_N: u8 = 15;
const EXPORT_R: u32 = 8;
const EXPORT_P: u32 = 1;
const KEY_LEN: usize = 32;
const SALT_LEN: usize = 32;
/// Longest salt accepted from a file, in bytes.
const MAX_SALT_LEN: usize = 1024;

/// The Aegis importer.
pub struct Aegis;

// ---------------------------------------------------------------------------------------------
// The file as read.

#[derive(Deserialize)]
struct File<'a> {
    version: u64,
    #[serde(borrow)]
    header: Header<'a>,
    #[serde(borrow)]
    db: &'a RawValue,
}

#[derive(Deserialize)]
struct Header<'a> {
    /// Kept raw: each slot is read only as far as needed (a file may hold thousands).
    #[serde(default, borrow)]
    slots: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    params: Option<KeyParams>,
}

#[derive(Deserialize)]
struct KeyParams {
    nonce: String,
    tag: String,
}

#[derive(Deserialize)]
struct SlotType {
    #[serde(rename = "type")]
    kind: i64,
}

#[derive(Deserialize)]
struct PasswordSlot {
    key: String,
    key_params: KeyParams,
    n: u64,
    r: u64,
    p: u64,
    salt: String,
}

#[derive(Deserialize)]
struct Db<'a> {
    version: u64,
    #[serde(borrow)]
    entries: Vec<&'a RawValue>,
    #[serde(default)]
    groups: Option<Vec<Group>>,
}

#[derive(Deserialize)]
struct Group {
    uuid: String,
    name: String,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    favorite: Option<bool>,
    /// db v2: the group's name.
    #[serde(default)]
    group: Option<String>,
    /// db v3: group uuids.
    #[serde(default)]
    groups: Option<Vec<String>>,
    info: Info,
}

/// An entry's OTP parameters; the base32 secret is wiped on drop.
#[derive(Deserialize)]
struct Info {
    secret: String,
    #[serde(default)]
    algo: Option<String>,
    #[serde(default)]
    digits: Option<u64>,
    #[serde(default)]
    period: Option<u64>,
    #[serde(default)]
    counter: Option<u64>,
}

impl Drop for Info {
    fn drop(&mut self) {
        crate::secret::wipe(&mut self.secret);
    }
}

/// Just enough of an entry to name it in a skip message.
#[derive(Deserialize)]
struct EntryLabel {
    #[serde(default)]
    name: Option<serde_json::Value>,
    #[serde(default)]
    issuer: Option<serde_json::Value>,
}

/// The shape [`Aegis::detect`] looks for; the fields are only checked for presence.
#[allow(dead_code)]
#[derive(Deserialize)]
struct DetectFile {
    header: IgnoredAny,
    db: IgnoredAny,
}

impl Importer for Aegis {
    fn id(&self) -> &'static str {
        "aegis"
    }
    fn name(&self) -> &'static str {
        NAME
    }
    fn detect(&self, input: &[u8]) -> bool {
        trim_ascii_start(input).first() == Some(&b'{')
            && serde_json::from_slice::<DetectFile>(input).is_ok()
    }
    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        let file: File = parse_json(NAME, input)?;
        Ok(file.db.get().starts_with('"'))
    }
    fn import(
        &self,
        input: &[u8],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        let file: File = parse_json(NAME, input)?;
        if file.version != 1 {
            return Err(unsupported(format!(
                "file version {}, expected 1",
                file.version
            )));
        }
        if file.db.get().starts_with('"') {
            let password = password.ok_or(FormatError::PasswordRequired { format: NAME })?;
            let plain = decrypt(&file, password)?;
            let text = std::str::from_utf8(&plain)
                .map_err(|_| malformed("the decrypted db is not utf-8 text"))?;
            read_db(text, now)
        } else {
            read_db(file.db.get(), now)
        }
    }
}

fn malformed(reason: impl Into<String>) -> FormatError {
    FormatError::Malformed {
        format: NAME,
        reason: reason.into(),
    }
}

fn unsupported(reason: impl Into<String>) -> FormatError {
    FormatError::Unsupported {
        format: NAME,
        reason: reason.into(),
    }
}

/// A serde error's message when it cannot quote a value (which could be a secret).
pub(crate) fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let msg = e.to_string();
    match e.classify() {
        Category::Data if msg.starts_with("missing field") => {
            msg.split(" at line").next().unwrap_or("").to_owned()
        }
        Category::Data => "a field has the wrong type".to_owned(),
        Category::Syntax | Category::Eof => "invalid JSON".to_owned(),
        Category::Io => "unreadable".to_owned(),
    }
}

/// Hex field `what` of exactly `N` bytes.
fn hex_array<const N: usize>(what: &str, s: &str) -> Result<[u8; N], FormatError> {
    let bytes = HEXLOWER_PERMISSIVE
        .decode(s.as_bytes())
        .map_err(|_| malformed(format!("{what} is not hex")))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| malformed(format!("{what} is {} bytes, expected {N}", b.len())))
}

/// Checks a password slot's scrypt parameters against the bounds, before any KDF runs.
fn scrypt_params(slot: &PasswordSlot, index: usize) -> Result<scrypt::Params, FormatError> {
    let limit = |reason: String| FormatError::Limit {
        format: NAME,
        reason: format!("slot {}: {reason}", index + 1),
    };
    if slot.n < 2 || !slot.n.is_power_of_two() {
        return Err(malformed(format!(
            "slot {}: scrypt n is {}, expected a power of two",
            index + 1,
            slot.n
        )));
    }
    if slot.n > MAX_SCRYPT_N {
        return Err(limit(format!(
            "scrypt n is {}, expected at most {MAX_SCRYPT_N}",
            slot.n
        )));
    }
    if !(1..=MAX_SCRYPT_R).contains(&slot.r) {
        return Err(limit(format!(
            "scrypt r is {}, expected 1 to {MAX_SCRYPT_R}",
            slot.r
        )));
    }
    if !(1..=MAX_SCRYPT_P).contains(&slot.p) {
        return Err(limit(format!(
            "scrypt p is {}, expected 1 to {MAX_SCRYPT_P}",
            slot.p
        )));
    }
    if slot.r * slot.p > MAX_SCRYPT_RP {
        return Err(limit(format!(
            "scrypt r·p is {}, expected at most {MAX_SCRYPT_RP}",
            slot.r * slot.p
        )));
    }
    // n ≤ 2^20 and r ≤ 32 were checked, so this cannot overflow.
    let memory = 128 * slot.n * slot.r;
    if memory > MAX_SCRYPT_MEMORY {
        return Err(limit(format!(
            "scrypt needs {memory} bytes of memory, expected at most {MAX_SCRYPT_MEMORY}"
        )));
    }
    // n is a power of two ≤ 2^20, so its log fits in a u8; r and p were bounded above.
    let log_n = slot.n.trailing_zeros() as u8;
    scrypt::Params::new(log_n, slot.r as u32, slot.p as u32, KEY_LEN)
        .map_err(|_| malformed(format!("slot {}: invalid scrypt parameters", index + 1)))
}

/// Unwraps the master key with the first password slot that opens, then decrypts `db`.
fn decrypt(file: &File, password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let slots = file
        .header
        .slots
        .as_ref()
        .ok_or_else(|| malformed("db is encrypted but header.slots is null"))?;
    let params = file
        .header
        .params
        .as_ref()
        .ok_or_else(|| malformed("db is encrypted but header.params is null"))?;
    let db_nonce: [u8; NONCE_LEN] = hex_array("header.params.nonce", &params.nonce)?;
    let db_tag: [u8; TAG_LEN] = hex_array("header.params.tag", &params.tag)?;
    let db_b64: String = serde_json::from_str(file.db.get())
        .map_err(|e| malformed(format!("db: {}", describe_json_error(&e))))?;

    // Every password slot is read and checked, and the whole file's KDF work counted, before
    // the first scrypt runs (issue 11 item 3): a hostile file is refused at once.
    let mut password_slots: Vec<(usize, PasswordSlot, scrypt::Params)> = Vec::new();
    let mut work: u64 = 0;
    for (index, value) in slots.iter().enumerate() {
        let kind = serde_json::from_str::<SlotType>(value.get())
            .map_err(|e| malformed(format!("slot {}: {}", index + 1, describe_json_error(&e))))?;
        if kind.kind != 1 {
            continue;
        }
        if password_slots.len() == MAX_PASSWORD_SLOTS {
            return Err(FormatError::Limit {
                format: NAME,
                reason: format!(
                    "more than {MAX_PASSWORD_SLOTS} password slots (Aegis writes one or two)"
                ),
            });
        }
        let slot = serde_json::from_str::<PasswordSlot>(value.get())
            .map_err(|e| malformed(format!("slot {}: {}", index + 1, describe_json_error(&e))))?;
        let params = scrypt_params(&slot, index)?;
        // Each factor was bounded by scrypt_params: no overflow.
        work += slot.n * slot.r * slot.p;
        if work > MAX_SCRYPT_WORK {
            return Err(FormatError::Limit {
                format: NAME,
                reason: format!(
                    "the password slots ask for more scrypt work than {MAX_SCRYPT_WORK} (N·r·p), \
                     far beyond what Aegis writes"
                ),
            });
        }
        password_slots.push((index, slot, params));
    }

    let mut master: Option<Zeroizing<[u8; KEY_LEN]>> = None;
    for (index, slot, scrypt_params) in &password_slots {
        let index = *index;
        let salt = HEXLOWER_PERMISSIVE
            .decode(slot.salt.as_bytes())
            .map_err(|_| malformed(format!("slot {}: salt is not hex", index + 1)))?;
        if salt.len() > MAX_SALT_LEN {
            return Err(malformed(format!(
                "slot {}: salt is {} bytes, expected at most {MAX_SALT_LEN}",
                index + 1,
                salt.len()
            )));
        }
        let nonce: [u8; NONCE_LEN] =
            hex_array(&format!("slot {} nonce", index + 1), &slot.key_params.nonce)?;
        let tag: [u8; TAG_LEN] =
            hex_array(&format!("slot {} tag", index + 1), &slot.key_params.tag)?;
        let mut key = Zeroizing::new(hex_array::<KEY_LEN>(
            &format!("slot {} key", index + 1),
            &slot.key,
        )?);
        let mut kek = Zeroizing::new([0u8; KEY_LEN]);
        scrypt::scrypt(
            password.expose().as_bytes(),
            &salt,
            scrypt_params,
            kek.as_mut_slice(),
        )
        .map_err(|_| malformed("scrypt output length"))?;
        if open_in_place(kek.as_slice(), &nonce, b"", key.as_mut_slice(), &tag) {
            master = Some(key);
            break;
        }
    }
    if password_slots.is_empty() {
        return Err(unsupported(
            "no password slot: this vault can only be unlocked on the phone (biometrics)",
        ));
    }
    let master = master.ok_or(FormatError::WrongPassword { format: NAME })?;

    let mut plain = Zeroizing::new(
        STANDARD
            .decode(db_b64.as_bytes())
            .map_err(|e| malformed(format!("db is not base64: {e}")))?,
    );
    if !open_in_place(master.as_slice(), &db_nonce, b"", &mut plain, &db_tag) {
        return Err(malformed(
            "the db does not decrypt with the vault's own key (the file was altered)",
        ));
    }
    Ok(plain)
}

/// Reads the db object (plain JSON text) into accounts.
fn read_db(text: &str, now: i64) -> Result<Imported, FormatError> {
    let db: Db = serde_json::from_str(text)
        .map_err(|e| malformed(format!("db: {}", describe_json_error(&e))))?;
    if !(1..=3).contains(&db.version) {
        return Err(unsupported(format!(
            "db version {}, expected 1 to 3",
            db.version
        )));
    }
    check_entries(NAME, db.entries.len())?;
    let groups = db.groups.unwrap_or_default();
    let mut imported = Imported::default();
    for (index, raw) in db.entries.iter().enumerate() {
        match entry(raw, db.version, &groups, now) {
            Ok(mut account) => {
                account.order = i64::try_from(imported.accounts.len()).unwrap_or(i64::MAX);
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

fn entry_label(raw: &RawValue) -> String {
    let Ok(label) = serde_json::from_str::<EntryLabel>(raw.get()) else {
        return String::new();
    };
    let text = |v: &Option<serde_json::Value>| -> String {
        v.as_ref()
            .and_then(serde_json::Value::as_str)
            .map(|s| s.chars().take(128).collect())
            .unwrap_or_default()
    };
    let (issuer, name) = (text(&label.issuer), text(&label.name));
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer} ({name})"),
        (false, true) => issuer,
        _ => name,
    }
}

/// Converts one entry; `Err` is the reason it is skipped.
fn entry(raw: &RawValue, version: u64, groups: &[Group], now: i64) -> Result<Account, String> {
    let e: Entry = serde_json::from_str(raw.get()).map_err(|e| describe_json_error(&e))?;
    let issuer = e.issuer.clone().unwrap_or_default();
    let name = e.name.clone().unwrap_or_default();
    let notes = e.note.clone().unwrap_or_default();
    check_field("issuer", &issuer)?;
    check_field("name", &name)?;
    check_field("note", &notes)?;

    let secret =
        SecretBytes::from_base32(&e.info.secret).map_err(|err| format!("secret: {err}"))?;
    if secret.len() > crate::otp::MAX_SECRET_LEN {
        return Err(format!(
            "secret is {} bytes long, expected at most {}",
            secret.len(),
            crate::otp::MAX_SECRET_LEN
        ));
    }
    let (kind, algorithm, digits) = match e.kind.as_str() {
        "totp" => {
            let period = match e.info.period {
                None => Period::THIRTY,
                Some(p) => {
                    Period::new(p).ok_or_else(|| format!("period {p}, expected 1 to 86400"))?
                }
            };
            (Kind::Totp { period }, algorithm(&e.info)?, digits(&e.info)?)
        }
        "hotp" => (
            Kind::Hotp {
                counter: e.info.counter.unwrap_or(0),
            },
            algorithm(&e.info)?,
            digits(&e.info)?,
        ),
        // Always SHA-1, 5 characters, 30 s (formats.md §3 "Fixed values by type").
        "steam" => (Kind::Steam, Algorithm::Sha1, Digits::SIX),
        other => {
            return Err(format!(
                "otp type {:?} is not supported, expected totp, hotp or steam",
                other.chars().take(16).collect::<String>()
            ))
        }
    };

    let mut tags: Vec<String> = Vec::new();
    let mut add_tag = |tag: &str| -> Result<(), String> {
        check_field("group", tag)?;
        if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
        Ok(())
    };
    if version == 2 {
        if let Some(group) = &e.group {
            add_tag(group)?;
        }
    } else {
        for uuid in e.groups.iter().flatten() {
            if let Some(group) = groups.iter().find(|g| &g.uuid == uuid) {
                add_tag(&group.name)?;
            }
        }
    }

    let mut account = Account::new(issuer, name, secret, kind, now);
    account.algorithm = algorithm;
    account.digits = digits;
    account.notes = notes;
    account.favourite = e.favorite.unwrap_or(false);
    account.tags = tags;
    Ok(account)
}

fn algorithm(info: &Info) -> Result<Algorithm, String> {
    match info.algo.as_deref() {
        None => Ok(Algorithm::Sha1),
        Some(a) => Algorithm::parse(a).ok_or_else(|| {
            format!(
                "algorithm {:?} is not supported, expected SHA1, SHA256 or SHA512",
                a.chars().take(16).collect::<String>()
            )
        }),
    }
}

fn digits(info: &Info) -> Result<Digits, String> {
    match info.digits {
        None => Ok(Digits::SIX),
        Some(d) => u32::try_from(d)
            .ok()
            .and_then(Digits::new)
            .ok_or_else(|| format!("{d} digits, expected 6 to 8")),
    }
}
