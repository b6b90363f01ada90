//! Google Authenticator transfer (`docs/reference/formats.md` §2): `otpauth-migration://`
//! URIs as text, one per line, or the transfer QR codes as an image (PNG, JPEG, WebP, GIF,
//! BMP), and QR codes for a phone to scan.
//!
//! Reading: each payload is decoded by [`crate::migration::decode`] (plain `otpauth://`
//! payloads are read too, so a screenshot of a single account's QR code also imports). Text
//! lines follow the URI list's rules ([`super::uris`]: `#` comments, blank lines, one skipped
//! entry per unreadable line). Google Authenticator splits large exports into batches of
//! about ten accounts, one QR code each; every batch index of an export that is not in the
//! file gives a warning ("batch 2 of 3 is missing: scan the remaining QR codes"), and a batch
//! read twice is imported once. Detection accepts text whose first line is a migration URI,
//! and any image by its magic bytes alone (decoding a picture twice would double a cost of up
//! to seconds; an image without an OTP QR code is refused by the import with a clear error).
//!
//! Writing: [`crate::migration::encode`] batches (ten accounts each, one shared random
//! `batch_id`), one PNG per batch ([`payloads`] gives the URIs for the app to show one after
//! another). The payload has no period field and only 6 or 8 digits: Steam accounts, 7-digit
//! accounts and periods other than 30 s are refused with an error naming the account, rather
//! than moved to a phone that would show wrong codes. Notes, tags, favourite, icon hints,
//! recovery codes, the manual order and the dates are lost.

use zeroize::Zeroizing;

use crate::account::Account;
use crate::formats::uris::{first_line, starts_with_ignore_case, utf8_text, LineReader};
use crate::formats::{ExportFile, Exporter, FormatError, Imported, Importer, OTPAUTH_LOSES};
use crate::migration::{self, MigrationError};
use crate::qr::{self, QrError};
use crate::secret::SecretString;

const NAME: &str = "Google Authenticator transfer";
const EXPORT_NAME: &str = "Google Authenticator transfer QR codes";

/// Pixels per QR module in exported PNGs: about 800 px for a full batch, easy for a phone.
const PNG_SCALE: u32 = 8;

/// The Google Authenticator transfer importer (migration URIs as text, or QR images).
pub struct GoogleTransfer;

impl Importer for GoogleTransfer {
    fn id(&self) -> &'static str {
        "google"
    }
    fn name(&self) -> &'static str {
        NAME
    }
    fn detect(&self, input: &[u8]) -> bool {
        is_image(input)
            || first_line(input)
                .is_some_and(|l| starts_with_ignore_case(l, b"otpauth-migration://"))
    }
    fn is_encrypted(&self, _input: &[u8]) -> Result<bool, FormatError> {
        Ok(false)
    }
    fn import(
        &self,
        input: &[u8],
        _password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        let mut reader = LineReader::new(NAME, now);
        if is_image(input) {
            let payloads = qr::decode_image_bytes(input).map_err(qr_error)?;
            let otp: Vec<&String> = payloads
                .iter()
                .filter(|p| {
                    migration::is_migration_uri(p)
                        || starts_with_ignore_case(p.trim_start().as_bytes(), b"otpauth://")
                })
                .collect();
            if otp.is_empty() {
                return Err(FormatError::Unrecognized {
                    hint: Some(
                        "the image's QR code is not an otpauth:// or otpauth-migration:// code"
                            .to_owned(),
                    ),
                });
            }
            for (index, payload) in otp.into_iter().enumerate() {
                reader.read_payload(index, payload.trim(), "QR code");
            }
            // The decoded texts hold secrets.
            for mut p in payloads {
                crate::secret::wipe(&mut p);
            }
        } else {
            reader.read_text(utf8_text(NAME, input)?)?;
        }
        reader.finish()
    }
}

/// Whether the bytes start like an image file the QR module reads.
fn is_image(input: &[u8]) -> bool {
    input.starts_with(b"\x89PNG\r\n\x1a\n")
        || input.starts_with(b"\xFF\xD8\xFF")
        || input.starts_with(b"GIF87a")
        || input.starts_with(b"GIF89a")
        || (input.starts_with(b"RIFF") && input.get(8..12) == Some(b"WEBP"))
        || is_bmp(input)
}

/// "BM" alone starts too much text: also require a known DIB header size (BITMAPCOREHEADER
/// 12 to BITMAPV5HEADER 124 bytes) at offset 14.
fn is_bmp(input: &[u8]) -> bool {
    let dib = input
        .get(14..18)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes);
    input.starts_with(b"BM") && matches!(dib, Some(12 | 40 | 52 | 56 | 64 | 108 | 124))
}

fn qr_error(e: QrError) -> FormatError {
    match e {
        QrError::TooLarge { .. } | QrError::Dimensions { .. } => FormatError::Limit {
            format: NAME,
            reason: e.to_string(),
        },
        QrError::NotFound => FormatError::Unrecognized {
            hint: Some("no readable QR code found in the image".to_owned()),
        },
        other => FormatError::Malformed {
            format: NAME,
            reason: other.to_string(),
        },
    }
}

/// The Google Authenticator transfer QR codes exporter: one PNG per batch of ten accounts.
pub struct GoogleQrExporter;

impl Exporter for GoogleQrExporter {
    fn id(&self) -> &'static str {
        "google-qr"
    }
    fn name(&self) -> &'static str {
        EXPORT_NAME
    }
    fn encrypted(&self) -> bool {
        false
    }
    fn loses(&self) -> &'static [&'static str] {
        OTPAUTH_LOSES
    }
    fn exposes(&self) -> &'static str {
        "every account's secret, issuer and name, to anyone who sees or scans the QR codes"
    }
    fn export(
        &self,
        accounts: &[Account],
        _password: Option<&SecretString>,
        _now: i64,
    ) -> Result<Vec<ExportFile>, FormatError> {
        let uris = payloads(accounts)?;
        let several = uris.len() > 1;
        let mut files = Vec::with_capacity(uris.len());
        for (i, uri) in uris.iter().enumerate() {
            let png = qr::encode_png(uri.expose(), PNG_SCALE).map_err(|e| FormatError::Export {
                format: EXPORT_NAME,
                reason: e.to_string(),
            })?;
            files.push(ExportFile {
                suffix: if several {
                    format!("-{}.png", i + 1)
                } else {
                    ".png".to_owned()
                },
                bytes: Zeroizing::new(png),
            });
        }
        Ok(files)
    }
}

/// The transfer URIs for `accounts`, ten accounts each, sharing one random `batch_id`: what
/// the app shows as QR codes one after another. They contain the secrets.
///
/// # Errors
/// [`FormatError::Export`] when there is no account, or naming the first account Google
/// Authenticator cannot hold (Steam, 7 digits, a period other than 30 s, a counter over
/// `i64::MAX`).
pub fn payloads(accounts: &[Account]) -> Result<Vec<SecretString>, FormatError> {
    if accounts.is_empty() {
        return Err(FormatError::Export {
            format: EXPORT_NAME,
            reason: "no accounts to export".to_owned(),
        });
    }
    let mut id = [0u8; 4];
    getrandom::fill(&mut id).map_err(|e| FormatError::Export {
        format: EXPORT_NAME,
        reason: format!("no randomness for the batch id: {e}"),
    })?;
    let refs: Vec<&Account> = accounts.iter().collect();
    migration::encode(&refs, i32::from_le_bytes(id)).map_err(|e| FormatError::Export {
        format: EXPORT_NAME,
        reason: match e {
            MigrationError::Unsupported { account, reason } => format!("{account:?}: {reason}"),
            other => other.to_string(),
        },
    })
}
