//! The bad-file kit (docs/reference/security-brief.md C6, modelled on age's `C2SP/CCTV:age/`):
//! malformed vaults and backups, each with the one error it must produce, run as one table.
//!
//! Every vault case is built in code from the sample vault
//! (`tests/fixtures/vault/sample-v1.twofold`, docs/vault.md): a mutation of its bytes, or of
//! its parsed header re-encoded with a correct checksum so that the case reaches the check it
//! is about. Backup cases are age files made with `backup::encrypt_with_work_factor` (cheap
//! scrypt) and then damaged. Nothing here may panic, and no error text may hold a secret.
//!
//! What the formats cannot detect, by design, is stated as a case too: a whole older vault
//! generation put back in place opens (docs/vault.md §3 keeps an authenticated `generation`
//! so the app can warn, security.md S5); there is no nonce-reuse marker to tamper with,
//! because every save draws a fresh salt and so a fresh payload key.

// The two tables, one file each.
mod backup_cases;
mod vault_cases;

use std::fs;
use std::path::Path;

use twofold_core::backup;
use twofold_core::formats::FormatError;
use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{format, Unlock, VaultError, VaultFile};
use twofold_core::SecretString;

use backup_cases::backup_cases;
use vault_cases::{malformed_because, sample, vault_cases, Expect};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/vault/sample-v1.twofold"
);
const RECOVERY_KEY: &str = "YVGZ-PUPN-QERX-3MQC-LU72-RPLB-3II6-GAPU";
const PASSWORD: &str = "correct horse battery staple";

fn check_vault_error(name: &str, e: &VaultError) {
    let text = e.to_string();
    for secret in [RECOVERY_KEY, PASSWORD, "JBSWY3DPEHPK3PXP"] {
        assert!(
            !text.contains(secret),
            "{name}: the error shows a secret: {text}"
        );
    }
}

const BACKUP_PASSWORD: &str = "backup kit password";

/// Reads a backup the way a restore does: decrypt, then parse the document.
fn read_backup(file: &[u8], password: &str) -> Result<usize, FormatError> {
    let plain = backup::decrypt(file, &SecretString::from(password))?;
    Ok(backup::from_json(&plain, 0)?.accounts.len())
}

fn open(path: &Path) -> Result<VaultFile, VaultError> {
    VaultFile::open(
        path,
        &Unlock::RecoveryKey(SecretString::from(RECOVERY_KEY)),
        &MemoryKeyStore::new(),
    )
}

#[test]
fn bad_file_kit() {
    let s = sample();
    let dir = tempfile::tempdir().unwrap();
    let cases = vault_cases(&s);
    let mut failures = Vec::new();
    for (i, (name, mutate, expect)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case-{i:03}.twofold"));
        let bytes = mutate(&s);
        fs::write(&path, &bytes).unwrap();
        let result = if let Expect::Opens(_) = expect {
            // Make a newer generation, then put the older file back in its place.
            let newer = dir.path().join(format!("case-{i:03}-newer.twofold"));
            fs::write(&newer, &bytes).unwrap();
            let mut vf = open(&newer).unwrap();
            vf.save().unwrap();
            assert_eq!(vf.header_info().generation, 3);
            fs::copy(&path, &newer).unwrap();
            open(&newer)
        } else {
            open(&path)
        };
        match (expect, result) {
            (Expect::Error(want, matches), Err(e)) => {
                check_vault_error(name, &e);
                if !matches(&e) {
                    failures.push(format!("{name}: expected {want}, got {e:?}"));
                }
            }
            (Expect::Error(want, _), Ok(_)) => {
                failures.push(format!("{name}: expected {want}, but it opened"))
            }
            (Expect::Opens(generation), Ok(vf)) => {
                // Documented behaviour: the format cannot tell an older generation from the
                // current one; the app compares the generation with the highest it has seen.
                assert_eq!(vf.header_info().generation, *generation, "{name}");
                assert_eq!(vf.vault().len(), 3, "{name}");
            }
            (Expect::Opens(_), Err(e)) => failures.push(format!("{name}: did not open: {e}")),
        }
    }
    // A file over the size limit, refused before it is read (a sparse file).
    let big = dir.path().join("too-big.twofold");
    fs::File::create(&big)
        .unwrap()
        .set_len(format::MAX_FILE_LEN + 1)
        .unwrap();
    match open(&big) {
        Err(e) if malformed_because(&e, "expected at most") => {}
        other => failures.push(format!("file over 64 MiB: {other:?}")),
    }
    let vault_count = cases.len() + 1;

    let backups = backup_cases();
    for (name, file, password, want, matches) in &backups {
        match read_backup(file, password) {
            Err(e) => {
                let text = e.to_string();
                assert!(!text.contains(BACKUP_PASSWORD), "{name}: {text}");
                if !matches(&e) {
                    failures.push(format!("backup {name}: expected {want}, got {e:?}"));
                }
            }
            Ok(n) => failures.push(format!("backup {name}: expected {want}, read {n} accounts")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(vault_count >= 40 && backups.len() >= 10);
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!(
            "figure: bad-file kit: {vault_count} malformed vaults and {} malformed backups, \
             each with its expected error\n",
            backups.len()
        ),
    );
}
