//! A video of a canvas with WebCodecs: each painted picture becomes a
//! `VideoFrame`, the browser's `VideoEncoder` turns it into VP8, and the frames
//! are written into a WebM after Stop ([`huddle_protocol::webm_mux`]).
//!
//! Why not MediaRecorder: on a busy device Chrome's recorder drops every frame
//! that finds its encoder's queue full, so a four-second room video came out
//! with 2–6 frames spanning a quarter of a second. `VideoEncoder` queues
//! instead: every painted picture is in the file, with the time it was painted,
//! however late it is encoded. Stop waits for the queue (`flush`).
//!
//! WebCodecs is not in web-sys's stable API: the calls go through
//! [`crate::webcodecs`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use huddle_protocol::webm_mux::{mux_vp8, EncodedFrame};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, BlobPropertyBag, HtmlCanvasElement};

use super::dom::now;
use crate::js_text::js_text;
use crate::webcodecs::{call, canvas_frame, chunk_parts, constructor, object, vp8_encoder};

/// As MediaRecorder was asked for: sharp at 800×450 without huge files.
const BITS_PER_SECOND: f64 = 2_500_000.0;
/// A key frame this often, so a player can seek.
const KEY_FRAME_EVERY_MS: f64 = 2_000.0;

type OnDone = Box<dyn FnOnce(Option<Blob>)>;

pub struct CodecRecorder {
    encoder: JsValue,
    canvas: HtmlCanvasElement,
    size: (u32, u32),
    frames: Rc<RefCell<Vec<EncodedFrame>>>,
    /// What the encoder reported when it failed.
    failure: Rc<RefCell<Option<String>>>,
    capturing: Cell<bool>,
    started: f64,
    sent: Cell<u64>,
    last_key_ms: Cell<f64>,
    on_done: RefCell<Option<OnDone>>,
    _on_output: Closure<dyn FnMut(JsValue)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

impl CodecRecorder {
    /// Whether this browser can record `canvas` this way: WebCodecs is there and
    /// the canvas has even sides (VP8's colour planes are half size).
    pub fn can_record(canvas: &HtmlCanvasElement) -> bool {
        let even = canvas.width().is_multiple_of(2) && canvas.height().is_multiple_of(2);
        even && constructor("VideoEncoder").is_some() && constructor("VideoFrame").is_some()
    }

    /// Starts recording `canvas` (its first frame is the picture as it is now);
    /// `on_done` gets the WebM after [`CodecRecorder::stop`], or `None` when
    /// nothing could be recorded.
    pub fn start(
        canvas: &HtmlCanvasElement,
        on_done: impl FnOnce(Option<Blob>) + 'static,
    ) -> Result<Self, JsValue> {
        let frames: Rc<RefCell<Vec<EncodedFrame>>> = Rc::default();
        let failure: Rc<RefCell<Option<String>>> = Rc::default();
        let on_output = {
            let frames = frames.clone();
            let failure = failure.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |chunk: JsValue| match encoded(&chunk) {
                Ok(frame) => frames.borrow_mut().push(frame),
                Err(e) => {
                    failure.borrow_mut().get_or_insert(js_text(&e));
                }
            })
        };
        let on_error = {
            let failure = failure.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                failure.borrow_mut().get_or_insert(js_text(&e));
            })
        };
        let size = (canvas.width(), canvas.height());
        // Real time: with the default ("quality") a busy device took over 20 s after Stop
        // to encode the queued frames.
        let encoder = vp8_encoder(on_output.as_ref(), on_error.as_ref(), size, BITS_PER_SECOND)?;
        let recorder = Self {
            encoder,
            canvas: canvas.clone(),
            size,
            frames,
            failure,
            capturing: Cell::new(true),
            started: now(),
            sent: Cell::new(0),
            last_key_ms: Cell::new(0.0),
            on_done: RefCell::new(Some(Box::new(on_done))),
            _on_output: on_output,
            _on_error: on_error,
        };
        recorder.frame_painted();
        Ok(recorder)
    }

    /// The canvas was just painted: that picture is the next frame.
    pub fn frame_painted(&self) {
        if !self.capturing.get() || self.failure.borrow().is_some() {
            return;
        }
        if let Err(e) = self.encode_canvas() {
            self.failure.borrow_mut().get_or_insert(js_text(&e));
        }
    }

    fn encode_canvas(&self) -> Result<(), JsValue> {
        // A canvas resized while recording would not match the encoder.
        if (self.canvas.width(), self.canvas.height()) != self.size {
            return Ok(());
        }
        let t_ms = now() - self.started;
        let frame = canvas_frame(&self.canvas, t_ms * 1000.0)?;
        let key = self.sent.get() == 0 || t_ms - self.last_key_ms.get() >= KEY_FRAME_EVERY_MS;
        if key {
            self.last_key_ms.set(t_ms);
        }
        let encoded = call(
            &self.encoder,
            "encode",
            &[&frame, &object(&[("keyFrame", key.into())])],
        );
        // The encoder keeps its own reference; ours goes at once.
        let _ = call(&frame, "close", &[]);
        encoded?;
        self.sent.set(self.sent.get() + 1);
        Ok(())
    }

    /// Ends the recording: no frames from now; once the encoder has done the
    /// queued ones the file is written and `on_done` runs.
    pub fn stop(&self) {
        if !self.capturing.replace(false) {
            return;
        }
        let Some(done) = self.on_done.borrow_mut().take() else {
            return;
        };
        let (encoder, frames, failure, size) = (
            self.encoder.clone(),
            self.frames.clone(),
            self.failure.clone(),
            self.size,
        );
        spawn_local(async move {
            if let Ok(flushed) = call(&encoder, "flush", &[]) {
                if let Err(e) = JsFuture::from(js_sys::Promise::from(flushed)).await {
                    failure.borrow_mut().get_or_insert(js_text(&e));
                }
            }
            let _ = call(&encoder, "close", &[]);
            if let Some(why) = failure.borrow().as_ref() {
                web_sys::console::warn_1(&format!("video: {why}").into());
            }
            // What was encoded before a failure is still a video.
            let frames = std::mem::take(&mut *frames.borrow_mut());
            done(webm_blob(size, &frames));
        });
    }
}

impl Drop for CodecRecorder {
    fn drop(&mut self) {
        // Dropped without Stop (the page closes): nothing more is wanted.
        if self.capturing.get() {
            let _ = call(&self.encoder, "close", &[]);
        }
    }
}

/// An `EncodedVideoChunk` as bytes with its time and kind.
fn encoded(chunk: &JsValue) -> Result<EncodedFrame, JsValue> {
    let (data, timestamp_us, key) = chunk_parts(chunk)?;
    Ok(EncodedFrame {
        timestamp_us,
        key,
        data,
    })
}

fn webm_blob(size: (u32, u32), frames: &[EncodedFrame]) -> Option<Blob> {
    let file = match mux_vp8(size.0, size.1, frames) {
        Ok(file) => file,
        Err(e) => {
            web_sys::console::warn_1(&format!("video: {e}").into());
            return None;
        }
    };
    let parts = Array::of1(&Uint8Array::from(file.as_slice()));
    let options = BlobPropertyBag::new();
    options.set_type("video/webm");
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

#[cfg(test)]
mod tests {
    use super::CodecRecorder;
    use crate::live::dom::{context_2d, create};
    use futures::channel::oneshot;
    use gloo_timers::future::TimeoutFuture;
    use huddle_protocol::webm::sniff;
    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::HtmlCanvasElement;

    #[wasm_bindgen_test]
    async fn every_painted_frame_is_in_the_webm() {
        let canvas: HtmlCanvasElement = create("canvas").expect("canvas");
        canvas.set_width(160);
        canvas.set_height(90);
        assert!(CodecRecorder::can_record(&canvas), "Chromium has WebCodecs");
        let ctx = context_2d(&canvas).expect("2d");
        let (tx, rx) = oneshot::channel();
        let recorder = CodecRecorder::start(&canvas, move |blob| {
            let _ = tx.send(blob);
        })
        .expect("start");
        // 12 more pictures, 50 ms apart: 13 frames over 0.6 s.
        for i in 0..12 {
            TimeoutFuture::new(50).await;
            ctx.set_fill_style_str(&format!("hsl({}, 60%, 50%)", i * 30));
            ctx.fill_rect(0.0, 0.0, 160.0, 90.0);
            recorder.frame_painted();
        }
        recorder.stop();
        recorder.frame_painted(); // after Stop: not recorded
        let blob = rx.await.expect("done").expect("a file");
        assert_eq!(blob.type_(), "video/webm");
        let buffer = JsFuture::from(blob.array_buffer()).await.expect("bytes");
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        assert_eq!(&bytes[..4], &[0x1A, 0x45, 0xDF, 0xA3], "EBML magic");
        let media = sniff(std::io::Cursor::new(&bytes), bytes.len() as u64).expect("a WebM");
        // 0.6 s of frames plus the last one's 50 ms; timers may run late.
        assert!(
            (0.6..1.5).contains(&media.duration_s),
            "{} s",
            media.duration_s
        );
        let blocks = bytes
            .windows(3)
            .filter(|w| w[0] == 0xA3 && w[1] == 0x01 && w[2] == 0)
            .count();
        assert!(blocks >= 13, "{blocks} frames");
    }
}
