//! One importer, chosen by the first byte, on the rest of the input (issue 6): every
//! importer in `formats::IMPORTERS` is fuzzed directly, even on input its detection would
//! not claim. `detect`, `is_encrypted` and `import` (without a password and with `"test"`)
//! must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofold_core::formats::{IMPORTERS, MAX_ENTRIES};
use twofold_core::{uri, SecretString};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let importer = IMPORTERS[usize::from(pick) % IMPORTERS.len()];
    let _ = importer.detect(input);
    let _ = importer.is_encrypted(input);
    let password = SecretString::from("test");
    for pw in [None, Some(&password)] {
        if let Ok(imported) = importer.import(input, pw, 0) {
            assert!(imported.accounts.len() + imported.skipped.len() <= 2 * MAX_ENTRIES);
            for a in &imported.accounts {
                let _ = uri::format(a);
            }
        }
    }
});
