//! trycmd cases in `tests/cmd/*.toml`: exact stdout, stderr and exit codes of stateless
//! commands (`generate`, usage and input errors), as rage does it.

#[test]
fn cmd_cases() {
    trycmd::TestCases::new()
        .register_bin(
            "twofold-cli",
            std::path::Path::new(env!("CARGO_BIN_EXE_twofold-cli")),
        )
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .case("tests/cmd/*.toml");
}
