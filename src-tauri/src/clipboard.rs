//! Copying codes: one clipboard owner for the app's lifetime, concealed writes, and the
//! automatic clear (security.md §4.1, D1, D2).
//!
//! A dedicated thread owns the clipboard ([`ArboardBackend`] in the app): on X11 the content
//! lives only as long as its owner, so the owner must outlive every copy. Writes carry the
//! platform's "do not keep in history" marks (arboard's `SetExtLinux::exclude_from_history`,
//! `SetExtWindows::exclude_from_{history,cloud,monitoring}`, `SetExtApple::exclude_from_history`).
//! The clear after the timeout, on lock and on quit happens only if the clipboard still holds
//! our text: whatever the user copied since is left alone (KeePassXC's rule).
//!
//! Tests run the same thread over a [`MemoryClipboard`].

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// How long a caller waits for the clipboard thread to answer.
const REPLY_WAIT: Duration = Duration::from_secs(5);

/// What the clipboard thread needs from a clipboard.
pub trait ClipboardBackend: Send + 'static {
    /// Puts `text` on the clipboard with the platform's concealment marks.
    ///
    /// # Errors
    /// The platform's explanation, without the text.
    fn set_concealed(&mut self, text: &str) -> Result<(), String>;
    /// The clipboard's text, if it holds text.
    fn get_text(&mut self) -> Option<String>;
    /// Empties the clipboard.
    ///
    /// # Errors
    /// The platform's explanation.
    fn clear(&mut self) -> Result<(), String>;
}

/// The system clipboard through arboard, opened on first use on the clipboard thread and kept
/// open until the app ends.
#[derive(Default)]
pub struct ArboardBackend {
    inner: Option<arboard::Clipboard>,
}

impl ArboardBackend {
    fn open(&mut self) -> Result<&mut arboard::Clipboard, String> {
        if self.inner.is_none() {
            let clipboard =
                arboard::Clipboard::new().map_err(|e| format!("cannot open the clipboard: {e}"))?;
            self.inner = Some(clipboard);
        }
        self.inner
            .as_mut()
            .ok_or_else(|| "cannot open the clipboard".to_owned())
    }
}

impl ClipboardBackend for ArboardBackend {
    fn set_concealed(&mut self, text: &str) -> Result<(), String> {
        let clipboard = self.open()?;
        set_concealed(clipboard, text).map_err(|e| format!("cannot write the clipboard: {e}"))
    }

    fn get_text(&mut self) -> Option<String> {
        self.open().ok()?.get_text().ok()
    }

    fn clear(&mut self) -> Result<(), String> {
        self.open()?
            .clear()
            .map_err(|e| format!("cannot clear the clipboard: {e}"))
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn set_concealed(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    clipboard.set().exclude_from_history().text(text)
}

#[cfg(target_os = "macos")]
fn set_concealed(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtApple;
    clipboard.set().exclude_from_history().text(text)
}

#[cfg(windows)]
fn set_concealed(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtWindows;
    clipboard
        .set()
        .exclude_from_history()
        .exclude_from_cloud()
        .exclude_from_monitoring()
        .text(text)
}

/// An in-memory clipboard for tests; clones share the content, so a test can play "the
/// user copied something else".
#[derive(Debug, Clone, Default)]
pub struct MemoryClipboard {
    content: Arc<Mutex<Option<String>>>,
}

impl MemoryClipboard {
    /// The current content.
    pub fn content(&self) -> Option<String> {
        self.content
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the content, as another program would.
    pub fn put(&self, text: &str) {
        *self.content.lock().unwrap_or_else(|e| e.into_inner()) = Some(text.to_owned());
    }
}

impl ClipboardBackend for MemoryClipboard {
    fn set_concealed(&mut self, text: &str) -> Result<(), String> {
        self.put(text);
        Ok(())
    }

    fn get_text(&mut self) -> Option<String> {
        self.content()
    }

    fn clear(&mut self) -> Result<(), String> {
        *self.content.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }
}

enum Msg {
    Copy {
        text: Zeroizing<String>,
        clear_after: Option<Duration>,
        reply: mpsc::Sender<Result<(), String>>,
    },
    ClearOurs {
        reply: mpsc::Sender<()>,
    },
}

/// The clipboard thread's handle (managed state of the app).
pub struct Clipboard {
    tx: mpsc::Sender<Msg>,
}

impl std::fmt::Debug for Clipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clipboard")
    }
}

impl Clipboard {
    /// Starts the clipboard thread over `backend`. The thread ends when the handle is dropped.
    pub fn spawn(backend: impl ClipboardBackend) -> Self {
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("twofold-clipboard".into())
            .spawn(move || worker(backend, rx));
        if let Err(e) = spawned {
            // Copies then fail with "clipboard thread is gone"; the app stays usable.
            eprintln!("twofold: cannot start the clipboard thread: {e}");
        }
        Clipboard { tx }
    }

    /// Copies `text` (concealed). With `clear_after`, clears it then if still ours.
    ///
    /// # Errors
    /// The platform's explanation when the clipboard cannot be written.
    pub fn copy(&self, text: &str, clear_after: Option<Duration>) -> Result<(), String> {
        let (reply, answer) = mpsc::channel();
        self.tx
            .send(Msg::Copy {
                text: Zeroizing::new(text.to_owned()),
                clear_after,
                reply,
            })
            .map_err(|_| "the clipboard thread is gone".to_owned())?;
        answer
            .recv_timeout(REPLY_WAIT)
            .map_err(|_| "the clipboard did not answer".to_owned())?
    }

    /// Clears the clipboard now if it still holds the last text we copied (lock, quit), and
    /// waits (briefly) until that is done.
    pub fn clear_ours(&self) {
        let (reply, answer) = mpsc::channel();
        if self.tx.send(Msg::ClearOurs { reply }).is_ok() {
            let _ = answer.recv_timeout(REPLY_WAIT);
        }
    }
}

/// The clipboard thread: serves requests, and clears our text at its deadline.
fn worker(mut backend: impl ClipboardBackend, rx: mpsc::Receiver<Msg>) {
    let mut ours: Option<(Zeroizing<String>, Option<Instant>)> = None;
    loop {
        let deadline = ours.as_ref().and_then(|(_, d)| *d);
        let msg = match deadline {
            Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match msg {
            Ok(Msg::Copy {
                text,
                clear_after,
                reply,
            }) => {
                let result = backend.set_concealed(&text);
                ours = match result {
                    Ok(()) => Some((text, clear_after.map(|d| Instant::now() + d))),
                    Err(_) => None,
                };
                let _ = reply.send(result);
            }
            Ok(Msg::ClearOurs { reply }) => {
                clear_if_ours(&mut backend, ours.take());
                let _ = reply.send(());
            }
            Err(RecvTimeoutError::Timeout) => clear_if_ours(&mut backend, ours.take()),
            Err(RecvTimeoutError::Disconnected) => {
                clear_if_ours(&mut backend, ours.take());
                return;
            }
        }
    }
}

fn clear_if_ours(
    backend: &mut impl ClipboardBackend,
    ours: Option<(Zeroizing<String>, Option<Instant>)>,
) {
    if let Some((text, _)) = ours {
        let current = backend.get_text().map(Zeroizing::new);
        if current.as_deref().map(String::as_str) == Some(text.as_str()) {
            let _ = backend.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_for(memory: &MemoryClipboard, want: Option<&str>) -> bool {
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            if memory.content().as_deref() == want {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    #[test]
    fn clears_our_text_after_the_timeout() {
        let memory = MemoryClipboard::default();
        let clipboard = Clipboard::spawn(memory.clone());
        clipboard
            .copy("123456", Some(Duration::from_millis(50)))
            .expect("copies");
        assert_eq!(memory.content().as_deref(), Some("123456"));
        assert!(wait_for(&memory, None), "still {:?}", memory.content());
    }

    #[test]
    fn leaves_what_the_user_copied_since() {
        let memory = MemoryClipboard::default();
        let clipboard = Clipboard::spawn(memory.clone());
        clipboard
            .copy("123456", Some(Duration::from_millis(50)))
            .expect("copies");
        memory.put("user text");
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(memory.content().as_deref(), Some("user text"));
        clipboard.clear_ours();
        assert_eq!(memory.content().as_deref(), Some("user text"));
    }

    #[test]
    fn clear_ours_clears_now_and_no_timeout_keeps_it() {
        let memory = MemoryClipboard::default();
        let clipboard = Clipboard::spawn(memory.clone());
        clipboard.copy("654321", None).expect("copies");
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(memory.content().as_deref(), Some("654321"));
        clipboard.clear_ours();
        assert_eq!(memory.content(), None);
    }
}
