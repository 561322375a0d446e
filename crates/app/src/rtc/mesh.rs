//! The full mesh: one [`PeerLink`] for every other member of the room, and the one
//! encoder of my live video that feeds them all.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};

use crate::compose::picture::Picture;
use huddle_protocol::media::parts::into_parts;
use huddle_protocol::{IceServer, MemberId, PeerMessage, PeerSignal};

use super::media::MediaEncoder;
use super::peer::{PeerEvent, PeerLink};

type SignalSink = Rc<dyn Fn(MemberId, PeerSignal)>;
type EventSink = Rc<dyn Fn(MemberId, PeerEvent)>;

pub struct Mesh {
    me: MemberId,
    ice_servers: Vec<IceServer>,
    send_signal: SignalSink,
    on_event: EventSink,
    links: RefCell<BTreeMap<MemberId, PeerLink>>,
    encoder: MediaEncoder,
}

thread_local! {
    /// The mesh of the room this page is in, for the exported measuring hook.
    static ACTIVE: RefCell<Option<Rc<Mesh>>> = const { RefCell::new(None) };
}

impl Mesh {
    pub fn new(
        me: MemberId,
        ice_servers: Vec<IceServer>,
        send_signal: impl Fn(MemberId, PeerSignal) + 'static,
        on_event: impl Fn(MemberId, PeerEvent) + 'static,
    ) -> Rc<Self> {
        let on_event: EventSink = Rc::new(on_event);
        let mesh = Rc::new_cyclic(|weak: &Weak<Self>| {
            let weak = weak.clone();
            // Each encoded frame goes to every member; one that needs a key frame gets
            // the next frame encoded as one.
            let encoder = MediaEncoder::new(move |bytes, key| {
                let Some(mesh) = weak.upgrade() else { return };
                // Cut once for every member (see `huddle_protocol::media::parts`).
                let parts = match into_parts(bytes) {
                    Ok(parts) => parts,
                    Err(e) => {
                        web_sys::console::warn_1(&format!("live video: {e}").into());
                        mesh.encoder.want_key();
                        return;
                    }
                };
                let mut want_key = false;
                for link in mesh.links.borrow().values() {
                    want_key |= link.send_media(&parts, key);
                }
                if want_key {
                    mesh.encoder.want_key();
                }
            });
            Self {
                me,
                ice_servers,
                send_signal: Rc::new(send_signal),
                on_event,
                links: RefCell::new(BTreeMap::new()),
                encoder,
            }
        });
        ACTIVE.with(|active| active.replace(Some(mesh.clone())));
        mesh
    }

    /// The mesh of the room this page is in, if any.
    pub fn active() -> Option<Rc<Self>> {
        ACTIVE.with(|active| active.borrow().clone())
    }

    /// Connects to a member (idempotent).
    pub fn add_member(self: &Rc<Self>, member: MemberId) {
        if member == self.me || self.links.borrow().contains_key(&member) {
            return;
        }
        let send = self.send_signal.clone();
        let events = self.on_event.clone();
        let me = Rc::downgrade(self);
        // Exactly one side of every pair is polite; the later joiner (higher id) yields.
        let polite = self.me > member;
        match PeerLink::new(
            polite,
            self.ice_servers.clone(),
            move |signal| send(member, signal),
            move |event| match event {
                PeerEvent::KeyFrameWanted => {
                    if let Some(mesh) = me.upgrade() {
                        mesh.encoder.want_key();
                    }
                }
                other => events(member, other),
            },
        ) {
            Ok(link) => {
                self.links.borrow_mut().insert(member, link);
            }
            Err(error) => {
                web_sys::console::error_2(&"could not connect to a member".into(), &error)
            }
        }
    }

    pub fn remove_member(&self, member: MemberId) {
        // Dropping the link closes it.
        self.links.borrow_mut().remove(&member);
    }

    /// Sends my packed picture to every member at its own size (the sender makes
    /// it at the room's scale, see [`RoomScale`](super::video_scale::RoomScale)); `captured_ms` is
    /// when the camera took the frame (wall clock). Nothing is encoded while nobody
    /// can receive it.
    pub fn send_packed(&self, picture: &Picture, captured_ms: f64) {
        if !self.links.borrow().values().any(PeerLink::media_open) {
            return;
        }
        if let Err(error) = self.encoder.encode(picture, captured_ms, 1.0) {
            web_sys::console::warn_2(&"live video frame not sent".into(), &error);
        }
    }

    pub fn receive_signal(&self, from: MemberId, signal: PeerSignal) {
        if let Some(link) = self.links.borrow().get(&from) {
            link.receive_signal(signal);
        }
    }

    pub fn send_to(&self, member: MemberId, message: &PeerMessage) -> bool {
        self.links
            .borrow()
            .get(&member)
            .is_some_and(|l| l.send(message))
    }

    /// Sends one binary message to `member`, if its channel is open.
    pub fn send_bytes_to(&self, member: MemberId, bytes: &[u8]) -> bool {
        self.links
            .borrow()
            .get(&member)
            .is_some_and(|l| l.send_bytes(bytes))
    }

    /// Sends one binary message to every member whose channel is open.
    pub fn broadcast_bytes(&self, bytes: &[u8]) {
        for link in self.links.borrow().values() {
            link.send_bytes(bytes);
        }
    }

    pub fn broadcast(&self, message: &PeerMessage) {
        for link in self.links.borrow().values() {
            link.send(message);
        }
    }

    /// Members whose data channel is open.
    pub fn open_members(&self) -> Vec<MemberId> {
        self.links
            .borrow()
            .iter()
            .filter(|(_, l)| l.is_open())
            .map(|(id, _)| *id)
            .collect()
    }

    /// One round trip to `member`, in milliseconds.
    pub async fn ping(self: &Rc<Self>, member: MemberId) -> Option<f64> {
        // Not holding the borrow across the await: the link map may change meanwhile.
        let pending = self.links.borrow().get(&member).map(PeerLink::ping)?;
        pending.await
    }

    /// Closes every link and stops being the active mesh.
    pub fn close(&self) {
        self.links.borrow_mut().clear();
        ACTIVE.with(|active| {
            let is_me = active
                .borrow()
                .as_ref()
                .is_some_and(|m| std::ptr::eq(m.as_ref(), self));
            if is_me {
                active.replace(None);
            }
        });
    }
}
