//! The camera's frames as WebCodecs `VideoFrame`s (Chrome's
//! `MediaStreamTrackProcessor`), newest only, each with the wall-clock time it
//! was read. The sender hands them to the vision workers as they are: a
//! `createImageBitmap` of the camera's `<video>` converted every frame to RGB on
//! the UI thread, 12.8 % of a busy page's main thread in a 4-member room
//! (docs/benchmarks.md). Browsers without the processor keep that path.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{MediaStream, MediaStreamTrack, ReadableStreamDefaultReader};

use crate::compose::feed::LiveFeed;
use crate::compose::picture::Picture;
use crate::webcodecs::{call, construct, object};

pub struct CameraFrames {
    newest: LiveFeed,
    /// False once the camera ended or failed, or the reader was dropped.
    reading: Rc<Cell<bool>>,
    reader: ReadableStreamDefaultReader,
    /// The processor's own clone of the camera track: cancelling its stream may
    /// stop the track it reads.
    track: MediaStreamTrack,
}

impl CameraFrames {
    /// Starts reading `camera`'s video; `None` where the browser has no
    /// `MediaStreamTrackProcessor` (or no video track).
    pub fn start(camera: &MediaStream) -> Option<Self> {
        let track: MediaStreamTrack = camera.get_video_tracks().get(0).dyn_into().ok()?;
        // `MediaStreamTrack::clone`, the browser's: a second track on the same camera.
        let track = track.clone();
        let processor = construct(
            "MediaStreamTrackProcessor",
            &[object(&[("track", track.clone().into())]).as_ref()],
        )
        .ok()?;
        let readable = js_sys::Reflect::get(&processor, &"readable".into()).ok()?;
        let reader: ReadableStreamDefaultReader =
            call(&readable, "getReader", &[]).ok()?.dyn_into().ok()?;
        let newest = LiveFeed::default();
        let reading = Rc::new(Cell::new(true));
        spawn_local(read_all(reader.clone(), newest.clone(), reading.clone()));
        Some(Self {
            newest,
            reading,
            reader,
            track,
        })
    }

    /// The newest frame not taken yet, and when it was read (wall-clock ms).
    pub fn take(&self) -> Option<(Picture, f64)> {
        self.newest.take_timed()
    }

    /// Calls `wake` as each frame arrives (see [`LiveFeed::on_put`]).
    pub fn on_frame(&self, wake: impl Fn() + 'static) {
        self.newest.on_put(wake);
    }

    /// Whether frames still come (false once the camera ended or failed).
    pub fn is_reading(&self) -> bool {
        self.reading.get()
    }
}

impl Drop for CameraFrames {
    fn drop(&mut self) {
        self.reading.set(false);
        let _ = self.reader.cancel();
        self.newest.clear();
        self.track.stop();
    }
}

async fn read_all(reader: ReadableStreamDefaultReader, newest: LiveFeed, reading: Rc<Cell<bool>>) {
    while reading.get() {
        let Ok(result) = JsFuture::from(reader.read()).await else {
            break;
        };
        let done = js_sys::Reflect::get(&result, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let Some(frame) = js_sys::Reflect::get(&result, &"value".into())
            .ok()
            .and_then(Picture::from_js)
        else {
            continue;
        };
        if reading.get() {
            newest.put(frame);
        } else {
            frame.close();
        }
    }
    reading.set(false);
    newest.clear();
}

#[cfg(test)]
mod tests {
    use super::CameraFrames;
    use crate::live::dom::{context_2d, create};
    use gloo_timers::future::TimeoutFuture;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::{HtmlCanvasElement, MediaStreamTrack};

    #[wasm_bindgen_test]
    async fn the_newest_camera_frame_waits_as_a_video_frame_and_ending_stops_the_copy() {
        // A canvas stands in for the camera.
        let canvas: HtmlCanvasElement = create("canvas").expect("canvas");
        canvas.set_width(64);
        canvas.set_height(48);
        let ctx = context_2d(&canvas).expect("2d");
        let camera = canvas
            .capture_stream_with_frame_request_rate(30.0)
            .expect("stream");
        let frames = CameraFrames::start(&camera).expect("Chromium has the processor");
        let mut got = None;
        for i in 0..100 {
            ctx.set_fill_style_str(if i % 2 == 0 { "#f00" } else { "#0f0" });
            ctx.fill_rect(0.0, 0.0, 64.0, 48.0);
            TimeoutFuture::new(30).await;
            if let Some(frame) = frames.take() {
                got = Some(frame);
                break;
            }
        }
        let (frame, read_at) = got.expect("a frame within 3 s");
        assert_eq!(frame.size(), (64, 48));
        assert!(read_at > 0.0);
        assert!(frames.is_reading());
        frame.close();

        let camera_track: MediaStreamTrack = camera.get_video_tracks().get(0).unchecked_into();
        // The same JS object (`MediaStreamTrack::clone` would make another track).
        let copy: MediaStreamTrack = AsRef::<JsValue>::as_ref(&frames.track)
            .clone()
            .unchecked_into();
        drop(frames);
        TimeoutFuture::new(50).await;
        let state = |t: &MediaStreamTrack| {
            js_sys::Reflect::get(t, &"readyState".into())
                .ok()
                .and_then(|s| s.as_string())
        };
        assert_eq!(
            state(&copy).as_deref(),
            Some("ended"),
            "the reading stopped"
        );
        assert_eq!(
            state(&camera_track).as_deref(),
            Some("live"),
            "the camera itself goes on"
        );
    }
}
