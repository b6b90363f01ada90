//! Merging imported accounts into a vault: duplicate detection and the user's choice per
//! duplicate (skip, replace, keep both). Every import path of both front ends goes through
//! here: files, pasted links, scanned QR codes, typed keys (issue 10 §2, docs/reference/STYLE.md
//! §10).
//!
//! Two steps, so a front end can show a preview between them:
//!
//! 1. [`plan`] marks each incoming account that has the same token ([`Account::same_token`]:
//!    same secret, kind, algorithm and digits; HOTP counters may differ) as an account already
//!    in the vault, or as an earlier account of the same import.
//! 2. [`apply`] adds the accounts that duplicate nothing and asks `choice` for each duplicate:
//!    - [`DuplicateChoice::Skip`] drops the incoming account;
//!    - [`DuplicateChoice::Replace`] updates the vault account from the incoming one by
//!      [`replacement`]'s rule;
//!    - [`DuplicateChoice::KeepBoth`] adds the incoming account with a fresh id.
//!
//! **The Replace rule** ([`replacement`]): what the incoming account carries wins, and nothing
//! it cannot carry is lost. An export file (Aegis, an otpauth link, a QR code) may have no
//! notes, tags or recovery codes at all, so "replace" must never mean "wipe":
//!
//! | field | result |
//! |---|---|
//! | id, order, created_at | the vault's (the account stays where it is) |
//! | issuer, name, secret, type, algorithm, digits, period | the incoming account's |
//! | HOTP counter | the larger of the two: a rewound counter would show codes the server already
//! accepted |
//! | notes | the incoming notes when not empty, else the vault's |
//! | icon | the incoming icon when set, else the vault's |
//! | tags | both lists, the vault's first, each tag once |
//! | favourite | favourite if either is |
//! | recovery codes | both lists, each code once, used if used in either ([`recovery::merge`]) |
//! | last_used_at, updated_at | the later of the two |
//!
//! Added accounts keep their own id when it is free (so restoring a backup into an empty vault
//! keeps ids and the restore drill matches by id), else they get a fresh one. Into an empty
//! vault they keep their `order`; into a non-empty one they go after the existing accounts,
//! in file order.

use crate::account::{clean_tags, Account, AccountId, Kind};
use crate::recovery;
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

impl Incoming {
    /// Whether the account duplicates anything (the vault or an earlier incoming account):
    /// the cases where [`apply`] asks for a [`DuplicateChoice`].
    pub fn is_duplicate(&self) -> bool {
        self.duplicate_of.is_some() || self.duplicate_in_file
    }
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
    /// The ids of the accounts added, in order (for messages that name them).
    #[serde(skip)]
    pub added_ids: Vec<AccountId>,
    /// The ids of the vault accounts replaced, in order.
    #[serde(skip)]
    pub replaced_ids: Vec<AccountId>,
}

/// Marks which incoming accounts duplicate vault accounts (or earlier incoming ones).
pub fn plan(existing: &[Account], incoming: Vec<Account>) -> Vec<Incoming> {
    let mut out: Vec<Incoming> = Vec::with_capacity(incoming.len());
    for account in incoming {
        let duplicate_of = existing
            .iter()
            .find(|e| e.same_token(&account))
            .map(|e| e.id.clone());
        let duplicate_in_file = out
            .iter()
            .any(|earlier| earlier.account.same_token(&account));
        out.push(Incoming {
            account,
            duplicate_of,
            duplicate_in_file,
        });
    }
    out
}

/// Applies a plan to `vault`: non-duplicates are added, duplicates follow `choice`.
/// In-file duplicates are skipped under [`DuplicateChoice::Skip`] and [`DuplicateChoice::Replace`].
///
/// `choice` is called with the account's position in `plan`, only for accounts where
/// [`Incoming::is_duplicate`] holds. An account
/// that the plan did not mark but that duplicates the vault by the time it is applied (the
/// vault changed in between) is counted as a skipped duplicate, never an error.
///
/// # Errors
/// [`VaultError::InvalidAccount`] when an account breaks a field limit (nothing is half
/// applied to that account; earlier ones stay applied, so apply to a copy or save only on
/// success).
pub fn apply(
    vault: &mut Vault,
    plan: Vec<Incoming>,
    mut choice: impl FnMut(usize, &Incoming) -> DuplicateChoice,
) -> Result<MergeSummary, VaultError> {
    let mut summary = MergeSummary::default();
    let keep_order = vault.is_empty();
    let mut next_order = vault
        .accounts()
        .iter()
        .map(|a| a.order)
        .max()
        .map_or(0, |m| m.saturating_add(1));

    let mut place = |account: &mut Account| {
        if !keep_order {
            account.order = next_order;
            next_order = next_order.saturating_add(1);
        }
    };

    for (index, inc) in plan.into_iter().enumerate() {
        if !inc.is_duplicate() {
            let mut account = inc.account;
            place(&mut account);
            match vault.add(account) {
                Ok(id) => {
                    summary.added += 1;
                    summary.added_ids.push(id);
                }
                Err(VaultError::Duplicate { .. }) => summary.skipped_duplicates += 1,
                Err(e) => return Err(e),
            }
            continue;
        }
        let decision = choice(index, &inc);
        match decision {
            DuplicateChoice::Skip => summary.skipped_duplicates += 1,
            DuplicateChoice::KeepBoth => {
                let mut account = inc.account;
                account.id = AccountId::random();
                place(&mut account);
                let id = vault.add_allowing_duplicate(account)?;
                summary.added += 1;
                summary.added_ids.push(id);
            }
            DuplicateChoice::Replace => {
                let target = match (&inc.duplicate_of, inc.duplicate_in_file) {
                    (Some(id), false) => vault.get(id).cloned(),
                    _ => None,
                };
                match target {
                    Some(old) => {
                        vault.replace(replacement(&old, inc.account))?;
                        summary.replaced += 1;
                        summary.replaced_ids.push(old.id);
                    }
                    // An in-file duplicate, or the vault account is gone.
                    None => summary.skipped_duplicates += 1,
                }
            }
        }
    }
    Ok(summary)
}

/// The incoming account `new` in the place of the vault's `old`, by the Replace rule of the
/// module doc: the incoming values win where `new` has them, nothing `new` cannot carry is
/// lost, and an HOTP counter never goes back.
pub fn replacement(old: &Account, mut new: Account) -> Account {
    new.id = old.id.clone();
    new.order = old.order;
    new.created_at = old.created_at;
    if let (Kind::Hotp { counter: kept }, Kind::Hotp { counter }) = (old.kind, &mut new.kind) {
        *counter = (*counter).max(kept);
    }
    if new.notes.trim().is_empty() {
        new.notes.clone_from(&old.notes);
    }
    if new.icon.is_none() {
        new.icon.clone_from(&old.icon);
    }
    new.tags = clean_tags(old.tags.iter().chain(new.tags.iter()));
    new.favourite |= old.favourite;
    new.recovery_codes = recovery::merge(&old.recovery_codes, &new.recovery_codes);
    new.last_used_at = new.last_used_at.max(old.last_used_at);
    new.updated_at = new.updated_at.max(old.updated_at);
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Period;
    use crate::secret::SecretBytes;

    fn acct(issuer: &str, secret: u8, kind: Kind) -> Account {
        Account::new(issuer, "x", SecretBytes::from_slice(&[secret; 10]), kind, 1)
    }

    fn totp(issuer: &str, secret: u8) -> Account {
        acct(
            issuer,
            secret,
            Kind::Totp {
                period: Period::THIRTY,
            },
        )
    }

    #[test]
    fn plan_marks_vault_and_in_file_duplicates() {
        let existing = vec![totp("A", 1)];
        let p = plan(&existing, vec![totp("A2", 1), totp("B", 2), totp("B2", 2)]);
        assert_eq!(p[0].duplicate_of.as_ref(), Some(&existing[0].id));
        assert!(!p[0].duplicate_in_file);
        assert!(!p[1].is_duplicate());
        assert!(p[2].duplicate_of.is_none() && p[2].duplicate_in_file);
    }

    #[test]
    fn replace_keeps_id_order_created_and_larger_counter() {
        let mut v = Vault::new();
        let mut old = acct("H", 1, Kind::Hotp { counter: 50 });
        old.order = 7;
        old.created_at = 3;
        let id = v.add(old).unwrap();
        let mut new = acct("H new", 1, Kind::Hotp { counter: 10 });
        new.created_at = 99;
        let p = plan(v.accounts(), vec![new]);
        let s = apply(&mut v, p, |_, _| DuplicateChoice::Replace).unwrap();
        assert_eq!(s.replaced, 1);
        let a = v.get(&id).unwrap();
        assert_eq!(
            (a.issuer.as_str(), a.order, a.created_at, a.kind),
            ("H new", 7, 3, Kind::Hotp { counter: 50 })
        );
    }

    #[test]
    fn replace_never_loses_what_the_incoming_account_cannot_carry() {
        // See: issue 10 §2 (re-importing an Aegis export wiped recovery codes and notes).
        let mut v = Vault::new();
        let mut old = totp("GitHub", 1);
        old.notes = "printed codes in the drawer".into();
        old.tags = vec!["work".into()];
        old.favourite = true;
        old.icon = Some("github".into());
        old.last_used_at = Some(500);
        recovery::add(
            &mut old.recovery_codes,
            recovery::parse("aaaa-1111\nbbbb-2222"),
        )
        .unwrap();
        old.recovery_codes[1].used = true;
        old.recovery_codes[1].used_at = Some(400);
        let id = v.add(old).unwrap();

        let mut new = totp("GitHub, Inc.", 1);
        new.tags = vec!["imported".into(), "work".into()];
        let p = plan(v.accounts(), vec![new]);
        apply(&mut v, p, |_, _| DuplicateChoice::Replace).unwrap();
        let a = v.get(&id).unwrap();
        assert_eq!(a.issuer, "GitHub, Inc.", "the incoming value wins");
        assert_eq!(a.notes, "printed codes in the drawer");
        assert_eq!(a.tags, ["work", "imported"]);
        assert!(a.favourite);
        assert_eq!(a.icon.as_deref(), Some("github"));
        assert_eq!(a.last_used_at, Some(500));
        assert_eq!(a.recovery_codes.len(), 2);
        assert!(a.recovery_codes[1].used && a.recovery_codes[1].used_at == Some(400));

        // Incoming notes, when present, win.
        let mut newer = totp("GitHub", 1);
        newer.notes = "moved to the safe".into();
        let p = plan(v.accounts(), vec![newer]);
        apply(&mut v, p, |_, _| DuplicateChoice::Replace).unwrap();
        assert_eq!(v.get(&id).unwrap().notes, "moved to the safe");
    }

    #[test]
    fn choice_is_asked_per_account_by_position() {
        let mut v = Vault::new();
        v.add(totp("A", 1)).unwrap();
        v.add(totp("B", 2)).unwrap();
        let p = plan(v.accounts(), vec![totp("A new", 1), totp("B new", 2)]);
        let s = apply(&mut v, p, |i, _| {
            if i == 0 {
                DuplicateChoice::Replace
            } else {
                DuplicateChoice::Skip
            }
        })
        .unwrap();
        assert_eq!((s.replaced, s.skipped_duplicates), (1, 1));
        let issuers: Vec<&str> = v.accounts().iter().map(|a| a.issuer.as_str()).collect();
        assert_eq!(issuers, ["A new", "B"]);
    }
}
