//! The Twofold desktop app: the Tauri shell around `twofold-core` (issue 3).
//!
//! This crate owns the window, the IPC commands (`commands/`, the contract in
//! docs/ipc.md), the managed state (`state.rs`), the clipboard owner (`clipboard.rs`),
//! the tray, the global shortcut, auto-lock and the watch for CLI changes (`watch.rs`). Every
//! piece of logic (codes, URIs, QR, the vault, the keychain) lives in `twofold-core`
//! (docs/reference/STYLE.md §1, §5).
//!
//! The window, the CSP and the bundle are declared in `tauri.conf.json` beside the root
//! `Cargo.toml`; what the page may call is granted in `capabilities/main.json`, and
//! `src-tauri/build.rs` lists every command for that file's allowlist.

pub mod clipboard;
pub mod commands;
pub mod error;
pub mod hardening;
pub mod native;
pub mod shortcut;
pub mod state;
pub mod tray;
pub mod views;
pub mod watch;

use std::sync::{Arc, Mutex};

use tauri::{
    plugin::TauriPlugin, App, AppHandle, Builder, Context, Emitter, Manager, RunEvent, Runtime,
    Url, WindowEvent,
};

use crate::clipboard::{ArboardBackend, Clipboard};
use crate::state::{AppVault, VaultState};

/// Label of the one window, as declared in `tauri.conf.json` and granted in
/// `capabilities/main.json`.
pub const MAIN_WINDOW: &str = "main";

/// Every IPC command, as registered in [`build_app`], listed in `src-tauri/build.rs` and
/// granted in `capabilities/main.json` (a unit test keeps the three in step).
pub const COMMANDS: &[&str] = &[
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

/// What the app runs with: the state, the clipboard owner, and whether to start the desktop
/// integrations (tray, global shortcut, watcher), which tests leave off.
pub struct Services {
    /// The vault state.
    pub vault: AppVault,
    /// The clipboard thread.
    pub clipboard: Clipboard,
    /// Start the tray, the global shortcut and the watcher thread.
    pub desktop: bool,
    /// Native dialogs: `None` for the real ones (made once the app exists), a script in tests.
    pub dialogs: Option<Arc<dyn native::NativeDialogs>>,
}

impl Services {
    /// The real app's services: the default vault, the OS keychain, the system clipboard.
    pub fn from_env() -> Self {
        Services {
            vault: AppVault::from_env(),
            clipboard: Clipboard::spawn(ArboardBackend::default()),
            desktop: true,
            dialogs: None,
        }
    }

    /// Services for tests: the vault at `path` with keys in `store` (cheap Argon2id), the
    /// clipboard in `clipboard`, no tray, shortcut or watcher.
    pub fn for_tests(
        path: std::path::PathBuf,
        store: twofold_core::keychain::MemoryKeyStore,
        clipboard: clipboard::MemoryClipboard,
    ) -> Self {
        Services {
            vault: AppVault::for_tests(path, store),
            clipboard: Clipboard::spawn(clipboard),
            desktop: false,
            dialogs: Some(Arc::new(native::ScriptedDialogs::default())),
        }
    }

    /// These services with `dialogs` answering the native confirmations and choosers.
    pub fn with_dialogs(mut self, dialogs: Arc<dyn native::NativeDialogs>) -> Self {
        self.dialogs = Some(dialogs);
        self
    }
}

/// Starts the desktop app with the real runtime and the embedded config and assets, and
/// returns when it quits.
///
/// A start-up failure (no display, no WebKitGTK) is printed and ends the process with
/// status 1: there is no window to report it in.
pub fn run() {
    // GTK aborts without a display; say so plainly instead (Linux and the BSDs only: other
    // platforms always have one).
    if cfg!(all(unix, not(target_os = "macos")))
        && !has_display(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
    {
        eprintln!(
            "twofold: no display: set DISPLAY or WAYLAND_DISPLAY (headless: xvfb-run -a twofold)"
        );
        std::process::exit(1);
    }
    hardening::apply();
    // The single-instance plugin must come first: a second launch hands over and exits
    // before anything else starts.
    let builder = Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            show_main(app);
        }))
        .plugin(shortcut::plugin());
    if let Err(err) = run_app(builder, tauri::generate_context!(), Services::from_env()) {
        eprintln!("twofold: could not start the app: {err}");
        std::process::exit(1);
    }
}

/// Builds the app on `builder` with `context` and `services`, then runs its event loop until
/// the app quits. On exit the vault is locked and our clipboard content cleared.
///
/// Generic over the runtime so tests pass `tauri::test::mock_builder()` (as Tauri's
/// `examples/api` does).
///
/// # Errors
/// Returns the runtime's error when the app cannot be built, e.g. when its windows cannot be
/// created.
pub fn run_app<R: Runtime>(
    builder: Builder<R>,
    context: Context<R>,
    services: Services,
) -> tauri::Result<()> {
    build_app(builder, context, services)?.run(|app, event| {
        if let RunEvent::Exit = event {
            shutdown(app);
        }
    });
    Ok(())
}

/// Builds the app without running it: registers the plugins, state and commands, and creates
/// the windows declared in `tauri.conf.json`.
///
/// # Errors
/// Returns the runtime's error when the app or one of its windows cannot be created.
pub fn build_app<R: Runtime>(
    builder: Builder<R>,
    context: Context<R>,
    services: Services,
) -> tauri::Result<App<R>> {
    let desktop = services.desktop;
    // Scripted dialogs (tests) are managed now; the real ones need the app, made in setup.
    let builder = match services.dialogs {
        Some(d) => builder.manage(native::Dialogs(d)),
        None => builder,
    };
    builder
        .plugin(navigation_guard())
        .plugin(tauri_plugin_dialog::init())
        .manage::<VaultState>(Mutex::new(services.vault))
        .manage(services.clipboard)
        .manage(native::PathTokens::default())
        .manage(commands::camera::CameraScans::from_env())
        .invoke_handler(tauri::generate_handler![
            commands::vault::vault_status,
            commands::vault::create_vault,
            commands::vault::unlock,
            commands::vault::lock,
            commands::vault::set_password,
            commands::vault::regenerate_recovery_key,
            commands::vault::restore_newer_copy,
            commands::vault::keep_current_copy,
            commands::vault::activity,
            commands::files::choose_path,
            commands::accounts::list_accounts,
            commands::accounts::current_codes,
            commands::accounts::copy_code,
            commands::accounts::next_hotp,
            commands::accounts::update_account,
            commands::accounts::reorder_accounts,
            commands::accounts::delete_account,
            commands::accounts::undo_delete,
            commands::accounts::list_recovery_codes,
            commands::accounts::add_recovery_codes,
            commands::accounts::set_recovery_code_used,
            commands::accounts::reveal_secret,
            commands::import::scan_image_file,
            commands::import::scan_image_bytes,
            commands::import::scan_screen,
            commands::import::scan_clipboard,
            commands::camera::list_cameras,
            commands::camera::scan_camera,
            commands::camera::stop_camera,
            commands::import::parse_uri,
            commands::import::validate_manual,
            commands::import::add_manual,
            commands::import::confirm_import,
            commands::import::read_import_file,
            commands::import::confirm_file_import,
            commands::import::cancel_file_import,
            commands::backup::export_formats,
            commands::backup::password_strength,
            commands::backup::export_vault,
            commands::backup::show_transfer_qr,
            commands::backup::verify_backup,
            commands::auto_backup::auto_backup_status,
            commands::auto_backup::set_auto_backup_password,
            commands::auto_backup::set_auto_backup_folder,
            commands::auto_backup::backup_now,
            commands::settings::get_settings,
            commands::settings::set_settings,
        ])
        .on_window_event(|window, event| match event {
            WindowEvent::CloseRequested { api, .. } if window.label() == MAIN_WINDOW => {
                let to_tray = window
                    .try_state::<VaultState>()
                    .is_some_and(|v| state::lock(&v).settings.close_to_tray);
                if to_tray && window.app_handle().tray_by_id("main").is_some() {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
            WindowEvent::Focused(true) => watch::tick(window.app_handle(), true),
            // Files dropped on the window: the OS tells Rust the paths; the page only gets
            // tokens for them (native.rs).
            WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) => {
                if let Some(tokens) = window.try_state::<native::PathTokens>() {
                    let dropped: Vec<native::PickedView> = paths
                        .iter()
                        .take(16)
                        .map(|p| tokens.register(p.clone(), native::Access::Read))
                        .collect();
                    let _ = window.emit("files-dropped", dropped);
                }
            }
            _ => {}
        })
        .setup(move |app| {
            if app.try_state::<native::Dialogs>().is_none() {
                app.manage(native::Dialogs(Arc::new(native::TauriDialogs::new(
                    app.handle().clone(),
                ))));
            }
            if desktop {
                // Unlock with the keychain while the webview starts (state.rs).
                let handle = app.handle().clone();
                std::thread::spawn(move || {
                    let vault = handle.state::<VaultState>();
                    state::lock(&vault).unlock_at_start();
                });
                // Without a tray (no appindicator library) the app still runs.
                let tray =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tray::create(app)));
                match tray {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => eprintln!("twofold: no tray icon: {e}"),
                    Err(_) => eprintln!("twofold: no tray icon: the tray library failed"),
                }
                let (shortcut, minimised) = {
                    let vault = app.state::<VaultState>();
                    let s = state::lock(&vault);
                    (
                        s.settings.global_shortcut.clone(),
                        s.settings.start_minimised,
                    )
                };
                shortcut::register(app.handle(), shortcut.as_deref());
                if minimised && app.tray_by_id("main").is_some() {
                    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                        window.hide()?;
                    }
                }
                watch::spawn(app.handle().clone());
                commands::auto_backup::spawn_auto(app.handle().clone());
            }
            // The window keeps codes out of screenshots and screen shares where the OS supports
            // it (macOS, Windows): `contentProtected` in tauri.conf.json, for every build
            // (security.md D3; Proton Authenticator does the same).
            Ok(())
        })
        .build(context)
}

/// Whether an X11 or Wayland display is configured; `is_set` tells whether an environment
/// variable is set and non-empty.
fn has_display(is_set: impl Fn(&str) -> bool) -> bool {
    is_set("DISPLAY") || is_set("WAYLAND_DISPLAY")
}

/// Shows, unminimises and focuses the main window.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Locks, clears our clipboard content and exits.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    shutdown(app);
    app.exit(0);
}

/// What happens on the way out: the vault is wiped and our clipboard content cleared.
fn shutdown<R: Runtime>(app: &AppHandle<R>) {
    if let Some(vault) = app.try_state::<VaultState>() {
        state::lock(&vault).lock(None);
    }
    if let Some(clipboard) = app.try_state::<Clipboard>() {
        clipboard.clear_ours();
    }
}

/// Whether `url` is the app's own page, the only place a webview may navigate to.
///
/// Tauri serves the embedded ui/dist at `tauri://localhost` on Linux and macOS and at
/// `http(s)://tauri.localhost` on Windows; anything else (a link, a redirect, a script setting
/// `location`) would hand the IPC to a foreign page (security.md §6, CVE-2023-31134; T2).
pub fn is_app_url(url: &Url) -> bool {
    let host = url.host_str();
    let default_port = url.port().is_none();
    match url.scheme() {
        "tauri" => host == Some("localhost") && default_port,
        "http" | "https" => host == Some("tauri.localhost") && default_port,
        _ => false,
    }
}

/// A plugin whose only job is to refuse every navigation away from the app's page.
fn navigation_guard<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_webview, url| is_app_url(url))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::test::{mock_builder, mock_context, noop_assets};

    fn services() -> Services {
        let dir = std::env::temp_dir().join("twofold-app-lib-tests");
        Services::for_tests(
            dir.join("never-created.twofold"),
            twofold_core::keychain::MemoryKeyStore::new(),
            clipboard::MemoryClipboard::default(),
        )
    }

    /// `tauri.conf.json`, read from the source tree as the build reads it.
    fn config() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json");
        let text = std::fs::read_to_string(path).expect("tauri.conf.json is readable");
        serde_json::from_str(&text).expect("tauri.conf.json is JSON")
    }

    /// `capabilities/main.json`, read from the source tree.
    fn capability() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities/main.json");
        let text = std::fs::read_to_string(path).expect("capabilities/main.json is readable");
        serde_json::from_str(&text).expect("capabilities/main.json is JSON")
    }

    #[test]
    fn creates_the_main_window_declared_in_the_config() {
        let mut app = build_app(mock_builder(), tauri::generate_context!(), services())
            .expect("the app builds");
        // Windows and the setup hook run on the event loop's first turn. `run_iteration` takes
        // exactly one turn (a no-op loop under MockRuntime), where `run` would block until exit.
        #[allow(deprecated)]
        app.run_iteration(|_app, _event| {});
        let windows = app.webview_windows();
        assert_eq!(windows.keys().collect::<Vec<_>>(), [MAIN_WINDOW]);
        let declared = &app.config().app.windows;
        assert_eq!(declared.len(), 1);
        assert_eq!(declared[0].title, "Twofold");
        assert_eq!((declared[0].width, declared[0].height), (420.0, 640.0));
    }

    #[test]
    fn builds_without_windows_when_none_are_declared() {
        let app = build_app(mock_builder(), mock_context(noop_assets()), services())
            .expect("the app builds");
        assert!(app.webview_windows().is_empty());
    }

    #[test]
    fn needs_an_x11_or_wayland_display() {
        assert!(has_display(|name| name == "DISPLAY"));
        assert!(has_display(|name| name == "WAYLAND_DISPLAY"));
        assert!(!has_display(|_| false));
    }

    #[test]
    fn allows_navigation_only_within_the_app() {
        let url = |text: &str| Url::parse(text).expect("test URLs parse");
        for ok in [
            "tauri://localhost",
            "tauri://localhost/index.html",
            "http://tauri.localhost/",
            "https://tauri.localhost/assets/index.js",
        ] {
            assert!(is_app_url(&url(ok)), "{ok} should be allowed");
        }
        for denied in [
            "https://example.com/",
            "http://localhost:5173/",
            "http://tauri.localhost.evil.test/",
            "http://app.evil.com/",
            "tauri://localhost:8080/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,hi",
            "about:blank",
        ] {
            assert!(!is_app_url(&url(denied)), "{denied} should be denied");
        }
    }

    #[test]
    fn csp_allows_no_inline_code_and_no_remote_origins() {
        let config = config();
        let csp = config["app"]["security"]["csp"]
            .as_str()
            .expect("app.security.csp is a string");
        assert!(
            !csp.contains("unsafe-inline"),
            "csp allows inline code: {csp}"
        );
        assert!(!csp.contains("unsafe-eval"), "csp allows eval: {csp}");
        assert!(
            !csp.contains("https:") && !csp.contains('*'),
            "csp allows remote origins: {csp}"
        );
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "csp lacks {directive:?}: {csp}");
        }
        assert_eq!(config["app"]["security"]["freezePrototype"], true);
        assert_eq!(config["app"]["withGlobalTauri"], false);
    }

    #[test]
    fn page_is_embedded_not_loaded_from_a_dev_server() {
        let config = config();
        assert_eq!(config["build"]["frontendDist"], "ui/dist");
        assert!(
            config["build"].get("devUrl").is_none(),
            "a devUrl makes `cargo run` load a dev server instead of ui/dist"
        );
    }

    #[test]
    fn main_capability_grants_exactly_the_app_commands_and_no_dialogs() {
        let capability = capability();
        assert_eq!(capability["identifier"], "main");
        assert_eq!(capability["windows"], serde_json::json!([MAIN_WINDOW]));
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .expect("permissions is a list")
            .iter()
            .map(|p| p.as_str().expect("permissions are names"))
            .collect();
        // No dialog permission: choosers and confirmations are raised by Rust (native.rs), so
        // the page can neither invent a path nor answer a confirmation (issue 11 item 4).
        let mut expected = vec!["core:default"];
        let commands: Vec<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        expected.extend(commands.iter().map(String::as_str));
        assert_eq!(granted, expected);
        for p in &granted {
            for banned in ["dialog:", "fs:", "shell:", "http:", "*"] {
                assert!(!p.contains(banned), "capability grants {p}");
            }
        }
        assert!(capability.get("remote").is_none(), "no remote origins");
    }

    #[test]
    fn build_script_lists_every_command() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/build.rs");
        let text = std::fs::read_to_string(path).expect("build.rs is readable");
        let listed: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"'))
            .filter_map(|l| l.strip_suffix("\",").or_else(|| l.strip_suffix('"')))
            .collect();
        assert_eq!(listed, COMMANDS);
    }
}
