//! Build script of the benchmark's hello app: tauri-build reads `tauri.conf.json` beside
//! `Cargo.toml` and prepares the context that `tauri::generate_context!` embeds.

fn main() {
    tauri_build::build();
}
