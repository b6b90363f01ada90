//! Vault file bytes → the header and framing parser (`vault::format::parse`, docs/vault.md
//! §2–§3). Parse only: no key derivation or decryption, which the fuzzer could not get past. A
//! header that parses must encode back to the bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofold_core::vault::format;

fuzz_target!(|data: &[u8]| {
    let _ = format::check_magic_and_version(data);
    if let Ok(parsed) = format::parse(data) {
        assert_eq!(
            parsed.header.encode_prefix(),
            parsed.aad,
            "a parsed header must re-encode to its own bytes"
        );
    }
});
