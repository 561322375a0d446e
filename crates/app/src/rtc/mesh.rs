//! The full mesh: one [`PeerLink`] for every other member of the room.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use huddle_protocol::{IceServer, MemberId, PeerMessage, PeerSignal};
use web_sys::MediaStream;

use super::peer::{PeerEvent, PeerLink};
use super::video_scale;

type SignalSink = Rc<dyn Fn(MemberId, PeerSignal)>;
type EventSink = Rc<dyn Fn(MemberId, PeerEvent)>;

pub struct Mesh {
    me: MemberId,
    ice_servers: Vec<IceServer>,
    send_signal: SignalSink,
    on_event: EventSink,
    links: RefCell<BTreeMap<MemberId, PeerLink>>,
    local_stream: RefCell<Option<MediaStream>>,
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
        let mesh = Rc::new(Self {
            me,
            ice_servers,
            send_signal: Rc::new(send_signal),
            on_event: Rc::new(on_event),
            links: RefCell::new(BTreeMap::new()),
            local_stream: RefCell::new(None),
        });
        ACTIVE.with(|active| active.replace(Some(mesh.clone())));
        mesh
    }

    /// The mesh of the room this page is in, if any.
    pub fn active() -> Option<Rc<Self>> {
        ACTIVE.with(|active| active.borrow().clone())
    }

    /// Connects to a member (idempotent).
    pub fn add_member(&self, member: MemberId) {
        if member == self.me || self.links.borrow().contains_key(&member) {
            return;
        }
        let send = self.send_signal.clone();
        let events = self.on_event.clone();
        // Exactly one side of every pair is polite; the later joiner (higher id) yields.
        let polite = self.me > member;
        match PeerLink::new(
            polite,
            self.ice_servers.clone(),
            self.local_stream.borrow().clone(),
            move |signal| send(member, signal),
            move |event| events(member, event),
        ) {
            Ok(link) => {
                self.links.borrow_mut().insert(member, link);
                self.rescale_video();
            }
            Err(error) => {
                web_sys::console::error_2(&"could not connect to a member".into(), &error)
            }
        }
    }

    pub fn remove_member(&self, member: MemberId) {
        // Dropping the link closes it.
        self.links.borrow_mut().remove(&member);
        self.rescale_video();
    }

    /// Sizes the video I send for the room as it is now (see [`video_scale`]).
    fn rescale_video(&self) {
        let links = self.links.borrow();
        let scale = video_scale::scale_for_room(links.len() + 1);
        for link in links.values() {
            link.set_video_scale(scale);
        }
    }

    pub fn receive_signal(&self, from: MemberId, signal: PeerSignal) {
        if let Some(link) = self.links.borrow().get(&from) {
            link.receive_signal(signal);
        }
    }

    pub fn set_local_stream(&self, stream: Option<MediaStream>) {
        self.local_stream.replace(stream.clone());
        for link in self.links.borrow().values() {
            link.set_local_stream(stream.clone());
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
