//! QR import and export: image → payload texts, payload text → QR image (issue 4).
//!
//! Owns the whole QR path and nothing around it: reading an image file or a raw frame
//! (clipboard, screen capture) under size limits, finding every QR symbol in it, and rendering a
//! payload as SVG or PNG for "show QR". What a payload *means* (`otpauth://`, formats.md §1;
//! `otpauth-migration://`, formats.md §2) is left to [`crate::uri`] and [`crate::migration`];
//! where the pixels come from (arboard, xcap) is left to the front ends.
//!
//! Symbols follow ISO/IEC 18004 (QR Code model 2). Decoding of the sampled grid (format info,
//! Reed–Solomon, segments) is rqrr's; the preprocessing in front of it is ours, because
//! rqrr's own binarizer (a running row mean) misses dark themes, JPEG ringing, inverted codes
//! and modules under ~3 px. The pipeline (see [`scan`](self) internals):
//!
//! 1. Binarize the frame with a block-local threshold and scan it for finder patterns
//!    (1:1:3:1:1 runs, both polarities), checked vertically and grouped into triples that form
//!    the right isosceles corner of a symbol.
//! 2. Crop around each candidate symbol, upscale small modules to a workable size, binarize
//!    the crop (Otsu, then a local mean) and let rqrr find and decode it.
//! 3. Only if that finds nothing, fall back to whole-frame attempts.
//!
//! Decoding runs on a worker thread under [`Limits::time_budget`] and `catch_unwind`: rqrr has
//! panicked on real photos, and a hostile image must cost the caller a clear error, not a crash
//! or a hang.

mod detect;
mod encode;
mod gray;
mod load;
mod pipeline;
mod sample;

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub use encode::{encode_png, encode_svg};

use gray::Gray;

/// Why an image gave no QR payload, or a payload could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// The file, or the pixels it decodes to, exceed [`Limits`].
    #[error("image is {bytes} bytes, expected at most {max}")]
    TooLarge {
        /// Size of the file, or of the decoded pixels, in bytes.
        bytes: u64,
        /// The limit it broke.
        max: u64,
    },
    /// The image is wider or taller than [`Limits::max_dim`], or has no pixels.
    #[error("image is {width}x{height} pixels, expected 1 to {max} on each side")]
    Dimensions {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The largest side allowed.
        max: u32,
    },
    /// The bytes are not a readable PNG, JPEG, WebP, GIF or BMP image, or a raw buffer does not
    /// match its stated size.
    #[error("unreadable image: {0}")]
    Format(String),
    /// Decoding did not finish within [`Limits::time_budget`].
    #[error("gave up looking for a QR code after the time limit")]
    Timeout,
    /// The image holds no QR code that could be read.
    #[error("no readable QR code found in the image")]
    NotFound,
    /// The decoder crashed on this image; nothing was read.
    #[error("the QR decoder failed on this image")]
    Panicked,
    /// The text cannot be drawn as a QR code (too long, or bad parameters).
    #[error("cannot draw QR code: {0}")]
    Encode(String),
}

/// Bounds on what one decode may cost. [`Limits::default`] is what the app and CLI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest image file accepted, in bytes (default 20 MiB).
    pub max_file_bytes: usize,
    /// Largest width or height accepted, in pixels (default 8192).
    pub max_dim: u32,
    /// Largest decoded pixel buffer accepted, in bytes (default 256 MiB).
    pub max_alloc: u64,
    /// Wall-clock budget for one decode, file reading included (default 3 s).
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 20 * 1024 * 1024,
            max_dim: 8192,
            max_alloc: 256 * 1024 * 1024,
            time_budget: Duration::from_secs(3),
        }
    }
}

/// Decodes every QR code in an image file or clipboard image (PNG, JPEG, WebP, GIF, BMP).
///
/// Returns each distinct payload once, `otpauth://` and `otpauth-migration://` ones first, the
/// rest in the order found. Same as [`decode_image_bytes_with`] with [`Limits::default`].
///
/// # Errors
/// [`QrError::TooLarge`] or [`QrError::Dimensions`] beyond the limits (checked before any pixel is
/// decoded), [`QrError::Format`] for bytes that are no supported image, [`QrError::NotFound`] when no code is readable, [`QrError::Timeout`] and
/// [`QrError::Panicked`] when the decoder could not finish.
pub fn decode_image_bytes(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    decode_image_bytes_with(bytes, &Limits::default())
}

/// [`decode_image_bytes`] with explicit [`Limits`].
///
/// # Errors
/// As [`decode_image_bytes`].
pub fn decode_image_bytes_with(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, QrError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(QrError::TooLarge {
            bytes: bytes.len() as u64,
            max: limits.max_file_bytes as u64,
        });
    }
    let bytes = bytes.to_vec();
    let limits = *limits;
    run_guarded(limits.time_budget, move |deadline| {
        let gray = load::load(&bytes, &limits)?;
        pipeline::scan(&gray, deadline)
    })
}

/// A grayscale frame read from an image file by [`read_image`]: row-major, 0 is black.
#[derive(Clone, PartialEq, Eq)]
pub struct LumaImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` luminance values.
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for LumaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A screenshot may show secrets: print the size only.
        write!(f, "LumaImage({}x{})", self.width, self.height)
    }
}

/// Reads an image file to grayscale under `limits` (the first half of [`decode_image_bytes`]),
/// for callers that time or cache the file decoding separately; pass the result to
/// [`decode_luma_image`]. Transparent pixels count as white.
///
/// # Errors
/// As [`decode_image_bytes`], except [`QrError::NotFound`].
pub fn read_image(bytes: &[u8], limits: &Limits) -> Result<LumaImage, QrError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(QrError::TooLarge {
            bytes: bytes.len() as u64,
            max: limits.max_file_bytes as u64,
        });
    }
    let bytes = bytes.to_vec();
    let limits = *limits;
    run_guarded(limits.time_budget, move |_| {
        let g = load::load(&bytes, &limits)?;
        // Dimensions were checked against max_dim (≤ u32::MAX) by load.
        Ok(LumaImage {
            width: g.w as u32,
            height: g.h as u32,
            pixels: g.px,
        })
    })
}

/// Decodes every QR code in a frame from [`read_image`], under `limits`' time budget.
///
/// # Errors
/// As [`decode_luma`].
pub fn decode_luma_image(image: LumaImage, limits: &Limits) -> Result<Vec<String>, QrError> {
    check_raw(image.width, image.height, image.pixels.len(), 1, limits)?;
    let gray = Gray::new(image.width as usize, image.height as usize, image.pixels);
    run_guarded(limits.time_budget, move |deadline| {
        pipeline::scan(&gray, deadline)
    })
}

/// Decodes every QR code in a raw RGBA frame (row-major, 4 bytes a pixel, no padding), as a
/// screen capture or a clipboard image gives it. Transparent pixels count as white.
///
/// # Errors
/// [`QrError::Format`] when `rgba.len()` is not `width * height * 4`; otherwise as
/// [`decode_image_bytes`].
pub fn decode_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<String>, QrError> {
    decode_rgba_with(width, height, rgba, &Limits::default())
}

/// [`decode_rgba`] with explicit [`Limits`].
///
/// # Errors
/// As [`decode_rgba`].
pub fn decode_rgba_with(
    width: u32,
    height: u32,
    rgba: &[u8],
    limits: &Limits,
) -> Result<Vec<String>, QrError> {
    check_raw(width, height, rgba.len(), 4, limits)?;
    let gray = Gray::from_rgba(width as usize, height as usize, rgba);
    run_guarded(limits.time_budget, move |deadline| {
        pipeline::scan(&gray, deadline)
    })
}

/// Decodes every QR code in a raw 8-bit grayscale frame (row-major, no padding; 0 is black).
///
/// # Errors
/// [`QrError::Format`] when `luma.len()` is not `width * height`; otherwise as
/// [`decode_image_bytes`].
pub fn decode_luma(width: u32, height: u32, luma: &[u8]) -> Result<Vec<String>, QrError> {
    decode_luma_with(width, height, luma, &Limits::default())
}

/// [`decode_luma`] with explicit [`Limits`].
///
/// # Errors
/// As [`decode_luma`].
pub fn decode_luma_with(
    width: u32,
    height: u32,
    luma: &[u8],
    limits: &Limits,
) -> Result<Vec<String>, QrError> {
    check_raw(width, height, luma.len(), 1, limits)?;
    let gray = Gray::new(width as usize, height as usize, luma.to_vec());
    run_guarded(limits.time_budget, move |deadline| {
        pipeline::scan(&gray, deadline)
    })
}

/// Validates a raw frame's stated size against its buffer and the limits.
fn check_raw(
    width: u32,
    height: u32,
    len: usize,
    bytes_per_pixel: u64,
    limits: &Limits,
) -> Result<(), QrError> {
    if width == 0 || height == 0 || width > limits.max_dim || height > limits.max_dim {
        return Err(QrError::Dimensions {
            width,
            height,
            max: limits.max_dim,
        });
    }
    let expected = u64::from(width) * u64::from(height) * bytes_per_pixel;
    if expected > limits.max_alloc {
        return Err(QrError::TooLarge {
            bytes: expected,
            max: limits.max_alloc,
        });
    }
    if len as u64 != expected {
        return Err(QrError::Format(format!(
            "buffer holds {len} bytes, expected {expected} for {width}x{height} pixels"
        )));
    }
    Ok(())
}

/// Runs `job` on a worker thread, catching panics and giving up after `budget`.
///
/// The job gets the deadline and checks it between stages, so a timed-out worker stops soon
/// after instead of burning a core; the caller does not wait for it.
fn run_guarded<T, F>(budget: Duration, job: F) -> Result<T, QrError>
where
    T: Send + 'static,
    F: FnOnce(Instant) -> Result<T, QrError> + Send + 'static,
{
    let deadline = Instant::now() + budget;
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("twofold-qr".into())
        .spawn(move || {
            let result = panic::catch_unwind(AssertUnwindSafe(|| job(deadline)))
                .unwrap_or(Err(QrError::Panicked));
            // The receiver may have given up already; then nobody needs the result.
            let _ = tx.send(result);
        });
    if spawned.is_err() {
        return Err(QrError::Panicked);
    }
    match rx.recv_timeout(budget) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(QrError::Timeout),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(QrError::Panicked),
    }
}

/// Whether a payload is one Twofold imports, so it sorts first and ends the search early.
pub(crate) fn is_otp_payload(text: &str) -> bool {
    let lower = |n: usize| text.get(..n).map(str::to_ascii_lowercase);
    lower("otpauth://".len()).as_deref() == Some("otpauth://")
        || lower("otpauth-migration://".len()).as_deref() == Some("otpauth-migration://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_otp_payloads_case_insensitively() {
        assert!(is_otp_payload("otpauth://totp/a?secret=A"));
        assert!(is_otp_payload("OTPAUTH-MIGRATION://offline?data=x"));
        assert!(!is_otp_payload("https://example.com"));
        assert!(!is_otp_payload("otp"));
    }

    #[test]
    fn raw_buffer_size_must_match() {
        let err = decode_luma(4, 4, &[0; 15]).unwrap_err();
        assert!(matches!(err, QrError::Format(_)), "{err:?}");
        let err = decode_rgba(0, 4, &[]).unwrap_err();
        assert!(matches!(err, QrError::Dimensions { .. }), "{err:?}");
    }

    #[test]
    fn worker_panic_becomes_error() {
        let r: Result<Vec<String>, _> = run_guarded(Duration::from_secs(1), |_| panic!("boom"));
        assert_eq!(r, Err(QrError::Panicked));
    }

    #[test]
    fn worker_timeout_becomes_error() {
        let r = run_guarded(Duration::from_millis(20), |_| {
            std::thread::sleep(Duration::from_millis(300));
            Ok(vec![String::new()])
        });
        assert_eq!(r, Err(QrError::Timeout));
    }
}
