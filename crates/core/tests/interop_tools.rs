//! Exports checked by independent implementations: an Aegis export opens with a Python
//! decryptor built on `cryptography` (`tests/tools/aegis_decrypt.py`), and Google
//! Authenticator QR PNGs decode with zxing-cpp (`tests/tools/zxing_decode.py`) to the payloads
//! Twofold's own decoder reads.
//!
//! The tools come from the Python test venv that scripts/setup.sh makes (`TWOFOLD_TEST_PYTHON`,
//! as scripts/test.sh exports it): these tests are `#[ignore]`d in a plain `cargo test`, and
//! fail, never skip, when the venv is missing.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use twofold_core::formats::{self, ExportFile};
use twofold_core::{Account, Algorithm, Digits, Kind, SecretBytes, SecretString};

use crate::util::{export_one, totp, NOW};

/// What to do when the venv is missing.
const VENV_HINT: &str = "this test needs the Python test venv (TWOFOLD_TEST_PYTHON, by default \
                         target/py-venv): run scripts/setup.sh";

fn workspace() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Runs `program args…` with `stdin`, returning stdout; panics (never skips) when the tool
/// is missing or fails.
fn run_tool(program: &PathBuf, args: &[&std::ffi::OsStr], stdin: &[u8], hint: &str) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; {hint}", program.display()));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{} failed: {}; {hint}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[ignore = "needs the Python test venv (TWOFOLD_TEST_PYTHON); run by scripts/test.sh"]
fn aegis_export_opens_with_python_cryptography() {
    let mut a = Account::new(
        "ACME",
        "alice@example.com",
        SecretBytes::new(b"1234567890".to_vec()),
        totp(60),
        1,
    );
    a.algorithm = Algorithm::Sha256;
    a.digits = Digits::EIGHT;
    a.notes = "desk drawer".into();
    a.tags = vec!["Work".into(), "Bank".into()];
    a.favourite = true;
    let mut b = Account::new(
        "Ünïcode",
        "bob",
        SecretBytes::new(vec![0xff; 20]),
        Kind::Hotp { counter: 42 },
        1,
    );
    b.tags = vec!["Work".into()];
    b.order = 1;
    let mut c = Account::new(
        "Valve",
        "gaben",
        SecretBytes::new(vec![7; 10]),
        Kind::Steam,
        1,
    );
    c.order = 2;
    let accounts = [a, b, c];
    let pw = SecretString::from("correct horse ✓");
    let bytes = export_one("aegis", &accounts, Some(&pw));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aegis-export.json");
    std::fs::write(&path, &bytes).unwrap();

    let script = workspace().join("tests/tools/aegis_decrypt.py");
    let out = run_tool(
        &test_python(),
        &[script.as_os_str(), path.as_os_str()],
        "correct horse ✓\n".as_bytes(),
        VENV_HINT,
    );
    let db: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(db["version"], 3);
    let groups: Vec<(String, String)> = db["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["uuid"].as_str().unwrap().to_owned(),
                g["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let group_names = |e: &serde_json::Value| -> Vec<String> {
        e["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                groups
                    .iter()
                    .find(|g| g.0 == u.as_str().unwrap())
                    .unwrap()
                    .1
                    .clone()
            })
            .collect()
    };
    let entries = db["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let e = &entries[0];
    assert_eq!(
        (
            e["type"].as_str(),
            e["issuer"].as_str(),
            e["name"].as_str(),
            e["note"].as_str()
        ),
        (
            Some("totp"),
            Some("ACME"),
            Some("alice@example.com"),
            Some("desk drawer")
        )
    );
    assert_eq!(e["favorite"], true);
    assert_eq!(group_names(e), ["Work", "Bank"]);
    assert_eq!(
        e["info"],
        serde_json::json!({"secret": "GEZDGNBVGY3TQOJQ", "algo": "SHA256", "digits": 8, "period": 60})
    );
    let e = &entries[1];
    assert_eq!(
        (e["type"].as_str(), e["issuer"].as_str()),
        (Some("hotp"), Some("Ünïcode"))
    );
    assert_eq!(group_names(e), ["Work"]);
    assert_eq!(
        e["info"],
        serde_json::json!({"secret": "77777777777777777777777777777777", "algo": "SHA1", "digits": 6, "counter": 42})
    );
    let e = &entries[2];
    assert_eq!(e["type"].as_str(), Some("steam"));
    assert_eq!(
        e["info"],
        serde_json::json!({"secret": "A4DQOBYHA4DQOBYH", "algo": "SHA1", "digits": 5, "period": 30})
    );

    // And the same script refuses a wrong password (it really checks the tag).
    let status = Command::new(test_python())
        .args([script.as_os_str(), path.as_os_str()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"wrong\n")?;
            c.wait()
        })
        .unwrap();
    assert_eq!(status.code(), Some(1));
}

/// The Python with the test tools' packages (cryptography, zxing-cpp, Pillow): the venv that
/// scripts/setup.sh makes, as scripts/test.sh exports it in `TWOFOLD_TEST_PYTHON`.
fn test_python() -> PathBuf {
    std::env::var_os("TWOFOLD_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/py-venv/bin/python"))
}

/// 23 accounts (every fifth HOTP) exported as Google Authenticator QR PNGs: three batches
/// (10 + 10 + 3), so three files.
fn google_qr_export() -> (Vec<Account>, Vec<ExportFile>) {
    let accounts: Vec<Account> = (0..23u8)
        .map(|i| {
            let mut a = Account::new(
                format!("Issuer {i}"),
                format!("user{i}@example.com"),
                SecretBytes::new(vec![i; 20]),
                if i % 5 == 0 {
                    Kind::Hotp {
                        counter: u64::from(i),
                    }
                } else {
                    totp(30)
                },
                1,
            );
            a.order = i64::from(i);
            a
        })
        .collect();
    let files = formats::exporter("google-qr")
        .unwrap()
        .export(&accounts, None, NOW)
        .unwrap();
    let suffixes: Vec<&str> = files.iter().map(|f| f.suffix.as_str()).collect();
    assert_eq!(suffixes, ["-1.png", "-2.png", "-3.png"]);
    (accounts, files)
}

/// The payload read from each file (`texts`, one list per file) imports back to its batch of
/// `accounts`, with the other two batches reported missing; all three together are complete.
fn payloads_import_back(accounts: &[Account], texts: &[Vec<String>]) {
    let mut back = Vec::new();
    for texts in texts {
        assert_eq!(texts.len(), 1);
        let imported = formats::importer("google")
            .unwrap()
            .import(texts[0].as_bytes(), None, NOW)
            .unwrap();
        assert_eq!(imported.warnings.len(), 2, "two of three batches missing");
        back.extend(imported.accounts);
    }
    assert_eq!(back.len(), accounts.len());
    for (b, a) in back.iter().zip(accounts) {
        assert_eq!(
            (&b.issuer, &b.name, &b.secret, b.kind),
            (&a.issuer, &a.name, &a.secret, a.kind)
        );
    }
    // All three payloads together are a complete export.
    let all = texts
        .iter()
        .map(|t| t[0].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let imported = formats::importer("google")
        .unwrap()
        .import(all.as_bytes(), None, NOW)
        .unwrap();
    assert_eq!(imported.accounts.len(), 23);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
}

/// The half of the zxing-cpp check below that needs no venv: Twofold's own decoder reads
/// each PNG, and what it reads imports back.
#[test]
fn google_qr_pngs_decode_to_payloads_that_import_back() {
    let (accounts, files) = google_qr_export();
    let ours: Vec<Vec<String>> = files
        .iter()
        .map(|f| twofold_core::qr::decode_image_bytes(&f.bytes).unwrap())
        .collect();
    payloads_import_back(&accounts, &ours);
}

#[test]
#[ignore = "needs the Python test venv (TWOFOLD_TEST_PYTHON); run by scripts/test.sh"]
fn google_qr_pngs_decode_with_zxing_cpp_to_our_payloads() {
    let (accounts, files) = google_qr_export();
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|f| {
            let p = dir.path().join(format!("export{}", f.suffix));
            std::fs::write(&p, &*f.bytes).unwrap();
            p
        })
        .collect();
    let script = workspace().join("tests/tools/zxing_decode.py");
    let mut args = vec![script.as_os_str()];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let out = run_tool(&test_python(), &args, b"", VENV_HINT);
    let zxing: Vec<Vec<String>> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(zxing.len(), 3);
    // zxing-cpp and Twofold's own decoder read the same payload from each PNG …
    for (file, texts) in files.iter().zip(&zxing) {
        assert_eq!(texts.len(), 1);
        let ours = twofold_core::qr::decode_image_bytes(&file.bytes).unwrap();
        assert_eq!(&ours, texts);
    }
    // … and it imports back to the accounts.
    payloads_import_back(&accounts, &zxing);
}

/// The camera dialog's preview (security.md D11) is not readable by zxing-cpp either, while
/// the frame it was made from is: an `otpauth://` code at three sizes and a Google transfer
/// code (10 accounts, a denser symbol), each filling up to most of a 640×480 frame.
#[test]
#[ignore = "needs the Python test venv (TWOFOLD_TEST_PYTHON); run by scripts/test.sh"]
fn camera_previews_are_unreadable_by_zxing_cpp() {
    let (accounts, files) = google_qr_export();
    assert!(!accounts.is_empty());
    let transfer = image::load_from_memory(&files[0].bytes).unwrap().to_luma8();
    let totp_png = twofold_core::qr::encode_png(
        "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        4,
    )
    .unwrap();
    let totp = image::load_from_memory(&totp_png).unwrap().to_luma8();
    let dir = tempfile::tempdir().unwrap();
    let (mut frames, mut previews) = (Vec::new(), Vec::new());
    for (i, (code, size)) in [(&totp, 240), (&totp, 320), (&totp, 470), (&transfer, 470)]
        .into_iter()
        .enumerate()
    {
        let code = image::imageops::resize(code, size, size, image::imageops::FilterType::Nearest);
        let mut canvas = image::GrayImage::from_pixel(640, 480, image::Luma([190]));
        image::imageops::overlay(
            &mut canvas,
            &code,
            i64::from((640 - size) / 2),
            i64::from((480 - size) / 2),
        );
        let frame = dir.path().join(format!("frame-{i}.png"));
        canvas.save(&frame).unwrap();
        let preview = dir.path().join(format!("preview-{i}.png"));
        let png = twofold_core::scanner::preview_png(640, 480, canvas.as_raw()).unwrap();
        std::fs::write(&preview, png).unwrap();
        frames.push(frame);
        previews.push(preview);
    }
    let script = workspace().join("tests/tools/zxing_decode.py");
    // The frames read (exit 0: every image held a code) …
    let mut args = vec![script.as_os_str()];
    args.extend(frames.iter().map(|p| p.as_os_str()));
    let out = run_tool(&test_python(), &args, b"", VENV_HINT);
    for line in out.lines() {
        let texts: Vec<String> = serde_json::from_str(line).unwrap();
        assert_eq!(texts.len(), 1, "a frame did not read: {out}");
    }
    // … their previews do not (exit 1, one empty list per image).
    let out = Command::new(test_python())
        .arg(&script)
        .args(&previews)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the test Python: {e}; {VENV_HINT}"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(
        lines,
        vec!["[]"; previews.len()],
        "zxing-cpp read a preview"
    );
}
