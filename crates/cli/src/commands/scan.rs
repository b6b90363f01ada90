//! `scan`: QR codes from a file, the clipboard or the screen, through core's one engine.

use std::io::Read;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use twofold_core::camera::{self, Camera, CameraError, ScanEvent};
use twofold_core::capture::{self, CaptureError};
use twofold_core::intake;
use twofold_core::qr::{self, QrError};
use twofold_core::scanner::Progress;

use super::accounts::{add_accounts, intake_accounts};
use crate::cli::{GlobalArgs, ScanArgs};
use crate::error::{one_line, Exit, Failure};
use crate::output::println;
use crate::session::now_i64;

// ---------------------------------------------------------------------------------------
// scan

/// `scan`: QR codes from a file, the clipboard or the screen, through core's one engine.
pub(super) fn scan(g: &GlobalArgs, args: &ScanArgs) -> Result<(), Failure> {
    if args.list_cameras {
        let cameras = camera::list().map_err(camera_failure)?;
        if cameras.is_empty() {
            return Err(camera_failure(CameraError::NoCamera));
        }
        for c in cameras {
            println(&format!("{}\t{}", c.index, c.name))?;
        }
        return Ok(());
    }
    let texts = if args.camera {
        scan_camera(args)?
    } else if args.screen {
        capture::scan_screen().map_err(capture_failure)?
    } else if args.clipboard {
        capture::scan_clipboard().map_err(capture_failure)?.payloads
    } else {
        let Some(path) = &args.file else {
            return Err(Failure::usage(
                "give FILE, --clipboard, --screen or --camera",
            ));
        };
        let bytes = read_image_file(path)?;
        qr::decode_image_bytes(&bytes).map_err(|e| qr_failure(e).context(path.display()))?
    };
    if args.raw {
        for t in &texts {
            println(t)?;
        }
        return Ok(());
    }
    let total = texts.len();
    let otp: Vec<String> = texts
        .into_iter()
        .filter(|t| intake::is_otp_payload(t))
        .collect();
    if otp.is_empty() {
        return Err(Failure::usage(format!(
            "found {total} QR code{}, but none holds an otpauth:// or otpauth-migration:// URI \
             (print {} with --raw)",
            if total == 1 { "" } else { "s" },
            if total == 1 { "it" } else { "them" },
        )));
    }
    if !args.add {
        for t in &otp {
            println(t)?;
        }
        return Ok(());
    }
    let accounts = intake_accounts(intake::texts(&otp, intake::Source::QrCode, now_i64()))?;
    add_accounts(g, accounts)
}

/// `scan --camera`: frames until the scan is complete, "2 of 3" on standard error as codes
/// of a transfer batch come in.
fn scan_camera(args: &ScanArgs) -> Result<Vec<String>, Failure> {
    let camera = Camera::open(args.device).map_err(camera_failure)?;
    eprintln!(
        "hold the QR code up to the camera (up to {} s; Ctrl+C stops)",
        args.timeout
    );
    // Ctrl+C ends the process; nothing else stops a terminal scan early.
    let never = AtomicBool::new(false);
    camera
        .scan(Duration::from_secs(args.timeout), &never, |event| {
            if let ScanEvent::Progress(Progress {
                scanned,
                expected: Some(n),
                ..
            }) = event
            {
                eprintln!("{scanned} of {n} scanned");
            }
        })
        .map_err(camera_failure)
}

/// The exit class of a camera failure: a missing or wrong device and a timeout are the
/// user's to fix (2); a camera that cannot start is an error (1).
fn camera_failure(e: CameraError) -> Failure {
    match e {
        CameraError::NoCamera | CameraError::NoSuchDevice { .. } | CameraError::Timeout { .. } => {
            Failure::usage(one_line(&e))
        }
        _ => Failure::other(one_line(&e)),
    }
}

/// Reads an image file (or standard input for `-`), refusing more than the decoder accepts
/// before reading it all.
fn read_image_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let max = qr::Limits::default().max_file_bytes;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(max as u64 + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(max as u64 + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| Failure::other(format!("cannot read {}: {}", path.display(), one_line(&e))))?;
    // One byte over is enough for the decoder to report the size limit.
    Ok(bytes)
}

/// The exit class of a decode failure: the input's fault (2) or ours (1).
fn qr_failure(e: QrError) -> Failure {
    let exit = match e {
        QrError::TooLarge { .. }
        | QrError::Dimensions { .. }
        | QrError::Format(_)
        | QrError::NotFound => Exit::Usage,
        _ => Exit::Error,
    };
    Failure::new(exit, one_line(&e))
}

/// The exit class of a screen or clipboard failure.
fn capture_failure(e: CaptureError) -> Failure {
    match e {
        CaptureError::Qr(q) => qr_failure(q),
        CaptureError::ClipboardEmpty | CaptureError::NotFound { .. } => {
            Failure::usage(one_line(&e))
        }
        _ => Failure::other(one_line(&e)),
    }
}
