//! The command line: every subcommand, option and help text, as clap derive structs.
//!
//! Owns the interface only; `commands` does the work. The exit codes and environment
//! variables documented in [`AFTER_HELP`] are a contract for scripts: keep them stable
//! (`crate::error::Exit` defines the numbers).

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use twofold_core::formats;

/// Printed after `--help`: credentials, environment and exit codes.
const AFTER_HELP: &str = "\
Unlocking:
  By default the vault key is kept in the OS keychain (Secret Service, macOS Keychain,
  Windows Credential Manager) and no password is asked. When the keychain is unavailable
  or the vault has no keychain slot, the password is read from, in order:
  --password-file FILE, the TWOFOLD_PASSWORD environment variable (less safe: other
  programs of the same user may read a process's environment), or a prompt without echo
  when standard input is a terminal. --recovery-key-file FILE opens the vault with the
  recovery key printed by `init` or `recovery-key`.

Environment:
  TWOFOLD_VAULT         vault file (same as --vault)
  TWOFOLD_PASSWORD      vault password (less safe than --password-file or the prompt)
  TWOFOLD_NEW_PASSWORD  new password for `password set` (less safe than --new-password-file)
  TWOFOLD_BACKUP_PASSWORD
                        password of the file being imported, exported or verified (less safe
                        than --backup-password-file); never the vault password

Exit codes:
  0  success
  1  other error (I/O, keychain failure, ...)
  2  usage error or invalid input (bad option, otpauth URI or secret)
  3  no account matches the query, or the query matches several (they are listed)
  4  wrong password or recovery key, or no usable credential was given
  5  the vault file is damaged or of an unsupported version
  6  the vault is in use by another program or changed on disk; try again
  7  `backup verify`: the backup does not match the vault (the differences are printed)

Errors are one line on standard error: `twofold-cli: error: <message>`. A failed command
changes no file.";

/// Twofold from a terminal: the same encrypted vault and the same codes as the app.
#[derive(Debug, Parser)]
#[command(
    name = "twofold-cli",
    version,
    about = "Twofold from a terminal: one-time codes from an encrypted vault",
    long_about = "Twofold from a terminal: one-time codes (TOTP, HOTP, Steam Guard) from the same \
                  encrypted vault as the Twofold desktop app.",
    after_long_help = AFTER_HELP,
    after_help = "See --help for credentials, environment variables and exit codes.",
    propagate_version = true
)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the vault is and how to unlock it.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Vault file [default: <data dir>/twofold/vault.twofold]
    #[arg(long, global = true, env = "TWOFOLD_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,

    /// Read the vault password from the first line of FILE
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Use the password, not the keychain, to open the vault; with `init`, add a password
    /// slot. Asked at a prompt unless --password-file or TWOFOLD_PASSWORD gives it
    #[arg(long, global = true)]
    pub password: bool,

    /// Open the vault with the recovery key in FILE
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "password_file"
    )]
    pub recovery_key_file: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault (keychain slot by default, plus a recovery key printed once)
    Init(InitArgs),
    /// Add an account from an otpauth:// or otpauth-migration:// URI, or from a secret
    Add(AddArgs),
    /// List accounts (never their secrets)
    List(ListArgs),
    /// Print the current code of the account matching QUERY
    Code(CodeArgs),
    /// Print a code for an otpauth:// URI without any vault (like oathtool)
    Generate(GenerateArgs),
    /// Read the QR codes in an image file, the clipboard or on screen; print or add them
    Scan(ScanArgs),
    /// Change an account's name, issuer, tags, notes, favourite mark or HOTP counter
    Edit(EditArgs),
    /// Remove an account
    Remove(RemoveArgs),
    /// Backup codes a site gave you at 2FA setup
    #[command(subcommand)]
    RecoveryCodes(RecoveryCodesCommand),
    /// Add, change or remove the vault password
    #[command(subcommand)]
    Password(PasswordCommand),
    /// Replace the vault's recovery key with a new one (printed once)
    RecoveryKey,
    /// Import the accounts of another app's export file or of a Twofold backup
    Import(ImportArgs),
    /// Write every account to a Twofold backup, an Aegis vault, otpauth URIs or QR codes
    Export(ExportArgs),
    /// Twofold backups: check that a backup restores
    #[command(subcommand)]
    Backup(BackupCommand),
    /// The vault file itself: take a newer copy back after a rollback
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Show where the vault is, its key slots and whether the keychain works
    Doctor,
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page, twofold-cli(1), as roff (for packagers; see manpage.rs)
    #[command(hide = true)]
    Manpage {
        /// The desktop app's page, twofold(1), instead
        #[arg(long)]
        app: bool,
    },
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Do not use the OS keychain; a password is then required
    #[arg(long, conflicts_with = "keychain_and_password")]
    pub no_keychain: bool,
    /// High-security mode: unlocking needs both the keychain and the password
    #[arg(long)]
    pub keychain_and_password: bool,
}

/// The OTP kinds `add --type` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Time-based (RFC 6238)
    Totp,
    /// Counter-based (RFC 4226)
    Hotp,
    /// Steam Guard (5 characters)
    Steam,
}

/// The algorithms `add --algorithm` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgorithmArg {
    /// HMAC-SHA-1
    Sha1,
    /// HMAC-SHA-256
    Sha256,
    /// HMAC-SHA-512
    Sha512,
}

/// `add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// otpauth:// or otpauth-migration:// URI; `-` reads it from standard input
    #[arg(long, required_unless_present = "secret", conflicts_with_all = ["secret", "algorithm", "digits", "period", "kind", "counter"])]
    pub uri: Option<String>,
    /// Base32 secret; `-` reads it from standard input (safer: arguments are visible to other users)
    #[arg(long)]
    pub secret: Option<String>,
    /// Service name (with --uri: overrides the URI's)
    #[arg(long)]
    pub issuer: Option<String>,
    /// Account name at the service (with --uri: overrides the URI's)
    #[arg(long)]
    pub account: Option<String>,
    /// HMAC algorithm
    #[arg(long, value_enum)]
    pub algorithm: Option<AlgorithmArg>,
    /// Code length, 6 to 8
    #[arg(long)]
    pub digits: Option<u32>,
    /// TOTP period in seconds, 1 to 86400
    #[arg(long)]
    pub period: Option<u64>,
    /// OTP type
    #[arg(long = "type", value_enum, default_value_t = KindArg::Totp)]
    pub kind: KindArg,
    /// HOTP counter for the next code
    #[arg(long)]
    pub counter: Option<u64>,
    /// Tag to attach (repeatable)
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Mark as favourite
    #[arg(long)]
    pub favourite: bool,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// JSON array: id, issuer, account, type, algorithm, digits, period, counter, tags,
    /// favourite, recovery_codes {total, unused}; never a secret
    #[arg(long)]
    pub json: bool,
    /// Only accounts matching QUERY
    pub query: Option<String>,
}

/// `code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// Issuer/account name (fuzzy, case-insensitive) or account id
    pub query: String,
    /// The code of the next time period (TOTP and Steam)
    #[arg(long)]
    pub next: bool,
    /// Copy the code to the clipboard (excluded from clipboard history, cleared after 30 s)
    /// instead of printing it
    #[arg(long)]
    pub copy: bool,
    /// JSON object: id, label, code, type, counter, valid_from, valid_until
    #[arg(long)]
    pub json: bool,
}

/// `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// otpauth:// URI; `-` reads it from standard input
    #[arg(long)]
    pub uri: String,
    /// Unix time in seconds [default: now] (HOTP uses the URI's counter)
    #[arg(long, value_name = "UNIX")]
    pub at: Option<u64>,
    /// The code of the next period (TOTP and Steam) or counter (HOTP)
    #[arg(long)]
    pub next: bool,
}

/// `scan`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["file", "clipboard", "screen", "camera", "list_cameras"])))]
pub struct ScanArgs {
    /// Image file (PNG, JPEG, WebP, GIF, BMP); `-` reads it from standard input
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Scan the clipboard: its image, or otpauth:// text copied as text
    #[arg(long)]
    pub clipboard: bool,
    /// Scan every monitor
    #[arg(long)]
    pub screen: bool,
    /// Scan with the webcam until a 2FA QR code (or every code of a Google Authenticator
    /// transfer) is read; `--list-cameras` shows the cameras
    #[arg(long)]
    pub camera: bool,
    /// The camera to use, by its number in `--list-cameras` (default: the first)
    #[arg(long, value_name = "N", requires = "camera")]
    pub device: Option<usize>,
    /// Give up after this many seconds with the camera
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60,
        requires = "camera"
    )]
    pub timeout: u64,
    /// List the cameras and exit
    #[arg(long)]
    pub list_cameras: bool,
    /// Add the accounts to the vault (as `add --uri`; otpauth-migration:// batches expanded)
    /// instead of printing the URIs
    #[arg(long, conflicts_with = "raw")]
    pub add: bool,
    /// Print every QR code's text as it is, not only otpauth:// and otpauth-migration:// URIs
    #[arg(long)]
    pub raw: bool,
}

/// `edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// Issuer/account name (fuzzy) or account id
    pub query: String,
    /// New service name
    #[arg(long)]
    pub issuer: Option<String>,
    /// New account name
    #[arg(long)]
    pub account: Option<String>,
    /// Add a tag (repeatable)
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Remove a tag (repeatable)
    #[arg(long = "untag")]
    pub untags: Vec<String>,
    /// Mark or unmark as favourite
    #[arg(long, value_name = "BOOL")]
    pub favourite: Option<bool>,
    /// Replace the notes
    #[arg(long)]
    pub notes: Option<String>,
    /// Icon hint (a brand slug such as `github`); empty removes it
    #[arg(long)]
    pub icon: Option<String>,
    /// HOTP counter for the next code
    #[arg(long)]
    pub counter: Option<u64>,
}

/// `remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Issuer/account name (fuzzy) or account id
    pub query: String,
    /// Do not ask for confirmation (required when standard input is not a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

/// `recovery-codes`.
#[derive(Debug, Subcommand)]
pub enum RecoveryCodesCommand {
    /// Store backup codes for an account (`-` reads them from standard input, one a line)
    Add {
        /// Issuer/account name (fuzzy) or account id
        query: String,
        /// The codes; `-` reads them from standard input (safer: arguments are visible to
        /// other users)
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Show an account's backup codes and which are used
    List {
        /// Issuer/account name (fuzzy) or account id
        query: String,
        /// JSON array of {index, code, used, used_at}
        #[arg(long)]
        json: bool,
    },
    /// Mark a backup code used (by its text or its 1-based index in `list`)
    Use {
        /// Issuer/account name (fuzzy) or account id
        query: String,
        /// The code, or its number in `list`; `-` reads the code from standard input (safer:
        /// arguments are visible to other users)
        code: String,
    },
}

/// `password`.
#[derive(Debug, Subcommand)]
pub enum PasswordCommand {
    /// Set or change the password (from --new-password-file, TWOFOLD_NEW_PASSWORD or a prompt)
    Set {
        /// Read the new password from the first line of FILE
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
    },
    /// Remove the password slot (refused if no other way to open the vault would remain)
    Remove,
}

/// `vault`.
#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// After a rollback (an older vault file put in place by a sync tool or a restore), make
    /// the newest copy kept beside the vault current again; the older file is kept too
    RestoreNewer,
    /// After a rollback, keep the older vault file as it is and save changes again; the newer
    /// copies stay beside it as earlier generations
    KeepCurrent,
}

/// The `--from` values: every importer's id, with its name as help.
fn importer_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(
        formats::IMPORTERS
            .iter()
            .map(|i| PossibleValue::new(i.id()).help(i.name())),
    )
}

/// The `--format` values: every exporter's id, with its name as help.
fn exporter_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(
        formats::EXPORTERS
            .iter()
            .map(|e| PossibleValue::new(e.id()).help(e.name())),
    )
}

/// What `import` does with an account the vault already has (same secret and parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DuplicatesArg {
    /// Keep the vault's account, drop the imported one
    Skip,
    /// Overwrite the vault's account with the imported one (same id and position)
    Replace,
    /// Add the imported account as a new one
    KeepBoth,
}

/// `import`.
#[derive(Debug, Args)]
#[command(after_help = "\
The format is detected from the content; --from overrides it. An encrypted file's password is
read from --backup-password-file FILE, the TWOFOLD_BACKUP_PASSWORD environment variable, or a
prompt; the vault's own password still comes from --password-file or TWOFOLD_PASSWORD.
Entries that cannot be converted are skipped and listed with the reason.")]
pub struct ImportArgs {
    /// The export file; `-` reads it from standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The file's format, when detection picks the wrong one
    #[arg(long, value_name = "FORMAT", value_parser = importer_ids())]
    pub from: Option<String>,
    /// Read the password of the export file from the first line of FILE (not the vault
    /// password)
    #[arg(long, value_name = "FILE")]
    pub backup_password_file: Option<PathBuf>,
    /// Show what would be imported; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// What to do with an account the vault already has (same secret and parameters)
    #[arg(long, value_enum, value_name = "CHOICE", default_value_t = DuplicatesArg::Skip)]
    pub duplicates: DuplicatesArg,
    /// JSON summary: format, format_name, encrypted, dry_run, in_file, added, replaced,
    /// skipped_duplicates, duplicates [{label, choice, in_file}], skipped [{entry, label,
    /// reason}], warnings; never a secret
    #[arg(long)]
    pub json: bool,
}

/// `export`.
#[derive(Debug, Args)]
#[command(after_help = "\
Encrypted formats (twofold, aegis) take their password from --backup-password-file FILE, the
TWOFOLD_BACKUP_PASSWORD environment variable, or a prompt asked twice. Plain formats
(aegis-plain, uris, google-qr) are written only with --yes. What a format cannot carry is
listed on standard error before writing. Files are created with mode 0600, atomically, and
never over an existing file unless --force is given. A Twofold backup opens with `age -d`.")]
pub struct ExportArgs {
    /// The format to write
    #[arg(long, value_name = "FORMAT", value_parser = exporter_ids())]
    pub format: String,
    /// Where to write; the format's extension is added when PATH has none. google-qr writes
    /// one PNG per batch of up to 10 accounts: PATH-1.png, PATH-2.png, … when there are several
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Read the password for the encrypted file from the first line of FILE (not the vault
    /// password)
    #[arg(long, value_name = "FILE")]
    pub backup_password_file: Option<PathBuf>,
    /// Confirm a plain (unencrypted) export: anyone who reads its file can copy your accounts
    #[arg(long, short)]
    pub yes: bool,
    /// Replace files that already exist
    #[arg(long)]
    pub force: bool,
}

/// `backup`.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Decrypt a Twofold backup and compare it with the vault, account by account (exit 7
    /// when they differ)
    Verify {
        /// The backup file (`twofold-cli export --format twofold`)
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Read the backup's password from the first line of FILE (not the vault password)
        #[arg(long, value_name = "FILE")]
        backup_password_file: Option<PathBuf>,
        /// JSON: matches, backup_accounts, vault_accounts, differences [{kind, label,
        /// fields?}], unreadable [{entry, label, reason}]
        #[arg(long)]
        json: bool,
    },
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn uri_conflicts_with_manual_parameters() {
        let err = Cli::try_parse_from([
            "twofold-cli",
            "add",
            "--uri",
            "otpauth://totp/x?secret=AAAA",
            "--digits",
            "8",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn scan_takes_exactly_one_source() {
        let parse = |args: &[&str]| Cli::try_parse_from([&["twofold-cli", "scan"], args].concat());
        let err = parse(&[]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        let err = parse(&["a.png", "--screen"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
        let err = parse(&["--clipboard", "--add", "--raw"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
        assert!(parse(&["--screen", "--add"]).is_ok());
    }

    #[test]
    fn import_and_export_offer_exactly_the_registered_formats() {
        let parse = |args: &[&str]| Cli::try_parse_from([&["twofold-cli"], args].concat());
        for i in formats::IMPORTERS {
            assert!(
                parse(&["import", "f", "--from", i.id()]).is_ok(),
                "{}",
                i.id()
            );
        }
        for e in formats::EXPORTERS {
            assert!(
                parse(&["export", "--format", e.id(), "--out", "x"]).is_ok(),
                "{}",
                e.id()
            );
        }
        let err = parse(&["import", "f", "--from", "nope"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
        let err = parse(&["export", "--format", "nope", "--out", "x"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
        let Cli {
            command: Command::Import(args),
            ..
        } = parse(&["import", "-", "--duplicates", "keep-both"]).unwrap()
        else {
            panic!("not import")
        };
        assert_eq!(args.duplicates, DuplicatesArg::KeepBoth);
    }
}
