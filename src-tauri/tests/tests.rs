//! The desktop app's integration tests, through Tauri's mock runtime with the real config
//! and capability: IPC leak walk over every command ([`ipc_leak`]), auto-lock and changes made
//! by the CLI while the app is open ([`watch`]), the security configuration ([`config`]).

mod config;
mod credentials;
mod import;
mod ipc_leak;
mod native;
// The harness every file drives the app with.
mod util;
mod watch;
