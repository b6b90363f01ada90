//! The decode pipeline: candidate symbols from [`detect`], crops and retries, rqrr at the end.

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use rqrr::PreparedImage;

use super::detect::{self, Bits, Candidate};
use super::{is_otp_payload, sample, Gray, QrError};

/// Candidates tried per frame; beyond this they are finder look-alikes (icons, badges).
const MAX_CANDIDATES: usize = 12;
/// Module size, in pixels, that crops are upscaled to at least: rqrr's region-based finder
/// detection needs every ring of a finder pattern to stay a separate connected region.
const TARGET_MODULE: f32 = 4.5;
/// Largest upscale factor: past ×4, bilinear interpolation adds no information.
const MAX_SCALE: usize = 4;
/// Frames up to this many pixels get whole-frame fallback attempts.
const FALLBACK_PIXELS: usize = 4_200_000;

/// Payloads found so far, de-duplicated, in order.
#[derive(Default)]
struct Found {
    texts: Vec<String>,
    not_utf8: bool,
}

impl Found {
    fn push(&mut self, bytes: Vec<u8>) -> bool {
        match String::from_utf8(bytes) {
            Ok(text) => {
                if !self.texts.contains(&text) {
                    self.texts.push(text);
                }
                true
            }
            Err(_) => {
                self.not_utf8 = true;
                false
            }
        }
    }

    fn has_otp(&self) -> bool {
        self.texts.iter().any(|t| is_otp_payload(t))
    }
}

/// Runs rqrr over a binarized frame and records every symbol it decodes; returns how many.
/// A panic inside rqrr (seen on real photos) loses this attempt only.
fn rqrr_decode(bits: &Bits, found: &mut Found) -> usize {
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut img =
            PreparedImage::prepare_from_bitmap(bits.w, bits.h, |x, y| bits.dark[y * bits.w + x]);
        let mut payloads = Vec::new();
        for grid in img.detect_grids() {
            let mut out = Vec::new();
            // decode_to may have written part of a payload before failing: keep Ok ones only.
            if grid.decode_to(&mut out).is_ok() {
                payloads.push(out);
            }
        }
        payloads
    }));
    let mut n = 0;
    for p in result.unwrap_or_default() {
        if found.push(p) {
            n += 1;
        }
    }
    n
}

/// Tries one candidate symbol: a crop around it, upscaled if its modules are small, binarized
/// with Otsu and then with a local mean. Returns whether anything decoded.
fn decode_candidate(g: &Gray, c: &Candidate, found: &mut Found) -> bool {
    // Our own grid sampler first: cheap, and exact where rqrr's locator slips.
    let sampled = panic::catch_unwind(AssertUnwindSafe(|| sample::decode(g, c)));
    if let Ok(Some(bytes)) = sampled {
        if found.push(bytes) {
            return true;
        }
    }
    let scale = ((TARGET_MODULE / c.module).ceil() as usize).clamp(1, MAX_SCALE);
    let (x0, y0, x1, y1) = c.bounds(2.5, g.w, g.h);
    if x1 <= x0 || y1 <= y0 {
        return false;
    }
    let crop = g.crop_scaled(x0, y0, x1, y1, scale);
    let t = detect::otsu(&crop);
    if rqrr_decode(&detect::threshold(&crop, t, c.inverted), found) > 0 {
        return true;
    }
    let win = ((c.module * scale as f32) * 8.0) as usize;
    if rqrr_decode(&detect::binarize_mean(&crop, win, c.inverted), found) > 0 {
        return true;
    }
    false
}

/// Finds and decodes every QR symbol in `g`, stopping early once an `otpauth` payload is in
/// hand and the cheap candidates are exhausted.
pub(crate) fn scan(g: &Gray, deadline: Instant) -> Result<Vec<String>, QrError> {
    let mut found = Found::default();
    let bits = detect::binarize_blocks(g);
    scan_candidates(g, &bits, &mut found, deadline)?;
    if found.texts.is_empty() && g.w * g.h * 4 <= FALLBACK_PIXELS {
        // Modules of ~1 px blur into runs the finder search cannot read; at twice the size
        // they can. Only for small frames (region screenshots), where this is cheap.
        let big = g.crop_scaled(0, 0, g.w, g.h, 2);
        let big_bits = detect::binarize_blocks(&big);
        scan_candidates(&big, &big_bits, &mut found, deadline)?;
    }
    if found.texts.is_empty() && g.w * g.h <= FALLBACK_PIXELS {
        // No finder triple decoded: let rqrr search the whole frame itself, both polarities.
        for inverted in [false, true] {
            if Instant::now() > deadline {
                return Err(QrError::Timeout);
            }
            let bits = if inverted {
                Bits {
                    w: bits.w,
                    h: bits.h,
                    dark: bits.dark.iter().map(|d| !d).collect(),
                }
            } else {
                Bits {
                    w: bits.w,
                    h: bits.h,
                    dark: bits.dark.clone(),
                }
            };
            if rqrr_decode(&bits, &mut found) > 0 {
                break;
            }
        }
    }
    finish(found)
}

/// Decodes the finder-pattern candidates of one binarized frame.
fn scan_candidates(
    g: &Gray,
    bits: &Bits,
    found: &mut Found,
    deadline: Instant,
) -> Result<(), QrError> {
    for c in detect::candidates(bits).iter().take(MAX_CANDIDATES) {
        if Instant::now() > deadline {
            return Err(QrError::Timeout);
        }
        decode_candidate(g, c, found);
    }
    Ok(())
}

/// Orders the payloads (otpauth ones first) or says why there are none.
fn finish(found: Found) -> Result<Vec<String>, QrError> {
    let otp = found.has_otp();
    let Found {
        mut texts,
        not_utf8,
    } = found;
    if texts.is_empty() {
        return Err(if not_utf8 {
            QrError::Format("the QR code's payload is not UTF-8 text".into())
        } else {
            QrError::NotFound
        });
    }
    if otp {
        // Stable: keeps the found order within each group.
        texts.sort_by_key(|t| !is_otp_payload(t));
    }
    Ok(texts)
}
