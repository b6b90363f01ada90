//! What crosses the IPC: the view types of docs/ipc.md ("Types"), mirrored in
//! `ui/src/lib/types.ts`.
//!
//! These are built from core types by value and hold no secret, with deliberate exceptions
//! that only the explicit SHOW commands return: [`RecoveryCodeView`], [`RevealedSecret`] and
//! [`TransferQr`] (an account's secrets, after a native confirmation), and
//! [`RecoveryKeyView`] and [`CredentialChangeView`] (a new recovery key, shown once)
//! (security.md T4). Each wipes its secret when dropped. Times are unix **milliseconds** for
//! the UI.

use serde::{Deserialize, Serialize};
use twofold_core::account::{Account, Kind};
use twofold_core::otp::Code;

/// Seconds (core's unit) to milliseconds (the UI's).
pub fn ms(seconds: i64) -> i64 {
    seconds.saturating_mul(1000)
}

/// Unsigned seconds to milliseconds, saturating at `i64::MAX`.
pub fn ms_u(seconds: u64) -> i64 {
    i64::try_from(seconds)
        .unwrap_or(i64::MAX)
        .saturating_mul(1000)
}

/// One account's labels and parameters; never its secret or recovery codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// The account id.
    pub id: String,
    /// The service.
    pub issuer: String,
    /// The account at that service.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: &'static str,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: &'static str,
    /// Code length (5 for Steam).
    pub digits: u8,
    /// TOTP/Steam period in seconds.
    pub period: Option<u32>,
    /// HOTP counter of the next code.
    pub counter: Option<u64>,
    /// Icon hint (brand slug).
    pub icon: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Pinned on top.
    pub favourite: bool,
    /// Manual sort position.
    pub order: i64,
    /// Notes.
    pub notes: String,
    /// Number of recovery codes stored.
    pub recovery_codes_total: usize,
    /// Number of recovery codes not marked used.
    pub recovery_codes_unused: usize,
    /// Last copy (ms).
    pub last_used_at: Option<i64>,
    /// Creation (ms).
    pub created_at: i64,
}

/// `(kind, digits, period, counter)` as the views show them.
pub fn kind_parts(account: &Account) -> (&'static str, u8, Option<u32>, Option<u64>) {
    match account.kind {
        Kind::Totp { period } => ("totp", account.digits.get(), Some(period.seconds()), None),
        Kind::Hotp { counter } => ("hotp", account.digits.get(), None, Some(counter)),
        Kind::Steam => (
            "steam",
            twofold_core::otp::STEAM_CHARS as u8,
            Some(twofold_core::otp::STEAM_PERIOD),
            None,
        ),
    }
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        let (kind, digits, period, counter) = kind_parts(a);
        AccountView {
            id: a.id.0.clone(),
            issuer: a.issuer.clone(),
            name: a.name.clone(),
            kind,
            algorithm: a.algorithm.as_str(),
            digits,
            period,
            counter,
            icon: a.icon.clone(),
            tags: a.tags.clone(),
            favourite: a.favourite,
            order: a.order,
            notes: a.notes.clone(),
            recovery_codes_total: a.recovery_codes.len(),
            recovery_codes_unused: a.recovery_codes.iter().filter(|r| !r.used).count(),
            last_used_at: a.last_used_at.map(ms),
            created_at: ms(a.created_at),
        }
    }
}

/// A code to show, with its validity window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeView {
    /// The account id.
    pub id: String,
    /// The code ("" for an HOTP account with no code generated in this session).
    pub code: String,
    /// The next period's code (TOTP/Steam).
    pub next: Option<String>,
    /// Start of validity (ms), TOTP/Steam.
    pub valid_from: Option<i64>,
    /// End of validity, exclusive (ms), TOTP/Steam.
    pub valid_until: Option<i64>,
    /// Period in seconds, TOTP/Steam.
    pub period: Option<u32>,
}

impl CodeView {
    /// A time-based code and the one after it.
    pub fn timed(account: &Account, now: &Code, next: Option<Code>, period: u32) -> Self {
        CodeView {
            id: account.id.0.clone(),
            code: now.code.clone(),
            next: next.map(|c| c.code),
            valid_from: now.valid_from.map(ms_u),
            valid_until: now.valid_until.map(ms_u),
            period: Some(period),
        }
    }

    /// An HOTP code (or "" when none was generated yet).
    pub fn counter_based(account: &Account, code: String) -> Self {
        CodeView {
            id: account.id.0.clone(),
            code,
            next: None,
            valid_from: None,
            valid_until: None,
            period: None,
        }
    }
}

/// The `needs` of [`VaultStatus`]: what the unlock screen must ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Needs {
    /// Nothing: the vault is open, or the keychain can open it (call `unlock` with nulls).
    Nothing,
    /// The password (the recovery key works too).
    Password,
    /// The vault has no password slot: only the recovery key (or a working keychain) opens it.
    PasswordOrRecoveryKey,
}

/// The vault's state for the first-run and unlock screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    /// `none`, `locked` or `unlocked`.
    pub state: &'static str,
    /// The vault file.
    pub vault_path: String,
    /// `keychain`, `password`, `keychainAndPassword`, `recoveryKey`.
    pub slots: Vec<&'static str>,
    /// Whether the OS keychain answers.
    pub keychain_available: bool,
    /// Why it does not.
    pub keychain_error: Option<String>,
    /// What unlocking needs.
    pub needs: Needs,
    /// Why the vault is locked (auto-lock, tray, keychain failure), for the unlock screen.
    pub reason: Option<String>,
    /// When unlocked: the vault file is older than a copy beside it or than what this session
    /// saw (a sync tool or a restore put an older file in place; issue 11 item 2).
    pub rollback: Option<RollbackView>,
}

/// A rollback, for the banner that offers the newer copy back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RollbackView {
    /// The generation of the vault file now.
    pub current: u64,
    /// The newest generation known.
    pub newer: u64,
    /// Whether a newer copy is at hand (beside the vault, or still in this session's memory),
    /// so that `restore_newer_copy` can take it back.
    pub can_restore: bool,
}

/// User settings, stored as JSON in the app's config dir (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Clear the clipboard after this many seconds (0 = never, else 5..=300).
    pub clipboard_timeout_secs: u32,
    /// Lock after this many idle minutes (0 = never).
    pub auto_lock_mins: u32,
    /// `system`, `light` or `dark`.
    pub theme: String,
    /// Closing the window hides it to the tray.
    pub close_to_tray: bool,
    /// Start hidden in the tray.
    pub start_minimised: bool,
    /// Global shortcut that shows the window with the search focused.
    pub global_shortcut: Option<String>,
    /// Show the next code beside the current one.
    pub show_next_code: bool,
    /// `alpha`, `manual` or `recent`.
    pub sort_mode: String,
    /// Write automatic backups (issue 5).
    pub auto_backup: bool,
    /// The folder automatic backups go to.
    pub auto_backup_dir: Option<String>,
    /// How many automatic backups to keep (1 to 1000, default 10).
    pub auto_backup_keep: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            clipboard_timeout_secs: 30,
            auto_lock_mins: 10,
            theme: "system".into(),
            close_to_tray: false,
            start_minimised: false,
            global_shortcut: Some("CommandOrControl+Shift+K".into()),
            show_next_code: false,
            sort_mode: "alpha".into(),
            auto_backup: false,
            auto_backup_dir: None,
            auto_backup_keep: 10,
        }
    }
}

impl Settings {
    /// Checks every field's range.
    ///
    /// # Errors
    /// A message naming the field, the value and what was expected.
    pub fn validate(&self) -> Result<(), String> {
        let t = self.clipboard_timeout_secs;
        if t != 0 && !(5..=300).contains(&t) {
            return Err(format!(
                "clipboard timeout must be 0 (never) or 5 to 300 seconds, got {t}"
            ));
        }
        if self.auto_lock_mins > 24 * 60 {
            return Err(format!(
                "auto-lock must be 0 (never) to 1440 minutes, got {}",
                self.auto_lock_mins
            ));
        }
        if !["system", "light", "dark"].contains(&self.theme.as_str()) {
            return Err(format!(
                "theme must be \"system\", \"light\" or \"dark\", got {:?}",
                self.theme
            ));
        }
        if !["alpha", "manual", "recent"].contains(&self.sort_mode.as_str()) {
            return Err(format!(
                "sort mode must be \"alpha\", \"manual\" or \"recent\", got {:?}",
                self.sort_mode
            ));
        }
        if !(1..=1000).contains(&self.auto_backup_keep) {
            return Err(format!(
                "automatic backups to keep must be 1 to 1000, got {}",
                self.auto_backup_keep
            ));
        }
        match self.auto_backup_dir.as_deref().filter(|d| !d.is_empty()) {
            Some(d) if d.len() > 4096 => {
                return Err(format!(
                    "automatic backup folder is {} bytes long, expected at most 4096",
                    d.len()
                ))
            }
            Some(d) if !std::path::Path::new(d).is_absolute() => {
                return Err(format!(
                    "automatic backup folder must be an absolute path, got {d:?}"
                ))
            }
            None if self.auto_backup => {
                return Err("choose a folder for automatic backups".into());
            }
            _ => {}
        }
        if let Some(s) = &self.global_shortcut {
            if s.len() > 64 {
                return Err(format!(
                    "global shortcut is {} bytes long, expected at most 64",
                    s.len()
                ));
            }
        }
        Ok(())
    }
}

/// One import candidate: labels and parameters of an account found in a QR code, URI or the
/// manual form, waiting for the user's decision. The secret stays in Rust, under `token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// Opaque handle for `confirm_import`.
    pub token: String,
    /// The service.
    pub issuer: String,
    /// The account.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: &'static str,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: &'static str,
    /// Code length.
    pub digits: u8,
    /// Period (TOTP/Steam).
    pub period: Option<u32>,
    /// Counter (HOTP).
    pub counter: Option<u64>,
    /// The id of an existing account with the same secret and parameters.
    pub duplicate_of: Option<String>,
}

/// What a scan or parse found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// Accounts to preview.
    pub candidates: Vec<Candidate>,
    /// Per-QR and per-entry problems, human readable.
    pub messages: Vec<String>,
}

/// What `confirm_import` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    /// New accounts.
    pub added: usize,
    /// Existing accounts replaced.
    pub replaced: usize,
    /// Candidates skipped (by choice, duplicates, unknown tokens).
    pub skipped: usize,
}

/// One recovery code (SHOW: only `list_recovery_codes` returns these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodeView {
    /// Position in the account's list, from 0 (what `set_recovery_code_used` takes).
    pub index: usize,
    /// The code.
    pub code: String,
    /// Marked used.
    pub used: bool,
    /// When (ms).
    pub used_at: Option<i64>,
}

/// The secret of one account for moving it to another device (SHOW: `reveal_secret` only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevealedSecret {
    /// Base32, unpadded.
    pub secret: String,
    /// The `otpauth://` URI.
    pub uri: String,
    /// The URI as a QR code, a standalone SVG document.
    pub qr_svg: String,
}

// The SHOW responses wipe their own copy of the secret once Tauri has serialized them
// (security.md D5; issue 11 item 10).
impl Drop for RecoveryCodeView {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.code);
    }
}

impl Drop for RevealedSecret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
        zeroize::Zeroize::zeroize(&mut self.uri);
        zeroize::Zeroize::zeroize(&mut self.qr_svg);
    }
}

impl Drop for TransferQr {
    fn drop(&mut self) {
        for c in &mut self.codes {
            zeroize::Zeroize::zeroize(c);
        }
    }
}

impl Drop for RecoveryKeyView {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.recovery_key);
    }
}

impl Drop for CredentialChangeView {
    fn drop(&mut self) {
        if let Some(k) = &mut self.recovery_key {
            zeroize::Zeroize::zeroize(k);
        }
    }
}

/// A recovery key shown once (SHOW: `create_vault`, `regenerate_recovery_key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryKeyView {
    /// The grouped key.
    pub recovery_key: String,
}

/// What a credential change did (`set_password`, `regenerate_recovery_key`). The data key
/// was rotated: no copy beside the vault opens with the old credential any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialChangeView {
    /// The vault's state afterwards.
    pub status: VaultStatus,
    /// A new recovery key to show once (SHOW): the one asked for, or the replacement of an
    /// older-format vault's key that could not be kept.
    pub recovery_key: Option<String>,
    /// Earlier copies beside the vault sealed again under the new key.
    pub copies_resealed: usize,
    /// Earlier copies removed because they could not be sealed again.
    pub copies_removed: usize,
}

/// When the clipboard will be cleared (ms), if ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyOutcome {
    /// Deadline of the automatic clear.
    pub clears_at: Option<i64>,
}

/// A deleted account's undo handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoToken {
    /// Pass to `undo_delete` within 10 s.
    pub undo_token: String,
}

/// The manual form's live validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    /// Whether the form can be submitted.
    pub ok: bool,
    /// What is wrong (or a warning when `ok`).
    pub message: Option<String>,
}

/// One account of an import file, as the preview shows it: labels and parameters, never the
/// secret (the account waits in Rust under [`FilePreview::import_id`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileEntryView {
    /// Position among the converted accounts (what `confirm_file_import` excludes by).
    pub index: usize,
    /// The service.
    pub issuer: String,
    /// The account.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: &'static str,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: &'static str,
    /// Code length.
    pub digits: u8,
    /// Period (TOTP/Steam).
    pub period: Option<u32>,
    /// Counter (HOTP).
    pub counter: Option<u64>,
    /// The id of the vault account with the same secret and parameters, if any.
    pub duplicate_of: Option<String>,
    /// Whether an earlier entry of the same file has the same secret and parameters.
    pub duplicate_in_file: bool,
}

/// An entry of an import file that could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedView {
    /// Position of the entry in the file, from 0.
    pub index: usize,
    /// How the file names it (never its secret); may be empty.
    pub label: String,
    /// Why it was skipped.
    pub reason: String,
}

impl From<&twofold_core::formats::Skipped> for SkippedView {
    fn from(s: &twofold_core::formats::Skipped) -> Self {
        SkippedView {
            index: s.index,
            label: s.label.clone(),
            reason: s.reason.clone(),
        }
    }
}

/// What `read_import_file` found: the format, and either "needs a password" or the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilePreview {
    /// Handle for `confirm_file_import` / `cancel_file_import` ("" while a password is needed).
    pub import_id: String,
    /// The importer's id (`aegis`, `twofas`, …).
    pub format: &'static str,
    /// The format's human name.
    pub format_name: &'static str,
    /// The file is encrypted and no password was given: ask for it and call again.
    pub needs_password: bool,
    /// The accounts found.
    pub entries: Vec<FileEntryView>,
    /// Entries that could not be converted, with the reason.
    pub skipped: Vec<SkippedView>,
    /// File-level notices (e.g. a missing Google Authenticator batch).
    pub warnings: Vec<String>,
}

/// What `confirm_file_import` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileImportOutcome {
    /// New accounts.
    pub added: usize,
    /// Vault accounts replaced.
    pub replaced: usize,
    /// Duplicates left out.
    pub duplicates: usize,
    /// Entries the user unticked.
    pub excluded: usize,
    /// Entries of the file that could not be converted, with the reason.
    pub skipped: Vec<SkippedView>,
}

/// An export format for the export screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFormatView {
    /// Stable id (`twofold`, `aegis`, `aegis-plain`, `uris`, `google-qr`).
    pub id: &'static str,
    /// Human name.
    pub name: &'static str,
    /// Whether the file is encrypted (a backup password is needed).
    pub encrypted: bool,
    /// What the format cannot carry, listed before writing.
    pub loses: Vec<&'static str>,
    /// What a plain export exposes ("" for encrypted formats).
    pub exposes: &'static str,
}

/// What `export_vault` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportOutcome {
    /// The files written.
    pub paths: Vec<String>,
    /// How many accounts they hold.
    pub accounts: usize,
}

/// One difference the restore drill found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DifferenceView {
    /// `missingFromBackup`, `missingFromVault` or `changed`.
    pub kind: &'static str,
    /// The account's label.
    pub label: String,
    /// For `changed`: the fields that differ (names only, never values).
    pub fields: Vec<&'static str>,
}

/// The restore drill's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// Accounts in the backup.
    pub backup_accounts: usize,
    /// Accounts in the vault.
    pub vault_accounts: usize,
    /// Whether the backup holds exactly the vault's accounts.
    pub matches: bool,
    /// What differs (empty when `matches`).
    pub differences: Vec<DifferenceView>,
    /// Entries of the backup that could not be read.
    pub skipped: Vec<SkippedView>,
}

/// The automatic backups' state for the settings' status line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoBackupStatus {
    /// Whether automatic backups are on.
    pub enabled: bool,
    /// The folder.
    pub dir: Option<String>,
    /// How many are kept.
    pub keep: u32,
    /// Whether the vault holds a password for them.
    pub has_password: bool,
    /// The newest backup in the folder (ms), this session's or an earlier one.
    pub last_backup_at: Option<i64>,
    /// Its path.
    pub last_backup_path: Option<String>,
    /// Why the last attempt failed (cleared by the next success).
    pub last_error: Option<String>,
    /// When it failed (ms).
    pub failed_at: Option<i64>,
    /// Whether one is being written now.
    pub running: bool,
}

/// (SHOW: `show_transfer_qr` only) Google Authenticator transfer QR codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferQr {
    /// One standalone SVG document per batch, in order.
    pub codes: Vec<String>,
    /// Labels of the accounts Google Authenticator cannot hold, left out.
    pub left_out: Vec<String>,
}
