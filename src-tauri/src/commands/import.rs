//! Adding accounts: QR codes from an image file, pasted image bytes, the screen or the
//! clipboard; `otpauth://` and Google Authenticator `otpauth-migration://` links; the manual
//! form with live validation; then the preview and one atomic import (IPC.md "Commands";
//! security.md I1, I2, I4).
//!
//! Found accounts wait in [`AppVault::pending`] under random tokens: the UI sees their labels
//! and parameters ([`Candidate`]) but never their secrets, and `confirm_import` applies the
//! user's decisions in one save. Decoding runs on blocking threads under the QR engine's own
//! size and time limits.

use std::io::Read as _;
use std::path::PathBuf;
use std::time::Instant;

use serde::Deserialize;
use tauri::State;
use twofold_core::account::{Account, Algorithm, Digits, Kind, Period};
use twofold_core::{capture, migration, otp, qr, uri, SecretBytes};
use zeroize::Zeroizing;

use crate::commands::{bounded, now_i64};
use crate::error::{IpcError, IpcResult};
use crate::state::{self, AppVault, VaultState, MAX_PENDING};
use crate::views::{kind_parts, Candidate, ImportOutcome, ScanResult, Validation};

/// Largest image file or pasted image accepted (security.md I2).
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// Registers `account` as a candidate and describes it for the preview.
fn register(s: &mut AppVault, account: Account) -> Candidate {
    let duplicate_of = s
        .vault()
        .ok()
        .and_then(|v| v.accounts().iter().find(|a| a.same_token(&account)))
        .map(|a| a.id.0.clone());
    let (kind, digits, period, counter) = kind_parts(&account);
    let token = uuid::Uuid::new_v4().to_string();
    let candidate = Candidate {
        token: token.clone(),
        issuer: account.issuer.clone(),
        name: account.name.clone(),
        kind,
        algorithm: account.algorithm.as_str(),
        digits,
        period,
        counter,
        duplicate_of,
    };
    s.pending.insert(token, account);
    candidate
}

/// Turns QR payloads or pasted links into candidates; problems become messages. `what`
/// names the source in messages ("QR code", "link").
fn candidates_from_payloads(s: &mut AppVault, payloads: &[String], what: &str) -> ScanResult {
    let now = now_i64();
    let mut found: Vec<Account> = Vec::new();
    let mut result = ScanResult::default();
    let many = payloads.len() > 1;
    for (i, payload) in payloads.iter().enumerate() {
        let label = if many {
            format!("{what} {}", i + 1)
        } else {
            format!("the {what}")
        };
        let text = payload.trim();
        if migration::is_migration_uri(text) {
            match migration::decode(text, now) {
                Ok(batch) => {
                    if batch.batch_size > 1 {
                        result.messages.push(format!(
                            "{label} is part {} of {} of a Google Authenticator export; add the other parts too",
                            batch.batch_index.saturating_add(1),
                            batch.batch_size
                        ));
                    }
                    for skipped in &batch.skipped {
                        result.messages.push(format!(
                            "skipped {} from {label}: {}",
                            skipped.label, skipped.reason
                        ));
                    }
                    found.extend(batch.accounts);
                }
                Err(e) => result.messages.push(format!("{label}: {e}")),
            }
        } else if text
            .get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case("otpauth://"))
        {
            match uri::parse(text, now) {
                Ok(account) => found.push(account),
                Err(e) => result.messages.push(format!("{label}: {e}")),
            }
        } else {
            // The payload itself is not echoed: it may be anything, a password included.
            result.messages.push(format!(
                "{label} is not an otpauth:// or otpauth-migration:// link"
            ));
        }
    }
    let mut kept: Vec<Account> = Vec::new();
    for account in found {
        if kept.iter().any(|k| k.same_token(&account)) {
            continue;
        }
        if s.pending.len() >= MAX_PENDING {
            result.messages.push(format!(
                "too many accounts waiting to be imported; at most {MAX_PENDING} at once"
            ));
            break;
        }
        kept.push(account);
    }
    for account in kept {
        let candidate = register(s, account);
        result.candidates.push(candidate);
    }
    result
}

/// The outcome of a QR decode as a scan result: payloads become candidates, a decode
/// failure (no code, unreadable image, time-out) becomes a message.
fn scan_outcome(vault: &VaultState, decoded: Result<Vec<String>, String>) -> IpcResult<ScanResult> {
    let mut s = state::lock(vault);
    s.file()?;
    s.last_activity = Instant::now();
    match decoded {
        Ok(payloads) => {
            let payloads: Vec<Zeroizing<String>> =
                payloads.into_iter().map(Zeroizing::new).collect();
            let plain: Vec<String> = payloads.iter().map(|p| p.as_str().to_owned()).collect();
            let plain = Zeroizing::new(plain);
            Ok(candidates_from_payloads(&mut s, &plain, "QR code"))
        }
        Err(message) => Ok(ScanResult {
            candidates: Vec::new(),
            messages: vec![message],
        }),
    }
}

fn require_unlocked(vault: &VaultState) -> IpcResult<()> {
    state::lock(vault).file().map(|_| ())
}

/// Runs `f` on a blocking thread (image decoding, screen capture).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::internal(format!("the decoder stopped: {e}")))
}

/// Reads at most [`MAX_IMAGE_BYTES`] from `path`.
fn read_capped(path: &std::path::Path) -> IpcResult<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|e| IpcError::invalid(format!("cannot open {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(MAX_IMAGE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| IpcError::invalid(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(IpcError::invalid(format!(
            "{} is larger than {MAX_IMAGE_BYTES} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Decodes the QR codes in an image file.
#[tauri::command]
pub async fn scan_image_file(vault: State<'_, VaultState>, path: String) -> IpcResult<ScanResult> {
    bounded("path", &path, 4096)?;
    if path.trim().is_empty() {
        return Err(IpcError::invalid("choose an image file"));
    }
    require_unlocked(&vault)?;
    let path = PathBuf::from(path.trim());
    let decoded = blocking(move || {
        read_capped(&path).map(|bytes| qr::decode_image_bytes(&bytes).map_err(|e| e.to_string()))
    })
    .await??;
    scan_outcome(&vault, decoded)
}

/// Decodes the QR codes in a pasted image (PNG/JPEG/… bytes).
#[tauri::command]
pub async fn scan_image_bytes(
    vault: State<'_, VaultState>,
    bytes: Vec<u8>,
) -> IpcResult<ScanResult> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(IpcError::invalid(format!(
            "the image is {} bytes, expected at most {MAX_IMAGE_BYTES}",
            bytes.len()
        )));
    }
    require_unlocked(&vault)?;
    let decoded =
        blocking(move || qr::decode_image_bytes(&bytes).map_err(|e| e.to_string())).await?;
    scan_outcome(&vault, decoded)
}

/// Captures every monitor and decodes the QR codes on them.
#[tauri::command]
pub async fn scan_screen(vault: State<'_, VaultState>) -> IpcResult<ScanResult> {
    require_unlocked(&vault)?;
    let decoded = blocking(capture::scan_screen).await?;
    let decoded = match decoded {
        Ok(payloads) => Ok(payloads),
        Err(e @ capture::CaptureError::ScreenUnavailable(_)) => return Err(e.into()),
        Err(e) => Err(e.to_string()),
    };
    scan_outcome(&vault, decoded)
}

/// Reads the clipboard: the QR codes of its image, or its `otpauth` text.
#[tauri::command]
pub async fn scan_clipboard(vault: State<'_, VaultState>) -> IpcResult<ScanResult> {
    require_unlocked(&vault)?;
    let decoded = blocking(capture::scan_clipboard).await?;
    let decoded = match decoded {
        Ok(scan) => Ok(scan.payloads),
        Err(e @ capture::CaptureError::ClipboardUnavailable(_)) => return Err(e.into()),
        Err(e) => Err(e.to_string()),
    };
    scan_outcome(&vault, decoded)
}

/// Parses pasted `otpauth://` or `otpauth-migration://` links, one per line.
#[tauri::command]
pub async fn parse_uri(vault: State<'_, VaultState>, uri: String) -> IpcResult<ScanResult> {
    let uri = Zeroizing::new(uri);
    bounded("link", &uri, migration::MAX_URI_LEN * 4)?;
    let lines: Zeroizing<Vec<String>> = Zeroizing::new(
        uri.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    );
    if lines.is_empty() {
        return Err(IpcError::invalid(
            "paste an otpauth:// or otpauth-migration:// link",
        ));
    }
    let mut s = state::lock(&vault);
    s.file()?;
    s.last_activity = Instant::now();
    Ok(candidates_from_payloads(&mut s, &lines, "link"))
}

/// The manual form's fields.
struct Manual<'a> {
    issuer: &'a str,
    name: &'a str,
    secret: &'a str,
    kind: &'a str,
    algorithm: Option<&'a str>,
    digits: Option<u32>,
    period: Option<u64>,
    counter: Option<u64>,
}

/// Builds the account the manual form describes. `Ok` may carry a warning.
fn manual_account(m: &Manual<'_>) -> Result<(Account, Option<String>), String> {
    for (what, value) in [("issuer", m.issuer), ("account name", m.name)] {
        if value.len() > uri::MAX_FIELD_LEN {
            return Err(format!(
                "{what} is {} bytes long, expected at most {}",
                value.len(),
                uri::MAX_FIELD_LEN
            ));
        }
    }
    if m.secret.trim().is_empty() {
        return Err("enter the key the site shows (base32, letters A-Z and digits 2-7)".into());
    }
    if m.secret.len() > 2 * otp::MAX_SECRET_LEN {
        return Err(format!(
            "the key is {} characters long, expected at most {}",
            m.secret.len(),
            2 * otp::MAX_SECRET_LEN
        ));
    }
    let secret = SecretBytes::from_base32(m.secret).map_err(|e| format!("invalid key: {e}"))?;
    if secret.len() > otp::MAX_SECRET_LEN {
        return Err(format!(
            "the key is {} bytes long, expected at most {}",
            secret.len(),
            otp::MAX_SECRET_LEN
        ));
    }
    let algorithm = match m.algorithm {
        None | Some("") => Algorithm::Sha1,
        Some(a) => Algorithm::parse(a).ok_or_else(|| {
            format!("unsupported algorithm {a:?}, expected SHA1, SHA256 or SHA512")
        })?,
    };
    let digits = match m.digits {
        None => Digits::SIX,
        Some(d) => Digits::new(d).ok_or_else(|| format!("digits must be 6 to 8, got {d}"))?,
    };
    let kind = match m.kind.to_ascii_lowercase().as_str() {
        "totp" | "" => {
            let seconds = m.period.unwrap_or(30);
            let period = Period::new(seconds).ok_or_else(|| {
                format!(
                    "period must be 1 to {} seconds, got {seconds}",
                    Period::MAX_SECONDS
                )
            })?;
            Kind::Totp { period }
        }
        "hotp" => Kind::Hotp {
            counter: m.counter.unwrap_or(0),
        },
        "steam" => Kind::Steam,
        other => {
            return Err(format!(
                "unsupported type {other:?}, expected \"totp\", \"hotp\" or \"steam\""
            ))
        }
    };
    let warning = (secret.len() < 10).then(|| {
        format!(
            "the key is only {} bits long; check that it is complete",
            secret.len() * 8
        )
    });
    let mut account = Account::new(m.issuer.trim(), m.name.trim(), secret, kind, now_i64());
    if matches!(kind, Kind::Steam) {
        account.algorithm = Algorithm::Sha1;
    } else {
        account.algorithm = algorithm;
        account.digits = digits;
    }
    Ok((account, warning))
}

/// Live validation of the manual form (no state needed, nothing stored).
#[tauri::command]
pub async fn validate_manual(
    secret: String,
    kind: String,
    algorithm: Option<String>,
    digits: Option<u32>,
    period: Option<u64>,
    counter: Option<u64>,
) -> IpcResult<Validation> {
    let secret = Zeroizing::new(secret);
    let form = Manual {
        issuer: "",
        name: "",
        secret: &secret,
        kind: &kind,
        algorithm: algorithm.as_deref(),
        digits,
        period,
        counter,
    };
    Ok(match manual_account(&form) {
        Ok((_, warning)) => Validation {
            ok: true,
            message: warning,
        },
        Err(message) => Validation {
            ok: false,
            message: Some(message),
        },
    })
}

/// Turns the manual form into one candidate for the preview.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn add_manual(
    vault: State<'_, VaultState>,
    issuer: String,
    name: String,
    secret: String,
    kind: String,
    algorithm: Option<String>,
    digits: Option<u32>,
    period: Option<u64>,
    counter: Option<u64>,
) -> IpcResult<ScanResult> {
    let secret = Zeroizing::new(secret);
    let form = Manual {
        issuer: &issuer,
        name: &name,
        secret: &secret,
        kind: &kind,
        algorithm: algorithm.as_deref(),
        digits,
        period,
        counter,
    };
    let (account, warning) = manual_account(&form).map_err(IpcError::InvalidInput)?;
    let mut s = state::lock(&vault);
    s.file()?;
    s.last_activity = Instant::now();
    let candidate = register(&mut s, account);
    Ok(ScanResult {
        candidates: vec![candidate],
        messages: warning.into_iter().collect(),
    })
}

/// What to do with one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Add it as a new account.
    Add,
    /// Leave it out.
    Skip,
    /// Replace the existing account with the same secret (keeping its id, order, notes,
    /// tags and recovery codes).
    Replace,
}

/// The user's decision about one candidate.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Decision {
    /// The candidate's token.
    pub token: String,
    /// What to do.
    pub action: Action,
}

/// Applies the preview's decisions in one save. Candidates not mentioned are dropped.
#[tauri::command]
pub async fn confirm_import(
    vault: State<'_, VaultState>,
    decisions: Vec<Decision>,
) -> IpcResult<ImportOutcome> {
    if decisions.len() > MAX_PENDING {
        return Err(IpcError::invalid(format!(
            "{} decisions given, expected at most {MAX_PENDING}",
            decisions.len()
        )));
    }
    let mut s = state::lock(&vault);
    s.file()?;
    let mut skipped = 0usize;
    let mut chosen: Vec<(Account, Action)> = Vec::new();
    for d in &decisions {
        match (s.pending.remove(&d.token), d.action) {
            (Some(_), Action::Skip) | (None, _) => skipped += 1,
            (Some(account), action) => chosen.push((account, action)),
        }
    }
    s.pending.clear();
    let now = now_i64();
    let outcome = s.mutate(|v| {
        let mut out = ImportOutcome {
            skipped,
            ..ImportOutcome::default()
        };
        let mut next_order = v
            .accounts()
            .iter()
            .map(|a| a.order)
            .max()
            .map_or(0, |m| m.saturating_add(1));
        for (account, action) in &chosen {
            let existing = v.accounts().iter().find(|e| e.same_token(account)).cloned();
            match (action, existing) {
                (Action::Replace, Some(old)) => {
                    let mut new = account.clone();
                    new.id = old.id.clone();
                    new.order = old.order;
                    new.favourite = old.favourite;
                    new.notes = old.notes.clone();
                    new.recovery_codes = old.recovery_codes.clone();
                    new.created_at = old.created_at;
                    new.last_used_at = old.last_used_at;
                    if new.tags.is_empty() {
                        new.tags = old.tags.clone();
                    }
                    if new.icon.is_none() {
                        new.icon = old.icon.clone();
                    }
                    new.updated_at = now;
                    v.replace(new)?;
                    out.replaced += 1;
                }
                // Already there (a duplicate the user chose to add, or two copies in one
                // batch): the vault keeps one.
                (_, Some(_)) => out.skipped += 1,
                (_, None) => {
                    let mut new = account.clone();
                    new.order = next_order;
                    next_order = next_order.saturating_add(1);
                    v.add(new)?;
                    out.added += 1;
                }
            }
        }
        Ok(out)
    })?;
    s.last_activity = Instant::now();
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(secret: &'a str, kind: &'a str) -> Manual<'a> {
        Manual {
            issuer: "Example",
            name: "alice",
            secret,
            kind,
            algorithm: None,
            digits: None,
            period: None,
            counter: None,
        }
    }

    #[test]
    fn manual_form_messages_say_what_is_expected() {
        let err = |m: &Manual<'_>| manual_account(m).expect_err("invalid");
        assert!(err(&form("", "totp")).contains("enter the key"));
        assert!(err(&form("JBSWY3DP!", "totp")).contains("invalid key"));
        assert!(err(&form("JBSWY3DPEHPK3PXP", "motp")).contains("expected \"totp\""));
        let mut m = form("JBSWY3DPEHPK3PXP", "totp");
        m.digits = Some(9);
        assert_eq!(err(&m), "digits must be 6 to 8, got 9");
        m.digits = Some(8);
        m.period = Some(0);
        assert!(err(&m).starts_with("period must be 1 to 86400 seconds"));
        m.period = Some(60);
        m.algorithm = Some("MD5");
        assert!(err(&m).contains("unsupported algorithm"));
    }

    #[test]
    fn manual_form_builds_the_account_and_warns_about_short_keys() {
        let mut m = form("jbsw y3dp ehpk 3pxp", "hotp");
        m.counter = Some(5);
        m.digits = Some(8);
        m.algorithm = Some("sha256");
        let (a, warning) = manual_account(&m).expect("valid");
        assert_eq!(a.kind, Kind::Hotp { counter: 5 });
        assert_eq!(a.digits.get(), 8);
        assert_eq!(a.algorithm, Algorithm::Sha256);
        assert_eq!(a.issuer, "Example");
        assert!(warning.is_none());
        let (_, warning) = manual_account(&form("JBSWY3DP", "totp")).expect("valid");
        assert!(warning.expect("short key warns").contains("40 bits"));
    }
}
