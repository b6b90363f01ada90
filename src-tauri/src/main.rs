//! The `twofold` binary: starts the desktop app defined in the `twofold_app` library.

// Release builds on Windows get no console window behind the app; debug builds keep it for logs.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    twofold_app::run();
}
