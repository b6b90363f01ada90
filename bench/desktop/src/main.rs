//! A bare Tauri 2 window showing a one-line page: the baseline that
//! `scripts/bench-desktop.sh` compares Twofold's start-up time and memory with (issue 3).
//! No plugins, no commands, no state: only what every Tauri app pays for.

// No console window on Windows release builds, as create-tauri-app does.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(err) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("twofold-bench-hello: could not start: {err}");
        std::process::exit(1);
    }
}
