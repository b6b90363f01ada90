//! The Tauri security configuration, checked as files (security.md §6, T2, D3): `tauri.conf.json`,
//! every `capabilities/*.json` and the app's `tauri` dependency line in `Cargo.toml`.
//!
//! [`problems`] lists everything that would widen the WebView's reach: a wildcard, a remote or
//! plain-http origin or an unsafe keyword in the CSP (any directive), missing lock-down
//! directives, a dev-only CSP, Tauri's CSP modification turned off, inline capabilities, a
//! capability with `remote` URLs or a wildcard, a permission on the file system, the shell, HTTP
//! or processes, the Tauri 1 key `dangerousRemoteDomainIpcAccess`, `withGlobalTauri`, devtools
//! (window flag or cargo feature), a dev server URL, a window loading a remote page, a missing
//! `freezePrototype`, and a window without `contentProtected` (effective on macOS and Windows;
//! no-op on Linux). The tests run it on the real files (no problem may be found) and on mutated
//! copies (each mutation must be reported), so the checker itself cannot rot into a no-op.

use serde_json::{json, Value};

/// The repository root (where `tauri.conf.json` sits beside the app's `Cargo.toml`).
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What a CSP source may be, per directive; anything else is a problem.
fn allowed_source(directive: &str, source: &str) -> bool {
    match source {
        "'self'" | "'none'" => true,
        // Images: the QR previews and brand icons are made in the page.
        "data:" | "blob:" => directive == "img-src",
        // Tauri's IPC: the custom protocol, and its Windows/Android spelling.
        "ipc:" | "http://ipc.localhost" => directive == "connect-src",
        _ => false,
    }
}

/// Directives the CSP must contain with exactly these sources.
const REQUIRED: &[(&str, &str)] = &[
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("object-src", "'none'"),
    ("frame-src", "'none'"),
    ("base-uri", "'none'"),
    ("form-action", "'none'"),
];

/// Permission prefixes no capability may grant: they reach outside the app's own commands.
const BANNED_PERMISSIONS: &[&str] = &[
    "fs:",
    "shell:",
    "http:",
    "process:",
    "opener:",
    "updater:",
    "websocket:",
    "upload:",
    // The page must not open file dialogs itself: it would get free paths back. Rust raises
    // them and hands out tokens (src-tauri/src/native.rs; issue 11 item 4).
    "dialog:",
];

/// Every problem with a CSP string, as readable sentences.
fn csp_problems(what: &str, csp: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for directive in csp.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let mut words = directive.split_ascii_whitespace();
        let Some(name) = words.next() else { continue };
        let sources: Vec<&str> = words.collect();
        for source in &sources {
            if !allowed_source(name, source) {
                out.push(format!("{what}: {name} allows {source}"));
            }
        }
        seen.push((name.to_owned(), sources.join(" ")));
    }
    for (name, sources) in REQUIRED {
        if !seen.iter().any(|(n, s)| n == name && s == sources) {
            out.push(format!("{what}: lacks `{name} {sources}`"));
        }
    }
    if !seen.iter().any(|(n, _)| n == "connect-src") {
        out.push(format!(
            "{what}: lacks connect-src (default-src would be the only limit on fetch)"
        ));
    }
    out
}

/// Collects the path of every object key named `key`, anywhere in `value`.
fn find_key(value: &Value, key: &str, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{path}.{k}");
                if k == key {
                    out.push(here.clone());
                }
                find_key(v, key, &here, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_key(v, key, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Collects every string value (with its path) that names a remote or wildcard origin:
/// a URL with a network scheme, or a `*`. `$schema` keys and `skip` paths are left out.
fn remote_strings(value: &Value, path: &str, skip: &[&str], out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{path}.{k}");
                if k != "$schema" && !skip.contains(&here.as_str()) {
                    remote_strings(v, &here, skip, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                remote_strings(v, &format!("{path}[{i}]"), skip, out);
            }
        }
        Value::String(s) => {
            let lower = s.to_ascii_lowercase();
            let network = ["http://", "https://", "ws://", "wss://", "ftp://"]
                .iter()
                .any(|scheme| lower.contains(scheme));
            if network || s.contains('*') {
                out.push(format!("{path} = {s:?}"));
            }
        }
        _ => {}
    }
}

/// Whether `value` is absent, `null` or `false`.
fn off(value: &Value) -> bool {
    value.is_null() || *value == Value::Bool(false)
}

/// Every problem in `config` (tauri.conf.json), `capabilities` (file name, JSON) and the
/// `cargo_toml` text of the app.
fn problems(config: &Value, capabilities: &[(String, Value)], cargo_toml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let app = &config["app"];
    let security = &app["security"];

    match security["csp"].as_str() {
        Some(csp) => out.extend(csp_problems("app.security.csp", csp)),
        None => out.push("app.security.csp is not set: Tauri enforces no CSP then".into()),
    }
    if !security["devCsp"].is_null() {
        out.push("app.security.devCsp is set: debug builds would run another policy".into());
    }
    if !off(&security["dangerousDisableAssetCspModification"]) {
        out.push(
            "app.security.dangerousDisableAssetCspModification is on: no nonces or hashes".into(),
        );
    }
    if security["freezePrototype"] != Value::Bool(true) {
        out.push("app.security.freezePrototype is not true".into());
    }
    if !off(&security["assetProtocol"]["enable"]) {
        out.push("app.security.assetProtocol is enabled: the page could read files".into());
    }
    if security["capabilities"]
        .as_array()
        .is_some_and(|c| !c.is_empty())
    {
        out.push(
            "app.security.capabilities is inline: capabilities belong in capabilities/".into(),
        );
    }
    if !security["headers"].is_null() {
        out.push("app.security.headers is set: review it and this test".into());
    }
    if !(security["pattern"].is_null() || security["pattern"]["use"] == "brownfield") {
        out.push("app.security.pattern changed: review it and this test".into());
    }
    if app["withGlobalTauri"] != Value::Bool(false) {
        out.push(
            "app.withGlobalTauri is not false: every script would see window.__TAURI__".into(),
        );
    }

    let windows = app["windows"].as_array().cloned().unwrap_or_default();
    if windows.is_empty() {
        out.push("app.windows declares no window".into());
    }
    for (i, window) in windows.iter().enumerate() {
        let at = format!("app.windows[{i}]");
        if window["contentProtected"] != Value::Bool(true) {
            out.push(format!("{at}.contentProtected is not true"));
        }
        if !off(&window["devtools"]) {
            out.push(format!("{at}.devtools is on"));
        }
        if let Some(url) = window["url"].as_str() {
            if url.contains(':') {
                out.push(format!("{at}.url {url:?} is not a page of the app"));
            }
        }
        if !window["proxyUrl"].is_null() {
            out.push(format!("{at}.proxyUrl is set"));
        }
    }

    let build = &config["build"];
    if !build["devUrl"].is_null() {
        out.push("build.devUrl is set: the page would come from a server".into());
    }
    match build["frontendDist"].as_str() {
        Some(dist) if !dist.contains(':') => {}
        _ => out.push("build.frontendDist is not a local folder".into()),
    }
    if config["plugins"].as_object().is_some_and(|p| !p.is_empty()) {
        out.push("plugins has configuration: review its scopes and this test".into());
    }

    let mut dangerous = Vec::new();
    find_key(
        config,
        "dangerousRemoteDomainIpcAccess",
        "tauri.conf.json",
        &mut dangerous,
    );
    let mut remote = Vec::new();
    // The CSP's own IPC origin is judged by `csp_problems`.
    remote_strings(
        config,
        "tauri.conf.json",
        &["tauri.conf.json.app.security.csp"],
        &mut remote,
    );

    for (name, capability) in capabilities {
        let at = format!("capabilities/{name}");
        if !capability["remote"].is_null() {
            out.push(format!("{at} has remote URLs: remote pages would get IPC"));
        }
        if !off(&capability["local"]) && capability["local"] != Value::Bool(true) {
            out.push(format!("{at}.local is not a boolean"));
        }
        find_key(
            capability,
            "dangerousRemoteDomainIpcAccess",
            &at,
            &mut dangerous,
        );
        remote_strings(capability, &at, &[], &mut remote);
        let permissions = capability["permissions"].as_array().cloned();
        for permission in permissions.unwrap_or_default() {
            let id = permission
                .as_str()
                .or_else(|| permission["identifier"].as_str())
                .unwrap_or_default()
                .to_owned();
            if let Some(banned) = BANNED_PERMISSIONS.iter().find(|b| id.starts_with(**b)) {
                out.push(format!(
                    "{at} grants {id} ({banned} reaches outside the app)"
                ));
            }
            if id.ends_with(":default") && id != "core:default" {
                out.push(format!("{at} grants {id}: name each permission instead"));
            }
            if !permission["allow"].is_null() || !permission["deny"].is_null() {
                out.push(format!("{at} gives {id} a scope: review it and this test"));
            }
        }
    }
    for path in dangerous {
        out.push(format!("{path} exists (remote pages would get IPC)"));
    }
    for found in remote {
        out.push(format!("remote or wildcard origin: {found}"));
    }

    for line in cargo_toml.lines() {
        let line = line.trim_start();
        if line.starts_with("tauri ") || line.starts_with("tauri=") {
            if line.contains("devtools") {
                out.push(format!("Cargo.toml turns on tauri's devtools: {line}"));
            }
            if line.contains("isolation") {
                out.push(format!(
                    "Cargo.toml changed the pattern: review this test: {line}"
                ));
            }
        }
    }
    out
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn real_config() -> Value {
    read_json(&format!("{ROOT}/tauri.conf.json"))
}

fn real_capabilities() -> Vec<(String, Value)> {
    let dir = format!("{ROOT}/capabilities");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.expect("capabilities/ lists").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 file names")
            .to_owned();
        assert!(
            path.extension().is_some_and(|e| e == "json"),
            "capabilities/{name}: only JSON capability files are checked here"
        );
        out.push((name, read_json(path.to_str().expect("UTF-8 path"))));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn real_cargo_toml() -> String {
    std::fs::read_to_string(format!("{ROOT}/Cargo.toml")).expect("Cargo.toml is readable")
}

/// The problems after `mutate` changed a copy of the real configuration.
fn problems_after(mutate: impl FnOnce(&mut Value, &mut Vec<(String, Value)>)) -> Vec<String> {
    let mut config = real_config();
    let mut capabilities = real_capabilities();
    mutate(&mut config, &mut capabilities);
    problems(&config, &capabilities, &real_cargo_toml())
}

/// A change to a copy of tauri.conf.json.
type Mutation = fn(&mut Value);

fn set_csp(config: &mut Value, csp: &str) {
    config["app"]["security"]["csp"] = json!(csp);
}

#[test]
fn the_real_configuration_has_no_problem() {
    let capabilities = real_capabilities();
    assert!(
        capabilities.iter().any(|(n, _)| n == "main.json"),
        "capabilities/main.json is among the files checked"
    );
    let found = problems(&real_config(), &capabilities, &real_cargo_toml());
    assert!(found.is_empty(), "problems:\n{}", found.join("\n"));
}

#[test]
fn the_main_window_is_content_protected_and_has_no_devtools() {
    let config = real_config();
    let main = &config["app"]["windows"][0];
    assert_eq!(main["label"], "main");
    assert_eq!(main["contentProtected"], true);
    assert!(off(&main["devtools"]));
}

#[test]
fn a_remote_or_wildcard_csp_source_is_reported() {
    let base = real_config()["app"]["security"]["csp"]
        .as_str()
        .expect("csp is a string")
        .to_owned();
    for (from, to, expect) in [
        (
            "connect-src ipc:",
            "connect-src https://example.com ipc:",
            "connect-src allows https://example.com",
        ),
        (
            "connect-src ipc:",
            "connect-src * ipc:",
            "connect-src allows *",
        ),
        (
            "connect-src ipc:",
            "connect-src https: ipc:",
            "connect-src allows https:",
        ),
        (
            "connect-src ipc:",
            "connect-src wss://x.test ipc:",
            "allows wss://x.test",
        ),
        (
            "img-src 'self'",
            "img-src 'self' https://cdn.test",
            "img-src allows https://cdn.test",
        ),
        (
            "script-src 'self'",
            "script-src 'self' 'unsafe-inline'",
            "allows 'unsafe-inline'",
        ),
        (
            "script-src 'self'",
            "script-src 'self' 'unsafe-eval'",
            "allows 'unsafe-eval'",
        ),
        (
            "style-src 'self'",
            "style-src 'self' *.test",
            "style-src allows *.test",
        ),
        (
            "frame-src 'none'",
            "frame-src 'self'",
            "lacks `frame-src 'none'`",
        ),
        ("object-src 'none'; ", "", "lacks `object-src 'none'`"),
        (
            "img-src 'self' data: blob:",
            "img-src 'self' data: blob: http:",
            "img-src allows http:",
        ),
    ] {
        assert!(base.contains(from), "the real csp contains {from:?}");
        let csp = base.replace(from, to);
        let found = problems_after(|c, _| set_csp(c, &csp));
        assert!(
            found.iter().any(|p| p.contains(expect)),
            "{csp:?} should be reported with {expect:?}; got {found:?}"
        );
    }
    // data: is for images only.
    let found = problems_after(|c, _| {
        set_csp(
            c,
            &base.replace("script-src 'self'", "script-src 'self' data:"),
        )
    });
    assert!(
        found.iter().any(|p| p.contains("script-src allows data:")),
        "{found:?}"
    );
}

#[test]
fn a_missing_csp_or_a_dev_csp_is_reported() {
    let found = problems_after(|c, _| c["app"]["security"]["csp"] = Value::Null);
    assert!(
        found.iter().any(|p| p.contains("csp is not set")),
        "{found:?}"
    );
    let found = problems_after(|c, _| c["app"]["security"]["devCsp"] = json!("default-src *"));
    assert!(found.iter().any(|p| p.contains("devCsp")), "{found:?}");
    let found = problems_after(|c, _| {
        c["app"]["security"]["dangerousDisableAssetCspModification"] = json!(true)
    });
    assert!(found.iter().any(|p| p.contains("no nonces")), "{found:?}");
}

#[test]
fn global_tauri_devtools_prototype_and_protection_changes_are_reported() {
    let cases: [(&str, Mutation); 7] = [
        ("withGlobalTauri", |c| {
            c["app"]["withGlobalTauri"] = json!(true)
        }),
        ("freezePrototype", |c| {
            c["app"]["security"]
                .as_object_mut()
                .expect("security is an object")
                .remove("freezePrototype");
        }),
        ("devtools is on", |c| {
            c["app"]["windows"][0]["devtools"] = json!(true)
        }),
        ("contentProtected", |c| {
            c["app"]["windows"][0]
                .as_object_mut()
                .expect("the window is an object")
                .remove("contentProtected");
        }),
        ("not a page of the app", |c| {
            c["app"]["windows"][0]["url"] = json!("https://example.com/")
        }),
        ("build.devUrl", |c| {
            c["build"]["devUrl"] = json!("http://localhost:5173")
        }),
        ("assetProtocol", |c| {
            c["app"]["security"]["assetProtocol"] = json!({"enable": true, "scope": ["**"]})
        }),
    ];
    for (expect, mutate) in cases {
        let found = problems_after(|c, _| mutate(c));
        assert!(
            found.iter().any(|p| p.contains(expect)),
            "a change of {expect} should be reported; got {found:?}"
        );
    }
    let cargo = real_cargo_toml().replace(
        "tauri = { version = \"2.12\", features = [\"tray-icon\"] }",
        "tauri = { version = \"2.12\", features = [\"tray-icon\", \"devtools\"] }",
    );
    assert_ne!(cargo, real_cargo_toml(), "the app's tauri line was found");
    let found = problems(&real_config(), &real_capabilities(), &cargo);
    assert!(found.iter().any(|p| p.contains("devtools")), "{found:?}");
}

#[test]
fn remote_capabilities_and_wide_permissions_are_reported() {
    let found = problems_after(|_, caps| {
        caps[0].1["remote"] = json!({"urls": ["https://*.example.com"]});
    });
    assert!(
        found.iter().any(|p| p.contains("has remote URLs")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("https://*.example.com")),
        "{found:?}"
    );

    let found = problems_after(|c, _| {
        c["app"]["security"]["dangerousRemoteDomainIpcAccess"] =
            json!([{"domain": "example.com", "windows": ["main"]}]);
    });
    assert!(
        found
            .iter()
            .any(|p| p.contains("dangerousRemoteDomainIpcAccess")),
        "{found:?}"
    );

    for permission in [
        json!("fs:default"),
        json!("shell:allow-execute"),
        json!("dialog:allow-open"),
        json!("http:default"),
        json!({"identifier": "http:default", "allow": [{"url": "https://*"}]}),
    ] {
        let shown = permission.to_string();
        let found = problems_after(|_, caps| {
            caps[0].1["permissions"]
                .as_array_mut()
                .expect("permissions is a list")
                .push(permission);
        });
        assert!(
            found.iter().any(|p| p.contains("grants")),
            "{shown}: {found:?}"
        );
    }

    let found = problems_after(|_, caps| caps[0].1["windows"] = json!(["*"]));
    assert!(found.iter().any(|p| p.contains("wildcard")), "{found:?}");

    let found = problems_after(|c, _| {
        c["app"]["security"]["capabilities"] = json!([{"identifier": "x", "permissions": []}])
    });
    assert!(found.iter().any(|p| p.contains("inline")), "{found:?}");
}
