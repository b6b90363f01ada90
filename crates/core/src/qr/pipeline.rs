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
}

/// The text a payload's bytes stand for. ISO/IEC 18004 §7.4.5: byte segments default to
/// ISO-8859-1, Kanji segments are Shift_JIS, and in practice most byte segments are UTF-8 or,
/// from Japanese phones, Shift_JIS. rqrr drops ECI designators, so the character set is
/// inferred as zxing does when a symbol declares none: UTF-8 when the bytes are valid UTF-8,
/// else Shift_JIS when they are valid Shift_JIS, else ISO-8859-1 (every byte is a character).
pub(crate) fn payload_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.into_bytes();
            encoding_rs::SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(&bytes)
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_else(|| bytes.iter().map(|&b| char::from(b)).collect())
        }
    }
}

impl Found {
    fn push(&mut self, bytes: Vec<u8>) -> bool {
        let text = payload_text(bytes);
        if !self.texts.contains(&text) {
            self.texts.push(text);
        }
        true
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
    let Found { mut texts } = found;
    if texts.is_empty() {
        return Err(QrError::NotFound);
    }
    if otp {
        // Stable: keeps the found order within each group.
        texts.sort_by_key(|t| !is_otp_payload(t));
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::payload_text;

    #[test]
    fn payload_text_follows_the_symbols_character_set() {
        assert_eq!(
            payload_text(b"otpauth://totp/a".to_vec()),
            "otpauth://totp/a"
        );
        assert_eq!(payload_text("Grüße ✓".as_bytes().to_vec()), "Grüße ✓");
        // "Google モバイル" as a Japanese phone writes it (Shift_JIS).
        let sjis = b"Google \x83\x82\x83o\x83C\x83\x8b".to_vec();
        assert_eq!(payload_text(sjis), "Google モバイル");
        // Half-width katakana, single Shift_JIS bytes.
        assert_eq!(payload_text(vec![0xC3, 0xDE, 0xBB, 0xDE]), "ﾃﾞｻﾞ");
        // Neither UTF-8 nor Shift_JIS (0xFF never starts a Shift_JIS character): ISO-8859-1.
        assert_eq!(payload_text(vec![b'a', 0xE9, 0xFF]), "a\u{e9}\u{ff}");
    }
}
