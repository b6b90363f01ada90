//! Adding accounts: QR codes from an image file, pasted image bytes, the screen or the
//! clipboard; `otpauth://` and Google Authenticator `otpauth-migration://` links; the manual
//! form with live validation; then the preview and one atomic import (docs/ipc.md "Commands";
//! security.md I1, I2, I4).
//!
//! Found accounts wait in [`AppVault::pending`] under random tokens: the UI sees their labels
//! and parameters ([`Candidate`]) but never their secrets, and `confirm_import` applies the
//! user's decisions in one save. Decoding runs on blocking threads under the QR engine's own
//! size and time limits.
//!
//! Import from file (issue 5): `read_import_file` reads another app's export (bounded by
//! core's `formats::MAX_FILE_BYTES`), detects the format from the content, asks for the
//! file's password when it is encrypted, converts it on a blocking thread (KDFs take
//! seconds) and keeps the accounts in [`AppVault::pending_file`]; the preview shows labels,
//! duplicates and skipped entries only. `confirm_file_import` merges them with
//! `twofold_core::merge` (skip, replace or keep both) in one save.

use std::time::Instant;

use serde::Deserialize;
use tauri::State;
use twofold_core::account::Account;
use twofold_core::intake::{self, FileIntake};
use twofold_core::merge::{self, DuplicateChoice};
use twofold_core::{capture, formats, fsio, migration, qr, SecretString};
use zeroize::Zeroizing;

use crate::commands::{bounded, now_i64};
use crate::error::{IpcError, IpcResult};
use crate::native::{Access, PathTokens};
use crate::state::{self, AppVault, PendingFile, VaultState, MAX_PENDING};
use crate::views::{
    kind_parts, Candidate, FileEntryView, FileImportOutcome, FilePreview, ImportOutcome,
    ScanResult, SkippedView, Validation,
};

/// Largest image file or pasted image accepted (security.md I2).
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// Registers `account` as a candidate and describes it for the preview; `duplicate_of` is
/// the vault account with the same token (core's `merge::plan` decides).
fn register(s: &mut AppVault, account: Account, duplicate_of: Option<String>) -> Candidate {
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

/// Registers accounts as candidates, marking the ones the vault already has (core's
/// `merge::plan`), and stops at [`MAX_PENDING`] with a message.
fn register_all(s: &mut AppVault, accounts: Vec<Account>, result: &mut ScanResult) {
    let planned = match s.vault() {
        Ok(v) => merge::plan(v.accounts(), accounts),
        Err(_) => merge::plan(&[], accounts),
    };
    for inc in planned {
        if s.pending.len() >= MAX_PENDING {
            result.messages.push(format!(
                "too many accounts waiting to be imported; at most {MAX_PENDING} at once"
            ));
            break;
        }
        let duplicate_of = inc.duplicate_of.map(|id| id.0);
        let candidate = register(s, inc.account, duplicate_of);
        result.candidates.push(candidate);
    }
}

/// Turns QR payloads or pasted links into candidates through core's intake (the CLI's
/// `add --uri` and `scan --add` use the same); problems become messages.
fn candidates_from_payloads(
    s: &mut AppVault,
    payloads: &[String],
    source: intake::Source,
) -> ScanResult {
    let found = intake::texts(payloads, source, now_i64());
    let mut result = ScanResult {
        candidates: Vec::new(),
        messages: found.messages(),
    };
    register_all(s, found.accounts, &mut result);
    result
}

/// The outcome of a QR decode as a scan result: payloads become candidates, a decode
/// failure (no code, unreadable image, time-out) becomes a message.
pub(crate) fn scan_outcome(
    vault: &VaultState,
    decoded: Result<Vec<String>, String>,
) -> IpcResult<ScanResult> {
    let mut s = state::lock(vault);
    s.file()?;
    s.last_activity = Instant::now();
    match decoded {
        Ok(payloads) => {
            let payloads: Vec<Zeroizing<String>> =
                payloads.into_iter().map(Zeroizing::new).collect();
            let plain: Vec<String> = payloads.iter().map(|p| p.as_str().to_owned()).collect();
            let plain = Zeroizing::new(plain);
            Ok(candidates_from_payloads(
                &mut s,
                &plain,
                intake::Source::QrCode,
            ))
        }
        Err(message) => Ok(ScanResult {
            candidates: Vec::new(),
            messages: vec![message],
        }),
    }
}

pub(crate) fn require_unlocked(vault: &VaultState) -> IpcResult<()> {
    state::lock(vault).file().map(|_| ())
}

/// Runs `f` on a blocking thread (image decoding, screen capture).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::internal(format!("the decoder stopped: {e}")))
}

/// Decodes the QR codes in an image file, named by a token from `choose_path` or a drop.
#[tauri::command]
pub async fn scan_image_file(
    vault: State<'_, VaultState>,
    tokens: State<'_, PathTokens>,
    token: String,
) -> IpcResult<ScanResult> {
    let path = tokens.path("image file", &token, Access::Read)?;
    require_unlocked(&vault)?;
    let decoded = blocking(move || {
        read_file_capped(&path, MAX_IMAGE_BYTES)
            .map(|bytes| qr::decode_image_bytes(&bytes).map_err(|e| e.to_string()))
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
    Ok(candidates_from_payloads(
        &mut s,
        &lines,
        intake::Source::Link,
    ))
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
    let form = intake::Manual {
        secret: &secret,
        kind: Some(&kind),
        algorithm: algorithm.as_deref(),
        digits,
        period,
        counter,
        ..intake::Manual::default()
    };
    Ok(match intake::manual_parameters(&form) {
        Ok((.., warning)) => Validation {
            ok: true,
            message: warning,
        },
        Err(e) => Validation {
            ok: false,
            message: Some(e.to_string()),
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
    let form = intake::Manual {
        issuer: &issuer,
        name: &name,
        secret: &secret,
        kind: Some(&kind),
        algorithm: algorithm.as_deref(),
        digits,
        period,
        counter,
    };
    let (account, warning) =
        intake::manual(&form, now_i64()).map_err(|e| IpcError::invalid(e.to_string()))?;
    let mut s = state::lock(&vault);
    s.file()?;
    s.last_activity = Instant::now();
    let mut result = ScanResult {
        candidates: Vec::new(),
        messages: warning.into_iter().collect(),
    };
    register_all(&mut s, vec![account], &mut result);
    Ok(result)
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
    // Core's merge, as for files and the CLI: "replace" follows its one Replace rule (nothing
    // the link cannot carry is lost, an HOTP counter never goes back); "add" of an account the
    // vault already has keeps the vault's.
    let summary = s.mutate(|v| {
        let accounts: Vec<Account> = chosen.iter().map(|(a, _)| a.clone()).collect();
        let plan = merge::plan(v.accounts(), accounts);
        merge::apply(v, plan, |i, _| match chosen[i].1 {
            Action::Replace => DuplicateChoice::Replace,
            Action::Add | Action::Skip => DuplicateChoice::Skip,
        })
        .map_err(IpcError::from)
    })?;
    s.last_activity = Instant::now();
    Ok(ImportOutcome {
        added: summary.added,
        replaced: summary.replaced,
        skipped: skipped + summary.skipped_duplicates,
    })
}

/// Largest import file read (core's limit for every format).
pub const MAX_IMPORT_BYTES: usize = formats::MAX_FILE_BYTES;

/// Reads at most `max` bytes of `path` into a zeroized buffer (export files hold secrets);
/// anything but a regular file (a FIFO, a device, a folder) is refused without blocking
/// (core's `fsio::read_regular`).
///
/// # Errors
/// [`IpcError::InvalidInput`] when the file cannot be opened or read, is not a regular file,
/// or is larger.
pub fn read_file_capped(path: &std::path::Path, max: usize) -> IpcResult<Zeroizing<Vec<u8>>> {
    fsio::read_regular(path, max)
        .map_err(|e| IpcError::invalid(format!("cannot read {}: {e}", path.display())))
}

/// A password argument, bounded and zeroized; `None` or "" is no password.
///
/// # Errors
/// [`IpcError::InvalidInput`] for an over-long password (its length only is reported).
pub fn password_arg(what: &str, password: Option<String>) -> IpcResult<Option<SecretString>> {
    let Some(p) = password.map(Zeroizing::new) else {
        return Ok(None);
    };
    bounded(what, &p, 1024)?;
    if p.is_empty() {
        return Ok(None);
    }
    Ok(Some(SecretString::from(p.as_str())))
}

/// A format error as the UI receives it: a wrong password is `wrongPassword` (the password
/// field is marked), everything else is about the file.
pub fn format_error(e: formats::FormatError) -> IpcError {
    match e {
        formats::FormatError::WrongPassword { .. } => IpcError::WrongPassword(e.to_string()),
        formats::FormatError::PasswordRequired { .. } => IpcError::WrongPassword(e.to_string()),
        _ => IpcError::InvalidInput(e.to_string()),
    }
}

/// Builds the preview of converted accounts against the vault's accounts.
pub fn file_preview(
    existing: &[Account],
    importer: &dyn formats::Importer,
    imported: &formats::Imported,
    import_id: &str,
) -> FilePreview {
    let planned = merge::plan(existing, imported.accounts.clone());
    let entries = planned
        .iter()
        .enumerate()
        .map(|(index, inc)| {
            let a = &inc.account;
            let (kind, digits, period, counter) = kind_parts(a);
            FileEntryView {
                index,
                issuer: a.issuer.clone(),
                name: a.name.clone(),
                kind,
                algorithm: a.algorithm.as_str(),
                digits,
                period,
                counter,
                duplicate_of: inc.duplicate_of.as_ref().map(|id| id.0.clone()),
                duplicate_in_file: inc.duplicate_in_file,
            }
        })
        .collect();
    FilePreview {
        import_id: import_id.to_owned(),
        format: importer.id(),
        format_name: importer.name(),
        needs_password: false,
        entries,
        skipped: imported.skipped.iter().map(SkippedView::from).collect(),
        warnings: imported.warnings.clone(),
    }
}

/// Reads an export file of another app (or a Twofold backup), detects its format from the
/// content, and converts it: the preview (labels, duplicates, skipped entries) comes back,
/// the accounts wait in Rust. An encrypted file without `password` answers
/// `needsPassword: true`. Decryption (KDFs can take seconds) runs on a blocking thread.
#[tauri::command]
pub async fn read_import_file(
    vault: State<'_, VaultState>,
    tokens: State<'_, PathTokens>,
    token: String,
    password: Option<String>,
) -> IpcResult<FilePreview> {
    let path = tokens.path("file to import", &token, Access::Read)?;
    let password = password_arg("password", password)?;
    require_unlocked(&vault)?;
    let now = now_i64();
    let read = blocking(move || -> IpcResult<_> {
        let bytes = read_file_capped(&path, MAX_IMPORT_BYTES)?;
        // Core's intake: detection, "needs a password", conversion (the CLI's import too).
        intake::file(&bytes, None, password.as_ref(), now).map_err(format_error)
    })
    .await??;
    let (importer, imported) = match read {
        FileIntake::NeedsPassword { importer } => {
            return Ok(FilePreview {
                import_id: String::new(),
                format: importer.id(),
                format_name: importer.name(),
                needs_password: true,
                entries: Vec::new(),
                skipped: Vec::new(),
                warnings: Vec::new(),
            });
        }
        FileIntake::Read {
            importer, imported, ..
        } => (importer, imported),
    };
    let mut s = state::lock(&vault);
    let import_id = uuid::Uuid::new_v4().to_string();
    let preview = file_preview(s.vault()?.accounts(), importer, &imported, &import_id);
    s.pending_file = Some(PendingFile {
        id: import_id,
        accounts: imported.accounts,
        skipped: imported.skipped,
    });
    s.last_activity = Instant::now();
    Ok(preview)
}

/// What to do with imported accounts that duplicate vault accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnDuplicate {
    /// Keep the vault's account, drop the incoming one.
    Skip,
    /// Overwrite the vault's account (keeping its id and order).
    Replace,
    /// Add the incoming one as a new account.
    KeepBoth,
}

impl From<OnDuplicate> for DuplicateChoice {
    fn from(c: OnDuplicate) -> Self {
        match c {
            OnDuplicate::Skip => DuplicateChoice::Skip,
            OnDuplicate::Replace => DuplicateChoice::Replace,
            OnDuplicate::KeepBoth => DuplicateChoice::KeepBoth,
        }
    }
}

/// Imports the pending file's accounts in one save: all but the `exclude`d indices, with
/// `onDuplicate` for duplicates of vault accounts. The pending import is gone afterwards.
#[tauri::command]
pub async fn confirm_file_import(
    vault: State<'_, VaultState>,
    import_id: String,
    on_duplicate: OnDuplicate,
    exclude: Vec<usize>,
) -> IpcResult<FileImportOutcome> {
    bounded("import id", &import_id, 64)?;
    if exclude.len() > formats::MAX_ENTRIES {
        return Err(IpcError::invalid(format!(
            "{} exclusions given, expected at most {}",
            exclude.len(),
            formats::MAX_ENTRIES
        )));
    }
    let mut s = state::lock(&vault);
    s.file()?;
    let pending = match s.pending_file.take() {
        Some(p) if p.id == import_id => p,
        other => {
            s.pending_file = other;
            return Err(IpcError::NotFound(
                "this import is no longer pending; read the file again".into(),
            ));
        }
    };
    let excluded: std::collections::BTreeSet<usize> = exclude
        .into_iter()
        .filter(|i| *i < pending.accounts.len())
        .collect();
    let chosen: Vec<Account> = pending
        .accounts
        .iter()
        .enumerate()
        .filter(|(i, _)| !excluded.contains(i))
        .map(|(_, a)| a.clone())
        .collect();
    let choice = DuplicateChoice::from(on_duplicate);
    let summary = s.mutate(|v| {
        let plan = merge::plan(v.accounts(), chosen.clone());
        merge::apply(v, plan, |_, _| choice).map_err(IpcError::from)
    })?;
    s.last_activity = Instant::now();
    Ok(FileImportOutcome {
        added: summary.added,
        replaced: summary.replaced,
        duplicates: summary.skipped_duplicates,
        excluded: excluded.len(),
        skipped: pending.skipped.iter().map(SkippedView::from).collect(),
    })
}

/// Forgets the pending file import.
#[tauri::command]
pub async fn cancel_file_import(vault: State<'_, VaultState>, import_id: String) -> IpcResult<()> {
    bounded("import id", &import_id, 64)?;
    let mut s = state::lock(&vault);
    if s.pending_file.as_ref().is_some_and(|p| p.id == import_id) {
        s.pending_file = None;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::account::{Kind, Period};
    use twofold_core::SecretBytes;

    #[test]
    fn file_preview_marks_vault_and_in_file_duplicates_without_secrets() {
        let make = |issuer: &str, byte: u8| {
            Account::new(
                issuer,
                "me",
                SecretBytes::from_slice(&[byte; 20]),
                Kind::Totp {
                    period: Period::THIRTY,
                },
                0,
            )
        };
        let existing = vec![make("GitHub", 1)];
        let imported = formats::Imported {
            accounts: vec![
                make("GitHub", 1),
                make("GitLab", 2),
                make("GitLab again", 2),
            ],
            skipped: vec![formats::Skipped {
                index: 3,
                label: "Broken".into(),
                reason: "invalid secret".into(),
            }],
            warnings: vec!["a warning".into()],
        };
        let importer = formats::importer("aegis").expect("aegis is registered");
        let p = file_preview(&existing, importer, &imported, "id-1");
        assert_eq!(p.import_id, "id-1");
        assert_eq!((p.format, p.needs_password), ("aegis", false));
        assert_eq!(p.entries.len(), 3);
        assert_eq!(
            p.entries[0].duplicate_of.as_deref(),
            Some(existing[0].id.0.as_str())
        );
        assert!(!p.entries[0].duplicate_in_file);
        assert_eq!(p.entries[1].duplicate_of, None);
        assert!(!p.entries[1].duplicate_in_file);
        assert!(p.entries[2].duplicate_in_file);
        assert_eq!(p.skipped[0].reason, "invalid secret");
        assert_eq!(p.warnings, ["a warning"]);
        let json = serde_json::to_string(&p).expect("serializes");
        let b32 = SecretBytes::from_slice(&[2; 20]).to_base32();
        assert!(!json.contains(b32.expose()), "no secret in the preview");
    }

    #[test]
    fn passwords_are_bounded() {
        assert!(password_arg("password", Some(String::new()))
            .expect("ok")
            .is_none());
        assert!(password_arg("password", Some("x".repeat(2000))).is_err());
    }
}
