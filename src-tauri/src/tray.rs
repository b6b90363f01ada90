//! The tray icon: show/hide the window, lock, quit (issue 3).
//!
//! On Linux the tray goes through libayatana-appindicator, loaded at run time; where it is
//! missing the app runs without a tray rather than not at all.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{App, AppHandle, Manager, Runtime};

use crate::watch;

/// Adds the tray icon and its menu.
///
/// # Errors
/// When the menu or the icon cannot be created.
pub fn create<R: Runtime>(app: &App<R>) -> tauri::Result<()> {
    let toggle = MenuItem::with_id(app, "toggle", "Show/Hide Twofold", true, None::<&str>)?;
    let lock = MenuItem::with_id(app, "lock", "Lock", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&toggle, &lock, &quit])?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip("Twofold")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "toggle" => toggle_main(app),
            "lock" => watch::lock_now(app, "locked from the tray"),
            "quit" => crate::quit(app),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                toggle_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

/// Hides the main window if it is visible, else shows and focuses it.
fn toggle_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) {
        if window.is_visible().unwrap_or(false) {
            let _ = window.hide();
        } else {
            crate::show_main(app);
        }
    }
}
