//! Account commands: the list, codes computed in Rust at "now", copy (concealed clipboard
//! with auto-clear), HOTP advance, edits, manual order, delete with undo, recovery codes and
//! the explicit "show secret" (docs/ipc.md "Commands"; security.md T4, D2, S7).
//!
//! Only `list_recovery_codes` and `reveal_secret` return secret material (SHOW); everything
//! else returns [`AccountView`]s and [`CodeView`]s.

use std::time::{Duration, Instant};

use serde::Deserialize;
use tauri::State;
use twofold_core::account::{clean_tags, Account, AccountId, Kind};
use twofold_core::{otp, qr, recovery, uri};
use zeroize::Zeroizing;

use crate::clipboard::Clipboard;
use crate::commands::vault::reauthenticate;
use crate::commands::{account_id, bounded, not_found, now_i64, unix_now};
use crate::error::{IpcError, IpcResult};
use crate::native::{self, Dialogs};
use crate::state::{self, AppVault, VaultState};
use crate::views::{
    ms, AccountView, CodeView, CopyOutcome, RecoveryCodeView, RevealedSecret, UndoToken,
};

/// Largest account patch accepted over IPC (a bound before any work; core's field limits
/// decide what is stored).
const MAX_PATCH_BYTES: usize = 256 * 1024;
/// Most ids in one reorder.
const MAX_REORDER: usize = 100_000;

fn account<'a>(s: &'a AppVault, id: &AccountId) -> IpcResult<&'a Account> {
    s.vault()?.get(id).ok_or_else(|| not_found(id))
}

fn view_of(s: &AppVault, id: &AccountId) -> IpcResult<AccountView> {
    account(s, id).map(AccountView::from)
}

/// The code to show for `account` at `now` (HOTP: the last one generated this session).
fn code_view(s: &AppVault, account: &Account, now: u64) -> CodeView {
    match account.kind {
        Kind::Hotp { .. } => {
            let last = s
                .hotp_last
                .get(&account.id)
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default();
            CodeView::counter_based(account, last)
        }
        Kind::Totp { .. } | Kind::Steam => {
            let period = crate::views::kind_parts(account).2.unwrap_or(30);
            match otp::code_at(account, now) {
                Ok(code) => {
                    CodeView::timed(account, &code, otp::next_code_at(account, now).ok(), period)
                }
                // A stored secret that cannot produce a code (empty): show no code rather
                // than failing the whole list.
                Err(_) => CodeView::counter_based(account, String::new()),
            }
        }
    }
}

/// Advances an HOTP counter, saves, and only then returns the code (security.md S7).
fn advance_hotp(s: &mut AppVault, id: &AccountId) -> IpcResult<Zeroizing<String>> {
    let counter = s.mutate(|v| v.advance_hotp(id).map_err(IpcError::from))?;
    let a = account(s, id)?;
    let code = Zeroizing::new(otp::hotp(
        a.secret.expose(),
        counter,
        a.algorithm,
        a.digits,
    )?);
    s.hotp_last.insert(id.clone(), code.clone());
    Ok(code)
}

/// Every account's labels and parameters, in stored order.
#[tauri::command]
pub async fn list_accounts(vault: State<'_, VaultState>) -> IpcResult<Vec<AccountView>> {
    let s = state::lock(&vault);
    Ok(s.vault()?
        .accounts()
        .iter()
        .map(AccountView::from)
        .collect())
}

/// Every account's code now (and the next one), with validity windows in ms.
#[tauri::command]
pub async fn current_codes(vault: State<'_, VaultState>) -> IpcResult<Vec<CodeView>> {
    let now = unix_now();
    let s = state::lock(&vault);
    let accounts = s.vault()?.accounts();
    // One stack wipe after the whole batch, not one per code (security.md D5).
    Ok(twofold_core::secret::with_stack_wiped(|| {
        accounts.iter().map(|a| code_view(&s, a, now)).collect()
    }))
}

/// Copies the account's code to the clipboard (concealed) and schedules the clear.
#[tauri::command]
pub async fn copy_code(
    vault: State<'_, VaultState>,
    clipboard: State<'_, Clipboard>,
    id: String,
) -> IpcResult<CopyOutcome> {
    let id = account_id(&id)?;
    let now = unix_now();
    let mut s = state::lock(&vault);
    let a = account(&s, &id)?;
    let code = match a.kind {
        Kind::Hotp { .. } => match s.hotp_last.get(&id) {
            Some(last) => last.clone(),
            None => advance_hotp(&mut s, &id)?,
        },
        Kind::Totp { .. } | Kind::Steam => Zeroizing::new(otp::code_at(a, now)?.code),
    };
    let timeout = s.settings.clipboard_timeout_secs;
    let clear_after = (timeout > 0).then(|| Duration::from_secs(u64::from(timeout)));
    clipboard
        .copy(&code, clear_after)
        .map_err(IpcError::Internal)?;
    s.last_activity = Instant::now();
    // "Recently used" ordering, kept in memory only: the next real save carries it to disk.
    // Saving on every copy would write a new vault generation per copy and rotate the five
    // kept generations (the user's undo history of real changes) out within minutes.
    let stamp = now_i64();
    if let Some(a) = s.file_mut()?.vault_mut().get_mut(&id) {
        a.last_used_at = Some(stamp);
    }
    Ok(CopyOutcome {
        clears_at: clear_after.map(|d| ms(stamp) + ms(d.as_secs() as i64)),
    })
}

/// Generates the next HOTP code: advances and saves the counter before returning it.
#[tauri::command]
pub async fn next_hotp(vault: State<'_, VaultState>, id: String) -> IpcResult<CodeView> {
    let id = account_id(&id)?;
    let mut s = state::lock(&vault);
    if !matches!(account(&s, &id)?.kind, Kind::Hotp { .. }) {
        return Err(IpcError::invalid(format!(
            "account {id} is not counter-based (hotp)"
        )));
    }
    let code = advance_hotp(&mut s, &id)?;
    s.last_activity = Instant::now();
    Ok(CodeView::counter_based(
        account(&s, &id)?,
        code.as_str().to_owned(),
    ))
}

/// The editable metadata of an account; absent fields are left as they are. `icon: null` or
/// `""` removes the icon hint.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountPatch {
    /// The service.
    pub issuer: Option<String>,
    /// The account at that service.
    pub name: Option<String>,
    /// Icon hint: absent = unchanged, `null` or `""` = removed.
    #[serde(default, deserialize_with = "present")]
    pub icon: Option<Option<String>>,
    /// Tags (replaces the list).
    pub tags: Option<Vec<String>>,
    /// Notes.
    pub notes: Option<String>,
    /// Pinned on top.
    pub favourite: Option<bool>,
}

/// A field that is present (possibly `null`): `Some(value)`; absent fields stay `None` through
/// `#[serde(default)]`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl AccountPatch {
    /// A cheap bound on the request before the vault is locked; the field limits themselves
    /// are core's, checked by `Vault::update` on the patched account.
    fn check(&self) -> IpcResult<()> {
        let text = |v: &Option<String>| v.as_ref().map_or(0, String::len);
        let total = text(&self.issuer)
            + text(&self.name)
            + text(&self.notes)
            + self.icon.clone().flatten().map_or(0, |v| v.len())
            + self
                .tags
                .as_ref()
                .map_or(0, |t| t.iter().map(String::len).sum());
        if total > MAX_PATCH_BYTES {
            return Err(IpcError::invalid(format!(
                "the change is {total} bytes long, expected at most {MAX_PATCH_BYTES}"
            )));
        }
        Ok(())
    }

    fn apply(&self, a: &mut Account) {
        if let Some(v) = &self.issuer {
            a.issuer = v.trim().to_owned();
        }
        if let Some(v) = &self.name {
            a.name = v.trim().to_owned();
        }
        if let Some(v) = &self.icon {
            a.icon = v
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned);
        }
        if let Some(tags) = &self.tags {
            a.tags = clean_tags(tags);
        }
        if let Some(v) = &self.notes {
            a.notes = v.clone();
        }
        if let Some(v) = self.favourite {
            a.favourite = v;
        }
    }
}

/// Edits an account's metadata.
#[tauri::command]
pub async fn update_account(
    vault: State<'_, VaultState>,
    id: String,
    patch: AccountPatch,
) -> IpcResult<AccountView> {
    let id = account_id(&id)?;
    patch.check()?;
    let now = now_i64();
    let mut s = state::lock(&vault);
    s.mutate(|v| {
        v.update(&id, |a| -> IpcResult<()> {
            patch.apply(a);
            a.updated_at = now;
            Ok(())
        })
    })?;
    s.last_activity = Instant::now();
    view_of(&s, &id)
}

/// Sets the manual order: `ids` first, in that order; accounts not named keep their relative
/// order after them.
#[tauri::command]
pub async fn reorder_accounts(vault: State<'_, VaultState>, ids: Vec<String>) -> IpcResult<()> {
    if ids.len() > MAX_REORDER {
        return Err(IpcError::invalid(format!(
            "{} ids given, expected at most {MAX_REORDER}",
            ids.len()
        )));
    }
    let ids: Vec<AccountId> = ids
        .iter()
        .map(|i| account_id(i))
        .collect::<Result<_, _>>()?;
    let mut s = state::lock(&vault);
    s.mutate(|v| {
        let mut rest: Vec<(i64, usize, AccountId)> = Vec::new();
        for (pos, a) in v.accounts().iter().enumerate() {
            if !ids.contains(&a.id) {
                rest.push((a.order, pos, a.id.clone()));
            }
        }
        rest.sort();
        let mut order = 0i64;
        for id in ids.iter().chain(rest.iter().map(|(_, _, id)| id)) {
            if let Some(a) = v.get_mut(id) {
                a.order = order;
                order += 1;
            }
        }
        Ok(())
    })?;
    s.last_activity = Instant::now();
    Ok(())
}

/// Deletes an account (saved at once) and returns a token that brings it back within 10 s.
#[tauri::command]
pub async fn delete_account(vault: State<'_, VaultState>, id: String) -> IpcResult<UndoToken> {
    let id = account_id(&id)?;
    let mut s = state::lock(&vault);
    let removed = s.mutate(|v| v.remove(&id).ok_or_else(|| not_found(&id)))?;
    s.purge_expired();
    let token = uuid::Uuid::new_v4().to_string();
    s.undo.insert(token.clone(), (removed, Instant::now()));
    s.hotp_last.remove(&id);
    s.last_activity = Instant::now();
    Ok(UndoToken { undo_token: token })
}

/// Restores a deleted account within 10 s of the delete.
#[tauri::command]
pub async fn undo_delete(
    vault: State<'_, VaultState>,
    undo_token: String,
) -> IpcResult<AccountView> {
    bounded("undo token", &undo_token, 64)?;
    let mut s = state::lock(&vault);
    s.file()?;
    s.purge_expired();
    let Some((account, _)) = s.undo.remove(&undo_token) else {
        return Err(IpcError::NotFound(
            "nothing to undo: the account was deleted more than 10 s ago".into(),
        ));
    };
    let id = s.mutate(|v| v.add(account.clone()).map_err(IpcError::from))?;
    s.last_activity = Instant::now();
    view_of(&s, &id)
}

/// What every SHOW command does first (issue 11 item 4): the vault password, when there is one,
/// then a native confirmation whose message names the account. Returns the account's id.
async fn confirm_show(
    vault: &VaultState,
    dialogs: &Dialogs,
    id: &str,
    password: Option<String>,
    title: &str,
    message: impl FnOnce(&str) -> String,
) -> IpcResult<AccountId> {
    let id = account_id(id)?;
    let label = {
        let mut s = state::lock(vault);
        let label = account(&s, &id)?.label();
        reauthenticate(&mut s, password)?;
        label
    };
    native::confirm(dialogs, title, message(&label), "Show").await?;
    Ok(id)
}

/// The account's recovery codes (SHOW), after the vault password (when there is one) and a
/// native confirmation naming the account (issue 11 item 4).
#[tauri::command]
pub async fn list_recovery_codes(
    vault: State<'_, VaultState>,
    dialogs: State<'_, Dialogs>,
    id: String,
    password: Option<String>,
) -> IpcResult<Vec<RecoveryCodeView>> {
    let id = confirm_show(
        &vault,
        &dialogs,
        &id,
        password,
        "Show recovery codes",
        |label| format!("Show the recovery codes of {label}?"),
    )
    .await?;
    let mut s = state::lock(&vault);
    s.last_activity = Instant::now();
    Ok(account(&s, &id)?
        .recovery_codes
        .iter()
        .enumerate()
        .map(|(index, r)| RecoveryCodeView {
            index,
            code: r.code.expose().to_owned(),
            used: r.used,
            used_at: r.used_at.map(ms),
        })
        .collect())
}

/// Adds the recovery codes found in `text` (pasted from the site), skipping ones already
/// stored.
#[tauri::command]
pub async fn add_recovery_codes(
    vault: State<'_, VaultState>,
    id: String,
    text: String,
) -> IpcResult<AccountView> {
    let id = account_id(&id)?;
    let text = Zeroizing::new(text);
    bounded("recovery codes text", &text, 256 * 1024)?;
    // Core's rule, the CLI's too: one code a line, or several separated by tabs, commas,
    // semicolons or runs of spaces ("1234 5678" is one code).
    let codes = recovery::parse(&text);
    if codes.is_empty() {
        return Err(IpcError::invalid("no recovery codes found in the text"));
    }
    let now = now_i64();
    let mut s = state::lock(&vault);
    s.mutate(|v| {
        v.update(&id, |a| -> IpcResult<()> {
            recovery::add(&mut a.recovery_codes, codes.clone())
                .map_err(|e| IpcError::invalid(e.to_string()))?;
            a.updated_at = now;
            Ok(())
        })
    })?;
    s.last_activity = Instant::now();
    view_of(&s, &id)
}

/// Marks recovery code `index` (from `list_recovery_codes`) used or unused.
#[tauri::command]
pub async fn set_recovery_code_used(
    vault: State<'_, VaultState>,
    id: String,
    index: usize,
    used: bool,
) -> IpcResult<AccountView> {
    let id = account_id(&id)?;
    let now = now_i64();
    let mut s = state::lock(&vault);
    s.mutate(|v| {
        let a = v.get_mut(&id).ok_or_else(|| not_found(&id))?;
        let count = a.recovery_codes.len();
        let r = a.recovery_codes.get_mut(index).ok_or_else(|| {
            IpcError::invalid(format!(
                "recovery code index {index} is out of range, the account has {count}"
            ))
        })?;
        r.used = used;
        r.used_at = used.then_some(now);
        a.updated_at = now;
        Ok(())
    })?;
    s.last_activity = Instant::now();
    view_of(&s, &id)
}

/// The account's secret, URI and QR code for moving it to another device (SHOW). Needs the
/// password when the vault has one, and a native confirmation naming the account (issue 11
/// item 4).
#[tauri::command]
pub async fn reveal_secret(
    vault: State<'_, VaultState>,
    dialogs: State<'_, Dialogs>,
    id: String,
    password: Option<String>,
) -> IpcResult<RevealedSecret> {
    let id = confirm_show(
        &vault,
        &dialogs,
        &id,
        password,
        "Show the secret",
        |label| {
            format!(
            "Show the secret key and QR code of {label}? Anyone who sees them can make its codes."
        )
        },
    )
    .await?;
    let mut s = state::lock(&vault);
    let a = account(&s, &id)?;
    let uri = uri::format(a);
    let qr_svg = qr::encode_svg(uri.expose())?;
    let revealed = RevealedSecret {
        secret: a.secret.to_base32().expose().to_owned(),
        uri: uri.expose().to_owned(),
        qr_svg,
    };
    s.last_activity = Instant::now();
    Ok(revealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_recovery_codes_follow_cores_rule() {
        // See: issue 10 §2 (the app split "1234 5678" into two codes, the CLI kept one).
        let codes: Vec<String> = recovery::parse("1234 5678\nabcd-1234, efgh-5678")
            .iter()
            .map(|c| c.expose().to_owned())
            .collect();
        assert_eq!(codes, ["1234 5678", "abcd-1234", "efgh-5678"]);
    }

    #[test]
    fn patch_tells_a_null_icon_from_an_absent_one() {
        let patch: AccountPatch = serde_json::from_str(r#"{"icon": null}"#).expect("parses");
        assert_eq!(patch.icon, Some(None));
        let patch: AccountPatch = serde_json::from_str(r#"{"notes": "n"}"#).expect("parses");
        assert_eq!(patch.icon, None);
        let mut a = Account::new(
            "I",
            "n",
            twofold_core::SecretBytes::from_slice(&[1; 10]),
            Kind::Steam,
            0,
        );
        a.icon = Some("github".into());
        patch.apply(&mut a);
        assert_eq!(a.icon.as_deref(), Some("github"));
        let clear: AccountPatch = serde_json::from_str(r#"{"icon": null}"#).expect("parses");
        clear.apply(&mut a);
        assert_eq!(a.icon, None);
        assert!(serde_json::from_str::<AccountPatch>(r#"{"secret": "x"}"#).is_err());
    }
}
