//! Integration tests for twofold-core (one binary, as in ripgrep).
mod backup;
// The bad-file kit: malformed vaults and backups, one table (security.md C6).
mod badfiles;
mod crash;
// Credential changes rotate the data key and revoke the old credential (issue 11).
mod credentials;
mod formats_a;
mod formats_b;
mod formats_c;
// Hostile import files refused before any KDF runs (issue 11).
mod import_limits;
// The fuzzers' crash inputs and seed corpus, replayed on stable (issue 6).
mod fuzz_regressions;
// Fault injection in the save path (feature `fault-injection`, on for these tests).
mod faults;
// Known-answer tests: Wycheproof AES-GCM and HKDF, RFC 5869, RFC 9106 (security.md C5).
mod kats;
mod migration;
mod oathtool;
mod otp_vectors;
mod uri;
mod vault;
// The OS keychain tests need the `os-keychain` feature (on by default).
#[cfg(feature = "os-keychain")]
mod keychain;
mod qr;
// Rollbacks reported, generations never overwritten (issue 11).
mod rollback;
// The accounts of the sample vaults (also used by examples/write_sample_vault.rs).
mod sample_accounts;
mod vault_fixture;
