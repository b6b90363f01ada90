//! The Steam importer (`formats::steam`, issue 5): the Steam app's current and old files from
//! `../shared/fixtures/interop/aegis/importers/` and an SDA `.maFile` import to V7 of
//! EXPECTED.md under the issuer "Steam"; truncated files give errors, never a panic.

use twofold_core::formats;

use crate::util::{assert_account, fixture, import_detected, v, Expected, NOW};

/// EXPECTED.md: V7 with issuer "Steam".
fn steam_v7() -> Expected {
    Expected {
        issuer: "Steam".into(),
        ..v(7)
    }
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn steam_json_current_and_old() {
    for file in ["steam.json", "steam_old.json"] {
        let input = fixture(&format!("aegis/importers/{file}"));
        let steam = formats::importer("steam").unwrap();
        assert!(!steam.is_encrypted(&input).unwrap(), "{file}");
        let imported = import_detected(&input, "steam", None);
        assert_eq!(imported.accounts.len(), 1, "{file}");
        let a = &imported.accounts[0];
        assert_account(a, &steam_v7(), file);
    }
}

#[test]
fn steam_mafile() {
    // An SDA .maFile: the flat fields plus a session object.
    let mafile = br#"{"shared_secret":"THIl8+Jl6ugxr8x0X6eRMg==","serial_number":"1","revocation_code":"R1","uri":"otpauth://totp/Steam:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Steam","server_time":0,"account_name":"Sophia","token_gid":"1","identity_secret":"AAAA","secret_1":"AAAA","status":1,"device_id":"android:x","fully_enrolled":true,"Session":{"SessionID":"x","SteamID":7656}}"#;
    let imported = import_detected(mafile, "steam", None);
    assert_account(&imported.accounts[0], &steam_v7(), "maFile");
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn steam_truncations_are_errors() {
    let steam = formats::importer("steam").unwrap();
    let file = fixture("aegis/importers/steam.json");
    // Without the final newline: the rest of the file is still the whole JSON.
    let input = file.trim_ascii_end();
    for len in 0..input.len() {
        assert!(
            steam.import(&input[..len], None, NOW).is_err(),
            "prefix {len}"
        );
        // Detection on a damaged file must not claim it (or panic).
        let _ = formats::detect(&input[..len]);
    }
}
