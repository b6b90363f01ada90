//! The screen and the clipboard as QR sources: "scan screen" and "paste image" (issue 4).
//!
//! Owns getting the pixels (every monitor through xcap, the clipboard image or text through
//! arboard) and handing them to the same engine as image files, [`crate::qr::decode_rgba`].
//! Finding and decoding symbols (ISO/IEC 18004) is [`crate::qr`]'s; what a payload means
//! (`otpauth://`, formats.md §1; `otpauth-migration://`, §2) is [`crate::uri`]'s and
//! [`crate::migration`]'s. Behind the `capture` cargo feature, because it links the platform's
//! capture stacks (XCB, PipeWire and the Wayland portal on Linux).
//!
//! Pixels read from the screen or the clipboard may show secrets: the buffers are wiped once
//! decoded, and no error carries clipboard text.

use std::fmt;

use zeroize::Zeroize;

use crate::qr::{self, is_otp_payload, QrError};

/// Where [`scan_screen`] or [`scan_clipboard`] looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Every monitor.
    Screen,
    /// The clipboard's image.
    Clipboard,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Screen => "screen",
            Origin::Clipboard => "clipboard image",
        })
    }
}

/// Why the screen or the clipboard gave no QR payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// The screen could not be captured (no display, no monitor, permission refused).
    #[error("cannot capture the screen: {0}")]
    ScreenUnavailable(String),
    /// The clipboard could not be read.
    #[error("cannot read the clipboard: {0}")]
    ClipboardUnavailable(String),
    /// The clipboard holds neither an image nor `otpauth` text.
    #[error("the clipboard holds no image and no otpauth:// or otpauth-migration:// text")]
    ClipboardEmpty,
    /// The pixels were read, but no QR code in them could be decoded.
    #[error("no readable QR code found on the {origin}")]
    NotFound {
        /// Where we looked.
        origin: Origin,
    },
    /// Decoding failed for another reason (timeout, decoder crash, non-UTF-8 payload, a
    /// frame beyond the size limits).
    #[error(transparent)]
    Qr(#[from] QrError),
}

/// What [`scan_clipboard`] found.
#[derive(Clone, PartialEq, Eq)]
pub struct ClipboardScan {
    /// Every distinct payload, `otpauth://` and `otpauth-migration://` ones first: the QR
    /// texts of the clipboard image, or the clipboard's `otpauth` text lines when it holds
    /// text instead.
    pub payloads: Vec<String>,
}

impl fmt::Debug for ClipboardScan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Payloads carry secrets: show how many there are only.
        write!(f, "ClipboardScan({} payloads)", self.payloads.len())
    }
}

/// Captures every monitor and decodes every QR code on them.
///
/// Returns each distinct payload once, `otpauth://` and `otpauth-migration://` ones first,
/// then the rest in monitor order. Monitors are decoded in parallel, each under
/// [`qr::Limits::default`] (3 s).
///
/// # Errors
/// [`CaptureError::ScreenUnavailable`] when no monitor can be captured (one that fails is
/// skipped if another works), [`CaptureError::NotFound`] when no monitor shows a readable code,
/// [`CaptureError::Qr`] when nothing was found and a monitor's decode timed out or failed.
pub fn scan_screen() -> Result<Vec<String>, CaptureError> {
    // A display server that is busy can refuse a connection now and then (xcb's "connection
    // error"); a user would just try again, so we do, twice, before reporting it.
    let mut attempt = 0;
    let frames = loop {
        match capture_monitors() {
            Ok(frames) => break frames,
            Err(_) if attempt < 2 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(150 * attempt));
            }
            Err(e) => return Err(e),
        }
    };
    let results: Vec<Result<Vec<String>, QrError>> = std::thread::scope(|s| {
        let handles: Vec<_> = frames
            .into_iter()
            .map(|img| {
                s.spawn(move || {
                    let (w, h) = img.dimensions();
                    let mut rgba = img.into_raw();
                    let result = qr::decode_rgba(w, h, &rgba);
                    rgba.zeroize();
                    result
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(QrError::Panicked)))
            .collect()
    });
    merge(results, Origin::Screen)
}

/// One image per monitor that could be captured; an error when none could.
fn capture_monitors() -> Result<Vec<xcap::image::RgbaImage>, CaptureError> {
    let monitors = xcap::Monitor::all().map_err(|e| CaptureError::ScreenUnavailable(line(&e)))?;
    if monitors.is_empty() {
        return Err(CaptureError::ScreenUnavailable("no monitor found".into()));
    }
    let mut frames = Vec::new();
    let mut first_error = None;
    for m in &monitors {
        match m.capture_image() {
            Ok(img) => frames.push(img),
            Err(e) => {
                first_error.get_or_insert_with(|| line(&e));
            }
        }
    }
    if frames.is_empty() {
        return Err(CaptureError::ScreenUnavailable(
            first_error.unwrap_or_else(|| "no monitor could be captured".into()),
        ));
    }
    Ok(frames)
}

/// Reads the clipboard: decodes every QR code in its image, or, when it holds text instead,
/// takes the lines that are `otpauth://` or `otpauth-migration://` URIs as they are.
///
/// # Errors
/// [`CaptureError::ClipboardUnavailable`] when the clipboard cannot be opened,
/// [`CaptureError::ClipboardEmpty`] when it holds neither an image nor `otpauth` text,
/// [`CaptureError::NotFound`] or [`CaptureError::Qr`] when its image holds no readable code
/// (and its text, if any, no `otpauth` URI).
pub fn scan_clipboard() -> Result<ClipboardScan, CaptureError> {
    let mut clipboard =
        arboard::Clipboard::new().map_err(|e| CaptureError::ClipboardUnavailable(line(&e)))?;
    let from_image = match clipboard.get_image() {
        Ok(img) => {
            let (w, h) = (img.width, img.height);
            let mut rgba = img.bytes.into_owned();
            let result = match (u32::try_from(w), u32::try_from(h)) {
                (Ok(w), Ok(h)) => qr::decode_rgba(w, h, &rgba),
                _ => Err(QrError::Dimensions {
                    width: u32::try_from(w).unwrap_or(u32::MAX),
                    height: u32::try_from(h).unwrap_or(u32::MAX),
                    max: qr::Limits::default().max_dim,
                }),
            };
            rgba.zeroize();
            Some(result)
        }
        Err(arboard::Error::ContentNotAvailable) => None,
        Err(e) => return Err(CaptureError::ClipboardUnavailable(line(&e))),
    };
    if let Some(Ok(payloads)) = from_image {
        return Ok(ClipboardScan { payloads });
    }
    // No image, or an image without a code: a copied URI is the other way users paste one.
    let from_text = match clipboard.get_text() {
        Ok(mut text) => {
            let payloads = otp_lines(&text);
            text.zeroize();
            payloads
        }
        Err(arboard::Error::ContentNotAvailable) => Vec::new(),
        Err(e) if from_image.is_none() => return Err(CaptureError::ClipboardUnavailable(line(&e))),
        Err(_) => Vec::new(),
    };
    if !from_text.is_empty() {
        return Ok(ClipboardScan {
            payloads: from_text,
        });
    }
    match from_image {
        Some(Err(QrError::NotFound)) => Err(CaptureError::NotFound {
            origin: Origin::Clipboard,
        }),
        Some(Err(e)) => Err(CaptureError::Qr(e)),
        // Handled above; kept total so a refactor cannot turn it into a panic.
        Some(Ok(payloads)) => Ok(ClipboardScan { payloads }),
        None => Err(CaptureError::ClipboardEmpty),
    }
}

/// The distinct `otpauth` URIs of a clipboard text, one a line, surrounding blanks trimmed.
fn otp_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in text.lines().map(str::trim) {
        if is_otp_payload(l) && !out.iter().any(|o| o == l) {
            out.push(l.to_owned());
        }
    }
    out
}

/// Unions per-frame results: distinct payloads, `otpauth` ones first, in frame order.
fn merge(
    results: Vec<Result<Vec<String>, QrError>>,
    origin: Origin,
) -> Result<Vec<String>, CaptureError> {
    let mut payloads: Vec<String> = Vec::new();
    let mut failure = None;
    for r in results {
        match r {
            Ok(texts) => {
                for t in texts {
                    if !payloads.contains(&t) {
                        payloads.push(t);
                    }
                }
            }
            Err(QrError::NotFound) => {}
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    if payloads.is_empty() {
        return Err(failure.map_or(CaptureError::NotFound { origin }, CaptureError::Qr));
    }
    // Stable: keeps the found order within each group.
    payloads.sort_by_key(|t| !is_otp_payload(t));
    Ok(payloads)
}

/// An error from a capture library as one line, for a message.
fn line(e: &dyn std::error::Error) -> String {
    e.to_string().replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_unions_frames_otpauth_first() {
        let got = merge(
            vec![
                Ok(vec!["https://a".into(), "otpauth://totp/x?secret=A".into()]),
                Err(QrError::NotFound),
                Ok(vec![
                    "otpauth-migration://offline?data=x".into(),
                    "https://a".into(),
                ]),
            ],
            Origin::Screen,
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                "otpauth://totp/x?secret=A",
                "otpauth-migration://offline?data=x",
                "https://a"
            ]
        );
    }

    #[test]
    fn merge_reports_not_found_or_the_first_real_failure() {
        let err = merge(vec![Err(QrError::NotFound)], Origin::Screen).unwrap_err();
        assert_eq!(
            err,
            CaptureError::NotFound {
                origin: Origin::Screen
            }
        );
        assert_eq!(err.to_string(), "no readable QR code found on the screen");
        let err = merge(
            vec![Err(QrError::NotFound), Err(QrError::Timeout)],
            Origin::Clipboard,
        )
        .unwrap_err();
        assert_eq!(err, CaptureError::Qr(QrError::Timeout));
        // Something found on one monitor beats a failure on another.
        let ok = merge(
            vec![Err(QrError::Timeout), Ok(vec!["t".into()])],
            Origin::Screen,
        );
        assert_eq!(ok.unwrap(), vec!["t"]);
    }

    #[test]
    fn clipboard_text_keeps_only_otpauth_lines() {
        let text = " otpauth://totp/a?secret=A \nhello\r\nOTPAUTH-MIGRATION://offline?data=x\n\
                    otpauth://totp/a?secret=A\n";
        assert_eq!(
            otp_lines(text),
            vec![
                "otpauth://totp/a?secret=A",
                "OTPAUTH-MIGRATION://offline?data=x"
            ]
        );
        assert!(otp_lines("JBSWY3DPEHPK3PXP").is_empty());
    }

    #[test]
    fn clipboard_scan_debug_hides_payloads() {
        let scan = ClipboardScan {
            payloads: vec!["otpauth://totp/a?secret=JBSWY3DPEHPK3PXP".into()],
        };
        let shown = format!("{scan:?}");
        assert_eq!(shown, "ClipboardScan(1 payloads)");
        assert!(!shown.contains("JBSWY3DPEHPK3PXP"));
    }
}
