//! What a live scan has collected so far, and when it is done (issue 12).
//!
//! A camera (or any frame source) yields the payloads of one frame at a time. One `otpauth://`
//! URI is a whole result; a Google Authenticator transfer export is several QR codes shown one
//! after another (formats.md §2: `batch_size`, `batch_index`, `batch_id`), and the scan goes on
//! until every code of the batch has been read. Both front ends (the app's camera dialog and
//! `twofold-cli scan --camera`) ask this one collector, so "2 of 3 scanned" means the same
//! everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use zeroize::Zeroize;

use crate::{intake, migration};

/// How far a scan is: `scanned` codes of the largest batch still open, out of `expected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// Distinct OTP codes read (each migration QR code counts once).
    pub scanned: usize,
    /// Codes the scan waits for in all, when a transfer batch says how many; `None` when
    /// nothing announced a batch.
    pub expected: Option<usize>,
    /// Whether everything announced has been read (and at least one OTP code was).
    pub complete: bool,
}

/// The payloads a scan has read, de-duplicated, in the order first seen.
#[derive(Default)]
pub struct Collector {
    texts: Vec<String>,
    /// batch_id → (batch_size, indices seen).
    batches: BTreeMap<i32, (usize, BTreeSet<usize>)>,
    others: usize,
}

impl fmt::Debug for Collector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The payloads carry secrets: counts only.
        write!(
            f,
            "Collector({} payloads, {} batches)",
            self.texts.len(),
            self.batches.len()
        )
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        for t in &mut self.texts {
            t.zeroize();
        }
    }
}

impl Collector {
    /// A collector with nothing read.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one frame's payloads; returns whether anything new was read. Payloads that are
    /// not OTP codes (a website's QR code in the same frame) are counted and left out.
    pub fn offer<S: AsRef<str>>(&mut self, payloads: &[S]) -> bool {
        let mut changed = false;
        for p in payloads {
            let p = p.as_ref();
            if !intake::is_otp_payload(p) {
                self.others += 1;
                continue;
            }
            if self.texts.iter().any(|t| t == p) {
                continue;
            }
            if migration::is_migration_uri(p) {
                // Batch fields only; the accounts are converted once, at import. A payload
                // that does not parse is still kept: the import preview names its problem.
                if let Ok(batch) = migration::decode(p, 0) {
                    let size = usize::try_from(batch.batch_size).unwrap_or(0).max(1);
                    let index = usize::try_from(batch.batch_index).unwrap_or(0);
                    let entry = self
                        .batches
                        .entry(batch.batch_id)
                        .or_insert_with(|| (size, BTreeSet::new()));
                    entry.0 = entry.0.max(size);
                    entry.1.insert(index.min(entry.0 - 1));
                }
            }
            self.texts.push(p.to_string());
            changed = true;
        }
        changed
    }

    /// Where the scan stands.
    pub fn progress(&self) -> Progress {
        let expected: usize = self.batches.values().map(|(size, _)| *size).sum();
        let seen: usize = self.batches.values().map(|(_, seen)| seen.len()).sum();
        // Payloads that are no part of a batch (plain otpauth codes, unreadable migrations).
        let singles = self.texts.len() - seen;
        let complete = !self.texts.is_empty() && seen >= expected;
        Progress {
            scanned: self.texts.len(),
            expected: (!self.batches.is_empty()).then_some(expected + singles),
            complete,
        }
    }

    /// How many non-OTP QR codes were seen (for "found a QR code, but not a 2FA one").
    pub fn other_codes(&self) -> usize {
        self.others
    }

    /// The payloads read, in order; the collector is left empty.
    pub fn take(&mut self) -> Vec<String> {
        self.batches.clear();
        std::mem::take(&mut self.texts)
    }
}

/// Width of the camera preview the app shows, in pixels.
pub const PREVIEW_WIDTH: u32 = 160;

/// A preview of a grayscale frame for the camera dialog, as PNG: [`PREVIEW_WIDTH`] px wide and
/// blurred. Enough to aim a phone at the camera, not enough to read the code: the preview goes
/// to the webview, which must not get the secrets a QR code holds (security.md: the webview
/// is untrusted). `None` for an empty frame.
pub fn preview_png(width: u32, height: u32, luma: &[u8]) -> Option<Vec<u8>> {
    if width == 0 || height == 0 || luma.len() != (width as usize) * (height as usize) {
        return None;
    }
    let (w, h) = (width as usize, height as usize);
    let pw = PREVIEW_WIDTH.min(width) as usize;
    let ph = ((h * pw) / w).max(1);
    // Box-average each preview pixel's source area.
    let mut small = vec![0u8; pw * ph];
    for py in 0..ph {
        let (y0, y1) = (py * h / ph, ((py + 1) * h / ph).max(py * h / ph + 1));
        for px in 0..pw {
            let (x0, x1) = (px * w / pw, ((px + 1) * w / pw).max(px * w / pw + 1));
            let mut sum = 0u64;
            for y in y0..y1 {
                sum += luma[y * w + x0..y * w + x1]
                    .iter()
                    .map(|&v| u64::from(v))
                    .sum::<u64>();
            }
            small[py * pw + px] = (sum / ((y1 - y0) * (x1 - x0)) as u64) as u8;
        }
    }
    // Then a 5×5 box blur, twice: modules of a code filling the frame (a few preview pixels
    // each) melt together, the code's outline and position stay visible.
    for _ in 0..2 {
        small = box_blur(&small, pw, ph, 2);
    }
    let img = image::GrayImage::from_raw(pw as u32, ph as u32, small)?;
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some(png)
}

/// A (2r+1)² box blur with edges clamped.
fn box_blur(px: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut out = vec![0u8; px.len()];
    for y in 0..h {
        for x in 0..w {
            let (mut sum, mut n) = (0u32, 0u32);
            for yy in y.saturating_sub(r)..(y + r + 1).min(h) {
                for xx in x.saturating_sub(r)..(x + r + 1).min(w) {
                    sum += u32::from(px[yy * w + xx]);
                    n += 1;
                }
            }
            out[y * w + x] = (sum / n.max(1)) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Account, Kind, Period};
    use crate::secret::SecretBytes;

    fn account(i: u8) -> Account {
        let kind = Kind::Totp {
            period: Period::THIRTY,
        };
        Account::new(
            format!("Site{i}"),
            format!("user{i}"),
            SecretBytes::new(vec![i; 10]),
            kind,
            0,
        )
    }

    /// A camera frame: `png` (a QR code) centred on a gray 640×480 canvas.
    fn frame_with(png: &[u8], scale_to: u32) -> (u32, u32, Vec<u8>) {
        let code = image::load_from_memory(png).unwrap().to_luma8();
        let code = image::imageops::resize(
            &code,
            scale_to,
            scale_to,
            image::imageops::FilterType::Nearest,
        );
        let mut canvas = image::GrayImage::from_pixel(640, 480, image::Luma([190]));
        let (x, y) = ((640 - scale_to) / 2, (480 - scale_to) / 2);
        image::imageops::overlay(&mut canvas, &code, i64::from(x), i64::from(y));
        (640, 480, canvas.into_raw())
    }

    #[test]
    fn the_preview_shows_where_the_code_is_but_cannot_be_read() {
        let uri = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
        let png = crate::qr::encode_png(uri, 4).unwrap();
        for size in [240, 320, 470] {
            let (w, h, frame) = frame_with(&png, size);
            // The frame itself reads (the test would prove nothing otherwise)…
            assert_eq!(
                crate::qr::decode_luma(w, h, &frame).unwrap(),
                vec![uri.to_string()]
            );
            // …its preview does not, by our decoder (whose upscaling reads 1-px modules).
            let preview = preview_png(w, h, &frame).unwrap();
            let small = image::load_from_memory(&preview).unwrap().to_luma8();
            assert_eq!(small.width(), PREVIEW_WIDTH);
            assert_eq!(
                crate::qr::decode_image_bytes(&preview),
                Err(crate::qr::QrError::NotFound),
                "a {size}-px code is readable in the preview"
            );
            // The code is still visible: the centre differs from the plain canvas around it.
            let centre = small.get_pixel(80, 60).0[0];
            let corner = small.get_pixel(2, 2).0[0];
            assert_ne!(centre, corner, "the preview shows nothing at {size} px");
        }
        assert_eq!(preview_png(0, 0, &[]), None);
        assert_eq!(preview_png(2, 2, &[0; 3]), None);
    }

    #[test]
    fn one_otpauth_uri_completes_a_scan() {
        let mut c = Collector::new();
        assert!(!c.progress().complete);
        assert!(!c.offer(&["https://example.com"]));
        assert_eq!(c.other_codes(), 1);
        assert!(!c.progress().complete, "a website's QR code is no result");
        assert!(c.offer(&["otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"]));
        assert!(
            !c.offer(&["otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"]),
            "seen"
        );
        let p = c.progress();
        assert_eq!((p.scanned, p.expected, p.complete), (1, None, true));
    }

    #[test]
    fn a_transfer_batch_completes_when_every_code_is_read_in_any_order() {
        let accounts: Vec<Account> = (1..=25).map(account).collect();
        let refs: Vec<&Account> = accounts.iter().collect();
        let uris = migration::encode(&refs, -7).unwrap();
        assert!(uris.len() >= 2, "the batch spans several codes");
        let n = uris.len();
        let mut c = Collector::new();
        // Last first, then the first one twice (a camera sees the same code for many frames).
        c.offer(&[uris[n - 1].expose()]);
        let p = c.progress();
        assert_eq!((p.scanned, p.expected, p.complete), (1, Some(n), false));
        c.offer(&[uris[0].expose()]);
        c.offer(&[uris[0].expose()]);
        assert_eq!(c.progress().scanned, 2);
        for u in &uris[1..n - 1] {
            assert!(!c.progress().complete);
            c.offer(&[u.expose()]);
        }
        let p = c.progress();
        assert_eq!((p.scanned, p.expected, p.complete), (n, Some(n), true));
        let texts = c.take();
        assert_eq!(texts.len(), n);
        assert!(format!("{c:?}").starts_with("Collector(0 payloads"));
    }
}
