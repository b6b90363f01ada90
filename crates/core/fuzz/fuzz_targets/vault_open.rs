//! Vault file bytes → `VaultFile::open` (docs/vault.md), the whole path a file on disk takes:
//! framing, slot selection, key unwrapping, commitment and payload authentication. The bytes
//! are written to a private temporary file, then opened with a password (`"test"`), the
//! recovery key of the sample vault (tests/fixtures/vault), and the keychain slot (an empty
//! in-memory keychain). Under `cfg(fuzzing)` the vault's Argon2id runs at the cheapest cost,
//! so password slots do not stall the fuzzer.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{Unlock, VaultFile};
use twofold_core::SecretString;

/// The sample vault's recovery key (tests/fixtures/vault/README.md).
const RECOVERY: &str = "YVGZ-PUPN-QERX-3MQC-LU72-RPLB-3II6-GAPU";

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

fn path() -> PathBuf {
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
        .join("fuzz.twofold")
}

fuzz_target!(|data: &[u8]| {
    let path = path();
    std::fs::write(&path, data).expect("writing the temporary vault");
    let keystore = MemoryKeyStore::new();
    for unlock in [
        Unlock::Password(SecretString::from("test")),
        Unlock::RecoveryKey(SecretString::from(RECOVERY)),
        Unlock::Keychain,
    ] {
        if let Ok(vf) = VaultFile::open(&path, &unlock, &keystore) {
            let _ = vf.vault().accounts().len();
        }
    }
    let _ = VaultFile::inspect(&path);
});
