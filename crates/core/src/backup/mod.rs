//! Backups of the vault (issue 5, `docs/backup.md`): the restore drill that compares a
//! backup with the vault ([`compare`]) and automatic backups to a folder ([`auto`]). The
//! backup file format itself (age-encrypted JSON) is `crate::formats::twofold`'s; its
//! functions are re-exported here, where callers look for them.

use crate::account::{Account, Kind};

pub mod auto;

pub use crate::formats::twofold::{
    decrypt, encrypt, encrypt_with_work_factor, from_json, is_age, is_backup_json, to_json,
    AGE_ARMOR_BEGIN, AGE_MAGIC, FORMAT_TAG, MAX_WORK_FACTOR, SCHEMA_VERSION, WORK_FACTOR,
};

// ---------------------------------------------------------------------------------------------
// Restore drill

/// How a backup differs from the vault, for one account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Difference {
    /// In the vault, not in the backup.
    MissingFromBackup {
        /// The account's label.
        label: String,
    },
    /// In the backup, not in the vault.
    MissingFromVault {
        /// The account's label.
        label: String,
    },
    /// In both (same id), with different field values.
    Changed {
        /// The vault account's label.
        label: String,
        /// The fields that differ (`secret`, `issuer`, `counter`, …), never their values.
        fields: Vec<&'static str>,
    },
}

/// The names (as in the JSON schema) of the fields where `a` and `b` differ.
fn differing_fields(a: &Account, b: &Account) -> Vec<&'static str> {
    let mut f = Vec::new();
    let mut check = |differs: bool, name: &'static str| {
        if differs {
            f.push(name);
        }
    };
    let period = |k: Kind| match k {
        Kind::Totp { period } => Some(period),
        _ => None,
    };
    let counter = |k: Kind| match k {
        Kind::Hotp { counter } => Some(counter),
        _ => None,
    };
    check(a.id != b.id, "id");
    check(a.issuer != b.issuer, "issuer");
    check(a.name != b.name, "name");
    check(a.secret != b.secret, "secret");
    check(a.kind.name() != b.kind.name(), "type");
    check(a.algorithm != b.algorithm, "algorithm");
    check(a.digits != b.digits, "digits");
    check(period(a.kind) != period(b.kind), "period");
    check(counter(a.kind) != counter(b.kind), "counter");
    check(a.icon != b.icon, "icon");
    check(a.tags != b.tags, "tags");
    check(a.favourite != b.favourite, "favourite");
    check(a.order != b.order, "order");
    check(a.notes != b.notes, "notes");
    check(a.recovery_codes != b.recovery_codes, "recovery_codes");
    check(a.created_at != b.created_at, "created_at");
    check(a.updated_at != b.updated_at, "updated_at");
    check(a.last_used_at != b.last_used_at, "last_used_at");
    f
}

/// The restore drill: compares the accounts of a backup with the vault's, by id (then by
/// token for accounts whose id is not found). Empty when they match.
///
/// Differences come in vault order ([`Difference::Changed`] and
/// [`Difference::MissingFromBackup`]), then backup order ([`Difference::MissingFromVault`]).
/// A pair matched by token rather than id lists `id` among its changed fields. Every field
/// counts, including `counter` and `last_used_at`, which move on their own after a backup.
pub fn compare(backup: &[Account], vault: &[Account]) -> Vec<Difference> {
    let mut used = vec![false; backup.len()];
    // For each vault account, the index of its backup counterpart.
    let mut pair: Vec<Option<usize>> = vault
        .iter()
        .map(|v| {
            let i = backup.iter().position(|b| b.id == v.id)?;
            if used[i] {
                return None;
            }
            used[i] = true;
            Some(i)
        })
        .collect();
    for (v, p) in vault.iter().zip(pair.iter_mut()) {
        if p.is_none() {
            if let Some(i) = (0..backup.len()).find(|&i| !used[i] && backup[i].same_token(v)) {
                used[i] = true;
                *p = Some(i);
            }
        }
    }
    let mut out = Vec::new();
    for (v, p) in vault.iter().zip(&pair) {
        match p {
            Some(i) => {
                let fields = differing_fields(v, &backup[*i]);
                if !fields.is_empty() {
                    out.push(Difference::Changed {
                        label: v.label(),
                        fields,
                    });
                }
            }
            None => out.push(Difference::MissingFromBackup { label: v.label() }),
        }
    }
    for (b, u) in backup.iter().zip(&used) {
        if !u {
            out.push(Difference::MissingFromVault { label: b.label() });
        }
    }
    out
}
