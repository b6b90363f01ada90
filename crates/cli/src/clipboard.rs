//! `code --copy`: put a code on the clipboard, marked as excluded from clipboard history,
//! and clear it after a timeout only if it still holds our code (security.md §4.1).
//!
//! On X11 and Wayland the clipboard content lives in the process that set it, so a CLI that
//! exits at once would take the code with it. The CLI therefore re-executes itself with the
//! hidden [`HOLD_COMMAND`] argument (handled before clap, so it appears in no help or
//! completion), in its own process group with no terminal, and hands
//! it the code on a pipe (never in arguments or the environment). The holder answers `ready`
//! once it has a clipboard, sets the text, serves it until the deadline or until someone
//! else copies something, then clears the clipboard if the content is still ours. The same
//! holder is used on every OS; on Windows and macOS the content would survive without it, but
//! the holder is still what clears it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{one_line, Failure};

/// How long a copied code stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

/// The first argument that makes `twofold-cli` a clipboard holder (see [`hold`]).
pub const HOLD_COMMAND: &str = "__hold-clipboard";

/// What the holder prints once it has a clipboard.
const READY: &str = "ready";

/// A clipboard holder that is ready to receive the text.
pub struct Holder {
    child: std::process::Child,
}

impl Holder {
    /// Starts the holder and waits until it has opened the clipboard. Fails (with no
    /// side effect) when no clipboard is available, e.g. without a display.
    pub fn start() -> Result<Self, Failure> {
        let exe = std::env::current_exe().map_err(|e| {
            Failure::other(format!(
                "cannot find this program to hold the clipboard: {}",
                one_line(&e)
            ))
        })?;
        let mut cmd = Command::new(exe);
        cmd.arg(HOLD_COMMAND)
            .arg(CLEAR_AFTER.as_secs().to_string())
            // The holder lives on for the clearing delay: it must not carry the passwords of
            // this run in its environment (issue 11 item 8).
            .env_remove(crate::unlock::PASSWORD_ENV)
            .env_remove(crate::unlock::NEW_PASSWORD_ENV)
            .env_remove(crate::unlock::BACKUP_PASSWORD_ENV)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        detach(&mut cmd);
        let mut child = cmd.spawn().map_err(|e| {
            Failure::other(format!(
                "cannot start the clipboard holder: {}",
                one_line(&e)
            ))
        })?;
        let Some(stdout) = child.stdout.take() else {
            return Err(Failure::other("clipboard holder has no output pipe"));
        };
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        if line.trim_end() == READY {
            return Ok(Holder { child });
        }
        // The holder failed: its stderr says why (one line).
        let mut why = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = err.read_to_string(&mut why);
        }
        let _ = child.wait();
        let why = why.lines().next().unwrap_or("the holder exited").to_owned();
        Err(Failure::other(format!("clipboard unavailable: {why}")))
    }

    /// Hands `text` to the holder, which sets it and returns at once to the caller.
    pub fn copy(mut self, text: &str) -> Result<(), Failure> {
        let Some(mut stdin) = self.child.stdin.take() else {
            return Err(Failure::other("clipboard holder has no input pipe"));
        };
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| Failure::other(format!("cannot copy: {}", one_line(&e))))?;
        drop(stdin);
        // The holder keeps running on its own; its exit status is nobody's business now.
        Ok(())
    }
}

#[cfg(unix)]
fn detach(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // Its own process group: Ctrl-C in the terminal does not kill the holder.
    cmd.process_group(0);
}

#[cfg(windows)]
fn detach(cmd: &mut Command) {
    use std::os::windows::process::CommandExt;
    const DETACHED_PROCESS: u32 = 0x0000_0008;
    const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
    cmd.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
}

#[cfg(not(any(unix, windows)))]
fn detach(_cmd: &mut Command) {}

/// The clipboard holder (see the module docs): `twofold-cli __hold-clipboard SECONDS`, the
/// text on standard input.
pub fn hold(seconds: Option<&std::ffi::OsStr>) -> Result<(), Failure> {
    let seconds: u64 = seconds
        .and_then(|s| s.to_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or(CLEAR_AFTER.as_secs());
    let mut clipboard = arboard::Clipboard::new().map_err(|e| Failure::other(one_line(&e)))?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{READY}").and_then(|()| out.flush())?;
    }
    let mut text = zeroize::Zeroizing::new(String::new());
    std::io::stdin().read_to_string(&mut text)?;
    if text.is_empty() {
        return Ok(());
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    set_text(&mut clipboard, &text, deadline)?;
    // Wait out the rest (set_text returns early on platforms whose clipboard outlives us).
    let now = Instant::now();
    if now < deadline {
        std::thread::sleep(deadline - now);
    }
    if clipboard.get_text().ok().as_deref() == Some(text.as_str()) {
        let _ = clipboard.clear();
    }
    Ok(())
}

#[cfg(all(unix, not(target_os = "macos")))]
fn set_text(
    clipboard: &mut arboard::Clipboard,
    text: &str,
    deadline: Instant,
) -> Result<(), Failure> {
    use arboard::SetExtLinux;
    // Returns when the deadline passes or someone else takes the clipboard; in the latter
    // case the content is no longer ours and the final check leaves it alone.
    clipboard
        .set()
        .exclude_from_history()
        .wait_until(deadline)
        .text(text)
        .map_err(|e| Failure::other(one_line(&e)))
}

#[cfg(target_os = "macos")]
fn set_text(
    clipboard: &mut arboard::Clipboard,
    text: &str,
    _deadline: Instant,
) -> Result<(), Failure> {
    use arboard::SetExtApple;
    clipboard
        .set()
        .exclude_from_history()
        .text(text)
        .map_err(|e| Failure::other(one_line(&e)))
}

#[cfg(windows)]
fn set_text(
    clipboard: &mut arboard::Clipboard,
    text: &str,
    _deadline: Instant,
) -> Result<(), Failure> {
    use arboard::SetExtWindows;
    clipboard
        .set()
        .exclude_from_history()
        .exclude_from_cloud()
        .exclude_from_monitoring()
        .text(text)
        .map_err(|e| Failure::other(one_line(&e)))
}
