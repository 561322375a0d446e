//! The live cut-out as VP8 on each pair's `media` data channel (the wire format is
//! `huddle_protocol::media`). [`MediaEncoder`] encodes my packed canvas once for the
//! whole room; [`MediaDecoder`] turns one member's frames back into a `MediaStream`
//! (Chrome's `MediaStreamTrackGenerator`) that the preview and the member's tile
//! play like a camera.
//!
//! Why not a video track per peer connection: every RTCPeerConnection runs its own
//! encoder, so a member of a 4-member room encoded its picture three times, and each
//! receiver held frames in a jitter buffer tuned for smooth films: 380–600 ms with
//! the cores busy (docs/benchmarks.md). Here a decoded frame goes to the preview at
//! once.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use huddle_protocol::media::MediaFrame;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use web_sys::{MediaStream, MediaStreamTrack};

use super::video_scale::scaled_size;
use crate::compose::feed::LiveFeed;
use crate::compose::picture::Picture;
use crate::js_text::js_text;
use crate::webcodecs::{call, chunk_parts, construct, is_configured, number, object, vp8_encoder};

/// Video bits per second, at most: the room's budget is 1.5 Mbit/s per member per
/// peer, and the `room` channel (heads, scene, shots) rides beside the video.
pub const MAX_VIDEO_BITRATE: u32 = 1_200_000;
/// Frames given to the encoder and not yet out of it, beyond which new ones are
/// dropped: a busy device sends fewer, newer pictures rather than a growing backlog.
/// Counted by us: Chrome's `encodeQueueSize` drops to 0 as soon as a frame is handed
/// to the codec's own thread, where frames then queued for seconds on a busy machine.
const MAX_IN_FLIGHT: usize = 2;
/// A frame the encoder has not returned after this long was dropped by its rate
/// control; it no longer counts as in flight.
const IN_FLIGHT_FOR_AT_MOST_MS: f64 = 1_000.0;
/// Decoding latencies kept for [`latency_stats`].
const KEPT_SAMPLES: usize = 2_000;

/// Wall-clock milliseconds, comparable between browsers on one machine.
pub fn wall_ms() -> f64 {
    js_sys::Date::now()
}

type Latencies = RefCell<VecDeque<(f64, f64)>>;

thread_local! {
    /// (decoded at, camera → decoded ms) for the frames decoded lately.
    static LATENCIES: Latencies = const { RefCell::new(VecDeque::new()) };
    /// (given at, camera → given to my encoder ms) for the frames I sent lately:
    /// the sender's share of the path (vision, packing).
    static TO_ENCODER: Latencies = const { RefCell::new(VecDeque::new()) };
    /// The same to my encoder's output, and, on the receiving side, to a frame's
    /// arrival here (before decoding): where the rest of the path goes.
    static TO_ENCODED: Latencies = const { RefCell::new(VecDeque::new()) };
    static TO_RECEIVED: Latencies = const { RefCell::new(VecDeque::new()) };
    /// (shown at, camera → shown in my preview ms) for other members' pictures:
    /// the whole path, measured where it ends.
    static TO_SHOWN: Latencies = const { RefCell::new(VecDeque::new()) };
    /// (rendering at, camera → the page's next rendering after the picture was
    /// drawn ms): the canvas reaches the screen only with a rendering update of
    /// the page, which a busy page gets late.
    static TO_RENDERED: Latencies = const { RefCell::new(VecDeque::new()) };
    static ENCODED: Cell<u64> = const { Cell::new(0) };
}

fn note_latency(series: &'static std::thread::LocalKey<Latencies>, at: f64, ms: f64) {
    series.with(|l| {
        let mut l = l.borrow_mut();
        l.push_back((at, ms));
        if l.len() > KEPT_SAMPLES {
            l.pop_front();
        }
    });
}

/// Median and 95th percentile of camera → decoded-here over the last `window_ms`,
/// and how many frames that was.
pub fn latency_stats(window_ms: f64) -> (usize, f64, f64) {
    stats_of(&LATENCIES, window_ms)
}

/// A member's picture whose camera frame was taken at `taken_ms` is on my preview now.
pub fn note_shown(taken_ms: f64) {
    note_since(&TO_SHOWN, taken_ms);
}

/// Median and 95th percentile of camera → shown on my preview over the last
/// `window_ms`, and how many pictures that was.
pub fn shown_stats(window_ms: f64) -> (usize, f64, f64) {
    stats_of(&TO_SHOWN, window_ms)
}

/// The page is rendering, with a member's picture (camera frame taken at
/// `taken_ms`) drawn on my preview since its last rendering.
pub fn note_rendered(taken_ms: f64) {
    note_since(&TO_RENDERED, taken_ms);
}

/// Notes, now, the time since the camera frame taken at `taken_ms`.
fn note_since(series: &'static std::thread::LocalKey<Latencies>, taken_ms: f64) {
    let now = wall_ms();
    note_latency(series, now, now - taken_ms);
}

/// [`shown_stats`] up to the page's rendering.
pub fn rendered_stats(window_ms: f64) -> (usize, f64, f64) {
    stats_of(&TO_RENDERED, window_ms)
}

/// The same for camera → my encoder, → my encoder's output, and → arrival here.
pub fn path_stats(window_ms: f64) -> [(usize, f64, f64); 3] {
    [
        stats_of(&TO_ENCODER, window_ms),
        stats_of(&TO_ENCODED, window_ms),
        stats_of(&TO_RECEIVED, window_ms),
    ]
}

fn stats_of(
    series: &'static std::thread::LocalKey<Latencies>,
    window_ms: f64,
) -> (usize, f64, f64) {
    let since = wall_ms() - window_ms;
    let mut xs: Vec<f64> = series.with(|l| {
        l.borrow()
            .iter()
            .filter(|(at, _)| *at >= since)
            .map(|(_, ms)| *ms)
            .collect()
    });
    if xs.is_empty() {
        return (0, f64::NAN, f64::NAN);
    }
    xs.sort_by(f64::total_cmp);
    let at = |q: f64| xs[((xs.len() - 1) as f64 * q).round() as usize];
    (xs.len(), at(0.5), at(0.95))
}

/// Frames my encoder has produced so far.
pub fn frames_encoded() -> u64 {
    ENCODED.with(Cell::get)
}

/// A frame's codec timestamp: microseconds since `origin_ms`. Not the wall clock
/// itself: libvpx scales timestamps by 10^7 internally, so epoch microseconds
/// overflow its 64-bit arithmetic, and with the cores busy its real-time rate
/// control then held 1280×480 frames for 0.5–2.8 s (a stand-alone page under
/// load: 789 ms median with epoch timestamps, 7.6 ms with small ones).
fn codec_timestamp(captured_ms: f64, origin_ms: f64) -> f64 {
    ((captured_ms - origin_ms) * 1000.0).max(0.0).round()
}

/// My packed picture → VP8 frames, each handed to `sink` as a whole `media`
/// message with whether it is a key frame.
pub struct MediaEncoder {
    encoder: RefCell<Option<JsValue>>,
    /// The size the encoder is configured for.
    size: Cell<(u32, u32)>,
    /// The encoded size as the chunks report it (their own configuration's).
    coded: Rc<Cell<(u32, u32)>>,
    failed: Rc<Cell<bool>>,
    want_key: Cell<bool>,
    /// The wall-clock ms codec timestamps count from (see [`codec_timestamp`]).
    origin: Rc<Cell<f64>>,
    /// Frames in the encoder: (codec timestamp, wall ms when given).
    in_flight: Rc<RefCell<VecDeque<(f64, f64)>>>,
    on_output: Closure<dyn FnMut(JsValue, JsValue)>,
    on_error: Closure<dyn FnMut(JsValue)>,
}

impl MediaEncoder {
    pub fn new(sink: impl Fn(Vec<u8>, bool) + 'static) -> Self {
        let coded: Rc<Cell<(u32, u32)>> = Rc::default();
        let failed: Rc<Cell<bool>> = Rc::default();
        let origin: Rc<Cell<f64>> = Rc::default();
        let in_flight: Rc<RefCell<VecDeque<(f64, f64)>>> = Rc::default();
        let on_output = {
            let coded = coded.clone();
            let origin = origin.clone();
            let in_flight = in_flight.clone();
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |chunk: JsValue, meta: JsValue| {
                // A new configuration's first chunk says its size.
                if let Ok(config) = js_sys::Reflect::get(&meta, &"decoderConfig".into()) {
                    if config.is_object() {
                        let (w, h) = (
                            number(&config, "codedWidth"),
                            number(&config, "codedHeight"),
                        );
                        if w > 0.0 && h > 0.0 {
                            coded.set((w as u32, h as u32));
                        }
                    }
                }
                let Ok((data, timestamp_us, key)) = chunk_parts(&chunk) else {
                    return;
                };
                // Out in order: this one and any the rate control dropped before it.
                in_flight
                    .borrow_mut()
                    .retain(|(t, _)| *t > timestamp_us as f64);
                let (w, h) = coded.get();
                let frame = MediaFrame {
                    key,
                    width: w.min(u32::from(u16::MAX)) as u16,
                    height: h.min(u32::from(u16::MAX)) as u16,
                    captured_ms: origin.get() + timestamp_us as f64 / 1000.0,
                    data: &data,
                };
                if frame.width == 0 || frame.height == 0 || data.is_empty() {
                    return;
                }
                ENCODED.with(|n| n.set(n.get() + 1));
                let now = wall_ms();
                note_latency(&TO_ENCODED, now, now - frame.captured_ms);
                sink(frame.to_bytes(), key);
            })
        };
        let on_error = {
            let failed = failed.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                web_sys::console::warn_1(&format!("live video encoder: {}", js_text(&e)).into());
                failed.set(true);
            })
        };
        Self {
            encoder: RefCell::new(None),
            size: Cell::new((0, 0)),
            coded,
            failed,
            want_key: Cell::new(true),
            origin,
            in_flight,
            on_output,
            on_error,
        }
    }

    /// The next frame is a key frame (a peer joined, reconnected or fell behind).
    pub fn want_key(&self) {
        self.want_key.set(true);
    }

    /// Encodes `picture` (a `VideoFrame` of my packed canvas), `scale` times
    /// smaller, stamped with the camera frame's wall-clock time. Dropped when the
    /// encoder is still busy. The caller keeps (and closes) `picture`.
    pub fn encode(&self, picture: &Picture, captured_ms: f64, scale: f64) -> Result<(), JsValue> {
        let (cw, ch) = picture.size();
        if cw < 4 || ch < 2 {
            return Ok(());
        }
        let size = scaled_size(cw, ch, scale);
        let encoder = self.ready_encoder(size)?;
        let now = wall_ms();
        {
            let mut in_flight = self.in_flight.borrow_mut();
            in_flight.retain(|(_, given)| now - given < IN_FLIGHT_FOR_AT_MOST_MS);
            if in_flight.len() >= MAX_IN_FLIGHT {
                return Ok(());
            }
        }
        let timestamp = codec_timestamp(captured_ms, self.origin.get());
        // The same pixels under the codec's timestamp.
        let frame = construct(
            "VideoFrame",
            &[
                picture.as_js(),
                object(&[("timestamp", timestamp.into())]).as_ref(),
            ],
        )?;
        let key = self.want_key.replace(false);
        let encoded = call(
            &encoder,
            "encode",
            &[&frame, &object(&[("keyFrame", key.into())])],
        );
        // The encoder keeps its own reference.
        let _ = call(&frame, "close", &[]);
        match encoded {
            Ok(_) => {
                self.in_flight.borrow_mut().push_back((timestamp, now));
                note_latency(&TO_ENCODER, now, now - captured_ms);
                Ok(())
            }
            Err(e) => {
                self.want_key.set(true);
                Err(e)
            }
        }
    }

    /// The encoder, (re)made for `size` when it changed or failed.
    fn ready_encoder(&self, size: (u32, u32)) -> Result<JsValue, JsValue> {
        let usable = self
            .encoder
            .borrow()
            .clone()
            .filter(|e| !self.failed.get() && self.size.get() == size && is_configured(e));
        if let Some(encoder) = usable {
            return Ok(encoder);
        }
        if let Some(old) = self.encoder.take() {
            let _ = call(&old, "close", &[]);
        }
        self.failed.set(false);
        let encoder = vp8_encoder(
            self.on_output.as_ref(),
            self.on_error.as_ref(),
            size,
            f64::from(MAX_VIDEO_BITRATE),
        )?;
        self.coded.set(size);
        self.size.set(size);
        self.in_flight.borrow_mut().clear();
        // A second back, so a frame taken a little before this one still counts up from it.
        self.origin.set(wall_ms() - 1000.0);
        self.want_key.set(true);
        self.encoder.replace(Some(encoder.clone()));
        Ok(encoder)
    }
}

impl Drop for MediaEncoder {
    fn drop(&mut self) {
        if let Some(encoder) = self.encoder.take() {
            let _ = call(&encoder, "close", &[]);
        }
    }
}

/// A member's live picture as it arrives here: the stream their tile plays, and
/// the decoded frames for the preview.
#[derive(Clone, Debug)]
pub struct RemoteVideo {
    pub stream: MediaStream,
    pub feed: LiveFeed,
}

/// One member's VP8 frames → each decoded frame to the preview (a [`LiveFeed`])
/// and to a `MediaStream` playing them (the member's tile).
pub struct MediaDecoder {
    decoder: RefCell<Option<JsValue>>,
    size: Cell<(u16, u16)>,
    /// Deltas are useless until the next key frame (start, reconnect, decoder error).
    waiting_key: Rc<Cell<bool>>,
    /// The camera time codec timestamps count from (see [`codec_timestamp`]).
    origin: Rc<Cell<f64>>,
    stream: MediaStream,
    generator: MediaStreamTrack,
    feed: LiveFeed,
    on_output: Closure<dyn FnMut(JsValue)>,
    on_error: Closure<dyn FnMut(JsValue)>,
}

impl MediaDecoder {
    pub fn new() -> Result<Self, JsValue> {
        let generator: MediaStreamTrack = construct(
            "MediaStreamTrackGenerator",
            &[object(&[("kind", "video".into())]).as_ref()],
        )?
        .unchecked_into();
        let writable = js_sys::Reflect::get(&generator, &"writable".into())?;
        let writer = call(&writable, "getWriter", &[])?;
        let stream = MediaStream::new()?;
        stream.add_track(&generator);
        let waiting_key = Rc::new(Cell::new(true));
        let origin: Rc<Cell<f64>> = Rc::default();
        let from = origin.clone();
        let feed = LiveFeed::default();
        let to_preview = feed.clone();
        let on_output = Closure::<dyn FnMut(JsValue)>::new(move |frame: JsValue| {
            let captured = from.get() + number(&frame, "timestamp") / 1000.0;
            note_since(&LATENCIES, captured);
            // A clone shares the decoded pixels: the preview takes it straight to the
            // compose worker, with no `<video>` and no copy on this thread.
            if let Some(copy) = call(&frame, "clone", &[]).ok().and_then(Picture::from_js) {
                to_preview.put_taken(copy, captured);
            }
            // The generator takes the frame (and closes it once shown).
            if call(&writer, "write", &[&frame]).is_err() {
                let _ = call(&frame, "close", &[]);
            }
        });
        let on_error = {
            let waiting_key = waiting_key.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                web_sys::console::warn_1(&format!("live video decoder: {}", js_text(&e)).into());
                waiting_key.set(true);
            })
        };
        Ok(Self {
            decoder: RefCell::new(None),
            size: Cell::new((0, 0)),
            waiting_key,
            origin,
            stream,
            generator,
            feed,
            on_output,
            on_error,
        })
    }

    /// The member's picture, as a stream.
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// The member's picture, as a stream and as frames for the preview.
    pub fn video(&self) -> RemoteVideo {
        RemoteVideo {
            stream: self.stream.clone(),
            feed: self.feed.clone(),
        }
    }

    /// From now on only a key frame helps (a new connection).
    pub fn wait_for_key(&self) {
        self.waiting_key.set(true);
    }

    /// Decodes `frame`; false when a key frame is needed first.
    pub fn receive(&self, frame: &MediaFrame<'_>) -> bool {
        note_since(&TO_RECEIVED, frame.captured_ms);
        if self.waiting_key.get() && !frame.key {
            return false;
        }
        match self.decode(frame) {
            Ok(()) => {
                self.waiting_key.set(false);
                true
            }
            Err(e) => {
                web_sys::console::warn_1(&format!("live video: {}", js_text(&e)).into());
                self.waiting_key.set(true);
                false
            }
        }
    }

    fn decode(&self, frame: &MediaFrame<'_>) -> Result<(), JsValue> {
        let size = (frame.width, frame.height);
        let usable = self
            .decoder
            .borrow()
            .clone()
            .filter(|d| !(frame.key && self.size.get() != size) && is_configured(d));
        let decoder = match usable {
            Some(d) => d,
            None => {
                if !frame.key {
                    return Err(JsValue::from_str("no decoder until a key frame"));
                }
                if let Some(old) = self.decoder.take() {
                    let _ = call(&old, "close", &[]);
                }
                let init = object(&[
                    ("output", self.on_output.as_ref().clone()),
                    ("error", self.on_error.as_ref().clone()),
                ]);
                let decoder = construct("VideoDecoder", &[init.as_ref()])?;
                let config = object(&[
                    ("codec", "vp8".into()),
                    ("codedWidth", frame.width.into()),
                    ("codedHeight", frame.height.into()),
                    ("optimizeForLatency", true.into()),
                ]);
                call(&decoder, "configure", &[&config])?;
                self.origin.set(frame.captured_ms - 1000.0);
                self.size.set(size);
                self.decoder.replace(Some(decoder.clone()));
                decoder
            }
        };
        let chunk = construct(
            "EncodedVideoChunk",
            &[object(&[
                ("type", if frame.key { "key" } else { "delta" }.into()),
                (
                    "timestamp",
                    codec_timestamp(frame.captured_ms, self.origin.get()).into(),
                ),
                ("data", Uint8Array::from(frame.data).into()),
            ])
            .as_ref()],
        )?;
        call(&decoder, "decode", &[&chunk]).map(|_| ())
    }
}

impl Drop for MediaDecoder {
    fn drop(&mut self) {
        if let Some(decoder) = self.decoder.take() {
            let _ = call(&decoder, "close", &[]);
        }
        self.generator.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::{latency_stats, MediaDecoder, MediaEncoder};
    use crate::compose::picture::Picture;
    use crate::live::dom::{context_2d, create};
    use crate::webcodecs::canvas_frame;
    use futures::channel::mpsc;
    use gloo_timers::future::TimeoutFuture;
    use huddle_protocol::media::{MediaFrame, MediaMessage};
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::{HtmlCanvasElement, HtmlVideoElement};

    /// Red left half, blue right half, as a packed picture's colour and mask.
    fn packed_canvas() -> HtmlCanvasElement {
        let canvas: HtmlCanvasElement = create("canvas").expect("canvas");
        canvas.set_width(320);
        canvas.set_height(120);
        let ctx = context_2d(&canvas).expect("2d");
        ctx.set_fill_style_str("#f00");
        ctx.fill_rect(0.0, 0.0, 160.0, 120.0);
        ctx.set_fill_style_str("#00f");
        ctx.fill_rect(160.0, 0.0, 160.0, 120.0);
        canvas
    }

    #[wasm_bindgen_test]
    async fn frames_go_through_encoder_wire_and_decoder_into_a_playing_stream() {
        let canvas = packed_canvas();
        let (tx, mut rx) = mpsc::unbounded::<(Vec<u8>, bool)>();
        let encoder = MediaEncoder::new(move |bytes, key| {
            let _ = tx.unbounded_send((bytes, key));
        });
        let decoder = MediaDecoder::new().expect("decoder");
        let video: HtmlVideoElement = create("video").expect("video");
        video.set_muted(true);
        video.set_src_object(Some(decoder.stream()));
        let _ = video.play();

        // Frames the encoder is still busy with are dropped, so paint until six are out.
        let mut out = Vec::new();
        for _ in 0..100 {
            let snapshot = canvas_frame(&canvas, 0.0)
                .ok()
                .and_then(Picture::from_js)
                .expect("a VideoFrame of the canvas");
            encoder
                .encode(&snapshot, super::wall_ms(), 2.0)
                .expect("encode");
            snapshot.close();
            TimeoutFuture::new(40).await;
            while let Ok(frame) = rx.try_recv() {
                out.push(frame);
            }
            if out.len() >= 6 {
                break;
            }
        }
        assert!(out.len() >= 6, "{} frames out of the encoder", out.len());
        let mut keys = 0;
        let mut decoded = 0;
        for (bytes, key) in out.into_iter().take(6) {
            let Ok(MediaMessage::Frame(frame)) = MediaMessage::parse(&bytes) else {
                panic!("not a frame");
            };
            // Half the canvas: the scale is applied by the encoder.
            assert_eq!((frame.width, frame.height), (160, 60));
            assert_eq!(frame.key, key);
            keys += usize::from(key);
            if decoder.receive(&frame) {
                decoded += 1;
            }
        }
        assert_eq!(keys, 1, "one key frame, then deltas");
        assert_eq!(decoded, 6);
        for _ in 0..50 {
            if video.video_width() > 0 {
                break;
            }
            TimeoutFuture::new(50).await;
        }
        assert_eq!((video.video_width(), video.video_height()), (160, 60));
        let (n, median, _) = latency_stats(60_000.0);
        assert!(n >= 6, "{n} latencies recorded");
        assert!(median.is_finite());
    }

    #[wasm_bindgen_test]
    async fn a_delta_before_any_key_frame_asks_for_one() {
        let decoder = MediaDecoder::new().expect("decoder");
        let delta = MediaFrame {
            key: false,
            width: 160,
            height: 60,
            captured_ms: 0.0,
            data: &[1, 2, 3],
        };
        assert!(!decoder.receive(&delta));
        // Not a VP8 key frame at all: the decoder refuses it and waits again.
        let garbage = MediaFrame { key: true, ..delta };
        decoder.receive(&garbage);
        TimeoutFuture::new(200).await;
        assert!(
            !decoder.receive(&delta),
            "still waiting for a real key frame"
        );
    }
}
