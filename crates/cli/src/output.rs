//! What the CLI prints: the JSON views (a stable schema for scripts) and the human tables.
//!
//! The views are built field by field from an `Account`, so a secret cannot reach them by
//! accident: none of them has a field that could hold one. Recovery codes are printed only by
//! `recovery-codes list`, on explicit request.

use std::io::Write;

use serde::Serialize;
use twofold_core::{Account, Kind};

use crate::error::{one_line, Failure};

/// One account in `list --json`. Field names and types are a public contract.
#[derive(Debug, Serialize)]
pub struct AccountView {
    /// Stable account id.
    pub id: String,
    /// The service.
    pub issuer: String,
    /// The account name at the service.
    pub account: String,
    /// `totp`, `hotp` or `steam`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: &'static str,
    /// Code length (5 for Steam).
    pub digits: u8,
    /// Seconds per code for TOTP and Steam, else null.
    pub period: Option<u32>,
    /// Counter of the next HOTP code, else null.
    pub counter: Option<u64>,
    /// Tags.
    pub tags: Vec<String>,
    /// Pinned.
    pub favourite: bool,
    /// Backup code counts.
    pub recovery_codes: RecoveryCounts,
}

/// Counts of stored backup codes.
#[derive(Debug, Serialize)]
pub struct RecoveryCounts {
    /// All stored codes.
    pub total: usize,
    /// Codes not marked used.
    pub unused: usize,
}

/// Code length as shown: Steam is always 5 characters.
pub fn shown_digits(a: &Account) -> u8 {
    match a.kind {
        Kind::Steam => 5,
        _ => a.digits.get(),
    }
}

/// Period in seconds for time-based kinds.
pub fn period_of(a: &Account) -> Option<u32> {
    match a.kind {
        Kind::Totp { period } => Some(period.seconds()),
        Kind::Steam => Some(30),
        Kind::Hotp { .. } => None,
    }
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        AccountView {
            id: a.id.0.clone(),
            issuer: a.issuer.clone(),
            account: a.name.clone(),
            kind: a.kind.name(),
            algorithm: a.algorithm.as_str(),
            digits: shown_digits(a),
            period: period_of(a),
            counter: match a.kind {
                Kind::Hotp { counter } => Some(counter),
                _ => None,
            },
            tags: a.tags.clone(),
            favourite: a.favourite,
            recovery_codes: RecoveryCounts {
                total: a.recovery_codes.len(),
                unused: a.recovery_codes.iter().filter(|c| !c.used).count(),
            },
        }
    }
}

/// `code --json`.
#[derive(Debug, Serialize)]
pub struct CodeView {
    /// Account id.
    pub id: String,
    /// `Issuer (name)`.
    pub label: String,
    /// `totp`, `hotp` or `steam`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The code.
    pub code: String,
    /// HOTP counter the code was made with; the time step for TOTP/Steam.
    pub counter: u64,
    /// First second the code is valid (null for HOTP).
    pub valid_from: Option<u64>,
    /// First second the code is no longer valid (null for HOTP).
    pub valid_until: Option<u64>,
}

/// One line of `list`: `id-prefix  label  type  [tags]`.
pub fn list_line(a: &Account) -> String {
    let short: String = a.id.0.chars().take(8).collect();
    let mut line = format!("{short}  {}", a.label());
    let detail = match a.kind {
        Kind::Totp { period } if period.seconds() != 30 => format!("totp/{}s", period.seconds()),
        Kind::Hotp { counter } => format!("hotp #{counter}"),
        k => k.name().to_owned(),
    };
    line.push_str("  ");
    line.push_str(&detail);
    if a.favourite {
        line.push_str("  *");
    }
    if !a.tags.is_empty() {
        line.push_str(&format!("  [{}]", a.tags.join(", ")));
    }
    line
}

/// Writes `text` and a newline to standard output.
pub fn println(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(stdout_failure)
}

/// Writes `value` as pretty JSON to standard output.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::other(format!("cannot encode JSON: {}", one_line(&e))))?;
    println(&text)
}

/// A failed write to standard output. A closed pipe (`| head`) is not an error worth a
/// message: `main` exits quietly on [`BROKEN_PIPE`].
fn stdout_failure(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::other(BROKEN_PIPE)
    } else {
        Failure::other(format!("cannot write to standard output: {}", one_line(&e)))
    }
}

/// The message of a write to a closed pipe.
pub const BROKEN_PIPE: &str = "broken pipe";

/// Writes a note for the human to standard error (never data a script parses).
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Notes said once the command has succeeded: a failed command prints its error alone, on
/// one line (README "Exit codes").
static AFTER_SUCCESS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Queues `text` for standard error after the command succeeds (once per text).
pub fn note_after_success(text: String) {
    let mut queued = AFTER_SUCCESS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !queued.contains(&text) {
        queued.push(text);
    }
}

/// Prints the queued notes (main, after a successful command).
pub fn flush_after_success() {
    let queued = std::mem::take(
        &mut *AFTER_SUCCESS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for text in queued {
        note(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::{Period, SecretBytes};

    #[test]
    fn json_view_has_the_documented_fields_and_no_secret() {
        let secret = SecretBytes::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let mut a = Account::new(
            "ACME",
            "alice",
            secret,
            Kind::Totp {
                period: Period::new(60).unwrap(),
            },
            0,
        );
        a.tags = vec!["work".into()];
        let json = serde_json::to_value(AccountView::from(&a)).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = vec![
            "id",
            "issuer",
            "account",
            "type",
            "algorithm",
            "digits",
            "period",
            "counter",
            "tags",
            "favourite",
            "recovery_codes",
        ];
        expected.sort_unstable();
        let mut keys_sorted = keys.clone();
        keys_sorted.sort_unstable();
        assert_eq!(keys_sorted, expected);
        assert_eq!(json["period"], 60);
        assert!(json["counter"].is_null());
        let text = json.to_string();
        assert!(!text.contains("JBSWY3DPEHPK3PXP"), "{text}");
        assert!(list_line(&a).contains("totp/60s"));
    }
}
