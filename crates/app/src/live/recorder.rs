//! A video of the room (or of the try-on view), saved as WebM. Every member
//! records its own preview (they show the same picture), so nobody has to send
//! the video. [`Recorder`] uses WebCodecs where the browser has it
//! ([`super::codec_recorder`]: every painted frame is kept) and otherwise
//! MediaRecorder on the canvas's stream ([`StreamRecorder`], below).
//!
//! The canvas is captured frame by frame ([`Recorder::frame_painted`] after each
//! paint) rather than at a fixed rate: with a rate, Chrome delivered a fraction
//! of a second of frames from a four-second recording on members who had not
//! pressed the button (the preview painted 13-24 frames meanwhile).
//!
//! Stopping is not immediate: on a busy device the encoder runs seconds behind
//! the canvas, and Chrome drops what it has not encoded when the recorder stops.
//! So Stop ends the capture at once (no new frames), then asks for the data
//! every [`FLUSH_POLL_MS`] and closes the file once nothing new has come for
//! [`FLUSH_QUIET_MS`]: the encoder has caught up (at most [`FLUSH_MAX_MS`]).
//! A fixed two seconds was not enough with three browsers on two cores.
//! While the file stays open, Chrome's canvas track still sends a refresh frame
//! about every two seconds, stamped when sent: those frames, later than Stop,
//! are cut off the finished file ([`huddle_protocol::webm::live_cut`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use huddle_protocol::webm;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    Blob, BlobEvent, BlobPropertyBag, CanvasCaptureMediaStreamTrack, HtmlCanvasElement,
    MediaRecorder, MediaRecorderOptions, MediaStream, RecordingState,
};

use super::codec_recorder::CodecRecorder;
use super::dom::now;
use crate::camera::stop_stream;

/// Enough for a sharp 800×450 preview without making minute-long videos huge.
const VIDEO_BITS_PER_SECOND: u32 = 2_500_000;
/// After Stop: how often the recorder is asked for what it has encoded,
const FLUSH_POLL_MS: u32 = 300;
/// how long without new data means the encoder has caught up,
const FLUSH_QUIET_MS: f64 = 1000.0;
/// and the longest the file stays open after Stop.
const FLUSH_MAX_MS: f64 = 15_000.0;
/// Frames up to this long after Stop stay in the file: the last painted
/// picture may be stamped a moment after the click.
const KEEP_AFTER_STOP_S: f64 = 0.25;
/// Codecs in order of preference; the first the browser records is used.
/// VP8 first: it encodes at a fraction of VP9's cost, and the phone recording
/// is also segmenting, composing and sending video.
const MIME_TYPES: [&str; 3] = [
    "video/webm;codecs=vp8",
    "video/webm;codecs=vp9",
    "video/webm",
];

/// A finished video in the room's album.
#[derive(Clone, Debug, PartialEq)]
pub struct Video {
    pub id: u64,
    /// An object URL of the WebM file.
    pub url: String,
    pub bytes: f64,
    pub seconds: f64,
    pub width: u32,
    pub height: u32,
}

/// A recording in progress. Keep it until `on_done` has run: its callbacks live here.
pub enum Recorder {
    Codec(CodecRecorder),
    Stream(StreamRecorder),
}

impl Recorder {
    /// Starts recording `canvas`; `on_done` gets the WebM once [`Recorder::stop`]
    /// has been called and the last frames are encoded (`None` when nothing was
    /// recorded).
    pub fn start(
        canvas: &HtmlCanvasElement,
        on_done: impl FnOnce(Option<Blob>) + 'static,
    ) -> Result<Self, JsValue> {
        if CodecRecorder::can_record(canvas) {
            CodecRecorder::start(canvas, on_done).map(Self::Codec)
        } else {
            StreamRecorder::start(canvas, on_done).map(Self::Stream)
        }
    }

    /// The canvas was just painted: that picture is the next frame.
    pub fn frame_painted(&self) {
        match self {
            Self::Codec(r) => r.frame_painted(),
            Self::Stream(r) => r.frame_painted(),
        }
    }

    /// Ends the recording; `on_done` runs once the file is complete.
    pub fn stop(&self) {
        match self {
            Self::Codec(r) => r.stop(),
            Self::Stream(r) => r.stop(),
        }
    }
}

/// MediaRecorder on the canvas's stream, for browsers without WebCodecs.
pub struct StreamRecorder {
    recorder: MediaRecorder,
    stream: MediaStream,
    /// The canvas's track, asked for each painted frame.
    track: Option<CanvasCaptureMediaStreamTrack>,
    /// Still taking frames (until Stop).
    capturing: Cell<bool>,
    /// When the recorder last handed over encoded data.
    last_data: Rc<Cell<f64>>,
    /// How long after the start Stop came (seconds), once it has. The first
    /// frame is requested at the start, so this bounds the frames' own times.
    stopped_after: Rc<Cell<Option<f64>>>,
    /// When recording started (`performance.now()`, ms).
    started: f64,
    _on_data: Closure<dyn FnMut(BlobEvent)>,
    _on_stop: Closure<dyn FnMut(web_sys::Event)>,
}

impl StreamRecorder {
    /// Starts recording `canvas`; `on_done` gets the WebM once [`StreamRecorder::stop`]
    /// has been called and the browser has flushed the last data (`None` when
    /// nothing was recorded).
    pub fn start(
        canvas: &HtmlCanvasElement,
        on_done: impl FnOnce(Option<Blob>) + 'static,
    ) -> Result<Self, JsValue> {
        // Rate 0: a frame only when asked for, once per paint.
        let stream = canvas.capture_stream_with_frame_request_rate(0.0)?;
        let track = stream
            .get_video_tracks()
            .get(0)
            .dyn_into::<CanvasCaptureMediaStreamTrack>()
            .ok();
        let mime = MIME_TYPES
            .into_iter()
            .find(|m| MediaRecorder::is_type_supported(m))
            .ok_or_else(|| JsValue::from_str("this browser cannot record WebM video"))?;
        let options = MediaRecorderOptions::new();
        options.set_mime_type(mime);
        options.set_video_bits_per_second(VIDEO_BITS_PER_SECOND);
        let recorder =
            MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options)?;

        let parts: Rc<RefCell<Vec<Blob>>> = Rc::default();
        let sink = parts.clone();
        let last_data = Rc::new(Cell::new(now()));
        let data_seen = last_data.clone();
        let on_data = Closure::<dyn FnMut(BlobEvent)>::new(move |ev: BlobEvent| {
            if let Some(blob) = ev.data().filter(|b| b.size() > 0.0) {
                sink.borrow_mut().push(blob);
                data_seen.set(now());
            }
        });
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        let mut on_done = Some(on_done);
        let stopped_after: Rc<Cell<Option<f64>>> = Rc::default();
        let stop_seen = stopped_after.clone();
        let on_stop = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let Some(done) = on_done.take() else {
                return;
            };
            let parts = std::mem::take(&mut *parts.borrow_mut());
            let (file, keep_s) = (join(&parts), stop_seen.get());
            spawn_local(async move {
                match (file, keep_s) {
                    (Some(file), Some(keep_s)) => done(Some(
                        without_late_frames(file, keep_s + KEEP_AFTER_STOP_S).await,
                    )),
                    (file, _) => done(file),
                }
            });
        });
        recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
        // Data every second, so a crash or a long recording never holds it all in one buffer.
        recorder.start_with_time_slice(1000)?;
        // The picture as it is now is the video's first frame.
        if let Some(track) = &track {
            track.request_frame();
        }
        Ok(Self {
            recorder,
            stream,
            track,
            capturing: Cell::new(true),
            last_data,
            stopped_after,
            started: now(),
            _on_data: on_data,
            _on_stop: on_stop,
        })
    }

    /// The preview canvas was just painted: that picture is the next frame.
    pub fn frame_painted(&self) {
        if let (true, Some(track)) = (self.capturing.get(), &self.track) {
            track.request_frame();
        }
    }

    /// Ends the recording: no frames from now; the file closes once the
    /// encoder has caught up, then `on_done` runs.
    pub fn stop(&self) {
        if !self.capturing.replace(false) {
            return;
        }
        self.stopped_after
            .set(Some((now() - self.started).max(0.0) / 1000.0));
        let (recorder, stream) = (self.recorder.clone(), self.stream.clone());
        let last_data = self.last_data.clone();
        spawn_local(async move {
            let stopped = now();
            loop {
                let _ = recorder.request_data();
                TimeoutFuture::new(FLUSH_POLL_MS).await;
                if recorder.state() == RecordingState::Inactive {
                    return;
                }
                let t = now();
                if t - last_data.get() >= FLUSH_QUIET_MS || t - stopped >= FLUSH_MAX_MS {
                    break;
                }
            }
            close(&recorder, &stream);
        });
    }
}

fn close(recorder: &MediaRecorder, stream: &MediaStream) {
    if recorder.state() != RecordingState::Inactive {
        let _ = recorder.stop();
    }
    stop_stream(stream);
}

impl Drop for StreamRecorder {
    fn drop(&mut self) {
        // Dropped without stopping (the page closes): detach the callbacks first.
        self.recorder.set_ondataavailable(None);
        self.recorder.set_onstop(None);
        self.capturing.set(false);
        close(&self.recorder, &self.stream);
    }
}

/// `file` without the frames stamped later than `keep_s` after its first (the
/// whole file when it cannot be read or cut).
async fn without_late_frames(file: Blob, keep_s: f64) -> Blob {
    let Ok(buffer) = JsFuture::from(file.array_buffer()).await else {
        return file;
    };
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    match webm::live_cut(std::io::Cursor::new(&bytes), bytes.len() as u64, keep_s) {
        Ok(Some(end)) => file
            .slice_with_f64_and_f64_and_content_type(0.0, end as f64, "video/webm")
            .unwrap_or(file),
        _ => file,
    }
}

fn join(parts: &[Blob]) -> Option<Blob> {
    if parts.is_empty() {
        return None;
    }
    let array = js_sys::Array::new();
    for part in parts {
        array.push(part);
    }
    let options = BlobPropertyBag::new();
    options.set_type("video/webm");
    Blob::new_with_blob_sequence_and_options(&array, &options).ok()
}
