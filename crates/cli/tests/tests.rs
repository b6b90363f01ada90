//! CLI end-to-end tests: the real `twofold-cli` binary, each test in its own temp dir with
//! HOME, XDG_DATA_HOME and the vault path pointing there (never the user's data dir).
//!
//! A plain `cargo test` needs nothing outside this repository. Tests that need `../shared`
//! (interop exports, the QR corpus), the `age` binary, a Secret Service or an X display are
//! `#[ignore]`d with the reason; scripts/test.sh runs them with `--include-ignored`, and there
//! they fail, never skip, when what they need is missing.

// Secrets given on the command line are warned about; `-` reads them from stdin (issue 11).
mod argv_secrets;
// `backup verify`, backup passwords on a terminal, the `age` binary.
mod backup;
// `code --copy` under Xvfb, read back with xclip.
mod clipboard;
// trycmd cases in tests/cmd/*.toml.
mod cmd;
// Two CLI processes editing one vault at once (security.md S4).
mod concurrency;
// Credential changes revoke the old credential; rollbacks are warned about (issue 11).
mod credentials;
// `export`: backups, Aegis vaults, plain files, Google QR PNGs.
mod export;
mod generate;
// `import` of other apps' files (../shared/fixtures/interop), duplicates.
mod import;
// With a real Secret Service.
mod keychain;
mod no_keychain;
// `scan`: image files, the clipboard, the screen.
mod scan;
// The sandbox, and what the import, export and backup tests share.
mod util;
