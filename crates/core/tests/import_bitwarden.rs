//! The Bitwarden importer (`formats::bitwarden`, issue 5): the JSON and CSV exports from
//! `../shared/fixtures/interop/aegis/importers/` import to V1–V3 and the Steam account of
//! EXPECTED.md.

use crate::util::{check, v, Expected};

fn bitwarden_expected() -> Vec<Expected> {
    let steam = Expected {
        issuer: "Steam".into(),
        name: "Steam account".into(),
        ..v(7)
    };
    vec![v(1), v(2), v(3), steam]
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn bitwarden_json() {
    check(
        "bitwarden",
        "aegis/importers/bitwarden.json",
        None,
        &bitwarden_expected(),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures/interop; run by scripts/test.sh"]
fn bitwarden_csv() {
    check(
        "bitwarden",
        "aegis/importers/bitwarden.csv",
        None,
        &bitwarden_expected(),
    );
}
