//! Payload text → QR symbol drawn as SVG or PNG, for moving accounts to a phone.
//!
//! Byte mode, UTF-8, no ECI (what phone authenticators read), error correction M, or L when
//! the payload only fits at L (large Google Authenticator migration batches). Dark modules on a
//! white background with the 4-module quiet zone of ISO/IEC 18004 §7.3.7.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

use super::QrError;

/// Quiet zone around the symbol, in modules (ISO/IEC 18004 §7.3.7).
const QUIET: usize = 4;
/// Largest PNG scale accepted, in pixels per module.
const MAX_SCALE: u32 = 32;

/// The symbol's modules, row-major, `true` for dark, and its width in modules.
fn modules(text: &str) -> Result<(Vec<bool>, usize), QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L))
        .map_err(|e| QrError::Encode(e.to_string().to_lowercase()))?;
    let w = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Ok((dark, w))
}

/// Draws `text` as a standalone SVG document: one black path on a white square, with a quiet
/// zone, sized in modules by its `viewBox` (scale it with CSS). It has no script, no styles
/// and no external references, so it is safe to inline or to show through an `<img>`.
///
/// # Errors
/// [`QrError::Encode`] when the text does not fit in a QR symbol (about 2.9 kB).
pub fn encode_svg(text: &str) -> Result<String, QrError> {
    let (dark, w) = modules(text)?;
    let size = w + 2 * QUIET;
    let mut path = String::new();
    for y in 0..w {
        let mut x = 0;
        while x < w {
            if dark[y * w + x] {
                let start = x;
                while x < w && dark[y * w + x] {
                    x += 1;
                }
                // Writing to a String cannot fail.
                let _ = write!(
                    path,
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>\n"
    ))
}

/// Draws `text` as a grayscale PNG with `scale` pixels per module (1 to 32) and a quiet zone.
///
/// # Errors
/// [`QrError::Encode`] when the text does not fit in a QR symbol or `scale` is out of range.
pub fn encode_png(text: &str, scale: u32) -> Result<Vec<u8>, QrError> {
    if !(1..=MAX_SCALE).contains(&scale) {
        return Err(QrError::Encode(format!(
            "scale must be 1 to {MAX_SCALE} pixels per module, got {scale}"
        )));
    }
    let (dark, w) = modules(text)?;
    let s = scale as usize;
    let side = (w + 2 * QUIET) * s;
    let mut px = vec![255u8; side * side];
    for (i, &d) in dark.iter().enumerate() {
        if d {
            let (mx, my) = (i % w + QUIET, i / w + QUIET);
            for y in my * s..(my + 1) * s {
                px[y * side + mx * s..y * side + (mx + 1) * s].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    // side ≤ (177 + 8) × 32, far below u32::MAX.
    let side = side as u32;
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &px,
        side,
        side,
        image::ExtendedColorType::L8,
    )
    .map_err(|e| QrError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_no_script_or_external_reference() {
        let svg = encode_svg("hello").unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        for bad in ["<script", "href", "url(", "style", "<image"] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
        assert!(
            svg.contains("viewBox=\"0 0 29 29\""),
            "version 1 + quiet zone: {svg}"
        );
    }

    #[test]
    fn png_rejects_bad_scale_and_oversized_text() {
        assert!(matches!(encode_png("x", 0), Err(QrError::Encode(_))));
        assert!(matches!(encode_png("x", 33), Err(QrError::Encode(_))));
        let huge = "x".repeat(5000);
        assert!(matches!(encode_svg(&huge), Err(QrError::Encode(_))));
    }
}
