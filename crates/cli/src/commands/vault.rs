//! `init`, `password set|remove`, `recovery-key` and `doctor`: creating the vault and
//! managing the ways into it.

use twofold_core::vault::{
    CreateOptions, CredentialChange, KdfParams, SlotKind, VaultError, VaultFile,
};

use crate::cli::{GlobalArgs, InitArgs, PasswordCommand};
use crate::error::{one_line, Exit, Failure};
use crate::output::{note, println};
use crate::session::{now_i64, open, slot_names};
use crate::unlock::{self, Keystore, NEW_PASSWORD_ENV, PASSWORD_ENV, PASSWORD_HINT};

// ---------------------------------------------------------------------------------------
// init

pub(super) fn init(g: &GlobalArgs, args: &InitArgs) -> Result<(), Failure> {
    let path = unlock::vault_path(g)?;
    if path.exists() {
        return Err(Failure::other(format!(
            "a vault already exists at {}; give another path with --vault",
            path.display()
        )));
    }
    let keystore = if args.no_keychain {
        Keystore::none()
    } else {
        Keystore::connect()
    };
    let use_keychain = !args.no_keychain && keystore.is_available();
    if args.keychain_and_password && !use_keychain {
        return Err(Failure::other(format!(
            "--keychain-and-password needs the OS keychain, which is unavailable: {}",
            keystore.unavailable.as_deref().unwrap_or("unknown reason")
        )));
    }
    let want_password = g.password
        || unlock::password_given(g)
        || args.no_keychain
        || args.keychain_and_password
        || !use_keychain;
    let password = if want_password {
        unlock::new_password(g.password_file.as_deref(), PASSWORD_ENV)?
    } else {
        None
    };
    if want_password && password.is_none() {
        let why = match (&keystore.unavailable, args.no_keychain) {
            (_, true) => "--no-keychain needs a password".to_owned(),
            (Some(why), false) => {
                format!("the OS keychain is unavailable ({why}), so a password is required")
            }
            (None, false) => "a password is required".to_owned(),
        };
        return Err(Failure::new(
            Exit::Credential,
            format!("{why}: {PASSWORD_HINT}"),
        ));
    }
    let has_password = password.is_some();
    let opts = CreateOptions {
        keychain: use_keychain && !args.keychain_and_password,
        password,
        keychain_and_password: args.keychain_and_password,
        kdf: KdfParams::default(),
    };
    let (file, recovery) = match VaultFile::create(&path, opts, keystore.store(), now_i64()) {
        Ok(created) => created,
        Err(VaultError::KeychainUnavailable(e)) => {
            return Err(Failure::new(
                Exit::Credential,
                format!(
                "the OS keychain is unavailable ({}), so a password is required: {PASSWORD_HINT}",
                one_line(&e)
            ),
            ))
        }
        Err(e) => return Err(Failure::from(e).context("cannot create the vault")),
    };
    let slots = slot_names(&file.header_info().slots);
    note(&format!(
        "created {} (unlocked by: {slots})",
        path.display()
    ));
    if !has_password && use_keychain {
        note("the key is in the OS keychain; add a password with `twofold-cli password set`");
    }
    note("recovery key: write this down and keep it somewhere safe; it is shown only once");
    println(recovery.expose())
}

// ---------------------------------------------------------------------------------------
// password, recovery-key, doctor

pub(super) fn password(g: &GlobalArgs, cmd: PasswordCommand) -> Result<(), Failure> {
    match cmd {
        PasswordCommand::Set { new_password_file } => {
            let mut file = open(g)?;
            let Some(new) = unlock::new_password(new_password_file.as_deref(), NEW_PASSWORD_ENV)?
            else {
                return Err(Failure::usage(
                    "no new password: give it with --new-password-file FILE, TWOFOLD_NEW_PASSWORD, or at a prompt (run in a terminal)",
                ));
            };
            let keystore = Keystore::connect();
            let change = file
                .set_password(Some(new), KdfParams::default(), keystore.store())
                .map_err(|e| Failure::from(e).context("cannot set the password"))?;
            println(&format!("password set for {}", file.path().display()))?;
            tell_revoked(&change, "the old password");
            show_replaced_recovery_key(&change)
        }
        PasswordCommand::Remove => {
            let mut file = open(g)?;
            let had_combined = file
                .header_info()
                .slots
                .contains(&SlotKind::KeychainAndPassword);
            let keystore = Keystore::connect();
            let change = file
                .set_password(None, KdfParams::default(), keystore.store())
                .map_err(|e| Failure::from(e).context("cannot remove the password"))?;
            println(&format!("password removed from {}", file.path().display()))?;
            if had_combined {
                note("the keychain alone now opens the vault (with the recovery key as the way back in)");
            }
            tell_revoked(&change, "the old password");
            show_replaced_recovery_key(&change)
        }
    }
}

/// What a credential change means for the old credential, on standard error.
fn tell_revoked(change: &CredentialChange, old: &str) {
    let copies = match (change.resealed, change.removed.len()) {
        (0, 0) => String::new(),
        (n, 0) => format!(" ({n} earlier copies beside it were sealed again under the new key)"),
        (n, m) => format!(
            " ({n} earlier copies beside it were sealed again under the new key, {m} that could not be were removed)"
        ),
    };
    note(&format!(
        "{old} no longer opens this vault or any copy Twofold keeps beside it{copies}; copies made \
         before the change elsewhere (backups, a sync tool's history, file-system snapshots) \
         still open with it"
    ));
}

/// The new recovery key a password change had to make (an older-format vault whose recovery
/// key could not be kept), on standard output.
fn show_replaced_recovery_key(change: &CredentialChange) -> Result<(), Failure> {
    if let Some(key) = &change.recovery_key {
        note(
            "this vault was in an older format, and its recovery key had to be replaced too: \
              write the new one down and keep it somewhere safe; it is shown only once",
        );
        println(key.expose())?;
    }
    Ok(())
}

pub(super) fn recovery_key(g: &GlobalArgs) -> Result<(), Failure> {
    let mut file = open(g)?;
    let keystore = Keystore::connect();
    let change = file
        .regenerate_recovery_key(keystore.store())
        .map_err(|e| Failure::from(e).context("cannot replace the recovery key"))?;
    let Some(key) = &change.recovery_key else {
        return Err(Failure::other("no recovery key was made"));
    };
    note("new recovery key: write this down and keep it somewhere safe; it is shown only once");
    println(key.expose())?;
    tell_revoked(&change, "the old recovery key");
    Ok(())
}

/// `vault restore-newer`: after a rollback, the newest copy kept beside the vault becomes
/// current again (core's `restore_newer`); the older file is kept as a generation too.
pub(super) fn restore_newer(g: &GlobalArgs) -> Result<(), Failure> {
    let mut file = open(g)?;
    let Some(rb) = file.rollback() else {
        return Err(Failure::usage(
            "the vault file is the newest copy; there is nothing to restore",
        ));
    };
    file.restore_newer()
        .map_err(|e| Failure::from(e).context("cannot restore the newer copy"))?;
    println(&format!(
        "restored the copy of save {} ({} accounts); the older file (save {}) is kept beside it",
        rb.newer,
        file.vault().len(),
        rb.current
    ))
}

/// `vault keep-current`: after a rollback, the older file's accounts are kept and saved as a
/// new generation (core's `keep_current`); the newer copies stay beside it.
pub(super) fn keep_current(g: &GlobalArgs) -> Result<(), Failure> {
    let mut file = open(g)?;
    let Some(rb) = file.rollback() else {
        return Err(Failure::usage(
            "the vault file is the newest copy; there is nothing to settle",
        ));
    };
    file.keep_current()
        .map_err(|e| Failure::from(e).context("cannot keep the vault file"))?;
    let newer = rb
        .newer_file
        .map(|p| format!(" ({})", p.display()))
        .unwrap_or_default();
    println(&format!(
        "kept the vault file of save {} ({} accounts) as save {}; the newer copy of save {}{newer} \
         stays beside it as an earlier generation",
        rb.current,
        file.vault().len(),
        file.header_info().generation,
        rb.newer
    ))
}

pub(super) fn doctor(g: &GlobalArgs) -> Result<(), Failure> {
    let path = unlock::vault_path(g)?;
    println(&format!("vault: {}", path.display()))?;
    let header = if path.exists() {
        match VaultFile::inspect(&path) {
            Ok(h) => {
                println(&format!("format version: {}", h.version))?;
                println(&format!("vault id: {}", h.vault_id))?;
                println(&format!("generation: {}", h.generation))?;
                println(&format!("unlocked by: {}", slot_names(&h.slots)))?;
                // Conflict copies a sync tool left beside the vault (issue 13; merging them
                // is not built yet: docs/sync.md).
                if let Ok(copies) = twofold_core::sync::find_copies(&path) {
                    for (copy, kind) in copies {
                        println(&format!(
                            "other copy of this vault ({kind}): {}",
                            copy.display()
                        ))?;
                    }
                }
                Ok(Some(h))
            }
            Err(e) => {
                let f = Failure::from(e);
                println(&format!("vault status: unreadable: {}", f.message))?;
                Err(f)
            }
        }
    } else {
        println("vault status: does not exist (create it with `twofold-cli init`)")?;
        Ok(None)
    };
    let keystore = Keystore::connect();
    match &keystore.unavailable {
        Some(why) => {
            let why = why.strip_prefix("keychain unavailable: ").unwrap_or(why);
            println(&format!("keychain: unavailable: {why}"))?;
        }
        None => {
            let name = keystore.store().describe();
            match keystore.store().probe() {
                Ok(()) => println(&format!("keychain: {name}: working"))?,
                Err(e) => println(&format!("keychain: {name}: not working: {}", one_line(&e)))?,
            }
            if let Ok(Some(h)) = &header {
                if h.slots
                    .iter()
                    .any(|s| matches!(s, SlotKind::Keychain | SlotKind::KeychainAndPassword))
                {
                    let state = match keystore.store().get(&h.vault_id) {
                        Ok(Some(_)) => "present".to_owned(),
                        Ok(None) => {
                            "missing (open with the password or the recovery key)".to_owned()
                        }
                        Err(e) => format!("cannot read: {}", one_line(&e)),
                    };
                    println(&format!("keychain key for this vault: {state}"))?;
                }
            }
        }
    }
    let source = if let Some(f) = &g.password_file {
        format!("--password-file {}", f.display())
    } else if std::env::var_os(PASSWORD_ENV).is_some_and(|v| !v.is_empty()) {
        format!("{PASSWORD_ENV} environment variable")
    } else if unlock::interactive() {
        "prompt".to_owned()
    } else {
        "none (no --password-file, no TWOFOLD_PASSWORD, not a terminal)".to_owned()
    };
    println(&format!("password source: {source}"))?;
    header.map(|_| ())
}
