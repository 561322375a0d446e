//! The page's session with the server: connection, room membership, members' streams.
//!
//! Plain data lives in signals the pages read; browser objects (socket, peer connections)
//! live in [`Inner`], outside the reactive graph.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use huddle_protocol::{
    ClientMessage, Credential, DisplayName, ErrorCode, FeaturedRoom, IceServer, Invite, Member,
    MemberId, PeerMessage, RoomId, RoomInfo, ServerMessage, PROTOCOL_VERSION,
};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;

use crate::camera::{open_camera, stop_stream, CameraError};
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
}

#[derive(Clone, Copy)]
pub struct Session {
    pub connection: RwSignal<ConnectionState>,
    pub room: RwSignal<Option<RoomView>>,
    pub refusal: RwSignal<Option<Refusal>>,
    pub featured: RwSignal<Vec<FeaturedRoom>>,
    pub camera: RwSignal<CameraStatus>,
    pub local_stream: RwSignal<Option<MediaStream>, LocalStorage>,
    pub remote_streams: RwSignal<BTreeMap<MemberId, MediaStream>, LocalStorage>,
    pub peers: RwSignal<BTreeMap<MemberId, PeerStatus>>,
    /// True from a create/join request until its answer.
    pub busy: RwSignal<bool>,
    /// The room the person left with "Leave room": its page must not join it again by itself.
    pub left_room: RwSignal<Option<RoomId>>,
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
            remote_streams: RwSignal::new_local(BTreeMap::new()),
            peers: RwSignal::new(BTreeMap::new()),
            busy: RwSignal::new(false),
            left_room: RwSignal::new(None),
            inner: StoredValue::new_local(Rc::new(Inner {
                signaller: RefCell::new(None),
                ice_servers: RefCell::new(Vec::new()),
                pending: RefCell::new(None),
                mesh: RefCell::new(None),
                rejoin: RefCell::new(None),
                failed_connects: Cell::new(0),
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
                self.remote_streams.update(|s| {
                    s.remove(&member);
                });
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
        mesh.set_local_stream(self.local_stream.get_untracked());
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
                    self.local_stream.set(Some(Clone::clone(&stream)));
                    if let Some(mesh) = self.inner().mesh.borrow().as_ref() {
                        mesh.set_local_stream(Some(stream));
                    }
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
            PeerEvent::Track(stream) => self.remote_streams.update(|s| {
                s.insert(from, stream);
            }),
            PeerEvent::ChannelOpen => {
                let available = match self.camera.get_untracked() {
                    CameraStatus::On => Some(true),
                    CameraStatus::Unavailable(_) => Some(false),
                    _ => None,
                };
                if let (Some(available), Some(mesh)) =
                    (available, self.inner().mesh.borrow().as_ref())
                {
                    mesh.send_to(from, &PeerMessage::CameraState { available });
                }
            }
            PeerEvent::Message(PeerMessage::CameraState { available }) => self.peers.update(|p| {
                p.entry(from)
                    .or_insert(PeerStatus {
                        link: LinkState::Connecting,
                        camera: None,
                    })
                    .camera = Some(available);
            }),
            PeerEvent::Message(_) => {}
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
        self.remote_streams.set(BTreeMap::new());
        self.peers.set(BTreeMap::new());
        self.camera.set(CameraStatus::Off);
        self.room.set(None);
        self.busy.set(false);
    }
}
