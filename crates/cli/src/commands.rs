//! One function per subcommand: parse and check the input, open the vault, call core, save,
//! then print. Input is validated before the vault is opened and nothing is written unless
//! the whole command succeeded, so a failed command changes no file.

use std::io::{Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::CommandFactory;
use twofold_core::capture::{self, CaptureError};
use twofold_core::qr::{self, QrError};
use twofold_core::vault::{CreateOptions, KdfParams, SlotKind, Vault, VaultError, VaultFile};
use twofold_core::{
    migration, otp, uri, Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode,
    SecretBytes, SecretString,
};

use crate::cli::{
    AddArgs, AlgorithmArg, BackupCommand, Cli, CodeArgs, Command, EditArgs, GenerateArgs,
    GlobalArgs, InitArgs, KindArg, ListArgs, PasswordCommand, RecoveryCodesCommand, RemoveArgs,
    ScanArgs,
};
use crate::clipboard;
use crate::error::{one_line, Exit, Failure};
use crate::output::{self, note, print_json, println, AccountView, CodeView};
use crate::transfer;
use crate::unlock::{self, Keystore, NEW_PASSWORD_ENV, PASSWORD_ENV, PASSWORD_HINT};

/// Runs `cli`.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let g = &cli.global;
    match cli.command {
        Command::Init(args) => init(g, &args),
        Command::Add(args) => add(g, args),
        Command::List(args) => list(g, &args),
        Command::Code(args) => code(g, &args),
        Command::Generate(args) => generate(&args),
        Command::Scan(args) => scan(g, &args),
        Command::Edit(args) => edit(g, args),
        Command::Remove(args) => remove(g, &args),
        Command::RecoveryCodes(cmd) => recovery_codes(g, cmd),
        Command::Password(cmd) => password(g, cmd),
        Command::Import(args) => transfer::import(g, &args),
        Command::Export(args) => transfer::export(g, &args),
        Command::Backup(BackupCommand::Verify {
            file,
            backup_password_file,
            json,
        }) => transfer::verify(g, &file, backup_password_file.as_deref(), json),
        Command::RecoveryKey => recovery_key(g),
        Command::Doctor => doctor(g),
        Command::Completions(args) => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut Cli::command(), "twofold-cli", &mut out);
            out.flush()?;
            Ok(())
        }
        Command::Manpage { app } => Ok(crate::manpage::print(app)?),
    }
}

/// Seconds since the epoch. The clock is read here, never in core.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// [`now`] as the signed seconds core stamps accounts with.
pub fn now_i64() -> i64 {
    i64::try_from(now()).unwrap_or(i64::MAX)
}

/// Reads all of standard input as one trimmed value (for `-` arguments).
fn read_stdin(what: &str) -> Result<SecretString, Failure> {
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

/// `value`, or standard input when it is `-`.
fn arg_or_stdin(value: &str, what: &str) -> Result<SecretString, Failure> {
    if value == "-" {
        read_stdin(what)
    } else {
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

fn short_id(id: &AccountId) -> String {
    id.0.chars().take(8).collect()
}

/// The account `id` (which [`find`] just returned).
fn get<'a>(vault: &'a Vault, id: &AccountId) -> Result<&'a Account, Failure> {
    vault
        .get(id)
        .ok_or_else(|| Failure::new(Exit::NotFound, format!("account {id} not found")))
}

fn get_mut<'a>(vault: &'a mut Vault, id: &AccountId) -> Result<&'a mut Account, Failure> {
    vault
        .get_mut(id)
        .ok_or_else(|| Failure::new(Exit::NotFound, format!("account {id} not found")))
}

// ---------------------------------------------------------------------------------------
// init

fn init(g: &GlobalArgs, args: &InitArgs) -> Result<(), Failure> {
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

fn slot_names(slots: &[SlotKind]) -> String {
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

/// Opens the vault named by the global options.
pub fn open(g: &GlobalArgs) -> Result<VaultFile, Failure> {
    let path = unlock::vault_path(g)?;
    unlock::open(g, &path)
}

// ---------------------------------------------------------------------------------------
// add

fn algorithm_of(a: AlgorithmArg) -> Algorithm {
    match a {
        AlgorithmArg::Sha1 => Algorithm::Sha1,
        AlgorithmArg::Sha256 => Algorithm::Sha256,
        AlgorithmArg::Sha512 => Algorithm::Sha512,
    }
}

/// The accounts `add` will add, checked before the vault is opened.
fn accounts_to_add(args: &AddArgs) -> Result<Vec<Account>, Failure> {
    let now = now_i64();
    let mut accounts = if let Some(u) = &args.uri {
        let text = arg_or_stdin(u, "URI")?;
        let text = text.expose().trim();
        if migration::is_migration_uri(text) {
            let accounts = decode_migration(text, now)?;
            if accounts.len() > 1 && (args.issuer.is_some() || args.account.is_some()) {
                return Err(Failure::usage(
                    "--issuer and --account apply to one account, but the URI holds several",
                ));
            }
            accounts
        } else {
            vec![uri::parse(text, now)
                .map_err(|e| Failure::usage(format!("invalid otpauth URI: {}", one_line(&e))))?]
        }
    } else {
        vec![account_from_parameters(args, now)?]
    };
    for a in &mut accounts {
        if let Some(i) = &args.issuer {
            a.issuer.clone_from(i);
        }
        if let Some(n) = &args.account {
            a.name.clone_from(n);
        }
        for t in &args.tags {
            if !a.tags.contains(t) {
                a.tags.push(t.clone());
            }
        }
        if args.favourite {
            a.favourite = true;
        }
        // A secret no code can be computed with is refused now, not when first used.
        otp::code_at(a, 0).map_err(|e| {
            Failure::usage(format!(
                "unusable secret for {}: {}",
                a.label(),
                one_line(&e)
            ))
        })?;
    }
    Ok(accounts)
}

/// The accounts of a Google Authenticator transfer URI; entries core could not convert
/// are named on standard error.
fn decode_migration(text: &str, now: i64) -> Result<Vec<Account>, Failure> {
    let batch = migration::decode(text, now)
        .map_err(|e| Failure::usage(format!("invalid otpauth-migration URI: {}", one_line(&e))))?;
    for s in &batch.skipped {
        note(&format!(
            "skipped entry {} ({}): {}",
            s.index + 1,
            s.label,
            s.reason
        ));
    }
    if batch.accounts.is_empty() {
        return Err(Failure::usage(
            "the otpauth-migration URI holds no usable account",
        ));
    }
    Ok(batch.accounts)
}

fn account_from_parameters(args: &AddArgs, now: i64) -> Result<Account, Failure> {
    let Some(secret_arg) = &args.secret else {
        return Err(Failure::usage("give --uri or --secret"));
    };
    let text = arg_or_stdin(secret_arg, "secret")?;
    let secret = SecretBytes::from_base32(text.expose())
        .map_err(|e| Failure::usage(format!("invalid secret: {}", one_line(&e))))?;
    let issuer = args.issuer.clone().unwrap_or_default();
    let name = args.account.clone().unwrap_or_default();
    if issuer.is_empty() && name.is_empty() {
        return Err(Failure::usage(
            "give --issuer or --account to name the account",
        ));
    }
    if args.counter.is_some() && args.kind != KindArg::Hotp {
        return Err(Failure::usage("--counter applies to --type hotp"));
    }
    if args.period.is_some() && args.kind != KindArg::Totp {
        return Err(Failure::usage("--period applies to --type totp"));
    }
    let kind = match args.kind {
        KindArg::Totp => {
            let seconds = args.period.unwrap_or(30);
            let period = Period::new(seconds).ok_or_else(|| {
                Failure::usage(format!(
                    "period must be 1 to {} seconds, got {seconds}",
                    Period::MAX_SECONDS
                ))
            })?;
            Kind::Totp { period }
        }
        KindArg::Hotp => Kind::Hotp {
            counter: args.counter.unwrap_or(0),
        },
        KindArg::Steam => Kind::Steam,
    };
    let mut account = Account::new(issuer, name, secret, kind, now);
    if let Some(alg) = args.algorithm {
        if kind == Kind::Steam && alg != AlgorithmArg::Sha1 {
            return Err(Failure::usage("steam accounts always use SHA1"));
        }
        account.algorithm = algorithm_of(alg);
    }
    if let Some(d) = args.digits {
        if kind == Kind::Steam {
            return Err(Failure::usage(
                "steam codes always have 5 characters; drop --digits",
            ));
        }
        account.digits = Digits::new(d)
            .ok_or_else(|| Failure::usage(format!("digits must be 6 to 8, got {d}")))?;
    }
    Ok(account)
}

fn add(g: &GlobalArgs, args: AddArgs) -> Result<(), Failure> {
    let accounts = accounts_to_add(&args)?;
    add_accounts(g, accounts)
}

/// Adds checked `accounts` and saves once. Among several, one already in the vault is
/// skipped with a note; a single duplicate is an error.
fn add_accounts(g: &GlobalArgs, accounts: Vec<Account>) -> Result<(), Failure> {
    let single = accounts.len() == 1;
    let mut file = open(g)?;
    let mut added = Vec::new();
    let mut duplicates = Vec::new();
    for account in accounts {
        let label = account.label();
        match file.vault_mut().add(account) {
            Ok(id) => added.push((id, label)),
            Err(VaultError::Duplicate { .. }) if !single => duplicates.push(label),
            Err(e) => return Err(Failure::from(e).context(format!("cannot add {label}"))),
        }
    }
    if added.is_empty() {
        return Err(Failure::other(format!(
            "nothing added: every account is already in the vault ({})",
            duplicates.join(", ")
        )));
    }
    for label in duplicates {
        note(&format!("skipped {label}: already in the vault"));
    }
    save(&mut file)?;
    for (id, label) in added {
        println(&format!("added {label} [{id}]"))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// scan

/// `scan`: QR codes from a file, the clipboard or the screen, through core's one engine.
fn scan(g: &GlobalArgs, args: &ScanArgs) -> Result<(), Failure> {
    let texts = if args.screen {
        capture::scan_screen().map_err(capture_failure)?
    } else if args.clipboard {
        capture::scan_clipboard().map_err(capture_failure)?.payloads
    } else {
        let Some(path) = &args.file else {
            return Err(Failure::usage("give FILE, --clipboard or --screen"));
        };
        let bytes = read_image_file(path)?;
        qr::decode_image_bytes(&bytes).map_err(|e| qr_failure(e).context(path.display()))?
    };
    if args.raw {
        for t in &texts {
            println(t)?;
        }
        return Ok(());
    }
    let total = texts.len();
    let otp: Vec<String> = texts
        .into_iter()
        .filter(|t| migration::is_migration_uri(t) || is_otpauth_uri(t))
        .collect();
    if otp.is_empty() {
        return Err(Failure::usage(format!(
            "found {total} QR code{}, but none holds an otpauth:// or otpauth-migration:// URI \
             (print {} with --raw)",
            if total == 1 { "" } else { "s" },
            if total == 1 { "it" } else { "them" },
        )));
    }
    if !args.add {
        for t in &otp {
            println(t)?;
        }
        return Ok(());
    }
    let accounts = accounts_from_payloads(&otp)?;
    add_accounts(g, accounts)
}

/// Whether `text` starts with `otpauth://`, in any case (formats.md §1: schemes are
/// case-insensitive).
fn is_otpauth_uri(text: &str) -> bool {
    text.get(..10)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth://"))
}

/// Reads an image file (or standard input for `-`), refusing more than the decoder accepts
/// before reading it all.
fn read_image_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let max = qr::Limits::default().max_file_bytes;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(max as u64 + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(max as u64 + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| Failure::other(format!("cannot read {}: {}", path.display(), one_line(&e))))?;
    // One byte over is enough for the decoder to report the size limit.
    Ok(bytes)
}

/// The accounts of scanned payloads, checked as `add --uri` checks them. A payload that
/// cannot be used is skipped with a note when others can; alone, it is the error.
fn accounts_from_payloads(payloads: &[String]) -> Result<Vec<Account>, Failure> {
    let now = now_i64();
    let mut accounts = Vec::new();
    let mut first_problem = None;
    for (i, text) in payloads.iter().enumerate() {
        let parsed = if migration::is_migration_uri(text) {
            decode_migration(text, now)
        } else {
            uri::parse(text, now)
                .map(|a| vec![a])
                .map_err(|e| Failure::usage(format!("invalid otpauth URI: {}", one_line(&e))))
        };
        let checked = parsed.and_then(|list| {
            for a in &list {
                otp::code_at(a, 0).map_err(|e| {
                    Failure::usage(format!(
                        "unusable secret for {}: {}",
                        a.label(),
                        one_line(&e)
                    ))
                })?;
            }
            Ok(list)
        });
        match checked {
            Ok(list) => accounts.extend(list),
            Err(f) if payloads.len() > 1 => {
                note(&format!("skipped QR code {}: {}", i + 1, f.message));
                first_problem.get_or_insert(f);
            }
            Err(f) => return Err(f),
        }
    }
    match first_problem {
        Some(f) if accounts.is_empty() => Err(f),
        _ => Ok(accounts),
    }
}

/// The exit class of a decode failure: the input's fault (2) or ours (1).
fn qr_failure(e: QrError) -> Failure {
    let exit = match e {
        QrError::TooLarge { .. }
        | QrError::Dimensions { .. }
        | QrError::Format(_)
        | QrError::NotFound => Exit::Usage,
        _ => Exit::Error,
    };
    Failure::new(exit, one_line(&e))
}

/// The exit class of a screen or clipboard failure.
fn capture_failure(e: CaptureError) -> Failure {
    match e {
        CaptureError::Qr(q) => qr_failure(q),
        CaptureError::ClipboardEmpty | CaptureError::NotFound { .. } => {
            Failure::usage(one_line(&e))
        }
        _ => Failure::other(one_line(&e)),
    }
}

// ---------------------------------------------------------------------------------------
// list, code, generate

fn list(g: &GlobalArgs, args: &ListArgs) -> Result<(), Failure> {
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

fn code(g: &GlobalArgs, args: &CodeArgs) -> Result<(), Failure> {
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

fn generate(args: &GenerateArgs) -> Result<(), Failure> {
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

fn edit(g: &GlobalArgs, args: EditArgs) -> Result<(), Failure> {
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
    let a = get_mut(file.vault_mut(), &id)?;
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
    if let Some(i) = args.issuer {
        a.issuer = i;
    }
    if let Some(n) = args.account {
        a.name = n;
    }
    for t in args.tags {
        if !a.tags.contains(&t) {
            a.tags.push(t);
        }
    }
    a.tags.retain(|t| !args.untags.contains(t));
    if let Some(f) = args.favourite {
        a.favourite = f;
    }
    if let Some(n) = args.notes {
        a.notes = n;
    }
    if let Some(i) = args.icon {
        a.icon = (!i.is_empty()).then_some(i);
    }
    a.updated_at = now_i64();
    let label = a.label();
    save(&mut file)?;
    println(&format!("updated {label} [{id}]"))
}

fn remove(g: &GlobalArgs, args: &RemoveArgs) -> Result<(), Failure> {
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

fn confirm(question: &str) -> Result<bool, Failure> {
    let mut err = std::io::stderr().lock();
    write!(err, "{question}")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

// ---------------------------------------------------------------------------------------
// recovery-codes

/// A backup code compared loosely: case, spaces and dashes do not matter.
fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(serde::Serialize)]
struct RecoveryCodeView<'a> {
    index: usize,
    code: &'a str,
    used: bool,
    used_at: Option<i64>,
}

fn recovery_codes(g: &GlobalArgs, cmd: RecoveryCodesCommand) -> Result<(), Failure> {
    match cmd {
        RecoveryCodesCommand::Add { query, codes } => {
            let mut new: Vec<SecretString> = Vec::new();
            for c in &codes {
                if c == "-" {
                    let all = read_stdin("recovery codes")?;
                    new.extend(
                        all.expose()
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(SecretString::from),
                    );
                } else if !c.trim().is_empty() {
                    new.push(SecretString::from(c.trim()));
                }
            }
            if new.is_empty() {
                return Err(Failure::usage("no recovery codes given"));
            }
            let mut file = open(g)?;
            let id = find(file.vault(), &query)?;
            let a = get_mut(file.vault_mut(), &id)?;
            let mut added = 0usize;
            for code in new {
                let n = normalize_code(code.expose());
                if a.recovery_codes
                    .iter()
                    .any(|r| normalize_code(r.code.expose()) == n)
                {
                    continue;
                }
                a.recovery_codes.push(RecoveryCode {
                    code,
                    used: false,
                    used_at: None,
                });
                added += 1;
            }
            a.updated_at = now_i64();
            let label = a.label();
            let total = a.recovery_codes.len();
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
            let mut file = open(g)?;
            let id = find(file.vault(), &query)?;
            let a = get_mut(file.vault_mut(), &id)?;
            let wanted = normalize_code(&code);
            let by_text = a
                .recovery_codes
                .iter()
                .position(|r| normalize_code(r.code.expose()) == wanted);
            let index = by_text.or_else(|| {
                code.parse::<usize>()
                    .ok()
                    .filter(|i| (1..=a.recovery_codes.len()).contains(i))
                    .map(|i| i - 1)
            });
            let label = a.label();
            let Some(index) = index else {
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
            r.used_at = Some(now_i64());
            let unused = a.recovery_codes.iter().filter(|r| !r.used).count();
            a.updated_at = now_i64();
            save(&mut file)?;
            println(&format!(
                "marked recovery code {} of {label} used ({unused} unused left)",
                index + 1
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------
// password, recovery-key, doctor

fn password(g: &GlobalArgs, cmd: PasswordCommand) -> Result<(), Failure> {
    match cmd {
        PasswordCommand::Set { new_password_file } => {
            let mut file = open(g)?;
            let Some(new) = unlock::new_password(new_password_file.as_deref(), NEW_PASSWORD_ENV)?
            else {
                return Err(Failure::usage(
                    "no new password: give it with --new-password-file FILE, TWOFOLD_NEW_PASSWORD, or at a prompt (run in a terminal)",
                ));
            };
            file.set_password(Some(new), KdfParams::default())
                .map_err(|e| Failure::from(e).context("cannot set the password"))?;
            println(&format!("password set for {}", file.path().display()))
        }
        PasswordCommand::Remove => {
            let mut file = open(g)?;
            file.set_password(None, KdfParams::default())
                .map_err(|e| Failure::from(e).context("cannot remove the password"))?;
            println(&format!("password removed from {}", file.path().display()))
        }
    }
}

fn recovery_key(g: &GlobalArgs) -> Result<(), Failure> {
    let mut file = open(g)?;
    let key = file
        .regenerate_recovery_key()
        .map_err(|e| Failure::from(e).context("cannot replace the recovery key"))?;
    note("new recovery key: write this down and keep it somewhere safe; it is shown only once");
    note("the old recovery key no longer opens the vault");
    println(key.expose())
}

fn doctor(g: &GlobalArgs) -> Result<(), Failure> {
    let path = unlock::vault_path(g)?;
    println(&format!("vault: {}", path.display()))?;
    let header = if path.exists() {
        match VaultFile::inspect(&path) {
            Ok(h) => {
                println(&format!("format version: {}", h.version))?;
                println(&format!("vault id: {}", h.vault_id))?;
                println(&format!("generation: {}", h.generation))?;
                println(&format!("unlocked by: {}", slot_names(&h.slots)))?;
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn recovery_codes_compare_loosely() {
        assert_eq!(normalize_code("AB12-cd34 ef"), normalize_code("ab12cd34EF"));
        assert_ne!(normalize_code("ab12"), normalize_code("ab13"));
    }
}
