//! "Add → Scan with camera" (issue 12): list the cameras, scan until a code (or a whole
//! Google Authenticator transfer) is read, stop.
//!
//! The frames stay in Rust. The page gets a preview too small and blurred to read
//! ([`scanner::preview_png`]), the progress ("2 of 3 scanned"), and in the end the same
//! [`ScanResult`] as every other QR source, whose candidates carry no secret. One scan runs at
//! a time; a new one, `stop_camera`, a lock of the vault or the time limit ends it, and ending
//! it releases the camera.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use twofold_core::camera::{self, Camera, CameraError, CameraInfo, ScanEvent};
use twofold_core::scanner;

use super::import::{blocking, require_unlocked, scan_outcome};
use crate::error::{IpcError, IpcResult};
use crate::state::{self, VaultState};
use crate::views::ScanResult;

/// How long the dialog keeps the camera on without reading anything complete.
const SCAN_TIMEOUT: Duration = Duration::from_secs(180);
/// Least time between two preview frames sent to the page (5 a second).
const PREVIEW_EVERY: Duration = Duration::from_millis(200);

/// The running scan's stop flag, if one runs, and the camera to use.
#[derive(Default)]
pub struct CameraScans {
    running: Mutex<Option<Arc<AtomicBool>>>,
    /// A GStreamer source description instead of a device (`TWOFOLD_CAMERA_SOURCE`; tests).
    source: Mutex<Option<String>>,
}

impl CameraScans {
    /// The app's: a device, or `TWOFOLD_CAMERA_SOURCE` when set.
    pub fn from_env() -> Self {
        let scans = Self::default();
        if let Ok(source) = std::env::var(camera::SOURCE_ENV) {
            scans.use_source(source);
        }
        scans
    }

    /// Scans from a GStreamer source description instead of a device (frames from files).
    pub fn use_source(&self, description: impl Into<String>) {
        *self.source.lock().unwrap_or_else(|p| p.into_inner()) = Some(description.into());
    }

    fn source(&self) -> Option<String> {
        self.source
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops the running scan, if any; returns whether one ran.
    fn stop(&self) -> bool {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        running.is_some_and(|flag| !flag.swap(true, Ordering::Relaxed))
    }

    /// Starts tracking a new scan, stopping the one before.
    fn start(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        let old = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(flag.clone());
        if let Some(old) = old {
            old.store(true, Ordering::Relaxed);
        }
        flag
    }
}

/// `camera-preview` event: a PNG data URL.
#[derive(Clone, Serialize)]
struct Preview {
    url: String,
}

/// The cameras to pick from (empty: none connected).
#[tauri::command]
pub async fn list_cameras(scans: State<'_, CameraScans>) -> IpcResult<Vec<CameraInfo>> {
    let source = scans.source();
    blocking(move || camera::list_with(source.as_deref()))
        .await?
        .map_err(IpcError::from)
}

/// Scans with camera `device` (`None`: the first) until a code or a whole transfer batch is
/// read, then returns it as import candidates (duplicates marked, as for every QR source).
/// A stop (dialog closed, new scan, vault locked) returns an empty result.
#[tauri::command]
pub async fn scan_camera<R: Runtime>(
    app: AppHandle<R>,
    vault: State<'_, VaultState>,
    scans: State<'_, CameraScans>,
    device: Option<usize>,
) -> IpcResult<ScanResult> {
    require_unlocked(&vault)?;
    if device.is_some_and(|d| d > 64) {
        return Err(IpcError::invalid("no such camera"));
    }
    let stop = scans.start();
    let source = scans.source();
    let worker_app = app.clone();
    let worker_stop = stop.clone();
    let scanned = blocking(move || {
        let camera = match &source {
            Some(description) => Camera::open_source(description)?,
            None => Camera::open_device(device)?,
        };
        let _ = worker_app.emit("camera-started", ());
        let mut last_preview: Option<Instant> = None;
        camera.scan(SCAN_TIMEOUT, &worker_stop, |event| match event {
            ScanEvent::Frame(frame) => {
                // A locked vault ends the scan: nothing may be added until it is unlocked.
                if !unlocked(&worker_app) {
                    worker_stop.store(true, Ordering::Relaxed);
                    return;
                }
                if last_preview.is_some_and(|t| t.elapsed() < PREVIEW_EVERY) {
                    return;
                }
                last_preview = Some(Instant::now());
                if let Some(png) = scanner::preview_png(frame.width, frame.height, &frame.pixels) {
                    let url = format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(png)
                    );
                    let _ = worker_app.emit("camera-preview", Preview { url });
                }
            }
            ScanEvent::Progress(p) => {
                let _ = worker_app.emit("camera-progress", p);
            }
        })
    })
    .await?;
    // This scan is over: forget its flag unless a newer scan replaced it.
    {
        let mut current = scans.running.lock().unwrap_or_else(|p| p.into_inner());
        if current.as_ref().is_some_and(|f| Arc::ptr_eq(f, &stop)) {
            *current = None;
        }
    }
    match scanned {
        Ok(payloads) => scan_outcome(&vault, Ok(payloads)),
        Err(CameraError::Cancelled) => Ok(ScanResult::default()),
        Err(e @ CameraError::Timeout { .. }) => scan_outcome(&vault, Err(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// Stops the running scan (the dialog closed); the camera is released within a fifth of a
/// second. Returns whether a scan was running.
#[tauri::command]
pub async fn stop_camera(scans: State<'_, CameraScans>) -> IpcResult<bool> {
    Ok(scans.stop())
}

fn unlocked<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<VaultState>()
        .is_some_and(|v| state::lock(&v).file().is_ok())
}

impl From<CameraError> for IpcError {
    fn from(e: CameraError) -> Self {
        match e {
            CameraError::NoCamera | CameraError::NoSuchDevice { .. } => {
                IpcError::InvalidInput(e.to_string())
            }
            CameraError::Cancelled => IpcError::Cancelled(e.to_string()),
            _ => IpcError::Internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_scan_stops_the_one_before_and_stop_stops_the_current_one() {
        let scans = CameraScans::default();
        assert!(!scans.stop(), "nothing ran");
        let first = scans.start();
        let second = scans.start();
        assert!(first.load(Ordering::Relaxed), "replaced scan stopped");
        assert!(!second.load(Ordering::Relaxed));
        assert!(scans.stop());
        assert!(second.load(Ordering::Relaxed));
        assert!(!scans.stop(), "stopped once");
    }

    #[test]
    fn camera_errors_keep_their_message_and_kind() {
        let e: IpcError = CameraError::NoCamera.into();
        assert!(
            matches!(&e, IpcError::InvalidInput(m) if m.contains("no camera found")),
            "{e:?}"
        );
        let e: IpcError = CameraError::Unavailable("busy".into()).into();
        assert!(
            matches!(&e, IpcError::Internal(m) if m.contains("busy")),
            "{e:?}"
        );
    }
}
