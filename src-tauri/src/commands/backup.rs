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
//! - Automatic backups are `auto_backup.rs`'s.

use std::time::Instant;

use tauri::State;
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
    DifferenceView, ExportFormatView, ExportOutcome, SkippedView, TransferQr, VerifyReport,
};

/// Runs `f` on a blocking thread (KDFs, file I/O).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> IpcResult<T> {
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
pub(crate) fn accounts_text(n: usize) -> String {
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
        if let Some(p) = formats::vault_among(&paths, &vault_path) {
            return Err(IpcError::invalid(format!(
                "{} is the vault itself; choose another file",
                p.display()
            )));
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
pub(crate) fn check_strength(password: Option<&SecretString>) -> IpcResult<()> {
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::Path;
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
    pub(crate) fn unlocked(dir: &Path) -> AppVault {
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
