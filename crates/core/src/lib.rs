//! twofold-core: everything Twofold knows, with no UI and no Tauri.
//!
//! - [`otp`]: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes, as pure functions of a
//!   secret and a time or counter. Only front ends read the clock.
//! - [`uri`]: `otpauth://` key URIs, parsed leniently like real apps and written strictly
//!   (`docs/reference/formats.md` §1).
//! - [`migration`]: Google Authenticator's `otpauth-migration://offline?data=` transfer
//!   payloads (formats.md §2).
//! - [`vault`]: the encrypted, versioned vault file (`docs/vault.md`), its key slots and its
//!   crash-safe write path.
//! - [`qr`]: QR codes in screenshots, clipboard images and screen captures → payload texts, and
//!   payloads → QR images (issue 4).
//! - `capture` (feature `capture`): the screen and the clipboard as QR sources.
//! - [`formats`]: other apps' export files in and out (issue 5), with detection by content.
//! - [`keychain`]: where the keychain slot keeps its key: the OS keychain, or memory in tests.
//! - [`intake`], [`merge`], [`recovery`], [`strength`], [`fsio`]: the rules both front ends
//!   share (issue 10 §2): pasted/scanned/typed/file input → accounts, merging them in,
//!   recovery codes, password strength, private atomic writes.
//!
//! Secrets live in [`secret::SecretBytes`], which zeroizes on drop, redacts itself in `Debug`
//! and does not implement `Serialize`.
#![deny(rustdoc::broken_intra_doc_links)]
#![forbid(unsafe_code)]

pub mod account;
pub mod backup;
#[cfg(feature = "camera")]
pub mod camera;
#[cfg(feature = "capture")]
pub mod capture;
pub mod error;
pub mod formats;
pub mod fsio;
pub mod intake;
pub mod keychain;
pub mod merge;
pub mod migration;
pub mod otp;
pub mod qr;
pub mod recovery;
pub mod scanner;
pub mod secret;
pub mod strength;
pub mod sync;
pub mod uri;
pub mod vault;

pub use account::{Account, AccountId, Algorithm, Digits, Kind, Period, RecoveryCode};
pub use error::{Error, Result};
pub use secret::{SecretBytes, SecretString};
