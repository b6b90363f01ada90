//! andOTP backups: plain JSON, encrypted (`.json.aes`) and old encrypted,
//! `docs/reference/formats.md` §5.
//!
//! - Plain: a JSON array of entries (`secret` base32 with `=` padding, `issuer`, `label`,
//!   `digits`, `type` TOTP/HOTP/STEAM, `algorithm`, `period` or `counter`, `tags`). Old files
//!   have no `issuer` and a label `Issuer - Account`, split on the first `" - "`.
//! - Encrypted: `int32 BE iterations ‖ salt[12] ‖ nonce[12] ‖ AES-256-GCM ct‖tag`, key
//!   PBKDF2-HMAC-SHA1(password, salt, iterations). The iteration count is bounded to
//!   1..=[`MAX_ITERATIONS`] before the KDF runs (Aegis' bound).
//! - Old encrypted: `nonce[12] ‖ ct‖tag` under SHA-256(password).
//!
//! The encrypted forms have no magic number, so [`AndOtp::detect`] claims only binary content
//! that is none of the known binary formats (images, archives, databases), and it is last in
//! the detection order. With a password, the current layout is tried first, then the old one;
//! when neither opens, the answer is [`FormatError::WrongPassword`].
//!
//! The conversion loses: `thumbnail`, `last_used` and `used_frequency`. Tags are kept.

use serde::Deserialize;
use sha2::Digest as _;
use zeroize::Zeroizing;

use crate::account::Kind;
use crate::formats::twofas::{
    algorithm_of, digits_of, entry_label, gcm_open, new_account, period_of,
};
use crate::formats::{
    check_entries, check_field, parse_json, trim_ascii_start, FormatError, Imported, Importer,
    Skipped,
};
use crate::secret::{SecretBytes, SecretString};

const FORMAT: &str = "andOTP";
/// Largest PBKDF2 iteration count accepted from a file (Aegis refuses more; andOTP writes
/// about 140 000–160 000). Fuzz builds (`cfg(fuzzing)`) accept at most 1 000, so that the fuzzers
/// are not slowed down by the KDF: andOTP encrypted is the fallback for unrecognised input.
pub const MAX_ITERATIONS: u32 = if crate::formats::FUZZING {
    1_000
} else {
    10_000_000
};
const SALT_LEN: usize = 12;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The andOTP importer.
pub struct AndOtp;

#[derive(Deserialize)]
struct Entry {
    secret: Option<String>,
    issuer: Option<String>,
    label: Option<String>,
    digits: Option<u64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    algorithm: Option<String>,
    period: Option<u64>,
    counter: Option<u64>,
    tags: Option<Vec<String>>,
}

impl Importer for AndOtp {
    fn id(&self) -> &'static str {
        "andotp"
    }
    fn name(&self) -> &'static str {
        FORMAT
    }
    fn detect(&self, input: &[u8]) -> bool {
        is_plain(input) || could_be_encrypted(input)
    }
    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        Ok(!looks_like_json_array(input))
    }
    fn import(
        &self,
        input: &[u8],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        if looks_like_json_array(input) {
            let entries: Vec<serde_json::Value> = parse_json(FORMAT, input)?;
            return convert(&entries, now);
        }
        let password = password.ok_or(FormatError::PasswordRequired { format: FORMAT })?;
        if input.len() < NONCE_LEN + TAG_LEN {
            return Err(FormatError::Malformed {
                format: FORMAT,
                reason: format!(
                    "encrypted file is {} bytes, expected at least {}",
                    input.len(),
                    NONCE_LEN + TAG_LEN
                ),
            });
        }
        let plaintext = open_current(input, password)
            .or_else(|| open_old(input, password))
            .ok_or(FormatError::WrongPassword { format: FORMAT })?;
        let entries: Vec<serde_json::Value> = parse_json(FORMAT, &plaintext)?;
        convert(&entries, now)
    }
}

fn looks_like_json_array(input: &[u8]) -> bool {
    trim_ascii_start(input).first() == Some(&b'[')
}

/// A JSON array whose first element has `secret`, `type` and `label` (formats.md §16).
fn is_plain(input: &[u8]) -> bool {
    if !looks_like_json_array(input) {
        return false;
    }
    match serde_json::from_slice::<Vec<serde_json::Value>>(input) {
        Ok(entries) => entries.first().is_some_and(|first| {
            ["secret", "type", "label"]
                .iter()
                .all(|k| first.get(k).is_some_and(|v| v.is_string()))
        }),
        Err(_) => false,
    }
}

/// Magic numbers of binary files that are certainly not andOTP backups: images (QR
/// screenshots), archives, databases, Java serialisation, age.
const OTHER_MAGICS: &[&[u8]] = &[
    b"\x89PNG",
    b"\xFF\xD8\xFF",
    b"GIF8",
    b"BM",
    b"RIFF",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1F\x8B",
    b"SQLite format 3\0",
    b"\xAC\xED",
    b"AUTHENTICATORPRO",
    b"AuthenticatorPro",
    b"age-encryption.org/",
    b"%PDF",
];

/// Binary content long enough for a nonce and a tag, that is not text and starts with none of
/// the magic numbers of other binary formats. andOTP ciphertext is indistinguishable from
/// random bytes, and random bytes are almost never valid UTF-8 text.
fn could_be_encrypted(input: &[u8]) -> bool {
    input.len() >= NONCE_LEN + TAG_LEN
        && !OTHER_MAGICS.iter().any(|m| input.starts_with(m))
        && std::str::from_utf8(input).is_err()
}

/// The current layout (formats.md §5). `None` when it does not open (or is not this layout).
fn open_current(input: &[u8], password: &SecretString) -> Option<Zeroizing<Vec<u8>>> {
    let (head, rest) = input.split_first_chunk::<4>()?;
    let iterations = u32::try_from(i32::from_be_bytes(*head)).ok()?;
    // Bound the KDF cost before running it.
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return None;
    }
    if rest.len() < SALT_LEN + NONCE_LEN + TAG_LEN {
        return None;
    }
    let (salt, rest) = rest.split_at(SALT_LEN);
    let (nonce, ct) = rest.split_at(NONCE_LEN);
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.expose().as_bytes(), salt, iterations, key.as_mut());
    gcm_open(key.as_ref(), nonce, ct, b"")
}

/// The old layout: key = SHA-256(password), `nonce ‖ ct‖tag`.
fn open_old(input: &[u8], password: &SecretString) -> Option<Zeroizing<Vec<u8>>> {
    let key = Zeroizing::new(<[u8; 32]>::from(sha2::Sha256::digest(
        password.expose().as_bytes(),
    )));
    let (nonce, ct) = input.split_at_checked(NONCE_LEN)?;
    gcm_open(key.as_ref(), nonce, ct, b"")
}

fn convert(entries: &[serde_json::Value], now: i64) -> Result<Imported, FormatError> {
    check_entries(FORMAT, entries.len())?;
    let mut imported = Imported::default();
    for (index, value) in entries.iter().enumerate() {
        match convert_one(value, now) {
            Ok(account) => imported.accounts.push(account),
            Err(reason) => imported.skipped.push(Skipped {
                index,
                label: raw_label(value),
                reason,
            }),
        }
    }
    Ok(imported)
}

fn raw_label(value: &serde_json::Value) -> String {
    let issuer = value.get("issuer").and_then(|v| v.as_str()).unwrap_or("");
    let label = value.get("label").and_then(|v| v.as_str()).unwrap_or("");
    entry_label(issuer, label)
}

fn convert_one(value: &serde_json::Value, now: i64) -> Result<crate::Account, String> {
    let entry = Entry::deserialize(value).map_err(|e| format!("unexpected field: {e}"))?;
    let secret = entry.secret.ok_or("no secret")?;
    let secret = SecretBytes::from_base32(&secret).map_err(|e| e.to_string())?;
    let label = entry.label.unwrap_or_default();
    let (issuer, name) = match entry.issuer {
        Some(issuer) => (issuer, label),
        // Old files: `Issuer - Account` in the label (formats.md §5).
        None => match label.split_once(" - ") {
            Some((issuer, name)) => (issuer.to_owned(), name.to_owned()),
            None => (String::new(), label),
        },
    };
    let kind = match entry
        .kind
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("TOTP") => Kind::Totp {
            period: period_of(entry.period)?,
        },
        Some("HOTP") => Kind::Hotp {
            counter: entry.counter.unwrap_or(0),
        },
        Some("STEAM") => Kind::Steam,
        Some(other) => {
            return Err(format!(
                "unknown type {:?}, expected TOTP, HOTP or STEAM",
                other.chars().take(20).collect::<String>()
            ))
        }
    };
    let algorithm = algorithm_of(entry.algorithm.as_deref())?;
    let digits = if kind == Kind::Steam {
        crate::Digits::SIX
    } else {
        digits_of(entry.digits)?
    };
    let tags = entry.tags.unwrap_or_default();
    for tag in &tags {
        check_field("tag", tag)?;
    }
    let mut account = new_account(&issuer, &name, secret, kind, algorithm, digits, now)?;
    account.tags = tags;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_leaves_text_and_images_to_others() {
        assert!(!AndOtp.detect(b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n"));
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend([0xFFu8; 64]);
        assert!(!AndOtp.detect(&png));
        assert!(AndOtp.detect(&[0xFFu8; 64]));
        assert!(!AndOtp.detect(&[0xFFu8; 27]));
    }

    #[test]
    fn huge_iteration_count_is_not_run() {
        // i32::MAX iterations: must be refused before PBKDF2, then fail as the old layout.
        let mut input = vec![0x7F, 0xFF, 0xFF, 0xFF];
        input.extend([0u8; 60]);
        let password = SecretString::new("test".into());
        let err = AndOtp.import(&input, Some(&password), 0).unwrap_err();
        assert_eq!(err, FormatError::WrongPassword { format: FORMAT });
    }

    #[test]
    fn old_label_is_split_on_dash() {
        let input = br#"[{"secret":"JBSWY3DPEHPK3PXP","label":"Deno - Deno:Mason","type":"TOTP"}]"#;
        let imported = AndOtp.import(input, None, 0).unwrap();
        assert_eq!(imported.accounts[0].issuer, "Deno");
        assert_eq!(imported.accounts[0].name, "Deno:Mason");
    }
}
