//! `qr`: decoding the screenshot corpus (`../shared/qr-corpus`, read by path), encode → decode
//! round trips, and hostile inputs that must fail fast with a clear error.
// See: issue 4 (QR import that never fails a user).

use std::time::{Duration, Instant};

use twofold_core::qr::{self, Limits, QrError};

use crate::util::{shared, shared_text};

/// Reverses the manifest's escaping (`\\`, `\t`, `\n`, `\r`, `\xHH`; see the corpus README).
fn unescape(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'\\' => out.push(b'\\'),
                b't' => out.push(b'\t'),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b'x' if i + 3 < b.len() => {
                    out.push(u8::from_str_radix(&s[i + 2..i + 4], 16).expect("hex escape"));
                    i += 4;
                    continue;
                }
                other => panic!("unknown escape \\{}", other as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("manifest is UTF-8")
}

fn manifest() -> Vec<(String, String)> {
    let text = shared_text("qr-corpus/manifest.tsv");
    text.lines()
        .skip(1)
        .map(|line| {
            let mut cols = line.split('\t');
            let file = cols.next().expect("file column").to_string();
            let expected = unescape(cols.next().expect("expected_text column"));
            (file, expected)
        })
        .collect()
}

/// Every third corpus image (50 of 150, all variants represented), decoded through the public
/// file API. Every payload we return must be exactly the expected one, and the decode count is
/// a regression floor below what the pipeline reaches (see the bench for the full corpus).
#[test]
#[ignore = "needs ../shared/qr-corpus; run by scripts/test.sh"]
fn decodes_corpus_sample() {
    let all = manifest();
    assert_eq!(all.len(), 150, "corpus size changed");
    let (mut decoded, mut tried) = (0, 0);
    let mut misses = Vec::new();
    for (file, expected) in all.iter().step_by(3) {
        tried += 1;
        let bytes = shared(&format!("qr-corpus/{file}"));
        match qr::decode_image_bytes(&bytes) {
            Ok(texts) => {
                assert!(
                    texts.contains(expected),
                    "{file}: decoded {texts:?}, expected {expected:?}"
                );
                decoded += 1;
            }
            Err(e) => misses.push(format!("{file}: {e}")),
        }
    }
    assert_eq!(tried, 50);
    eprintln!("decoded {decoded}/{tried} (floor {FLOOR})");
    assert!(
        decoded >= FLOOR,
        "decoded {decoded}/{tried}, floor {FLOOR}; misses: {misses:#?}"
    );
}

/// Regression floor for [`decodes_corpus_sample`].
const FLOOR: usize = 47;

/// The decode-rate gate of issue 4: all 150 corpus images, through the public file API, must
/// give at least [`WHOLE_FLOOR`] exact payloads (the pipeline reaches 145; zxing-cpp 136).
/// Only the rate is gated, never the time: the budget is raised so that a slow debug build
/// or a busy CI machine cannot turn a decodable image into a miss.
#[test]
#[ignore = "needs ../shared/qr-corpus; run by scripts/test.sh"]
fn decodes_whole_corpus() {
    let limits = Limits {
        time_budget: Duration::from_secs(120),
        ..Limits::default()
    };
    let all = manifest();
    assert_eq!(all.len(), 150, "corpus size changed");
    let mut decoded = 0;
    let mut misses = Vec::new();
    for (file, expected) in &all {
        let bytes = shared(&format!("qr-corpus/{file}"));
        match qr::decode_image_bytes_with(&bytes, &limits) {
            Ok(texts) => {
                assert!(
                    texts.contains(expected),
                    "{file}: decoded {texts:?}, expected {expected:?}"
                );
                decoded += 1;
            }
            Err(e) => misses.push(format!("{file}: {e}")),
        }
    }
    eprintln!("decoded {decoded}/150 (floor {WHOLE_FLOOR}); misses: {misses:#?}");
    assert!(
        decoded >= WHOLE_FLOOR,
        "decoded {decoded}/150, floor {WHOLE_FLOOR}; misses: {misses:#?}"
    );
}

/// Regression floor for [`decodes_whole_corpus`]: more than zxing-cpp's 136, with room for
/// a few images that depend on the platform's float rounding.
const WHOLE_FLOOR: usize = 140;

/// The real-photo gate of issue 12: ZXing's 179 black-box photos (`../shared/qr-photos`), of
/// which zxing-cpp 3.1 decodes 152 of the 165 ASCII payloads and all 14 non-ASCII ones
/// (Shift_JIS and UTF-8 text). Twofold must decode more ASCII ones than that, and the
/// non-ASCII ones as the text the symbol carries. CRLF compares as LF (the set's README).
#[test]
#[ignore = "needs ../shared/qr-photos; run by scripts/test.sh"]
fn decodes_more_real_photos_than_zxing_cpp() {
    let limits = Limits {
        time_budget: Duration::from_secs(120),
        ..Limits::default()
    };
    let text = shared_text("qr-photos/manifest.tsv");
    let rows: Vec<(String, String)> = text
        .lines()
        .skip(1)
        .map(|line| {
            let mut cols = line.split('\t');
            let file = cols.next().expect("file column").to_string();
            let expected = unescape(cols.next().expect("text column")).replace("\r\n", "\n");
            (file, expected)
        })
        .collect();
    assert_eq!(rows.len(), 179, "photo set size changed");
    let (mut ascii, mut other, mut misses) = (0, 0, Vec::new());
    for (file, expected) in &rows {
        let bytes = shared(&format!("qr-photos/{file}"));
        let hit = qr::decode_image_bytes_with(&bytes, &limits)
            .is_ok_and(|texts| texts.iter().any(|t| t.replace("\r\n", "\n") == *expected));
        match (hit, expected.is_ascii()) {
            (true, true) => ascii += 1,
            (true, false) => other += 1,
            (false, _) => misses.push(file.as_str()),
        }
    }
    eprintln!("decoded ASCII {ascii}/165, non-ASCII {other}/14; misses: {misses:?}");
    assert!(
        ascii > PHOTOS_ZXING_ASCII,
        "decoded {ascii} ASCII payloads, zxing-cpp decodes {PHOTOS_ZXING_ASCII}; misses: {misses:?}"
    );
    assert!(
        other >= 12,
        "decoded {other}/14 non-ASCII payloads; misses: {misses:?}"
    );
}

/// zxing-cpp 3.1.1's count on the photo set's ASCII payloads (`scripts/qr-bench.sh`, and the
/// set's README).
const PHOTOS_ZXING_ASCII: usize = 152;

#[test]
fn png_round_trip_keeps_unicode_payload() {
    let text =
        "otpauth://totp/Ex%C3%A4mple:fran%C3%A7ois?secret=JBSWY3DPEHPK3PXP&issuer=Exämple — 例";
    for scale in [1, 3, 8] {
        let png = qr::encode_png(text, scale).unwrap();
        assert_eq!(
            qr::decode_image_bytes(&png).unwrap(),
            vec![text.to_string()],
            "scale {scale}"
        );
    }
}

#[test]
fn migration_batch_round_trips() {
    // A large payload near a migration batch's size forces a high version.
    let text = format!("otpauth-migration://offline?data={}", "A".repeat(900));
    let png = qr::encode_png(&text, 4).unwrap();
    assert_eq!(qr::decode_image_bytes(&png).unwrap(), vec![text]);
}

#[test]
fn luma_and_rgba_frames_decode() {
    let text = "otpauth://totp/a?secret=AAAAAAAA";
    let png = qr::encode_png(text, 4).unwrap();
    let img = image::load_from_memory(&png).unwrap();
    let luma = img.to_luma8();
    let (w, h) = luma.dimensions();
    assert_eq!(qr::decode_luma(w, h, luma.as_raw()).unwrap(), vec![text]);
    // Inverted (light modules on dark) and transparent-background variants.
    let inverted: Vec<u8> = luma.as_raw().iter().map(|p| 255 - p).collect();
    assert_eq!(qr::decode_luma(w, h, &inverted).unwrap(), vec![text]);
    let rgba: Vec<u8> = luma
        .as_raw()
        .iter()
        .flat_map(|&p| if p == 0 { [0, 0, 0, 255] } else { [0, 0, 0, 0] })
        .collect();
    assert_eq!(qr::decode_rgba(w, h, &rgba).unwrap(), vec![text]);
}

#[test]
fn several_codes_in_one_image_are_all_returned_otpauth_first() {
    let first = "https://example.com/not-an-account";
    let second = "otpauth://totp/b?secret=BBBBBBBB";
    let decode = |t| {
        image::load_from_memory(&qr::encode_png(t, 4).unwrap())
            .unwrap()
            .to_luma8()
    };
    let (a, b) = (decode(first), decode(second));
    let (w, h) = (a.width() + b.width(), a.height().max(b.height()));
    let mut canvas = vec![255u8; (w * h) as usize];
    for (img, x0) in [(&a, 0), (&b, a.width())] {
        for (x, y, p) in img.enumerate_pixels() {
            canvas[(y * w + x + x0) as usize] = p.0[0];
        }
    }
    assert_eq!(qr::decode_luma(w, h, &canvas).unwrap(), vec![second, first]);
}

#[test]
fn svg_is_self_contained_and_decodable_shape() {
    let svg = qr::encode_svg("otpauth://totp/a?secret=AAAAAAAA").unwrap();
    assert!(svg.starts_with("<svg "));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("<script") && !svg.contains("href"));
    assert!(svg.contains("fill=\"#000\"") && svg.contains("fill=\"#fff\""));
}

#[test]
fn encode_rejects_text_too_long() {
    let err = qr::encode_png(&"x".repeat(4000), 4).unwrap_err();
    assert!(matches!(err, QrError::Encode(_)), "{err:?}");
}

/// Runs `f`, asserting it returns within the 3 s budget.
fn quickly<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG signature and a valid IHDR claiming `w`×`h` RGBA, with next to no pixel data.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&w.to_be_bytes());
    chunk.extend_from_slice(&h.to_be_bytes());
    chunk.extend_from_slice(&[8, 6, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    // The decoder reads up to the first IDAT before it reports the header: give it a few bytes
    // of (bogus) compressed data and the end chunk, as a size bomb would.
    for (kind, data) in [(&b"IDAT"[..], &b"\x78\x9c\x03\x00"[..]), (b"IEND", b"")] {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(data);
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

#[test]
fn rejects_png_claiming_huge_dimensions() {
    let err = quickly(|| qr::decode_image_bytes(&png_header(65535, 65535))).unwrap_err();
    assert_eq!(
        err,
        QrError::Dimensions {
            width: 65535,
            height: 65535,
            max: 8192
        }
    );
    assert_eq!(
        err.to_string(),
        "image is 65535x65535 pixels, expected 1 to 8192 on each side"
    );
}

#[test]
fn rejects_image_over_memory_limit_before_decoding() {
    let limits = Limits {
        max_alloc: 1 << 20,
        ..Limits::default()
    };
    let err =
        quickly(|| qr::decode_image_bytes_with(&png_header(1024, 1024), &limits)).unwrap_err();
    assert_eq!(
        err,
        QrError::TooLarge {
            bytes: 4 << 20,
            max: 1 << 20
        }
    );
}

#[test]
fn rejects_file_over_size_limit() {
    let limits = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    let err = qr::decode_image_bytes_with(&[0u8; 11], &limits).unwrap_err();
    assert_eq!(err, QrError::TooLarge { bytes: 11, max: 10 });
}

#[test]
fn rejects_truncated_png() {
    let png = qr::encode_png("otpauth://totp/a?secret=AAAAAAAA", 4).unwrap();
    let err = quickly(|| qr::decode_image_bytes(&png[..png.len() / 2])).unwrap_err();
    assert!(matches!(err, QrError::Format(_)), "{err:?}");
}

#[test]
fn rejects_random_bytes_and_empty_input() {
    // A fixed xorshift stream: reproducible "random" bytes.
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s as u8
        })
        .collect();
    let err = quickly(|| qr::decode_image_bytes(&noise)).unwrap_err();
    assert!(matches!(err, QrError::Format(_)), "{err:?}");
    let err = quickly(|| qr::decode_image_bytes(&[])).unwrap_err();
    assert!(matches!(err, QrError::Format(_)), "{err:?}");
    // Noise as pixels: readable, but holds no code.
    let err = quickly(|| qr::decode_luma(64, 64, &noise)).unwrap_err();
    assert_eq!(err, QrError::NotFound);
}

#[test]
fn one_pixel_image_has_no_code() {
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &[0],
        1,
        1,
        image::ExtendedColorType::L8,
    )
    .unwrap();
    let err = quickly(|| qr::decode_image_bytes(&png)).unwrap_err();
    assert_eq!(err, QrError::NotFound);
    assert_eq!(err.to_string(), "no readable QR code found in the image");
}

#[test]
fn noise_frame_ends_within_budget() {
    // A large frame of pixel noise: many finder look-alikes, no symbol. Whatever the build's
    // speed, the caller hears back within the budget, with no code found or a timeout.
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let noise: Vec<u8> = (0..1500 * 1500)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            if s & 1 == 0 {
                0
            } else {
                255
            }
        })
        .collect();
    let start = Instant::now();
    let err = qr::decode_luma(1500, 1500, &noise).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_millis(3500),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        matches!(err, QrError::NotFound | QrError::Timeout),
        "{err:?}"
    );
}
