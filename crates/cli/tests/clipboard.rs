//! `code --copy` against a real X server (Xvfb) and `xclip` as the reader: the code is on the
//! clipboard with the history-exclusion marker, and the holder clears it when its time is up.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::util::{stderr, stdout, Sandbox, ACME_URI};

/// A private X server, killed on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Self {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "640x480x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is not installed: this test needs it (scripts/setup.sh installs xvfb)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let n = line.trim();
        assert!(!n.is_empty(), "Xvfb did not report a display");
        Xvfb {
            child,
            display: format!(":{n}"),
        }
    }

    /// The clipboard as `xclip` reads it (`target` = MIME type or TARGETS), or `None`.
    fn read(&self, target: &str) -> Option<String> {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", target])
            .env("DISPLAY", &self.display)
            .output()
            .expect("xclip is not installed: this test needs it (scripts/setup.sh installs it)");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long the holder keeps the code in [`holder_marks_the_code_and_clears_it_when_time_is_up`]:
/// long enough for a loaded machine to start `xclip` a few times while the code is there.
const HOLD: Duration = Duration::from_secs(6);

#[test]
#[ignore = "needs Xvfb and xclip; run by scripts/test.sh"]
fn holder_marks_the_code_and_clears_it_when_time_is_up() {
    let x = Xvfb::start();
    let mut holder = Command::new(env!("CARGO_BIN_EXE_twofold-cli"))
        .args(["__hold-clipboard", &HOLD.as_secs().to_string()])
        .env("DISPLAY", &x.display)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    let mut stdin = holder.stdin.take().unwrap();
    stdin.write_all(b"424242").unwrap();
    drop(stdin);

    // The holder takes the clipboard once it has read its input: wait for that (the code
    // stays for HOLD), rather than for a fixed time a busy machine may overrun.
    let start = Instant::now();
    let mut seen = None;
    while start.elapsed() < HOLD && seen.is_none() {
        seen = x.read("UTF8_STRING").filter(|s| !s.is_empty());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(seen.as_deref(), Some("424242"));
    let targets = x.read("TARGETS").unwrap();
    assert!(targets.contains("x-kde-passwordManagerHint"), "{targets}");

    // Time is up after HOLD: the holder clears the clipboard and exits.
    let status = loop {
        if let Some(status) = holder.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < HOLD + Duration::from_secs(8),
            "holder still running"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success());
    assert_ne!(x.read("UTF8_STRING").as_deref(), Some("424242"));
}

#[test]
#[ignore = "needs Xvfb and xclip; run by scripts/test.sh"]
fn code_copy_puts_the_code_on_the_clipboard_and_not_on_stdout() {
    let x = Xvfb::start();
    let s = Sandbox::new();
    let pw = s.file("pw", "pw\n");
    let run = |args: &[&str]| {
        s.cmd()
            .env("DISPLAY", &x.display)
            .arg("--password-file")
            .arg(&pw)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["init"]).status.success());
    assert!(run(&["add", "--uri", ACME_URI]).status.success());
    let out = run(&["code", "acme", "--copy"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("copied the code for ACME (alice)"));

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expected: Vec<String> = [now, now - 30]
        .iter()
        .map(|t| {
            let o = s
                .cmd()
                .args(["generate", "--uri", ACME_URI, "--at", &t.to_string()])
                .output()
                .unwrap();
            stdout(&o).trim().to_owned()
        })
        .collect();
    let copied = x.read("UTF8_STRING").unwrap();
    assert!(expected.contains(&copied), "{copied:?} not in {expected:?}");
}

/// The clipboard holders (pid, environment) started for the sandbox `s`.
fn holders_of(s: &Sandbox) -> Vec<(u32, Vec<String>)> {
    let vault = format!("TWOFOLD_VAULT={}", s.vault().display());
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&cmdline).contains("__hold-clipboard") {
            continue;
        }
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        let vars: Vec<String> = environ
            .split(|b| *b == 0)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect();
        if vars.contains(&vault) {
            out.push((pid, vars));
        }
    }
    out
}

#[test]
#[ignore = "needs Xvfb and xclip; run by scripts/test.sh"]
fn the_clipboard_holder_does_not_keep_the_passwords_in_its_environment() {
    // See: issue 11 item 8 (the holder inherited TWOFOLD_PASSWORD for its 30 s).
    let x = Xvfb::start();
    let s = Sandbox::new();
    let run = |args: &[&str]| {
        s.cmd()
            .env("DISPLAY", &x.display)
            .env("TWOFOLD_PASSWORD", "pw")
            .env("TWOFOLD_BACKUP_PASSWORD", "backup pw")
            .env("TWOFOLD_NEW_PASSWORD", "new pw")
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["init", "--no-keychain"]).status.success());
    assert!(run(&["add", "--uri", ACME_URI]).status.success());
    let out = run(&["code", "acme", "--copy"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let holders = holders_of(&s);
    assert_eq!(holders.len(), 1, "one holder runs for this sandbox");
    let (pid, env) = &holders[0];
    for var in [
        "TWOFOLD_PASSWORD=",
        "TWOFOLD_BACKUP_PASSWORD=",
        "TWOFOLD_NEW_PASSWORD=",
    ] {
        assert!(
            !env.iter().any(|v| v.starts_with(var)),
            "the holder has {var}…"
        );
    }
    let _ = Command::new("kill").arg(pid.to_string()).status();
}
