//! Test sandbox: a temp dir per test, with HOME, XDG dirs and the vault path inside it, and
//! the session bus pointed at nothing unless a test asks for the real one.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

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
