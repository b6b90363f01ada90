//! Test sandbox: a temp dir per test, with HOME, XDG dirs and the vault path inside it, and
//! the session bus pointed at nothing unless a test asks for the real one. Below it, what the
//! import, export and backup tests share: `../shared`, EXPECTED.md's V-set as `list --json`
//! shows it, and the commands they run.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The address that makes every Secret Service call fail fast.
pub const NO_BUS: &str = "unix:path=/nonexistent";

/// The Done-when URI (RFC 6238 SHA-1 secret, 8 digits).
pub const ACME_URI: &str =
    "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=8";

/// One test's private world.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    /// `Some(address)` to use instead of [`NO_BUS`]; `None` for no Secret Service.
    bus: Option<String>,
}

impl Sandbox {
    /// A sandbox with no Secret Service.
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
            bus: None,
        }
    }

    /// A sandbox that talks to the session bus of the test process (a real Secret Service).
    pub fn with_session_bus() -> Self {
        let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").expect(
            "DBUS_SESSION_BUS_ADDRESS is not set: this test needs a Secret Service \
             (run it through scripts/test.sh, which starts one)",
        );
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
            bus: Some(bus),
        }
    }

    /// The vault path every command uses.
    pub fn vault(&self) -> PathBuf {
        self.dir.path().join("data").join("vault.twofold")
    }

    /// Writes `text` to a file in the sandbox and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// `twofold-cli` with the sandbox environment and `--vault`.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_twofold-cli"));
        let home = self.dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("TWOFOLD_VAULT", self.vault())
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                self.bus.as_deref().unwrap_or(NO_BUS),
            )
            .timeout(std::time::Duration::from_secs(60));
        if let Some(rt) = std::env::var_os("XDG_RUNTIME_DIR") {
            c.env("XDG_RUNTIME_DIR", rt);
        }
        c
    }

    /// `cmd()` plus `--password-file` with `password`.
    pub fn with_password(&self, password: &str) -> Command {
        let f = self.file(&format!("pw-{}", password.len()), &format!("{password}\n"));
        let mut c = self.cmd();
        c.arg("--password-file").arg(f);
        c
    }
}

/// Stdout of a successful run as a string.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Stderr of a run as a string.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Asserts `out` failed with `code` and exactly one stderr line in the documented shape
/// that contains `needle`.
pub fn assert_one_line_error(out: &std::process::Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "expected one line, got: {err}");
    assert!(err.starts_with("twofold-cli: error: "), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
}

/// The files in `dir`, sorted, as names.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

// ---------------------------------------------------------------- import, export, backup

/// The vault password of the import, export and backup tests (never a backup's password).
pub const PW: &str = "vault password, not the backup's";

/// `../shared`, beside the repository: the interop export files of other apps
/// (`fixtures/interop/`, most of them GPL-3.0, see its EXPECTED.md) and the QR screenshot
/// corpus, read by path and never copied here (docs/reference/STYLE.md §8). Tests that read it are
/// `#[ignore]`d in a plain `cargo test`; scripts/test.sh runs them.
pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/");

/// The path of `../shared/<rel>`, which must exist: fails (never skips) naming what is
/// missing, before a command would report it less clearly.
pub fn shared(rel: &str) -> PathBuf {
    let path = PathBuf::from(format!("{SHARED}{rel}"));
    assert!(
        path.is_file(),
        "{} is missing. This test needs the shared test data checked out beside the \
         repository as ../shared (docs/reference/STYLE.md §8); scripts/test.sh runs it with \
         --include-ignored",
        path.display()
    );
    path
}

/// The interop export file `../shared/fixtures/interop/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    shared(&format!("fixtures/interop/{rel}"))
}

/// The Aegis test secret: V1 of EXPECTED.md (Deno, Mason), base32. Tests look for it where a
/// secret must not show.
pub const AEGIS_SECRET: &str = "4SJHB4GSD43FZBAI7C2HLRJGPQ";

/// One expected account: issuer, name, type, algorithm, digits, period, counter, secret.
pub type Expected = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    Option<u64>,
    Option<u64>,
    &'static str,
);

/// EXPECTED.md's V-set, rows V1–V7 (Aegis' `VaultEntries.java`).
pub const V: [Expected; 7] = [
    (
        "Deno",
        "Mason",
        "totp",
        "SHA1",
        6,
        Some(30),
        None,
        AEGIS_SECRET,
    ),
    (
        "SPDX",
        "James",
        "totp",
        "SHA256",
        7,
        Some(20),
        None,
        "5OM4WOOGPLQEF6UGN3CPEOOLWU",
    ),
    (
        "Airbnb",
        "Elijah",
        "totp",
        "SHA512",
        8,
        Some(50),
        None,
        "7ELGJSGXNCCTV3O6LKJWYFV2RA",
    ),
    (
        "Issuu",
        "James",
        "hotp",
        "SHA1",
        6,
        None,
        Some(1),
        "YOOMIXWS5GN6RTBPUFFWKTW5M4",
    ),
    (
        "Air Canada",
        "Benjamin",
        "hotp",
        "SHA256",
        7,
        None,
        Some(50),
        "KUVJJOM753IHTNDSZVCNKL7GII",
    ),
    (
        "WWE",
        "Mason",
        "hotp",
        "SHA512",
        8,
        None,
        Some(10300),
        "5VAML3X35THCEBVRLV24CGBKOY",
    ),
    (
        "Boeing",
        "Sophia",
        "steam",
        "SHA1",
        5,
        Some(30),
        None,
        "JRZCL47CMXVOQMNPZR2F7J4RGI",
    ),
];

/// `init` of a password vault with [`PW`].
pub fn init(s: &Sandbox) {
    let out = s.with_password(PW).arg("init").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Stdout of a run that must have succeeded.
pub fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        stderr(out)
    );
    stdout(out)
}

/// `list --json` of the vault.
pub fn list(s: &Sandbox) -> Vec<Value> {
    let out = s
        .with_password(PW)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(&ok(&out)).unwrap();
    v.as_array().unwrap().clone()
}

/// The secret of each account, by `issuer (name)`, read back through a plain URI export.
pub fn secrets(s: &Sandbox) -> Vec<(String, String)> {
    let out = s.dir.path().join(format!(
        "uris-{}.txt",
        EXPORTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let o = s
        .with_password(PW)
        .args(["export", "--format", "uris", "--yes", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    ok(&o);
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    text.lines()
        .filter(|l| l.starts_with("otpauth://"))
        .map(|l| {
            let secret = l
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("secret="))
                .unwrap_or_else(|| panic!("no secret in {l}"))
                .to_owned();
            (label_of_uri(l), secret)
        })
        .collect()
}

/// Numbers the URI exports of [`secrets`], so that no two share a file name.
static EXPORTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `issuer (name)` from an otpauth URI's `issuer=` and label (decoding `%20` and `+`).
pub fn label_of_uri(uri: &str) -> String {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    let rest = uri.split_once("://").unwrap().1;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let label = decode(path.split_once('/').unwrap().1);
    let issuer = query
        .split('&')
        .find_map(|p| p.strip_prefix("issuer="))
        .map(decode);
    let name = match label.split_once(':') {
        Some((_, n)) => n.trim().to_owned(),
        None => label.clone(),
    };
    let issuer = issuer.unwrap_or_else(|| {
        label
            .split_once(':')
            .map(|(i, _)| i.to_owned())
            .unwrap_or_default()
    });
    format!("{issuer} ({name})")
}

/// Asserts the vault holds exactly `expected` (any order), field by field, secrets included.
pub fn assert_accounts(s: &Sandbox, expected: &[Expected]) {
    let accounts = list(s);
    assert_eq!(
        accounts.len(),
        expected.len(),
        "{}",
        serde_json::to_string_pretty(&accounts).unwrap()
    );
    let secrets = secrets(s);
    for &(issuer, name, kind, alg, digits, period, counter, secret) in expected {
        let a = accounts
            .iter()
            .find(|a| a["issuer"] == issuer && a["account"] == name)
            .unwrap_or_else(|| panic!("no {issuer} ({name}) in {accounts:?}"));
        assert_eq!(a["type"], kind, "{issuer}");
        assert_eq!(a["algorithm"], alg, "{issuer}");
        assert_eq!(a["digits"], digits, "{issuer}");
        assert_eq!(a["period"].as_u64(), period, "{issuer}");
        assert_eq!(a["counter"].as_u64(), counter, "{issuer}");
        let label = format!("{issuer} ({name})");
        let got = secrets
            .iter()
            .find(|(l, _)| *l == label)
            .unwrap_or_else(|| panic!("no URI for {label} in {secrets:?}"));
        assert_eq!(got.1.trim_end_matches('='), secret, "{label}");
    }
}

/// `import FILE EXTRA…` into the vault.
pub fn import(s: &Sandbox, file: &Path, extra: &[&str]) -> std::process::Output {
    s.with_password(PW)
        .arg("import")
        .arg(file)
        .args(extra)
        .output()
        .unwrap()
}

/// [`import`] with `--json`, which must succeed.
pub fn import_json(s: &Sandbox, file: &Path, extra: &[&str]) -> Value {
    let out = import(s, file, &[extra, &["--json"]].concat());
    serde_json::from_str(&ok(&out)).unwrap()
}

/// V1–V7 ([`V`]) as an otpauth URI list in the file `v-set.txt` of the sandbox: accounts for
/// the tests whose subject is what happens after an import, so that they need no `../shared`.
pub fn v_set_uri_list(s: &Sandbox) -> PathBuf {
    let mut text = String::new();
    for (issuer, name, kind, algorithm, digits, period, counter, secret) in V {
        let issuer = issuer.replace(' ', "%20");
        text.push_str(&format!(
            "otpauth://{kind}/{issuer}:{name}?secret={secret}&issuer={issuer}\
             &algorithm={algorithm}&digits={digits}"
        ));
        if let Some(period) = period {
            text.push_str(&format!("&period={period}"));
        }
        if let Some(counter) = counter {
            text.push_str(&format!("&counter={counter}"));
        }
        text.push('\n');
    }
    s.file("v-set.txt", &text)
}

/// Runs `program args` on a pseudo-terminal through util-linux `script`, typing `typed`
/// into it, with the sandbox's environment. Panics if `script` or `program` is missing:
/// the suite needs them (`age` comes from scripts/setup.sh).
pub fn on_pty(
    s: &Sandbox,
    program: &Path,
    args: &[&std::ffi::OsStr],
    typed: &str,
) -> std::process::Output {
    use std::io::Write;
    let quote = |a: &std::ffi::OsStr| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''"));
    let mut line = quote(program.as_os_str());
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let home = s.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut child = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("TWOFOLD_VAULT", s.vault())
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) is needed to give a command a terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The `twofold-cli` binary under test.
pub fn cli_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_twofold-cli"))
}
