//! Fault injection in the save path (docs/reference/security-brief.md S1 b, KeePassXC's
//! `FailDevice` idea): every file-system step of a save fails in turn, writes stop with ENOSPC
//! at several offsets, and a real 256 KiB tmpfs fills up. Each time the error reaches the
//! caller, the vault on disk is byte-identical to the one before the save (or, for a step
//! after the rename, is the complete new file), no temporary file is left behind, and the next
//! save succeeds. A disk that silently stores other bytes is caught by the read-back (S2).
//!
//! The seam is `VaultFile::inject_faults` / `take_fault_log` (feature `fault-injection`, which
//! this crate's tests turn on); it is per thread, so the tests may run in parallel.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{format, Unlock, VaultError, VaultFile};

use crate::util::{figure, keychain_opts, sample_account};

/// A keychain vault (no Argon2) with three accounts, saved often enough that every later
/// save also prunes a generation, so the steps of pruning are exercised.
fn vault_with_generations(dir: &Path) -> (PathBuf, MemoryKeyStore, VaultFile) {
    let path = dir.join("vault");
    let store = MemoryKeyStore::new();
    let (mut vf, _) = VaultFile::create(&path, keychain_opts(), &store, 1).unwrap();
    for n in 0..7 {
        if n < 3 {
            vf.vault_mut().add(sample_account(n)).unwrap();
        }
        vf.save().unwrap();
    }
    assert_eq!(VaultFile::generations(&path).unwrap().len(), 5);
    (path, store, vf)
}

fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

/// The issuers of the vault on disk, opened afresh.
fn issuers_on_disk(path: &Path, store: &MemoryKeyStore) -> Vec<String> {
    VaultFile::open(path, &Unlock::Keychain, store)
        .unwrap_or_else(|e| panic!("the vault does not open: {e}"))
        .vault()
        .accounts()
        .iter()
        .map(|a| a.issuer.clone())
        .collect()
}

fn issuers(vf: &VaultFile) -> Vec<String> {
    vf.vault()
        .accounts()
        .iter()
        .map(|a| a.issuer.clone())
        .collect()
}

/// The OS error code inside an I/O error, if that is what `e` is.
fn os_error(e: &VaultError) -> Option<i32> {
    match e {
        VaultError::Io { source, .. } => source.raw_os_error(),
        _ => None,
    }
}

/// Runs one save under `fail_at`/`write_limit` and checks the aftermath. Returns the fault log.
fn save_with_faults(
    path: &Path,
    store: &MemoryKeyStore,
    vf: &mut VaultFile,
    fail_at: &[usize],
    write_limit: Option<usize>,
    n: u32,
) -> (Result<(), VaultError>, Vec<(&'static str, bool)>) {
    let before = fs::read(path).unwrap();
    let before_issuers = issuers(vf);
    vf.vault_mut().add(sample_account(n)).unwrap();
    let after_issuers = issuers(vf);
    VaultFile::inject_faults(fail_at, write_limit, None);
    let result = vf.save();
    let log = VaultFile::take_fault_log();
    let dir = path.parent().unwrap();
    assert_eq!(
        temp_files(dir),
        Vec::<String>::new(),
        "temp files left: {log:?}"
    );
    let renamed = log.contains(&("rename", false));
    match &result {
        Err(e) => {
            // Reported as an I/O error with the injected OS code, and no secret in the text.
            assert!(
                matches!(os_error(e), Some(5 | 28)),
                "unexpected error {e:?} for {log:?}"
            );
            assert!(e.to_string().starts_with("cannot access"), "{e}");
            if renamed {
                // The new file is complete and in place; only a later step failed.
                assert_eq!(issuers_on_disk(path, store), after_issuers, "{log:?}");
            } else {
                assert!(fs::read(path).unwrap() == before, "vault changed: {log:?}");
                assert_eq!(issuers_on_disk(path, store), before_issuers);
            }
        }
        Ok(()) => assert_eq!(issuers_on_disk(path, store), after_issuers, "{log:?}"),
    }
    // The next save succeeds and holds everything the session has.
    vf.save()
        .unwrap_or_else(|e| panic!("the save after {log:?} failed: {e}"));
    assert_eq!(issuers_on_disk(path, store), after_issuers);
    (result, log)
}

#[test]
fn every_step_of_a_save_fails_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, mut vf) = vault_with_generations(dir.path());

    // A clean save, to learn the steps.
    VaultFile::inject_faults(&[], None, None);
    vf.save().unwrap();
    let steps: Vec<&str> = VaultFile::take_fault_log().iter().map(|s| s.0).collect();
    for must in [
        "lock",
        "read",
        "create-temp",
        "write-temp",
        "fsync-temp",
        "link-generation",
        "rename",
        "fsync-dir",
        "remove-generation",
    ] {
        assert!(steps.contains(&must), "no {must} step in {steps:?}");
    }

    let mut faults = 0;
    let mut n = 100;
    for k in 0..steps.len() {
        n += 1;
        let (result, log) = save_with_faults(&path, &store, &mut vf, &[k], None, n);
        faults += 1;
        let failed = log.iter().position(|s| s.1);
        assert_eq!(failed, Some(k), "step {k} was not reached: {log:?}");
        let name = log[k].0;
        if name == "link-generation" {
            // A file system without hard links: the generation is copied instead, and the
            // save goes through.
            assert!(result.is_ok(), "copy fallback failed: {result:?}");
            assert!(log.contains(&("rename-generation", false)));
        } else {
            assert!(result.is_err(), "a failed {name} was swallowed: {log:?}");
        }
    }

    // The copy fallback itself: the link fails, then each step of the copy fails in turn.
    let link = steps.iter().position(|s| *s == "link-generation").unwrap();
    VaultFile::inject_faults(&[link], None, None);
    vf.save().unwrap();
    let fallback_len = VaultFile::take_fault_log().len() - steps.len();
    for j in 1..=fallback_len {
        n += 1;
        let (result, log) = save_with_faults(&path, &store, &mut vf, &[link, link + j], None, n);
        faults += 2;
        assert!(log[link + j].1, "{log:?}");
        assert!(
            result.is_err(),
            "a failed {} was swallowed",
            log[link + j].0
        );
    }
    figure(&format!(
        "fault injection: {} steps per save ({}), {fallback_len} more in the copy fallback; \
         {faults} faults injected, every one reported, vault intact",
        steps.len(),
        steps.join(" "),
    ));
}

#[test]
fn enospc_at_several_offsets_keeps_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, mut vf) = vault_with_generations(dir.path());
    let len = fs::read(&path).unwrap().len();
    let prefix = format::PREFIX_LEN;
    let offsets = [
        0,
        1,
        8,
        prefix - 1,
        prefix,
        prefix + 100,
        len / 2,
        len - 17,
        len - 1,
        len,
    ];
    for (i, &limit) in offsets.iter().enumerate() {
        let (result, log) =
            save_with_faults(&path, &store, &mut vf, &[], Some(limit), 200 + i as u32);
        let e = result.expect_err("a short write was swallowed");
        assert_eq!(os_error(&e), Some(28), "{e:?}");
        match e {
            VaultError::Io { source, .. } => {
                assert_eq!(source.kind(), std::io::ErrorKind::StorageFull)
            }
            other => panic!("{other:?}"),
        }
        assert!(!log.contains(&("rename", false)), "{log:?}");
    }
    figure(&format!(
        "ENOSPC: {} write offsets (0 to {len} of a {len}-byte vault), each reported, vault \
         byte-identical",
        offsets.len()
    ));
}

/// S2: a disk that silently stores something else. The read-back check reports it, the
/// previous generation is kept and offered, and the next save rewrites the vault from memory.
#[test]
fn silent_corruption_is_caught_by_the_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, mut vf) = vault_with_generations(dir.path());
    let bytes = fs::read(&path).unwrap();
    let len = bytes.len();
    let header_len = u32::from_be_bytes(bytes[10..14].try_into().unwrap()) as usize;
    let checksum = format::PREFIX_LEN + header_len;
    let ciphertext = checksum + format::CHECKSUM_LEN;
    // Magic, generation, checksum, ciphertext, tag (each save adds an account, so the file
    // only grows and these stay inside their fields).
    let offsets = [
        3,
        format::PREFIX_LEN + 20,
        checksum + 5,
        ciphertext + 10,
        len - 1,
    ];
    for (i, &at) in offsets.iter().enumerate() {
        let before = fs::read(&path).unwrap();
        let previous = vf.header_info().generation;
        vf.vault_mut().add(sample_account(300 + i as u32)).unwrap();
        let want = issuers(&vf);
        VaultFile::inject_faults(&[], None, Some(at));
        let result = vf.save();
        VaultFile::take_fault_log();
        match result {
            Err(VaultError::Integrity { what, .. }) => assert_eq!(what, "written file differs"),
            other => panic!("corruption at byte {at} not reported: {other:?}"),
        }
        assert_eq!(temp_files(dir.path()), Vec::<String>::new());
        // The previous generation is intact beside the damaged file, and offered on open.
        let kept = dir.path().join(format!("vault.gen-{previous}"));
        assert!(
            fs::read(&kept).unwrap() == before,
            "generation {previous} changed"
        );
        match VaultFile::open(&path, &Unlock::Keychain, &store) {
            Err(VaultError::Damaged {
                newest_good: Some((p, g)),
                ..
            }) => {
                assert_eq!((p, g), (kept, previous));
            }
            other => panic!("corruption at byte {at}: open gave {other:?}"),
        }
        // The session still holds everything: the next save puts it back.
        vf.save()
            .unwrap_or_else(|e| panic!("the save after corruption at {at} failed: {e}"));
        assert_eq!(issuers_on_disk(&path, &store), want);
    }
    figure(&format!(
        "silent corruption: {} written files corrupted (magic, generation, checksum, \
         ciphertext, tag), each caught by the read-back, previous generation offered, next \
         save repaired it",
        offsets.len()
    ));
}

const FULL_DISK_CHILD: &str = "TWOFOLD_FULL_DISK_CHILD";

/// The effective user id, from /proc (no libc needed).
fn euid() -> u32 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// A real full disk: the test binary re-runs itself in a private mount namespace
/// (`unshare`), mounts a 256 KiB tmpfs there, fills it, and saves. The mount vanishes with the
/// child. Fails (never skips) if the namespace or the mount cannot be made.
#[test]
fn a_full_tmpfs_keeps_the_vault() {
    if std::env::var_os(FULL_DISK_CHILD).is_some() {
        full_disk_child();
        return;
    }
    let mut cmd = Command::new("unshare");
    if euid() == 0 {
        cmd.args(["--mount", "--propagation", "private"]);
    } else {
        cmd.args(["--map-root-user", "--mount"]);
    }
    let out = cmd
        // Not /proc/self/exe: unshare would run itself.
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "faults::a_full_tmpfs_keeps_the_vault",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(FULL_DISK_CHILD, "1")
        .output()
        .expect("unshare (util-linux) is needed for the full-disk test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "full-disk child failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    if let Some(line) = stderr.lines().find(|l| l.starts_with("figure: ")) {
        figure(line.trim_start_matches("figure: "));
    }
}

fn full_disk_child() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "cannot mount a tmpfs: {status}");
    let path = dir.path().join("vault");
    let store = MemoryKeyStore::new();
    let (mut vf, _) = VaultFile::create(&path, keychain_opts(), &store, 1).unwrap();
    for n in 0..20 {
        vf.vault_mut().add(sample_account(n)).unwrap();
    }
    vf.save().unwrap();
    let vault_len = fs::metadata(&path).unwrap().len() as usize;
    // Fill the disk, leaving less room than one more copy of the vault needs.
    let filler = dir.path().join("filler");
    {
        let mut f = fs::File::create(&filler).unwrap();
        let chunk = vec![0x5a; 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }
    let before = fs::read(&path).unwrap();
    let mut failures = 0;
    for n in 20..25 {
        vf.vault_mut().add(sample_account(n)).unwrap();
        let e = vf.save().expect_err("a save on a full disk succeeded");
        assert_eq!(os_error(&e), Some(28), "expected ENOSPC, got {e:?}");
        assert!(fs::read(&path).unwrap() == before, "the vault changed");
        assert_eq!(temp_files(dir.path()), Vec::<String>::new());
        assert_eq!(
            VaultFile::open(&path, &Unlock::Keychain, &store)
                .unwrap()
                .vault()
                .len(),
            20
        );
        failures += 1;
    }
    // Space again: the next save writes everything the session holds.
    fs::remove_file(&filler).unwrap();
    vf.save().unwrap();
    let reopened = VaultFile::open(&path, &Unlock::Keychain, &store).unwrap();
    assert_eq!(reopened.vault().len(), 25);
    figure(&format!(
        "full tmpfs (256 KiB, {vault_len}-byte vault): {failures} saves refused with ENOSPC, \
         vault byte-identical, then saved once space was freed"
    ));
}
