//! `otpauth://` key URIs (`docs/reference/formats.md` §1): [`parse`] reads them leniently, as
//! real apps write them; [`format()`] writes the canonical form ("Writing URIs").
//!
//! Leaves Google Authenticator's `otpauth-migration://` payloads to [`crate::migration`], and
//! QR images to the QR module.
//!
//! Rules we chose where real apps differ (formats.md §1, "What real importers tolerate"):
//! - **Types**: `totp`, `hotp`, `steam` (Aegis, Ente), and `totp` with `encoder=steam`
//!   (KeePassXC). Steam ignores `digits`, `algorithm` and `period`: it is always SHA-1, 30 s,
//!   5 characters. `yandex` and `motp` are rejected as unsupported types.
//! - **Label**: percent-decoded (`+` stays a `+` in the path), then split at the first `:`
//!   (a literal `:` or `%3A`); spaces after the colon are dropped. When the `issuer`
//!   parameter is present and non-empty it wins over the label prefix and the account part is
//!   kept; if the label starts with `<issuer>:` exactly, only that prefix is removed, so an
//!   issuer that itself contains `:` still round-trips. A missing label is allowed.
//! - **Query values**: form-decoded (`+` is a space, then percent-decoding), keys are
//!   case-insensitive, unknown keys are ignored, and for a repeated key the first wins.
//! - **`hotp` without `counter`**: the counter defaults to 0, as in FreeOTP (Aegis rejects it).
//! - **Bounds** (security.md I1): a URI over [`MAX_URI_LEN`] bytes and an issuer or name over
//!   [`MAX_FIELD_LEN`] bytes are rejected.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use zeroize::Zeroizing;

use crate::account::{Account, Algorithm, Digits, Kind, Period};
use crate::secret::{Base32Error, SecretBytes, SecretString};

/// Longest URI accepted, in bytes.
pub const MAX_URI_LEN: usize = 64 * 1024;

/// Longest issuer or account name accepted, in bytes (security.md I1).
pub const MAX_FIELD_LEN: usize = crate::account::limits::MAX_TEXT;

/// Longest excerpt of an offending value kept in an error.
const MAX_ECHO: usize = 64;

/// Why an otpauth URI could not be used. Never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not an otpauth URI.
    #[error("unsupported scheme {scheme:?}, expected \"otpauth\"")]
    Scheme {
        /// The scheme found (truncated).
        scheme: String,
    },
    /// Not of the form `scheme://…`.
    #[error("not a uri, expected otpauth://TYPE/LABEL?PARAMETERS")]
    Malformed,
    /// The URI is longer than [`MAX_URI_LEN`].
    #[error("uri is {len} bytes long, expected at most {max}")]
    TooLong {
        /// The URI's length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The OTP type is not one we can compute.
    #[error("unsupported otp type {kind:?}, expected \"totp\", \"hotp\" or \"steam\"")]
    Type {
        /// The type found (truncated).
        kind: String,
    },
    /// There is no `secret` parameter.
    #[error("missing secret parameter")]
    MissingSecret,
    /// The `secret` parameter is not base32.
    #[error("invalid secret: {0}")]
    Secret(#[source] Base32Error),
    /// The decoded secret is longer than [`crate::otp::MAX_SECRET_LEN`].
    #[error("secret is {len} bytes long, expected at most {max}")]
    SecretTooLong {
        /// The secret's length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The `algorithm` parameter is not SHA1, SHA256 or SHA512.
    #[error("unsupported algorithm {algorithm:?}, expected SHA1, SHA256 or SHA512")]
    Algorithm {
        /// The value found (truncated).
        algorithm: String,
    },
    /// The `digits` parameter is outside 6–8.
    #[error("digits must be 6 to 8, got {digits}")]
    Digits {
        /// The value found.
        digits: u64,
    },
    /// The `period` parameter is 0 or longer than a day.
    #[error("period must be 1 to 86400 seconds, got {period}")]
    Period {
        /// The value found.
        period: u64,
    },
    /// A numeric parameter is not a non-negative integer that fits in 64 bits.
    #[error("{param} must be a non-negative integer, got {value:?}")]
    Number {
        /// The parameter's name.
        param: &'static str,
        /// The value found (truncated).
        value: String,
    },
    /// A label or parameter does not decode to UTF-8.
    #[error("{part} is not valid utf-8 once percent-decoded")]
    Utf8 {
        /// Which part: `label`, or the parameter's name.
        part: &'static str,
    },
    /// The issuer or account name is longer than [`MAX_FIELD_LEN`].
    #[error("{field} is {len} bytes long, expected at most {max}")]
    FieldTooLong {
        /// `issuer` or `name`.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// Truncates `s` to at most [`MAX_ECHO`] characters for an error message.
fn echo(s: &str) -> String {
    s.chars().take(MAX_ECHO).collect()
}

/// Percent-decodes `s` to UTF-8; `form` also turns `+` into a space first.
fn decode(s: &str, form: bool, part: &'static str) -> Result<String, ParseError> {
    let bytes: Vec<u8> = if form {
        let replaced = s.replace('+', " ");
        percent_decode_str(&replaced).collect()
    } else {
        percent_decode_str(s).collect()
    };
    String::from_utf8(bytes).map_err(|_| ParseError::Utf8 { part })
}

/// Form-decodes the `secret` value and base32-decodes it, in buffers that are zeroized.
fn decode_secret(raw: &str) -> Result<SecretBytes, ParseError> {
    let spaced = Zeroizing::new(raw.replace('+', " "));
    let bytes = Zeroizing::new(percent_decode_str(&spaced).collect::<Vec<u8>>());
    let text = std::str::from_utf8(&bytes).map_err(|_| ParseError::Utf8 { part: "secret" })?;
    SecretBytes::from_base32(text).map_err(ParseError::Secret)
}

/// The raw query parameters, keys lower-cased, first occurrence of each key kept.
struct Query<'a> {
    pairs: Vec<(String, &'a str)>,
}

impl<'a> Query<'a> {
    fn new(query: &'a str) -> Self {
        let mut pairs: Vec<(String, &'a str)> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            // Split at the first `=` only: unencoded base32 padding stays in the value.
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(k, true, "parameter name")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !pairs.iter().any(|(seen, _)| *seen == key) {
                pairs.push((key, v));
            }
        }
        Query { pairs }
    }

    fn raw(&self, key: &str) -> Option<&'a str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    fn text(&self, key: &'static str) -> Result<Option<String>, ParseError> {
        self.raw(key).map(|v| decode(v, true, key)).transpose()
    }

    fn number(&self, key: &'static str) -> Result<Option<u64>, ParseError> {
        match self.text(key)? {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| ParseError::Number {
                    param: key,
                    value: echo(&v),
                }),
        }
    }
}

fn check_field(field: &'static str, value: &str) -> Result<(), ParseError> {
    if value.len() > MAX_FIELD_LEN {
        return Err(ParseError::FieldTooLong {
            field,
            len: value.len(),
            max: MAX_FIELD_LEN,
        });
    }
    Ok(())
}

/// Splits the decoded label into (issuer, name) given the `issuer` parameter, per the rules
/// in the module docs.
fn split_label(label: &str, issuer_param: Option<&str>) -> (String, String) {
    let trim = |s: &str| s.trim_start_matches(' ').to_owned();
    match issuer_param.filter(|p| !p.is_empty()) {
        Some(issuer) => {
            let name = match label
                .strip_prefix(issuer)
                .and_then(|rest| rest.strip_prefix(':'))
            {
                Some(rest) => trim(rest),
                None => match label.split_once(':') {
                    Some((_, rest)) => trim(rest),
                    None => label.to_owned(),
                },
            };
            (issuer.to_owned(), name)
        }
        None => match label.split_once(':') {
            Some((prefix, rest)) => (prefix.to_owned(), trim(rest)),
            None => (String::new(), label.to_owned()),
        },
    }
}

/// Whether an issuer or label names Steam: the issuer `Steam`, or `steampowered.com` anywhere.
fn names_steam(issuer: &str, label: &str) -> bool {
    let steampowered = |s: &str| s.to_ascii_lowercase().contains("steampowered.com");
    issuer.trim().eq_ignore_ascii_case("steam") || steampowered(issuer) || steampowered(label)
}

/// Parses an `otpauth://TYPE/LABEL?PARAMETERS` URI into a new [`Account`] (fresh id,
/// `created_at` = `updated_at` = `now`, unix seconds). Surrounding whitespace is ignored.
///
/// # Errors
/// A [`ParseError`] naming what is wrong: the scheme, the type, a missing or invalid secret,
/// an unsupported algorithm, digits outside 6–8, a period outside 1 s–1 day, a bad number,
/// bad UTF-8, or an input over the size limits. Never panics.
pub fn parse(uri: &str, now: i64) -> Result<Account, ParseError> {
    let uri = uri.trim();
    if uri.len() > MAX_URI_LEN {
        return Err(ParseError::TooLong {
            len: uri.len(),
            max: MAX_URI_LEN,
        });
    }
    let (scheme, rest) = uri.split_once("://").ok_or(ParseError::Malformed)?;
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(ParseError::Scheme {
            scheme: echo(scheme),
        });
    }
    // A fragment never belongs to an otpauth URI; drop it.
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (kind_str, label) = path.split_once('/').unwrap_or((path, ""));
    let query = Query::new(query);

    let kind_name = kind_str.to_ascii_lowercase();
    let steam_encoder = query
        .text("encoder")?
        .is_some_and(|e| e.eq_ignore_ascii_case("steam"));
    let steam = match kind_name.as_str() {
        "steam" => true,
        "totp" => steam_encoder,
        "hotp" => false,
        _ => {
            return Err(ParseError::Type {
                kind: echo(kind_str),
            })
        }
    };

    let raw_secret = query.raw("secret").ok_or(ParseError::MissingSecret)?;
    let secret = decode_secret(raw_secret)?;
    if secret.len() > crate::otp::MAX_SECRET_LEN {
        return Err(ParseError::SecretTooLong {
            len: secret.len(),
            max: crate::otp::MAX_SECRET_LEN,
        });
    }

    let label = decode(label, false, "label")?;
    let issuer_param = query.text("issuer")?;
    let (issuer, name) = split_label(&label, issuer_param.as_deref());
    check_field("issuer", &issuer)?;
    check_field("name", &name)?;
    // Steam's own QR codes are plain `totp` URIs with issuer Steam and no digits; the other
    // authenticators read them as Steam Guard accounts, and so does Twofold (issue 11 item 11).
    let steam = steam
        || (kind_name == "totp"
            && names_steam(&issuer, &label)
            && matches!(query.number("digits")?, None | Some(5)));

    let (kind, algorithm, digits) = if steam {
        (Kind::Steam, Algorithm::Sha1, Digits::SIX)
    } else {
        let algorithm = match query.text("algorithm")? {
            None => Algorithm::Sha1,
            Some(a) => Algorithm::parse(a.trim()).ok_or(ParseError::Algorithm {
                algorithm: echo(&a),
            })?,
        };
        let digits = match query.number("digits")? {
            None => Digits::SIX,
            Some(d) => u32::try_from(d)
                .ok()
                .and_then(Digits::new)
                .ok_or(ParseError::Digits { digits: d })?,
        };
        let kind = if kind_name == "hotp" {
            // FreeOTP's default; formats.md §1 `counter`.
            Kind::Hotp {
                counter: query.number("counter")?.unwrap_or(0),
            }
        } else {
            let period = match query.number("period")? {
                None => Period::THIRTY,
                Some(p) => Period::new(p).ok_or(ParseError::Period { period: p })?,
            };
            Kind::Totp { period }
        };
        (kind, algorithm, digits)
    };

    let mut account = Account::new(issuer, name, secret, kind, now);
    account.algorithm = algorithm;
    account.digits = digits;
    Ok(account)
}

/// Characters left as-is in labels and query values: RFC 3986 unreserved, plus `@`, which is
/// legal in both and keeps `alice@example.com` readable. Everything else, `:`, `+`, `&`, `=`,
/// `%` and non-ASCII included, is percent-encoded (`%20` for a space, never `+`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

fn enc(s: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(s, COMPONENT)
}

/// Writes the canonical URI for `account` (formats.md §1, "Writing URIs"):
/// `otpauth://TYPE/<issuer>:<name>?secret=…&issuer=…&algorithm=…&digits=…&period=…|counter=…`,
/// with the secret as unpadded base32.
///
/// The label omits `<issuer>:` when the issuer is empty, unless the name contains a `:`, in
/// which case the label is `:<name>` so that [`parse`] gives back the same name. Steam is
/// written as Aegis does: `otpauth://steam/…&algorithm=SHA1&digits=5&period=30`.
///
/// The result contains the secret, hence [`SecretString`].
pub fn format(account: &Account) -> SecretString {
    use std::fmt::Write as _;

    let b32 = account.secret.to_base32();
    let estimate = 64 + b32.expose().len() + 6 * (account.issuer.len() + account.name.len());
    // Reserved up front so the buffer holding the secret is never reallocated (and copied).
    let mut out = Zeroizing::new(String::with_capacity(estimate));
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = write!(out, "otpauth://{}/", account.kind.name());
    if !account.issuer.is_empty() {
        let _ = write!(out, "{}:", enc(&account.issuer));
    } else if account.name.contains(':') {
        out.push(':');
    }
    let _ = write!(out, "{}?secret=", enc(&account.name));
    out.push_str(b32.expose());
    if !account.issuer.is_empty() {
        let _ = write!(out, "&issuer={}", enc(&account.issuer));
    }
    match account.kind {
        Kind::Totp { period } => {
            let _ = write!(
                out,
                "&algorithm={}&digits={}&period={}",
                account.algorithm,
                account.digits.get(),
                period.seconds()
            );
        }
        Kind::Hotp { counter } => {
            let _ = write!(
                out,
                "&algorithm={}&digits={}&counter={counter}",
                account.algorithm,
                account.digits.get()
            );
        }
        Kind::Steam => {
            let _ = write!(
                out,
                "&algorithm=SHA1&digits={}&period={}",
                crate::otp::STEAM_CHARS,
                crate::otp::STEAM_PERIOD
            );
        }
    }
    SecretString::new(std::mem::take(&mut *out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "GEZDGNBVGY3TQOJQ";

    fn p(uri: &str) -> Result<Account, ParseError> {
        parse(uri, 1_700_000_000)
    }

    #[test]
    fn parses_a_full_totp_uri() {
        let a = p("otpauth://totp/ACME:alice@example.com?secret=GEZDGNBVGY3TQOJQ&issuer=ACME&algorithm=SHA256&digits=8&period=60").unwrap();
        assert_eq!(
            (a.issuer.as_str(), a.name.as_str()),
            ("ACME", "alice@example.com")
        );
        assert_eq!(a.secret.expose(), b"1234567890");
        assert_eq!(a.algorithm, Algorithm::Sha256);
        assert_eq!(a.digits.get(), 8);
        assert_eq!(
            a.kind,
            Kind::Totp {
                period: Period::new(60).unwrap()
            }
        );
        assert_eq!(a.created_at, 1_700_000_000);
    }

    #[test]
    fn label_rules() {
        let cases = [
            ("otpauth://totp/ACME%3A%20alice?secret=S", "ACME", "alice"),
            ("otpauth://totp/ACME:%20%20alice?secret=S", "ACME", "alice"),
            (
                "otpauth://totp/Label:alice?secret=S&issuer=Param",
                "Param",
                "alice",
            ),
            (
                "otpauth://totp/alice?secret=S&issuer=Air+Canada",
                "Air Canada",
                "alice",
            ),
            ("otpauth://totp/A:B:c?secret=S&issuer=A%3AB", "A:B", "c"),
            ("otpauth://totp/A:B:c?secret=S", "A", "B:c"),
            ("otpauth://totp/?secret=S", "", ""),
            ("otpauth://totp?secret=S", "", ""),
            ("otpauth://totp/:x:y?secret=S", "", "x:y"),
            ("otpauth://totp/a+b?secret=S", "", "a+b"),
        ];
        for (uri, issuer, name) in cases {
            let uri = uri.replace("=S", &format!("={S}"));
            let a = p(&uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
            assert_eq!(
                (a.issuer.as_str(), a.name.as_str()),
                (issuer, name),
                "{uri}"
            );
        }
    }

    #[test]
    fn lenient_secret_and_parameters() {
        let a = p("  OTPAUTH://TOTP/x?Secret=gezd+gnbv-gy3t%20qojq%3D%3D&ALGORITHM=sha512&foo=bar&period=30\r\n").unwrap();
        assert_eq!(a.secret.expose(), b"1234567890");
        assert_eq!(a.algorithm, Algorithm::Sha512);
        let a = p(&format!("otpauth://totp/x?secret={S}===&secret=AAAA")).unwrap();
        assert_eq!(a.secret.expose(), b"1234567890", "first secret wins");
    }

    #[test]
    fn hotp_counter_defaults_to_zero_and_period_is_ignored() {
        let a = p(&format!("otpauth://hotp/x?secret={S}&period=30")).unwrap();
        assert_eq!(a.kind, Kind::Hotp { counter: 0 });
        let a = p(&format!(
            "otpauth://hotp/x?secret={S}&counter=18446744073709551615"
        ))
        .unwrap();
        assert_eq!(a.kind, Kind::Hotp { counter: u64::MAX });
    }

    #[test]
    fn steam_forms() {
        let a = p(&format!(
            "otpauth://steam/Steam:bob?secret={S}&digits=5&algorithm=SHA256"
        ))
        .unwrap();
        assert_eq!((a.kind, a.algorithm), (Kind::Steam, Algorithm::Sha1));
        let a = p(&format!(
            "otpauth://totp/Steam:bob?secret={S}&digits=5&encoder=steam"
        ))
        .unwrap();
        assert_eq!(a.kind, Kind::Steam);
    }

    #[test]
    fn steam_issued_totp_uris_are_steam_guard_accounts() {
        // See: issue 11 item 11 (Steam's own QR codes are totp URIs with issuer Steam).
        for uri in [
            format!("otpauth://totp/Steam:bob?secret={S}&issuer=Steam"),
            format!("otpauth://totp/steam:bob?secret={S}"),
            format!("otpauth://totp/bob?secret={S}&issuer=store.steampowered.com"),
            format!("otpauth://totp/Steam:bob?secret={S}&digits=5"),
        ] {
            assert_eq!(parse(&uri, 0).unwrap().kind, Kind::Steam, "{uri}");
        }
        // Explicit digits, another issuer, or HOTP: as written.
        for uri in [
            format!("otpauth://totp/Steam:bob?secret={S}&digits=6"),
            format!("otpauth://totp/Steamboat:bob?secret={S}"),
            format!("otpauth://hotp/Steam:bob?secret={S}"),
        ] {
            assert_ne!(parse(&uri, 0).unwrap().kind, Kind::Steam, "{uri}");
        }
    }

    #[test]
    fn each_error_is_specific() {
        let cases: Vec<(String, ParseError)> = vec![
            (
                "https://x".into(),
                ParseError::Scheme {
                    scheme: "https".into(),
                },
            ),
            ("otpauth:totp/x".into(), ParseError::Malformed),
            (
                "otpauth-migration://offline?data=x".into(),
                ParseError::Scheme {
                    scheme: "otpauth-migration".into(),
                },
            ),
            (
                format!("otpauth://yandex/x?secret={S}"),
                ParseError::Type {
                    kind: "yandex".into(),
                },
            ),
            (
                "otpauth://totp/x?issuer=A".into(),
                ParseError::MissingSecret,
            ),
            (
                "otpauth://totp/x?secret=GEZ1".into(),
                ParseError::Secret(Base32Error::InvalidChar {
                    ch: '1',
                    position: 3,
                }),
            ),
            (
                "otpauth://totp/x?secret=".into(),
                ParseError::Secret(Base32Error::Empty),
            ),
            (
                format!("otpauth://totp/x?secret={S}&algorithm=MD5"),
                ParseError::Algorithm {
                    algorithm: "MD5".into(),
                },
            ),
            (
                format!("otpauth://totp/x?secret={S}&digits=5"),
                ParseError::Digits { digits: 5 },
            ),
            (
                format!("otpauth://totp/x?secret={S}&digits=9"),
                ParseError::Digits { digits: 9 },
            ),
            (
                format!("otpauth://totp/x?secret={S}&period=0"),
                ParseError::Period { period: 0 },
            ),
            (
                format!("otpauth://totp/x?secret={S}&period=86401"),
                ParseError::Period { period: 86401 },
            ),
            (
                format!("otpauth://hotp/x?secret={S}&counter=-1"),
                ParseError::Number {
                    param: "counter",
                    value: "-1".into(),
                },
            ),
            (
                format!("otpauth://totp/x?secret={S}&digits=six"),
                ParseError::Number {
                    param: "digits",
                    value: "six".into(),
                },
            ),
            (
                format!("otpauth://totp/%FF?secret={S}"),
                ParseError::Utf8 { part: "label" },
            ),
            (
                format!(
                    "otpauth://totp/x?secret={S}&issuer={}",
                    "a".repeat(MAX_FIELD_LEN + 1)
                ),
                ParseError::FieldTooLong {
                    field: "issuer",
                    len: MAX_FIELD_LEN + 1,
                    max: MAX_FIELD_LEN,
                },
            ),
            (
                format!("otpauth://totp/x?secret={}", "A".repeat(MAX_URI_LEN)),
                ParseError::TooLong {
                    len: MAX_URI_LEN + 24,
                    max: MAX_URI_LEN,
                },
            ),
        ];
        for (uri, expected) in cases {
            assert_eq!(p(&uri).err(), Some(expected), "{uri}");
        }
    }

    #[test]
    fn errors_never_echo_the_secret() {
        let err = p("otpauth://totp/x?secret=SUPERSECRETVALUE1&digits=9").unwrap_err();
        assert!(!err.to_string().contains("SUPERSECRET"), "{err}");
    }

    #[test]
    fn format_writes_the_canonical_form() {
        let mut a = Account::new(
            "Air Canada",
            "bob+1@example.com",
            SecretBytes::from_slice(b"1234567890"),
            Kind::Hotp { counter: 7 },
            0,
        );
        a.digits = Digits::EIGHT;
        assert_eq!(
            format(&a).expose(),
            "otpauth://hotp/Air%20Canada:bob%2B1@example.com?secret=GEZDGNBVGY3TQOJQ&issuer=Air%20Canada&algorithm=SHA1&digits=8&counter=7"
        );
        a.issuer.clear();
        a.name = "a:b".into();
        a.kind = Kind::Steam;
        let uri = format(&a);
        assert_eq!(
            uri.expose(),
            "otpauth://steam/:a%3Ab?secret=GEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=5&period=30"
        );
        let back = p(uri.expose()).unwrap();
        assert_eq!((back.issuer.as_str(), back.name.as_str()), ("", "a:b"));
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = parse(&s, 0);
        }

        #[test]
        fn parse_never_panics_on_otpauth_shaped_input(
            kind in "(totp|hotp|steam|x)",
            label in "[a-zA-Z0-9:%+ ]{0,12}",
            query in "[a-zA-Z0-9=&%+:]{0,40}",
        ) {
            let _ = parse(&format!("otpauth://{kind}/{label}?{query}"), 0);
        }
    }
}
