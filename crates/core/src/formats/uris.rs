//! Plain-text lists of `otpauth://` URIs, one per line: Aegis's and Ente Auth's plain
//! exports and what many tools print (`docs/reference/formats.md` §1 and §8).
//!
//! Reading: blank lines and lines starting with `#` are ignored; every other line is one
//! `otpauth://` URI read by [`crate::uri::parse`], or one `otpauth-migration://` URI read by
//! [`crate::migration::decode`] (so a list may mix both). A line that cannot be read is
//! reported in [`Imported::skipped`] with its line index (from 0) and the reason; a file in
//! which no line can be read at all is an error naming the first bad line. Ente's extra
//! `codeDisplay` parameter (url-encoded JSON, formats.md §8) gives `pinned` → favourite and
//! `tags` → tags; its other members (`trashed`, `lastUsedAt`, `tapCount`) are ignored.
//! Missing or repeated Google Authenticator batches are reported in [`Imported::warnings`]
//! (see `LineReader`).
//!
//! Writing: one [`crate::uri::format`] URI per line, in the accounts' order. The format
//! cannot carry notes, tags, favourite, icon hints, recovery codes, the manual order or the
//! dates, and it exposes every secret in plain text.

use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

use crate::account::Account;
use crate::formats::{
    check_entries, check_field, trim_ascii_start, ExportFile, Exporter, FormatError, Imported,
    Importer, Skipped, OTPAUTH_LOSES,
};
use crate::migration::{self, MigrationBatch};
use crate::secret::SecretString;
use crate::uri;

const NAME: &str = "otpauth URI list";

/// The otpauth URI list importer (Aegis `aegis-export-uri-*.txt`, Ente Auth plain `.txt`).
pub struct UriList;

impl Importer for UriList {
    fn id(&self) -> &'static str {
        "uris"
    }
    fn name(&self) -> &'static str {
        NAME
    }
    fn detect(&self, input: &[u8]) -> bool {
        first_line(input).is_some_and(|l| starts_with_ignore_case(l, b"otpauth://"))
    }
    fn is_encrypted(&self, _input: &[u8]) -> Result<bool, FormatError> {
        Ok(false)
    }
    fn import(
        &self,
        input: &[u8],
        _password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        let text = utf8_text(NAME, input)?;
        let mut reader = LineReader::new(NAME, now);
        reader.read_text(text)?;
        reader.finish()
    }
}

/// The otpauth URI list exporter: one canonical URI per line.
pub struct UrisExporter;

impl Exporter for UrisExporter {
    fn id(&self) -> &'static str {
        "uris"
    }
    fn name(&self) -> &'static str {
        NAME
    }
    fn encrypted(&self) -> bool {
        false
    }
    fn loses(&self) -> &'static [&'static str] {
        OTPAUTH_LOSES
    }
    fn exposes(&self) -> &'static str {
        "every account's secret, issuer and name, in plain text"
    }
    fn export(
        &self,
        accounts: &[Account],
        _password: Option<&SecretString>,
        _now: i64,
    ) -> Result<Vec<ExportFile>, FormatError> {
        let uris: Vec<SecretString> = accounts.iter().map(uri::format).collect();
        let len = uris.iter().map(|u| u.expose().len() + 1).sum();
        // Reserved up front so the buffer holding the secrets is never reallocated (and copied).
        let mut bytes = Zeroizing::new(Vec::with_capacity(len));
        for u in &uris {
            bytes.extend_from_slice(u.expose().as_bytes());
            bytes.push(b'\n');
        }
        Ok(vec![ExportFile {
            suffix: ".txt".to_owned(),
            bytes,
        }])
    }
}

/// The input as UTF-8 text without a byte-order mark.
pub(crate) fn utf8_text<'a>(format: &'static str, input: &'a [u8]) -> Result<&'a str, FormatError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    std::str::from_utf8(input).map_err(|e| FormatError::Malformed {
        format,
        reason: format!(
            "not utf-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ),
    })
}

/// The first line that is neither blank nor a `#` comment, trimmed; reads bytes, so it never
/// fails on binary input.
pub(crate) fn first_line(input: &[u8]) -> Option<&[u8]> {
    trim_ascii_start(input)
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|l| !l.is_empty() && !l.starts_with(b"#"))
}

pub(crate) fn starts_with_ignore_case(line: &[u8], prefix: &[u8]) -> bool {
    line.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Reads `otpauth://` and `otpauth-migration://` payloads (lines of a text file, or the QR
/// codes of an image) into one [`Imported`], tracking Google Authenticator batches.
///
/// Batches (formats.md §2): payloads with `batch_size` > 1 are grouped by `batch_id`; each
/// index of `0..batch_size` not seen gives a warning ("batch 2 of 3 is missing: scan the
/// remaining QR codes"), and a batch read twice with the same accounts (the same QR code
/// scanned or pasted twice) is imported once, with a warning.
pub(crate) struct LineReader {
    format: &'static str,
    now: i64,
    imported: Imported,
    /// Whether any payload was read (even one whose entries were all skipped).
    any_read: bool,
    /// Why the first unreadable payload could not be read.
    first_error: Option<String>,
    /// Batches of multi-batch exports read so far: (batch_id, batch_size, batch_index,
    /// position of its first account in `imported.accounts`, number of accounts).
    batches: Vec<(i32, i32, i32, usize, usize)>,
}

impl LineReader {
    pub(crate) fn new(format: &'static str, now: i64) -> Self {
        LineReader {
            format,
            now,
            imported: Imported::default(),
            any_read: false,
            first_error: None,
            batches: Vec::new(),
        }
    }

    /// Reads every line of `text`; `#` comments and blank lines are ignored.
    pub(crate) fn read_text(&mut self, text: &str) -> Result<(), FormatError> {
        let count = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count();
        check_entries(self.format, count)?;
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            self.read_payload(index, line, "line");
        }
        Ok(())
    }

    /// Reads one payload found at `index` (from 0); `what` (`line`, `QR code`) names such
    /// positions in messages, counted from 1.
    pub(crate) fn read_payload(&mut self, index: usize, payload: &str, what: &str) {
        if migration::is_migration_uri(payload) {
            match migration::decode(payload, self.now) {
                Ok(batch) => self.add_batch(index, what, batch),
                Err(e) => self.skip(index, String::new(), format!("{what} {}: {e}", index + 1)),
            }
        } else if starts_with_ignore_case(payload.as_bytes(), b"otpauth://") {
            match uri::parse(payload, self.now) {
                Ok(mut account) => {
                    apply_code_display(payload, &mut account);
                    self.any_read = true;
                    self.push(account);
                }
                Err(e) => self.skip(
                    index,
                    uri_label(payload),
                    format!("{what} {}: {e}", index + 1),
                ),
            }
        } else {
            self.skip(
                index,
                String::new(),
                format!(
                    "{what} {}: expected an otpauth:// or otpauth-migration:// uri",
                    index + 1
                ),
            );
        }
    }

    fn push(&mut self, mut account: Account) {
        account.order = i64::try_from(self.imported.accounts.len()).unwrap_or(i64::MAX);
        self.imported.accounts.push(account);
    }

    fn skip(&mut self, index: usize, label: String, reason: String) {
        if self.first_error.is_none() {
            self.first_error = Some(reason.clone());
        }
        self.imported.skipped.push(Skipped {
            index,
            label,
            reason,
        });
    }

    fn add_batch(&mut self, index: usize, what: &str, batch: MigrationBatch) {
        self.any_read = true;
        let MigrationBatch {
            accounts,
            skipped,
            batch_size,
            batch_index,
            batch_id,
            ..
        } = batch;
        if batch_size > 1 {
            let repeat = self.batches.iter().find(|b| {
                (b.0, b.1, b.2) == (batch_id, batch_size, batch_index) && b.4 == accounts.len()
            });
            if let Some(&(_, _, _, first, len)) = repeat {
                let earlier = self
                    .imported
                    .accounts
                    .get(first..first.saturating_add(len))
                    .unwrap_or_default();
                let same = earlier.len() == accounts.len()
                    && earlier
                        .iter()
                        .zip(&accounts)
                        .all(|(a, b)| a.same_token(b) && a.issuer == b.issuer && a.name == b.name);
                if same {
                    self.imported.warnings.push(format!(
                        "batch {} of {batch_size} was read twice: its accounts are imported once",
                        i64::from(batch_index) + 1
                    ));
                    return;
                }
            }
            self.batches.push((
                batch_id,
                batch_size,
                batch_index,
                self.imported.accounts.len(),
                accounts.len(),
            ));
        }
        for s in skipped {
            self.imported.skipped.push(Skipped {
                index,
                label: s.label,
                reason: format!("{what} {}, entry {}: {}", index + 1, s.index + 1, s.reason),
            });
        }
        for account in accounts {
            self.push(account);
        }
    }

    /// Warnings for the batches of multi-batch exports that were not read.
    fn batch_warnings(&self) -> Vec<String> {
        /// Beyond this many missing batches of one export, one summary line is given.
        const LISTED: usize = 10;
        let mut warnings = Vec::new();
        let mut ids: Vec<(i32, i32)> = self.batches.iter().map(|b| (b.0, b.1)).collect();
        ids.sort_unstable();
        ids.dedup();
        for (id, size) in ids {
            let mut seen: Vec<i32> = self
                .batches
                .iter()
                .filter(|b| (b.0, b.1) == (id, size) && (0..size).contains(&b.2))
                .map(|b| b.2)
                .collect();
            seen.sort_unstable();
            seen.dedup();
            let distinct_seen = seen.len();
            // `size` comes from the file: count the missing ones without walking a huge range.
            let missing_count = usize::try_from(size)
                .unwrap_or(0)
                .saturating_sub(distinct_seen);
            if missing_count == 0 {
                continue;
            }
            if missing_count > LISTED {
                warnings.push(format!(
                    "{missing_count} of {size} batches are missing: scan the remaining QR codes"
                ));
                continue;
            }
            for i in (0..size).filter(|i| !seen.contains(i)).take(LISTED) {
                warnings.push(format!(
                    "batch {} of {size} is missing: scan the remaining QR codes",
                    i64::from(i) + 1
                ));
            }
        }
        warnings
    }

    /// The result: an error naming the first bad payload when none could be read at all, or
    /// [`FormatError::Unrecognized`] when there was no payload.
    pub(crate) fn finish(mut self) -> Result<Imported, FormatError> {
        if !self.any_read {
            return Err(match self.first_error {
                Some(reason) => FormatError::Malformed {
                    format: self.format,
                    reason,
                },
                None => FormatError::Unrecognized {
                    hint: Some(format!("expected a {}, found no uri", self.format)),
                },
            });
        }
        // Lines are bounded by `read_text`, but each migration payload may hold many entries.
        check_entries(self.format, self.imported.accounts.len())?;
        let mut warnings = self.batch_warnings();
        self.imported.warnings.append(&mut warnings);
        Ok(self.imported)
    }
}

/// The percent-decoded label of an otpauth URI (`otpauth://TYPE/LABEL?…`), which never holds
/// the secret, shortened for a skip message.
fn uri_label(uri: &str) -> String {
    let rest = uri.split_once("://").map_or("", |(_, r)| r);
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let label = path.split_once('/').map_or("", |(_, l)| l);
    percent_decode_str(label)
        .decode_utf8_lossy()
        .chars()
        .take(128)
        .collect()
}

/// Ente Auth's `codeDisplay` parameter (formats.md §8): `pinned` and `tags` are kept.
#[derive(serde::Deserialize)]
struct CodeDisplay {
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    tags: Vec<String>,
}

/// Applies Ente's `codeDisplay` (if present and well-formed) to `account`; a malformed one
/// is ignored like any unknown parameter.
fn apply_code_display(uri: &str, account: &mut Account) {
    let Some((_, query)) = uri.split_once('?') else {
        return;
    };
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let Some(raw) = query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.eq_ignore_ascii_case("codeDisplay").then_some(v)
    }) else {
        return;
    };
    let spaced = raw.replace('+', " ");
    let Ok(json) = percent_decode_str(&spaced).decode_utf8() else {
        return;
    };
    let Ok(display) = serde_json::from_str::<CodeDisplay>(&json) else {
        return;
    };
    account.favourite = display.pinned;
    for tag in display.tags {
        if check_field("tag", &tag).is_ok() && !tag.is_empty() && !account.tags.contains(&tag) {
            account.tags.push(tag);
        }
    }
}
