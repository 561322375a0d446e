//! `PeerLink` in a real browser: two links in one page, one polite and one impolite, wired
//! through an in-memory relay that delivers each signal asynchronously, like a network.
//!
//! Needs Chromium started with `--allow-loopback-in-peer-connection` (without it no ICE
//! candidate is gathered) and the fake camera flags: see `crates/app/webdriver.json`.
//! Every wait is bounded and says what it waited for.

#![cfg(target_arch = "wasm32")]

use std::cell::{Ref, RefCell};
use std::future::Future;
use std::rc::{Rc, Weak};

use futures::channel::mpsc;
use futures::future::{select, Either};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use huddle_app::camera::{open_camera, stop_stream};
use huddle_app::rtc::peer::{PeerEvent, PeerLink};
use huddle_protocol::{PeerMessage, PeerSignal};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use wasm_bindgen_test::*;
use web_sys::{HtmlVideoElement, MediaStream, MediaStreamTrack};

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

    /// Takes the next `Track` event carrying a live video track of the stream `sent`
    /// from the other side (a received stream keeps the sender's stream id).
    async fn remote_video(&mut self, sent: &MediaStream) -> MediaStream {
        let id = sent.id();
        let what = format!("PeerEvent::Track with a live video track of stream {id}");
        self.wait_for(TRACK_MS, &what, |e| match e {
            PeerEvent::Track(stream) if stream.id() == id && has_live_video(stream) => {
                Some(handle(stream))
            }
            _ => None,
        })
        .await
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
    fn new(stream_a: Option<MediaStream>, stream_b: Option<MediaStream>) -> Self {
        let slot_a: Slot = Rc::new(RefCell::new(None));
        let slot_b: Slot = Rc::new(RefCell::new(None));
        let received_a = Rc::new(RefCell::new(Vec::new()));
        let received_b = Rc::new(RefCell::new(Vec::new()));
        let (events_a, rx_a) = mpsc::unbounded();
        let (events_b, rx_b) = mpsc::unbounded();
        let a = PeerLink::new(
            false,
            Vec::new(),
            stream_a,
            relay(Rc::downgrade(&slot_b), received_b.clone()),
            move |event| {
                let _ = events_a.unbounded_send(event);
            },
        )
        .expect("impolite PeerLink::new");
        let b = PeerLink::new(
            true,
            Vec::new(),
            stream_b,
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
        PeerEvent::Track(stream) => {
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

async fn camera() -> MediaStream {
    within(10_000, "open_camera()", open_camera())
        .await
        .unwrap_or_else(|e| panic!("fake camera did not open: {e}"))
}

/// Plays `stream` in a muted video element until it has a picture: media really flows.
async fn assert_frames(who: &str, stream: &MediaStream) {
    let video = muted_video(stream);
    if let Ok(playing) = video.play() {
        // A refused play() shows up below as no picture.
        let _ = within(
            FRAMES_MS,
            &format!("{who}: video.play()"),
            JsFuture::from(playing),
        )
        .await;
    }
    within(
        FRAMES_MS,
        &format!("{who}: a decoded frame of the remote video"),
        async {
            while video.video_width() == 0 {
                TimeoutFuture::new(50).await;
            }
        },
    )
    .await;
    video.set_src_object(None);
}

/// Test 1: both channels open, pings answer on both sides, and room messages arrive.
#[wasm_bindgen_test]
async fn data_channel_opens_pings_and_carries_messages() {
    let mut pair = Pair::new(None, None);
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

/// Test 2: cameras given at creation reach the other side, and frames are decoded.
#[wasm_bindgen_test]
async fn camera_streams_given_at_creation_arrive_on_both_sides() {
    let stream_a = camera().await;
    let stream_b = camera().await;
    let mut pair = Pair::new(Some(handle(&stream_a)), Some(handle(&stream_b)));

    let at_b = pair.b.remote_video(&stream_a).await;
    let at_a = pair.a.remote_video(&stream_b).await;
    pair.channels_open().await;
    assert_frames("polite side", &at_b).await;
    assert_frames("impolite side", &at_a).await;
    pair.pings_work().await;

    drop(pair);
    stop_stream(&stream_a);
    stop_stream(&stream_b);
}

/// Test 3: both sides renegotiate in the same tick (offer glare), twice: perfect
/// negotiation resolves it, tracks arrive both ways, and the data channel survives.
#[wasm_bindgen_test]
async fn simultaneous_renegotiation_does_not_deadlock() {
    let mut pair = Pair::new(None, None);
    pair.channels_open().await;
    pair.pings_work().await;

    let mut streams = Vec::new();
    for round in 1..=2 {
        let stream_a = camera().await;
        let stream_b = camera().await;
        let offers_before = (
            count(&pair.a.received, "offer"),
            count(&pair.b.received, "offer"),
        );
        pair.a.link().set_local_stream(Some(handle(&stream_a)));
        pair.b.link().set_local_stream(Some(handle(&stream_b)));

        let at_b = pair.b.remote_video(&stream_a).await;
        let at_a = pair.a.remote_video(&stream_b).await;
        assert!(
            has_live_video(&at_a) && has_live_video(&at_b),
            "round {round}: tracks not live"
        );
        assert!(
            count(&pair.a.received, "offer") > offers_before.0
                && count(&pair.b.received, "offer") > offers_before.1,
            "round {round}: not both sides offered, so there was no glare to resolve"
        );
        assert!(
            pair.a.link().is_open() && pair.b.link().is_open(),
            "round {round}: channel closed by renegotiation"
        );
        pair.pings_work().await;
        streams.push(stream_a);
        streams.push(stream_b);
    }
    // Neither side may be stuck mid-negotiation: one more message each way.
    let message = PeerMessage::CameraState { available: true };
    assert!(pair.a.link().send(&message));
    assert_eq!(pair.b.message().await, message);
    assert!(pair.b.link().send(&message));
    assert_eq!(pair.a.message().await, message);

    drop(pair);
    streams.iter().for_each(stop_stream);
}

fn count(log: &Rc<RefCell<Vec<&'static str>>>, kind: &str) -> usize {
    log.borrow().iter().filter(|k| **k == kind).count()
}

/// Test 4: `start_fresh()` on one side (first the impolite one, then the polite one) makes
/// the other side start fresh through `PeerSignal::Reset`; the channel reopens, pings
/// work, and the cameras are sent again on the new connection.
#[wasm_bindgen_test]
async fn fresh_connection_rebuilds_both_sides() {
    let stream_a = camera().await;
    let stream_b = camera().await;
    let mut pair = Pair::new(Some(handle(&stream_a)), Some(handle(&stream_b)));
    pair.channels_open().await;
    pair.b.remote_video(&stream_a).await;
    pair.a.remote_video(&stream_b).await;
    pair.pings_work().await;

    for from_polite in [false, true] {
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
            !starter.link().is_open(),
            "{case}: the old channel is still reported open"
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
        pair.b.remote_video(&stream_a).await;
        pair.a.remote_video(&stream_b).await;
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
    }

    drop(pair);
    stop_stream(&stream_a);
    stop_stream(&stream_b);
}

/// Test 5: a scale set on a link (the mesh sets one as the room grows) makes the other side
/// receive a video that much smaller than the track, while the track itself keeps its size.
#[wasm_bindgen_test]
async fn a_scaled_link_sends_a_smaller_video() {
    let stream_a = camera().await;
    let sent_width = track_width(&stream_a);
    assert!(sent_width >= 320, "fake camera width {sent_width}");
    let mut pair = Pair::new(Some(handle(&stream_a)), None);
    pair.a.link().set_video_scale(2.0);
    let at_b = pair.b.remote_video(&stream_a).await;
    pair.channels_open().await;

    let video = playing(&at_b);
    width_becomes(&video, sent_width / 2).await;
    assert_eq!(track_width(&stream_a), sent_width, "the track was resized");

    // Back to full size, as when the room shrinks.
    pair.a.link().set_video_scale(1.0);
    width_becomes(&video, sent_width).await;

    video.set_src_object(None);
    drop(pair);
    stop_stream(&stream_a);
}

async fn width_becomes(video: &HtmlVideoElement, wanted: u32) {
    within(
        FRAMES_MS,
        &format!("the received video to be {wanted} px wide"),
        async {
            while video.video_width() != wanted {
                TimeoutFuture::new(50).await;
            }
        },
    )
    .await;
}

fn track_width(stream: &MediaStream) -> u32 {
    stream
        .get_video_tracks()
        .get(0)
        .dyn_into::<MediaStreamTrack>()
        .ok()
        .and_then(|t| {
            let get = js_sys::Reflect::get(&t, &"getSettings".into()).ok()?;
            let settings = get.dyn_into::<js_sys::Function>().ok()?.call0(&t).ok()?;
            js_sys::Reflect::get(&settings, &"width".into())
                .ok()?
                .as_f64()
        })
        .unwrap_or(0.0) as u32
}

/// A muted, playing video element showing `stream`.
fn playing(stream: &MediaStream) -> HtmlVideoElement {
    let video = muted_video(stream);
    let _ = video.play();
    video
}

/// A muted, autoplaying video element on `stream` (not yet asked to play).
fn muted_video(stream: &MediaStream) -> HtmlVideoElement {
    let video: HtmlVideoElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("video").ok())
        .and_then(|e| e.dyn_into().ok())
        .expect("a <video> element");
    video.set_muted(true);
    video.set_autoplay(true);
    video.set_src_object(Some(stream));
    video
}
