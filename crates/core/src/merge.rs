//! Merging imported accounts into a vault: duplicate detection and the user's choice per
//! duplicate (skip, replace, keep both), for the CLI and the app alike (issue 5).
//!
//! Stub: being written.

use crate::account::{Account, AccountId};
use crate::vault::{Vault, VaultError};

/// What to do with an incoming account that duplicates one already in the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicateChoice {
    /// Leave the vault's account alone and drop the incoming one.
    Skip,
    /// Overwrite the vault's account (keeping its id and order) with the incoming one.
    Replace,
    /// Add the incoming account as a new one.
    KeepBoth,
}

/// An imported account, with the vault account it duplicates (same secret and OTP
/// parameters, [`Account::same_token`]) if any.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The imported account.
    pub account: Account,
    /// The existing account with the same token, if any.
    pub duplicate_of: Option<AccountId>,
    /// Whether an earlier account of the same import has the same token.
    pub duplicate_in_file: bool,
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeSummary {
    /// Accounts added.
    pub added: usize,
    /// Vault accounts replaced.
    pub replaced: usize,
    /// Incoming accounts dropped as duplicates.
    pub skipped_duplicates: usize,
}

/// Marks which incoming accounts duplicate vault accounts (or earlier incoming ones).
pub fn plan(existing: &[Account], incoming: Vec<Account>) -> Vec<Incoming> {
    let _ = existing;
    incoming
        .into_iter()
        .map(|account| Incoming {
            account,
            duplicate_of: None,
            duplicate_in_file: false,
        })
        .collect()
}

/// Applies a plan to `vault`: non-duplicates are added, duplicates follow `choice`.
/// In-file duplicates are skipped under [`DuplicateChoice::Skip`] and [`DuplicateChoice::Replace`].
pub fn apply(
    vault: &mut Vault,
    plan: Vec<Incoming>,
    choice: impl Fn(&Incoming) -> DuplicateChoice,
) -> Result<MergeSummary, VaultError> {
    let _ = (vault, plan, choice);
    Ok(MergeSummary::default())
}
