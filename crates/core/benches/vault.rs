//! Vault benchmark: open and save a 10,000-account vault, with the KDF excluded (keychain
//! slot, memory store) and included (password slot, 64 MiB / t = 3 / p = 4), and compute all
//! 10,000 current codes. A plain timing main that prints median figures:
//! `cargo bench -p twofold-core`.
//!
//! Targets (issue): open ≤ 20 ms without the KDF, save ≤ 50 ms, 10,000 codes ≤ 5 ms.

use std::time::{Duration, Instant};

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{CreateOptions, KdfParams, Unlock, VaultFile};
use twofold_core::{Account, Kind, Period, RecoveryCode, SecretBytes, SecretString};

const ACCOUNTS: u32 = 10_000;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..n)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn account(n: u32) -> Account {
    let mut secret = vec![0u8; 20];
    secret[..4].copy_from_slice(&n.to_be_bytes());
    let kind = match n % 10 {
        0 => Kind::Hotp {
            counter: u64::from(n),
        },
        1 => Kind::Steam,
        _ => Kind::Totp {
            period: Period::THIRTY,
        },
    };
    let mut a = Account::new(
        format!("Issuer {n}"),
        format!("user{n}@example.com"),
        SecretBytes::new(secret),
        kind,
        1_700_000_000,
    );
    a.tags = vec!["work".into(), "personal".into()];
    a.notes = "a short note".into();
    if n.is_multiple_of(5) {
        a.recovery_codes = (0..8)
            .map(|i| RecoveryCode {
                code: SecretString::from(format!("code-{n}-{i}")),
                used: false,
                used_at: None,
            })
            .collect();
    }
    a
}

fn report(what: &str, took: Duration, target_ms: Option<u64>) {
    let ms = took.as_secs_f64() * 1000.0;
    match target_ms {
        Some(t) => println!(
            "{what:<52} {ms:>9.2} ms  (target ≤ {t} ms: {}, {:.2}× the target)",
            if ms <= t as f64 { "ok" } else { "MISSED" },
            ms / t as f64
        ),
        None => println!("{what:<52} {ms:>9.2} ms"),
    }
}

fn main() {
    // `cargo test --benches` runs this binary with `--test`-like flags; keep that quick.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = MemoryKeyStore::new();
    let accounts: Vec<Account> = (0..ACCOUNTS).map(account).collect();

    for (label, opts, unlock, runs) in [
        (
            "keychain slot (KDF excluded)",
            CreateOptions {
                keychain: true,
                password: None,
                keychain_and_password: false,
                kdf: KdfParams::default(),
            },
            Unlock::Keychain,
            21,
        ),
        (
            "password slot, Argon2id 64 MiB/3/4 (KDF included)",
            CreateOptions {
                keychain: false,
                password: Some("benchmark password".into()),
                keychain_and_password: false,
                kdf: KdfParams::default(),
            },
            Unlock::Password("benchmark password".into()),
            5,
        ),
    ] {
        let path = dir.path().join(format!("vault-{runs}"));
        let (mut vf, _) = VaultFile::create(&path, opts, &store, 0).expect("create");
        for a in &accounts {
            vf.vault_mut().add(a.clone()).expect("add");
        }
        vf.save().expect("first save");
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!(
            "{label}: {ACCOUNTS} accounts, file {:.2} MiB",
            size as f64 / 1_048_576.0
        );
        let kdf_excluded = matches!(unlock, Unlock::Keychain);
        report(
            "  open",
            time(runs, || {
                VaultFile::open(&path, &unlock, &store).expect("open")
            }),
            kdf_excluded.then_some(20),
        );
        report("  save", time(runs, || vf.save().expect("save")), Some(50));
    }

    let now = 1_700_000_000u64;
    // As the app computes them: one batch, one stack wipe (secret::with_stack_wiped).
    let took = time(21, || {
        twofold_core::secret::with_stack_wiped(|| {
            accounts
                .iter()
                .map(|a| twofold_core::otp::code_at(a, now).expect("code"))
                .collect::<Vec<_>>()
        })
    });
    report(
        &format!("{ACCOUNTS} current codes (otp::code_at, one batch)"),
        took,
        Some(5),
    );
    // One by one, each wiping the stack after itself (what a single `code_at` call does).
    let took = time(21, || {
        accounts
            .iter()
            .map(|a| twofold_core::otp::code_at(a, now).expect("code"))
            .collect::<Vec<_>>()
    });
    report(
        &format!("{ACCOUNTS} current codes (otp::code_at, each wiped)"),
        took,
        None,
    );
}
