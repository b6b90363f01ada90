//! Steam Guard files (`docs/reference/formats.md` §14): the Steam app's internal
//! `Steamguard-<id>` JSON, in its current (`{"accounts": {"<key>": {…}}}`) and old (one flat
//! object) forms, and Steam Desktop Authenticator's `.maFile` (the same flat fields).
//!
//! Each account has `shared_secret` (base64 of the HMAC-SHA-1 key) and `account_name`; it
//! becomes a [`Kind::Steam`] account with issuer `Steam` and name = `account_name`. Detection:
//! a JSON object with `shared_secret` at the top level or in one of `accounts.*`.
//!
//! What the conversion loses: everything but the shared secret and the account name:
//! `identity_secret` (trade confirmations), `revocation_code`, `serial_number`, `steamid`,
//! the SDA session. Encrypted maFiles (SDA with a passkey: base64 text, not JSON) are not read.

use base64::Engine as _;
use serde_json::{Map, Value};
use zeroize::Zeroize;

use crate::account::{Account, Kind};
use crate::formats::{
    check_entries, check_field, parse_json, trim_ascii_start, FormatError, Imported, Importer,
    Skipped,
};
use crate::secret::{SecretBytes, SecretString};

const NAME: &str = "Steam";
const SECRET: &str = "shared_secret";

/// The Steam importer.
pub struct Steam;

impl Importer for Steam {
    fn id(&self) -> &'static str {
        "steam"
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &[u8]) -> bool {
        if trim_ascii_start(input).first() != Some(&b'{') {
            return false;
        }
        match serde_json::from_slice::<Value>(input) {
            Ok(v) => {
                let mut v = Wiped(v);
                !entries(&mut v.0).is_empty()
            }
            Err(_) => false,
        }
    }

    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        if self.detect(input) {
            Ok(false)
        } else {
            Err(unrecognized())
        }
    }

    fn import(
        &self,
        input: &[u8],
        _password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        if trim_ascii_start(input).first() != Some(&b'{') {
            return Err(unrecognized());
        }
        let mut root = Wiped(parse_json::<Value>(NAME, input)?);
        let list = entries(&mut root.0);
        if list.is_empty() {
            return Err(unrecognized());
        }
        check_entries(NAME, list.len())?;
        let mut out = Imported::default();
        for (index, entry) in list.into_iter().enumerate() {
            match convert(entry, now) {
                Ok(account) => out.accounts.push(account),
                Err(reason) => out.skipped.push(Skipped {
                    index,
                    label: account_name(entry).unwrap_or_default().to_owned(),
                    reason,
                }),
            }
        }
        Ok(out)
    }
}

fn unrecognized() -> FormatError {
    FormatError::Unrecognized {
        hint: Some("expected a Steam Guard file or maFile (JSON with \"shared_secret\")".into()),
    }
}

/// A parsed JSON tree whose strings (the secrets among them) are wiped when it is dropped.
struct Wiped(Value);

impl Drop for Wiped {
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

/// The account objects of a file: the top level itself (old format, maFile) or the objects in
/// `accounts` that have a `shared_secret` (current format).
fn entries(root: &mut Value) -> Vec<&mut Map<String, Value>> {
    let Value::Object(top) = root else {
        return Vec::new();
    };
    if top.contains_key(SECRET) {
        return vec![top];
    }
    match top.get_mut("accounts") {
        Some(Value::Object(accounts)) => accounts
            .values_mut()
            .filter_map(|v| match v {
                Value::Object(m) if m.contains_key(SECRET) => Some(m),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn account_name(entry: &Map<String, Value>) -> Option<&str> {
    entry
        .get("account_name")
        .and_then(Value::as_str)
        .filter(|s| s.len() <= crate::formats::MAX_FIELD_LEN)
}

fn convert(entry: &Map<String, Value>, now: i64) -> Result<Account, String> {
    let encoded = match entry.get(SECRET) {
        Some(Value::String(s)) => s.trim(),
        _ => return Err("shared_secret is not a string".into()),
    };
    // Base64 with or without padding (formats.md §16: Steam secrets are base64).
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let secret = SecretBytes::new(
        engine
            .decode(encoded)
            .map_err(|_| "shared_secret is not valid base64".to_owned())?,
    );
    if secret.is_empty() {
        return Err("shared_secret is empty".into());
    }
    let name = match entry.get("account_name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => {
            check_field("account_name", s)?;
            s.clone()
        }
        Some(_) => return Err("account_name is not a string".into()),
    };
    Ok(Account::new(NAME, name, secret, Kind::Steam, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Algorithm, Digits};

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn flat_and_nested() {
        let flat = br#"{"shared_secret":"AAECAw==","account_name":"bob","steamid":"1"}"#;
        let out = Steam.import(flat, None, NOW).unwrap();
        let a = &out.accounts[0];
        assert_eq!(a.secret.expose(), &[0, 1, 2, 3]);
        assert_eq!((a.issuer.as_str(), a.name.as_str()), ("Steam", "bob"));
        assert_eq!(
            (a.kind, a.algorithm, a.digits),
            (Kind::Steam, Algorithm::Sha1, Digits::SIX)
        );

        let nested = br#"{"accounts":{"x":{"shared_secret":"AAECAw","account_name":"a"},
                          "y":{"shared_secret":"%%%","account_name":"b"},"z":{"other":1}}}"#;
        assert!(Steam.detect(nested));
        let out = Steam.import(nested, None, NOW).unwrap();
        assert_eq!(out.accounts.len(), 1);
        assert_eq!(out.accounts[0].name, "a");
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].label, "b");
        assert_eq!(out.skipped[0].reason, "shared_secret is not valid base64");
    }

    #[test]
    fn detection_needs_shared_secret() {
        assert!(!Steam.detect(br#"{"accounts":{}}"#));
        assert!(!Steam.detect(br#"{"secret":"x"}"#));
        assert!(!Steam.detect(br#"[{"shared_secret":"AAAA"}]"#));
        assert!(Steam.is_encrypted(br#"{"a":1}"#).is_err());
        assert!(matches!(
            Steam.import(br#"{"accounts":{}}"#, None, NOW),
            Err(FormatError::Unrecognized { .. })
        ));
        let out = Steam
            .import(br#"{"shared_secret":"","account_name":"e"}"#, None, NOW)
            .unwrap();
        assert_eq!(out.skipped[0].reason, "shared_secret is empty");
    }
}
