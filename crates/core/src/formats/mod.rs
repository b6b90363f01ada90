//! Other apps' export files in and out (issue 5; specs in `docs/reference/formats.md`).
//!
//! One module per format, each behind [`Importer`] and/or [`Exporter`] (docs/reference/STYLE.md
//! §3): bytes in, accounts out, no I/O, no UI text, no keychain. Each module opens with a `//!` doc
//! that links its spec and lists what the conversion loses.
//!
//! - [`detect`] picks the importer from the content alone (formats.md §16), so a user can just
//!   drop a file; [`importer`] / [`exporter`] look one up by its stable id (`--from aegis`).
//! - One bad entry never sinks a file: it goes to [`Imported::skipped`] with the reason.
//! - Hostile files are bounded before any work: [`MAX_FILE_BYTES`], [`MAX_ENTRIES`],
//!   [`MAX_FIELD_LEN`], JSON nesting (serde_json's recursion limit of 128), and each format's
//!   KDF parameters against its own bounds before the KDF runs.

pub mod aegis;
pub mod andotp;
pub mod bitwarden;
pub mod freeotp;
pub mod google;
pub mod proton;
pub mod steam;
pub mod stratum;
pub mod twofas;
pub mod twofold;
pub mod uris;

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::account::Account;
use crate::secret::SecretString;

/// Whether this is a fuzzing build (`cfg(fuzzing)`, which cargo-fuzz sets). Importers then
/// use far cheaper KDF costs and lower KDF bounds, so the fuzzers do not spend their time (or
/// their memory limit) in a KDF: no fuzzed input forges the authentication tag behind it.
pub(crate) const FUZZING: bool = cfg!(fuzzing);

/// Largest import file accepted (formats with images or ZIPs included).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// Most entries accepted in one file.
pub const MAX_ENTRIES: usize = 10_000;
/// Longest issuer, name, note or tag accepted from a file, in bytes (longer ones are skipped).
pub const MAX_FIELD_LEN: usize = crate::account::limits::MAX_TEXT;

/// Why a file could not be imported or exported. Never carries a secret or a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The file is encrypted and no password was given.
    #[error("this {format} file is encrypted: a password is needed")]
    PasswordRequired {
        /// The format's human name.
        format: &'static str,
    },
    /// The password does not open the file (or the file was tampered with: AEAD formats
    /// cannot tell the two apart).
    #[error("wrong password for this {format} file (or the file is damaged)")]
    WrongPassword {
        /// The format's human name.
        format: &'static str,
    },
    /// No importer recognises the content, or the chosen importer does not.
    #[error("not a recognised export file{}", hint.as_deref().map(|h| format!(":
    #{h}")).unwrap_or_default())]
    Unrecognized {
        /// What was expected, if an importer was chosen.
        hint: Option<String>,
    },
    /// The file is in the format but damaged or inconsistent.
    #[error("damaged {format} file: {reason}")]
    Malformed {
        /// The format's human name.
        format: &'static str,
        /// What is wrong (positions, field names; never secret values).
        reason: String,
    },
    /// A version, cipher or feature of the format that Twofold does not read.
    #[error("unsupported {format} file: {reason}")]
    Unsupported {
        /// The format's human name.
        format: &'static str,
        /// What is unsupported.
        reason: String,
    },
    /// A limit against hostile files was hit (size, entries, KDF cost).
    #[error("{format} file exceeds a safety limit: {reason}")]
    Limit {
        /// The format's human name.
        format: &'static str,
        /// Which limit and the value found.
        reason: String,
    },
    /// An account cannot be written in the export format at all.
    #[error("cannot export to {format}: {reason}")]
    Export {
        /// The format's human name.
        format: &'static str,
        /// Why.
        reason: String,
    },
}

/// An entry of an import file that could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Position of the entry in the file, from 0.
    pub index: usize,
    /// How the file names the entry (`issuer (name)`), never its secret; may be empty.
    pub label: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What an import produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// The converted accounts, in file order, each with a fresh id.
    pub accounts: Vec<Account>,
    /// Entries that could not be converted, with the reason.
    pub skipped: Vec<Skipped>,
    /// File-level notices that lose nothing by themselves (e.g. "batch 2 of 3 is missing").
    pub warnings: Vec<String>,
}

/// A third-party export we can read. Bytes in, accounts out.
pub trait Importer: Sync {
    /// Stable id for the CLI (`--from aegis`) and the UI. Never localized.
    fn id(&self) -> &'static str;
    /// Human name (`Aegis`), used in messages.
    fn name(&self) -> &'static str;
    /// Whether the content looks like this format (cheap: magic bytes, JSON shape, prefixes).
    /// [`detect`] asks the importers in [`IMPORTERS`] order.
    fn detect(&self, input: &[u8]) -> bool;
    /// Whether `input` is encrypted, so the UI knows to ask for a password first.
    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError>;
    /// Converts the file. `password` is needed for encrypted files, ignored otherwise.
    /// `now` (unix seconds) stamps `created_at`/`updated_at` of the accounts.
    fn import(
        &self,
        input: &[u8],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError>;
}

/// A file written by an exporter: a name suffix (`.json`, `-1.png`) and the bytes, zeroized
/// on drop because plain exports hold secrets.
pub struct ExportFile {
    /// Appended to the user's chosen path stem when an export has several files; the file
    /// extension otherwise.
    pub suffix: String,
    /// The content.
    pub bytes: Zeroizing<Vec<u8>>,
}

/// Where each file of an export goes, given the path the user chose (one rule for the CLI's
/// `--out` and the app's save dialog):
///
/// - one file: the chosen path, given the file's extension when it has none
///   (`backup` → `backup.age`, `codes` with `-1.png` → `codes.png`);
/// - several files: the chosen path, minus its extension when it is the files' own, followed
///   by each file's suffix (`codes.png` → `codes-1.png`, `codes-2.png`).
pub fn export_paths(chosen: &Path, files: &[ExportFile]) -> Vec<PathBuf> {
    let extension_of = |suffix: &str| -> String {
        if suffix.starts_with('.') {
            suffix.to_owned()
        } else {
            Path::new(suffix)
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default()
        }
    };
    if let [only] = files {
        if chosen.extension().is_some() {
            return vec![chosen.to_path_buf()];
        }
        let mut name = chosen.as_os_str().to_owned();
        name.push(extension_of(&only.suffix));
        return vec![PathBuf::from(name)];
    }
    files
        .iter()
        .map(|f| {
            let ext = extension_of(&f.suffix);
            let own = chosen
                .extension()
                .is_some_and(|e| format!(".{}", e.to_string_lossy()).eq_ignore_ascii_case(&ext));
            let base = if own {
                chosen.with_extension("")
            } else {
                chosen.to_path_buf()
            };
            let mut name = base.into_os_string();
            name.push(&f.suffix);
            PathBuf::from(name)
        })
        .collect()
}

/// The first of an export's `paths` that is the vault file itself, under any spelling
/// ([`crate::fsio::same_file`]): no export is ever written over the vault, not even with the
/// CLI's `--force` (issue 11 item 8). Both front ends refuse with it.
pub fn vault_among<'a>(paths: &'a [PathBuf], vault: &Path) -> Option<&'a Path> {
    paths
        .iter()
        .find(|p| crate::fsio::same_file(p, vault))
        .map(PathBuf::as_path)
}

impl std::fmt::Debug for ExportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportFile")
            .field("suffix", &self.suffix)
            .field("bytes", &format_args!("[{} bytes]", self.bytes.len()))
            .finish()
    }
}

/// A format we can write.
pub trait Exporter: Sync {
    /// Stable id (`twofold`, `aegis`, `aegis-plain`, `uris`, `google-qr`).
    fn id(&self) -> &'static str;
    /// Human name, used in messages.
    fn name(&self) -> &'static str;
    /// Whether the output is encrypted (then `export` needs a password). Plain exports need
    /// an explicit confirmation from the user; [`Exporter::exposes`] says what they expose.
    fn encrypted(&self) -> bool;
    /// What the format cannot carry (`"recovery codes"`, `"notes"` …), listed to the user
    /// before writing.
    fn loses(&self) -> &'static [&'static str];
    /// What a plain export exposes to anyone who reads the file; empty for encrypted ones.
    fn exposes(&self) -> &'static str;
    /// Writes the accounts. `now` (unix seconds) stamps the file where the format has a date.
    fn export(
        &self,
        accounts: &[Account],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Vec<ExportFile>, FormatError>;
}

/// What formats built on otpauth URIs (URI lists, Google Authenticator transfer) cannot carry.
pub(crate) const OTPAUTH_LOSES: &[&str] = &[
    "notes",
    "tags",
    "favourite",
    "icons",
    "recovery codes",
    "manual order",
    "created and last-used dates",
];

/// Every importer, in detection order: magic bytes first, then JSON shapes, then text, and
/// the formats without a magic (andOTP encrypted) last.
pub static IMPORTERS: &[&dyn Importer] = &[
    &twofold::TwofoldBackup,
    &freeotp::FreeOtp2,
    &stratum::Stratum,
    &aegis::Aegis,
    &twofas::TwoFas,
    &bitwarden::Bitwarden,
    &proton::Proton,
    &freeotp::FreeOtpPlus,
    &steam::Steam,
    &andotp::AndOtp,
    &google::GoogleTransfer,
    &uris::UriList,
];

/// Every exporter.
pub static EXPORTERS: &[&dyn Exporter] = &[
    &twofold::TwofoldBackupExporter,
    &aegis::AegisExporter,
    &aegis::AegisPlainExporter,
    &uris::UrisExporter,
    &google::GoogleQrExporter,
];

/// The importer with this id.
pub fn importer(id: &str) -> Option<&'static dyn Importer> {
    IMPORTERS.iter().copied().find(|i| i.id() == id)
}

/// The exporter with this id.
pub fn exporter(id: &str) -> Option<&'static dyn Exporter> {
    EXPORTERS.iter().copied().find(|e| e.id() == id)
}

/// The importer whose format the content is, asking each in [`IMPORTERS`] order.
pub fn detect(input: &[u8]) -> Result<&'static dyn Importer, FormatError> {
    check_size(input)?;
    IMPORTERS
        .iter()
        .copied()
        .find(|i| i.detect(input))
        .ok_or(FormatError::Unrecognized { hint: None })
}

/// Detects the format (or uses `from`) and imports the file.
pub fn import_any(
    input: &[u8],
    from: Option<&str>,
    password: Option<&SecretString>,
    now: i64,
) -> Result<(&'static dyn Importer, Imported), FormatError> {
    check_size(input)?;
    let importer = match from {
        Some(id) => importer(id).ok_or_else(|| FormatError::Unrecognized {
            hint: Some(format!("unknown format {id:?}")),
        })?,
        None => detect(input)?,
    };
    let imported = importer.import(input, password, now)?;
    Ok((importer, imported))
}

fn check_size(input: &[u8]) -> Result<(), FormatError> {
    if input.len() > MAX_FILE_BYTES {
        return Err(FormatError::Limit {
            format: "import",
            reason: format!(
                "file is {} bytes, expected at most {MAX_FILE_BYTES}",
                input.len()
            ),
        });
    }
    Ok(())
}

/// Parses JSON into `T`, mapping errors to [`FormatError::Malformed`] with line/column only.
pub(crate) fn parse_json<'a, T: serde::Deserialize<'a>>(
    format: &'static str,
    input: &'a [u8],
) -> Result<T, FormatError> {
    serde_json::from_slice(input).map_err(|e| FormatError::Malformed {
        format,
        reason: format!("invalid JSON at line {} column {}", e.line(), e.column()),
    })
}

/// Whether the content is JSON whose top level is an object containing all `keys`
/// (a cheap detection helper; parses at most [`MAX_FILE_BYTES`]).
pub(crate) fn json_object_has(input: &[u8], keys: &[&str]) -> bool {
    let trimmed = trim_ascii_start(input);
    if trimmed.first() != Some(&b'{') {
        return false;
    }
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(input) {
        Ok(map) => keys.iter().all(|k| map.contains_key(*k)),
        Err(_) => false,
    }
}

/// `input` without leading ASCII whitespace and a UTF-8 byte-order mark.
pub(crate) fn trim_ascii_start(input: &[u8]) -> &[u8] {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    input.trim_ascii_start()
}

/// Checks an entry count against [`MAX_ENTRIES`].
pub(crate) fn check_entries(format: &'static str, count: usize) -> Result<(), FormatError> {
    if count > MAX_ENTRIES {
        return Err(FormatError::Limit {
            format,
            reason: format!("{count} entries, expected at most {MAX_ENTRIES}"),
        });
    }
    Ok(())
}

/// Checks a text field against [`MAX_FIELD_LEN`]; `Err` is the skip reason.
pub(crate) fn check_field(field: &'static str, value: &str) -> Result<(), String> {
    if value.len() > MAX_FIELD_LEN {
        return Err(format!(
            "{field} is {} bytes long, expected at most {MAX_FIELD_LEN}",
            value.len()
        ));
    }
    Ok(())
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
    fn export_paths_add_a_missing_extension_and_number_several_files() {
        let one = |out: &str, suffix: &str| export_paths(Path::new(out), &[file(suffix)]);
        assert_eq!(one("backup", ".age"), [PathBuf::from("backup.age")]);
        assert_eq!(one("backup.age", ".age"), [PathBuf::from("backup.age")]);
        assert_eq!(one("dir/mine.bin", ".age"), [PathBuf::from("dir/mine.bin")]);
        assert_eq!(one("codes", "-1.png"), [PathBuf::from("codes.png")]);
        let two = |out: &str| export_paths(Path::new(out), &[file("-1.png"), file("-2.png")]);
        assert_eq!(
            two("out/codes.png"),
            [
                PathBuf::from("out/codes-1.png"),
                PathBuf::from("out/codes-2.png")
            ]
        );
        assert_eq!(
            two("codes.v2"),
            [
                PathBuf::from("codes.v2-1.png"),
                PathBuf::from("codes.v2-2.png")
            ]
        );
        assert_eq!(two("codes")[1], PathBuf::from("codes-2.png"));
    }
}
