//! `PeerLink` in a real browser: two links in one page, one polite and one impolite, wired
//! through an in-memory relay that delivers each signal asynchronously, like a network.
//!
//! Needs Chromium started with `--allow-loopback-in-peer-connection` (without it no ICE
//! candidate is gathered): see `crates/app/webdriver.json`.
//! Every wait is bounded and says what it waited for.

#![cfg(target_arch = "wasm32")]

use huddle_app::compose::picture::Picture;
use huddle_app::webcodecs::canvas_frame;
use std::cell::{Cell, Ref, RefCell};
use std::future::Future;
use std::rc::{Rc, Weak};

use futures::channel::mpsc;
use futures::future::{select, Either};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use huddle_app::live::dom::{context_2d, create};
use huddle_app::rtc::media::MediaEncoder;
use huddle_app::rtc::peer::{PeerEvent, PeerLink};
use huddle_protocol::media::parts::{into_parts, MAX_PART_LEN};
use huddle_protocol::{PeerMessage, PeerSignal};
use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::*;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, ImageData, MediaStream,
    MediaStreamTrack,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Loopback connections open in well under a second; these leave room for a slow CI box.
const CONNECT_MS: u32 = 15_000;
const TRACK_MS: u32 = 15_000;
const PING_MS: u32 = 7_000;
const MESSAGE_MS: u32 = 5_000;
const FRAMES_MS: u32 = 10_000;

/// Awaits `future`, failing the test with `what` if it takes longer than `ms`.
async fn within<T>(ms: u32, what: &str, future: impl Future<Output = T>) -> T {
    let future = std::pin::pin!(future);
    match select(future, std::pin::pin!(TimeoutFuture::new(ms))).await {
        Either::Left((value, _)) => value,
        Either::Right(_) => panic!("timed out after {ms} ms waiting for {what}"),
    }
}

type Slot = Rc<RefCell<Option<PeerLink>>>;

fn signal_kind(signal: &PeerSignal) -> &'static str {
    match signal {
        PeerSignal::Description { sdp_type, .. } if sdp_type == "offer" => "offer",
        PeerSignal::Description { sdp_type, .. } if sdp_type == "answer" => "answer",
        PeerSignal::Description { .. } => "other description",
        PeerSignal::Candidate { .. } => "candidate",
        PeerSignal::Reset => "reset",
    }
}

/// The sending half of the relay: a later task hands the signal to the other link, so
/// delivery is asynchronous and in order, as through the server.
fn relay(
    to: Weak<RefCell<Option<PeerLink>>>,
    log: Rc<RefCell<Vec<&'static str>>>,
) -> impl Fn(PeerSignal) {
    move |signal| {
        let to = to.clone();
        let log = log.clone();
        spawn_local(async move {
            let Some(slot) = to.upgrade() else { return };
            log.borrow_mut().push(signal_kind(&signal));
            if let Some(link) = slot.borrow().as_ref() {
                link.receive_signal(signal);
            };
        });
    }
}

/// One end of the pair: its link, the events it reported, and the signals it was handed.
struct Side {
    name: &'static str,
    link: Slot,
    events: mpsc::UnboundedReceiver<PeerEvent>,
    /// Events reported but not yet asked for, oldest first.
    backlog: Vec<PeerEvent>,
    /// What the test is doing, for timeout messages.
    phase: &'static str,
    received: Rc<RefCell<Vec<&'static str>>>,
    other_received: Rc<RefCell<Vec<&'static str>>>,
}

impl Side {
    fn link(&self) -> Ref<'_, PeerLink> {
        Ref::map(self.link.borrow(), |l| l.as_ref().expect("link was closed"))
    }

    /// The oldest event `pick` accepts, reported already or within `ms`; the events it
    /// passes over stay available to later waits.
    async fn wait_for<T>(
        &mut self,
        ms: u32,
        what: &str,
        mut pick: impl FnMut(&PeerEvent) -> Option<T>,
    ) -> T {
        while let Ok(event) = self.events.try_recv() {
            self.backlog.push(event);
        }
        if let Some((at, found)) = self
            .backlog
            .iter()
            .enumerate()
            .find_map(|(i, e)| pick(e).map(|f| (i, f)))
        {
            self.backlog.remove(at);
            return found;
        }
        let label = format!("{}: {what}", self.name);
        let events = &mut self.events;
        let backlog = &mut self.backlog;
        let waiting = std::pin::pin!(async {
            loop {
                match events.next().await {
                    Some(event) => match pick(&event) {
                        Some(found) => return found,
                        None => backlog.push(event),
                    },
                    None => panic!("{label}: the link dropped its event sink"),
                }
            }
        });
        match select(waiting, std::pin::pin!(TimeoutFuture::new(ms))).await {
            Either::Left((found, _)) => found,
            Either::Right(_) => {
                let seen: Vec<String> = self.backlog.iter().map(describe).collect();
                let signals = self.received.borrow().join(",");
                let other = self.other_received.borrow().join(",");
                panic!(
                    "timed out after {ms} ms waiting for {label} ({}); events seen and not \
                     taken: {seen:?}; signals this side was handed: [{signals}]; signals the other \
                     side was handed: [{other}]",
                    self.phase
                )
            }
        }
    }

    async fn channel_open(&mut self) {
        self.wait_for(CONNECT_MS, "PeerEvent::ChannelOpen", |e| {
            matches!(e, PeerEvent::ChannelOpen).then_some(())
        })
        .await;
        assert!(
            self.link().is_open(),
            "{}: ChannelOpen reported but is_open() is false",
            self.name
        );
    }

    /// Takes the `Track` event: the stream that plays the other side's live video.
    async fn remote_stream(&mut self) -> MediaStream {
        self.wait_for(
            TRACK_MS,
            "PeerEvent::Track with a live video track",
            |e| match e {
                PeerEvent::Track(video) if has_live_video(&video.stream) => {
                    Some(handle(&video.stream))
                }
                _ => None,
            },
        )
        .await
    }

    /// Takes a `KeyFrameWanted` event (for this side's own encoder).
    async fn key_frame_wanted(&mut self) {
        self.wait_for(CONNECT_MS, "PeerEvent::KeyFrameWanted", |e| {
            matches!(e, PeerEvent::KeyFrameWanted).then_some(())
        })
        .await;
    }

    async fn message(&mut self) -> PeerMessage {
        self.wait_for(MESSAGE_MS, "PeerEvent::Message", |e| match e {
            PeerEvent::Message(m) => Some(m.clone()),
            _ => None,
        })
        .await
    }

    async fn assert_ping(&self) -> f64 {
        let pending = self.link().ping();
        let rtt = within(PING_MS, &format!("{}: ping()", self.name), pending)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "{}: ping() returned None (channel closed or no pong within 5 s)",
                    self.name
                )
            });
        assert!(
            rtt.is_finite() && (0.0..5_000.0).contains(&rtt),
            "{}: implausible round trip {rtt} ms",
            self.name
        );
        rtt
    }

    /// The `Message` events reported and not yet asked for.
    fn pending_messages(&mut self) -> Vec<PeerMessage> {
        while let Ok(event) = self.events.try_recv() {
            self.backlog.push(event);
        }
        self.backlog
            .iter()
            .filter_map(|e| match e {
                PeerEvent::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    /// Forgets the events reported so far.
    fn drain(&mut self) {
        while self.events.try_recv().is_ok() {}
        self.backlog.clear();
    }
}

/// An impolite side `a` and a polite side `b`, created in the same tick.
struct Pair {
    a: Side,
    b: Side,
}

impl Pair {
    fn new() -> Self {
        let slot_a: Slot = Rc::new(RefCell::new(None));
        let slot_b: Slot = Rc::new(RefCell::new(None));
        let received_a = Rc::new(RefCell::new(Vec::new()));
        let received_b = Rc::new(RefCell::new(Vec::new()));
        let (events_a, rx_a) = mpsc::unbounded();
        let (events_b, rx_b) = mpsc::unbounded();
        let a = PeerLink::new(
            false,
            Vec::new(),
            relay(Rc::downgrade(&slot_b), received_b.clone()),
            move |event| {
                let _ = events_a.unbounded_send(event);
            },
        )
        .expect("impolite PeerLink::new");
        let b = PeerLink::new(
            true,
            Vec::new(),
            relay(Rc::downgrade(&slot_a), received_a.clone()),
            move |event| {
                let _ = events_b.unbounded_send(event);
            },
        )
        .expect("polite PeerLink::new");
        slot_a.replace(Some(a));
        slot_b.replace(Some(b));
        Self {
            a: Side {
                name: "impolite side",
                link: slot_a,
                events: rx_a,
                backlog: Vec::new(),
                phase: "connecting",
                received: received_a.clone(),
                other_received: received_b.clone(),
            },
            b: Side {
                name: "polite side",
                link: slot_b,
                events: rx_b,
                backlog: Vec::new(),
                phase: "connecting",
                received: received_b,
                other_received: received_a,
            },
        }
    }

    /// Side `a`'s link, for an encoder whose video goes to `b`.
    fn b_slot_of_a(&self) -> Slot {
        self.a.link.clone()
    }

    /// Side `b`'s link, for an encoder whose video goes to `a`.
    fn a_slot_of_b(&self) -> Slot {
        self.b.link.clone()
    }

    async fn channels_open(&mut self) {
        self.a.channel_open().await;
        self.b.channel_open().await;
    }

    async fn pings_work(&self) {
        self.a.assert_ping().await;
        self.b.assert_ping().await;
    }
}

fn ready_state(track: &MediaStreamTrack) -> String {
    js_sys::Reflect::get(track, &"readyState".into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

fn describe(event: &PeerEvent) -> String {
    match event {
        PeerEvent::Track(video) => {
            let stream = &video.stream;
            let tracks: Vec<String> = stream
                .get_tracks()
                .iter()
                .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
                .map(|t| format!("{} {}", t.kind(), ready_state(&t)))
                .collect();
            format!("Track(stream {} {tracks:?})", stream.id())
        }
        other => format!("{other:?}"),
    }
}

fn has_live_video(stream: &MediaStream) -> bool {
    stream
        .get_video_tracks()
        .iter()
        .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
        .any(|t| ready_state(&t) == "live")
}

/// Another handle to the same stream. Beware `stream.clone()`: web-sys' inherent
/// `MediaStream::clone` is JavaScript's `MediaStream.clone()`, a new stream with new
/// tracks, and it wins over `Clone::clone` in method resolution.
fn handle(stream: &MediaStream) -> MediaStream {
    Clone::clone(stream)
}

/// Test 1: both channels open, pings answer on both sides, and room messages arrive.
#[wasm_bindgen_test]
async fn data_channel_opens_pings_and_carries_messages() {
    let mut pair = Pair::new();
    let message = PeerMessage::CameraState { available: false };
    assert!(
        !pair.a.link().is_open(),
        "channel open before any negotiation"
    );
    assert!(
        !pair.a.link().send(&message),
        "send() must be false before the channel opens"
    );

    pair.channels_open().await;
    pair.pings_work().await;

    assert!(pair.a.link().send(&message), "send() on the impolite side");
    assert_eq!(pair.b.message().await, message);
    let back = PeerMessage::CameraState { available: true };
    assert!(pair.b.link().send(&back), "send() on the polite side");
    assert_eq!(pair.a.message().await, back);

    // Pings are answered inside the link, never reported as messages.
    pair.pings_work().await;
    pair.pings_work().await;
    for side in [&mut pair.a, &mut pair.b] {
        let leaked = side.pending_messages();
        assert!(
            leaked.is_empty(),
            "{}: pings reported as messages: {leaked:?}",
            side.name
        );
    }
}

/// Test 2: my live video, encoded once and sent on the `media` channel, plays on the
/// other side, both ways; each side announced the other's stream once its channel opened
/// and asked its own encoder for a key frame.
#[wasm_bindgen_test]
async fn live_video_on_the_media_channel_plays_on_both_sides() {
    let mut pair = Pair::new();
    pair.channels_open().await;
    let at_b = pair.b.remote_stream().await;
    let at_a = pair.a.remote_stream().await;
    pair.a.key_frame_wanted().await;
    pair.b.key_frame_wanted().await;
    let from_a = LiveVideo::new(&pair.b_slot_of_a());
    let from_b = LiveVideo::new(&pair.a_slot_of_b());
    let video_b = playing(&at_b);
    let video_a = playing(&at_a);
    from_a.shown_as("polite side", &video_b, RED).await;
    from_b.shown_as("impolite side", &video_a, BLUE).await;
    // Deltas follow the key frame: another colour without asking for a key.
    from_a.shown_as("polite side", &video_b, GREEN).await;
    // The encoder halves the canvas (the scale given): what plays is that size.
    assert_eq!((video_b.video_width(), video_b.video_height()), (320, 120));
    // The key frames of the noisy picture went in parts, and were put back together.
    for (side, video) in [("polite", &from_a), ("impolite", &from_b)] {
        let biggest = video.biggest.get();
        assert!(
            biggest > MAX_PART_LEN,
            "{side} side's biggest frame: {biggest} bytes"
        );
    }
    pair.pings_work().await;
    video_a.set_src_object(None);
    video_b.set_src_object(None);
}

/// Test 3: both sides restart ICE in the same tick (offer glare), twice: perfect
/// negotiation resolves it, the channels survive, and the video still plays.
#[wasm_bindgen_test]
async fn simultaneous_renegotiation_does_not_deadlock() {
    let mut pair = Pair::new();
    pair.channels_open().await;
    pair.pings_work().await;
    let at_b = pair.b.remote_stream().await;
    let from_a = LiveVideo::new(&pair.b_slot_of_a());
    let video_b = playing(&at_b);

    for (round, colour) in [(1, RED), (2, GREEN)] {
        let offers_before = (
            count(&pair.a.received, "offer"),
            count(&pair.b.received, "offer"),
        );
        pair.a.link().restart_ice();
        pair.b.link().restart_ice();
        within(
            CONNECT_MS,
            &format!("round {round}: both sides to receive an offer"),
            async {
                while count(&pair.a.received, "offer") == offers_before.0
                    || count(&pair.b.received, "offer") == offers_before.1
                {
                    TimeoutFuture::new(20).await;
                }
            },
        )
        .await;
        TimeoutFuture::new(500).await;
        assert!(
            pair.a.link().is_open() && pair.b.link().is_open(),
            "round {round}: channel closed by renegotiation"
        );
        pair.pings_work().await;
        from_a.shown_as("polite side", &video_b, colour).await;
    }
    // Neither side may be stuck mid-negotiation: one more message each way.
    let message = PeerMessage::CameraState { available: true };
    assert!(pair.a.link().send(&message));
    assert_eq!(pair.b.message().await, message);
    assert!(pair.b.link().send(&message));
    assert_eq!(pair.a.message().await, message);
    video_b.set_src_object(None);
}

fn count(log: &Rc<RefCell<Vec<&'static str>>>, kind: &str) -> usize {
    log.borrow().iter().filter(|k| **k == kind).count()
}

/// Test 4: `start_fresh()` on one side (first the impolite one, then the polite one) makes
/// the other side start fresh through `PeerSignal::Reset`; the channels reopen, pings
/// work, and the video plays again on the new connection, in the same stream.
#[wasm_bindgen_test]
async fn fresh_connection_rebuilds_both_sides() {
    let mut pair = Pair::new();
    pair.channels_open().await;
    let at_b = pair.b.remote_stream().await;
    let at_a = pair.a.remote_stream().await;
    pair.pings_work().await;
    let from_a = LiveVideo::new(&pair.b_slot_of_a());
    let from_b = LiveVideo::new(&pair.a_slot_of_b());
    let (video_a, video_b) = (playing(&at_a), playing(&at_b));
    from_a.shown_as("polite side", &video_b, RED).await;
    from_b.shown_as("impolite side", &video_a, RED).await;

    for (from_polite, colour) in [(false, GREEN), (true, BLUE)] {
        let case = if from_polite {
            "start_fresh() on the polite side"
        } else {
            "start_fresh() on the impolite side"
        };
        pair.a.drain();
        pair.b.drain();
        let resets = (
            count(&pair.a.received, "reset"),
            count(&pair.b.received, "reset"),
        );
        pair.a.phase = case;
        pair.b.phase = case;
        let (starter, other) = if from_polite {
            (&pair.b, &pair.a)
        } else {
            (&pair.a, &pair.b)
        };
        starter.link().start_fresh();
        assert!(
            !starter.link().is_open() && !starter.link().media_open(),
            "{case}: the old channels are still reported open"
        );
        let other_resets_before = if from_polite { resets.0 } else { resets.1 };
        let other_log = other.received.clone();
        within(
            5_000,
            &format!("{case}: the other side to receive PeerSignal::Reset"),
            async {
                while count(&other_log, "reset") == other_resets_before {
                    TimeoutFuture::new(10).await;
                }
            },
        )
        .await;

        pair.channels_open().await;
        pair.pings_work().await;
        // The new connection starts from a key frame: each side asks its encoder.
        pair.a.key_frame_wanted().await;
        pair.b.key_frame_wanted().await;
        from_a.shown_as(case, &video_b, colour).await;
        from_b.shown_as(case, &video_a, colour).await;
        // Exactly one reset went out, from the starter: the receiver does not echo it.
        let now = (
            count(&pair.a.received, "reset"),
            count(&pair.b.received, "reset"),
        );
        let expected = if from_polite {
            (resets.0 + 1, resets.1)
        } else {
            (resets.0, resets.1 + 1)
        };
        assert_eq!(
            now, expected,
            "{case}: resets delivered (to impolite, to polite)"
        );
        // The stream announced at first is still the one that plays.
        pair.a.drain();
        pair.b.drain();
    }
    video_a.set_src_object(None);
    video_b.set_src_object(None);
}

type Rgb = [u8; 3];
const RED: Rgb = [230, 30, 30];
const GREEN: Rgb = [30, 200, 40];
const BLUE: Rgb = [30, 40, 220];

/// A packed canvas (colour left, mask right) and the encoder that sends it on one link,
/// as the mesh does: cut into parts, and a frame the link could not use makes the next
/// one a key frame. The colour half is noise around a block of colour, so that key
/// frames are too big for one message.
struct LiveVideo {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    noise: ImageData,
    encoder: MediaEncoder,
    want_key: Rc<Cell<bool>>,
    /// The biggest frame sent, in bytes.
    biggest: Rc<Cell<usize>>,
}

const LIVE_SIZE: (u32, u32) = (640, 240);

impl LiveVideo {
    fn new(link: &Slot) -> Self {
        let canvas: HtmlCanvasElement = create("canvas").expect("a canvas");
        let (w, h) = LIVE_SIZE;
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx = context_2d(&canvas).expect("a 2D context");
        let mut seed = 0x2545_f491_u32;
        let pixels: Vec<u8> = (0..w / 2 * h * 4)
            .map(|i| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                if i % 4 == 3 {
                    255
                } else {
                    (seed >> 24) as u8
                }
            })
            .collect();
        let noise =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), w / 2, h).expect("noise");
        let want_key = Rc::new(Cell::new(false));
        let biggest = Rc::new(Cell::new(0));
        let (slot, wanted, big) = (link.clone(), want_key.clone(), biggest.clone());
        let encoder = MediaEncoder::new(move |bytes, key| {
            big.set(big.get().max(bytes.len()));
            let parts = into_parts(bytes).expect("a frame small enough to send");
            if let Some(link) = slot.borrow().as_ref() {
                if link.send_media(&parts, key) {
                    wanted.set(true);
                }
            }
        });
        Self {
            canvas,
            ctx,
            noise,
            encoder,
            want_key,
            biggest,
        }
    }

    /// Paints `colour` and sends frames until `video` (the other side) shows it.
    async fn shown_as(&self, who: &str, video: &HtmlVideoElement, colour: Rgb) {
        let [r, g, b] = colour;
        let (w, h) = (f64::from(LIVE_SIZE.0), f64::from(LIVE_SIZE.1));
        self.ctx
            .put_image_data(&self.noise, 0.0, 0.0)
            .expect("noise painted");
        self.ctx.set_fill_style_str(&format!("rgb({r},{g},{b})"));
        self.ctx.fill_rect(w / 8.0, h / 4.0, w / 4.0, h / 2.0);
        self.ctx.set_fill_style_str("#fff");
        self.ctx.fill_rect(w / 2.0, 0.0, w / 2.0, h);
        within(
            FRAMES_MS,
            &format!("{who}: the video to show rgb{colour:?}"),
            async {
                loop {
                    if self.want_key.replace(false) {
                        self.encoder.want_key();
                    }
                    let snapshot = canvas_frame(&self.canvas, 0.0)
                        .ok()
                        .and_then(Picture::from_js)
                        .expect("a VideoFrame of the canvas");
                    self.encoder
                        .encode(&snapshot, js_sys::Date::now(), 2.0)
                        .expect("encode");
                    snapshot.close();
                    TimeoutFuture::new(60).await;
                    if centre_of_left_half(video).is_some_and(|px| close(px, colour)) {
                        break;
                    }
                }
            },
        )
        .await;
    }
}

fn close(a: Rgb, b: Rgb) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 24)
}

/// The colour at the middle of the video's left (colour) half, once it has a picture.
fn centre_of_left_half(video: &HtmlVideoElement) -> Option<Rgb> {
    let (w, h) = (video.video_width(), video.video_height());
    if w == 0 || h == 0 {
        return None;
    }
    let canvas: HtmlCanvasElement = create("canvas").ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = context_2d(&canvas).ok()?;
    ctx.draw_image_with_html_video_element(video, 0.0, 0.0)
        .ok()?;
    let px = ctx
        .get_image_data(f64::from(w / 4), f64::from(h / 2), 1.0, 1.0)
        .ok()?
        .data();
    Some([px[0], px[1], px[2]])
}

/// A muted, playing video element showing `stream`.
fn playing(stream: &MediaStream) -> HtmlVideoElement {
    let video = muted_video(stream);
    let _ = video.play();
    video
}

/// A muted, autoplaying video element on `stream` (not yet asked to play).
fn muted_video(stream: &MediaStream) -> HtmlVideoElement {
    let video: HtmlVideoElement = create("video").expect("a <video> element");
    video.set_muted(true);
    video.set_autoplay(true);
    video.set_src_object(Some(stream));
    video
}
