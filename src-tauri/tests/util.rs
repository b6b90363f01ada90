//! What the app's tests share: the [`Harness`] that drives the app through Tauri's IPC on the
//! mock runtime, and the readers of its responses.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};
use twofold_app::clipboard::MemoryClipboard;
use twofold_app::native::ScriptedDialogs;
use twofold_app::{build_app, Services};
use twofold_core::keychain::MemoryKeyStore;

/// A recorded call: the command, its response (Ok or Err, as JSON text), and which secrets
/// it may contain.
pub struct Call {
    pub cmd: String,
    pub response: String,
    pub allowed: BTreeSet<String>,
}

/// The app on Tauri's mock runtime with the real config and capability, a vault path in a
/// temporary folder, an in-memory keychain and clipboard, and scripted native dialogs.
pub struct Harness {
    pub app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    pub clipboard: MemoryClipboard,
    /// The native dialogs, scripted: queue answers and chosen paths, read what was shown.
    pub dialogs: Arc<ScriptedDialogs>,
    /// Every call made, in order (what [`Harness::call_allowing`] recorded).
    pub calls: Vec<Call>,
    pub dir: tempfile::TempDir,
}

impl Harness {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let clipboard = MemoryClipboard::default();
        let dialogs = Arc::new(ScriptedDialogs::default());
        let services = Services::for_tests(
            dir.path().join("vault.twofold"),
            MemoryKeyStore::new(),
            clipboard.clone(),
        )
        .with_dialogs(dialogs.clone());
        let app = build_app(mock_builder(), tauri::generate_context!(), services)
            .expect("the app builds");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("the main webview");
        Harness {
            app,
            webview,
            clipboard,
            dialogs,
            calls: Vec::new(),
            dir,
        }
    }

    /// `path` chosen in the native chooser for `purpose`: the token the UI would get.
    pub fn pick(&mut self, purpose: &str, path: &std::path::Path) -> String {
        self.dialogs.pick_next(path);
        let picked = self.ok(
            "choose_path",
            json!({ "purpose": purpose, "suggestedName": null }),
        );
        picked["token"].as_str().expect("a token").to_owned()
    }

    /// Calls `cmd` through the IPC, recording the call and which secrets its response may hold.
    pub fn call_allowing(
        &mut self,
        cmd: &str,
        args: Value,
        allowed: &[&str],
    ) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        let response = get_ipc_response(&self.webview, request)
            .map(|b| b.deserialize::<Value>().expect("json response"));
        self.calls.push(Call {
            cmd: cmd.to_owned(),
            response: serde_json::to_string(&response).expect("serializes"),
            allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
        });
        response
    }

    pub fn call(&mut self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.call_allowing(cmd, args, &[])
    }

    pub fn ok(&mut self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => v,
            Err(e) => panic!("{cmd} failed: {e}"),
        }
    }

    pub fn err_kind(&mut self, cmd: &str, args: Value) -> String {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} succeeded unexpectedly: {v}"),
            Err(e) => e["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("{cmd}: error is not {{kind, message}}: {e}"))
                .to_owned(),
        }
    }
}

/// The candidate tokens of a scan or parse response.
pub fn tokens(scan: &Value) -> Vec<String> {
    scan["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["token"].as_str().expect("token").to_owned())
        .collect()
}

/// The id of the account with this issuer in a `list_accounts` response.
pub fn id_of(accounts: &Value, issuer: &str) -> String {
    accounts
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["issuer"] == issuer)
        .unwrap_or_else(|| panic!("no account {issuer} in {accounts}"))["id"]
        .as_str()
        .expect("id")
        .to_owned()
}
