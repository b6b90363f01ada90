//! The `twofold` binary: starts the desktop app defined in the `twofold_app` library.

// Release builds on Windows get no console window behind the app; debug builds keep it for logs.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Every heap block is wiped when it is freed, so that no copy of a secret (a decrypted
/// payload, an IPC response that showed a secret on request, a string a library copied) stays
/// in freed memory after use or after locking (security.md D5; KeePassXC scrubs freed memory
/// the same way).
#[global_allocator]
static ALLOC: zalloc::ZeroizingAlloc<std::alloc::System> =
    zalloc::ZeroizingAlloc(std::alloc::System);

fn main() {
    // First, before any thread: glibc's and WebKit's allocators wipe freed memory too.
    twofold_app::hardening::restart_with_wiping_malloc();
    twofold_app::run();
}
