//! Intake: turning what a user pastes, scans, types or picks into accounts, once for both
//! front ends (issue 10 §2, docs/reference/STYLE.md §10). The app's add dialog and import screen
//! and the CLI's `add`, `scan --add` and `import` all call these functions, so a link, a QR code, a
//! typed key or a file gives the same accounts and the same messages whichever front end
//! reads it. Merging the result into the vault is [`crate::merge`]'s.
//!
//! - [`texts`]: `otpauth://` and `otpauth-migration://` payloads (pasted lines, QR codes):
//!   every usable account, once, and a message for everything that was not used.
//! - [`manual`]: the fields of the "enter a key" form / `add --secret`.
//! - [`file`]: another app's export: format detection (or the format named), whether it needs
//!   a password, and the conversion.
//!
//! Messages never quote a payload or a secret: a payload may be anything, a password included.

use crate::account::{check_len, limits, Account, Algorithm, Digits, FieldError, Kind, Period};
use crate::formats::{self, FormatError, Imported, Importer};
use crate::secret::{SecretBytes, SecretString};
use crate::{migration, otp, uri};

/// What payload texts are, for messages: "the link", "QR code 2".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Pasted or typed links.
    Link,
    /// Decoded QR codes.
    QrCode,
    /// URIs given on a command line.
    Uri,
}

impl Source {
    fn noun(self) -> &'static str {
        match self {
            Source::Link => "link",
            Source::QrCode => "QR code",
            Source::Uri => "URI",
        }
    }
}

/// The accounts found in some payloads, and what could not be used.
#[derive(Debug, Default)]
pub struct Intake {
    /// Usable accounts (each computes a code), in payload order, each token once.
    pub accounts: Vec<Account>,
    /// Why a payload or an entry of it was not used (one line each).
    pub problems: Vec<String>,
    /// Things to tell the user that lost nothing (a Google export batch that has more parts).
    pub warnings: Vec<String>,
}

impl Intake {
    /// Warnings, then problems: every message, for a front end that shows them together.
    pub fn messages(&self) -> Vec<String> {
        self.warnings
            .iter()
            .chain(self.problems.iter())
            .cloned()
            .collect()
    }
}

/// Whether `text` starts with `otpauth://`, in any case (formats.md §1: schemes are
/// case-insensitive).
pub fn is_otpauth_uri(text: &str) -> bool {
    text.trim_start()
        .get(..10)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth://"))
}

/// Whether `text` is a payload [`texts`] can use: an `otpauth://` or
/// `otpauth-migration://` link.
pub fn is_otp_payload(text: &str) -> bool {
    is_otpauth_uri(text) || migration::is_migration_uri(text)
}

/// Reads `otpauth://` and `otpauth-migration://` payloads into accounts. `now` stamps the
/// accounts (unix seconds). Blank payloads are ignored. An account that cannot compute a code,
/// or whose token an earlier account of the same payloads has, is left out (the former with a
/// problem message).
pub fn texts<S: AsRef<str>>(payloads: &[S], source: Source, now: i64) -> Intake {
    let mut out = Intake::default();
    let payloads: Vec<&str> = payloads
        .iter()
        .map(|p| p.as_ref().trim())
        .filter(|p| !p.is_empty())
        .collect();
    let many = payloads.len() > 1;
    for (i, text) in payloads.iter().enumerate() {
        let label = if many {
            format!("{} {}", source.noun(), i + 1)
        } else {
            format!("the {}", source.noun())
        };
        let found: Vec<Account> = if migration::is_migration_uri(text) {
            match migration::decode(text, now) {
                Ok(batch) => {
                    if batch.batch_size > 1 {
                        out.warnings.push(format!(
                            "{label} is part {} of {} of a Google Authenticator export; add the other parts too",
                            batch.batch_index.saturating_add(1),
                            batch.batch_size
                        ));
                    }
                    for skipped in &batch.skipped {
                        out.problems.push(format!(
                            "skipped {} from {label}: {}",
                            skipped.label, skipped.reason
                        ));
                    }
                    if batch.accounts.is_empty() && batch.skipped.is_empty() {
                        out.problems
                            .push(format!("{label} holds no account (an empty export)"));
                    }
                    batch.accounts
                }
                Err(e) => {
                    out.problems.push(format!("{label}: {e}"));
                    continue;
                }
            }
        } else if is_otpauth_uri(text) {
            match uri::parse(text, now) {
                Ok(account) => vec![account],
                Err(e) => {
                    out.problems.push(format!("{label}: {e}"));
                    continue;
                }
            }
        } else {
            out.problems.push(format!(
                "{label} is not an otpauth:// or otpauth-migration:// link"
            ));
            continue;
        };
        for account in found {
            if let Err(e) = otp::code_at(&account, 0) {
                out.problems.push(format!(
                    "{label}: unusable secret for {}: {e}",
                    account.label()
                ));
                continue;
            }
            if out.accounts.iter().any(|k| k.same_token(&account)) {
                continue;
            }
            out.accounts.push(account);
        }
    }
    out
}

/// The fields of the manual form (`add --secret` in the CLI). `None` is "not given"; the
/// defaults are TOTP, SHA-1, 6 digits, 30 s, counter 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct Manual<'a> {
    /// The service; may be empty when `name` is not.
    pub issuer: &'a str,
    /// The account at the service; may be empty when `issuer` is not.
    pub name: &'a str,
    /// The key the site shows, in base32 (spaces, dashes and case do not matter).
    pub secret: &'a str,
    /// `totp`, `hotp` or `steam` (case-insensitive); `None` or `""` is TOTP.
    pub kind: Option<&'a str>,
    /// `SHA1`, `SHA256` or `SHA512` (also `sha-256`…).
    pub algorithm: Option<&'a str>,
    /// Code length.
    pub digits: Option<u32>,
    /// TOTP period in seconds.
    pub period: Option<u64>,
    /// HOTP counter for the next code.
    pub counter: Option<u64>,
}

/// Why the manual form does not describe an account. Never holds the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManualError {
    /// No key typed.
    #[error("enter the key the site shows (base32, letters A-Z and digits 2-7)")]
    NoSecret,
    /// Neither issuer nor account name.
    #[error("give an issuer or an account name")]
    NoName,
    /// The key is not base32.
    #[error("invalid secret key: {0}")]
    Secret(String),
    /// The key is longer than a code can be computed with.
    #[error("the key is {len} bytes long, expected at most {max}")]
    SecretTooLong {
        /// Decoded length (or typed length / 2 before decoding).
        len: usize,
        /// [`otp::MAX_SECRET_LEN`].
        max: usize,
    },
    /// Unknown OTP type.
    #[error("unsupported type {0:?}, expected \"totp\", \"hotp\" or \"steam\"")]
    Kind(String),
    /// Unknown algorithm.
    #[error("unsupported algorithm {0:?}, expected SHA1, SHA256 or SHA512")]
    Algorithm(String),
    /// Digits out of range.
    #[error("digits must be 6 to 8, got {0}")]
    Digits(u32),
    /// Period out of range.
    #[error("period must be 1 to {max} seconds, got {0}", max = Period::MAX_SECONDS)]
    Period(u64),
    /// A parameter given for a type that has no such parameter.
    #[error("{parameter} applies to {applies_to} accounts only")]
    NotApplicable {
        /// `a counter`, `a period`.
        parameter: &'static str,
        /// `hotp`, `totp`.
        applies_to: &'static str,
    },
    /// Steam Guard's fixed parameters contradicted.
    #[error("steam accounts always use SHA1, 5 characters and 30 seconds")]
    Steam,
    /// Issuer or name over its limit.
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// The account parameters the manual form describes, without naming it: for live
/// validation, where only the key and its parameters are checked. `Ok` may carry a warning
/// (a key shorter than 80 bits).
///
/// # Errors
/// [`ManualError`] saying what is expected.
pub fn manual_parameters(
    m: &Manual<'_>,
) -> Result<(SecretBytes, Kind, Algorithm, Digits, Option<String>), ManualError> {
    if m.secret.trim().is_empty() {
        return Err(ManualError::NoSecret);
    }
    if m.secret.len() > 2 * otp::MAX_SECRET_LEN {
        return Err(ManualError::SecretTooLong {
            len: m.secret.len() / 2,
            max: otp::MAX_SECRET_LEN,
        });
    }
    let secret =
        SecretBytes::from_base32(m.secret).map_err(|e| ManualError::Secret(e.to_string()))?;
    if secret.len() > otp::MAX_SECRET_LEN {
        return Err(ManualError::SecretTooLong {
            len: secret.len(),
            max: otp::MAX_SECRET_LEN,
        });
    }
    let algorithm = match m.algorithm.map(str::trim) {
        None | Some("") => None,
        Some(a) => Some(Algorithm::parse(a).ok_or_else(|| ManualError::Algorithm(a.into()))?),
    };
    let digits = m
        .digits
        .map(|d| Digits::new(d).ok_or(ManualError::Digits(d)));
    let kind_name = m.kind.map(str::trim).unwrap_or("").to_ascii_lowercase();
    let kind = match kind_name.as_str() {
        "totp" | "" => {
            if m.counter.is_some() {
                return Err(ManualError::NotApplicable {
                    parameter: "a counter",
                    applies_to: "hotp",
                });
            }
            let seconds = m.period.unwrap_or(30);
            Kind::Totp {
                period: Period::new(seconds).ok_or(ManualError::Period(seconds))?,
            }
        }
        "hotp" => {
            if m.period.is_some() {
                return Err(ManualError::NotApplicable {
                    parameter: "a period",
                    applies_to: "totp",
                });
            }
            Kind::Hotp {
                counter: m.counter.unwrap_or(0),
            }
        }
        "steam" => {
            let fixed = algorithm.is_none_or(|a| a == Algorithm::Sha1)
                && m.digits.is_none_or(|d| d == 5)
                && m.period.is_none_or(|p| p == 30)
                && m.counter.is_none();
            if !fixed {
                return Err(ManualError::Steam);
            }
            Kind::Steam
        }
        _ => return Err(ManualError::Kind(kind_name)),
    };
    let (algorithm, digits) = match kind {
        Kind::Steam => (Algorithm::Sha1, Digits::SIX),
        _ => (
            algorithm.unwrap_or_default(),
            digits.transpose()?.unwrap_or_default(),
        ),
    };
    let warning = (secret.len() < 10).then(|| {
        format!(
            "the key is only {} bits long; check that it is complete",
            secret.len() * 8
        )
    });
    Ok((secret, kind, algorithm, digits, warning))
}

/// The account the manual form describes, stamped `now`. `Ok` may carry a warning.
///
/// # Errors
/// [`ManualError`] saying what is expected.
pub fn manual(m: &Manual<'_>, now: i64) -> Result<(Account, Option<String>), ManualError> {
    let issuer = m.issuer.trim();
    let name = m.name.trim();
    check_len("issuer", issuer, limits::MAX_TEXT)?;
    check_len("account name", name, limits::MAX_TEXT)?;
    if issuer.is_empty() && name.is_empty() {
        return Err(ManualError::NoName);
    }
    let (secret, kind, algorithm, digits, warning) = manual_parameters(m)?;
    let mut account = Account::new(issuer, name, secret, kind, now);
    account.algorithm = algorithm;
    account.digits = digits;
    Ok((account, warning))
}

/// What reading an export file gave.
pub enum FileIntake {
    /// The file is encrypted and no password was given: ask for it, then call [`file`] again.
    NeedsPassword {
        /// The file's format.
        importer: &'static dyn Importer,
    },
    /// The file was read.
    Read {
        /// The file's format.
        importer: &'static dyn Importer,
        /// Whether it was encrypted.
        encrypted: bool,
        /// Its accounts, skipped entries and warnings.
        imported: Imported,
    },
}

impl std::fmt::Debug for FileIntake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileIntake::NeedsPassword { importer } => f
                .debug_struct("NeedsPassword")
                .field("importer", &importer.id())
                .finish(),
            FileIntake::Read {
                importer,
                encrypted,
                imported,
            } => f
                .debug_struct("Read")
                .field("importer", &importer.id())
                .field("encrypted", encrypted)
                .field("accounts", &imported.accounts.len())
                .field("skipped", &imported.skipped.len())
                .finish(),
        }
    }
}

/// Reads an export file: the format named by `from` (an importer id) or detected from the
/// content, then, when it is encrypted, `password` (without one: [`FileIntake::NeedsPassword`]),
/// then the conversion. Key derivation can take seconds: call it off any UI thread.
///
/// # Errors
/// [`FormatError`]: `Unrecognized` (no format matches, or `from` names none), a wrong
/// password, a damaged or unsupported file, a limit.
pub fn file(
    input: &[u8],
    from: Option<&str>,
    password: Option<&SecretString>,
    now: i64,
) -> Result<FileIntake, FormatError> {
    let importer = match from {
        Some(id) => formats::importer(id).ok_or_else(|| FormatError::Unrecognized {
            hint: Some(format!("unknown format {id:?}")),
        })?,
        None => formats::detect(input)?,
    };
    let encrypted = importer.is_encrypted(input)?;
    if encrypted && password.is_none() {
        return Ok(FileIntake::NeedsPassword { importer });
    }
    match importer.import(input, password, now) {
        Ok(imported) => Ok(FileIntake::Read {
            importer,
            encrypted: encrypted || password.is_some(),
            imported,
        }),
        // An importer that can tell only while reading.
        Err(FormatError::PasswordRequired { .. }) if password.is_none() => {
            Ok(FileIntake::NeedsPassword { importer })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";

    #[test]
    fn texts_names_each_problem_and_keeps_each_token_once() {
        let got = texts(
            &[URI, "  ", "hello", URI, "otpauth://totp/x?secret=!!"],
            Source::QrCode,
            0,
        );
        assert_eq!(got.accounts.len(), 1);
        assert_eq!(
            got.problems[0],
            "QR code 2 is not an otpauth:// or otpauth-migration:// link"
        );
        assert!(
            got.problems[1].starts_with("QR code 4: "),
            "{:?}",
            got.problems
        );
        assert!(!got.messages().join(" ").contains("hello"));
        let one = texts(&["nope"], Source::Link, 0);
        assert_eq!(
            one.problems,
            ["the link is not an otpauth:// or otpauth-migration:// link"]
        );
    }

    #[test]
    fn manual_follows_one_rule_for_both_front_ends() {
        let base = Manual {
            issuer: "Example",
            secret: "jbsw y3dp ehpk 3pxp",
            ..Manual::default()
        };
        let (a, warning) = manual(&base, 7).unwrap();
        assert_eq!(
            (a.issuer.as_str(), a.created_at, a.digits.get()),
            ("Example", 7, 6)
        );
        assert!(warning.is_none());
        let err = |m: Manual<'_>| manual(&m, 0).unwrap_err().to_string();
        assert_eq!(
            err(Manual { issuer: "", ..base }),
            "give an issuer or an account name"
        );
        assert_eq!(
            err(Manual {
                secret: " ",
                ..base
            }),
            ManualError::NoSecret.to_string()
        );
        assert!(err(Manual {
            secret: "JBSWY3DP!",
            ..base
        })
        .starts_with("invalid secret key"));
        assert_eq!(
            err(Manual {
                digits: Some(9),
                ..base
            }),
            "digits must be 6 to 8, got 9"
        );
        assert!(err(Manual {
            period: Some(0),
            ..base
        })
        .starts_with("period must be 1 to 86400"));
        assert!(err(Manual {
            kind: Some("motp"),
            ..base
        })
        .contains("expected \"totp\""));
        assert!(err(Manual {
            algorithm: Some("MD5"),
            ..base
        })
        .contains("unsupported algorithm"));
        assert_eq!(
            err(Manual {
                counter: Some(3),
                ..base
            }),
            "a counter applies to hotp accounts only"
        );
        assert_eq!(
            err(Manual {
                kind: Some("hotp"),
                period: Some(30),
                ..base
            }),
            "a period applies to totp accounts only"
        );
        assert_eq!(
            err(Manual {
                kind: Some("steam"),
                digits: Some(6),
                ..base
            }),
            ManualError::Steam.to_string()
        );
        // What the app's form sends for Steam is accepted.
        let steam = Manual {
            kind: Some("steam"),
            digits: Some(5),
            period: Some(30),
            ..base
        };
        assert_eq!(manual(&steam, 0).unwrap().0.kind, Kind::Steam);
        let (_, warning) = manual(
            &Manual {
                secret: "JBSWY3DP",
                ..base
            },
            0,
        )
        .unwrap();
        assert!(warning.unwrap().contains("40 bits"));
        let long = "x".repeat(limits::MAX_TEXT + 1);
        assert!(err(Manual {
            issuer: &long,
            ..base
        })
        .contains("expected at most 4096"));
    }

    #[test]
    fn file_asks_for_a_password_before_converting() {
        let plain = format!("{URI}\n");
        match file(plain.as_bytes(), None, None, 0).unwrap() {
            FileIntake::Read {
                importer,
                encrypted,
                imported,
            } => {
                assert_eq!(importer.id(), "uris");
                assert!(!encrypted);
                assert_eq!(imported.accounts.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            file(b"{}", Some("nope"), None, 0),
            Err(FormatError::Unrecognized { .. })
        ));
    }
}
