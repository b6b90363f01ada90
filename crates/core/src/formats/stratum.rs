//! Authenticator Pro / Stratum backups, plain and encrypted (`docs/reference/formats.md` §9).
//!
//! Three forms of one JSON document (`{Authenticators, Categories, AuthenticatorCategories,
//! CustomIcons}`):
//! - plain JSON, detected by its `Authenticators` key;
//! - encrypted, current: `"AUTHENTICATORPRO"` ‖ salt\[16\] ‖ iv\[12\] ‖ AES-256-GCM
//!   ciphertext‖tag, key = Argon2id (t = 3, m = 64 MiB, p = 4). The parameters are fixed by the
//!   format, not read from the file, so a hostile file cannot raise the cost;
//! - encrypted, legacy: `"AuthenticatorPro"` ‖ salt\[20\] ‖ iv\[16\] ‖ AES-256-CBC/PKCS7, key =
//!   PBKDF2-HMAC-SHA1 with 64 000 iterations. CBC has no authentication: a bad padding or a
//!   plaintext that is not the backup JSON is reported as a wrong password.
//!
//! Entries convert as: `Type` 1 HOTP, 2 TOTP, 4 Steam; `Algorithm` 0/1/2 = SHA-1/256/512;
//! `Issuer`, `Username` → issuer, name; `Ranking` → order; the categories an entry belongs to
//! → tags; a built-in `Icon` name → the icon hint.
//!
//! What the conversion loses: mOTP (type 3) and Yandex (type 5) entries, which are skipped with
//! the reason; their `Pin`; custom icons (`CustomIcons`, and `Icon` values that refer to
//! them); copy counts; the order of categories and of entries inside a category.

use std::collections::HashMap;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use serde_json::Value;
use zeroize::{Zeroize, Zeroizing};

use crate::account::{Account, Algorithm, Digits, Kind, Period};
use crate::formats::{
    check_entries, check_field, json_object_has, parse_json, FormatError, Imported, Importer,
    Skipped, FUZZING,
};
use crate::secret::{SecretBytes, SecretString};

const NAME: &str = "Authenticator Pro / Stratum";

/// Magic of the current (Argon2id + AES-GCM) encrypted backup.
const MAGIC: &[u8; 16] = b"AUTHENTICATORPRO";
/// Magic of the legacy (PBKDF2 + AES-CBC) encrypted backup.
const MAGIC_LEGACY: &[u8; 16] = b"AuthenticatorPro";

const SALT_LEN: usize = 16;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;

const LEGACY_SALT_LEN: usize = 20;
const LEGACY_IV_LEN: usize = 16;
const LEGACY_BLOCK: usize = 16;
/// PBKDF2-HMAC-SHA1 iterations of the legacy format (fixed by the format). Under
/// `cfg(fuzzing)` just one, so that the fuzzers get past the KDF quickly.
const PBKDF2_ITERATIONS: u32 = if FUZZING { 1 } else { 64_000 };

/// Argon2id parameters of the current format: (memory KiB, iterations, lanes), fixed by the
/// format. Under `cfg(fuzzing)` the cheapest Argon2 allows (no fuzzed input can forge the
/// GCM tag anyway, so nothing past the KDF is lost).
const ARGON2_PARAMS: (u32, u32, u32) = if FUZZING {
    (8, 1, 1)
} else {
    (64 * 1024, 3, 4)
};

/// The Authenticator Pro / Stratum importer.
pub struct Stratum;

/// Which of the three forms a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Plain,
    Encrypted,
    Legacy,
}

fn form(input: &[u8]) -> Option<Form> {
    if input.starts_with(MAGIC) {
        Some(Form::Encrypted)
    } else if input.starts_with(MAGIC_LEGACY) {
        Some(Form::Legacy)
    } else if json_object_has(input, &["Authenticators"]) {
        Some(Form::Plain)
    } else {
        None
    }
}

impl Importer for Stratum {
    fn id(&self) -> &'static str {
        "stratum"
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &[u8]) -> bool {
        form(input).is_some()
    }

    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        match form(input) {
            Some(f) => Ok(f != Form::Plain),
            None => Err(unrecognized()),
        }
    }

    fn import(
        &self,
        input: &[u8],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        let form = form(input).ok_or_else(unrecognized)?;
        if form == Form::Plain {
            return convert(input, now);
        }
        let password = password.ok_or(FormatError::PasswordRequired { format: NAME })?;
        let plain = match form {
            Form::Encrypted => decrypt_gcm(input, password)?,
            _ => decrypt_cbc(input, password)?,
        };
        if form == Form::Legacy && serde_json::from_slice::<serde::de::IgnoredAny>(&plain).is_err()
        {
            // CBC is unauthenticated: a wrong key whose padding happens to look valid gives
            // garbage, which is the wrong password rather than a damaged file.
            return Err(FormatError::WrongPassword { format: NAME });
        }
        convert(&plain, now)
    }
}

fn unrecognized() -> FormatError {
    FormatError::Unrecognized {
        hint: Some(
            "expected an Authenticator Pro / Stratum backup (AUTHENTICATORPRO header or \
             JSON with \"Authenticators\")"
                .into(),
        ),
    }
}

fn too_short(what: &str) -> FormatError {
    FormatError::Malformed {
        format: NAME,
        reason: format!("file too short for {what}"),
    }
}

/// Current format: Argon2id → AES-256-GCM.
fn decrypt_gcm(input: &[u8], password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let rest = &input[MAGIC.len()..];
    if rest.len() < SALT_LEN + IV_LEN + TAG_LEN {
        return Err(too_short("the salt, IV and authentication tag"));
    }
    let (salt, rest) = rest.split_at(SALT_LEN);
    let (iv, rest) = rest.split_at(IV_LEN);
    let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);

    let (m_kib, t, p) = ARGON2_PARAMS;
    let params = argon2::Params::new(m_kib, t, p, Some(KEY_LEN)).map_err(|_| unsupported_kdf())?;
    let kdf = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    kdf.hash_password_into(password.expose().as_bytes(), salt, key.as_mut())
        .map_err(|_| unsupported_kdf())?;

    let cipher = Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(key.as_ref()));
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(iv),
            b"",
            buf.as_mut(),
            Tag::from_slice(tag),
        )
        .map_err(|_| FormatError::WrongPassword { format: NAME })?;
    Ok(buf)
}

fn unsupported_kdf() -> FormatError {
    FormatError::Unsupported {
        format: NAME,
        reason: "Argon2id parameters rejected".into(),
    }
}

/// Legacy format: PBKDF2-HMAC-SHA1 → AES-256-CBC/PKCS7.
fn decrypt_cbc(input: &[u8], password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let rest = &input[MAGIC_LEGACY.len()..];
    if rest.len() < LEGACY_SALT_LEN + LEGACY_IV_LEN + LEGACY_BLOCK {
        return Err(too_short("the salt, IV and one cipher block"));
    }
    let (salt, rest) = rest.split_at(LEGACY_SALT_LEN);
    let (iv, ciphertext) = rest.split_at(LEGACY_IV_LEN);
    if ciphertext.len() % LEGACY_BLOCK != 0 {
        return Err(FormatError::Malformed {
            format: NAME,
            reason: format!(
                "ciphertext is {} bytes, expected a multiple of {LEGACY_BLOCK}",
                ciphertext.len()
            ),
        });
    }

    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(
        password.expose().as_bytes(),
        salt,
        PBKDF2_ITERATIONS,
        key.as_mut(),
    );
    let decryptor = cbc::Decryptor::<aes::Aes256>::new_from_slices(key.as_ref(), iv)
        .map_err(|_| too_short("the IV"))?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = decryptor
        .decrypt_padded_mut::<Pkcs7>(buf.as_mut())
        .map_err(|_| FormatError::WrongPassword { format: NAME })?
        .len();
    buf.truncate(len);
    Ok(buf)
}

/// A parsed JSON tree whose strings (the secrets among them) are wiped when it is dropped.
struct WipedJson(Value);

impl Drop for WipedJson {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

fn wipe(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}

fn list<'a>(root: &'a Value, key: &str) -> Result<&'a [Value], FormatError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => {
            check_entries(NAME, items.len())?;
            Ok(items)
        }
        Some(_) => Err(FormatError::Malformed {
            format: NAME,
            reason: format!("\"{key}\" is not an array"),
        }),
    }
}

/// The backup JSON → accounts.
fn convert(json: &[u8], now: i64) -> Result<Imported, FormatError> {
    let root = WipedJson(parse_json::<Value>(NAME, json)?);
    let root = &root.0;
    if !root.is_object() {
        return Err(FormatError::Malformed {
            format: NAME,
            reason: "expected a JSON object".into(),
        });
    }
    if !matches!(root.get("Authenticators"), Some(Value::Array(_))) {
        return Err(FormatError::Malformed {
            format: NAME,
            reason: "expected an \"Authenticators\" array".into(),
        });
    }
    let entries = list(root, "Authenticators")?;
    let tags = category_tags(
        list(root, "Categories")?,
        list(root, "AuthenticatorCategories")?,
    );

    let mut out = Imported::default();
    for (index, entry) in entries.iter().enumerate() {
        match entry_to_account(entry, &tags, now) {
            Ok(account) => out.accounts.push(account),
            Err(reason) => out.skipped.push(Skipped {
                index,
                label: label(entry),
                reason,
            }),
        }
    }
    Ok(out)
}

/// Secret (as written in the file) → the names of its categories. Malformed category records
/// are ignored: they lose a tag, never an account.
fn category_tags<'a>(categories: &'a [Value], links: &'a [Value]) -> HashMap<&'a str, Vec<String>> {
    let names: HashMap<&str, &str> = categories
        .iter()
        .filter_map(|c| Some((c.get("Id")?.as_str()?, c.get("Name")?.as_str()?)))
        .filter(|(_, name)| !name.trim().is_empty() && check_field("category", name).is_ok())
        .collect();
    let mut tags: HashMap<&str, Vec<String>> = HashMap::new();
    for link in links {
        let (Some(secret), Some(category)) = (
            link.get("AuthenticatorSecret").and_then(Value::as_str),
            link.get("CategoryId").and_then(Value::as_str),
        ) else {
            continue;
        };
        if let Some(name) = names.get(category) {
            let list = tags.entry(secret).or_default();
            if !list.iter().any(|t| t == name) {
                list.push((*name).to_owned());
            }
        }
    }
    tags
}

fn label(entry: &Value) -> String {
    let text = |key: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| s.len() <= crate::formats::MAX_FIELD_LEN)
            .unwrap_or("")
            .to_owned()
    };
    let (issuer, name) = (text("Issuer"), text("Username"));
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer} ({name})"),
        (false, true) => issuer,
        _ => name,
    }
}

/// An optional string field: missing or null → "".
fn text_field(entry: &Value, key: &'static str) -> Result<String, String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => {
            check_field(key, s)?;
            Ok(s.clone())
        }
        Some(_) => Err(format!("{key} is not a string")),
    }
}

/// An optional integer field: missing or null → `default`.
fn int_field(entry: &Value, key: &'static str, default: u64) -> Result<u64, String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("{key} is not a whole number of at least 0")),
    }
}

fn entry_to_account(
    entry: &Value,
    tags: &HashMap<&str, Vec<String>>,
    now: i64,
) -> Result<Account, String> {
    if !entry.is_object() {
        return Err("entry is not a JSON object".into());
    }
    let kind_code = match entry.get("Type") {
        Some(v) => v.as_u64().ok_or("Type is not a number")?,
        None => return Err("Type is missing".into()),
    };
    let issuer = text_field(entry, "Issuer")?;
    let name = text_field(entry, "Username")?;
    let secret_text = match entry.get("Secret") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err("Secret is not a string".into()),
        None => return Err("Secret is missing".into()),
    };
    let secret = SecretBytes::from_base32(secret_text).map_err(|e| format!("Secret: {e}"))?;

    let algorithm = match int_field(entry, "Algorithm", 0)? {
        0 => Algorithm::Sha1,
        1 => Algorithm::Sha256,
        2 => Algorithm::Sha512,
        n => return Err(format!("Algorithm {n} is unknown, expected 0, 1 or 2")),
    };
    let digits_of = || -> Result<Digits, String> {
        let n = int_field(entry, "Digits", 6)?;
        u32::try_from(n)
            .ok()
            .and_then(Digits::new)
            .ok_or_else(|| format!("Digits must be 6 to 8, got {n}"))
    };
    let (kind, algorithm, digits) = match kind_code {
        1 => (
            Kind::Hotp {
                counter: int_field(entry, "Counter", 0)?,
            },
            algorithm,
            digits_of()?,
        ),
        2 => {
            let seconds = int_field(entry, "Period", 30)?;
            let period = Period::new(seconds).ok_or_else(|| {
                format!(
                    "Period must be 1 to {} seconds, got {seconds}",
                    Period::MAX_SECONDS
                )
            })?;
            (Kind::Totp { period }, algorithm, digits_of()?)
        }
        // Steam Guard is always SHA-1 with 5 characters; the file's Digits (5) is not ours.
        4 => (Kind::Steam, Algorithm::Sha1, Digits::SIX),
        3 => return Err("mOTP entries are not supported".into()),
        5 => return Err("Yandex entries are not supported".into()),
        n => {
            return Err(format!(
                "Type {n} is unknown, expected 1 (HOTP), 2 (TOTP) or 4 (Steam)"
            ))
        }
    };

    let mut account = Account::new(issuer, name, secret, kind, now);
    account.algorithm = algorithm;
    account.digits = digits;
    if let Some(order) = entry.get("Ranking").and_then(Value::as_i64) {
        account.order = order;
    }
    account.icon = entry
        .get("Icon")
        .and_then(Value::as_str)
        .filter(|icon| is_icon_name(icon))
        .map(str::to_owned);
    if let Some(names) = tags.get(secret_text) {
        account.tags = names.clone();
    }
    Ok(account)
}

/// A built-in icon name (`google`, `microsoft_dark`); custom icons are `@<id>`.
fn is_icon_name(icon: &str) -> bool {
    (1..=64).contains(&icon.len())
        && icon
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn plain(entries: &str) -> Vec<u8> {
        format!("{{\"Authenticators\":[{entries}],\"Categories\":[{{\"Id\":\"abcd1234\",\"Name\":\"Work\"}}],\"AuthenticatorCategories\":[{{\"CategoryId\":\"abcd1234\",\"AuthenticatorSecret\":\"JBSWY3DPEHPK3PXP\",\"Ranking\":0}}]}}").into_bytes()
    }

    #[test]
    fn converts_kinds_and_categories() {
        let input = plain(
            r#"{"Type":2,"Issuer":"A","Username":null,"Secret":"JBSWY3DPEHPK3PXP","Algorithm":1,"Digits":8,"Period":60,"Ranking":3,"Icon":"google"},
               {"Type":1,"Issuer":"B","Username":"b","Secret":"JBSWY3DP","Algorithm":2,"Digits":7,"Counter":42},
               {"Type":4,"Issuer":"Steam","Username":"s","Secret":"JBSWY3DPEHPK3PXP","Digits":5}"#,
        );
        let out = Stratum.import(&input, None, NOW).unwrap();
        assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        let [a, b, c] = &out.accounts[..] else {
            panic!("expected 3 accounts")
        };
        assert_eq!(
            a.kind,
            Kind::Totp {
                period: Period::new(60).unwrap()
            }
        );
        assert_eq!(
            (a.algorithm, a.digits.get(), a.order),
            (Algorithm::Sha256, 8, 3)
        );
        assert_eq!(a.tags, vec!["Work".to_owned()]);
        assert_eq!(a.icon.as_deref(), Some("google"));
        assert_eq!(a.name, "");
        assert_eq!(b.kind, Kind::Hotp { counter: 42 });
        assert_eq!((b.algorithm, b.digits.get()), (Algorithm::Sha512, 7));
        assert!(b.tags.is_empty());
        assert_eq!(
            (c.kind, c.algorithm, c.digits),
            (Kind::Steam, Algorithm::Sha1, Digits::SIX)
        );
        assert_eq!(a.created_at, NOW);
    }

    #[test]
    fn skips_bad_entries_with_reasons() {
        let input = plain(
            r#"{"Type":3,"Issuer":"M","Secret":"JBSWY3DP"},
               {"Type":2,"Issuer":"D","Secret":"JBSWY3DP","Digits":9},
               {"Type":2,"Issuer":"S","Secret":"not base32!"},
               {"Type":2,"Issuer":"P","Secret":"JBSWY3DP","Period":0},
               {"Type":1,"Issuer":"C","Secret":"JBSWY3DP","Counter":-1},
               {"Type":9,"Issuer":"T","Secret":"JBSWY3DP"},
               "nonsense",
               {"Type":2,"Issuer":"ok","Secret":"JBSWY3DP"}"#,
        );
        let out = Stratum.import(&input, None, NOW).unwrap();
        assert_eq!(out.accounts.len(), 1);
        assert_eq!(out.accounts[0].issuer, "ok");
        let reasons: Vec<_> = out.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons.len(), 7);
        assert!(reasons[0].contains("mOTP"));
        assert!(reasons[1].contains("Digits must be 6 to 8, got 9"));
        assert!(reasons[2].starts_with("Secret: invalid base32"));
        assert!(reasons[3].contains("Period"));
        assert!(reasons[4].contains("Counter"));
        assert!(reasons[5].contains("Type 9 is unknown"));
        assert_eq!(out.skipped[1].label, "D");
        assert_eq!(out.skipped[6].index, 6);
    }

    #[test]
    fn encrypted_needs_a_password_and_rejects_short_files() {
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&[0u8; 10]);
        assert!(Stratum.is_encrypted(&file).unwrap());
        assert_eq!(
            Stratum.import(&file, None, NOW),
            Err(FormatError::PasswordRequired { format: NAME })
        );
        let pw = SecretString::from("test");
        assert!(matches!(
            Stratum.import(&file, Some(&pw), NOW),
            Err(FormatError::Malformed { .. })
        ));
        let mut legacy = MAGIC_LEGACY.to_vec();
        legacy.extend_from_slice(&[0u8; LEGACY_SALT_LEN + LEGACY_IV_LEN + 17]);
        assert!(matches!(
            Stratum.import(&legacy, Some(&pw), NOW),
            Err(FormatError::Malformed { .. })
        ));
    }

    #[test]
    fn plain_detection() {
        assert!(Stratum.detect(b" {\"Authenticators\":[]}"));
        assert!(!Stratum.detect(b"{\"authenticators\":[]}"));
        assert!(!Stratum.detect(b"[]"));
        assert!(!Stratum.is_encrypted(b"{\"Authenticators\":[]}").unwrap());
        assert!(Stratum.is_encrypted(b"nope").is_err());
        let out = Stratum
            .import(b"{\"Authenticators\":[]}", None, NOW)
            .unwrap();
        assert!(out.accounts.is_empty());
        assert!(matches!(
            Stratum.import(b"{\"Authenticators\":{}}", None, NOW),
            Err(FormatError::Unrecognized { .. }) | Err(FormatError::Malformed { .. })
        ));
    }
}
