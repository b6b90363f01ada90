//! Automatic backups (issue 5; the format is `docs/backup.md`): at most daily, only after a
//! change ([`backup::auto::due`]), into the folder of the settings with their own password
//! kept inside the encrypted vault. A watcher thread checks every minute ([`spawn_auto`]);
//! `backup_now` forces one. The outcome (time, path, or the failure) is kept in
//! [`AppVault::auto_backup`], shown by the settings and announced with the "backup-status"
//! event: failures are shown, never swallowed. Setting the password or the folder is confirmed
//! natively (`native.rs`), as every action that lets a secret leave the vault.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use twofold_core::account::Account;
use twofold_core::backup;
use twofold_core::SecretString;

use crate::commands::backup::{accounts_text, blocking, check_strength};
use crate::commands::import::password_arg;
use crate::commands::now_i64;
use crate::commands::vault::reauthenticate;
use crate::error::{IpcError, IpcResult};
use crate::native::{self, Access, Dialogs, PathTokens};
use crate::state::{self, AppVault, VaultState};
use crate::views::{ms, AutoBackupStatus};

/// How often the automatic-backup watcher looks whether a backup is due.
pub const AUTO_INTERVAL: Duration = Duration::from_secs(60);

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
    use crate::commands::backup::tests::unlocked;

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
}
