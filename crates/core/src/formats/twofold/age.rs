//! age v1 in passphrase mode (one scrypt stanza) for backups: encryption with work factor
//! 2^[`WORK_FACTOR`], decryption of binary and ASCII-armored files that refuses work factors
//! above 2^[`MAX_WORK_FACTOR`] before running scrypt, and errors that tell a damaged file from
//! another age version (issue 17).

use std::io::{Read, Write};

use zeroize::Zeroizing;

use super::document::SecureBuf;
use super::{AGE_ARMOR_BEGIN, AGE_MAGIC, FORMAT_NAME, MAX_WORK_FACTOR, WORK_FACTOR};
use crate::formats::{FormatError, MAX_FILE_BYTES};
use crate::secret::SecretString;

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
    if !super::is_age(file) {
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
        if out.len() + n > MAX_FILE_BYTES {
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
