//! Any file → `formats::import_any` with detection (issue 5/6): every importer is reached
//! through the path a dropped file takes, once without a password and once with `"test"`.
//! No input may panic; whatever imports must respect the entry limit and be writable as an
//! otpauth URI.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofold_core::formats::{self, MAX_ENTRIES};
use twofold_core::{uri, SecretString};

fuzz_target!(|data: &[u8]| {
    let password = SecretString::from("test");
    if let Ok(importer) = formats::detect(data) {
        let _ = importer.is_encrypted(data);
    }
    for pw in [None, Some(&password)] {
        if let Ok((_, imported)) = formats::import_any(data, None, pw, 0) {
            assert!(imported.accounts.len() + imported.skipped.len() <= 2 * MAX_ENTRIES);
            for a in &imported.accounts {
                let _ = uri::format(a);
            }
        }
    }
});
