//! Integration tests for twofold-core (one binary, as in ripgrep).
mod crash;
mod migration;
mod oathtool;
mod otp_vectors;
mod uri;
mod vault;
// The OS keychain tests need the `os-keychain` feature (on by default).
#[cfg(feature = "os-keychain")]
mod keychain;
mod qr;
mod vault_fixture;
mod backup;
mod formats_a;
mod formats_b;
