//! The global shortcut (default Ctrl+Shift+K): shows and focuses the window and tells the UI
//! to focus the search box ("focus-search"). Registration can fail (another program holds
//! the keys, no X server): that is reported and the app carries on.

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcut, Shortcut, ShortcutState};

/// The plugin, with the handler every registered shortcut triggers.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                crate::show_main(app);
                let _ = app.emit("focus-search", ());
            }
        })
        .build()
}

/// Checks that `text` is a shortcut the plugin understands (`CommandOrControl+Shift+K`).
///
/// # Errors
/// A message naming the text and the parser's complaint.
pub fn check(text: &str) -> Result<(), String> {
    text.parse::<Shortcut>()
        .map(|_| ())
        .map_err(|e| format!("cannot use {text:?} as a shortcut: {e}"))
}

/// Registers `text` if the plugin is present; failures are logged.
pub fn register<R: Runtime>(app: &AppHandle<R>, text: Option<&str>) {
    let (Some(text), Some(plugin)) = (text, app.try_state::<GlobalShortcut<R>>()) else {
        return;
    };
    if let Err(e) = plugin.register(text) {
        eprintln!("twofold: cannot register the global shortcut {text:?}: {e}");
    }
}

/// Swaps the registered shortcut `old` for `new`.
///
/// # Errors
/// When `new` does not parse (registration failures are only logged).
pub fn replace<R: Runtime>(
    app: &AppHandle<R>,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), String> {
    if let Some(new) = new {
        check(new)?;
    }
    if let (Some(old), Some(plugin)) = (old, app.try_state::<GlobalShortcut<R>>()) {
        let _ = plugin.unregister(old);
    }
    register(app, new);
    Ok(())
}
