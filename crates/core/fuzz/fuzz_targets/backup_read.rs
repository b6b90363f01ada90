//! Twofold backups (issue 5, docs/backup.md): the first byte picks the layer. Odd: the rest is
//! the backup JSON document → `backup::from_json`. Even: the rest is an age file →
//! `backup::decrypt` with the password `"test"`, and what decrypts goes on to `from_json`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofold_core::{backup, SecretString};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        if let Ok(imported) = backup::from_json(rest, 0) {
            // What was read must write back and read again to as many accounts.
            let again = backup::from_json(&backup::to_json(&imported.accounts, 0), 0)
                .expect("a backup we wrote must read back");
            assert_eq!(again.accounts.len(), imported.accounts.len());
        }
    } else if let Ok(plain) = backup::decrypt(rest, &SecretString::from("test")) {
        let _ = backup::from_json(&plain, 0);
    }
});
