//! Two `twofold-cli` processes editing one vault at the same time
//! (docs/reference/security-brief.md S4): for 20 s, and on until each has a few changes
//! through, each adds accounts and recovery codes to a shared account in a loop, retrying when
//! the other holds the lock or saved first (exit 6). Afterwards the vault opens, every
//! acknowledged change is in it, and nothing else is: no update was lost, none was invented.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{CreateOptions, KdfParams, Unlock, VaultFile};
use twofold_core::{Account, Kind, Period, SecretBytes, SecretString};

use crate::util::{stderr, stdout, Sandbox};

const PASSWORD: &str = "concurrency test password";
/// How long each writer keeps going, at least.
const RUN_FOR: Duration = Duration::from_secs(20);
/// Acknowledged changes each writer must have before both stop: after [`RUN_FOR`], a writer
/// a busy machine has slowed down keeps going (and so does the other) until both have this
/// many, so that both really wrote at the same time.
const MIN_CHANGES: usize = 3;
/// The run fails if the writers have not both reached [`MIN_CHANGES`] by then.
const GIVE_UP_AFTER: Duration = Duration::from_secs(180);

/// What one writer got acknowledged (exit 0) and how often it had to retry.
#[derive(Default)]
struct Acked {
    adds: Vec<String>,
    codes: Vec<String>,
    retries: usize,
}

fn account(issuer: &str, seed: &[u8]) -> Account {
    let mut secret = b"concurrency-".to_vec();
    secret.extend_from_slice(seed);
    Account::new(
        issuer.to_owned(),
        "shared".to_owned(),
        SecretBytes::new(secret),
        Kind::Totp {
            period: Period::THIRTY,
        },
        1_700_000_000,
    )
}

/// Runs one CLI command until it is acknowledged; exit 6 (busy, or changed on disk) is a
/// retry, anything else fails the test.
fn until_acked(sandbox: &Sandbox, args: &[&str], retries: &mut usize) -> Output {
    // Written once, before the writers start (`Sandbox::with_password` rewrites it each time,
    // which races between the two threads).
    let password_file = sandbox.dir.path().join("password");
    loop {
        let out = sandbox
            .cmd()
            .arg("--password-file")
            .arg(&password_file)
            .args(args)
            .output()
            .unwrap();
        match out.status.code() {
            Some(0) => return out,
            Some(6) => *retries += 1,
            _ => panic!(
                "twofold-cli {args:?} failed ({}): {}",
                out.status,
                stderr(&out)
            ),
        }
    }
}

/// Acknowledged changes per writer, so each can see whether the other has enough.
type Progress = [AtomicUsize; 2];

/// Whether the writers stop: after `deadline`, once both have [`MIN_CHANGES`]. Fails the test
/// after [`GIVE_UP_AFTER`].
fn done(progress: &Progress, deadline: Instant, start: Instant) -> bool {
    let counts = [0, 1].map(|i| progress[i].load(Ordering::SeqCst));
    assert!(
        start.elapsed() < GIVE_UP_AFTER,
        "after {GIVE_UP_AFTER:?} the writers have only {counts:?} changes (want {MIN_CHANGES} each)"
    );
    Instant::now() >= deadline && counts.iter().all(|&n| n >= MIN_CHANGES)
}

fn writer(
    sandbox: &Sandbox,
    (me, tag): (usize, &str),
    anchor: &str,
    (start, deadline): (Instant, Instant),
    progress: &Progress,
) -> Acked {
    let mut acked = Acked::default();
    let mut i = 0u32;
    while !done(progress, deadline, start) {
        i += 1;
        if i % 2 == 1 {
            let issuer = format!("{tag}-add-{i}");
            let secret = SecretBytes::new(format!("{tag}{i:08}").into_bytes()).to_base32();
            let out = until_acked(
                sandbox,
                &[
                    "add",
                    "--secret",
                    secret.expose(),
                    "--issuer",
                    &issuer,
                    "--account",
                    "u",
                ],
                &mut acked.retries,
            );
            assert!(stdout(&out).starts_with("added "), "{}", stdout(&out));
            acked.adds.push(issuer);
        } else {
            // Both writers edit the same account: recovery codes, whose limit (1,000) a 20 s
            // run stays far below (tags allow 64).
            let code = format!("{tag}-code-{i}");
            until_acked(
                sandbox,
                &["recovery-codes", "add", anchor, &code],
                &mut acked.retries,
            );
            acked.codes.push(code);
        }
        progress[me].fetch_add(1, Ordering::SeqCst);
    }
    acked
}

#[test]
fn two_cli_processes_lose_no_update() {
    let sandbox = Arc::new(Sandbox::new());
    let path = sandbox.vault();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    sandbox.file("password", &format!("{PASSWORD}\n"));
    // A password vault with the cheapest accepted Argon2id, so each CLI run is quick.
    let opts = CreateOptions {
        keychain: false,
        password: Some(SecretString::from(PASSWORD)),
        keychain_and_password: false,
        kdf: KdfParams::MINIMUM,
    };
    let (mut vf, _) = VaultFile::create(&path, opts, &MemoryKeyStore::new(), 1).unwrap();
    let anchor = vf
        .vault_mut()
        .add(account("Anchor", b"anchor"))
        .unwrap()
        .to_string();
    vf.save().unwrap();
    let start_generation = vf.header_info().generation;
    drop(vf);

    let start = Instant::now();
    let deadline = start + RUN_FOR;
    let progress: Arc<Progress> = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let handles: Vec<_> = ["a", "b"]
        .into_iter()
        .enumerate()
        .map(|(me, tag)| {
            let sandbox = Arc::clone(&sandbox);
            let anchor = anchor.clone();
            let progress = Arc::clone(&progress);
            std::thread::spawn(move || {
                writer(&sandbox, (me, tag), &anchor, (start, deadline), &progress)
            })
        })
        .collect();
    let results: Vec<Acked> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    let vf = VaultFile::open(
        &path,
        &Unlock::Password(SecretString::from(PASSWORD)),
        &MemoryKeyStore::new(),
    )
    .unwrap_or_else(|e| panic!("the vault does not open after the run: {e}"));
    let issuers: BTreeSet<String> = vf
        .vault()
        .accounts()
        .iter()
        .map(|a| a.issuer.clone())
        .collect();
    let codes: BTreeSet<String> = vf
        .vault()
        .accounts()
        .iter()
        .find(|a| a.issuer == "Anchor")
        .unwrap()
        .recovery_codes
        .iter()
        .map(|r| r.code.expose().to_owned())
        .collect();
    let mut want_issuers: BTreeSet<String> = results.iter().flat_map(|r| r.adds.clone()).collect();
    want_issuers.insert("Anchor".into());
    let want_codes: BTreeSet<String> = results.iter().flat_map(|r| r.codes.clone()).collect();
    assert_eq!(
        issuers, want_issuers,
        "accounts differ from the acknowledged adds"
    );
    assert_eq!(
        codes, want_codes,
        "codes differ from the acknowledged edits"
    );
    let changes: usize = results.iter().map(|r| r.adds.len() + r.codes.len()).sum();
    // Every acknowledged change is exactly one save: none was merged away or repeated.
    assert_eq!(
        vf.header_info().generation,
        start_generation + changes as u64
    );
    for (r, tag) in results.iter().zip(["a", "b"]) {
        assert!(
            r.adds.len() + r.codes.len() >= MIN_CHANGES,
            "writer {tag} got only {} changes through",
            r.adds.len() + r.codes.len()
        );
    }
    // The CLI agrees.
    let out = sandbox
        .with_password(PASSWORD)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), want_issuers.len());

    let retries: usize = results.iter().map(|r| r.retries).sum();
    let _ = writeln!(
        std::io::stderr(),
        "figure: two CLI writers for {:.0} s: {changes} acknowledged changes ({} adds, {} \
         edits), {retries} retries after exit 6, none lost",
        start.elapsed().as_secs_f64(),
        want_issuers.len() - 1,
        want_codes.len()
    );
}
