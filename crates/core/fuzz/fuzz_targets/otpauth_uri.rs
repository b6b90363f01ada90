//! Text → `uri::parse` (formats.md §1). A URI that parses must survive `uri::format` and parse
//! again to the same OTP parameters and secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofold_core::uri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(account) = uri::parse(text, 0) else {
        return;
    };
    let written = uri::format(&account);
    let again = uri::parse(written.expose(), 0).expect("a URI we wrote must parse");
    assert_eq!(again.secret, account.secret);
    assert_eq!(again.kind, account.kind);
    assert_eq!(again.algorithm, account.algorithm);
    assert_eq!(again.digits, account.digits);
});
