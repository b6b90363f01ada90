//! The checked-in sample vaults `tests/fixtures/vault/sample-v<N>.twofold` (see the README
//! there): each header parses, and each opens with the documented password and recovery key to
//! the documented accounts. Every released format version stays readable forever
//! (`docs/vault.md` §8).
//!
//! A new format version gets a new sample, written by
//! `cargo run -p twofold-core --example write_sample_vault -- tests/fixtures/vault/sample-v<N>.twofold`
//! (it prints the recovery key to put in the README and in [`SAMPLES`]).

use std::path::PathBuf;

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::format::VERSION;
use twofold_core::vault::{SlotKind, Unlock, VaultFile};

use crate::sample_accounts::{expected_accounts, CREATED_AT, PASSWORD};

/// One sample file: its name, format version and recovery key.
struct Sample {
    file: &'static str,
    version: u16,
    recovery_key: &'static str,
}

const SAMPLES: [Sample; 2] = [
    Sample {
        file: "sample-v1.twofold",
        version: 1,
        recovery_key: "YVGZ-PUPN-QERX-3MQC-LU72-RPLB-3II6-GAPU",
    },
    Sample {
        file: "sample-v2.twofold",
        version: 2,
        recovery_key: "ZI3E-LLOK-24FH-QG3M-7MQC-ZEVR-ISGT-MTTX",
    },
];

fn fixture(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/vault")
        .join(file)
}

fn check(sample: &Sample) {
    let path = fixture(sample.file);
    let info = VaultFile::inspect(&path).unwrap();
    assert_eq!(info.version, sample.version, "{}", sample.file);
    assert_eq!(info.generation, 2);
    assert_eq!(info.slots, [SlotKind::Password, SlotKind::RecoveryKey]);
    assert_eq!(info.vault_id.len(), 32);
    let store = MemoryKeyStore::new();
    let by_password = VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), &store).unwrap();
    assert_eq!(
        by_password.vault().accounts(),
        expected_accounts().as_slice()
    );
    assert_eq!(by_password.created_at(), CREATED_AT);
    let by_recovery = VaultFile::open(
        &path,
        &Unlock::RecoveryKey(sample.recovery_key.into()),
        &store,
    )
    .unwrap();
    assert_eq!(by_recovery.vault(), by_password.vault());
    // Search finds it, and the secret is the documented one.
    assert_eq!(
        by_password.vault().search("github")[0]
            .secret
            .to_base32()
            .expose(),
        "JBSWY3DPEHPK3PXP"
    );
    // A wrong password is a wrong credential, not damage.
    assert!(matches!(
        VaultFile::open(&path, &Unlock::Password("wrong".into()), &store),
        Err(twofold_core::vault::VaultError::WrongCredential)
    ));
}

#[test]
fn sample_v1_opens_with_the_documented_credentials() {
    check(&SAMPLES[0]);
}

#[test]
fn sample_v2_opens_with_the_documented_credentials() {
    check(&SAMPLES[1]);
}

#[test]
fn the_current_format_version_has_a_sample() {
    assert!(
        SAMPLES.iter().any(|s| s.version == VERSION),
        "format version {VERSION} has no sample file: write one with the example named in this \
         file's docs"
    );
    for s in &SAMPLES {
        assert!(fixture(s.file).is_file(), "{} is missing", s.file);
    }
}
