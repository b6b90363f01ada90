//! Google Authenticator's transfer payloads, `otpauth-migration://offline?data=<base64>`
//! (`docs/reference/formats.md` §2): [`decode`] one QR code's URI into accounts, [`encode`]
//! accounts into URIs that Google Authenticator imports.
//!
//! Collecting the batches of one export (same `batch_id`, `batch_index` 0..`batch_size`) is
//! left to the caller: each URI decodes on its own into a [`MigrationBatch`].
//!
//! Decoding rules (formats.md §2):
//! - `data` is percent-decoded only, never form-decoded: a raw `+` is base64, not a space
//!   (scito's `test_plus_problem_export.txt`). A space (left by a form-decoding QR reader) is
//!   read back as `+`. Missing `=` padding and the URL-safe alphabet are accepted.
//! - Unknown protobuf fields and `version` > 1 are accepted; `batch_id` is a signed int32.
//! - digits UNSPECIFIED/SIX → 6, EIGHT → 8; algorithm UNSPECIFIED/SHA1 → SHA-1, SHA256,
//!   SHA512; MD5 is unsupported; type UNSPECIFIED/TOTP → TOTP, HOTP → HOTP. The period is
//!   always 30 s (the payload has no period field).
//! - Names: when `issuer` is set and `name` starts with `"<issuer>:"`, that prefix (and the
//!   spaces after it) is removed. When `issuer` is empty the name is kept whole, colon and
//!   all, as scito's reference output does (`encoding: ¿äÄéÉ? (demo)`).
//! - One bad entry never sinks the batch: it is reported in [`MigrationBatch::skipped`].
//! - Bounds (security.md I1): URIs over [`MAX_URI_LEN`] bytes and payloads with more than
//!   [`MAX_ENTRIES`] entries are rejected; entries with a name or issuer over 4 KiB or a secret
//!   over [`crate::otp::MAX_SECRET_LEN`] are skipped.
//!
//! Encoding writes `version` 1 and at most [`ACCOUNTS_PER_BATCH`] accounts per URI, like
//! Google Authenticator. What the payload cannot express is an error naming the account:
//! Steam, 7 digits, and TOTP periods other than 30 s (Google Authenticator would compute wrong
//! codes for them), and HOTP counters above `i64::MAX`.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use prost::Message as _;
use zeroize::{Zeroize, Zeroizing};

use crate::account::{Account, Algorithm, Digits, Kind, Period};
use crate::secret::{SecretBytes, SecretString};
use crate::uri::MAX_FIELD_LEN;

/// Longest URI accepted, in bytes.
pub const MAX_URI_LEN: usize = 64 * 1024;

/// Most entries accepted in one payload (security.md I1).
pub const MAX_ENTRIES: usize = 10_000;

/// Accounts per URI when encoding, as Google Authenticator does.
pub const ACCOUNTS_PER_BATCH: usize = 10;

const PREFIX: &str = "otpauth-migration://";

/// Why a migration URI could not be decoded, or accounts could not be encoded.
/// Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    /// Not an otpauth-migration URI.
    #[error("not an otpauth-migration://offline URI")]
    Scheme,
    /// The URI is longer than [`MAX_URI_LEN`].
    #[error("migration uri is {len} bytes long, expected at most {max}")]
    TooLong {
        /// The URI's length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// There is no `data` parameter, or it is empty.
    #[error("missing data parameter, expected otpauth-migration://offline?data=<base64>")]
    MissingData,
    /// `data` is not base64.
    #[error("data is not valid base64: {reason}")]
    Base64 {
        /// The decoder's message (positions and lengths only).
        reason: String,
    },
    /// `data` is base64 but not a migration payload.
    #[error("data is not a valid migration payload: {reason}")]
    Protobuf {
        /// The protobuf decoder's message.
        reason: String,
    },
    /// More than [`MAX_ENTRIES`] entries.
    #[error("payload has {count} entries, expected at most {max}")]
    TooManyEntries {
        /// The number of entries.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An account cannot be expressed in a Google Authenticator payload.
    #[error("cannot export {account:?} to google authenticator: {reason}")]
    Unsupported {
        /// The account's label ([`Account::label`]).
        account: String,
        /// What Google Authenticator lacks.
        reason: String,
    },
}

/// The accounts of one migration URI (one QR code) and what could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationBatch {
    /// The converted accounts, in payload order.
    pub accounts: Vec<Account>,
    /// Entries that could not be converted.
    pub skipped: Vec<Skipped>,
    /// Payload `version` (1, sometimes 2).
    pub version: i32,
    /// Number of URIs in the export (0 when the payload omits it).
    pub batch_size: i32,
    /// This URI's position in the export, from 0 (0 when the payload omits it).
    pub batch_index: i32,
    /// Identifier shared by the URIs of one export; usually negative.
    pub batch_id: i32,
}

/// A payload entry that could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Position of the entry in the payload, from 0.
    pub index: usize,
    /// The entry's label (`issuer (name)`), never its secret.
    pub label: String,
    /// Why it was skipped.
    pub reason: String,
}

/// `google_auth.proto`'s `MigrationPayload` (Aegis; formats.md §2).
#[derive(Clone, PartialEq, prost::Message)]
struct Payload {
    #[prost(message, repeated, tag = "1")]
    otp_parameters: Vec<OtpParameters>,
    #[prost(int32, tag = "2")]
    version: i32,
    #[prost(int32, tag = "3")]
    batch_size: i32,
    #[prost(int32, optional, tag = "4")]
    batch_index: Option<i32>,
    #[prost(int32, tag = "5")]
    batch_id: i32,
}

/// `MigrationPayload.OtpParameters`. Its secret is wiped on drop and kept out of `Debug`.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
struct OtpParameters {
    #[prost(bytes = "vec", tag = "1")]
    secret: Vec<u8>,
    #[prost(string, tag = "2")]
    name: String,
    #[prost(string, tag = "3")]
    issuer: String,
    #[prost(int32, tag = "4")]
    algorithm: i32,
    #[prost(int32, tag = "5")]
    digits: i32,
    #[prost(int32, tag = "6")]
    kind: i32,
    #[prost(int64, tag = "7")]
    counter: i64,
}

impl Drop for OtpParameters {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl std::fmt::Debug for OtpParameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpParameters")
            .field("secret", &"[REDACTED]")
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

// Enum values of google_auth.proto.
const ALGORITHM_UNSPECIFIED: i32 = 0;
const ALGORITHM_SHA1: i32 = 1;
const ALGORITHM_SHA256: i32 = 2;
const ALGORITHM_SHA512: i32 = 3;
const ALGORITHM_MD5: i32 = 4;
const DIGITS_UNSPECIFIED: i32 = 0;
const DIGITS_SIX: i32 = 1;
const DIGITS_EIGHT: i32 = 2;
const TYPE_UNSPECIFIED: i32 = 0;
const TYPE_HOTP: i32 = 1;
const TYPE_TOTP: i32 = 2;

/// Whether `s` (after trimming whitespace) starts with `otpauth-migration://`, case-insensitively.
pub fn is_migration_uri(s: &str) -> bool {
    let s = s.trim_start();
    s.get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

/// Lenient standard base64: padding optional (real payloads drop it).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes one `otpauth-migration://offline?data=…` URI. Accounts get fresh ids and
/// `created_at` = `now` (unix seconds). Surrounding whitespace is ignored.
///
/// # Errors
/// [`MigrationError::Scheme`] for another scheme or host, [`MigrationError::MissingData`],
/// [`MigrationError::Base64`], [`MigrationError::Protobuf`], or a size limit. Entries that
/// cannot be converted are not errors: they are listed in [`MigrationBatch::skipped`].
pub fn decode(uri: &str, now: i64) -> Result<MigrationBatch, MigrationError> {
    let uri = uri.trim();
    if uri.len() > MAX_URI_LEN {
        return Err(MigrationError::TooLong {
            len: uri.len(),
            max: MAX_URI_LEN,
        });
    }
    if !is_migration_uri(uri) {
        return Err(MigrationError::Scheme);
    }
    let rest = &uri[PREFIX.len()..];
    let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !host.trim_end_matches('/').eq_ignore_ascii_case("offline") {
        return Err(MigrationError::Scheme);
    }
    let data = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("data="))
        .filter(|d| !d.is_empty())
        .ok_or(MigrationError::MissingData)?;
    let data = data.split_once('#').map_or(data, |(d, _)| d);

    // Percent-decode only (formats.md §2); then undo what a form-decoder or a URL-safe
    // encoder may have done, and drop padding and line breaks.
    let mut b64 = Zeroizing::new(percent_decode_str(data).collect::<Vec<u8>>());
    b64.retain(|b| !matches!(b, b'=' | b'\n' | b'\r' | b'\t'));
    for b in b64.iter_mut() {
        *b = match *b {
            b' ' | b'-' => b'+',
            b'_' => b'/',
            other => other,
        };
    }
    let bytes = Zeroizing::new(BASE64.decode(&*b64).map_err(|e| MigrationError::Base64 {
        reason: e.to_string(),
    })?);
    let mut payload = Payload::decode(bytes.as_slice()).map_err(|e| MigrationError::Protobuf {
        reason: e.to_string(),
    })?;
    if payload.otp_parameters.len() > MAX_ENTRIES {
        return Err(MigrationError::TooManyEntries {
            count: payload.otp_parameters.len(),
            max: MAX_ENTRIES,
        });
    }

    let mut accounts = Vec::with_capacity(payload.otp_parameters.len());
    let mut skipped = Vec::new();
    for (index, params) in payload.otp_parameters.iter_mut().enumerate() {
        match convert(params, now) {
            Ok(account) => accounts.push(account),
            Err(reason) => skipped.push(Skipped {
                index,
                label: entry_label(params),
                reason,
            }),
        }
    }
    Ok(MigrationBatch {
        accounts,
        skipped,
        version: payload.version,
        batch_size: payload.batch_size,
        batch_index: payload.batch_index.unwrap_or(0),
        batch_id: payload.batch_id,
    })
}

/// A label for a skipped entry, bounded so a huge field cannot flood a message.
fn entry_label(p: &OtpParameters) -> String {
    let short = |s: &str| s.chars().take(128).collect::<String>();
    match (p.issuer.is_empty(), p.name.is_empty()) {
        (false, false) => format!("{} ({})", short(&p.issuer), short(&p.name)),
        (false, true) => short(&p.issuer),
        (true, false) => short(&p.name),
        (true, true) => "(unnamed)".to_owned(),
    }
}

/// Converts one entry; `Err` is the reason it is skipped. Takes the secret out of `p`.
fn convert(p: &mut OtpParameters, now: i64) -> Result<Account, String> {
    if p.secret.is_empty() {
        return Err("secret is empty".to_owned());
    }
    if p.secret.len() > crate::otp::MAX_SECRET_LEN {
        return Err(format!(
            "secret is {} bytes long, expected at most {}",
            p.secret.len(),
            crate::otp::MAX_SECRET_LEN
        ));
    }
    for (field, value) in [("issuer", &p.issuer), ("name", &p.name)] {
        if value.len() > MAX_FIELD_LEN {
            return Err(format!(
                "{field} is {} bytes long, expected at most {MAX_FIELD_LEN}",
                value.len()
            ));
        }
    }
    let algorithm = match p.algorithm {
        ALGORITHM_UNSPECIFIED | ALGORITHM_SHA1 => Algorithm::Sha1,
        ALGORITHM_SHA256 => Algorithm::Sha256,
        ALGORITHM_SHA512 => Algorithm::Sha512,
        ALGORITHM_MD5 => return Err("algorithm md5 is not supported".to_owned()),
        other => return Err(format!("unknown algorithm {other}, expected 0 to 3")),
    };
    let digits = match p.digits {
        DIGITS_UNSPECIFIED | DIGITS_SIX => Digits::SIX,
        DIGITS_EIGHT => Digits::EIGHT,
        other => return Err(format!("unknown digit count {other}, expected 0 to 2")),
    };
    let kind = match p.kind {
        TYPE_UNSPECIFIED | TYPE_TOTP => Kind::Totp {
            period: Period::THIRTY,
        },
        TYPE_HOTP => Kind::Hotp {
            counter: u64::try_from(p.counter)
                .map_err(|_| format!("hotp counter {} is negative", p.counter))?,
        },
        other => return Err(format!("unknown otp type {other}, expected 0 to 2")),
    };
    let issuer = p.issuer.clone();
    let name = match p
        .name
        .strip_prefix(issuer.as_str())
        .and_then(|r| r.strip_prefix(':'))
    {
        Some(rest) if !issuer.is_empty() => rest.trim_start_matches(' ').to_owned(),
        _ => p.name.clone(),
    };
    let secret = SecretBytes::new(std::mem::take(&mut p.secret));
    let mut account = Account::new(issuer, name, secret, kind, now);
    account.algorithm = algorithm;
    account.digits = digits;
    Ok(account)
}

fn unsupported(account: &Account, reason: impl Into<String>) -> MigrationError {
    MigrationError::Unsupported {
        account: account.label(),
        reason: reason.into(),
    }
}

/// Converts one account to a payload entry, or says why Google Authenticator cannot hold it.
fn entry(account: &Account) -> Result<OtpParameters, MigrationError> {
    let (kind, counter) = match account.kind {
        Kind::Totp { period } if period == Period::THIRTY => (TYPE_TOTP, 0),
        Kind::Totp { period } => {
            return Err(unsupported(
                account,
                format!("period is {} s, expected 30 s", period.seconds()),
            ))
        }
        Kind::Hotp { counter } => (
            TYPE_HOTP,
            i64::try_from(counter).map_err(|_| {
                unsupported(account, format!("counter {counter} exceeds {}", i64::MAX))
            })?,
        ),
        Kind::Steam => return Err(unsupported(account, "steam guard codes are not supported")),
    };
    let digits = match account.digits.get() {
        6 => DIGITS_SIX,
        8 => DIGITS_EIGHT,
        d => return Err(unsupported(account, format!("{d} digits, expected 6 or 8"))),
    };
    let algorithm = match account.algorithm {
        Algorithm::Sha1 => ALGORITHM_SHA1,
        Algorithm::Sha256 => ALGORITHM_SHA256,
        Algorithm::Sha512 => ALGORITHM_SHA512,
    };
    // A name that itself starts with "<issuer>:" gets the prefix written explicitly, so that
    // decoding (which strips one such prefix) gives it back unchanged.
    let name = if !account.issuer.is_empty()
        && account
            .name
            .strip_prefix(account.issuer.as_str())
            .is_some_and(|r| r.starts_with(':'))
    {
        format!("{}:{}", account.issuer, account.name)
    } else {
        account.name.clone()
    };
    Ok(OtpParameters {
        secret: account.secret.expose().to_vec(),
        name,
        issuer: account.issuer.clone(),
        algorithm,
        digits,
        kind,
        counter,
    })
}

/// Encodes `accounts` as Google Authenticator transfer URIs, [`ACCOUNTS_PER_BATCH`] per URI,
/// all sharing `batch_id` (`version` 1, `batch_size` = number of URIs, `batch_index` 0..).
/// An empty slice gives no URIs. The URIs contain the secrets, hence [`SecretString`].
///
/// # Errors
/// [`MigrationError::Unsupported`] naming the first account Google Authenticator cannot hold
/// (Steam, 7 digits, a period other than 30 s, an HOTP counter over `i64::MAX`).
pub fn encode(accounts: &[&Account], batch_id: i32) -> Result<Vec<SecretString>, MigrationError> {
    let entries = accounts
        .iter()
        .map(|a| entry(a))
        .collect::<Result<Vec<_>, _>>()?;
    let chunks: Vec<&[OtpParameters]> = entries.chunks(ACCOUNTS_PER_BATCH).collect();
    // At most 1 + len / 10 chunks; a slice that long would not fit in memory before i32 overflows.
    let batch_size = i32::try_from(chunks.len()).unwrap_or(i32::MAX);
    let mut uris = Vec::with_capacity(chunks.len());
    for (index, chunk) in chunks.into_iter().enumerate() {
        let payload = Payload {
            otp_parameters: chunk.to_vec(),
            version: 1,
            batch_size,
            batch_index: Some(i32::try_from(index).unwrap_or(i32::MAX)),
            batch_id,
        };
        let bytes = Zeroizing::new(payload.encode_to_vec());
        let b64 = Zeroizing::new(STANDARD.encode(&*bytes));
        // Percent-encode `+`, `/` and `=` (formats.md §2: most exports do).
        let mut uri = Zeroizing::new(String::with_capacity(40 + 3 * b64.len()));
        uri.push_str("otpauth-migration://offline?data=");
        for part in utf8_percent_encode(&b64, NON_ALPHANUMERIC) {
            uri.push_str(part);
        }
        uris.push(SecretString::new(std::mem::take(&mut *uri)));
    }
    Ok(uris)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload_uri(payload: &Payload) -> String {
        let b64 = STANDARD.encode(payload.encode_to_vec());
        format!(
            "otpauth-migration://offline?data={}",
            utf8_percent_encode(&b64, NON_ALPHANUMERIC)
        )
    }

    fn params(name: &str, issuer: &str) -> OtpParameters {
        OtpParameters {
            secret: b"1234567890".to_vec(),
            name: name.into(),
            issuer: issuer.into(),
            algorithm: ALGORITHM_SHA1,
            digits: DIGITS_SIX,
            kind: TYPE_TOTP,
            counter: 0,
        }
    }

    #[test]
    fn recognises_migration_uris() {
        assert!(is_migration_uri(" OTPAUTH-MIGRATION://offline?data=x"));
        assert!(!is_migration_uri("otpauth://totp/x"));
        assert!(!is_migration_uri(
            "QR-Code:otpauth-migration://offline?data=x"
        ));
        assert!(!is_migration_uri("otpauth-migrati"));
    }

    #[test]
    fn each_error_is_specific() {
        assert_eq!(decode("otpauth://totp/x", 0), Err(MigrationError::Scheme));
        assert_eq!(
            decode("otpauth-migration://online?data=AA", 0),
            Err(MigrationError::Scheme)
        );
        assert_eq!(
            decode("otpauth-migration://offline?foo=1", 0),
            Err(MigrationError::MissingData)
        );
        assert_eq!(
            decode("otpauth-migration://offline?data=", 0),
            Err(MigrationError::MissingData)
        );
        assert!(matches!(
            decode("otpauth-migration://offline?data=%%%", 0),
            Err(MigrationError::Base64 { .. })
        ));
        assert!(matches!(
            decode("otpauth-migration://offline?data=XXXX", 0),
            Err(MigrationError::Protobuf { .. })
        ));
        let long = format!(
            "otpauth-migration://offline?data={}",
            "A".repeat(MAX_URI_LEN)
        );
        assert!(matches!(
            decode(&long, 0),
            Err(MigrationError::TooLong { .. })
        ));
    }

    #[test]
    fn rejects_too_many_entries() {
        // Empty entries are 2 bytes each, so 10,001 of them fit in a URI under the length limit.
        let payload = Payload {
            otp_parameters: (0..=MAX_ENTRIES)
                .map(|_| OtpParameters::default())
                .collect(),
            ..Payload::default()
        };
        let uri = payload_uri(&payload);
        assert!(uri.len() < MAX_URI_LEN);
        assert_eq!(
            decode(&uri, 0),
            Err(MigrationError::TooManyEntries {
                count: MAX_ENTRIES + 1,
                max: MAX_ENTRIES
            })
        );
    }

    #[test]
    fn maps_enums_and_skips_bad_entries() {
        let mut md5 = params("md5", "X");
        md5.algorithm = ALGORITHM_MD5;
        let mut neg = params("neg", "");
        neg.kind = TYPE_HOTP;
        neg.counter = -5;
        let mut empty = params("empty", "");
        empty.secret.clear();
        let mut unspecified = params("u", "");
        unspecified.algorithm = ALGORITHM_UNSPECIFIED;
        unspecified.digits = DIGITS_UNSPECIFIED;
        unspecified.kind = TYPE_UNSPECIFIED;
        let mut eight = params("e", "");
        eight.algorithm = ALGORITHM_SHA512;
        eight.digits = DIGITS_EIGHT;
        eight.kind = TYPE_HOTP;
        eight.counter = 42;
        let mut weird = params("w", "");
        weird.digits = 3;
        let payload = Payload {
            otp_parameters: vec![md5, unspecified, neg, eight, empty, weird],
            version: 2,
            batch_size: 1,
            batch_index: None,
            batch_id: -171_198_419,
        };
        let batch = decode(&payload_uri(&payload), 5).unwrap();
        assert_eq!(batch.version, 2);
        assert_eq!(batch.batch_id, -171_198_419);
        assert_eq!(batch.batch_index, 0);
        assert_eq!(batch.accounts.len(), 2);
        let u = &batch.accounts[0];
        assert_eq!(
            (u.algorithm, u.digits, u.kind),
            (
                Algorithm::Sha1,
                Digits::SIX,
                Kind::Totp {
                    period: Period::THIRTY
                }
            )
        );
        assert_eq!(u.created_at, 5);
        let e = &batch.accounts[1];
        assert_eq!(
            (e.algorithm, e.digits, e.kind),
            (Algorithm::Sha512, Digits::EIGHT, Kind::Hotp { counter: 42 })
        );
        let reasons: Vec<(usize, &str, &str)> = batch
            .skipped
            .iter()
            .map(|s| (s.index, s.label.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (0, "X (md5)", "algorithm md5 is not supported"),
                (2, "neg", "hotp counter -5 is negative"),
                (4, "empty", "secret is empty"),
                (5, "w", "unknown digit count 3, expected 0 to 2"),
            ]
        );
    }

    #[test]
    fn name_prefix_rules() {
        let payload = Payload {
            otp_parameters: vec![
                params("ACME Co:john", "ACME Co"),
                params("ACME Co: john", "ACME Co"),
                params("Other:john", "ACME"),
                params("enc: x", ""),
            ],
            ..Payload::default()
        };
        let batch = decode(&payload_uri(&payload), 0).unwrap();
        let names: Vec<(&str, &str)> = batch
            .accounts
            .iter()
            .map(|a| (a.issuer.as_str(), a.name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("ACME Co", "john"),
                ("ACME Co", "john"),
                ("ACME", "Other:john"),
                ("", "enc: x"),
            ]
        );
    }

    #[test]
    fn accepts_raw_plus_spaces_and_missing_padding() {
        let mut entry = params("a", "");
        // Bytes chosen so the base64 has `+` and padding (raw `/` is in the interop fixtures).
        entry.secret = vec![0xf8, 0x3e, 0xfb, 0xef];
        let payload = Payload {
            otp_parameters: vec![entry],
            ..Payload::default()
        };
        let b64 = STANDARD.encode(payload.encode_to_vec());
        assert!(b64.contains('+') && b64.ends_with('='), "{b64}");
        for data in [
            b64.clone(),
            b64.trim_end_matches('=').to_owned(),
            b64.replace('+', " "),
            b64.replace('+', "%2B").replace('/', "%2F"),
        ] {
            let batch = decode(&format!("otpauth-migration://offline?data={data}"), 0).unwrap();
            assert_eq!(
                batch.accounts[0].secret.expose(),
                &[0xf8, 0x3e, 0xfb, 0xef],
                "{data}"
            );
        }
    }

    #[test]
    fn encode_rejects_what_google_authenticator_cannot_hold() {
        let secret = || SecretBytes::from_slice(b"1234567890");
        let steam = Account::new("Valve", "gaben", secret(), Kind::Steam, 0);
        let mut seven = Account::new(
            "A",
            "b",
            secret(),
            Kind::Totp {
                period: Period::THIRTY,
            },
            0,
        );
        seven.digits = Digits::new(7).unwrap();
        let sixty = Account::new(
            "C",
            "d",
            secret(),
            Kind::Totp {
                period: Period::new(60).unwrap(),
            },
            0,
        );
        let big = Account::new("E", "f", secret(), Kind::Hotp { counter: u64::MAX }, 0);
        for (account, reason) in [
            (&steam, "steam guard codes are not supported"),
            (&seven, "7 digits, expected 6 or 8"),
            (&sixty, "period is 60 s, expected 30 s"),
            (
                &big,
                "counter 18446744073709551615 exceeds 9223372036854775807",
            ),
        ] {
            assert_eq!(
                encode(&[account], 1),
                Err(MigrationError::Unsupported {
                    account: account.label(),
                    reason: reason.into()
                })
            );
        }
        assert_eq!(encode(&[], 1), Ok(vec![]));
    }

    #[test]
    fn encode_splits_into_batches_of_ten() {
        let accounts: Vec<Account> = (0..23)
            .map(|i| {
                Account::new(
                    "ACME",
                    format!("user{i}"),
                    SecretBytes::from_slice(&[i as u8 + 1; 10]),
                    Kind::Totp {
                        period: Period::THIRTY,
                    },
                    0,
                )
            })
            .collect();
        let refs: Vec<&Account> = accounts.iter().collect();
        let uris = encode(&refs, -7).unwrap();
        assert_eq!(uris.len(), 3);
        let mut names = Vec::new();
        for (i, uri) in uris.iter().enumerate() {
            let batch = decode(uri.expose(), 0).unwrap();
            assert_eq!(
                (
                    batch.version,
                    batch.batch_size,
                    batch.batch_index,
                    batch.batch_id
                ),
                (1, 3, i as i32, -7)
            );
            names.extend(batch.accounts.into_iter().map(|a| a.name));
        }
        let expected: Vec<String> = (0..23).map(|i| format!("user{i}")).collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn debug_of_an_entry_is_redacted() {
        let p = params("n", "i");
        assert!(!format!("{p:?}").contains("49, 50"));
        assert!(format!("{p:?}").contains("REDACTED"));
    }

    proptest::proptest! {
        #[test]
        fn decode_never_panics(s in "\\PC*") {
            let _ = decode(&s, 0);
        }

        #[test]
        fn decode_never_panics_on_random_payloads(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let b64 = STANDARD.encode(&bytes);
            let _ = decode(&format!("otpauth-migration://offline?data={b64}"), 0);
        }
    }
}
