//! Export, the restore drill and automatic backups (issue 5; the Twofold backup format is
//! `docs/backup.md`, the other formats `docs/reference/formats.md`).
//!
//! - `export_formats` lists core's exporters with what each cannot carry and what a plain one
//!   exposes; `export_vault` writes the vault in one of them, atomically and readable by the
//!   owner only. A plain export needs the user's explicit confirmation and, on a vault with a
//!   password, that password (as `reveal_secret` does). Encryption (scrypt, Argon2…) runs on
//!   a blocking thread.
//! - `show_transfer_qr` (SHOW) returns the Google Authenticator transfer QR codes as SVG
//!   documents, shown one after another in the window for a phone to scan.
//! - `verify_backup` decrypts a Twofold backup and compares it with the vault account by
//!   account (`twofold_core::backup::compare`), reporting field names only.
//! - Automatic backups: at most daily, only after a change ([`backup::auto::due`]), into the
//!   folder of the settings with their own password kept inside the encrypted vault. A
//!   watcher thread checks every minute ([`spawn_auto`]); `backup_now` forces one. The outcome
//!   (time, path, or the failure) is kept in [`AppVault::auto_backup`], shown by the settings
//!   and announced with the "backup-status" event: failures are shown, never swallowed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use twofold_core::account::Account;
use twofold_core::backup::{self, Difference};
use twofold_core::formats;
use twofold_core::fsio::{self, Existing};
use twofold_core::{migration, qr, strength, SecretString};
use zeroize::Zeroizing;

use crate::commands::import::{format_error, password_arg, read_file_capped};
use crate::commands::vault::reauthenticate;
use crate::commands::{bounded, now_i64};
use crate::error::{IpcError, IpcResult};
use crate::native::{self, Access, Dialogs, PathTokens};
use crate::state::{self, AppVault, VaultState};
use crate::views::{
    ms, AutoBackupStatus, DifferenceView, ExportFormatView, ExportOutcome, SkippedView, TransferQr,
    VerifyReport,
};

/// How often the automatic-backup watcher looks whether a backup is due.
pub const AUTO_INTERVAL: Duration = Duration::from_secs(60);

/// Runs `f` on a blocking thread (KDFs, file I/O).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::internal(format!("the backup task stopped: {e}")))
}

/// The exporter with this id, or an error naming the valid ones.
fn exporter(id: &str) -> IpcResult<&'static dyn formats::Exporter> {
    formats::exporter(id).ok_or_else(|| {
        let ids: Vec<&str> = formats::EXPORTERS.iter().map(|e| e.id()).collect();
        IpcError::invalid(format!(
            "unknown export format {:?}, expected one of {}",
            id.chars().take(32).collect::<String>(),
            ids.join(", ")
        ))
    })
}

/// Every export format, for the export screen.
#[tauri::command]
pub async fn export_formats() -> IpcResult<Vec<ExportFormatView>> {
    Ok(formats::EXPORTERS
        .iter()
        .map(|e| ExportFormatView {
            id: e.id(),
            name: e.name(),
            encrypted: e.encrypted(),
            loses: e.loses().to_vec(),
            exposes: if e.encrypted() { "" } else { e.exposes() },
        })
        .collect())
}

/// How strong a new backup or export password is, by core's one rule (`strength::check`, the
/// CLI's too): the meter's score and whether the export will accept it. The UI shows this
/// instead of estimating on its own, so the window and the export never disagree.
#[tauri::command]
pub async fn password_strength(password: String) -> IpcResult<strength::Assessment> {
    let password = Zeroizing::new(password);
    bounded("password", &password, 1024)?;
    Ok(strength::assess(
        &SecretString::from(password.as_str()),
        &[],
    ))
}

/// The accounts to export: a plain export needs the user's confirmation, and every export
/// (encrypted ones too: a webview could pick its own password) the vault password when the
/// vault has one.
fn accounts_for_export(
    s: &mut AppVault,
    plain: bool,
    confirm_plain: bool,
    vault_password: Option<String>,
) -> IpcResult<Vec<Account>> {
    s.file()?;
    if plain && !confirm_plain {
        return Err(IpcError::invalid(
            "a plain export shows every secret to whoever reads it: confirm it first",
        ));
    }
    reauthenticate(s, vault_password)?;
    s.last_activity = Instant::now();
    Ok(s.vault()?.accounts().to_vec())
}

/// "N accounts" / "1 account".
fn accounts_text(n: usize) -> String {
    if n == 1 {
        "1 account".to_owned()
    } else {
        format!("{n} accounts")
    }
}

/// Exports the vault in `format` to the file chosen in the native chooser (`token`; core's
/// `formats::export_paths` names several files), after a native confirmation naming the
/// format and the destination. Encrypted formats need `password` (the backup's own); plain
/// ones `confirmPlain`; every export the vault password (`vaultPassword`) on a password vault.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn export_vault(
    vault: State<'_, VaultState>,
    dialogs: State<'_, Dialogs>,
    tokens: State<'_, PathTokens>,
    format: String,
    token: String,
    password: Option<String>,
    vault_password: Option<String>,
    confirm_plain: bool,
) -> IpcResult<ExportOutcome> {
    bounded("format", &format, 64)?;
    let exporter = exporter(&format)?;
    let chosen = tokens.path("file to export to", &token, Access::Write)?;
    let password = password_arg("backup password", password)?;
    if exporter.encrypted() && password.is_none() {
        return Err(IpcError::invalid(format!(
            "{} files are encrypted: enter a backup password",
            exporter.name()
        )));
    }
    if exporter.encrypted() {
        check_strength(password.as_ref())?;
    }
    let (accounts, vault_path) = {
        let mut s = state::lock(&vault);
        let accounts =
            accounts_for_export(&mut s, !exporter.encrypted(), confirm_plain, vault_password)?;
        (accounts, s.path().to_path_buf())
    };
    let now = now_i64();
    let count = accounts.len();
    let (files, paths) = blocking(move || -> IpcResult<_> {
        let files = exporter
            .export(&accounts, password.as_ref(), now)
            .map_err(format_error)?;
        if files.is_empty() {
            return Err(IpcError::invalid("there is nothing to export"));
        }
        let paths = formats::export_paths(&chosen, &files);
        for p in &paths {
            if fsio::same_file(p, &vault_path) {
                return Err(IpcError::invalid(format!(
                    "{} is the vault itself; choose another file",
                    p.display()
                )));
            }
        }
        Ok((files, paths))
    })
    .await??;
    let more = match paths.len() {
        1 => String::new(),
        n => format!(" (and {} more files beside it)", n - 1),
    };
    let exposes = if exporter.encrypted() {
        String::new()
    } else {
        format!(
            "\n\nThe file is not encrypted: anyone who reads it gets {}.",
            match exporter.exposes() {
                "" => "every account's secret",
                e => e,
            }
        )
    };
    native::confirm(
        &dialogs,
        "Export accounts",
        format!(
            "Export {} as {} to {}{more}?{exposes}",
            accounts_text(count),
            exporter.name(),
            native::shown(&paths[0])
        ),
        "Export",
    )
    .await?;
    blocking(move || -> IpcResult<ExportOutcome> {
        for (p, f) in paths.iter().zip(&files) {
            fsio::write_private(p, &f.bytes, Existing::Replace)
                .map_err(|e| IpcError::internal(format!("cannot write {}: {e}", p.display())))?;
        }
        Ok(ExportOutcome {
            paths: paths.iter().map(|p| p.display().to_string()).collect(),
            accounts: count,
        })
    })
    .await?
}

/// (SHOW) The Google Authenticator transfer QR codes of the vault, as standalone SVG
/// documents, one per batch of ten accounts, to show one after another; accounts Google
/// Authenticator cannot hold (Steam, 7 digits, other periods…) are left out and named. Needs
/// `confirmPlain` and, on a vault with a password, `vaultPassword`.
#[tauri::command]
pub async fn show_transfer_qr(
    vault: State<'_, VaultState>,
    dialogs: State<'_, Dialogs>,
    vault_password: Option<String>,
    confirm_plain: bool,
) -> IpcResult<TransferQr> {
    let accounts = {
        let mut s = state::lock(&vault);
        accounts_for_export(&mut s, true, confirm_plain, vault_password)?
    };
    native::confirm(
        &dialogs,
        "Show transfer QR codes",
        format!(
            "Show the Google Authenticator transfer QR codes of {} on the screen? Anyone who sees \
             or photographs them gets those accounts.",
            accounts_text(accounts.len())
        ),
        "Show",
    )
    .await?;
    blocking(move || transfer_qr(&accounts)).await?
}

/// The transfer QR codes of `accounts` (see [`show_transfer_qr`]).
///
/// # Errors
/// [`IpcError::InvalidInput`] when no account can be transferred; an encoder failure.
pub fn transfer_qr(accounts: &[Account]) -> IpcResult<TransferQr> {
    // The same transfer links the google-qr exporter writes as PNG files.
    let (fit, left_out): (Vec<&Account>, Vec<&Account>) = accounts
        .iter()
        .partition(|a| migration::encode(&[*a], 0).is_ok());
    if fit.is_empty() {
        return Err(IpcError::invalid(
            "no account can be moved to Google Authenticator",
        ));
    }
    let batch_id = i32::from_le_bytes(
        uuid::Uuid::new_v4().as_bytes()[..4]
            .try_into()
            // Invariant: a UUID has 16 bytes, so the first 4 always exist.
            .unwrap_or([0; 4]),
    ) & i32::MAX;
    let payloads = migration::encode(&fit, batch_id)
        .map_err(|e| IpcError::invalid(format!("cannot make transfer QR codes: {e}")))?;
    let codes = payloads
        .iter()
        .map(|p| qr::encode_svg(p.expose()).map_err(IpcError::from))
        .collect::<IpcResult<Vec<String>>>()?;
    Ok(TransferQr {
        codes,
        left_out: left_out.iter().map(|a| label(a)).collect(),
    })
}

/// `issuer (name)`, or whichever of the two exists.
fn label(a: &Account) -> String {
    match (a.issuer.is_empty(), a.name.is_empty()) {
        (false, false) => format!("{} ({})", a.issuer, a.name),
        (false, true) => a.issuer.clone(),
        _ => a.name.clone(),
    }
}

/// A core difference as the report shows it.
fn difference_view(d: &Difference) -> DifferenceView {
    match d {
        Difference::MissingFromBackup { label } => DifferenceView {
            kind: "missingFromBackup",
            label: label.clone(),
            fields: Vec::new(),
        },
        Difference::MissingFromVault { label } => DifferenceView {
            kind: "missingFromVault",
            label: label.clone(),
            fields: Vec::new(),
        },
        Difference::Changed { label, fields } => DifferenceView {
            kind: "changed",
            label: label.clone(),
            fields: fields.clone(),
        },
    }
}

/// Refuses a weak new backup password (security.md B2). The UI's meter gates the same rule;
/// this is the check that counts, whatever the webview sends.
fn check_strength(password: Option<&SecretString>) -> IpcResult<()> {
    match password {
        Some(p) => twofold_core::strength::check(p, &[])
            .map(drop)
            .map_err(|weak| IpcError::invalid(format!("backup password: {weak}"))),
        None => Ok(()),
    }
}

/// The restore drill: decrypts the Twofold backup chosen (`token`) with `password` and compares it
/// with the vault account by account.
#[tauri::command]
pub async fn verify_backup(
    vault: State<'_, VaultState>,
    tokens: State<'_, PathTokens>,
    token: String,
    password: Option<String>,
) -> IpcResult<VerifyReport> {
    let path = tokens.path("backup file", &token, Access::Read)?;
    let Some(password) = password_arg("backup password", password)? else {
        return Err(IpcError::WrongPassword(
            "enter the backup's password".into(),
        ));
    };
    let vault_accounts = {
        let s = state::lock(&vault);
        s.vault()?.accounts().to_vec()
    };
    let now = now_i64();
    blocking(move || -> IpcResult<VerifyReport> {
        let bytes = read_file_capped(&path, formats::MAX_FILE_BYTES)?;
        let json = backup::decrypt(&bytes, &password).map_err(format_error)?;
        let imported = backup::from_json(&json, now).map_err(format_error)?;
        let differences = backup::compare(&imported.accounts, &vault_accounts);
        Ok(verify_report(
            imported.accounts.len(),
            vault_accounts.len(),
            &differences,
            &imported.skipped,
        ))
    })
    .await?
}

/// The report for a comparison: it matches when nothing differs and nothing was skipped.
pub fn verify_report(
    backup_accounts: usize,
    vault_accounts: usize,
    differences: &[Difference],
    skipped: &[formats::Skipped],
) -> VerifyReport {
    VerifyReport {
        backup_accounts,
        vault_accounts,
        matches: differences.is_empty() && skipped.is_empty(),
        differences: differences.iter().map(difference_view).collect(),
        skipped: skipped.iter().map(SkippedView::from).collect(),
    }
}

/// The automatic backups' status, with the newest file in the folder.
pub fn auto_status(s: &AppVault) -> AutoBackupStatus {
    let settings = &s.settings;
    let dir = settings
        .auto_backup_dir
        .as_deref()
        .filter(|d| !d.is_empty());
    let newest = dir.and_then(|d| backup::auto::list(Path::new(d)).ok()?.into_iter().next());
    let run = &s.auto_backup;
    // This session's last backup, or the newest one found in the folder.
    let (at, path) = match (&run.last_at, &newest) {
        (Some(at), Some((p, t))) if t > at => (Some(*t), Some(p.clone())),
        (Some(at), _) => (Some(*at), run.last_path.clone()),
        (None, Some((p, t))) => (Some(*t), Some(p.clone())),
        (None, None) => (None, None),
    };
    AutoBackupStatus {
        enabled: settings.auto_backup,
        dir: dir.map(str::to_owned),
        keep: settings.auto_backup_keep,
        has_password: s
            .vault()
            .ok()
            .is_some_and(|v| v.auto_backup_password().is_some()),
        last_backup_at: at.map(ms),
        last_backup_path: path.map(|p| p.display().to_string()),
        last_error: run.last_error.clone(),
        failed_at: run.failed_at.map(ms),
        running: run.running,
    }
}

/// One automatic backup to write: everything it needs, taken out of the state so the
/// encryption runs without holding the lock.
pub struct AutoJob {
    dir: PathBuf,
    accounts: Vec<Account>,
    password: SecretString,
    keep: usize,
}

/// Decides under the lock whether a backup is to be written now (`force`: whenever
/// possible). `Ok(None)`: nothing to do; `Err`: a reason the user must see.
///
/// # Errors
/// Automatic backups are on (or forced) but cannot run: no folder, no password, locked, or
/// the folder cannot be listed.
pub fn auto_job(s: &mut AppVault, force: bool, now: i64) -> Result<Option<AutoJob>, String> {
    if !force && !s.settings.auto_backup {
        return Ok(None);
    }
    if s.auto_backup.running {
        return Ok(None);
    }
    let Some(dir) = s
        .settings
        .auto_backup_dir
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
    else {
        return Err("choose a folder for automatic backups".into());
    };
    let Ok(v) = s.vault() else {
        // Locked: nothing can be read; the next unlocked check catches up.
        return if force {
            Err("the vault is locked; unlock it first".into())
        } else {
            Ok(None)
        };
    };
    let Some(password) = v.auto_backup_password().cloned() else {
        return Err("set a password for automatic backups".into());
    };
    if !force {
        let newest = backup::auto::list(&dir)
            .map_err(|e| e.to_string())?
            .first()
            .map(|(_, t)| *t);
        let last_change = std::fs::metadata(s.path())
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .unwrap_or(now);
        if !backup::auto::due(newest, last_change, now) {
            return Ok(None);
        }
    }
    let accounts = v.accounts().to_vec();
    s.auto_backup.running = true;
    Ok(Some(AutoJob {
        dir,
        accounts,
        password,
        keep: usize::try_from(s.settings.auto_backup_keep).unwrap_or(backup::auto::DEFAULT_KEEP),
    }))
}

/// Writes the backup of `job` (no lock held).
///
/// # Errors
/// The reason, for the status line.
pub fn run_job(job: &AutoJob, now: i64) -> Result<PathBuf, String> {
    backup::auto::write(&job.dir, &job.accounts, &job.password, now, job.keep)
        .map_err(|e| e.to_string())
}

/// Records the outcome of an attempt in the state.
pub fn record(s: &mut AppVault, outcome: Result<PathBuf, String>, now: i64) {
    s.auto_backup.running = false;
    match outcome {
        Ok(path) => {
            s.auto_backup.last_at = Some(now);
            s.auto_backup.last_path = Some(path);
            s.auto_backup.last_error = None;
            s.auto_backup.failed_at = None;
        }
        Err(reason) => {
            s.auto_backup.last_error = Some(reason);
            s.auto_backup.failed_at = Some(now);
        }
    }
}

/// One check of the automatic backups: writes one when due (or `force`d) and records the
/// outcome. Returns the status when something happened (a backup, or a failure to report).
pub fn auto_check(vault: &VaultState, force: bool) -> Option<AutoBackupStatus> {
    let now = now_i64();
    let job = {
        let mut s = state::lock(vault);
        match auto_job(&mut s, force, now) {
            Ok(Some(job)) => job,
            Ok(None) => return None,
            Err(reason) => {
                // Report a standing problem once, not every minute.
                if s.auto_backup.last_error.as_deref() == Some(reason.as_str()) && !force {
                    return None;
                }
                record(&mut s, Err(reason), now);
                return Some(auto_status(&s));
            }
        }
    };
    let outcome = run_job(&job, now);
    let mut s = state::lock(vault);
    record(&mut s, outcome, now);
    Some(auto_status(&s))
}

/// Starts the automatic-backup watcher: every [`AUTO_INTERVAL`], writes a backup when one is
/// due and tells the UI ("backup-status", the [`AutoBackupStatus`]).
pub fn spawn_auto<R: Runtime>(app: AppHandle<R>) {
    let started = std::thread::Builder::new()
        .name("twofold-backup".into())
        .spawn(move || loop {
            std::thread::sleep(AUTO_INTERVAL);
            check_and_emit(&app, false);
        });
    if let Err(e) = started {
        eprintln!("twofold: cannot start the automatic backups: {e}");
    }
}

/// Runs [`auto_check`] and emits "backup-status" when something happened.
pub fn check_and_emit<R: Runtime>(app: &AppHandle<R>, force: bool) -> Option<AutoBackupStatus> {
    let vault = app.try_state::<VaultState>()?;
    let status = auto_check(&vault, force)?;
    let _ = app.emit("backup-status", status.clone());
    Some(status)
}

/// The automatic backups' status.
#[tauri::command]
pub async fn auto_backup_status(vault: State<'_, VaultState>) -> IpcResult<AutoBackupStatus> {
    Ok(auto_status(&state::lock(&vault)))
}

/// Sets (or with `null` removes) the automatic backups' own password, saved inside the
/// encrypted vault; then checks whether a backup is due.
#[tauri::command]
pub async fn set_auto_backup_password<R: Runtime>(
    app: AppHandle<R>,
    vault: State<'_, VaultState>,
    dialogs: State<'_, Dialogs>,
    password: Option<String>,
    vault_password: Option<String>,
) -> IpcResult<AutoBackupStatus> {
    let password = password_arg("backup password", password)?;
    check_strength(password.as_ref())?;
    if password.is_some() {
        // A webview that chose this password could read every later backup: the vault
        // password (when there is one) and a native confirmation first.
        let (count, dir) = {
            let mut s = state::lock(&vault);
            reauthenticate(&mut s, vault_password)?;
            (s.vault()?.len(), s.settings.auto_backup_dir.clone())
        };
        let dest = dir.unwrap_or_else(|| "the folder you choose".to_owned());
        native::confirm(
            &dialogs,
            "Automatic backups",
            format!(
                "Encrypt the automatic backups of your {} with this new password? They are \
                 written to {dest}.",
                accounts_text(count)
            ),
            "Use this password",
        )
        .await?;
    }
    {
        let mut s = state::lock(&vault);
        s.mutate(|v| {
            v.set_auto_backup_password(password.clone());
            Ok(())
        })?;
        s.last_activity = Instant::now();
        // A standing "set a password" problem is solved now.
        s.auto_backup.last_error = None;
        s.auto_backup.failed_at = None;
    }
    let handle = app.clone();
    std::thread::spawn(move || {
        check_and_emit(&handle, false);
    });
    Ok(auto_status(&state::lock(&vault)))
}

/// Sets the automatic backups' folder to the one chosen in the native chooser (`token`), after
/// the vault password (when there is one) and a native confirmation naming the folder; `null`
/// clears it. The folder is never a free string from the page (issue 11 item 4).
#[tauri::command]
pub async fn set_auto_backup_folder(
    vault: State<'_, VaultState>,
    dialogs: State<'_, Dialogs>,
    tokens: State<'_, PathTokens>,
    token: Option<String>,
    vault_password: Option<String>,
) -> IpcResult<AutoBackupStatus> {
    let folder = match token {
        Some(t) => Some(tokens.path("backup folder", &t, Access::Folder)?),
        None => None,
    };
    if let Some(folder) = &folder {
        let count = {
            let mut s = state::lock(&vault);
            reauthenticate(&mut s, vault_password)?;
            s.vault()?.len()
        };
        native::confirm(
            &dialogs,
            "Automatic backups",
            format!(
                "Write encrypted automatic backups of your {} to {}?",
                accounts_text(count),
                native::shown(folder)
            ),
            "Use this folder",
        )
        .await?;
    }
    let mut s = state::lock(&vault);
    let old = s.settings.auto_backup_dir.clone();
    s.settings.auto_backup_dir = folder.map(|f| f.display().to_string());
    if let Err(e) = s.save_settings() {
        s.settings.auto_backup_dir = old;
        return Err(IpcError::Internal(e));
    }
    s.auto_backup.last_error = None;
    s.auto_backup.failed_at = None;
    s.last_activity = Instant::now();
    Ok(auto_status(&s))
}

/// Writes an automatic backup now, due or not (after one already being written, if any);
/// the status says how it went.
#[tauri::command]
pub async fn backup_now<R: Runtime>(
    app: AppHandle<R>,
    vault: State<'_, VaultState>,
) -> IpcResult<AutoBackupStatus> {
    state::lock(&vault).last_activity = Instant::now();
    let handle = app.clone();
    blocking(move || {
        // One already being written (the watcher's) finishes first; then this one runs.
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let running = handle
                .try_state::<VaultState>()
                .is_some_and(|v| state::lock(&v).auto_backup.running);
            if !running {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        check_and_emit(&handle, true)
    })
    .await?;
    Ok(auto_status(&state::lock(&vault)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::account::{Kind, Period};
    use twofold_core::keychain::MemoryKeyStore;
    use twofold_core::vault::{CreateOptions, KdfParams, VaultFile};
    use twofold_core::SecretBytes;

    fn account(issuer: &str, byte: u8) -> Account {
        Account::new(
            issuer,
            "me",
            SecretBytes::from_slice(&[byte; 20]),
            Kind::Totp {
                period: Period::THIRTY,
            },
            0,
        )
    }

    /// An unlocked state on a fresh password vault holding one account.
    fn unlocked(dir: &Path) -> AppVault {
        let store = MemoryKeyStore::new();
        let path = dir.join("vault.twofold");
        let opts = CreateOptions {
            keychain: false,
            password: Some(SecretString::from("vault password")),
            keychain_and_password: false,
            kdf: KdfParams::MINIMUM,
        };
        let (file, _) = VaultFile::create(&path, opts, &store, 0).expect("creates");
        let mut s = AppVault::for_tests(path, store);
        s.install(file);
        s.mutate(|v| v.add(account("GitHub", 1)).map_err(IpcError::from))
            .expect("adds");
        s
    }

    #[test]
    fn automatic_backups_say_what_is_missing_then_run_when_due_and_not_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = unlocked(dir.path());
        let now = now_i64();
        assert!(
            matches!(auto_job(&mut s, false, now), Ok(None)),
            "off: nothing"
        );
        s.settings.auto_backup = true;
        let err = auto_job(&mut s, false, now).err().expect("no folder");
        assert!(err.contains("folder"), "{err}");
        let backups = dir.path().join("backups");
        std::fs::create_dir(&backups).expect("creates");
        s.settings.auto_backup_dir = Some(backups.display().to_string());
        let err = auto_job(&mut s, false, now).err().expect("no password");
        assert!(err.contains("password"), "{err}");
        record(&mut s, Err(err), now);
        assert!(auto_status(&s).last_error.is_some(), "the failure is shown");

        s.mutate(|v| {
            v.set_auto_backup_password(Some(SecretString::from("backup password")));
            Ok(())
        })
        .expect("saves the password");
        let job = auto_job(&mut s, false, now)
            .expect("runs")
            .expect("due: there is no backup yet");
        assert!(s.auto_backup.running);
        assert!(
            matches!(auto_job(&mut s, true, now), Ok(None)),
            "one at a time"
        );
        let written = run_job(&job, now);
        record(&mut s, written, now);
        let status = auto_status(&s);
        assert_eq!(status.last_error, None);
        assert_eq!(status.last_backup_at, Some(ms(now)));
        assert!(status.has_password && !status.running);
        let path = PathBuf::from(status.last_backup_path.expect("a path"));
        assert!(path.starts_with(&backups), "{}", path.display());
        // Decrypts with the backup password to the vault's one account.
        let bytes = std::fs::read(&path).expect("reads");
        let json =
            backup::decrypt(&bytes, &SecretString::from("backup password")).expect("decrypts");
        let back = backup::from_json(&json, now).expect("parses");
        assert_eq!(back.accounts.len(), 1);
        assert_eq!(back.accounts[0].issuer, "GitHub");

        assert!(
            matches!(auto_job(&mut s, false, now + 60), Ok(None)),
            "not due again a minute later"
        );
        assert!(
            auto_job(&mut s, true, now + 60).expect("runs").is_some(),
            "Back up now runs anyway"
        );
    }

    #[test]
    fn transfer_codes_leave_out_what_google_authenticator_cannot_hold() {
        let mut steam = account("Steam", 2);
        steam.kind = Kind::Steam;
        let qr = transfer_qr(&[account("GitHub", 1), steam.clone()]).expect("codes");
        assert_eq!(qr.codes.len(), 1);
        assert!(qr.codes[0].starts_with("<svg"));
        assert_eq!(qr.left_out, ["Steam (me)"]);
        assert!(transfer_qr(&[steam]).is_err());
    }

    #[test]
    fn every_export_format_says_what_it_loses_and_plain_ones_what_they_expose() {
        let list = tauri::async_runtime::block_on(export_formats()).expect("lists");
        let ids: Vec<&str> = list.iter().map(|f| f.id).collect();
        for id in ["twofold", "aegis", "aegis-plain", "uris", "google-qr"] {
            assert!(ids.contains(&id), "{id} is offered");
        }
        for f in &list {
            assert_eq!(f.encrypted, f.exposes.is_empty(), "{}: exposes", f.id);
        }
        assert!(exporter("zip").is_err());
    }

    #[test]
    fn the_report_matches_only_without_differences_or_skipped_entries() {
        assert!(verify_report(2, 2, &[], &[]).matches);
        let changed = Difference::Changed {
            label: "GitHub (alice)".into(),
            fields: vec!["counter"],
        };
        let report = verify_report(2, 2, &[changed], &[]);
        assert!(!report.matches);
        assert_eq!(report.differences[0].kind, "changed");
        assert_eq!(report.differences[0].fields, ["counter"]);
        let skipped = formats::Skipped {
            index: 1,
            label: "X".into(),
            reason: "bad".into(),
        };
        assert!(!verify_report(1, 1, &[], &[skipped]).matches);
    }

    #[test]
    fn weak_backup_passwords_are_refused_in_rust() {
        let err = check_strength(Some(&SecretString::from("password1"))).unwrap_err();
        assert!(
            matches!(&err, IpcError::InvalidInput(m) if m.contains("too weak")),
            "{err:?}"
        );
        assert!(check_strength(Some(&SecretString::from("a long backup passphrase"))).is_ok());
        assert!(check_strength(None).is_ok());
    }
}
