//! What Twofold stores per account: the OTP parameters with their secret, and the metadata a
//! user manages beside it (issuer, name, icon hint, tags, favourite and order, notes, and the
//! recovery codes a site hands out at setup).
//!
//! Validation of digits and period lives in the constructors of [`Digits`] and [`Period`], so an
//! [`Account`] that exists is one whose codes can be computed. Serialization of accounts is the
//! vault's business (`vault` keeps private mirror structs), so that no `Account`, and no secret
//! inside one, can be serialized by accident, e.g. into an IPC response.

use std::fmt;

use crate::secret::{SecretBytes, SecretString};

/// A stable account identifier (a random UUID, hyphenated lower case).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct AccountId(pub String);

impl AccountId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// Whether the id is a UUID in the hyphenated lower-case form [`AccountId::random`]
    /// makes (36 bytes). Ids of imported accounts that are not get a fresh one, so an id
    /// has a known size (issue 11 item 7: the payload buffer is sized exactly).
    pub fn is_uuid(&self) -> bool {
        self.0.len() == 36
            && uuid::Uuid::try_parse(&self.0).is_ok_and(|u| u.hyphenated().to_string() == self.0)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The HMAC hash function (RFC 6238 §1.2 allows SHA-1, SHA-256, SHA-512).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Algorithm {
    /// HMAC-SHA-1, the default and by far the most common.
    #[default]
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl Algorithm {
    /// The name as otpauth URIs write it (`SHA1`, `SHA256`, `SHA512`).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }

    /// Parses `SHA1`/`sha-256`/… case-insensitively; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Some(Algorithm::Sha1),
            "SHA256" => Some(Algorithm::Sha256),
            "SHA512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Number of digits of an HOTP/TOTP code: 6 to 8 (RFC 4226 §5.3 requires at least 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digits(u8);

impl Digits {
    /// Six digits, the default.
    pub const SIX: Digits = Digits(6);
    /// Eight digits.
    pub const EIGHT: Digits = Digits(8);

    /// `Some` for 6, 7 or 8.
    pub fn new(digits: u32) -> Option<Self> {
        (6..=8).contains(&digits).then_some(Digits(digits as u8))
    }

    /// The count as a number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for Digits {
    fn default() -> Self {
        Digits::SIX
    }
}

/// A TOTP time step in seconds: 1 s to 1 day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period(u32);

impl Period {
    /// Thirty seconds, the default.
    pub const THIRTY: Period = Period(30);
    /// The longest period accepted: one day.
    pub const MAX_SECONDS: u32 = 86_400;

    /// `Some` for 1 ..= 86 400 seconds.
    pub fn new(seconds: u64) -> Option<Self> {
        (1..=u64::from(Self::MAX_SECONDS))
            .contains(&seconds)
            .then_some(Period(seconds as u32))
    }

    /// The period in seconds.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl Default for Period {
    fn default() -> Self {
        Period::THIRTY
    }
}

/// The kind of one-time password and the parameters that only that kind has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// RFC 6238 time-based codes.
    Totp {
        /// The time step.
        period: Period,
    },
    /// RFC 4226 counter-based codes. `counter` is the value the *next* code uses; it is
    /// advanced (and saved) each time a code is generated.
    Hotp {
        /// The moving factor for the next code.
        counter: u64,
    },
    /// Steam Guard: TOTP over HMAC-SHA-1 with a 30 s period, shown as 5 characters from
    /// Steam's own 26-symbol alphabet.
    Steam,
}

impl Kind {
    /// `totp`, `hotp` or `steam`, as otpauth URIs and the CLI write it.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Totp { .. } => "totp",
            Kind::Hotp { .. } => "hotp",
            Kind::Steam => "steam",
        }
    }
}

/// A backup code a site handed out at 2FA setup, with whether the user has spent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCode {
    /// The code as the site printed it.
    pub code: SecretString,
    /// Whether the user marked it used.
    pub used: bool,
    /// When it was marked used (unix seconds).
    pub used_at: Option<i64>,
}

/// One account: OTP parameters, secret and user metadata.
///
/// `Debug` is derived but safe: [`SecretBytes`] and [`SecretString`] redact themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Stable identifier.
    pub id: AccountId,
    /// The service (`GitHub`). May be empty.
    pub issuer: String,
    /// The account at that service (`alice@example.com`). May be empty.
    pub name: String,
    /// The shared secret (raw bytes, not base32).
    pub secret: SecretBytes,
    /// TOTP/HOTP/Steam and their parameters.
    pub kind: Kind,
    /// HMAC algorithm (always SHA-1 for Steam).
    pub algorithm: Algorithm,
    /// Code length (ignored for Steam, which always shows 5 characters).
    pub digits: Digits,
    /// A hint for the icon to show (a brand slug such as `github`), if any.
    pub icon: Option<String>,
    /// Free-form tags for grouping and search.
    pub tags: Vec<String>,
    /// Pinned to the top of lists.
    pub favourite: bool,
    /// Manual sort position (lower first).
    pub order: i64,
    /// Free-form notes.
    pub notes: String,
    /// Backup codes for this account.
    pub recovery_codes: Vec<RecoveryCode>,
    /// When the account was added (unix seconds).
    pub created_at: i64,
    /// When the account was last changed (unix seconds).
    pub updated_at: i64,
    /// When a code was last copied or shown on request (unix seconds), for "recently used".
    pub last_used_at: Option<i64>,
}

impl Account {
    /// A new account with a fresh id, SHA-1, 6 digits, no metadata. `now` is unix seconds.
    pub fn new(
        issuer: impl Into<String>,
        name: impl Into<String>,
        secret: SecretBytes,
        kind: Kind,
        now: i64,
    ) -> Self {
        Account {
            id: AccountId::random(),
            issuer: issuer.into(),
            name: name.into(),
            secret,
            kind,
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            icon: None,
            tags: Vec::new(),
            favourite: false,
            order: 0,
            notes: String::new(),
            recovery_codes: Vec::new(),
            created_at: now,
            updated_at: now,
            last_used_at: None,
        }
    }

    /// `Issuer (name)`, `Issuer`, or `name`: how lists and messages name the account.
    pub fn label(&self) -> String {
        match (self.issuer.is_empty(), self.name.is_empty()) {
            (false, false) => format!("{} ({})", self.issuer, self.name),
            (false, true) => self.issuer.clone(),
            (true, false) => self.name.clone(),
            (true, true) => "(unnamed)".to_owned(),
        }
    }

    /// Whether this account has the same secret and OTP parameters as `other`: the test
    /// for duplicates on import.
    pub fn same_token(&self, other: &Account) -> bool {
        self.secret == other.secret
            && self.kind_eq_ignoring_counter(other)
            && self.algorithm == other.algorithm
            && self.digits == other.digits
    }

    fn kind_eq_ignoring_counter(&self, other: &Account) -> bool {
        match (self.kind, other.kind) {
            (Kind::Hotp { .. }, Kind::Hotp { .. }) => true,
            (a, b) => a == b,
        }
    }
}

/// How long or how many each user-managed field may be: one table for the vault, both front
/// ends and every import path (issue 10 §2). [`Account::check_fields`] applies it and the
/// vault refuses an account that breaks it, so no front end can store more than the others.
pub mod limits {
    /// Longest issuer, account name or icon hint, in bytes (otpauth URIs and import files
    /// are held to it too: `uri::MAX_FIELD_LEN`, `formats::MAX_FIELD_LEN`).
    pub const MAX_TEXT: usize = 4096;
    /// Longest notes, in bytes.
    pub const MAX_NOTES: usize = 64 * 1024;
    /// Most tags per account.
    pub const MAX_TAGS: usize = 64;
    /// Longest tag, in bytes.
    pub const MAX_TAG_LEN: usize = 256;
    /// Most recovery codes per account.
    pub const MAX_RECOVERY_CODES: usize = 1000;
    /// Longest recovery code, in bytes.
    pub const MAX_RECOVERY_CODE_LEN: usize = 256;
}

/// A field over its limit ([`limits`]). Names the field and the sizes, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A text field is too long.
    #[error("{field} is {len} bytes long, expected at most {max}")]
    TooLong {
        /// The field (`notes`, `tag`, `recovery code`…).
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A list has too many entries.
    #[error("{count} {what} given, expected at most {max}")]
    TooMany {
        /// What the list holds (`tags`, `recovery codes`).
        what: &'static str,
        /// How many there are.
        count: usize,
        /// The limit.
        max: usize,
    },
}

/// Checks one text field against its limit.
///
/// # Errors
/// [`FieldError::TooLong`].
pub fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.len() > max {
        return Err(FieldError::TooLong {
            field,
            len: value.len(),
            max,
        });
    }
    Ok(())
}

/// Checks a list's length against its limit.
///
/// # Errors
/// [`FieldError::TooMany`].
pub fn check_count(what: &'static str, count: usize, max: usize) -> Result<(), FieldError> {
    if count > max {
        return Err(FieldError::TooMany { what, count, max });
    }
    Ok(())
}

/// Tags as stored: trimmed, without empty ones, each once, in first-seen order.
pub fn clean_tags<S: AsRef<str>>(tags: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.as_ref().trim();
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    out
}

impl Account {
    /// Checks every user-managed field against [`limits`].
    ///
    /// # Errors
    /// The first field over its limit.
    pub fn check_fields(&self) -> Result<(), FieldError> {
        use limits::*;
        check_len("issuer", &self.issuer, MAX_TEXT)?;
        check_len("account name", &self.name, MAX_TEXT)?;
        check_len("icon", self.icon.as_deref().unwrap_or(""), MAX_TEXT)?;
        check_len("notes", &self.notes, MAX_NOTES)?;
        check_count("tags", self.tags.len(), MAX_TAGS)?;
        for t in &self.tags {
            check_len("tag", t, MAX_TAG_LEN)?;
        }
        check_count(
            "recovery codes",
            self.recovery_codes.len(),
            MAX_RECOVERY_CODES,
        )?;
        for r in &self.recovery_codes {
            check_len("recovery code", r.code.expose(), MAX_RECOVERY_CODE_LEN)?;
        }
        Ok(())
    }
}
