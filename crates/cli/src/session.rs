//! What every subcommand shares: the clock, secrets from standard input, opening and saving
//! the vault named by the global options, and finding the one account a query names.

use std::io::{Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use twofold_core::vault::{SlotKind, Vault, VaultFile};
use twofold_core::{Account, AccountId, SecretString};

use crate::cli::GlobalArgs;
use crate::error::{one_line, Exit, Failure};
use crate::output::note;
use crate::unlock;

/// Seconds since the epoch. The clock is read here, never in core.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// [`now`] as the signed seconds core stamps accounts with.
pub fn now_i64() -> i64 {
    i64::try_from(now()).unwrap_or(i64::MAX)
}

/// Reads all of standard input as one trimmed value (for `-` arguments).
pub fn read_stdin(what: &str) -> Result<SecretString, Failure> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| {
        Failure::other(format!(
            "cannot read the {what} from standard input: {}",
            one_line(&e)
        ))
    })?;
    let value = SecretString::from(text.trim());
    twofold_core::secret::wipe(&mut text);
    if value.is_empty() {
        return Err(Failure::usage(format!("no {what} on standard input")));
    }
    Ok(value)
}

/// Says on standard error, once the command has succeeded, that a secret came on the command
/// line, where other programs of the machine can read it (`ps`, `/proc/<pid>/cmdline`), and
/// how to avoid it (issue 11 item 8).
pub fn warn_secret_on_command_line(what: &str) {
    crate::output::note_after_success(format!(
        "warning: the {what} was given on the command line, where other programs can read it \
         (ps, /proc); give - to read it from standard input instead"
    ));
}

/// `value`, or standard input when it is `-`. A value given on the command line is warned
/// about: it is a secret.
pub fn arg_or_stdin(value: &str, what: &str) -> Result<SecretString, Failure> {
    if value == "-" {
        read_stdin(what)
    } else {
        warn_secret_on_command_line(what);
        Ok(SecretString::from(value))
    }
}

/// Saves, mapping errors.
pub fn save(file: &mut VaultFile) -> Result<(), Failure> {
    file.save()
        .map_err(|e| Failure::from(e).context("cannot save the vault"))
}

// ---------------------------------------------------------------------------------------
// Account lookup

/// The one account `query` names: an exact id, else the vault's fuzzy search; among several
/// matches, the one whose issuer, name or label equals the query (case-insensitively), if
/// exactly one does. Zero or several ⇒ [`Exit::NotFound`], naming the matches.
pub fn find(vault: &Vault, query: &str) -> Result<AccountId, Failure> {
    if let Some(a) = vault.accounts().iter().find(|a| a.id.0 == query) {
        return Ok(a.id.clone());
    }
    let matches = vault.search(query);
    match matches.as_slice() {
        [] => {}
        [one] => return Ok(one.id.clone()),
        many => {
            let q = query.to_lowercase();
            let exact: Vec<&&Account> = many
                .iter()
                .filter(|a| {
                    a.issuer.to_lowercase() == q
                        || a.name.to_lowercase() == q
                        || a.label().to_lowercase() == q
                })
                .collect();
            if let [one] = exact.as_slice() {
                return Ok(one.id.clone());
            }
            let shown: Vec<String> = many
                .iter()
                .take(10)
                .map(|a| format!("{} [{}]", a.label(), short_id(&a.id)))
                .collect();
            let more = if many.len() > 10 {
                format!(" and {} more", many.len() - 10)
            } else {
                String::new()
            };
            return Err(Failure::new(
                Exit::NotFound,
                format!(
                    "{query:?} matches {} accounts: {}{more}; give a longer query or an id",
                    many.len(),
                    shown.join(", ")
                ),
            ));
        }
    }
    // An id prefix, as `list` shows them.
    if query.len() >= 4 {
        let by_prefix: Vec<&Account> = vault
            .accounts()
            .iter()
            .filter(|a| a.id.0.starts_with(query))
            .collect();
        if let [one] = by_prefix.as_slice() {
            return Ok(one.id.clone());
        }
    }
    Err(Failure::new(
        Exit::NotFound,
        format!("no account matches {query:?}"),
    ))
}

pub fn short_id(id: &AccountId) -> String {
    id.0.chars().take(8).collect()
}

/// The account `id` (which [`find`] just returned).
pub fn get<'a>(vault: &'a Vault, id: &AccountId) -> Result<&'a Account, Failure> {
    vault
        .get(id)
        .ok_or_else(|| Failure::new(Exit::NotFound, format!("account {id} not found")))
}

pub fn get_mut<'a>(vault: &'a mut Vault, id: &AccountId) -> Result<&'a mut Account, Failure> {
    vault
        .get_mut(id)
        .ok_or_else(|| Failure::new(Exit::NotFound, format!("account {id} not found")))
}

pub fn slot_names(slots: &[SlotKind]) -> String {
    let names: Vec<&str> = slots
        .iter()
        .map(|s| match s {
            SlotKind::Keychain => "keychain",
            SlotKind::Password => "password",
            SlotKind::KeychainAndPassword => "keychain and password",
            SlotKind::RecoveryKey => "recovery key",
        })
        .collect();
    names.join(", ")
}

/// Opens the vault named by the global options. A vault file older than a copy kept beside
/// it (a rollback: a sync tool or a restore put an older file in place) is said on standard
/// error, naming the newer copy, before the command goes on; commands that would save are
/// then refused by core until `vault restore-newer` or `vault keep-current` (issue 11 item 2).
pub fn open(g: &GlobalArgs) -> Result<VaultFile, Failure> {
    let path = unlock::vault_path(g)?;
    let file = unlock::open(g, &path)?;
    if let Some(rb) = file.rollback() {
        let newer = rb
            .newer_file
            .as_ref()
            .map(|p| format!("; the newer copy is {}", p.display()))
            .unwrap_or_default();
        note(&format!(
            "warning: the vault file (save {}) is older than a copy kept beside it (save {}): \
             a sync tool or a restore may have put an older copy in place, and accounts added \
             since may be missing{newer}; `twofold-cli vault restore-newer` takes it back, \
             `twofold-cli vault keep-current` keeps this one",
            rb.current, rb.newer
        ));
    }
    Ok(file)
}

pub fn confirm(question: &str) -> Result<bool, Failure> {
    let mut err = std::io::stderr().lock();
    write!(err, "{question}")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::{Kind, Period, SecretBytes};

    fn account(issuer: &str, name: &str, secret: &str) -> Account {
        Account::new(
            issuer,
            name,
            SecretBytes::from_base32(secret).unwrap(),
            Kind::Totp {
                period: Period::THIRTY,
            },
            0,
        )
    }

    fn vault() -> (Vault, Vec<AccountId>) {
        let mut v = Vault::new();
        let ids = vec![
            v.add(account("GitHub", "alice", "JBSWY3DPEHPK3PXP"))
                .unwrap(),
            v.add(account("GitHub Enterprise", "alice", "JBSWY3DPEHPK3PXQ"))
                .unwrap(),
            v.add(account("ACME", "bob", "JBSWY3DPEHPK3PXR")).unwrap(),
            v.add(account("ACME", "carol", "JBSWY3DPEHPK3PXS")).unwrap(),
        ];
        (v, ids)
    }

    #[test]
    fn find_prefers_the_one_exact_issuer_among_fuzzy_matches() {
        let (v, ids) = vault();
        assert_eq!(find(&v, "github").unwrap(), ids[0]);
        assert_eq!(find(&v, "enterprise").unwrap(), ids[1]);
        assert_eq!(find(&v, "carol").unwrap(), ids[3]);
        assert_eq!(find(&v, &ids[2].0).unwrap(), ids[2]);
        assert_eq!(find(&v, &ids[2].0[..8]).unwrap(), ids[2]);
    }

    #[test]
    fn find_reports_ambiguity_and_absence_as_not_found() {
        let (v, _) = vault();
        let e = find(&v, "acme").unwrap_err();
        assert_eq!(e.exit, Exit::NotFound);
        assert!(e.message.contains("matches 2 accounts"), "{}", e.message);
        assert!(e.message.contains("ACME (bob)") && e.message.contains("ACME (carol)"));
        let e = find(&v, "zzzz-nothing").unwrap_err();
        assert_eq!(e.exit, Exit::NotFound);
        assert_eq!(e.message, "no account matches \"zzzz-nothing\"");
    }
}
