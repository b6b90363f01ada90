//! Hostile import files are refused before any key derivation runs (issue 11 item 3): an
//! Aegis file may carry any number of password slots, each within bounds, and a wrong password
//! tries them all. Twofold refuses more than four password slots, `r·p` above 64, and a file
//! whose slots together ask for more scrypt work than a few seconds' worth, before the first
//! scrypt. The other importers with a KDF have one derivation per file with a bounded cost.

use std::time::Instant;

use twofold_core::formats::{self, aegis, FormatError};
use twofold_core::SecretString;

/// An encrypted Aegis file with `count` password slots of these scrypt parameters (and a
/// garbage database: the import must stop before it matters).
fn aegis_with_slots(count: usize, n: u64, r: u64, p: u64) -> Vec<u8> {
    let slot = format!(
        r#"{{"type":1,"key":"{k}","key_params":{{"nonce":"{nonce}","tag":"{tag}"}},"n":{n},"r":{r},"p":{p},"salt":"{salt}"}}"#,
        k = "ab".repeat(32),
        nonce = "cd".repeat(12),
        tag = "ef".repeat(16),
        salt = "01".repeat(32),
    );
    let mut out = String::with_capacity(count * (slot.len() + 1) + 256);
    out.push_str(r#"{"version":1,"header":{"slots":["#);
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&slot);
    }
    out.push_str(&format!(
        r#"],"params":{{"nonce":"{}","tag":"{}"}}}},"db":"AAAA"}}"#,
        "cd".repeat(12),
        "ef".repeat(16)
    ));
    out.into_bytes()
}

fn import(file: &[u8]) -> Result<formats::Imported, FormatError> {
    formats::importer("aegis")
        .expect("aegis is registered")
        .import(file, Some(&SecretString::from("wrong password")), 0)
}

#[test]
fn hostile_aegis_slot_lists_are_refused_before_any_kdf() {
    // See: issue 11 item 3. "Maximal": the largest slot each per-slot bound allows
    // (N = 2^20, r = 8 so that 128·N·r is 1 GiB, p = 8 so that r·p is 64).
    let (n, r, p) = (1 << 20, 8, 8);
    for count in [3, 50, 99_000] {
        let file = aegis_with_slots(count, n, r, p);
        assert!(
            file.len() <= formats::MAX_FILE_BYTES,
            "{count}: {} bytes",
            file.len()
        );
        let start = Instant::now();
        let err = import(&file).expect_err("refused");
        assert!(
            matches!(err, FormatError::Limit { .. }),
            "{count} slots: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("password slots") || text.contains("scrypt work"),
            "{text}"
        );
        // Not a timing assertion (speed is a benchmark's job): the figure for the record.
        eprintln!(
            "figure: hostile Aegis file with {count} maximal slots ({} bytes) refused in {:.0} ms",
            file.len(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    // r·p above 64 is refused for one slot alone.
    let err = import(&aegis_with_slots(1, 1 << 10, 16, 8)).expect_err("refused");
    assert!(err.to_string().contains("r·p is 128"), "{err}");
    // Five cheap slots: more than Aegis ever writes.
    let err = import(&aegis_with_slots(5, 1 << 10, 8, 1)).expect_err("refused");
    assert!(
        err.to_string().contains("more than 4 password slots"),
        "{err}"
    );
    // Two slots as Aegis writes them are tried (and the wrong password reported).
    let err = import(&aegis_with_slots(2, 1 << 15, 8, 1)).expect_err("wrong password");
    assert!(matches!(err, FormatError::WrongPassword { .. }), "{err:?}");
    assert_eq!(aegis::MAX_PASSWORD_SLOTS, 4);
}
