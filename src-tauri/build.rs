//! Build script of the desktop app: tauri-build reads `tauri.conf.json` and `capabilities/`
//! beside the root `Cargo.toml`, checks them and prepares the context that
//! `tauri::generate_context!` embeds (config, icons, ui/dist).
//!
//! Every IPC command is listed here (docs/reference/STYLE.md §5, security.md T3): tauri-build then
//! generates one `allow-<command>` permission per command, and only the commands that
//! `capabilities/main.json` grants by name can be called from the page. Keep this list, the
//! `generate_handler!` in `src-tauri/src/lib.rs` (`twofold_app::COMMANDS`) and the capability
//! in step; a unit test checks all three.

const COMMANDS: &[&str] = &[
    "vault_status",
    "create_vault",
    "unlock",
    "lock",
    "set_password",
    "regenerate_recovery_key",
    "restore_newer_copy",
    "keep_current_copy",
    "activity",
    "choose_path",
    "list_accounts",
    "current_codes",
    "copy_code",
    "next_hotp",
    "update_account",
    "reorder_accounts",
    "delete_account",
    "undo_delete",
    "list_recovery_codes",
    "add_recovery_codes",
    "set_recovery_code_used",
    "reveal_secret",
    "scan_image_file",
    "scan_image_bytes",
    "scan_screen",
    "scan_clipboard",
    "list_cameras",
    "scan_camera",
    "stop_camera",
    "parse_uri",
    "validate_manual",
    "add_manual",
    "confirm_import",
    "read_import_file",
    "confirm_file_import",
    "cancel_file_import",
    "export_formats",
    "password_strength",
    "export_vault",
    "show_transfer_qr",
    "verify_backup",
    "auto_backup_status",
    "set_auto_backup_password",
    "set_auto_backup_folder",
    "backup_now",
    "get_settings",
    "set_settings",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        // A build script reports by failing; the message names the broken file.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
