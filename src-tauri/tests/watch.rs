//! Auto-lock after idle time (security.md D4) and vault changes made by another process
//! while the app is open (S4), driven through the watcher's tick as its thread would.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tauri::{Listener, Manager};
use twofold_app::state::{self, VaultState};
use twofold_app::watch;
use twofold_core::account::{Account, Kind, Period};
use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{Unlock, VaultFile};
use twofold_core::{SecretBytes, SecretString};

use crate::util::Harness;

const PASSWORD: &str = "watch test password";

/// Collects the payloads of `event`.
fn record(h: &Harness, event: &'static str) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    h.app.listen_any(event, move |e| {
        sink.lock().expect("lock").push(e.payload().to_owned());
    });
    seen
}

fn wait_for(seen: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        let got = seen.lock().expect("lock").clone();
        if !got.is_empty() {
            return got;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Vec::new()
}

fn created(h: &mut Harness) -> String {
    h.ok(
        "create_vault",
        json!({ "password": PASSWORD, "useKeychain": false }),
    );
    let scan = h.ok(
        "add_manual",
        json!({ "issuer": "Idle", "name": "", "secret": "JBSWY3DPEHPK3PXP", "kind": "totp",
                "algorithm": "SHA1", "digits": 6, "period": 30, "counter": null }),
    );
    let token = crate::util::tokens(&scan)[0].clone();
    h.ok(
        "confirm_import",
        json!({ "decisions": [{ "token": token, "action": "add" }] }),
    );
    let accounts = h.ok("list_accounts", json!({}));
    crate::util::id_of(&accounts, "Idle")
}

#[test]
fn idle_time_locks_the_vault_clears_the_clipboard_and_tells_the_ui() {
    let mut h = Harness::new();
    let id = created(&mut h);
    let mut settings = h.ok("get_settings", json!({}));
    settings["autoLockMins"] = json!(1);
    settings["globalShortcut"] = Value::Null;
    h.ok("set_settings", json!({ "settings": settings }));
    h.ok("copy_code", json!({ "id": id }));
    assert!(h.clipboard.content().is_some());
    let locked = record(&h, "locked");

    // Activity just now: nothing happens.
    watch::tick(h.app.handle(), false);
    assert_eq!(h.ok("vault_status", json!({}))["state"], "unlocked");

    // A minute and a bit of idleness: locked.
    {
        let vault = h.app.state::<VaultState>();
        state::lock(&vault).last_activity = Instant::now() - Duration::from_secs(61);
    }
    watch::tick(h.app.handle(), false);
    let status = h.ok("vault_status", json!({}));
    assert_eq!(status["state"], "locked");
    assert_eq!(status["reason"], "locked after 1 minute without activity");
    assert_eq!(h.err_kind("current_codes", json!({})), "locked");
    assert_eq!(h.clipboard.content(), None, "our code is cleared");
    let events = wait_for(&locked);
    assert_eq!(events.len(), 1, "{events:?}");
    let payload: Value = serde_json::from_str(&events[0]).expect("json payload");
    assert_eq!(
        payload,
        json!({ "reason": "locked after 1 minute without activity" })
    );
}

#[test]
fn a_cli_change_while_open_is_reloaded_and_announced() {
    let mut h = Harness::new();
    created(&mut h);
    let changed = record(&h, "vault-changed");
    let path = h.dir.path().join("vault.twofold");

    // What twofold-cli does while the app is open.
    let unlock = Unlock::Password(SecretString::from(PASSWORD));
    let mut cli = VaultFile::open(&path, &unlock, &MemoryKeyStore::new()).expect("opens");
    cli.vault_mut()
        .add(Account::new(
            "FromCli",
            "",
            SecretBytes::from_slice(&[7; 20]),
            Kind::Totp {
                period: Period::THIRTY,
            },
            0,
        ))
        .expect("adds");
    cli.save().expect("saves");

    watch::tick(h.app.handle(), true);
    assert!(!wait_for(&changed).is_empty(), "vault-changed was emitted");
    let accounts = h.ok("list_accounts", json!({}));
    crate::util::id_of(&accounts, "FromCli");

    // A later change in the app keeps the CLI's account (no lost update).
    let idle = crate::util::id_of(&accounts, "Idle");
    h.ok(
        "update_account",
        json!({ "id": idle, "patch": { "notes": "edited in the app" } }),
    );
    let reopened = VaultFile::open(&path, &unlock, &MemoryKeyStore::new()).expect("opens");
    assert_eq!(reopened.vault().len(), 2);
}
