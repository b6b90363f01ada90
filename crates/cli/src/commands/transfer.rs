//! Moving accounts in and out: `import`, `export` and `backup verify` (issue 5).
//!
//! Owns the file handling around core's [`formats`], [`merge`] and [`backup`]: reading the
//! input with a size bound, asking for the *file's* password (`--backup-password-file`,
//! `TWOFOLD_BACKUP_PASSWORD`, a prompt; never the vault's), printing summaries, and writing
//! export files privately (mode 0600), atomically (temp file, fsync, rename) and never over
//! an existing file without `--force`. Every conversion is core's; so is every message about
//! a file's content. Formats are specified in `docs/reference/formats.md`, the Twofold backup
//! in `docs/backup.md`.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use twofold_core::backup::{self, Difference};
use twofold_core::formats::{self, ExportFile, FormatError, Skipped};
use twofold_core::fsio::{self, Existing};
use twofold_core::intake::{self, FileIntake};
use twofold_core::merge::{self, DuplicateChoice};
use twofold_core::SecretString;
use zeroize::Zeroizing;

use crate::cli::{DuplicatesArg, ExportArgs, GlobalArgs, ImportArgs};
use crate::error::{one_line, Exit, Failure};
use crate::output::{note, print_json, println};
use crate::session::{now_i64, open, save};
use crate::unlock::{self, BACKUP_PASSWORD_HINT};

// ---------------------------------------------------------------------------------------
// Input

/// How messages name `path`.
fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads `path` (standard input for `-`), refusing more than [`formats::MAX_FILE_BYTES`]
/// before reading it all. The bytes are wiped on drop: plain exports hold secrets.
fn read_input(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let max = formats::MAX_FILE_BYTES;
    let mut bytes = Zeroizing::new(Vec::new());
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| Failure::other(format!("cannot read {}: {}", shown(path), one_line(&e))))?;
    if bytes.len() > max {
        return Err(Failure::usage(format!(
            "{} is larger than {} MiB, the most an import accepts",
            shown(path),
            max / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// The password of an encrypted file, or a credential error saying how to give it.
fn require_password(
    file: Option<&Path>,
    format: &str,
    path: &Path,
) -> Result<SecretString, Failure> {
    unlock::backup_password(file, &format!("{format} file"))?.ok_or_else(|| {
        Failure::new(
            Exit::Credential,
            format!(
                "{} is an encrypted {format} file and needs its password: {BACKUP_PASSWORD_HINT}",
                shown(path)
            ),
        )
    })
}

/// Fails now, with `open`'s message, when there is no vault: before a file is decrypted or
/// a password asked for nothing.
fn require_vault(g: &GlobalArgs) -> Result<(), Failure> {
    if unlock::vault_path(g)?.exists() {
        Ok(())
    } else {
        open(g).map(drop)
    }
}

// ---------------------------------------------------------------------------------------
// import

impl From<DuplicatesArg> for DuplicateChoice {
    fn from(d: DuplicatesArg) -> Self {
        match d {
            DuplicatesArg::Skip => DuplicateChoice::Skip,
            DuplicatesArg::Replace => DuplicateChoice::Replace,
            DuplicatesArg::KeepBoth => DuplicateChoice::KeepBoth,
        }
    }
}

/// `import --json`. Field names are a public contract; no field can hold a secret.
#[derive(Debug, Serialize)]
struct ImportView {
    /// Importer id (`aegis`).
    format: &'static str,
    /// Importer name (`Aegis`).
    format_name: &'static str,
    encrypted: bool,
    dry_run: bool,
    /// Accounts read from the file.
    in_file: usize,
    added: usize,
    replaced: usize,
    skipped_duplicates: usize,
    duplicates: Vec<DuplicateView>,
    skipped: Vec<SkippedView>,
    warnings: Vec<String>,
}

/// An imported account that the vault (or an earlier entry of the file) already has.
#[derive(Debug, Serialize)]
struct DuplicateView {
    label: String,
    /// What happened to it: `skip`, `replace` or `keep-both`.
    choice: DuplicateChoice,
    /// Whether it duplicates an earlier entry of the same file rather than the vault.
    in_file: bool,
}

/// An entry of the file that could not be converted.
#[derive(Debug, Serialize)]
struct SkippedView {
    /// Position in the file, from 1.
    entry: usize,
    label: String,
    reason: String,
}

impl From<&Skipped> for SkippedView {
    fn from(s: &Skipped) -> Self {
        SkippedView {
            entry: s.index.saturating_add(1),
            label: s.label.clone(),
            reason: s.reason.clone(),
        }
    }
}

/// What happens to an in-file duplicate under `choice` (merge::apply's rule).
fn in_file_choice(choice: DuplicateChoice) -> DuplicateChoice {
    match choice {
        DuplicateChoice::KeepBoth => DuplicateChoice::KeepBoth,
        DuplicateChoice::Skip | DuplicateChoice::Replace => DuplicateChoice::Skip,
    }
}

/// `import FILE`: detect, decrypt, convert, merge, save, summarize.
pub(super) fn import(g: &GlobalArgs, args: &ImportArgs) -> Result<(), Failure> {
    let path = &args.file;
    let context = || format!("cannot import {}", shown(path));
    require_vault(g)?;
    let bytes = read_input(path)?;
    let now = now_i64();
    // Core's intake decides the format (or takes --from), whether it needs a password, and
    // converts it: the same steps as the app's import screen.
    let unrecognized = |e: FormatError| {
        match e {
        FormatError::Unrecognized { hint: None } => Failure::usage(format!(
            "{}: not a recognised export file; name its format with --from (see `twofold-cli import --help`)",
            context()
        )),
        FormatError::Unrecognized { hint: Some(h) } if args.from.is_some() => {
            Failure::usage(format!("{h}; see --help"))
        }
        e => Failure::from(e).context(context()),
    }
    };
    let mut read = intake::file(&bytes, args.from.as_deref(), None, now).map_err(unrecognized)?;
    if let FileIntake::NeedsPassword { importer } = read {
        let password =
            require_password(args.backup_password_file.as_deref(), importer.name(), path)?;
        read = intake::file(&bytes, Some(importer.id()), Some(&password), now)
            .map_err(unrecognized)?;
    }
    drop(bytes);
    let FileIntake::Read {
        importer,
        encrypted,
        imported,
    } = read
    else {
        return Err(Failure::other(format!(
            "{}: the file still asks for a password",
            context()
        )));
    };

    if imported.accounts.is_empty() {
        let why = match imported.skipped.first() {
            Some(s) => format!(
                ": {} entries skipped, the first ({}) because {}",
                imported.skipped.len(),
                entry_name(s),
                s.reason
            ),
            None => String::new(),
        };
        return Err(Failure::usage(format!(
            "{}: the {} file holds no account that can be imported{why}",
            context(),
            importer.name()
        )));
    }

    let choice = DuplicateChoice::from(args.duplicates);
    let in_file = imported.accounts.len();
    let mut file = open(g)?;
    let plan = merge::plan(file.vault().accounts(), imported.accounts);
    let duplicates: Vec<DuplicateView> = plan
        .iter()
        .filter(|i| i.is_duplicate())
        .map(|i| {
            // merge::apply treats a repeat within the file as such even when the vault has
            // the account too: it is never replaced twice.
            let in_file = i.duplicate_in_file;
            DuplicateView {
                label: i.account.label(),
                choice: if in_file {
                    in_file_choice(choice)
                } else {
                    choice
                },
                in_file,
            }
        })
        .collect();
    let summary = if args.dry_run {
        // Merged into a copy, so the summary is exactly what a real run would do.
        let mut copy = file.vault().clone();
        merge::apply(&mut copy, plan, |_, _| choice)
    } else {
        merge::apply(file.vault_mut(), plan, |_, _| choice)
    }
    .map_err(|e| Failure::from(e).context(context()))?;
    if !args.dry_run && summary.added + summary.replaced > 0 {
        save(&mut file)?;
    }

    let view = ImportView {
        format: importer.id(),
        format_name: importer.name(),
        encrypted,
        dry_run: args.dry_run,
        in_file,
        added: summary.added,
        replaced: summary.replaced,
        skipped_duplicates: summary.skipped_duplicates,
        duplicates,
        skipped: imported.skipped.iter().map(SkippedView::from).collect(),
        warnings: imported.warnings,
    };
    if args.json {
        return print_json(&view);
    }
    print_import_summary(&view)
}

/// How a skipped entry is named: `entry 3 (label)`.
fn entry_name(s: &Skipped) -> String {
    let n = s.index.saturating_add(1);
    if s.label.is_empty() {
        format!("entry {n}")
    } else {
        format!("entry {n}, {}", s.label)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn print_import_summary(v: &ImportView) -> Result<(), Failure> {
    let enc = if v.encrypted { ", encrypted" } else { "" };
    println(&format!("format: {} ({}{enc})", v.format_name, v.format))?;
    let would = if v.dry_run { "would be " } else { "" };
    println(&format!(
        "in the file: {}, {}",
        plural(v.in_file, "account", "accounts"),
        plural(v.skipped.len(), "entry skipped", "entries skipped")
    ))?;
    println(&format!("{would}added: {}", v.added))?;
    if v.replaced > 0 {
        println(&format!("{would}replaced: {}", v.replaced))?;
    }
    if !v.duplicates.is_empty() {
        println(&format!(
            "duplicates: {} ({} {would}skipped)",
            v.duplicates.len(),
            v.skipped_duplicates
        ))?;
    }
    for d in &v.duplicates {
        let what = match d.choice {
            DuplicateChoice::Skip => "skipped",
            DuplicateChoice::Replace => "replaced the vault's account",
            DuplicateChoice::KeepBoth => "kept both",
        };
        let whose = if d.in_file {
            "twice in the file"
        } else {
            "already in the vault"
        };
        println(&format!("duplicate: {} ({whose}): {would}{what}", d.label))?;
    }
    for s in &v.skipped {
        let label = if s.label.is_empty() {
            String::new()
        } else {
            format!(", {}", s.label)
        };
        println(&format!("skipped: entry {}{label}: {}", s.entry, s.reason))?;
    }
    for w in &v.warnings {
        println(&format!("warning: {w}"))?;
    }
    if v.dry_run {
        note("dry run: the vault was not changed");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// export

/// `export --format F --out PATH`.
pub(super) fn export(g: &GlobalArgs, args: &ExportArgs) -> Result<(), Failure> {
    let Some(exporter) = formats::exporter(&args.format) else {
        return Err(Failure::usage(format!(
            "unknown format {:?}; see --help",
            args.format
        )));
    };
    let name = exporter.name();
    if !exporter.encrypted() {
        if args.backup_password_file.is_some() {
            return Err(Failure::usage(format!(
                "{name} files are not encrypted: --backup-password-file applies to encrypted formats"
            )));
        }
        if !args.yes {
            let exposes = match exporter.exposes() {
                "" => "every account's secret in plain text",
                e => e,
            };
            return Err(Failure::usage(format!(
                "refusing to write an unencrypted {name} export without --yes: anyone who reads the file gets {exposes}"
            )));
        }
    }
    if !args.force && args.out.exists() {
        return Err(exists_failure(&args.out));
    }
    require_vault(g)?;
    let password = if exporter.encrypted() {
        let Some(p) = unlock::new_backup_password(args.backup_password_file.as_deref())? else {
            return Err(Failure::new(
                Exit::Credential,
                format!(
                    "a {name} export is encrypted and needs a password: {BACKUP_PASSWORD_HINT}"
                ),
            ));
        };
        Some(p)
    } else {
        None
    };
    let file = open(g)?;
    let accounts = file.vault().accounts();
    if accounts.is_empty() {
        return Err(Failure::other("the vault has no accounts to export"));
    }
    let files = exporter
        .export(accounts, password.as_ref(), now_i64())
        .map_err(Failure::from)?;
    drop(password);
    if files.is_empty() {
        return Err(Failure::other(format!(
            "the {name} export produced no file"
        )));
    }
    let paths = formats::export_paths(&args.out, &files);
    // Not even --force writes over the vault itself (the app refuses it the same way).
    let vault_path = unlock::vault_path(g)?;
    if let Some(p) = formats::vault_among(&paths, &vault_path) {
        return Err(Failure::usage(format!(
            "{} is the vault itself; choose another --out",
            p.display()
        )));
    }
    if !args.force {
        if let Some(p) = paths.iter().find(|p| p.exists()) {
            return Err(exists_failure(p));
        }
    }
    // Said before writing, and only once the export can be written (a failed command
    // prints its error alone).
    let loses = exporter.loses();
    if !loses.is_empty() {
        note(&format!(
            "the {name} format cannot carry these, so they are left out: {}",
            loses.join(", ")
        ));
    }
    write_all(&paths, &files, args.force)?;
    for p in &paths {
        println(&format!("wrote {}", p.display()))?;
    }
    note(&format!(
        "exported {} to {name}",
        plural(accounts.len(), "account", "accounts")
    ));
    Ok(())
}

fn exists_failure(path: &Path) -> Failure {
    Failure::other(format!(
        "{} already exists; choose another --out or add --force to replace it",
        path.display()
    ))
}

/// Writes every file or none: on a failure, the files already written are removed.
fn write_all(paths: &[PathBuf], files: &[ExportFile], force: bool) -> Result<(), Failure> {
    for (i, (path, file)) in paths.iter().zip(files).enumerate() {
        let existing = if force {
            Existing::Replace
        } else {
            Existing::Keep
        };
        if let Err(e) = fsio::write_private(path, &file.bytes, existing) {
            for done in &paths[..i] {
                let _ = std::fs::remove_file(done);
            }
            let f = if e.kind() == std::io::ErrorKind::AlreadyExists {
                exists_failure(path)
            } else {
                Failure::other(format!("cannot write {}: {}", path.display(), one_line(&e)))
            };
            return Err(f);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// backup verify

/// `backup verify --json`. Field names are a public contract; no field can hold a secret.
#[derive(Debug, Serialize)]
struct VerifyView {
    matches: bool,
    backup_accounts: usize,
    vault_accounts: usize,
    differences: Vec<Difference>,
    /// Entries of the backup that could not be read.
    unreadable: Vec<SkippedView>,
}

/// `backup verify FILE`: the restore drill. Exit 7 ([`Exit::Differs`]) when the backup
/// does not match the vault.
pub(super) fn verify(
    g: &GlobalArgs,
    path: &Path,
    password_file: Option<&Path>,
    json: bool,
) -> Result<(), Failure> {
    let context = || format!("cannot open the backup {}", shown(path));
    require_vault(g)?;
    let bytes = read_input(path)?;
    // The document `age -d` prints is accepted too (docs/backup.md §4), without a password.
    let document = if backup::is_backup_json(&bytes) {
        bytes
    } else if !backup::is_age(&bytes) {
        return Err(Failure::usage(format!(
            "{}: not a Twofold backup (expected an age file from `twofold-cli export --format twofold`)",
            context()
        )));
    } else {
        let password = require_password(password_file, "Twofold backup", path)?;
        backup::decrypt(&bytes, &password).map_err(|e| Failure::from(e).context(context()))?
    };
    let restored =
        backup::from_json(&document, now_i64()).map_err(|e| Failure::from(e).context(context()))?;
    drop(document);
    let file = open(g)?;
    let vault = file.vault().accounts();
    let differences = backup::compare(&restored.accounts, vault);
    let view = VerifyView {
        matches: differences.is_empty() && restored.skipped.is_empty(),
        backup_accounts: restored.accounts.len(),
        vault_accounts: vault.len(),
        differences,
        unreadable: restored.skipped.iter().map(SkippedView::from).collect(),
    };
    if json {
        print_json(&view)?;
    } else if view.matches {
        println(&format!(
            "backup matches the vault: {}",
            plural(view.vault_accounts, "account", "accounts")
        ))?;
    } else {
        for d in &view.differences {
            println(&difference_line(d))?;
        }
        for s in &view.unreadable {
            let label = if s.label.is_empty() {
                String::new()
            } else {
                format!(", {}", s.label)
            };
            println(&format!(
                "unreadable in the backup: entry {}{label}: {}",
                s.entry, s.reason
            ))?;
        }
    }
    if view.matches {
        return Ok(());
    }
    let n = view.differences.len() + view.unreadable.len();
    Err(Failure::new(
        Exit::Differs,
        format!(
            "the backup does not match the vault: {} ({} in the backup, {} in the vault)",
            plural(n, "difference", "differences"),
            plural(view.backup_accounts, "account", "accounts"),
            view.vault_accounts
        ),
    ))
}

fn difference_line(d: &Difference) -> String {
    match d {
        Difference::MissingFromBackup { label } => format!("not in the backup: {label}"),
        Difference::MissingFromVault { label } => format!("not in the vault: {label}"),
        Difference::Changed { label, fields } => {
            format!("differs: {label}: {}", fields.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(suffix: &str) -> ExportFile {
        ExportFile {
            suffix: suffix.to_owned(),
            bytes: Zeroizing::new(b"x".to_vec()),
        }
    }

    #[test]
    fn write_all_removes_what_it_wrote_when_a_later_file_fails() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a-1.png");
        let b = dir.path().join("a-2.png");
        std::fs::write(&b, b"mine").unwrap();
        let f = write_all(
            &[a.clone(), b.clone()],
            &[file("-1.png"), file("-2.png")],
            false,
        )
        .unwrap_err();
        assert!(f.message.contains("already exists"), "{}", f.message);
        assert!(!a.exists());
        assert_eq!(std::fs::read(&b).unwrap(), b"mine");
    }
}
