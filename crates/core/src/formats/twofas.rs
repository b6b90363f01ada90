//! 2FAS backups (`.2fas`), schemas 1–4, plain and encrypted: `docs/reference/formats.md` §4.
//!
//! A backup is a JSON object with `schemaVersion` and `services`. An encrypted one has
//! `services: []` and `servicesEncrypted` = `base64(ct‖tag):base64(salt):base64(iv)`, the
//! JSON array of services under AES-256-GCM with the key PBKDF2-HMAC-SHA256(password, salt,
//! 10 000 iterations). The decrypted array on its own (what `2fas-backup-decryptor` writes)
//! is accepted too.
//!
//! Mapping (as Aegis' `TwoFASImporter`): issuer = `name`, falling back to `otp.issuer`; name =
//! `otp.account`, falling back to the part of `otp.label` after `Issuer:` (in schema 4 the label
//! is the account alone). A missing `tokenType` is TOTP, so schemas 1 and 2, which cannot say
//! HOTP, import every entry as TOTP; missing digits, period and algorithm are 6, 30 and SHA-1.
//!
//! The conversion loses: groups, icons and badge colours, the `link` URI (its fields are
//! read from `otp` instead), `updatedAt`, and the exact order position (file order is kept).
//! Steam entries keep only their secret: Steam is always SHA-1, 5 characters, 30 s.
//!
//! This module also holds the small helpers the other importers of this family share
//! (andOTP, FreeOTP, Bitwarden): `new_account`, `gcm_open` and the parameter checks.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
use base64::Engine as _;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::account::{Account, Algorithm, Digits, Kind, Period};
use crate::formats::{
    check_entries, check_field, json_object_has, parse_json, trim_ascii_start, FormatError,
    Imported, Importer, Skipped,
};
use crate::secret::{SecretBytes, SecretString};

const FORMAT: &str = "2FAS";
/// formats.md §4: 2FAS derives its key with 10 000 iterations of PBKDF2-HMAC-SHA256. The
/// count is not in the file, so there is nothing to bound.
const PBKDF2_ITERATIONS: u32 = 10_000;
/// The salt is 256 bytes in every known file; anything much larger is not 2FAS.
const MAX_SALT_LEN: usize = 1024;
/// Newest schema we know (formats.md §4).
const MAX_SCHEMA: u64 = 4;

/// The 2FAS importer.
pub struct TwoFas;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Backup {
    #[serde(default)]
    services: Vec<serde_json::Value>,
    schema_version: Option<u64>,
    services_encrypted: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    name: Option<String>,
    secret: Option<String>,
    otp: Option<Otp>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Otp {
    label: Option<String>,
    account: Option<String>,
    issuer: Option<String>,
    digits: Option<u64>,
    period: Option<u64>,
    algorithm: Option<String>,
    counter: Option<u64>,
    token_type: Option<String>,
}

impl Importer for TwoFas {
    fn id(&self) -> &'static str {
        "2fas"
    }
    fn name(&self) -> &'static str {
        FORMAT
    }
    fn detect(&self, input: &[u8]) -> bool {
        json_object_has(input, &["schemaVersion", "services"]) || is_services_array(input)
    }
    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        if trim_ascii_start(input).first() == Some(&b'[') {
            return Ok(false);
        }
        let backup: Backup = parse_json(FORMAT, input)?;
        Ok(backup.services.is_empty() && backup.services_encrypted.is_some())
    }
    fn import(
        &self,
        input: &[u8],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        if trim_ascii_start(input).first() == Some(&b'[') {
            let services: Vec<serde_json::Value> = parse_json(FORMAT, input)?;
            return convert(&services, now);
        }
        let backup: Backup = parse_json(FORMAT, input)?;
        if let Some(version) = backup.schema_version {
            if version == 0 || version > MAX_SCHEMA {
                return Err(FormatError::Unsupported {
                    format: FORMAT,
                    reason: format!("schema version {version}, expected 1 to {MAX_SCHEMA}"),
                });
            }
        }
        match (&backup.services_encrypted, backup.services.is_empty()) {
            (Some(encrypted), true) => {
                let password = password.ok_or(FormatError::PasswordRequired { format: FORMAT })?;
                let plaintext = decrypt(encrypted, password)?;
                let services: Vec<serde_json::Value> = parse_json(FORMAT, &plaintext)?;
                convert(&services, now)
            }
            _ => convert(&backup.services, now),
        }
    }
}

/// A top-level JSON array whose first element looks like a 2FAS service (`secret` + `otp`).
fn is_services_array(input: &[u8]) -> bool {
    if trim_ascii_start(input).first() != Some(&b'[') {
        return false;
    }
    match serde_json::from_slice::<Vec<serde_json::Value>>(input) {
        Ok(items) => items.first().is_some_and(|first| {
            first.get("secret").is_some_and(|s| s.is_string())
                && first.get("otp").is_some_and(|o| o.is_object())
        }),
        Err(_) => false,
    }
}

/// `servicesEncrypted` → the plaintext JSON array (formats.md §4).
fn decrypt(encrypted: &str, password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let malformed = |reason: &str| FormatError::Malformed {
        format: FORMAT,
        reason: reason.to_owned(),
    };
    let mut parts = encrypted.split(':');
    let (Some(ct), Some(salt), Some(iv), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(
            "servicesEncrypted must be three base64 parts joined by ':'",
        ));
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let ct = b64
        .decode(ct)
        .map_err(|_| malformed("servicesEncrypted ciphertext is not base64"))?;
    let salt = b64
        .decode(salt)
        .map_err(|_| malformed("servicesEncrypted salt is not base64"))?;
    let iv = b64
        .decode(iv)
        .map_err(|_| malformed("servicesEncrypted iv is not base64"))?;
    if iv.len() != 12 {
        return Err(malformed(&format!("iv is {} bytes, expected 12", iv.len())));
    }
    if salt.is_empty() || salt.len() > MAX_SALT_LEN {
        return Err(malformed(&format!(
            "salt is {} bytes, expected 1 to {MAX_SALT_LEN}",
            salt.len()
        )));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.expose().as_bytes(),
        &salt,
        PBKDF2_ITERATIONS,
        key.as_mut(),
    );
    gcm_open(key.as_ref(), &iv, &ct, b"").ok_or(FormatError::WrongPassword { format: FORMAT })
}

fn convert(services: &[serde_json::Value], now: i64) -> Result<Imported, FormatError> {
    check_entries(FORMAT, services.len())?;
    let mut imported = Imported::default();
    for (index, value) in services.iter().enumerate() {
        let label = value_label(value);
        match convert_one(value, now) {
            Ok(account) => imported.accounts.push(account),
            Err(reason) => imported.skipped.push(Skipped {
                index,
                label,
                reason,
            }),
        }
    }
    Ok(imported)
}

/// `name (account)` of a raw service, for skip reports; truncated so a huge field stays small.
fn value_label(value: &serde_json::Value) -> String {
    fn text(v: Option<&serde_json::Value>) -> &str {
        v.and_then(|v| v.as_str()).unwrap_or("")
    }
    let issuer = text(value.get("name"));
    let name = text(value.get("otp").and_then(|o| o.get("account")));
    entry_label(issuer, name)
}

fn convert_one(value: &serde_json::Value, now: i64) -> Result<Account, String> {
    let service = Service::deserialize(value).map_err(|e| format!("unexpected field: {e}"))?;
    let otp = service.otp.unwrap_or_default();
    let secret = service.secret.ok_or("no secret")?;
    let secret = SecretBytes::from_base32(&secret).map_err(|e| e.to_string())?;
    let issuer = service
        .name
        .filter(|n| !n.is_empty())
        .or(otp.issuer)
        .unwrap_or_default();
    let name = match otp.account {
        Some(account) => account,
        // Schemas 1–3 write `Issuer:Account`; schema 4 the account alone.
        None => otp
            .label
            .map(|l| l.split_once(':').map_or(l.clone(), |(_, a)| a.to_owned()))
            .unwrap_or_default(),
    };
    let algorithm = algorithm_of(otp.algorithm.as_deref())?;
    let kind = match otp
        .token_type
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("TOTP") => Kind::Totp {
            period: period_of(otp.period)?,
        },
        Some("HOTP") => Kind::Hotp {
            counter: otp.counter.unwrap_or(0),
        },
        Some("STEAM") => Kind::Steam,
        Some(other) => {
            return Err(format!(
                "unknown token type {other:?}, expected TOTP, HOTP or STEAM"
            ))
        }
    };
    let digits = if kind == Kind::Steam {
        Digits::SIX
    } else {
        digits_of(otp.digits)?
    };
    new_account(&issuer, &name, secret, kind, algorithm, digits, now)
}

/// `issuer (name)` for skip reports, cut to 100 characters.
pub(super) fn entry_label(issuer: &str, name: &str) -> String {
    let label = match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer} ({name})"),
        (false, true) => issuer.to_owned(),
        _ => name.to_owned(),
    };
    label.chars().take(100).collect()
}

/// An [`Account`] from parts read from a file, after the checks every importer makes: field
/// lengths, a non-empty secret no longer than [`crate::otp::MAX_SECRET_LEN`]. Steam is forced
/// to SHA-1 and 6 stored digits (its codes are always 5 characters). `Err` is the skip reason.
pub(super) fn new_account(
    issuer: &str,
    name: &str,
    secret: SecretBytes,
    kind: Kind,
    algorithm: Algorithm,
    digits: Digits,
    now: i64,
) -> Result<Account, String> {
    check_field("issuer", issuer)?;
    check_field("name", name)?;
    if secret.is_empty() {
        return Err("secret is empty".into());
    }
    if secret.len() > crate::otp::MAX_SECRET_LEN {
        return Err(format!(
            "secret is {} bytes, expected at most {}",
            secret.len(),
            crate::otp::MAX_SECRET_LEN
        ));
    }
    let mut account = Account::new(issuer, name, secret, kind, now);
    if kind == Kind::Steam {
        account.algorithm = Algorithm::Sha1;
        account.digits = Digits::SIX;
    } else {
        account.algorithm = algorithm;
        account.digits = digits;
    }
    Ok(account)
}

/// `SHA1`/`SHA256`/`SHA512` (any case, dashes allowed); `None` is SHA-1.
pub(super) fn algorithm_of(algorithm: Option<&str>) -> Result<Algorithm, String> {
    match algorithm {
        None => Ok(Algorithm::Sha1),
        Some(a) => Algorithm::parse(a.trim()).ok_or_else(|| {
            format!(
                "unsupported algorithm {:?}, expected SHA1, SHA256 or SHA512",
                a.chars().take(20).collect::<String>()
            )
        }),
    }
}

/// 6 to 8; `None` is 6.
pub(super) fn digits_of(digits: Option<u64>) -> Result<Digits, String> {
    match digits {
        None => Ok(Digits::SIX),
        Some(d) => u32::try_from(d)
            .ok()
            .and_then(Digits::new)
            .ok_or_else(|| format!("digits must be 6 to 8, got {d}")),
    }
}

/// 1 s to 1 day; `None` is 30 s.
pub(super) fn period_of(period: Option<u64>) -> Result<Period, String> {
    match period {
        None => Ok(Period::THIRTY),
        Some(p) => Period::new(p).ok_or_else(|| {
            format!(
                "period must be 1 to {} seconds, got {p}",
                Period::MAX_SECONDS
            )
        }),
    }
}

/// AES-GCM with a 128- or 256-bit key, a 96-bit nonce and a 16-byte tag appended to `ct`.
/// `None` when the tag does not match (wrong key or damaged data) or a size is wrong.
pub(super) fn gcm_open(
    key: &[u8],
    nonce: &[u8],
    ct: &[u8],
    aad: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if nonce.len() != 12 || ct.len() < 16 {
        return None;
    }
    let nonce = Nonce::from_slice(nonce);
    let mut buf = Zeroizing::new(ct.to_vec());
    let opened = match key.len() {
        16 => Aes128Gcm::new_from_slice(key)
            .ok()?
            .decrypt_in_place(nonce, aad, &mut *buf),
        32 => Aes256Gcm::new_from_slice(key)
            .ok()?
            .decrypt_in_place(nonce, aad, &mut *buf),
        _ => return None,
    };
    opened.ok().map(|()| buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_open_rejects_bad_sizes_without_panicking() {
        assert!(gcm_open(&[0; 32], &[0; 11], &[0; 32], b"").is_none());
        assert!(gcm_open(&[0; 31], &[0; 12], &[0; 32], b"").is_none());
        assert!(gcm_open(&[0; 32], &[0; 12], &[0; 15], b"").is_none());
        assert!(gcm_open(&[0; 32], &[0; 12], &[0; 32], b"").is_none());
    }

    #[test]
    fn rejects_unknown_schema() {
        let err = TwoFas
            .import(br#"{"schemaVersion":5,"services":[]}"#, None, 0)
            .unwrap_err();
        assert!(matches!(err, FormatError::Unsupported { .. }), "{err}");
    }

    #[test]
    fn bad_entry_is_skipped_not_fatal() {
        let input = br#"{"schemaVersion":4,"services":[
            {"name":"A","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"a","digits":9}},
            {"name":"B","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"b"}}]}"#;
        let imported = TwoFas.import(input, None, 0).unwrap();
        assert_eq!(imported.accounts.len(), 1);
        assert_eq!(imported.skipped.len(), 1);
        assert_eq!(imported.skipped[0].label, "A (a)");
        assert!(imported.skipped[0].reason.contains("digits"));
    }
}
