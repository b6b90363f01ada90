//! Proton Authenticator's plain JSON export (`docs/reference/formats.md` §10):
//! `{version: 1, entries: [{id, content: {uri, entry_type, name}, note}]}`.
//!
//! Each entry's `content.uri` is read by [`crate::uri::parse`]; the account name is
//! `content.name` when present (the app lets users rename an entry without touching its URI),
//! and `note` becomes the notes. `id` and `entry_type` are ignored (the URI says the type). An
//! entry that cannot be read is skipped with the reason. Nothing Twofold stores is lost on
//! import beyond what the file has no field for (tags, favourite, recovery codes). Import
//! only: Twofold does not write this format.

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::account::Account;
use crate::formats::aegis::describe_json_error;
use crate::formats::{
    check_entries, check_field, parse_json, trim_ascii_start, FormatError, Imported, Importer,
    Skipped,
};
use crate::secret::SecretString;
use crate::uri;

const NAME: &str = "Proton Authenticator";

/// The Proton Authenticator importer.
pub struct Proton;

/// The file's top level; entries stay raw so one bad entry is skipped, not fatal.
#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow)]
    entries: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Entry {
    content: Content,
    #[serde(default)]
    note: Option<String>,
}

/// One entry's `content`; the URI holds the secret and is wiped on drop.
#[derive(Deserialize)]
struct Content {
    uri: String,
    #[serde(default)]
    name: Option<String>,
}

impl Drop for Content {
    fn drop(&mut self) {
        crate::secret::wipe(&mut self.uri);
    }
}

/// Just enough of an entry to name it in a skip message.
#[derive(Deserialize)]
struct EntryLabel {
    content: LabelContent,
}

#[derive(Deserialize)]
struct LabelContent {
    #[serde(default)]
    name: Option<String>,
}

/// The shape [`Proton::detect`] looks for: `entries[*].content.uri`. Fields are only
/// checked for presence, never read.
#[allow(dead_code)]
#[derive(Deserialize)]
struct DetectFile {
    entries: Vec<DetectEntry>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct DetectEntry {
    content: DetectContent,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct DetectContent {
    uri: IgnoredAny,
}

impl Importer for Proton {
    fn id(&self) -> &'static str {
        "proton"
    }
    fn name(&self) -> &'static str {
        NAME
    }
    fn detect(&self, input: &[u8]) -> bool {
        if trim_ascii_start(input).first() != Some(&b'{') {
            return false;
        }
        serde_json::from_slice::<DetectFile>(input).is_ok_and(|f| !f.entries.is_empty())
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
        let file: File = parse_json(NAME, input)?;
        check_entries(NAME, file.entries.len())?;
        let mut imported = Imported::default();
        for (index, raw) in file.entries.iter().enumerate() {
            match entry(raw, now) {
                Ok(mut account) => {
                    account.order = i64::try_from(imported.accounts.len()).unwrap_or(i64::MAX);
                    imported.accounts.push(account);
                }
                Err(reason) => imported.skipped.push(Skipped {
                    index,
                    label: serde_json::from_str::<EntryLabel>(raw.get())
                        .ok()
                        .and_then(|l| l.content.name)
                        .map(|n| n.chars().take(128).collect())
                        .unwrap_or_default(),
                    reason,
                }),
            }
        }
        Ok(imported)
    }
}

/// Converts one entry; `Err` is the reason it is skipped.
fn entry(raw: &RawValue, now: i64) -> Result<Account, String> {
    let entry: Entry = serde_json::from_str(raw.get())
        .map_err(|e| format!("entry: {}", describe_json_error(&e)))?;
    let mut account = uri::parse(&entry.content.uri, now).map_err(|e| e.to_string())?;
    if let Some(name) = entry.content.name.as_ref().filter(|n| !n.is_empty()) {
        check_field("name", name)?;
        account.name.clone_from(name);
    }
    if let Some(note) = &entry.note {
        check_field("note", note)?;
        account.notes.clone_from(note);
    }
    Ok(account)
}
