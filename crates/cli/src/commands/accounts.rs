//! `add`, `list`, `code`, `generate`, `edit` and `remove`: the accounts themselves. New
//! accounts come through core's intake and merge, as in the app (issue 10 §2).

use twofold_core::account::clean_tags;
use twofold_core::intake::{self, Intake};
use twofold_core::merge::{self, DuplicateChoice};
use twofold_core::vault::VaultError;
use twofold_core::{otp, uri, Account, Kind};

use crate::cli::{
    AddArgs, AlgorithmArg, CodeArgs, EditArgs, GenerateArgs, GlobalArgs, KindArg, ListArgs,
    RemoveArgs,
};
use crate::clipboard;
use crate::error::{one_line, Failure};
use crate::output::{self, note, print_json, println, AccountView, CodeView};
use crate::session::{arg_or_stdin, confirm, find, get, get_mut, now, now_i64, open, save};
use crate::unlock;

// ---------------------------------------------------------------------------------------
// add

fn algorithm_name(a: AlgorithmArg) -> &'static str {
    match a {
        AlgorithmArg::Sha1 => "SHA1",
        AlgorithmArg::Sha256 => "SHA256",
        AlgorithmArg::Sha512 => "SHA512",
    }
}

fn kind_name(k: KindArg) -> &'static str {
    match k {
        KindArg::Totp => "totp",
        KindArg::Hotp => "hotp",
        KindArg::Steam => "steam",
    }
}

/// The accounts core's intake found, with a note for each problem and warning; none at all
/// is the error (the first problem, when there is one).
pub(super) fn intake_accounts(found: Intake) -> Result<Vec<Account>, Failure> {
    if found.accounts.is_empty() {
        let why = found
            .problems
            .into_iter()
            .next()
            .unwrap_or_else(|| "no otpauth:// or otpauth-migration:// account found".into());
        return Err(Failure::usage(why));
    }
    for message in found.messages() {
        note(&message);
    }
    Ok(found.accounts)
}

/// The accounts `add` will add, checked before the vault is opened: `--uri` through core's
/// intake of links, `--secret` through its manual form (the app's rules, issue 10 §2).
fn accounts_to_add(args: &AddArgs) -> Result<Vec<Account>, Failure> {
    let now = now_i64();
    let mut accounts = if let Some(u) = &args.uri {
        let text = arg_or_stdin(u, "URI")?;
        let mut accounts =
            intake_accounts(intake::texts(&[text.expose()], intake::Source::Uri, now))?;
        if accounts.len() > 1 && (args.issuer.is_some() || args.account.is_some()) {
            return Err(Failure::usage(
                "--issuer and --account apply to one account, but the URI holds several",
            ));
        }
        for a in &mut accounts {
            if let Some(i) = &args.issuer {
                a.issuer.clone_from(i);
            }
            if let Some(n) = &args.account {
                a.name.clone_from(n);
            }
        }
        accounts
    } else {
        let Some(secret_arg) = &args.secret else {
            return Err(Failure::usage("give --uri or --secret"));
        };
        let text = arg_or_stdin(secret_arg, "secret")?;
        let form = intake::Manual {
            issuer: args.issuer.as_deref().unwrap_or(""),
            name: args.account.as_deref().unwrap_or(""),
            secret: text.expose(),
            kind: Some(kind_name(args.kind)),
            algorithm: args.algorithm.map(algorithm_name),
            digits: args.digits,
            period: args.period,
            counter: args.counter,
        };
        let (account, warning) =
            intake::manual(&form, now).map_err(|e| Failure::usage(one_line(&e)))?;
        if let Some(w) = warning {
            note(&w);
        }
        vec![account]
    };
    for a in &mut accounts {
        a.tags = clean_tags(a.tags.iter().chain(args.tags.iter()));
        if args.favourite {
            a.favourite = true;
        }
        a.check_fields()
            .map_err(|e| Failure::usage(format!("{}: {}", a.label(), one_line(&e))))?;
    }
    Ok(accounts)
}

pub(super) fn add(g: &GlobalArgs, args: AddArgs) -> Result<(), Failure> {
    let accounts = accounts_to_add(&args)?;
    add_accounts(g, accounts)
}

/// Adds checked `accounts` through core's merge (duplicates skipped) and saves once. Among
/// several, one already in the vault is skipped with a note; a single duplicate is an error.
pub(super) fn add_accounts(g: &GlobalArgs, accounts: Vec<Account>) -> Result<(), Failure> {
    let single = accounts.len() == 1;
    let mut file = open(g)?;
    let plan = merge::plan(file.vault().accounts(), accounts);
    let mut duplicates = Vec::new();
    for inc in plan.iter().filter(|i| i.is_duplicate()) {
        let existing = inc
            .duplicate_of
            .as_ref()
            .and_then(|id| file.vault().get(id))
            .map_or_else(|| inc.account.label(), Account::label);
        if single {
            return Err(Failure::from(VaultError::Duplicate { label: existing })
                .context(format!("cannot add {}", inc.account.label())));
        }
        duplicates.push(inc.account.label());
    }
    let summary = merge::apply(file.vault_mut(), plan, |_, _| DuplicateChoice::Skip)?;
    if summary.added == 0 {
        return Err(Failure::other(format!(
            "nothing added: every account is already in the vault ({})",
            duplicates.join(", ")
        )));
    }
    for label in duplicates {
        note(&format!("skipped {label}: already in the vault"));
    }
    save(&mut file)?;
    for id in &summary.added_ids {
        let label = get(file.vault(), id)?.label();
        println(&format!("added {label} [{id}]"))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// list, code, generate

pub(super) fn list(g: &GlobalArgs, args: &ListArgs) -> Result<(), Failure> {
    let file = open(g)?;
    let vault = file.vault();
    let accounts: Vec<&Account> = match &args.query {
        Some(q) => vault.search(q),
        None => vault.accounts().iter().collect(),
    };
    if args.json {
        let views: Vec<AccountView> = accounts.iter().map(|a| AccountView::from(*a)).collect();
        return print_json(&views);
    }
    if accounts.is_empty() {
        note("no accounts");
        return Ok(());
    }
    for a in accounts {
        println(&output::list_line(a))?;
    }
    Ok(())
}

fn code_view(a: &Account, c: otp::Code) -> CodeView {
    CodeView {
        id: a.id.0.clone(),
        label: a.label(),
        kind: a.kind.name(),
        code: c.code,
        counter: c.counter,
        valid_from: c.valid_from,
        valid_until: c.valid_until,
    }
}

pub(super) fn code(g: &GlobalArgs, args: &CodeArgs) -> Result<(), Failure> {
    let mut file = open(g)?;
    let id = find(file.vault(), &args.query)?;
    let account = get(file.vault(), &id)?.clone();
    let is_hotp = matches!(account.kind, Kind::Hotp { .. });
    if is_hotp && args.next {
        return Err(Failure::usage(
            "--next applies to time-based accounts; an HOTP code advances on every use",
        ));
    }
    // Open the clipboard first: if it is unavailable, nothing has been used up.
    let holder = if args.copy {
        Some(clipboard::Holder::start()?)
    } else {
        None
    };
    let t = now();
    let code = if is_hotp {
        // RFC 4226 §7.2: the counter moves on every use. Save before showing the code, so a
        // code is never shown twice for the same counter.
        let counter = file.vault_mut().advance_hotp(&id)?;
        if let Ok(a) = get_mut(file.vault_mut(), &id) {
            a.last_used_at = Some(now_i64());
        }
        save(&mut file)?;
        let mut used = account.clone();
        used.kind = Kind::Hotp { counter };
        otp::code_at(&used, t)?
    } else if args.next {
        otp::next_code_at(&account, t)?
    } else {
        otp::code_at(&account, t)?
    };
    let view = code_view(&account, code);
    if let Some(holder) = holder {
        holder.copy(&view.code)?;
        note(&format!(
            "copied the code for {} (cleared in {} s)",
            account.label(),
            clipboard::CLEAR_AFTER.as_secs()
        ));
        if args.json {
            return print_json(&view);
        }
        return Ok(());
    }
    if args.json {
        print_json(&view)
    } else {
        println(&view.code)
    }
}

pub(super) fn generate(args: &GenerateArgs) -> Result<(), Failure> {
    let text = arg_or_stdin(&args.uri, "URI")?;
    let account = uri::parse(text.expose().trim(), now_i64())
        .map_err(|e| Failure::usage(format!("invalid otpauth URI: {}", one_line(&e))))?;
    let t = args.at.unwrap_or_else(now);
    let code = if args.next {
        otp::next_code_at(&account, t)?
    } else {
        otp::code_at(&account, t)?
    };
    println(&code.code)
}

// ---------------------------------------------------------------------------------------
// edit, remove

pub(super) fn edit(g: &GlobalArgs, args: EditArgs) -> Result<(), Failure> {
    let nothing = args.issuer.is_none()
        && args.account.is_none()
        && args.tags.is_empty()
        && args.untags.is_empty()
        && args.favourite.is_none()
        && args.notes.is_none()
        && args.icon.is_none()
        && args.counter.is_none();
    if nothing {
        return Err(Failure::usage(
            "nothing to change: give --issuer, --account, --tag, --untag, --favourite, --notes, --icon or --counter",
        ));
    }
    let mut file = open(g)?;
    let id = find(file.vault(), &args.query)?;
    let now = now_i64();
    // Vault::update keeps the change only if every field is within core's limits.
    let label = file
        .vault_mut()
        .update(&id, |a| -> Result<String, Failure> {
            if let Some(c) = args.counter {
                let label = a.label();
                match &mut a.kind {
                    Kind::Hotp { counter } => *counter = c,
                    k => {
                        return Err(Failure::usage(format!(
                            "--counter applies to hotp accounts, but {label} is {}",
                            k.name()
                        )))
                    }
                }
            }
            if let Some(i) = &args.issuer {
                a.issuer.clone_from(i);
            }
            if let Some(n) = &args.account {
                a.name.clone_from(n);
            }
            let kept = a.tags.iter().filter(|t| !args.untags.contains(t));
            a.tags = clean_tags(kept.chain(args.tags.iter()));
            if let Some(f) = args.favourite {
                a.favourite = f;
            }
            if let Some(n) = &args.notes {
                a.notes.clone_from(n);
            }
            if let Some(i) = &args.icon {
                let i = i.trim();
                a.icon = (!i.is_empty()).then(|| i.to_owned());
            }
            a.updated_at = now;
            Ok(a.label())
        })?;
    save(&mut file)?;
    println(&format!("updated {label} [{id}]"))
}

pub(super) fn remove(g: &GlobalArgs, args: &RemoveArgs) -> Result<(), Failure> {
    if !args.yes && !unlock::interactive() {
        return Err(Failure::usage(
            "refusing to remove without confirmation: add --yes when not running in a terminal",
        ));
    }
    let mut file = open(g)?;
    let id = find(file.vault(), &args.query)?;
    let label = get(file.vault(), &id)?.label();
    if !args.yes
        && !confirm(&format!(
            "Remove {label}? Its secret is lost unless backed up [y/N] "
        ))?
    {
        return Err(Failure::other("not removed"));
    }
    file.vault_mut().remove(&id);
    save(&mut file)?;
    println(&format!("removed {label} [{id}]"))
}
