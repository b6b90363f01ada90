//! The checked-in sample vault `tests/fixtures/vault/sample-v1.twofold` (see the README
//! there): its header parses, and it opens with the documented password and recovery key to
//! the documented accounts. Format version 1 must stay readable forever.
//!
//! To regenerate it (only when the format version changes, with a new file name):
//! `TWOFOLD_WRITE_SAMPLE_VAULT=1 cargo test -p twofold-core --test tests vault_fixture -- --nocapture`,
//! then copy the printed recovery key into the README and into `RECOVERY_KEY` below.

use std::path::PathBuf;

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{CreateOptions, KdfParams, SlotKind, Unlock, VaultFile};
use twofold_core::{
    Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode, SecretBytes, SecretString,
};

const PASSWORD: &str = "correct horse battery staple";
const RECOVERY_KEY: &str = "YVGZ-PUPN-QERX-3MQC-LU72-RPLB-3II6-GAPU";

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/vault/sample-v1.twofold")
}

/// The accounts the sample holds.
fn expected_accounts() -> Vec<Account> {
    let t = 1_700_000_000;
    let mut github = Account::new(
        "GitHub",
        "alice@example.com",
        SecretBytes::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
        Kind::Totp {
            period: Period::THIRTY,
        },
        t,
    );
    github.id = AccountId("6f1c0b9e-2d7a-4c3e-9a51-0c8e1f2b3a4d".into());
    github.tags = vec!["work".into(), "code".into()];
    github.favourite = true;
    github.icon = Some("github".into());
    github.recovery_codes = vec![
        RecoveryCode {
            code: SecretString::from("abcd-1234"),
            used: true,
            used_at: Some(t + 60),
        },
        RecoveryCode {
            code: SecretString::from("efgh-5678"),
            used: false,
            used_at: None,
        },
    ];
    let mut bank = Account::new(
        "Bänk ✓",
        "bob",
        SecretBytes::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(),
        Kind::Hotp { counter: 5 },
        t,
    );
    bank.id = AccountId("0a4e6d1c-7b3f-4e2a-8c9d-5f6e7a8b9c0d".into());
    bank.algorithm = Algorithm::Sha256;
    bank.digits = Digits::EIGHT;
    bank.order = 2;
    bank.notes = "line one\nline two — ünïcode".into();
    bank.last_used_at = Some(t + 3600);
    let mut steam = Account::new(
        "Steam",
        "carol",
        SecretBytes::from_base32("STEAMSECRETBASE32AAAAAAA").unwrap(),
        Kind::Steam,
        t,
    );
    steam.id = AccountId("9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d".into());
    steam.order = 3;
    steam.updated_at = t + 10;
    vec![github, bank, steam]
}

#[test]
fn sample_vault_opens_with_the_documented_credentials() {
    let path = fixture();
    if std::env::var_os("TWOFOLD_WRITE_SAMPLE_VAULT").is_some() {
        let _ = std::fs::remove_file(&path);
        for (p, _) in VaultFile::generations(&path).unwrap() {
            std::fs::remove_file(p).unwrap();
        }
        let opts = CreateOptions {
            keychain: false,
            password: Some(PASSWORD.into()),
            keychain_and_password: false,
            kdf: KdfParams::MINIMUM,
        };
        let (mut vf, rk) =
            VaultFile::create(&path, opts, &MemoryKeyStore::new(), 1_700_000_000).unwrap();
        for a in expected_accounts() {
            vf.vault_mut().add(a).unwrap();
        }
        vf.save().unwrap();
        for (p, _) in VaultFile::generations(&path).unwrap() {
            std::fs::remove_file(p).unwrap();
        }
        let _ = std::fs::remove_file(path.with_extension("twofold.lock"));
        println!("recovery key: {}", rk.expose());
        return;
    }
    let info = VaultFile::inspect(&path).unwrap();
    assert_eq!(info.version, 1);
    assert_eq!(info.generation, 2);
    assert_eq!(info.slots, [SlotKind::Password, SlotKind::RecoveryKey]);
    assert_eq!(info.vault_id.len(), 32);
    let store = MemoryKeyStore::new();
    let by_password = VaultFile::open(&path, &Unlock::Password(PASSWORD.into()), &store).unwrap();
    assert_eq!(
        by_password.vault().accounts(),
        expected_accounts().as_slice()
    );
    assert_eq!(by_password.created_at(), 1_700_000_000);
    let by_recovery =
        VaultFile::open(&path, &Unlock::RecoveryKey(RECOVERY_KEY.into()), &store).unwrap();
    assert_eq!(by_recovery.vault(), by_password.vault());
    // Search finds it, and the secret is the documented one.
    assert_eq!(
        by_password.vault().search("github")[0]
            .secret
            .to_base32()
            .expose(),
        "JBSWY3DPEHPK3PXP"
    );
}
