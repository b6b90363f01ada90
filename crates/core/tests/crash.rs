//! Crash consistency and concurrent writers (docs/reference/security-brief.md S1, S4).
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

use crate::util::{password_opts, sample_account, seed, OnFailure, Rng};

const CHILD_VAULT: &str = "TWOFOLD_CRASH_VAULT";
const CHILD_KEY: &str = "TWOFOLD_CRASH_RECOVERY_KEY";
const CHILD_LOG: &str = "TWOFOLD_CRASH_LOG";
const CHILD_TAG: &str = "TWOFOLD_CRASH_TAG";

/// This test binary, for re-running it as a child. On Linux `/proc/self/exe` is the running
/// image itself, so a rebuild of the binary during a long test (a shared target directory)
/// does not break the spawn.
pub fn self_exe() -> PathBuf {
    if cfg!(target_os = "linux") {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe().unwrap()
    }
}

fn spawn_child(test: &str, vault: &Path, key: &str, log: &Path, tag: &str) -> Child {
    Command::new(self_exe())
        .args(["--exact", test, "--test-threads=1", "--nocapture"])
        .env(CHILD_VAULT, vault)
        .env(CHILD_KEY, key)
        .env(CHILD_LOG, log)
        .env(CHILD_TAG, tag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot re-run the test binary: {e}"))
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

fn new_vault(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("vault");
    let (_, rk) =
        VaultFile::create(&path, password_opts("crash"), &MemoryKeyStore::new(), 0).unwrap();
    (path, rk.expose().to_owned())
}

/// How many accounts the SIGKILL test's vault grows to; after that every save edits one, so
/// the vault stays small and a thousand saves stay fast.
const CRASH_ACCOUNTS: usize = 20;

/// The content that matters for the crash test: issuer and notes of every account, in order.
type Content = Vec<(String, String)>;

fn content(vf: &VaultFile) -> Content {
    vf.vault()
        .accounts()
        .iter()
        .map(|a| (a.issuer.clone(), a.notes.clone()))
        .collect()
}

/// The change the child makes before the save that writes generation `generation + 1`: add
/// an account until there are [`CRASH_ACCOUNTS`], then rewrite one account's notes. The
/// parent applies the same function to its model, so it knows exactly what the unacknowledged
/// next generation must contain.
fn crash_step(vf: &mut VaultFile, generation: u64) {
    let note = format!("written by generation {}", generation + 1);
    let len = vf.vault().len();
    if len < CRASH_ACCOUNTS {
        let mut a = sample_account(len as u32);
        a.notes = note;
        vf.vault_mut().add(a).unwrap();
    } else {
        let id = vf.vault().accounts()[(generation % CRASH_ACCOUNTS as u64) as usize]
            .id
            .clone();
        vf.vault_mut().get_mut(&id).unwrap().notes = note;
    }
}

/// The parent's model of [`crash_step`] on [`Content`].
fn model_step(c: &mut Content, generation: u64) {
    let note = format!("written by generation {}", generation + 1);
    if c.len() < CRASH_ACCOUNTS {
        c.push((format!("Issuer {}", c.len()), note));
    } else {
        c[(generation % CRASH_ACCOUNTS as u64) as usize].1 = note;
    }
}

/// The last generation the log records as acknowledged by a child, or started from. Only
/// whole lines count: a child killed while writing its line leaves a torn one, and the save
/// it logged is then the "killed before acknowledging" case (issue 17: a torn `saved ` line
/// read as no line at all made a round compare against an acknowledgement 49 saves old).
fn last_logged(log: &Path) -> Option<u64> {
    let text = fs::read_to_string(log).ok()?;
    let whole = &text[..text.rfind('\n')? + 1];
    whole.lines().next_back()?.rsplit(' ').next()?.parse().ok()
}

fn logged_saves(log: &Path) -> usize {
    fs::read_to_string(log)
        .map(|t| t.lines().filter(|l| l.starts_with("saved ")).count())
        .unwrap_or(0)
}

/// At least this many acknowledged saves, each followed by SIGKILLs at random moments.
const CRASH_SAVES: usize = 1000;

#[test]
fn sigkill_during_saves_leaves_the_old_or_the_new_vault() {
    if let Some((path, unlock, log, _)) = child_env() {
        // Child: open, then change and save forever; log each acknowledged save (after the
        // save returned, and synced, so the log never runs ahead of the vault).
        let store = MemoryKeyStore::new();
        let mut vf = VaultFile::open(&path, &unlock, &store).unwrap();
        let mut log = OpenOptions::new()
            .append(true)
            .create(true)
            .open(log)
            .unwrap();
        loop {
            let generation = vf.header_info().generation;
            crash_step(&mut vf, generation);
            vf.save().unwrap();
            // One write(2) per line: `writeln!` on a File writes each piece separately, so a
            // kill could land between "saved " and the number.
            let line = format!("saved {}\n", vf.header_info().generation);
            log.write_all(line.as_bytes()).unwrap();
            log.sync_all().unwrap();
        }
    }
    // The moments of the kills follow a seed, printed on failure (TWOFOLD_TEST_SEED=<seed>
    // replays the same sequence; where a kill lands still depends on the machine's timing).
    let seed = seed();
    let _seed = OnFailure::text("seed (TWOFOLD_TEST_SEED)", &seed.to_string());
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = new_vault(dir.path());
    let log = dir.path().join("saves.log");
    let unlock = Unlock::RecoveryKey(key.clone().into());
    let store = MemoryKeyStore::new();
    // The model: generation g's content, built by replaying crash_step from generation 1.
    let mut model_gen = 1u64;
    let mut model: Content = Vec::new();
    let mut acknowledged = 1u64;
    let (mut rounds, mut torn_new) = (0usize, 0usize);
    let start = Instant::now();
    while logged_saves(&log) < CRASH_SAVES || rounds < 20 {
        assert!(
            start.elapsed() < Duration::from_secs(180),
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
        std::thread::sleep(Duration::from_millis(40 + rng.below(120)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        if let Some(last) = last_logged(&log) {
            assert!(last >= acknowledged, "the log went backwards");
            acknowledged = last;
        }
        while model_gen < acknowledged {
            model_step(&mut model, model_gen);
            model_gen += 1;
        }
        let vf = VaultFile::open(&path, &unlock, &store)
            .unwrap_or_else(|e| panic!("round {rounds}: vault does not open after SIGKILL: {e}"));
        let on_disk = (vf.header_info().generation, content(&vf));
        let mut next = model.clone();
        model_step(&mut next, acknowledged);
        if on_disk == (acknowledged, model.clone()) {
            // Killed before the rename, or between saves.
        } else if on_disk == (acknowledged + 1, next) {
            // Killed after the rename, before the save was acknowledged.
            torn_new += 1;
        } else {
            panic!(
                "round {rounds}: on disk generation {} ({} accounts), last acknowledged \
                 {acknowledged}",
                on_disk.0,
                on_disk.1.len()
            );
        }
        // Record the state the next child starts from, so the next round's check has a base
        // even if that child never acknowledges a save.
        let mut f = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&log)
            .unwrap();
        // A torn last line of the killed child is ended first, so it stays a line of its own.
        let torn = fs::read(&log).is_ok_and(|b| b.last().is_some_and(|c| *c != b'\n'));
        let start = format!("{}start {}\n", if torn { "\n" } else { "" }, on_disk.0);
        f.write_all(start.as_bytes()).unwrap();
    }
    let saves = logged_saves(&log);
    let _ = writeln!(
        std::io::stderr(),
        "figure: SIGKILL during saves: {saves} acknowledged saves, {rounds} kills, {torn_new} \
         killed between rename and acknowledgement, vault always the old or the new \
         generation, in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    assert!(saves >= CRASH_SAVES);
}

#[test]
fn concurrent_writers_never_lose_an_update() {
    const PER_CHILD: usize = 12;
    if let Some((path, unlock, _, tag)) = child_env() {
        // Child: add PER_CHILD accounts, one save each, retrying on conflicts.
        let store = MemoryKeyStore::new();
        let offset: u32 = if tag == "a" { 1000 } else { 2000 };
        // Back-off between retries: a fixed sequence per child.
        let mut rng = Rng::new(u64::from(offset));
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
                        std::thread::sleep(Duration::from_millis(rng.below(5)));
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
