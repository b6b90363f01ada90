//! Choosing files and folders: native choosers raised by Rust, whose paths reach the UI as
//! opaque tokens (`crate::native`; issue 11 item 4). Every command that reads or writes a
//! file the user picked takes such a token, never a path typed or made up by the page.

use tauri::State;

use crate::commands::bounded;
use crate::error::{IpcError, IpcResult};
use crate::native::{self, Access, Dialogs, PathTokens, Pick, PickedView};

/// Shows the native chooser for `purpose` and returns the chosen path's token, or `null` when
/// the user cancelled. Purposes: `importFile` (another app's export), `imageFile` (a QR image),
/// `backupFile` (a Twofold backup to verify), `exportFile` (where to write; `suggestedName` is
/// the file name offered), `backupFolder` (the automatic backups' folder). A token works only
/// for what its chooser chose: a file to read, a file to write or a folder (`native::Access`).
#[tauri::command]
pub async fn choose_path(
    dialogs: State<'_, Dialogs>,
    tokens: State<'_, PathTokens>,
    purpose: String,
    suggested_name: Option<String>,
) -> IpcResult<Option<PickedView>> {
    bounded("purpose", &purpose, 32)?;
    let name = suggested_name.unwrap_or_default();
    bounded("file name", &name, 255)?;
    let pick = match purpose.as_str() {
        "importFile" => Pick::OpenFile {
            title: "Import accounts from a file".into(),
        },
        "imageFile" => Pick::OpenFile {
            title: "Choose an image with a QR code".into(),
        },
        "backupFile" => Pick::OpenFile {
            title: "Choose a Twofold backup to verify".into(),
        },
        "exportFile" => Pick::SaveFile {
            title: "Export to".into(),
            // A name only: the folder is the user's to choose in the dialog.
            file_name: name.rsplit(['/', '\\']).next().unwrap_or("").to_owned(),
        },
        "backupFolder" => Pick::Folder {
            title: "Folder for automatic backups".into(),
        },
        other => {
            return Err(IpcError::invalid(format!(
                "unknown purpose {:?}",
                other.chars().take(32).collect::<String>()
            )))
        }
    };
    let access = Access::from(&pick);
    let d = dialogs.0.clone();
    let chosen = native::blocking(move || d.pick(&pick)).await?;
    Ok(chosen.map(|path| tokens.register(path, access)))
}
