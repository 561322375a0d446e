//! The page's session with the server: connection, room membership, members' streams.
//!
//! Plain data lives in signals the pages read; browser objects (socket, peer connections)
//! live in [`Inner`], outside the reactive graph.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use huddle_protocol::chunks::transfer_id;
use huddle_protocol::{
    ClientMessage, Credential, DisplayName, ErrorCode, FeaturedRoom, IceServer, Invite, Member,
    MemberId, PeerMessage, RoomId, RoomInfo, SceneState, ServerMessage, PROTOCOL_VERSION,
    SMILES_WANTED_FOR_MS,
};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;

use crate::camera::{open_camera, stop_stream, CameraError};
use crate::compose::picture::Picture;
use crate::live::photo_camera::PhotoCamera;
use crate::rtc::media::{wall_ms, RemoteVideo};
use crate::rtc::mesh::Mesh;
use crate::rtc::peer::{LinkState, PeerEvent};
use crate::signalling::{socket_url, Signaller, SocketEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Ready,
    /// The socket dropped; the session is reconnecting (and rejoining, if it was in a room).
    Lost,
}

/// The room this page is in.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomView {
    pub info: RoomInfo,
    pub me: MemberId,
    /// Join order, creator first.
    pub members: Vec<Member>,
    pub invite: Invite,
}

/// A refusal from the server, as shown to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraStatus {
    Off,
    Starting,
    On,
    /// No camera, but a photo of me stands in for it.
    Photo,
    Unavailable(CameraError),
}

/// What we know about the link to another member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerStatus {
    pub link: LinkState,
    /// `None` until their first camera-state message.
    pub camera: Option<bool>,
}

struct Inner {
    signaller: RefCell<Option<Signaller>>,
    ice_servers: RefCell<Vec<IceServer>>,
    /// A request made before the socket was ready; sent after `Welcome`.
    pending: RefCell<Option<ClientMessage>>,
    mesh: RefCell<Option<Rc<Mesh>>>,
    /// Where to go back to after the socket drops: room, name and the room's invite.
    rejoin: RefCell<Option<(RoomId, DisplayName, Invite)>>,
    failed_connects: Cell<u32>,
    /// Members' eyes (camera pixels) and smiles, updated with every frame: kept
    /// outside the reactive graph, the preview reads them as it paints.
    heads: RefCell<BTreeMap<MemberId, Head>>,
    /// Until when (wall ms) some member's smile shot, maybe mine, wants everyone's
    /// smiles; shared with the page's head pace.
    smiles_wanted_until: Rc<Cell<f64>>,
    /// When I last told the others my smile shot watches (wall ms).
    smiles_asked_at: Cell<f64>,
    /// Who hears shutter messages and photo chunks (the room's picture).
    shot_listener: RefCell<Option<ShotListener>>,
    /// The photo standing in for my missing camera.
    photo: RefCell<Option<PhotoCamera>>,
    /// Who hears about the room's background photo.
    background_listener: RefCell<Option<BackgroundListener>>,
    /// Who hears about photos being edited together.
    edit_listener: RefCell<Option<EditListener>>,
    /// Transfers announced as a background photo or an editing payload, by
    /// sender: their chunks go to that listener, every other transfer to the shots.
    announced: RefCell<BTreeMap<(MemberId, u64), Route>>,
}

/// Who an announced transfer's chunks are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Background,
    Edit,
}

/// Announced transfers kept for routing; a room that somehow piles up more starts over
/// (a transfer is announced right before its chunks, so only the newest few matter).
const MAX_ANNOUNCED: usize = 256;
/// How often a watching smile shot repeats `smiles_wanted` (well inside
/// [`SMILES_WANTED_FOR_MS`], so one late message does not stop the smiles).
const SMILES_ASKED_EVERY_MS: f64 = 1_000.0;
/// A smile older than this no longer counts (heads come every 60–100 ms while a
/// smile shot watches).
const SMILE_FRESH_MS: f64 = 1_000.0;

/// News about the room's background photo from another member.
#[derive(Debug, Clone)]
pub enum BackgroundEvent {
    /// The chunks of `transfer` that follow are the photo uploaded at `(clock, by)`.
    Announce {
        transfer: u64,
        clock: u64,
        by: MemberId,
    },
    Bytes(Vec<u8>),
    /// Their data channel just opened: they may need the photo.
    ChannelOpen,
}

type BackgroundListener = Rc<dyn Fn(MemberId, BackgroundEvent)>;

/// News about the photos being edited together, from another member.
#[derive(Debug, Clone)]
pub enum EditEvent {
    /// The chunks of `transfer` that follow are a sync payload for `shot`'s
    /// document, or (`photo`) the shot's JPEG.
    Announce {
        shot: u64,
        transfer: u64,
        photo: bool,
    },
    PhotoWanted {
        shot: u64,
    },
    Presence {
        shot: u64,
        open: bool,
        cursor: Option<[f32; 2]>,
        selected: Option<String>,
    },
    Bytes(Vec<u8>),
    /// Their data channel just opened: they may lack documents.
    ChannelOpen,
}

type EditListener = Rc<dyn Fn(MemberId, EditEvent)>;

/// A shutter message or a photo chunk from another member.
#[derive(Debug, Clone)]
pub enum ShotEvent {
    Shoot { shot: u64, countdown_s: u8 },
    Recording { on: bool },
    Bytes(Vec<u8>),
}

type ShotListener = Rc<dyn Fn(MemberId, ShotEvent)>;

/// A member's head in its own camera frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Head {
    pub eyes: Option<[[f32; 2]; 2]>,
    pub smile: f32,
    /// When it came (wall ms): faces are tracked only while something needs them,
    /// so a smile from an earlier smile shot must not count for the next one.
    pub at: f64,
}

impl Inner {
    /// `member`'s head as seen now (mine, or as a member told me).
    fn note_head(&self, member: MemberId, eyes: Option<[[f32; 2]; 2]>, smile: f32) {
        let at = wall_ms();
        self.heads
            .borrow_mut()
            .insert(member, Head { eyes, smile, at });
    }

    /// A smile shot (mine, or a member's) watches as of `now_ms` (wall clock).
    fn keep_smiles_wanted(&self, now_ms: f64) {
        self.smiles_wanted_until.set(now_ms + SMILES_WANTED_FOR_MS);
    }
}

#[derive(Clone, Copy)]
pub struct Session {
    pub connection: RwSignal<ConnectionState>,
    pub room: RwSignal<Option<RoomView>>,
    pub refusal: RwSignal<Option<Refusal>>,
    pub featured: RwSignal<Vec<FeaturedRoom>>,
    pub camera: RwSignal<CameraStatus>,
    pub local_stream: RwSignal<Option<MediaStream>, LocalStorage>,
    /// Each other member's live picture (see [`RemoteVideo`]).
    pub remote_videos: RwSignal<BTreeMap<MemberId, RemoteVideo>, LocalStorage>,
    pub peers: RwSignal<BTreeMap<MemberId, PeerStatus>>,
    /// True from a create/join request until its answer.
    pub busy: RwSignal<bool>,
    /// The room the person left with "Leave room": its page must not join it again by itself.
    pub left_room: RwSignal<Option<RoomId>>,
    /// The room's picture settings, merged from every member's changes.
    pub scene: RwSignal<SceneState>,
    inner: StoredValue<Rc<Inner>, LocalStorage>,
}

impl Session {
    /// Creates the session and starts connecting to the server.
    pub fn start() -> Self {
        let session = Self {
            connection: RwSignal::new(ConnectionState::Connecting),
            room: RwSignal::new(None),
            refusal: RwSignal::new(None),
            featured: RwSignal::new(Vec::new()),
            camera: RwSignal::new(CameraStatus::Off),
            local_stream: RwSignal::new_local(None),
            remote_videos: RwSignal::new_local(BTreeMap::new()),
            peers: RwSignal::new(BTreeMap::new()),
            busy: RwSignal::new(false),
            left_room: RwSignal::new(None),
            scene: RwSignal::new(SceneState::default()),
            inner: StoredValue::new_local(Rc::new(Inner {
                signaller: RefCell::new(None),
                ice_servers: RefCell::new(Vec::new()),
                pending: RefCell::new(None),
                mesh: RefCell::new(None),
                rejoin: RefCell::new(None),
                failed_connects: Cell::new(0),
                heads: RefCell::new(BTreeMap::new()),
                smiles_wanted_until: Rc::new(Cell::new(f64::NEG_INFINITY)),
                smiles_asked_at: Cell::new(f64::NEG_INFINITY),
                shot_listener: RefCell::new(None),
                photo: RefCell::new(None),
                background_listener: RefCell::new(None),
                edit_listener: RefCell::new(None),
                announced: RefCell::new(BTreeMap::new()),
            })),
        };
        session.connect();
        session
    }

    fn inner(&self) -> Rc<Inner> {
        self.inner.get_value()
    }

    fn connect(self) {
        self.connection.set(ConnectionState::Connecting);
        let on_event = Rc::new(move |event| self.on_socket_event(event));
        match Signaller::connect(&socket_url(), on_event) {
            Ok(signaller) => {
                self.inner().signaller.replace(Some(signaller));
            }
            Err(_) => self.on_socket_event(SocketEvent::Closed),
        }
    }

    fn send(&self, message: ClientMessage) {
        let inner = self.inner();
        let sent = self.connection.get_untracked() == ConnectionState::Ready
            && inner
                .signaller
                .borrow()
                .as_ref()
                .is_some_and(|s| s.send(&message));
        if !sent {
            inner.pending.replace(Some(message));
        }
    }

    pub fn create_room(
        &self,
        name: DisplayName,
        member_limit: u8,
        password: Option<String>,
        featured: bool,
    ) {
        self.refusal.set(None);
        self.busy.set(true);
        self.send(ClientMessage::CreateRoom {
            name,
            member_limit,
            password,
            featured,
        });
    }

    pub fn join_room(&self, room: RoomId, name: DisplayName, credential: Option<Credential>) {
        self.refusal.set(None);
        self.left_room.set(None);
        self.busy.set(true);
        self.send(ClientMessage::JoinRoom {
            room,
            name,
            credential,
        });
    }

    pub fn list_featured(&self) {
        if self.connection.get_untracked() == ConnectionState::Ready {
            self.send(ClientMessage::ListFeatured);
        }
    }

    pub fn leave_room(&self) {
        self.inner().rejoin.replace(None);
        self.left_room.set(
            self.room
                .with_untracked(|r| r.as_ref().map(|r| r.info.id.clone())),
        );
        if self.room.get_untracked().is_some() {
            self.send(ClientMessage::LeaveRoom);
        }
        self.tear_down_room();
        self.refusal.set(None);
    }

    /// My member id, when in a room (not tracked).
    pub fn me_untracked(&self) -> Option<MemberId> {
        self.room.with_untracked(|r| r.as_ref().map(|r| r.me))
    }

    /// Members in join order (not tracked).
    pub fn member_ids_untracked(&self) -> Vec<MemberId> {
        self.room
            .with_untracked(|r| r.as_ref().map(|r| r.members.iter().map(|m| m.id).collect()))
            .unwrap_or_default()
    }

    /// Members' ids and names in join order (tracked).
    pub fn member_names(&self) -> Vec<(MemberId, String)> {
        self.room.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.members
                        .iter()
                        .map(|m| (m.id, m.name.to_string()))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Sends my packed cut-out as `canvas` shows it now to every member;
    /// `captured_ms` is the camera frame's wall-clock time.
    pub fn send_packed(&self, picture: &Picture, captured_ms: f64) {
        let mesh = self.inner().mesh.borrow().clone();
        if let Some(mesh) = mesh {
            mesh.send_packed(picture, captured_ms);
        }
    }

    /// Changes the room's picture settings (`change` gets the state and my id)
    /// and tells every member.
    pub fn change_scene(&self, change: impl FnOnce(&mut SceneState, MemberId)) {
        let Some(me) = self.me_untracked() else {
            return;
        };
        self.scene.update(|s| change(s, me));
        let state = self.scene.get_untracked();
        if let Some(mesh) = self.inner().mesh.borrow().as_ref() {
            mesh.broadcast(&PeerMessage::Scene {
                state: Box::new(state),
            });
        }
    }

    /// Records my head and tells every member.
    pub fn share_head(&self, eyes: Option<[[f32; 2]; 2]>, smile: f32) {
        let Some(me) = self.me_untracked() else {
            return;
        };
        let inner = self.inner();
        inner.note_head(me, eyes, smile);
        let mesh = inner.mesh.borrow().clone();
        if let Some(mesh) = mesh {
            mesh.broadcast(&PeerMessage::Head { eyes, smile });
        }
    }

    /// My smile shot watches everyone's smiles: faces are tracked here, and the
    /// others are asked to track theirs (at most once a second; call it while
    /// watching, it lapses [`SMILES_WANTED_FOR_MS`] after the last call).
    pub fn want_smiles(&self) {
        let inner = self.inner();
        let now = wall_ms();
        inner.keep_smiles_wanted(now);
        if now - inner.smiles_asked_at.get() < SMILES_ASKED_EVERY_MS {
            return;
        }
        inner.smiles_asked_at.set(now);
        let mesh = inner.mesh.borrow().clone();
        if let Some(mesh) = mesh {
            mesh.broadcast(&PeerMessage::SmilesWanted);
        }
    }

    /// Until when (wall ms) faces should be tracked for a smile shot; the sender's
    /// head pace reads it for every camera frame.
    pub fn smiles_wanted_until(&self) -> Rc<Cell<f64>> {
        self.inner().smiles_wanted_until.clone()
    }

    /// Hands shutter messages and photo chunks to `listener` (`None` stops).
    pub fn listen_for_shots(&self, listener: Option<ShotListener>) {
        self.inner().shot_listener.replace(listener);
    }

    /// Tells every member to take shot `shot` in `countdown_s` seconds.
    pub fn announce_shot(&self, shot: u64, countdown_s: u8) {
        let mesh = self.inner().mesh.borrow().clone();
        if let Some(mesh) = mesh {
            mesh.broadcast(&PeerMessage::Shoot { shot, countdown_s });
        }
    }

    /// Without a camera: `photo` stands in for it, cut out and sent like one.
    pub fn use_photo_instead(&self, photo: PhotoCamera) {
        if self.room.get_untracked().is_none() {
            return;
        }
        let stream = photo.stream().clone();
        // The previous photo (if any) stops only after the new one is in place.
        let old = self.inner().photo.replace(Some(photo));
        self.local_stream.set(Some(stream));
        drop(old);
        self.camera.set(CameraStatus::Photo);
        if let Some(mesh) = self.inner().mesh.borrow().as_ref() {
            mesh.broadcast(&PeerMessage::CameraState { available: true });
        }
    }

    /// Tells every member that I started or stopped recording the room's video.
    pub fn announce_recording(&self, on: bool) {
        let mesh = self.inner().mesh.borrow().clone();
        if let Some(mesh) = mesh {
            mesh.broadcast(&PeerMessage::Recording { on });
        }
    }

    /// Every member's smile (0..1), for those whose face was seen in the last second.
    pub fn smiles(&self) -> BTreeMap<MemberId, f32> {
        let now = wall_ms();
        self.inner()
            .heads
            .borrow()
            .iter()
            .filter(|(_, h)| h.eyes.is_some() && now - h.at < SMILE_FRESH_MS)
            .map(|(&id, h)| (id, h.smile))
            .collect()
    }

    /// Hands background-photo news to `listener` (`None` stops).
    pub fn listen_for_background(&self, listener: Option<BackgroundListener>) {
        self.inner().background_listener.replace(listener);
    }

    fn tell_background_listener(&self, from: MemberId, event: BackgroundEvent) {
        let listener = self.inner().background_listener.borrow().clone();
        if let Some(listener) = listener {
            listener(from, event);
        }
    }

    /// Hands news about photos being edited to `listener` (`None` stops).
    pub fn listen_for_edits(&self, listener: Option<EditListener>) {
        self.inner().edit_listener.replace(listener);
    }

    fn tell_edit_listener(&self, from: MemberId, event: EditEvent) {
        let listener = self.inner().edit_listener.borrow().clone();
        if let Some(listener) = listener {
            listener(from, event);
        }
    }

    /// Notes that `from`'s chunks of `transfer` are for `route`.
    fn announce(&self, from: MemberId, transfer: u64, route: Route) {
        let inner = self.inner();
        let mut announced = inner.announced.borrow_mut();
        if announced.len() >= MAX_ANNOUNCED {
            announced.clear();
        }
        announced.insert((from, transfer), route);
    }

    /// Sends `message` to every member whose channel is open.
    pub fn broadcast(&self, message: &PeerMessage) {
        let mesh = self.inner().mesh.borrow().clone();
        if let Some(mesh) = mesh {
            mesh.broadcast(message);
        }
    }

    /// Sends `message` to `member`, if its channel is open.
    pub fn send_to(&self, member: MemberId, message: &PeerMessage) {
        let mesh = self.inner().mesh.borrow().clone();
        if let Some(mesh) = mesh {
            mesh.send_to(member, message);
        }
    }

    /// Sends binary chunks to `member`.
    pub fn send_chunks_to(&self, member: MemberId, chunks: &[Vec<u8>]) {
        let mesh = self.inner().mesh.borrow().clone();
        if let Some(mesh) = mesh {
            for chunk in chunks {
                mesh.send_bytes_to(member, chunk);
            }
        }
    }

    /// Sends binary chunks to every member.
    pub fn broadcast_chunks(&self, chunks: &[Vec<u8>]) {
        let mesh = self.inner().mesh.borrow().clone();
        if let Some(mesh) = mesh {
            for chunk in chunks {
                mesh.broadcast_bytes(chunk);
            }
        }
    }

    fn tell_shot_listener(&self, from: MemberId, event: ShotEvent) {
        let listener = self.inner().shot_listener.borrow().clone();
        if let Some(listener) = listener {
            listener(from, event);
        }
    }

    /// Every member's eye centres, for those whose face is seen.
    pub fn eyes(&self) -> BTreeMap<MemberId, [[f32; 2]; 2]> {
        self.inner()
            .heads
            .borrow()
            .iter()
            .filter_map(|(&id, h)| Some((id, h.eyes?)))
            .collect()
    }

    pub fn clear_refusal(&self) {
        self.refusal.set(None);
    }

    fn on_socket_event(self, event: SocketEvent) {
        match event {
            SocketEvent::Open => {
                if let Some(s) = self.inner().signaller.borrow().as_ref() {
                    s.send(&ClientMessage::Hello {
                        version: PROTOCOL_VERSION,
                    });
                }
            }
            SocketEvent::Message(message) => self.on_server_message(message),
            SocketEvent::Closed => self.on_socket_closed(),
        }
    }

    fn on_socket_closed(self) {
        let inner = self.inner();
        inner.signaller.replace(None);
        // Our peers lose us on the server at the same moment; start clean when we are back.
        if let Some(room) = self.room.get_untracked() {
            let name = room
                .members
                .iter()
                .find(|m| m.id == room.me)
                .map(|m| m.name.clone());
            if let Some(name) = name {
                inner
                    .rejoin
                    .replace(Some((room.info.id.clone(), name, room.invite.clone())));
            }
        }
        self.tear_down_room();
        self.connection.set(ConnectionState::Lost);
        let attempts = inner.failed_connects.get() + 1;
        inner.failed_connects.set(attempts);
        let delay = (500 * 2u32.saturating_pow(attempts.min(4))).min(8_000);
        spawn_local(async move {
            TimeoutFuture::new(delay).await;
            self.connect();
        });
    }

    fn on_server_message(self, message: ServerMessage) {
        let inner = self.inner();
        match message {
            ServerMessage::Welcome { ice_servers, .. } => {
                inner.failed_connects.set(0);
                inner.ice_servers.replace(ice_servers);
                self.connection.set(ConnectionState::Ready);
                let rejoin = inner.rejoin.take();
                let pending = inner.pending.take();
                if let Some((room, name, invite)) = rejoin {
                    self.join_room(room, name, Some(Credential::Invite(invite.token)));
                } else if let Some(pending) = pending {
                    self.send(pending);
                }
                self.list_featured();
            }
            ServerMessage::Joined {
                room,
                you,
                members,
                invite,
            } => {
                self.busy.set(false);
                self.refusal.set(None);
                self.enter_room(RoomView {
                    info: room,
                    me: you,
                    members,
                    invite,
                });
            }
            ServerMessage::MemberJoined { member } => {
                let id = member.id;
                self.room.update(|room| {
                    if let Some(room) = room {
                        if !room.members.iter().any(|m| m.id == id) {
                            room.members.push(member);
                        }
                    }
                });
                if let Some(mesh) = inner.mesh.borrow().as_ref() {
                    mesh.add_member(id);
                }
            }
            ServerMessage::MemberLeft { member } => {
                self.room.update(|room| {
                    if let Some(room) = room {
                        room.members.retain(|m| m.id != member);
                    }
                });
                if let Some(mesh) = inner.mesh.borrow().as_ref() {
                    mesh.remove_member(member);
                }
                self.remote_videos.update(|s| {
                    s.remove(&member);
                });
                inner.heads.borrow_mut().remove(&member);
                self.peers.update(|p| {
                    p.remove(&member);
                });
            }
            ServerMessage::Left => {}
            ServerMessage::InviteCreated { invite } => self.room.update(|room| {
                if let Some(room) = room {
                    room.invite = invite;
                }
            }),
            ServerMessage::Featured { rooms } => self.featured.set(rooms),
            ServerMessage::Signal { from, signal } => {
                if let Some(mesh) = inner.mesh.borrow().as_ref() {
                    mesh.receive_signal(from, signal);
                }
            }
            ServerMessage::Error { code, message, .. } => {
                self.busy.set(false);
                self.refusal.set(Some(Refusal { code, message }));
            }
        }
    }

    fn enter_room(self, view: RoomView) {
        let inner = self.inner();
        if let Some(old) = inner.mesh.take() {
            old.close();
        }
        let me = view.me;
        let mesh = Mesh::new(
            me,
            inner.ice_servers.borrow().clone(),
            move |to, signal| self.send(ClientMessage::Signal { to, signal }),
            move |from, event| self.on_peer_event(from, event),
        );
        for member in view.members.iter().filter(|m| m.id != me) {
            mesh.add_member(member.id);
        }
        inner.mesh.replace(Some(mesh));
        self.room.set(Some(view));
        if self.local_stream.get_untracked().is_none() {
            self.start_camera();
        }
    }

    fn start_camera(self) {
        self.camera.set(CameraStatus::Starting);
        spawn_local(async move {
            let result = open_camera().await;
            // The person may have left while the permission prompt was open.
            if self.room.get_untracked().is_none() {
                if let Ok(stream) = &result {
                    stop_stream(stream);
                }
                self.camera.set(CameraStatus::Off);
                return;
            }
            let available = result.is_ok();
            match result {
                Ok(stream) => {
                    // The room page cuts me out of it and sends that (`send_packed`).
                    self.local_stream.set(Some(stream));
                    self.camera.set(CameraStatus::On);
                }
                Err(error) => self.camera.set(CameraStatus::Unavailable(error)),
            }
            if let Some(mesh) = self.inner().mesh.borrow().as_ref() {
                mesh.broadcast(&PeerMessage::CameraState { available });
            }
        });
    }

    fn on_peer_event(self, from: MemberId, event: PeerEvent) {
        match event {
            PeerEvent::Track(video) => self.remote_videos.update(|s| {
                s.insert(from, video);
            }),
            PeerEvent::ChannelOpen => {
                let available = match self.camera.get_untracked() {
                    CameraStatus::On | CameraStatus::Photo => Some(true),
                    CameraStatus::Unavailable(_) => Some(false),
                    _ => None,
                };
                if let Some(mesh) = self.inner().mesh.borrow().as_ref() {
                    if let Some(available) = available {
                        mesh.send_to(from, &PeerMessage::CameraState { available });
                    }
                    // A newcomer learns the room's look; an old hand merges mine.
                    let state = self.scene.get_untracked();
                    mesh.send_to(
                        from,
                        &PeerMessage::Scene {
                            state: Box::new(state),
                        },
                    );
                }
                self.tell_background_listener(from, BackgroundEvent::ChannelOpen);
                self.tell_edit_listener(from, EditEvent::ChannelOpen);
            }
            PeerEvent::Message(PeerMessage::BackgroundPhoto {
                transfer,
                clock,
                by,
            }) => {
                self.announce(from, transfer, Route::Background);
                self.tell_background_listener(
                    from,
                    BackgroundEvent::Announce {
                        transfer,
                        clock,
                        by,
                    },
                );
            }
            PeerEvent::Message(PeerMessage::Scene { state }) => {
                // Only a real change re-renders the controls.
                self.scene.maybe_update(|s| s.merge(&state));
            }
            PeerEvent::Message(PeerMessage::Head { eyes, smile }) => {
                self.inner().note_head(from, eyes, smile)
            }
            PeerEvent::Message(PeerMessage::SmilesWanted) => {
                self.inner().keep_smiles_wanted(wall_ms())
            }
            PeerEvent::Message(PeerMessage::CameraState { available }) => self.peers.update(|p| {
                p.entry(from)
                    .or_insert(PeerStatus {
                        link: LinkState::Connecting,
                        camera: None,
                    })
                    .camera = Some(available);
            }),
            PeerEvent::Message(PeerMessage::Shoot { shot, countdown_s }) => {
                self.tell_shot_listener(from, ShotEvent::Shoot { shot, countdown_s })
            }
            PeerEvent::Message(PeerMessage::Recording { on }) => {
                self.tell_shot_listener(from, ShotEvent::Recording { on })
            }
            PeerEvent::Message(
                m @ (PeerMessage::EditSync { shot, transfer }
                | PeerMessage::EditPhoto { shot, transfer }),
            ) => {
                self.announce(from, transfer, Route::Edit);
                let photo = matches!(m, PeerMessage::EditPhoto { .. });
                let event = EditEvent::Announce {
                    shot,
                    transfer,
                    photo,
                };
                self.tell_edit_listener(from, event);
            }
            PeerEvent::Message(PeerMessage::EditPhotoWanted { shot }) => {
                self.tell_edit_listener(from, EditEvent::PhotoWanted { shot })
            }
            PeerEvent::Message(PeerMessage::EditPresence {
                shot,
                open,
                cursor,
                selected,
            }) => self.tell_edit_listener(
                from,
                EditEvent::Presence {
                    shot,
                    open,
                    cursor,
                    selected,
                },
            ),
            PeerEvent::Bytes(bytes) => {
                let route = transfer_id(&bytes)
                    .and_then(|id| self.inner().announced.borrow().get(&(from, id)).copied());
                match route {
                    Some(Route::Background) => {
                        self.tell_background_listener(from, BackgroundEvent::Bytes(bytes))
                    }
                    Some(Route::Edit) => self.tell_edit_listener(from, EditEvent::Bytes(bytes)),
                    None => self.tell_shot_listener(from, ShotEvent::Bytes(bytes)),
                }
            }
            // The mesh answers these itself.
            PeerEvent::Message(_) | PeerEvent::KeyFrameWanted => {}
            PeerEvent::State(link) => self.peers.update(|p| {
                p.entry(from)
                    .or_insert(PeerStatus { link, camera: None })
                    .link = link;
            }),
        }
    }

    fn tear_down_room(&self) {
        let inner = self.inner();
        if let Some(mesh) = inner.mesh.take() {
            mesh.close();
        }
        if let Some(stream) = self.local_stream.get_untracked() {
            stop_stream(&stream);
        }
        self.local_stream.set(None);
        inner.photo.replace(None);
        self.remote_videos.set(BTreeMap::new());
        self.peers.set(BTreeMap::new());
        self.camera.set(CameraStatus::Off);
        inner.heads.borrow_mut().clear();
        inner.announced.borrow_mut().clear();
        self.scene.set(SceneState::default());
        self.room.set(None);
        self.busy.set(false);
    }
}
