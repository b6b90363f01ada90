//! The webcam as a QR source: "Add → Scan with camera" and `twofold-cli scan --camera`
//! (issue 12).
//!
//! Owns getting frames from a camera through GStreamer and handing each one to the same engine
//! as image files, [`crate::qr::decode_luma_with`]; when a scan is done is
//! [`crate::scanner::Collector`]'s to say. GStreamer is the capture stack because one pipeline
//! description covers V4L2 and PipeWire on Linux, AVFoundation on macOS and Media Foundation on
//! Windows (through its device monitor), and because the same pipeline can be fed from files,
//! which is how the tests drive the real capture path without a camera.
//!
//! Frames stay in memory (GStreamer buffers, then one grayscale copy that is wiped once
//! decoded); nothing is written to disk. Dropping a [`Camera`] stops the pipeline, which
//! releases the device: the camera light goes off.
//!
//! `TWOFOLD_CAMERA_SOURCE`, when set, replaces the device with a GStreamer source description
//! (`gst-launch-1.0` syntax, e.g. `multifilesrc location=f%03d.png caps=image/png,framerate=5/1
//! ! pngdec`): the tests' way in, and a way to use a source the device monitor does not list.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use zeroize::Zeroize;

use crate::qr;
use crate::scanner::{Collector, Progress};

/// Environment variable naming a GStreamer source to use instead of a camera.
pub const SOURCE_ENV: &str = "TWOFOLD_CAMERA_SOURCE";

/// The part of every pipeline after the source: grayscale frames into an appsink that keeps
/// only the newest frame (decoding slower than the camera drops frames instead of queueing
/// them). `sync=true` paces frames by their timestamps, so a source fed from files plays in
/// real time like a camera instead of all at once.
const SINK: &str = "videoconvert ! video/x-raw,format=GRAY8 ! \
     appsink name=twofold_sink max-buffers=1 drop=true sync=true";

/// Time one frame's QR search may take before the next frame is more useful.
const FRAME_BUDGET: Duration = Duration::from_millis(700);

/// Why the camera gave no frames or no QR payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    /// No camera is connected (or none that GStreamer can open).
    #[error("no camera found; connect one, or add the account from a screenshot, an image file or its setup key")]
    NoCamera,
    /// `--device N` (or the dialog's pick) names no camera.
    #[error("there is no camera {index}: {count} camera(s) found")]
    NoSuchDevice {
        /// The index asked for, from 0.
        index: usize,
        /// How many cameras there are.
        count: usize,
    },
    /// The camera could not be started: in use by another app, or access refused by the system.
    #[error("cannot start the camera: {0}")]
    Unavailable(String),
    /// The source stopped sending frames (unplugged, or the end of a test file sequence).
    #[error("the camera stopped sending pictures")]
    Ended,
    /// The scan was stopped (the dialog closed, the vault locked).
    #[error("the camera scan was stopped")]
    Cancelled,
    /// Nothing complete was read before the time limit.
    #[error("no 2FA QR code read within {seconds} s{}", partial_note(.progress))]
    Timeout {
        /// The time limit, in seconds.
        seconds: u64,
        /// What had been read when time ran out.
        progress: Progress,
    },
}

fn partial_note(p: &Progress) -> String {
    match p.expected {
        Some(n) if p.scanned > 0 => {
            format!(" ({} of {n} codes of the transfer scanned)", p.scanned)
        }
        _ => String::new(),
    }
}

/// A camera the device monitor lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CameraInfo {
    /// Position in the list, from 0: what `--device` takes.
    pub index: usize,
    /// The name the system gives it ("Integrated Camera").
    pub name: String,
}

fn init() -> Result<(), CameraError> {
    gst::init().map_err(|e| CameraError::Unavailable(format!("GStreamer: {e}")))
}

/// The devices GStreamer can capture video from, in the order the monitor gives them.
fn devices() -> Result<Vec<gst::Device>, CameraError> {
    init()?;
    let monitor = gst::DeviceMonitor::new();
    monitor.add_filter(Some("Video/Source"), None);
    if monitor.start().is_err() {
        // No provider could start (no V4L2, no PipeWire): nothing to list.
        return Ok(Vec::new());
    }
    let list: Vec<gst::Device> = monitor.devices().into_iter().collect();
    monitor.stop();
    Ok(list)
}

/// The cameras that can be scanned with. With [`SOURCE_ENV`] set, that source is the one
/// camera.
///
/// # Errors
/// [`CameraError::Unavailable`] when GStreamer cannot start.
pub fn list() -> Result<Vec<CameraInfo>, CameraError> {
    list_with(std::env::var(SOURCE_ENV).ok().as_deref())
}

/// [`list`] with the source given instead of read from [`SOURCE_ENV`]: a source is the one
/// camera; without one, the devices.
///
/// # Errors
/// As [`list`].
pub fn list_with(source: Option<&str>) -> Result<Vec<CameraInfo>, CameraError> {
    init()?;
    if source.is_some() {
        return Ok(vec![CameraInfo {
            index: 0,
            name: "Test source".into(),
        }]);
    }
    Ok(devices()?
        .iter()
        .enumerate()
        .map(|(index, d)| CameraInfo {
            index,
            name: d.display_name().to_string(),
        })
        .collect())
}

/// One grayscale frame: row-major, no padding, 0 is black. Wiped when dropped.
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` luminance values.
    pub pixels: Vec<u8>,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A frame may show a QR code full of secrets: the size only.
        write!(f, "Frame({}x{})", self.width, self.height)
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        self.pixels.zeroize();
    }
}

/// A running camera pipeline. Dropping it stops the pipeline and releases the device.
pub struct Camera {
    pipeline: gst::Pipeline,
    sink: gst_app::AppSink,
}

impl fmt::Debug for Camera {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Camera")
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        // Null releases the device (the light goes off) and frees the buffers.
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

impl Camera {
    /// Opens camera `index` (see [`list`]; `None` = the first), or the [`SOURCE_ENV`] source.
    ///
    /// # Errors
    /// [`CameraError::NoCamera`], [`CameraError::NoSuchDevice`], or
    /// [`CameraError::Unavailable`] when the pipeline cannot start.
    pub fn open(index: Option<usize>) -> Result<Self, CameraError> {
        match std::env::var(SOURCE_ENV) {
            Ok(source) => Self::open_source(&source),
            Err(_) => Self::open_device(index),
        }
    }

    /// Opens camera `index` of [`list`] (`None` = the first), whatever [`SOURCE_ENV`] says.
    ///
    /// # Errors
    /// As [`Camera::open`].
    pub fn open_device(index: Option<usize>) -> Result<Self, CameraError> {
        init()?;
        let devices = devices()?;
        if devices.is_empty() {
            return Err(CameraError::NoCamera);
        }
        let i = index.unwrap_or(0);
        let device = devices.get(i).ok_or(CameraError::NoSuchDevice {
            index: i,
            count: devices.len(),
        })?;
        let source = device
            .create_element(None)
            .map_err(|e| CameraError::Unavailable(e.to_string()))?;
        let rest = gst::parse_bin_from_description(SINK, true)
            .map_err(|e| CameraError::Unavailable(e.to_string()))?;
        let pipeline = gst::Pipeline::new();
        pipeline
            .add_many([&source, rest.upcast_ref()])
            .and_then(|()| source.link(&rest))
            .map_err(|e| CameraError::Unavailable(e.to_string()))?;
        Self::start(pipeline)
    }

    /// Opens a GStreamer source description (`gst-launch-1.0` syntax) as the camera, as
    /// [`SOURCE_ENV`] does.
    ///
    /// # Errors
    /// [`CameraError::Unavailable`] when the description does not parse or cannot start.
    pub fn open_source(source: &str) -> Result<Self, CameraError> {
        init()?;
        let pipeline = gst::parse_launch(&format!("{source} ! {SINK}"))
            .map_err(|e| CameraError::Unavailable(e.to_string()))?
            .downcast::<gst::Pipeline>()
            .map_err(|_| CameraError::Unavailable("not a pipeline".into()))?;
        Self::start(pipeline)
    }

    /// Finds the frame sink and sets the pipeline playing.
    fn start(pipeline: gst::Pipeline) -> Result<Self, CameraError> {
        let sink = pipeline
            .by_name("twofold_sink")
            .and_then(|e| e.downcast::<gst_app::AppSink>().ok())
            .ok_or_else(|| CameraError::Unavailable("no frame sink in the pipeline".into()))?;
        let camera = Camera { pipeline, sink };
        if let Err(e) = camera.pipeline.set_state(gst::State::Playing) {
            return Err(CameraError::Unavailable(
                camera.bus_error().unwrap_or_else(|| e.to_string()),
            ));
        }
        Ok(camera)
    }

    /// The first error message on the pipeline's bus, if any (a refused device says why there).
    fn bus_error(&self) -> Option<String> {
        let bus = self.pipeline.bus()?;
        while let Some(msg) = bus.pop() {
            if let gst::MessageView::Error(err) = msg.view() {
                return Some(err.error().to_string());
            }
        }
        None
    }

    /// The next frame, waiting at most `timeout`; `Ok(None)` when none came in time.
    ///
    /// # Errors
    /// [`CameraError::Ended`] when the source has stopped, [`CameraError::Unavailable`] when
    /// the pipeline reported an error.
    pub fn next_frame(&self, timeout: Duration) -> Result<Option<Frame>, CameraError> {
        let wait =
            gst::ClockTime::from_mseconds(timeout.as_millis().try_into().unwrap_or(u64::MAX));
        let Some(sample) = self.sink.try_pull_sample(wait) else {
            if let Some(err) = self.bus_error() {
                return Err(CameraError::Unavailable(err));
            }
            return if self.sink.is_eos() {
                Err(CameraError::Ended)
            } else {
                Ok(None)
            };
        };
        let dims = sample.caps().and_then(|caps| {
            let s = caps.structure(0)?;
            Some((s.get::<i32>("width").ok()?, s.get::<i32>("height").ok()?))
        });
        let (Some((w, h)), Some(buffer)) = (dims, sample.buffer()) else {
            return Ok(None);
        };
        let (w, h) = (
            usize::try_from(w).unwrap_or(0),
            usize::try_from(h).unwrap_or(0),
        );
        let Ok(map) = buffer.map_readable() else {
            return Ok(None);
        };
        // GStreamer pads each GRAY8 row to a multiple of 4 bytes.
        let stride = w.div_ceil(4) * 4;
        if w == 0 || h == 0 || map.len() < stride * (h - 1) + w {
            return Ok(None);
        }
        let mut pixels = Vec::with_capacity(w * h);
        for row in map.chunks(stride).take(h) {
            pixels.extend_from_slice(&row[..w]);
        }
        Ok(Some(Frame {
            width: u32::try_from(w).unwrap_or(0),
            height: u32::try_from(h).unwrap_or(0),
            pixels,
        }))
    }
}

/// Decodes one frame under a per-frame time budget; every payload it holds, or none.
pub fn decode_frame(frame: &Frame) -> Vec<String> {
    let limits = qr::Limits {
        time_budget: FRAME_BUDGET,
        ..qr::Limits::default()
    };
    // Most frames hold no code, or one too blurred to read: that is no error, the next frame
    // may be better.
    qr::decode_luma_with(frame.width, frame.height, &frame.pixels, &limits).unwrap_or_default()
}

/// What [`Camera::scan`] reports while it runs.
#[derive(Debug)]
pub enum ScanEvent<'a> {
    /// A frame came in (for a preview: see [`crate::scanner::preview_png`]).
    Frame(&'a Frame),
    /// Something new was read.
    Progress(Progress),
}

impl Camera {
    /// Scans until the [`Collector`] is complete (one `otpauth://` code, or every code of a
    /// transfer batch), `timeout` passes or `stop` is set; `on_event` hears of every frame and
    /// every change. Every frame is decoded, so the best frame of a shaky hand wins; frames
    /// that arrive while one is being decoded are dropped. Returns the payloads read; the
    /// camera is released either way.
    ///
    /// # Errors
    /// As [`Camera::next_frame`], [`CameraError::Timeout`] and [`CameraError::Cancelled`].
    pub fn scan(
        self,
        timeout: Duration,
        stop: &AtomicBool,
        mut on_event: impl FnMut(ScanEvent<'_>),
    ) -> Result<Vec<String>, CameraError> {
        let deadline = Instant::now() + timeout;
        let mut collector = Collector::new();
        loop {
            if stop.load(Ordering::Relaxed) {
                return Err(CameraError::Cancelled);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(CameraError::Timeout {
                    seconds: timeout.as_secs(),
                    progress: collector.progress(),
                });
            }
            // Short waits, so that a stop is seen within a fifth of a second.
            let Some(frame) = self.next_frame(left.min(Duration::from_millis(200)))? else {
                continue;
            };
            on_event(ScanEvent::Frame(&frame));
            let mut payloads = decode_frame(&frame);
            let changed = collector.offer(&payloads);
            for p in &mut payloads {
                p.zeroize();
            }
            if !changed {
                continue;
            }
            let progress = collector.progress();
            on_event(ScanEvent::Progress(progress));
            if progress.complete {
                drop(self);
                return Ok(collector.take());
            }
        }
    }
}
