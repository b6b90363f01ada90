//! Image bytes → `qr::decode_image_bytes_with` (issue 4: no panic on any input), with the
//! dimensions and the decoded pixel buffer bounded below the app's defaults (1024 px, 16 MiB)
//! so that one input stays far under libFuzzer's memory and time limits; the bounds checks
//! themselves are the same code the defaults go through.
//!
//! The decoder catches panics itself (rqrr has panicked on real photos) and turns one that
//! escapes its pipeline into `QrError::Panicked`. Here that error is a crash: a panic in our
//! own code is a bug even when it is caught. libfuzzer-sys aborts on every panic, caught or
//! not, so the init block installs a hook that only remembers the message, and the target
//! fails with it when the decoder reports `Panicked`.
#![no_main]

use std::sync::Mutex;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use twofold_core::qr::{self, Limits, QrError};

static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

const LIMITS: Limits = Limits {
    max_file_bytes: 1024 * 1024,
    max_dim: 1024,
    max_alloc: 16 * 1024 * 1024,
    time_budget: Duration::from_secs(2),
};

fuzz_target!(
    init: {
        std::panic::set_hook(Box::new(|info| {
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = info.to_string();
            }
        }));
    },
    |data: &[u8]| {
        if let Err(QrError::Panicked) = qr::decode_image_bytes_with(data, &LIMITS) {
            let why = LAST_PANIC.lock().map(|s| s.clone()).unwrap_or_default();
            // Back to the default hook so libFuzzer's report shows this panic.
            let _ = std::panic::take_hook();
            panic!("the QR decoder panicked: {why}");
        }
    }
);
