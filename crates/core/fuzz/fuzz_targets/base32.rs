//! Text → `SecretBytes::from_base32` (lenient RFC 4648 §6, formats.md §1). What decodes must
//! encode to canonical base32 that decodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofold_core::SecretBytes;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(secret) = SecretBytes::from_base32(text) {
        let canonical = secret.to_base32();
        let again = SecretBytes::from_base32(canonical.expose()).expect("canonical base32 decodes");
        assert_eq!(again, secret);
    }
});
