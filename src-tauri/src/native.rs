//! What only Rust shows: native confirmations and file choosers (issue 11 item 4;
//! docs/reference/STYLE.md §11, "the webview is untrusted"), and the opaque tokens that stand for
//! the paths they return.
//!
//! An action that lets a secret leave the vault (an export, the automatic backups' password
//! and folder, showing a secret, its QR codes or the recovery codes) is confirmed in a native
//! dialog raised here, which names the action and where it goes; script in the webview cannot
//! click it. Paths never come from the webview as free text: a native chooser (or a file
//! dropped on the window, which the OS reports to Rust) yields a path that is kept here and
//! handed to the UI as a random token with a display name; commands take the token.
//!
//! The dialogs sit behind [`NativeDialogs`] so that the app's tests script them (no display
//! there). The end-to-end suite drives the real window, where a native dialog cannot be clicked
//! through WebDriver: builds with the `e2e-seam` feature (scripts/e2e.sh only; never the
//! packaged build, which `tests/tools/check-deb.sh` proves by looking for the seam's variable
//! in the installed binary) read the answers from files in `$TWOFOLD_E2E_DIALOGS` and log every
//! confirmation there, so the suite can check what the dialog said.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::error::{IpcError, IpcResult};

/// Which native chooser to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// An existing file to read.
    OpenFile {
        /// The chooser's title.
        title: String,
    },
    /// A file to write, with a suggested name.
    SaveFile {
        /// The chooser's title.
        title: String,
        /// The suggested file name.
        file_name: String,
    },
    /// A folder.
    Folder {
        /// The chooser's title.
        title: String,
    },
}

/// Native dialogs: the real ones, or a script in tests.
pub trait NativeDialogs: Send + Sync {
    /// Asks the user to confirm `message` (with `title`); `action` labels the confirming
    /// button. `true` only when the user confirmed. Blocks until answered.
    fn confirm(&self, title: &str, message: &str, action: &str) -> bool;
    /// Shows a chooser; `None` when the user cancelled. Blocks until answered.
    fn pick(&self, pick: &Pick) -> Option<PathBuf>;
}

/// The dialogs in the app's managed state.
#[derive(Clone)]
pub struct Dialogs(pub Arc<dyn NativeDialogs>);

/// The real dialogs, through the dialog plugin on the app's main thread.
pub struct TauriDialogs<R: tauri::Runtime> {
    app: tauri::AppHandle<R>,
}

impl<R: tauri::Runtime> TauriDialogs<R> {
    /// Dialogs of `app`'s main window.
    pub fn new(app: tauri::AppHandle<R>) -> Self {
        TauriDialogs { app }
    }
}

impl<R: tauri::Runtime> NativeDialogs for TauriDialogs<R> {
    fn confirm(&self, title: &str, message: &str, action: &str) -> bool {
        #[cfg(feature = "e2e-seam")]
        if let Some(answer) = e2e_seam::confirm(title, message) {
            return answer;
        }
        use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
        self.app
            .dialog()
            .message(message)
            .title(title)
            .kind(MessageDialogKind::Warning)
            .buttons(MessageDialogButtons::OkCancelCustom(
                action.to_owned(),
                "Cancel".to_owned(),
            ))
            .blocking_show()
    }

    fn pick(&self, pick: &Pick) -> Option<PathBuf> {
        #[cfg(feature = "e2e-seam")]
        if let Some(path) = e2e_seam::pick() {
            return path;
        }
        use tauri_plugin_dialog::DialogExt;
        let chooser = self.app.dialog().file();
        let chosen = match pick {
            Pick::OpenFile { title } => chooser.set_title(title).blocking_pick_file(),
            Pick::SaveFile { title, file_name } => chooser
                .set_title(title)
                .set_file_name(file_name)
                .blocking_save_file(),
            Pick::Folder { title } => chooser.set_title(title).blocking_pick_folder(),
        };
        chosen.and_then(|p| p.into_path().ok())
    }
}

/// The end-to-end suite's stand-in for a person at the native dialogs (feature `e2e-seam`,
/// which only scripts/e2e.sh turns on).
#[cfg(feature = "e2e-seam")]
mod e2e_seam {
    use std::io::Write as _;
    use std::path::PathBuf;

    fn dir() -> Option<PathBuf> {
        std::env::var_os("TWOFOLD_E2E_DIALOGS").map(PathBuf::from)
    }

    /// Logs the confirmation to `confirmed.log` and answers from the file `answer` (removed
    /// once read; `no` declines), else yes.
    pub fn confirm(title: &str, message: &str) -> Option<bool> {
        let dir = dir()?;
        if let Ok(mut log) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("confirmed.log"))
        {
            let _ = writeln!(log, "{title}\t{}", message.replace('\n', " "));
        }
        let answer = std::fs::read_to_string(dir.join("answer")).ok();
        let _ = std::fs::remove_file(dir.join("answer"));
        Some(answer.is_none_or(|a| a.trim() != "no"))
    }

    /// The path in the file `pick` (removed once read); `Some(None)` (cancelled) when there
    /// is none.
    pub fn pick() -> Option<Option<PathBuf>> {
        let dir = dir()?;
        let path = std::fs::read_to_string(dir.join("pick")).ok();
        let _ = std::fs::remove_file(dir.join("pick"));
        Some(path.map(|p| PathBuf::from(p.trim_end_matches('\n'))))
    }
}

/// Scripted dialogs for the app's tests: confirmations are answered from a queue (yes when
/// it is empty) and logged; choosers return queued paths (cancelled when empty).
#[derive(Default)]
pub struct ScriptedDialogs {
    answers: Mutex<VecDeque<bool>>,
    picks: Mutex<VecDeque<PathBuf>>,
    log: Mutex<Vec<String>>,
}

impl ScriptedDialogs {
    /// The next confirmation gets `answer`.
    pub fn answer(&self, answer: bool) {
        lock(&self.answers).push_back(answer);
    }
    /// The next chooser returns `path`.
    pub fn pick_next(&self, path: impl Into<PathBuf>) {
        lock(&self.picks).push_back(path.into());
    }
    /// Every confirmation shown so far: `title: message`.
    pub fn shown(&self) -> Vec<String> {
        lock(&self.log).clone()
    }
}

impl NativeDialogs for ScriptedDialogs {
    fn confirm(&self, title: &str, message: &str, _action: &str) -> bool {
        lock(&self.log).push(format!("{title}: {message}"));
        lock(&self.answers).pop_front().unwrap_or(true)
    }
    fn pick(&self, _pick: &Pick) -> Option<PathBuf> {
        lock(&self.picks).pop_front()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A path chosen in a native chooser or dropped on the window, as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickedView {
    /// Opaque; commands take it instead of a path.
    pub token: String,
    /// The file or folder name, to show.
    pub name: String,
    /// The full path, to show (the user chose it; it holds no secret).
    pub path: String,
}

/// Most tokens kept: old ones are forgotten first.
const MAX_TOKENS: usize = 64;

/// What a token may be used for: what the user chose it as. A file chosen to be read (or
/// dropped on the window) cannot become the destination of an export, and an export's
/// destination cannot be read back through an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An existing file to read: chosen in an open chooser or dropped on the window.
    Read,
    /// A file to write: chosen in a save chooser.
    Write,
    /// A folder: chosen in a folder chooser.
    Folder,
}

impl From<&Pick> for Access {
    fn from(pick: &Pick) -> Self {
        match pick {
            Pick::OpenFile { .. } => Access::Read,
            Pick::SaveFile { .. } => Access::Write,
            Pick::Folder { .. } => Access::Folder,
        }
    }
}

/// Each token's path and what it was chosen for, and the tokens oldest first.
type TokenTable = (HashMap<String, (PathBuf, Access)>, VecDeque<String>);

/// The paths behind the tokens handed to the UI, each with what it was chosen for.
#[derive(Default)]
pub struct PathTokens(Mutex<TokenTable>);

impl PathTokens {
    /// Registers `path`, chosen for `access`, and describes it for the UI.
    pub fn register(&self, path: PathBuf, access: Access) -> PickedView {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let view = PickedView {
            token: token.clone(),
            name: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            path: path.display().to_string(),
        };
        let mut g = lock(&self.0);
        if g.1.len() >= MAX_TOKENS {
            if let Some(old) = g.1.pop_front() {
                g.0.remove(&old);
            }
        }
        g.0.insert(token.clone(), (path, access));
        g.1.push_back(token);
        view
    }

    /// The path behind `token`, which must have been chosen for `access`.
    ///
    /// # Errors
    /// [`IpcError::InvalidInput`] for a token this app did not hand out (a path typed or made
    /// up by the page is not accepted), or one chosen for something else.
    pub fn path(&self, what: &str, token: &str, access: Access) -> IpcResult<PathBuf> {
        if token.len() > 64 {
            return Err(IpcError::invalid(format!("choose the {what} again")));
        }
        match lock(&self.0).0.get(token) {
            Some((path, a)) if *a == access => Ok(path.clone()),
            Some(_) => Err(IpcError::invalid(format!(
                "that file was chosen for something else: choose the {what} again"
            ))),
            None => Err(IpcError::invalid(format!(
                "choose the {what} with the button or drop it on the window"
            ))),
        }
    }
}

/// Runs a blocking dialog off the async runtime's threads.
///
/// # Errors
/// [`IpcError::Internal`] if the dialog thread stopped.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::internal(format!("the dialog stopped: {e}")))
}

/// Asks `dialogs` to confirm, off the async threads; `Err(Cancelled)` when declined.
///
/// # Errors
/// [`IpcError::Cancelled`] when the user said no.
pub async fn confirm(
    dialogs: &Dialogs,
    title: &str,
    message: String,
    action: &str,
) -> IpcResult<()> {
    let d = dialogs.0.clone();
    let (title, action) = (title.to_owned(), action.to_owned());
    let yes = blocking(move || d.confirm(&title, &message, &action)).await?;
    if yes {
        Ok(())
    } else {
        Err(IpcError::Cancelled(
            "cancelled: nothing left the vault".into(),
        ))
    }
}

/// A display form of `path` for a dialog message.
pub fn shown(path: &Path) -> String {
    path.display().to_string()
}
