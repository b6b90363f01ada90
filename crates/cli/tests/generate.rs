//! `generate`: stateless codes from a URI, no vault, no keychain. Expected values come from
//! independent implementations, noted on each case.

use crate::util::{assert_one_line_error, stdout, Sandbox, ACME_URI};

fn generate(args: &[&str]) -> std::process::Output {
    let s = Sandbox::new();
    let out = s.cmd().arg("generate").args(args).output().unwrap();
    // Stateless: nothing was written anywhere in the sandbox's data dir.
    assert!(!s.vault().exists());
    out
}

#[test]
fn done_when_totp_sha1_8_digits_at_59() {
    // RFC 6238 Appendix B, T = 59, SHA-1.
    let out = generate(&["--uri", ACME_URI, "--at", "59"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "94287082\n");
}

#[test]
fn hotp_uses_the_uri_counter() {
    // `oathtool --hotp -c 5 3132333435363738393031323334353637383930` → 254676.
    let uri = "otpauth://hotp/Test:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=5";
    let out = generate(&["--uri", uri]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "254676\n");
    // `oathtool --hotp -c 7 -d 8 …` → 82162583; --next moves from counter 6 to 7.
    let uri8 = "otpauth://hotp/Test:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=6&digits=8";
    let out = generate(&["--uri", uri8, "--next"]);
    assert_eq!(stdout(&out), "82162583\n");
}

#[test]
fn steam_code_matches_python_reference() {
    // Python: HMAC-SHA1(secret, t // 30), RFC 4226 dynamic truncation, then five symbols
    // from "23456789BCDFGHJKMNPQRTVWXY" taking v % 26, v //= 26 → R87JJ at 1700000000.
    let uri = "otpauth://steam/Steam:gaben?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let out = generate(&["--uri", uri, "--at", "1700000000"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "R87JJ\n");
}

#[test]
fn totp_sha256_seven_digits_sixty_seconds() {
    // `oathtool --totp=sha256 -d 7 -s 60 -N @1700000000 <32-byte RFC 6238 seed>` → 7076628.
    let uri = "otpauth://totp/X:y?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA\
               &algorithm=SHA256&digits=7&period=60";
    let out = generate(&["--uri", uri, "--at", "1700000000"]);
    assert_eq!(stdout(&out), "7076628\n");
}

#[test]
fn uri_from_standard_input() {
    let s = Sandbox::new();
    let out = s
        .cmd()
        .args(["generate", "--uri", "-", "--at", "59"])
        .write_stdin(format!("{ACME_URI}\n"))
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "94287082\n");
}

#[test]
fn invalid_uri_is_one_line_usage_error() {
    let out = generate(&["--uri", "otpauth://totp/x?secret=not*base32"]);
    assert_one_line_error(&out, 2, "invalid otpauth URI");
    let out = generate(&["--uri", "https://example.com/"]);
    assert_one_line_error(&out, 2, "invalid otpauth URI");
}
