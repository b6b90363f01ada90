//! `recovery-codes add|list|use`: the backup codes a site hands out, by core's rules
//! (`recovery`: splitting, sameness, limits).

use twofold_core::{recovery, SecretString};

use crate::cli::{GlobalArgs, RecoveryCodesCommand};
use crate::error::{one_line, Exit, Failure};
use crate::output::{note, print_json, println};
use crate::session::{find, get, now_i64, open, read_stdin, save, warn_secret_on_command_line};

// ---------------------------------------------------------------------------------------
// recovery-codes

#[derive(serde::Serialize)]
struct RecoveryCodeView<'a> {
    index: usize,
    code: &'a str,
    used: bool,
    used_at: Option<i64>,
}

pub(super) fn recovery_codes(g: &GlobalArgs, cmd: RecoveryCodesCommand) -> Result<(), Failure> {
    match cmd {
        RecoveryCodesCommand::Add { query, codes } => {
            // Each argument (or standard input for `-`) is split by core's rule: one code a
            // line, or several separated by tabs, commas, semicolons or runs of spaces.
            let mut new: Vec<SecretString> = Vec::new();
            let mut on_command_line = false;
            for c in &codes {
                if c == "-" {
                    new.extend(recovery::parse(read_stdin("recovery codes")?.expose()));
                } else {
                    on_command_line = true;
                    new.extend(recovery::parse(c));
                }
            }
            if on_command_line {
                warn_secret_on_command_line("recovery codes");
            }
            if new.is_empty() {
                return Err(Failure::usage("no recovery codes given"));
            }
            let mut file = open(g)?;
            let id = find(file.vault(), &query)?;
            let now = now_i64();
            let (added, label, total) =
                file.vault_mut().update(&id, |a| -> Result<_, Failure> {
                    let added = recovery::add(&mut a.recovery_codes, new)
                        .map_err(|e| Failure::usage(one_line(&e)))?;
                    a.updated_at = now;
                    Ok((added, a.label(), a.recovery_codes.len()))
                })?;
            save(&mut file)?;
            println(&format!(
                "added {added} recovery codes to {label} ({total} stored)"
            ))
        }
        RecoveryCodesCommand::List { query, json } => {
            let file = open(g)?;
            let id = find(file.vault(), &query)?;
            let a = get(file.vault(), &id)?;
            let views: Vec<RecoveryCodeView<'_>> = a
                .recovery_codes
                .iter()
                .enumerate()
                .map(|(i, r)| RecoveryCodeView {
                    index: i + 1,
                    code: r.code.expose(),
                    used: r.used,
                    used_at: r.used_at,
                })
                .collect();
            if json {
                return print_json(&views);
            }
            if views.is_empty() {
                note(&format!("{} has no recovery codes", a.label()));
            }
            for v in views {
                let mark = if v.used { "  (used)" } else { "" };
                println(&format!("{:>3}  {}{mark}", v.index, v.code))?;
            }
            Ok(())
        }
        RecoveryCodesCommand::Use { query, code } => {
            // A list number is no secret; the code itself is (`-` reads it from standard input).
            let code = if code == "-" {
                read_stdin("recovery code")?
            } else {
                if code.trim().parse::<usize>().is_err() {
                    warn_secret_on_command_line("recovery code");
                }
                SecretString::from(code.as_str())
            };
            let mut file = open(g)?;
            let id = find(file.vault(), &query)?;
            let now = now_i64();
            let (index, label, unused) = file.vault_mut().update(&id, |a| -> Result<_, Failure> {
                let label = a.label();
                let Some(index) = recovery::find(&a.recovery_codes, code.expose()) else {
                    return Err(Failure::new(
                        Exit::NotFound,
                        format!(
                            "{label} has no such recovery code; see `twofold-cli recovery-codes list`"
                        ),
                    ));
                };
                let r = &mut a.recovery_codes[index];
                if r.used {
                    return Err(Failure::other(format!(
                        "recovery code {} of {label} is already marked used",
                        index + 1
                    )));
                }
                r.used = true;
                r.used_at = Some(now);
                a.updated_at = now;
                let unused = a.recovery_codes.iter().filter(|r| !r.used).count();
                Ok((index, label, unused))
            })?;
            save(&mut file)?;
            println(&format!(
                "marked recovery code {} of {label} used ({unused} unused left)",
                index + 1
            ))
        }
    }
}
