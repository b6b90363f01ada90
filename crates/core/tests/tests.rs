//! Integration tests for twofold-core (one binary, as in ripgrep).
//!
//! A plain `cargo test` needs nothing outside this repository. Tests that need `../shared`
//! (interop exports, RFC vectors, the QR corpus), the `age` or `oathtool` binaries, the Python
//! test venv or a Secret Service are `#[ignore]`d with the reason; scripts/test.sh runs them
//! with `--include-ignored`, and there they fail, never skip, when what they need is missing.

// Helpers every file shares: ../shared, EXPECTED.md's V-set, vaults, generators, seeds.
mod util;

// Twofold backups: the JSON document, age encryption, the `age` binary.
mod backup;
// The restore drill, automatic backups, the auto-backup password in the vault.
mod backup_restore;
// The bad-file kit: malformed vaults and backups, one table (security.md C6).
mod badfiles;
// SIGKILL during saves and two writers at once (security.md S1, S4).
mod crash;
// Credential changes rotate the data key and revoke the old credential (issue 11).
mod credentials;
// Which importer claims which file.
mod detection;
// Exports read back by the importers (property tests).
mod export;
// Fault injection in the save path (feature `fault-injection`, on for these tests).
mod faults;
// The fuzzers' crash inputs and seed corpus, replayed on stable (issue 6).
mod fuzz_regressions;
// Importers, one file per family, against ../shared/fixtures/interop (issue 5).
mod import_2fas;
mod import_aegis;
mod import_andotp;
mod import_bitwarden;
mod import_freeotp;
mod import_google;
mod import_proton;
mod import_steam;
mod import_stratum;
mod import_uris;
// Damaged and hostile files through the importers.
mod import_damaged;
// Hostile import files refused before any KDF runs (issue 11).
mod import_limits;
// Exports checked by independent implementations (Python `cryptography`, zxing-cpp).
mod interop_tools;
// Known-answer tests: Wycheproof AES-GCM and HKDF, RFC 5869, RFC 9106 (security.md C5).
mod kats;
// The OS keychain tests need the `os-keychain` feature (on by default).
#[cfg(feature = "os-keychain")]
mod keychain;
// Merging imported accounts into the vault.
mod merge;
// Google Authenticator transfer payloads: real exports and a round trip.
mod migration;
// `otp` against the oathtool binary.
mod oathtool;
// RFC 4226 / 6238 vectors and Steam Guard codes.
mod otp_vectors;
// QR decoding: the screenshot corpus, round trips, hostile images.
mod qr;
// Rollbacks reported, generations never overwritten (issue 11).
mod rollback;
// The accounts of the sample vaults (also used by examples/write_sample_vault.rs).
mod sample_accounts;
// otpauth URIs: real lists and a round trip.
// Conflict copies a sync tool leaves beside the vault (issue 13).
mod sync_copies;
mod uri;
// The vault file: round trips and slots.
mod vault;
// The checked-in sample vaults, one per format version.
mod vault_fixture;
// Other writers, change detection and generations.
mod vault_generations;
// Tampering, truncation and strict parsing.
mod vault_tampering;
