//! Crash consistency and concurrent writers (../shared/docs/security.md S1, S4).
//!
//! Each test re-executes this test binary as a child process in "child mode" (chosen by an
//! environment variable, so the same test function is both parent and child): the child
//! saves in a loop, the parent kills it with SIGKILL at random moments, or runs two of them
//! at once, and then checks the vault on disk.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{Unlock, VaultError, VaultFile};
use twofold_core::SecretString;

use crate::vault::{password_opts, sample_account};

const CHILD_VAULT: &str = "TWOFOLD_CRASH_VAULT";
const CHILD_KEY: &str = "TWOFOLD_CRASH_RECOVERY_KEY";
const CHILD_LOG: &str = "TWOFOLD_CRASH_LOG";
const CHILD_TAG: &str = "TWOFOLD_CRASH_TAG";

fn spawn_child(test: &str, vault: &Path, key: &str, log: &Path, tag: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--test-threads=1", "--nocapture"])
        .env(CHILD_VAULT, vault)
        .env(CHILD_KEY, key)
        .env(CHILD_LOG, log)
        .env(CHILD_TAG, tag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn child_env() -> Option<(PathBuf, Unlock, PathBuf, String)> {
    let vault = std::env::var_os(CHILD_VAULT)?;
    let key = std::env::var(CHILD_KEY).unwrap();
    let log = std::env::var_os(CHILD_LOG).unwrap();
    let tag = std::env::var(CHILD_TAG).unwrap();
    Some((
        vault.into(),
        Unlock::RecoveryKey(SecretString::new(key)),
        log.into(),
        tag,
    ))
}

/// A cheap pseudo-random number (no RNG crate needed): nanoseconds of the clock, mixed.
fn jitter(max: u64) -> u64 {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mixed = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 17;
    mixed % max
}

fn new_vault(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("vault");
    let (_, rk) =
        VaultFile::create(&path, password_opts("crash"), &MemoryKeyStore::new(), 0).unwrap();
    (path, rk.expose().to_owned())
}

/// The state the log last recorded: an acknowledged save (`generation count`) or the state
/// the parent found before starting a child (`# start generation count`).
fn last_logged(log: &Path) -> Option<(u64, usize)> {
    let text = fs::read_to_string(log).ok()?;
    let line = text.lines().next_back()?;
    let mut parts = line.rsplit(' ');
    let count = parts.next()?.parse().ok()?;
    let generation = parts.next()?.parse().ok()?;
    Some((generation, count))
}

fn logged_saves(log: &Path) -> usize {
    fs::read_to_string(log)
        .map(|t| t.lines().filter(|l| l.split(' ').count() == 2).count())
        .unwrap_or(0)
}

#[test]
fn sigkill_during_saves_leaves_the_old_or_the_new_vault() {
    if let Some((path, unlock, log, _)) = child_env() {
        // Child: open, then add one account and save, forever; log each acknowledged save.
        let store = MemoryKeyStore::new();
        let mut vf = VaultFile::open(&path, &unlock, &store).unwrap();
        let mut log = OpenOptions::new()
            .append(true)
            .create(true)
            .open(log)
            .unwrap();
        loop {
            let n = vf.vault().len() as u32;
            vf.vault_mut().add(sample_account(n)).unwrap();
            vf.save().unwrap();
            writeln!(log, "{} {}", vf.header_info().generation, vf.vault().len()).unwrap();
            log.sync_all().unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = new_vault(dir.path());
    let log = dir.path().join("saves.log");
    let unlock = Unlock::RecoveryKey(key.clone().into());
    let store = MemoryKeyStore::new();
    let mut expected = (1u64, 0usize);
    let mut rounds = 0;
    let start = Instant::now();
    while logged_saves(&log) < 200 || rounds < 20 {
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "too slow: {} saves in {rounds} rounds",
            logged_saves(&log)
        );
        rounds += 1;
        let mut child = spawn_child(
            "crash::sigkill_during_saves_leaves_the_old_or_the_new_vault",
            &path,
            &key,
            &log,
            "",
        );
        std::thread::sleep(Duration::from_millis(30 + jitter(120)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        if let Some(last) = last_logged(&log) {
            expected = last;
        }
        let vf = VaultFile::open(&path, &unlock, &store)
            .unwrap_or_else(|e| panic!("round {rounds}: vault does not open after SIGKILL: {e}"));
        let got = (vf.header_info().generation, vf.vault().len());
        let next = (expected.0 + 1, expected.1 + 1);
        assert!(
            got == expected || got == next,
            "round {rounds}: on disk {got:?}, last acknowledged save {expected:?}"
        );
        // The content matches the generation: accounts 0..count, in order.
        for (i, a) in vf.vault().accounts().iter().enumerate() {
            assert_eq!(a.issuer, format!("Issuer {i}"));
        }
        expected = got;
        // Record the state the next child starts from, so the next round's check has a base
        // even if that child never acknowledges a save.
        let mut f = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&log)
            .unwrap();
        writeln!(f, "# start {} {}", got.0, got.1).unwrap();
    }
    eprintln!(
        "{rounds} SIGKILL rounds, {} acknowledged saves",
        logged_saves(&log)
    );
    assert!(logged_saves(&log) >= 200);
}

#[test]
fn concurrent_writers_never_lose_an_update() {
    const PER_CHILD: usize = 12;
    if let Some((path, unlock, _, tag)) = child_env() {
        // Child: add PER_CHILD accounts, one save each, retrying on conflicts.
        let store = MemoryKeyStore::new();
        let offset: u32 = if tag == "a" { 1000 } else { 2000 };
        for i in 0..PER_CHILD as u32 {
            loop {
                let mut vf = match VaultFile::open(&path, &unlock, &store) {
                    Ok(vf) => vf,
                    Err(e) => panic!("child {tag}: open failed: {e}"),
                };
                vf.vault_mut().add(sample_account(offset + i)).unwrap();
                match vf.save() {
                    Ok(()) => break,
                    Err(VaultError::ChangedOnDisk { .. } | VaultError::Busy { .. }) => {
                        std::thread::sleep(Duration::from_millis(jitter(5)));
                    }
                    Err(e) => panic!("child {tag}: save failed: {e}"),
                }
            }
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = new_vault(dir.path());
    let log = dir.path().join("unused.log");
    let test = "crash::concurrent_writers_never_lose_an_update";
    let mut a = spawn_child(test, &path, &key, &log, "a");
    let mut b = spawn_child(test, &path, &key, &log, "b");
    assert!(a.wait().unwrap().success(), "child a failed");
    assert!(b.wait().unwrap().success(), "child b failed");
    let vf = VaultFile::open(
        &path,
        &Unlock::RecoveryKey(key.into()),
        &MemoryKeyStore::new(),
    )
    .unwrap();
    let mut issuers: Vec<String> = vf
        .vault()
        .accounts()
        .iter()
        .map(|a| a.issuer.clone())
        .collect();
    issuers.sort();
    let mut want: Vec<String> = (0..PER_CHILD as u32)
        .flat_map(|i| {
            [
                format!("Issuer {}", 1000 + i),
                format!("Issuer {}", 2000 + i),
            ]
        })
        .collect();
    want.sort();
    assert_eq!(issuers, want);
    assert_eq!(vf.header_info().generation, 1 + 2 * PER_CHILD as u64);
}
