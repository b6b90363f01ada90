//! Writes a sample vault of the current format version, with the accounts of
//! `crates/core/tests/sample_accounts.rs`, for `tests/fixtures/vault/` (see the README there).
//! Run only when the format version changes:
//! `cargo run -p twofold-core --example write_sample_vault -- tests/fixtures/vault/sample-v<N>.twofold`
//! It refuses to replace an existing file, and prints the recovery key.

use std::path::PathBuf;

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{CreateOptions, KdfParams, VaultFile};

#[path = "../tests/sample_accounts.rs"]
mod sample_accounts;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .ok_or("usage: write_sample_vault <new file>")?
        .into();
    let opts = CreateOptions {
        keychain: false,
        password: Some(sample_accounts::PASSWORD.into()),
        keychain_and_password: false,
        // The read floor, so that opening the sample in tests is fast.
        kdf: KdfParams::MINIMUM,
    };
    let (mut vf, recovery_key) = VaultFile::create(
        &path,
        opts,
        &MemoryKeyStore::new(),
        sample_accounts::CREATED_AT,
    )?;
    for account in sample_accounts::expected_accounts() {
        vf.vault_mut().add(account)?;
    }
    vf.save()?;
    drop(vf);
    // Only the vault itself is the sample: not the first generation or the lock file.
    for (generation, _) in VaultFile::generations(&path)? {
        std::fs::remove_file(generation)?;
    }
    let mut lock = path.clone().into_os_string();
    lock.push(".lock");
    let _ = std::fs::remove_file(lock);
    println!("wrote {}", path.display());
    println!("recovery key: {}", recovery_key.expose());
    Ok(())
}
