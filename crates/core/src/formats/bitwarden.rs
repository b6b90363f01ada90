//! Bitwarden exports: unencrypted JSON and CSV, `docs/reference/formats.md` §7.
//!
//! The TOTP of a login is `items[].login.totp` (JSON) or the `login_totp` column (CSV). It is
//! an `otpauth://` URI, `steam://<base32>`, or a bare base32 secret (then TOTP, SHA-1, 6
//! digits, 30 s). Items without a TOTP are passwords, not 2FA accounts, and are passed over
//! silently. Where the URI has no issuer or account name, the item's `name` and the login's
//! `username` fill them in; a Steam secret becomes issuer `Steam` and name `Steam account`
//! (or the username, when there is one).
//!
//! Encrypted exports (password-protected or account-restricted) are refused with
//! [`FormatError::Unsupported`]: the user can export again unencrypted.
//!
//! The conversion loses: everything that is not the TOTP (passwords, URIs, notes, custom
//! fields, folders, collections), except the favourite mark.

use serde::Deserialize;

use crate::account::{Account, Algorithm, Digits, Kind, Period};
use crate::formats::twofas::{entry_label, new_account};
use crate::formats::{
    check_entries, json_object_has, parse_json, trim_ascii_start, FormatError, Imported, Importer,
    Skipped,
};
use crate::secret::{SecretBytes, SecretString};

const FORMAT: &str = "Bitwarden";

/// The Bitwarden importer.
pub struct Bitwarden;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export {
    #[serde(default)]
    encrypted: bool,
    #[serde(default)]
    password_protected: bool,
    #[serde(default)]
    items: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Item {
    name: Option<String>,
    favorite: Option<bool>,
    login: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    username: Option<String>,
    totp: Option<String>,
}

impl Importer for Bitwarden {
    fn id(&self) -> &'static str {
        "bitwarden"
    }
    fn name(&self) -> &'static str {
        FORMAT
    }
    fn detect(&self, input: &[u8]) -> bool {
        json_object_has(input, &["items"])
            || json_object_has(input, &["encrypted", "encKeyValidation_DO_NOT_EDIT"])
            || csv_header(input).is_some_and(|h| h.iter().any(|c| c == "login_totp"))
    }
    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        if trim_ascii_start(input).first() != Some(&b'{') {
            return Ok(false);
        }
        let export: Export = parse_json(FORMAT, input)?;
        Ok(export.encrypted)
    }
    fn import(
        &self,
        input: &[u8],
        _password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        if trim_ascii_start(input).first() == Some(&b'{') {
            import_json(input, now)
        } else {
            import_csv(input, now)
        }
    }
}

fn import_json(input: &[u8], now: i64) -> Result<Imported, FormatError> {
    let export: Export = parse_json(FORMAT, input)?;
    if export.encrypted {
        let reason = if export.password_protected {
            "password-protected exports are not read yet; export again as unencrypted JSON or CSV"
        } else {
            "account-restricted exports can only be opened by Bitwarden; export again as unencrypted JSON or CSV"
        };
        return Err(FormatError::Unsupported {
            format: FORMAT,
            reason: reason.into(),
        });
    }
    check_entries(FORMAT, export.items.len())?;
    let mut imported = Imported::default();
    for (index, value) in export.items.iter().enumerate() {
        let item = match Item::deserialize(value) {
            Ok(item) => item,
            Err(e) => {
                let name = value.get("name").and_then(|v| v.as_str()).unwrap_or("");
                imported.skipped.push(Skipped {
                    index,
                    label: entry_label(name, ""),
                    reason: format!("unexpected field: {e}"),
                });
                continue;
            }
        };
        let name = item.name.unwrap_or_default();
        let (username, totp) = match item.login {
            Some(login) => (login.username.unwrap_or_default(), login.totp),
            None => (String::new(), None),
        };
        let Some(totp) = totp.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let totp = SecretString::new(totp);
        match convert_totp(&totp, &name, &username, now) {
            Ok(mut account) => {
                account.favourite = item.favorite.unwrap_or(false);
                imported.accounts.push(account);
            }
            Err(reason) => imported.skipped.push(Skipped {
                index,
                label: entry_label(&name, &username),
                reason,
            }),
        }
    }
    Ok(imported)
}

/// The header row of a CSV file, if the input is UTF-8 text with one.
fn csv_header(input: &[u8]) -> Option<Vec<String>> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let first_line = input.split(|&b| b == b'\n').next()?;
    let first_line = std::str::from_utf8(first_line).ok()?;
    Some(
        first_line
            .split(',')
            .map(|c| c.trim().trim_matches('"').to_owned())
            .collect(),
    )
}

fn import_csv(input: &[u8], now: i64) -> Result<Imported, FormatError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader.headers().map_err(|e| csv_error(&e))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let totp_col = column("login_totp").ok_or_else(|| FormatError::Malformed {
        format: FORMAT,
        reason: "no login_totp column in the CSV header".into(),
    })?;
    let name_col = column("name");
    let user_col = column("login_username");
    let favourite_col = column("favorite");
    let mut imported = Imported::default();
    for (index, record) in reader.records().enumerate() {
        check_entries(FORMAT, index + 1)?;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                imported.skipped.push(Skipped {
                    index,
                    label: String::new(),
                    reason: csv_error(&e).to_string(),
                });
                continue;
            }
        };
        let field = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("");
        let totp = field(Some(totp_col));
        if totp.trim().is_empty() {
            continue;
        }
        let totp = SecretString::new(totp.to_owned());
        let (name, username) = (field(name_col), field(user_col));
        match convert_totp(&totp, name, username, now) {
            Ok(mut account) => {
                account.favourite = field(favourite_col) == "1";
                imported.accounts.push(account);
            }
            Err(reason) => imported.skipped.push(Skipped {
                index,
                label: entry_label(name, username),
                reason,
            }),
        }
    }
    Ok(imported)
}

fn csv_error(e: &csv::Error) -> FormatError {
    let reason = match e.position() {
        Some(p) => format!("invalid CSV at line {}", p.line()),
        None => "invalid CSV".to_owned(),
    };
    FormatError::Malformed {
        format: FORMAT,
        reason,
    }
}

/// One `login.totp` value → an account (formats.md §7). `Err` is the skip reason.
fn convert_totp(
    totp: &SecretString,
    item_name: &str,
    username: &str,
    now: i64,
) -> Result<Account, String> {
    let totp = totp.expose().trim();
    let has_prefix = |p: &str| {
        totp.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    if has_prefix("otpauth://") {
        let mut account = crate::uri::parse(totp, now).map_err(|e| e.to_string())?;
        if account.issuer.is_empty() {
            account.issuer = item_name.to_owned();
        }
        if account.name.is_empty() {
            account.name = username.to_owned();
        }
        crate::formats::check_field("issuer", &account.issuer)?;
        crate::formats::check_field("name", &account.name)?;
        return Ok(account);
    }
    if has_prefix("steam://") {
        let rest = totp.get("steam://".len()..).unwrap_or_default();
        let secret = SecretBytes::from_base32(rest).map_err(|e| e.to_string())?;
        let name = if username.is_empty() {
            "Steam account"
        } else {
            username
        };
        return new_account(
            "Steam",
            name,
            secret,
            Kind::Steam,
            Algorithm::Sha1,
            Digits::SIX,
            now,
        );
    }
    // A bare base32 secret: TOTP with the defaults.
    let secret = SecretBytes::from_base32(totp)
        .map_err(|e| format!("not an otpauth URI, a steam:// secret or base32: {e}"))?;
    new_account(
        item_name,
        username,
        secret,
        Kind::Totp {
            period: Period::THIRTY,
        },
        Algorithm::Sha1,
        Digits::SIX,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_secret_is_totp_named_after_the_item() {
        let input = br#"{"encrypted":false,"items":[{"name":"Example","login":{"username":"bob","totp":"JBSW Y3DP EHPK 3PXP"}},{"name":"No 2FA","login":{"totp":null}}]}"#;
        let imported = Bitwarden.import(input, None, 0).unwrap();
        assert_eq!(imported.accounts.len(), 1);
        let a = &imported.accounts[0];
        assert_eq!((a.issuer.as_str(), a.name.as_str()), ("Example", "bob"));
        assert_eq!(
            a.kind,
            Kind::Totp {
                period: Period::THIRTY
            }
        );
        assert!(imported.skipped.is_empty());
    }

    #[test]
    fn encrypted_export_is_unsupported_with_a_reason() {
        let input = br#"{"encrypted":true,"passwordProtected":true,"salt":"x","kdfType":0,"kdfIterations":600000,"encKeyValidation_DO_NOT_EDIT":"2.x","data":"2.y"}"#;
        assert!(Bitwarden.detect(input));
        assert!(Bitwarden.is_encrypted(input).unwrap());
        let err = Bitwarden.import(input, None, 0).unwrap_err();
        assert!(err.to_string().contains("password-protected"), "{err}");
    }

    #[test]
    fn bad_totp_is_skipped() {
        let input = "name,login_username,login_totp\nA,a,not a secret!\nB,b,JBSWY3DPEHPK3PXP\n";
        let imported = Bitwarden.import(input.as_bytes(), None, 0).unwrap();
        assert_eq!(imported.accounts.len(), 1);
        assert_eq!(imported.skipped.len(), 1);
        assert_eq!(imported.skipped[0].index, 0);
        assert_eq!(imported.skipped[0].label, "A (a)");
    }
}
