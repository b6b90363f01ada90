//! QR decode benchmark over a corpus directory (issue 4).
//!
//! `cargo bench -p twofold-core --bench qr [-- CORPUS_DIR] [--verbose]`, or `QR_CORPUS=DIR`.
//! The corpus holds `manifest.tsv` (tab separated, header, columns `file` and `expected_text`,
//! escaped as documented in `../shared/qr-corpus/README.md`) and the image files. Prints the
//! decode rate and the median / p95 time per image, file loading (read from disk and decode to
//! pixels, `qr::read_image`) timed separately from the QR search (`qr::decode_luma_image`), and one `MISS` line per failure with
//! `--verbose`. Exits non-zero only when the corpus cannot be read: the decode rate is a
//! regression gate elsewhere (the test suite and CI), never the time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use twofold_core::qr;

/// Reverses the manifest's escaping: `\\`, `\t`, `\n`, `\r`, `\xHH`.
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
                    if let Ok(v) = u8::from_str_radix(&s[i + 2..i + 4], 16) {
                        out.push(v);
                        i += 4;
                        continue;
                    }
                    out.extend_from_slice(b"\\x");
                }
                other => out.extend_from_slice(&[b'\\', other]),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes timed per image; the median is kept (the zxing-cpp side in scripts/qr-bench.sh
/// does the same).
const REPEAT: usize = 3;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose" || a == "-v");
    // cargo bench passes `--bench`; ignore flags we do not know.
    let dir = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("QR_CORPUS").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus"));
    let manifest = match std::fs::read_to_string(dir.join("manifest.tsv")) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("cannot read {}: {e}", dir.join("manifest.tsv").display());
            std::process::exit(2);
        }
    };
    let (mut ok, mut total) = (0usize, 0usize);
    // The photo set's figures are quoted on its ASCII payloads (qr-photos/README.md).
    let (mut ascii_ok, mut ascii_total) = (0usize, 0usize);
    let (mut loads, mut decodes) = (Vec::new(), Vec::new());
    let mut slowest = (Duration::ZERO, String::new());
    let only = std::env::var("QR_ONLY").ok();
    let limits = qr::Limits::default();
    for line in manifest.lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(file), Some(expected)) = (cols.next(), cols.next()) else {
            continue;
        };
        if only.as_deref().is_some_and(|o| !file.contains(o)) {
            continue;
        }
        // CRLF compares as LF (qr-photos/README.md).
        let expected = unescape(expected).replace("\r\n", "\n");
        let ascii = expected.is_ascii();
        total += 1;
        ascii_total += usize::from(ascii);
        let t0 = Instant::now();
        let bytes = match std::fs::read(dir.join(file)) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("cannot read {file}: {e}");
                std::process::exit(2);
            }
        };
        // Load = read the file and decode it to pixels; decode = the QR search alone, as the
        // zxing-cpp comparison times `read_barcodes` on an already loaded image.
        let image = qr::read_image(&bytes, &limits);
        let t1 = Instant::now();
        loads.push(t1 - t0);
        // Each image is decoded REPEAT times and its median time kept: one run is at the
        // mercy of the scheduler, and medians of ~1 ms are what is compared.
        let mut times = Vec::with_capacity(REPEAT);
        let mut result = Err(qr::QrError::NotFound);
        for _ in 0..REPEAT {
            let image = image.clone();
            let t1 = Instant::now();
            result = image.and_then(|image| qr::decode_luma_image(image, &limits));
            times.push(t1.elapsed());
        }
        times.sort();
        let took = times[REPEAT / 2];
        decodes.push(took);
        if took > slowest.0 {
            slowest = (took, file.to_string());
        }
        let hit = matches!(&result, Ok(texts)
            if texts.iter().any(|t| t.replace("\r\n", "\n") == expected));
        if hit {
            ok += 1;
            ascii_ok += usize::from(ascii);
        } else if verbose {
            println!(
                "MISS {file} {:.1} ms {:?}",
                took.as_secs_f64() * 1e3,
                result.map(|t| t.len())
            );
        }
    }
    loads.sort();
    decodes.sort();
    println!("corpus: {}", dir.display());
    println!(
        "twofold: decoded {ok}/{total} (ASCII payloads {ascii_ok}/{ascii_total}); decode ms median {:.1} p95 {:.1} max {:.1} ({}); \
         load ms median {:.1} p95 {:.1}",
        percentile(&decodes, 0.5),
        percentile(&decodes, 0.95),
        slowest.0.as_secs_f64() * 1e3,
        slowest.1,
        percentile(&loads, 0.5),
        percentile(&loads, 0.95),
    );
}
