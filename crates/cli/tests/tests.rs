//! CLI end-to-end tests: the real `twofold-cli` binary, each test in its own temp dir with
//! HOME, XDG_DATA_HOME and the vault path pointing there (never the user's data dir).

// Secrets given on the command line are warned about; `-` reads them from stdin (issue 11).
mod argv_secrets;
mod clipboard;
mod cmd;
// Two CLI processes editing one vault at once (security.md S4).
mod concurrency;
// Credential changes revoke the old credential; rollbacks are warned about (issue 11).
mod credentials;
mod generate;
mod keychain;
mod no_keychain;
mod scan;
mod transfer;
mod util;
