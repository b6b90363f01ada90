//! Google Authenticator transfer URIs → `migration::decode` (formats.md §2). The first byte
//! picks the input: odd, the rest is the whole URI as text; even, the rest is the protobuf
//! payload, wrapped as `otpauth-migration://offline?data=<base64>` so the fuzzer reaches the
//! protobuf decoder directly. Every converted account must be writable as an otpauth URI.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use twofold_core::{migration, uri};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = if mode & 1 == 1 {
        match std::str::from_utf8(rest) {
            Ok(t) => t.to_owned(),
            Err(_) => return,
        }
    } else {
        let b64 = base64::engine::general_purpose::STANDARD.encode(rest);
        let escaped = b64
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        format!("otpauth-migration://offline?data={escaped}")
    };
    if let Ok(batch) = migration::decode(&text, 0) {
        for a in &batch.accounts {
            let _ = uri::format(a);
        }
    }
});
