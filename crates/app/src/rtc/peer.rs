//! A connection to one other member: two reliable ordered data channels, `room` for room
//! messages and `media` for the live cut-out video (see [`super::media`]), negotiated with the "perfect negotiation" pattern so that both sides may (re)negotiate at
//! any time without offer glare, and recovered from ICE `disconnected` and `failed`: first an
//! ICE restart, then, if that does not bring it back, a fresh connection on both sides.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use futures::channel::{mpsc, oneshot};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use huddle_protocol::media::parts::Reassembly;
use huddle_protocol::media::{key_frame_wanted, MediaMessage};
use huddle_protocol::{decode, encode, IceServer, PeerMessage, PeerSignal};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    MessageEvent, RtcConfiguration, RtcDataChannel, RtcDataChannelInit, RtcDataChannelState,
    RtcDataChannelType, RtcIceCandidateInit, RtcIceConnectionState, RtcIceServer,
    RtcPeerConnection, RtcPeerConnectionIceEvent, RtcSdpType, RtcSessionDescriptionInit,
    RtcSignalingState,
};

use super::media::{MediaDecoder, RemoteVideo};
use super::sdp::{restart_ice, set_local_description_implicit};

/// How long ICE may stay `disconnected` before we restart it: brief blips heal themselves.
const DISCONNECTED_GRACE_MS: u32 = 2_000;
/// How long an ICE restart may take before we start a fresh connection.
const RESTART_TIMEOUT_MS: u32 = 8_000;
/// Live video waiting in the `media` channel beyond which frames to this member are
/// skipped until a key frame: a slow link gets fewer, newer pictures, not a backlog.
const MAX_MEDIA_BUFFERED: u32 = 256 * 1024;
/// Key-frame requests to the sender, at most one per this long.
const KEY_REQUEST_EVERY_MS: f64 = 300.0;

/// What a link reports to its owner.
#[derive(Debug, Clone)]
pub enum PeerEvent {
    /// The other member's live picture: a stream that plays what its `media` channel
    /// brings (sent once, when that channel first opens).
    Track(RemoteVideo),
    /// The other member needs a key frame of my live video to decode what follows.
    KeyFrameWanted,
    /// The data channel opened: the link is usable for room messages.
    ChannelOpen,
    Message(PeerMessage),
    /// A binary message (pictures in chunks; see `crate::live::shot_transfer`).
    Bytes(Vec<u8>),
    State(LinkState),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Connected,
    Reconnecting,
}

/// One RTCPeerConnection generation and the callbacks that must live as long as it.
struct Connection {
    generation: u32,
    pc: RtcPeerConnection,
    /// Created at once on the impolite side; on the polite side only when the first offer
    /// has been applied (see [`start_connection`]).
    channel: RefCell<Option<RtcDataChannel>>,
    /// The live video, created with `channel`.
    media: RefCell<Option<RtcDataChannel>>,
    making_offer: Cell<bool>,
    ignore_offer: Cell<bool>,
    callbacks: RefCell<Vec<Box<dyn std::any::Any>>>,
}

impl Connection {
    fn channel_open(&self) -> bool {
        is_open(&self.channel)
    }

    fn media_open(&self) -> bool {
        is_open(&self.media)
    }
}

fn is_open(channel: &RefCell<Option<RtcDataChannel>>) -> bool {
    channel
        .borrow()
        .as_ref()
        .is_some_and(|c| c.ready_state() == RtcDataChannelState::Open)
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.pc.set_onnegotiationneeded(None);
        self.pc.set_onicecandidate(None);
        self.pc.set_oniceconnectionstatechange(None);
        for channel in [&self.channel, &self.media] {
            if let Some(channel) = channel.borrow().as_ref() {
                channel.set_onopen(None);
                channel.set_onmessage(None);
                channel.close();
            }
        }
        self.pc.close();
    }
}

struct Inner {
    /// The polite side yields when both offer at once.
    polite: bool,
    ice_servers: Vec<IceServer>,
    send_signal: Box<dyn Fn(PeerSignal)>,
    on_event: Box<dyn Fn(PeerEvent)>,
    connection: RefCell<Option<Connection>>,
    /// The other member's live video; outlives connection generations, so the
    /// stream the page plays stays the same through a reconnection.
    decoder: Option<MediaDecoder>,
    /// Whether the other side has had a key frame of my video on this connection:
    /// until then deltas are not sent.
    media_synced: Cell<bool>,
    track_announced: Cell<bool>,
    last_key_request: Cell<f64>,
    inbox: mpsc::UnboundedSender<PeerSignal>,
    pending_pings: RefCell<HashMap<u32, (f64, oneshot::Sender<f64>)>>,
    next_ping: Cell<u32>,
    generations: Cell<u32>,
    closed: Cell<bool>,
}

/// A connection to one other member; dropping it (or [`PeerLink::close`]) closes it.
pub struct PeerLink {
    inner: Rc<Inner>,
}

impl PeerLink {
    /// `polite` must be true on exactly one side of the pair (decided from member ids).
    /// `send_signal` carries negotiation to the other side through the server.
    pub fn new(
        polite: bool,
        ice_servers: Vec<IceServer>,
        send_signal: impl Fn(PeerSignal) + 'static,
        on_event: impl Fn(PeerEvent) + 'static,
    ) -> Result<Self, JsValue> {
        let (inbox, mut incoming) = mpsc::unbounded();
        let decoder = MediaDecoder::new()
            .map_err(|e| web_sys::console::warn_2(&"no live video from this member".into(), &e))
            .ok();
        let inner = Rc::new(Inner {
            polite,
            ice_servers,
            send_signal: Box::new(send_signal),
            on_event: Box::new(on_event),
            connection: RefCell::new(None),
            decoder,
            media_synced: Cell::new(false),
            track_announced: Cell::new(false),
            last_key_request: Cell::new(f64::NEG_INFINITY),
            inbox,
            pending_pings: RefCell::new(HashMap::new()),
            next_ping: Cell::new(0),
            generations: Cell::new(0),
            closed: Cell::new(false),
        });
        start_connection(&inner)?;
        // Signals are handled one at a time, in arrival order: perfect negotiation relies on
        // each description being fully applied before the next is looked at.
        let weak = Rc::downgrade(&inner);
        spawn_local(async move {
            while let Some(signal) = incoming.next().await {
                let Some(inner) = weak.upgrade() else { break };
                if inner.closed.get() {
                    break;
                }
                // A restart closes the pc under a step that awaits it, and a closed pc's
                // pending promises never settle: stop waiting once its generation is gone.
                let generation = inner.generations.get();
                let step = std::pin::pin!(handle_signal(&inner, signal));
                let superseded = std::pin::pin!(superseded(&weak, generation));
                if let futures::future::Either::Left((Err(error), _)) =
                    futures::future::select(step, superseded).await
                {
                    web_sys::console::warn_2(&"negotiation step failed".into(), &error);
                }
            }
        });
        Ok(Self { inner })
    }

    /// Negotiation from the other member, relayed by the server.
    pub fn receive_signal(&self, signal: PeerSignal) {
        let _ = self.inner.inbox.unbounded_send(signal);
    }

    /// Sends a frame of my live video, as the `media` messages `into_parts` cut it
    /// into; `key` says whether it is a key frame. Returns whether this member
    /// needs a key frame: it has not had one on this connection, or its channel is
    /// too far behind and this frame was skipped.
    pub fn send_media(&self, parts: &[Vec<u8>], key: bool) -> bool {
        let inner = &self.inner;
        let connection = inner.connection.borrow();
        let Some(c) = connection.as_ref().filter(|c| c.media_open()) else {
            return false;
        };
        if !key && !inner.media_synced.get() {
            return true;
        }
        let media = c.media.borrow();
        let Some(channel) = media.as_ref() else {
            return false;
        };
        // Each part is handed over on its own: that is what lets a frame leave at once.
        if channel.buffered_amount() > MAX_MEDIA_BUFFERED
            || parts
                .iter()
                .any(|part| channel.send_with_u8_array(part).is_err())
        {
            inner.media_synced.set(false);
            return true;
        }
        if key {
            inner.media_synced.set(true);
        }
        false
    }

    /// Whether my live video can go to this member now.
    pub fn media_open(&self) -> bool {
        self.inner
            .connection
            .borrow()
            .as_ref()
            .is_some_and(Connection::media_open)
    }

    /// Sends a room message; false if the channel is not open (yet).
    pub fn send(&self, message: &PeerMessage) -> bool {
        send_on(&self.inner, message)
    }

    /// Sends one binary message (keep it at most 16 KiB: every browser takes that).
    pub fn send_bytes(&self, bytes: &[u8]) -> bool {
        send_bytes_on(&self.inner, bytes)
    }

    pub fn is_open(&self) -> bool {
        self.inner
            .connection
            .borrow()
            .as_ref()
            .is_some_and(Connection::channel_open)
    }

    /// One data-channel round trip in milliseconds, or `None` if the channel is closed or
    /// the answer takes longer than 5 s. The future does not borrow the link.
    pub fn ping(&self) -> impl std::future::Future<Output = Option<f64>> + 'static {
        let inner = self.inner.clone();
        async move {
            let seq = inner.next_ping.get().wrapping_add(1);
            inner.next_ping.set(seq);
            let (done, answer) = oneshot::channel();
            inner
                .pending_pings
                .borrow_mut()
                .insert(seq, (now_ms(), done));
            if !send_on(&inner, &PeerMessage::Ping { seq }) {
                inner.pending_pings.borrow_mut().remove(&seq);
                return None;
            }
            let timeout = TimeoutFuture::new(5_000);
            futures::pin_mut!(timeout);
            match futures::future::select(answer, timeout).await {
                futures::future::Either::Left((Ok(rtt), _)) => Some(rtt),
                _ => {
                    inner.pending_pings.borrow_mut().remove(&seq);
                    None
                }
            }
        }
    }

    /// Restarts ICE now (the first recovery step; renegotiates both sides).
    pub fn restart_ice(&self) {
        if let Some((pc, _)) = pc_of(&self.inner) {
            restart_ice(&pc);
        }
    }

    /// Forces the "fresh connection" recovery step, as if an ICE restart had failed.
    pub fn start_fresh(&self) {
        restart_from_scratch(&self.inner, true);
    }

    pub fn close(&self) {
        self.inner.closed.set(true);
        self.inner.connection.replace(None);
        self.inner.inbox.close_channel();
    }
}

impl Drop for PeerLink {
    fn drop(&mut self) {
        self.close();
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_default()
}

fn send_bytes_on(inner: &Inner, bytes: &[u8]) -> bool {
    inner.connection.borrow().as_ref().is_some_and(|c| {
        c.channel_open()
            && c.channel
                .borrow()
                .as_ref()
                .is_some_and(|ch| ch.send_with_u8_array(bytes).is_ok())
    })
}

fn send_on(inner: &Inner, message: &PeerMessage) -> bool {
    inner.connection.borrow().as_ref().is_some_and(|c| {
        c.channel_open()
            && c.channel
                .borrow()
                .as_ref()
                .is_some_and(|ch| ch.send_with_str(&encode(message)).is_ok())
    })
}

fn rtc_configuration(ice_servers: &[IceServer]) -> RtcConfiguration {
    let servers = js_sys::Array::new();
    for server in ice_servers {
        let entry = RtcIceServer::new();
        let urls: js_sys::Array = server.urls.iter().map(|u| JsValue::from_str(u)).collect();
        entry.set_urls(&urls);
        if let Some(username) = &server.username {
            entry.set_username(username);
        }
        if let Some(credential) = &server.credential {
            entry.set_credential(credential);
        }
        servers.push(&entry);
    }
    let config = RtcConfiguration::new();
    // Policy "all" (the default): each pair uses a direct path when one exists and falls
    // back to the TURN servers in the list only when it does not.
    config.set_ice_servers(&servers);
    config
}

/// Builds a new RTCPeerConnection generation with its negotiated data channel and handlers.
fn start_connection(inner: &Rc<Inner>) -> Result<(), JsValue> {
    let generation = inner.generations.get() + 1;
    inner.generations.set(generation);
    let pc = RtcPeerConnection::new_with_configuration(&rtc_configuration(&inner.ice_servers))?;
    let mut callbacks: Vec<Box<dyn std::any::Any>> = Vec::new();
    let weak = Rc::downgrade(inner);

    let on_negotiation = {
        let weak = weak.clone();
        Closure::<dyn FnMut()>::new(move || {
            let weak = weak.clone();
            spawn_local(async move {
                if let Some(inner) = current(&weak, generation) {
                    make_offer(&inner).await;
                }
            });
        })
    };
    pc.set_onnegotiationneeded(Some(on_negotiation.as_ref().unchecked_ref()));
    callbacks.push(Box::new(on_negotiation));

    let on_candidate = {
        let weak = weak.clone();
        Closure::<dyn FnMut(RtcPeerConnectionIceEvent)>::new(
            move |event: RtcPeerConnectionIceEvent| {
                let (Some(inner), Some(candidate)) =
                    (current(&weak, generation), event.candidate())
                else {
                    return;
                };
                (inner.send_signal)(PeerSignal::Candidate {
                    candidate: candidate.candidate(),
                    sdp_mid: candidate.sdp_mid(),
                    sdp_m_line_index: candidate.sdp_m_line_index(),
                });
            },
        )
    };
    pc.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
    callbacks.push(Box::new(on_candidate));

    let on_ice_state = {
        let weak = weak.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = current(&weak, generation) {
                ice_state_changed(&inner, generation);
            }
        })
    };
    pc.set_oniceconnectionstatechange(Some(on_ice_state.as_ref().unchecked_ref()));
    callbacks.push(Box::new(on_ice_state));

    inner.connection.replace(Some(Connection {
        generation,
        pc,
        channel: RefCell::new(None),
        media: RefCell::new(None),
        making_offer: Cell::new(false),
        ignore_offer: Cell::new(false),
        callbacks: RefCell::new(callbacks),
    }));
    // A new connection starts the video over from a key frame, both ways.
    inner.media_synced.set(false);
    if let Some(decoder) = &inner.decoder {
        decoder.wait_for_key();
    }
    (inner.on_event)(PeerEvent::State(LinkState::Connecting));
    // Only the impolite side opens negotiation. If both sides offered an SCTP section at
    // once, Chromium rejects it (port 0) in the polite side's answer after the rollback,
    // and the pair renegotiates forever without a data channel.
    if !inner.polite {
        add_channels(inner, generation);
    }
    Ok(())
}

/// Creates the negotiated data channels on the current connection.
fn add_channels(inner: &Rc<Inner>, generation: u32) {
    let Some(pc) = with_connection(inner, generation, |c| {
        (c.channel.borrow().is_none()).then(|| c.pc.clone())
    })
    .flatten() else {
        return;
    };
    // Negotiated with a fixed id: both sides create the same channel, so neither waits for
    // the other's `datachannel` event and a fresh connection needs no extra round.
    let init = RtcDataChannelInit::new();
    init.set_negotiated(true);
    init.set_id(0);
    init.set_ordered(true);
    let channel = pc.create_data_channel_with_data_channel_dict("room", &init);
    channel.set_binary_type(RtcDataChannelType::Arraybuffer);
    let mut callbacks: Vec<Box<dyn std::any::Any>> = Vec::new();
    let weak = Rc::downgrade(inner);
    let on_open = {
        let weak = weak.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = current(&weak, generation) {
                (inner.on_event)(PeerEvent::ChannelOpen);
            }
        })
    };
    channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    callbacks.push(Box::new(on_open));

    let on_message = {
        let weak = weak.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(inner) = current(&weak, generation) else {
                return;
            };
            let data = event.data();
            if let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                let bytes = js_sys::Uint8Array::new(buffer).to_vec();
                (inner.on_event)(PeerEvent::Bytes(bytes));
                return;
            }
            let Some(text) = data.as_string() else {
                return;
            };
            match decode::<PeerMessage>(&text) {
                Ok(PeerMessage::Ping { seq }) => {
                    send_on(&inner, &PeerMessage::Pong { seq });
                }
                Ok(PeerMessage::Pong { seq }) => {
                    if let Some((sent, done)) = inner.pending_pings.borrow_mut().remove(&seq) {
                        let _ = done.send(now_ms() - sent);
                    }
                }
                Ok(other) => (inner.on_event)(PeerEvent::Message(other)),
                Err(error) => {
                    web_sys::console::warn_1(&format!("ignored peer message: {error}").into())
                }
            }
        })
    };
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    callbacks.push(Box::new(on_message));

    let media = media_channel(inner, generation, &pc, &mut callbacks);
    with_connection(inner, generation, |c| {
        c.channel.replace(Some(channel));
        c.media.replace(Some(media));
        c.callbacks.borrow_mut().extend(callbacks);
    });
}

/// The `media` channel: my live video out, the other member's in.
fn media_channel(
    inner: &Rc<Inner>,
    generation: u32,
    pc: &RtcPeerConnection,
    callbacks: &mut Vec<Box<dyn std::any::Any>>,
) -> RtcDataChannel {
    let init = RtcDataChannelInit::new();
    init.set_negotiated(true);
    init.set_id(1);
    init.set_ordered(true);
    let channel = pc.create_data_channel_with_data_channel_dict("media", &init);
    channel.set_binary_type(RtcDataChannelType::Arraybuffer);
    let weak = Rc::downgrade(inner);
    let on_open = {
        let weak = weak.clone();
        Closure::<dyn FnMut()>::new(move || {
            let Some(inner) = current(&weak, generation) else {
                return;
            };
            if let Some(decoder) = &inner.decoder {
                if !inner.track_announced.replace(true) {
                    (inner.on_event)(PeerEvent::Track(decoder.video()));
                }
            }
            // Whatever the other side had of my video is gone with the old connection.
            inner.media_synced.set(false);
            (inner.on_event)(PeerEvent::KeyFrameWanted);
        })
    };
    channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    callbacks.push(Box::new(on_open));

    // This connection's channel: a new one starts with nothing half-received.
    let reassembly = RefCell::new(Reassembly::default());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(inner) = current(&weak, generation) else {
            return;
        };
        let Some(buffer) = event.data().dyn_ref::<js_sys::ArrayBuffer>().cloned() else {
            return;
        };
        let pushed = reassembly
            .borrow_mut()
            .push(js_sys::Uint8Array::new(&buffer).to_vec());
        if let Some(error) = pushed.dropped {
            web_sys::console::warn_1(&format!("live video: {error}").into());
            if let Some(decoder) = &inner.decoder {
                decoder.wait_for_key();
            }
            ask_for_key_frame(&inner);
        }
        let Some(bytes) = pushed.message else {
            return;
        };
        match MediaMessage::parse(&bytes) {
            Ok(MediaMessage::Frame(frame)) => {
                let decoded = inner.decoder.as_ref().is_some_and(|d| d.receive(&frame));
                if !decoded {
                    ask_for_key_frame(&inner);
                }
            }
            Ok(MediaMessage::KeyFrameWanted) => {
                inner.media_synced.set(false);
                (inner.on_event)(PeerEvent::KeyFrameWanted);
            }
            Err(error) => {
                web_sys::console::warn_1(&format!("ignored live video message: {error}").into())
            }
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    callbacks.push(Box::new(on_message));
    channel
}

/// Tells the other member I need a key frame (not more often than
/// [`KEY_REQUEST_EVERY_MS`]: its answer is on its way).
fn ask_for_key_frame(inner: &Inner) {
    let now = now_ms();
    if now - inner.last_key_request.get() < KEY_REQUEST_EVERY_MS {
        return;
    }
    inner.last_key_request.set(now);
    if let Some(c) = inner.connection.borrow().as_ref() {
        if let Some(media) = c.media.borrow().as_ref() {
            let _ = media.send_with_u8_array(&key_frame_wanted());
        }
    }
}

/// The link, if it is still open and `generation` is still its current connection:
/// callbacks of a replaced connection must not act on the new one.
fn current(weak: &Weak<Inner>, generation: u32) -> Option<Rc<Inner>> {
    let inner = weak.upgrade()?;
    let live = !inner.closed.get()
        && inner
            .connection
            .borrow()
            .as_ref()
            .is_some_and(|c| c.generation == generation);
    live.then_some(inner)
}

/// Resolves once `generation` is no longer the link's current connection.
async fn superseded(weak: &Weak<Inner>, generation: u32) {
    while current(weak, generation).is_some() {
        TimeoutFuture::new(100).await;
    }
}

fn pc_of(inner: &Inner) -> Option<(RtcPeerConnection, u32)> {
    inner
        .connection
        .borrow()
        .as_ref()
        .map(|c| (c.pc.clone(), c.generation))
}

fn with_connection<R>(
    inner: &Inner,
    generation: u32,
    f: impl FnOnce(&Connection) -> R,
) -> Option<R> {
    inner
        .connection
        .borrow()
        .as_ref()
        .filter(|c| c.generation == generation)
        .map(f)
}

async fn make_offer(inner: &Rc<Inner>) {
    let Some((pc, generation)) = pc_of(inner) else {
        return;
    };
    with_connection(inner, generation, |c| c.making_offer.set(true));
    let result = set_local_description_implicit(&pc).await;
    with_connection(inner, generation, |c| c.making_offer.set(false));
    match result {
        Ok(()) => send_local_description(inner, &pc),
        Err(error) => web_sys::console::warn_2(&"could not make an offer".into(), &error),
    }
}

fn send_local_description(inner: &Inner, pc: &RtcPeerConnection) {
    if let Some(description) = pc.local_description() {
        let sdp_type = match description.type_() {
            RtcSdpType::Offer => "offer",
            RtcSdpType::Answer => "answer",
            RtcSdpType::Pranswer => "pranswer",
            _ => "rollback",
        };
        (inner.send_signal)(PeerSignal::Description {
            sdp_type: sdp_type.into(),
            sdp: description.sdp(),
        });
    }
}

async fn handle_signal(inner: &Rc<Inner>, signal: PeerSignal) -> Result<(), JsValue> {
    match signal {
        PeerSignal::Reset => {
            restart_from_scratch(inner, false);
            Ok(())
        }
        PeerSignal::Description { sdp_type, sdp } => {
            let Some((pc, generation)) = pc_of(inner) else {
                return Ok(());
            };
            let sdp_type = match sdp_type.as_str() {
                "offer" => RtcSdpType::Offer,
                "answer" => RtcSdpType::Answer,
                "pranswer" => RtcSdpType::Pranswer,
                "rollback" => RtcSdpType::Rollback,
                _ => return Ok(()),
            };
            let is_offer = sdp_type == RtcSdpType::Offer;
            let making_offer =
                with_connection(inner, generation, |c| c.making_offer.get()).unwrap_or(false);
            let collision =
                is_offer && (making_offer || pc.signaling_state() != RtcSignalingState::Stable);
            let ignore = !inner.polite && collision;
            with_connection(inner, generation, |c| c.ignore_offer.set(ignore));
            if ignore {
                return Ok(());
            }
            // An answer while stable is stale (its offer was rolled back by a collision).
            if sdp_type == RtcSdpType::Answer && pc.signaling_state() == RtcSignalingState::Stable {
                return Ok(());
            }
            let description = RtcSessionDescriptionInit::new(sdp_type);
            description.set_sdp(&sdp);
            // The polite side's pending offer is rolled back implicitly by the browser.
            JsFuture::from(pc.set_remote_description(&description)).await?;
            if is_offer {
                // The polite side joins in now, so its answer carries the channels.
                add_channels(inner, generation);
                set_local_description_implicit(&pc).await?;
                send_local_description(inner, &pc);
            }
            Ok(())
        }
        PeerSignal::Candidate {
            candidate,
            sdp_mid,
            sdp_m_line_index,
        } => {
            let Some((pc, generation)) = pc_of(inner) else {
                return Ok(());
            };
            let init = RtcIceCandidateInit::new(&candidate);
            init.set_sdp_mid(sdp_mid.as_deref());
            init.set_sdp_m_line_index(sdp_m_line_index);
            let result =
                JsFuture::from(pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init)))
                    .await;
            let ignoring =
                with_connection(inner, generation, |c| c.ignore_offer.get()).unwrap_or(true);
            match result {
                // Candidates for an offer we ignored, or from a replaced connection, fail here.
                Err(_) if ignoring => Ok(()),
                Err(error) => {
                    web_sys::console::debug_2(&"ignored ICE candidate".into(), &error);
                    Ok(())
                }
                Ok(_) => Ok(()),
            }
        }
    }
}

fn ice_state_changed(inner: &Rc<Inner>, generation: u32) {
    let Some((pc, _)) = pc_of(inner) else { return };
    match pc.ice_connection_state() {
        RtcIceConnectionState::Connected | RtcIceConnectionState::Completed => {
            (inner.on_event)(PeerEvent::State(LinkState::Connected));
        }
        RtcIceConnectionState::Disconnected => {
            (inner.on_event)(PeerEvent::State(LinkState::Reconnecting));
            schedule_recovery(inner, generation, DISCONNECTED_GRACE_MS);
        }
        RtcIceConnectionState::Failed => {
            (inner.on_event)(PeerEvent::State(LinkState::Reconnecting));
            schedule_recovery(inner, generation, 0);
        }
        _ => {}
    }
}

fn is_down(pc: &RtcPeerConnection) -> bool {
    matches!(
        pc.ice_connection_state(),
        RtcIceConnectionState::Disconnected
            | RtcIceConnectionState::Failed
            | RtcIceConnectionState::Checking
    )
}

/// After `delay_ms`, if the connection is still down, restart ICE; if that has not
/// brought it back after [`RESTART_TIMEOUT_MS`], start a fresh connection.
fn schedule_recovery(inner: &Rc<Inner>, generation: u32, delay_ms: u32) {
    let weak = Rc::downgrade(inner);
    spawn_local(async move {
        TimeoutFuture::new(delay_ms).await;
        let Some(inner) = current(&weak, generation) else {
            return;
        };
        let Some((pc, _)) = pc_of(&inner) else { return };
        if !is_down(&pc) {
            return;
        }
        restart_ice(&pc);
        drop(inner);
        TimeoutFuture::new(RESTART_TIMEOUT_MS).await;
        let Some(inner) = current(&weak, generation) else {
            return;
        };
        if pc_of(&inner).is_some_and(|(pc, _)| is_down(&pc)) {
            restart_from_scratch(&inner, true);
        }
    });
}

/// Replaces the RTCPeerConnection. `tell_peer` sends [`PeerSignal::Reset`] so the other
/// side does the same; a side that got the reset does not send one back.
fn restart_from_scratch(inner: &Rc<Inner>, tell_peer: bool) {
    if inner.closed.get() {
        return;
    }
    inner.connection.replace(None);
    if tell_peer {
        (inner.send_signal)(PeerSignal::Reset);
    }
    if let Err(error) = start_connection(inner) {
        web_sys::console::error_2(&"could not start a fresh connection".into(), &error);
    }
}
