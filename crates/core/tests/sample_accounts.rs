//! The accounts of the checked-in sample vaults (`tests/fixtures/vault/README.md`), shared by
//! the test that opens them (`vault_fixture.rs`) and the example that writes a new one
//! (`crates/core/examples/write_sample_vault.rs`).

use twofold_core::{
    Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode, SecretBytes, SecretString,
};

/// The password of every sample vault.
pub const PASSWORD: &str = "correct horse battery staple";

/// When the samples were created (Unix seconds).
pub const CREATED_AT: i64 = 1_700_000_000;

/// The accounts the sample holds.
pub fn expected_accounts() -> Vec<Account> {
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
