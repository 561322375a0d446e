//! The live rooms: who is in which, in join order, and delivery of frames to them.
//!
//! One mutex guards all rooms. Every critical section is a few map operations
//! and non-blocking channel sends (no hashing, no I/O), so contention stays
//! negligible even with thousands of members, and "check there is a free slot,
//! then insert" is trivially atomic: two joins racing for the last slot are
//! serialised and exactly one wins.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use huddle_protocol::{
    DisplayName, FeaturedRoom, Member, MemberId, RoomId, RoomInfo, ServerMessage,
};
use rand::Rng;
use tokio::sync::{mpsc, Notify};

use crate::invite::{InviteSigner, RoomNonce};
use crate::lock;
use crate::password::PasswordDigest;

/// Frames queued for one connection beyond this mean it is not reading; it is
/// disconnected rather than allowed to grow server memory.
pub const OUTBOX_CAPACITY: usize = 256;

/// Where frames for one connection go: its queue, and a bell that tells it to
/// close because it fell too far behind.
#[derive(Debug, Clone)]
pub struct Outbox {
    frames: mpsc::Sender<Arc<str>>,
    kick: Arc<Notify>,
}

/// The receiving half of an [`Outbox`], owned by the connection task.
#[derive(Debug)]
pub struct Inbox {
    pub frames: mpsc::Receiver<Arc<str>>,
    pub kick: Arc<Notify>,
}

impl Outbox {
    pub fn new() -> (Self, Inbox) {
        let (tx, rx) = mpsc::channel(OUTBOX_CAPACITY);
        let kick = Arc::new(Notify::new());
        (
            Self {
                frames: tx,
                kick: kick.clone(),
            },
            Inbox { frames: rx, kick },
        )
    }

    /// Queues a frame without waiting. A full queue disconnects the reader:
    /// dropping signalling frames silently would leave calls half-negotiated.
    fn deliver(&self, frame: &Arc<str>) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.frames.try_send(frame.clone()) {
            self.kick.notify_one();
        }
    }
}

/// Why a request about rooms was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomError {
    #[error("no such room")]
    NoSuchRoom,
    #[error("the room is full")]
    RoomFull,
    #[error("no such member in this room")]
    UnknownMember,
}

impl From<RoomError> for huddle_protocol::ErrorCode {
    fn from(e: RoomError) -> Self {
        match e {
            RoomError::NoSuchRoom => Self::NoSuchRoom,
            RoomError::RoomFull => Self::RoomFull,
            RoomError::UnknownMember => Self::UnknownMember,
        }
    }
}

/// What a joiner must prove before [`Rooms::join`]: read under the lock, then
/// checked (slowly) outside it.
#[derive(Debug, Clone)]
pub struct JoinGate {
    pub nonce: RoomNonce,
    pub password: Option<PasswordDigest>,
}

/// A membership that was just created.
#[derive(Debug, Clone)]
pub struct Entered {
    pub info: RoomInfo,
    pub you: MemberId,
    /// In join order, including the new member.
    pub members: Vec<Member>,
    pub nonce: RoomNonce,
}

/// Where a connection is: enough to leave, relay and invite without a lookup by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub room: RoomId,
    pub member: MemberId,
    pub nonce: RoomNonce,
}

/// Settings for a new room, already validated.
#[derive(Debug, Clone)]
pub struct NewRoom {
    pub member_limit: u8,
    pub password: Option<PasswordDigest>,
    pub featured: bool,
}

#[derive(Debug)]
struct Occupant {
    member: Member,
    outbox: Outbox,
}

#[derive(Debug)]
struct Room {
    info: RoomInfo,
    nonce: RoomNonce,
    password: Option<PasswordDigest>,
    /// In join order.
    occupants: Vec<Occupant>,
    /// Position in creation order, for the featured list.
    created: u64,
    /// Bumped whenever the room becomes empty, so a grace timer only closes
    /// the room if nobody came and went since it was started.
    emptied: u64,
}

impl Room {
    fn members(&self) -> Vec<Member> {
        self.occupants.iter().map(|o| o.member.clone()).collect()
    }

    fn broadcast(&self, message: &ServerMessage, except: MemberId) {
        let frame: Arc<str> = huddle_protocol::encode(message).into();
        for occupant in self.occupants.iter().filter(|o| o.member.id != except) {
            occupant.outbox.deliver(&frame);
        }
    }

    fn is_full(&self) -> bool {
        self.occupants.len() >= usize::from(self.info.member_limit)
    }
}

#[derive(Debug, Default)]
struct Registry {
    rooms: HashMap<RoomId, Room>,
    /// Featured rooms by creation order.
    featured: BTreeMap<u64, RoomId>,
    created: u64,
}

/// All live rooms.
#[derive(Debug)]
pub struct Rooms {
    registry: Mutex<Registry>,
    next_member: AtomicU64,
    grace: Duration,
}

impl Rooms {
    /// Rooms that stay open `grace` after their last member leaves.
    pub fn new(grace: Duration) -> Arc<Self> {
        Arc::new(Self {
            registry: Mutex::new(Registry::default()),
            next_member: AtomicU64::new(1),
            grace,
        })
    }

    fn next_member_id(&self) -> MemberId {
        MemberId(self.next_member.fetch_add(1, Ordering::Relaxed))
    }

    /// Opens a room with a fresh random number and puts its creator in it.
    pub fn create(&self, settings: NewRoom, name: DisplayName, outbox: Outbox) -> Entered {
        let you = self.next_member_id();
        let member = Member {
            id: you,
            name,
            is_creator: true,
        };
        let nonce = InviteSigner::new_room_nonce();
        let mut registry = lock(&self.registry);
        let id = unused_room_id(&registry.rooms);
        registry.created += 1;
        let created = registry.created;
        let info = RoomInfo {
            id: id.clone(),
            member_limit: settings.member_limit,
            has_password: settings.password.is_some(),
            featured: settings.featured,
        };
        if settings.featured {
            registry.featured.insert(created, id.clone());
        }
        registry.rooms.insert(
            id,
            Room {
                info: info.clone(),
                nonce,
                password: settings.password,
                occupants: vec![Occupant {
                    member: member.clone(),
                    outbox,
                }],
                created,
                emptied: 0,
            },
        );
        Entered {
            info,
            you,
            members: vec![member],
            nonce,
        }
    }

    /// What a joiner of `room` must prove. Refuses early if the room is gone or
    /// full, so nobody waits for a password check that cannot help.
    pub fn gate(&self, room: &RoomId) -> Result<JoinGate, RoomError> {
        let registry = lock(&self.registry);
        let room = registry.rooms.get(room).ok_or(RoomError::NoSuchRoom)?;
        if room.is_full() {
            return Err(RoomError::RoomFull);
        }
        Ok(JoinGate {
            nonce: room.nonce,
            password: room.password.clone(),
        })
    }

    /// The nonce of a live room, for checking invites to it.
    pub fn nonce(&self, room: &RoomId) -> Option<RoomNonce> {
        lock(&self.registry).rooms.get(room).map(|r| r.nonce)
    }

    /// Adds a member to `room` if it is still the room the gate was read from
    /// (same nonce) and has a free slot; tells the others.
    pub fn join(
        &self,
        room_id: &RoomId,
        nonce: &RoomNonce,
        name: DisplayName,
        outbox: Outbox,
    ) -> Result<Entered, RoomError> {
        let you = self.next_member_id();
        let mut registry = lock(&self.registry);
        let room = registry
            .rooms
            .get_mut(room_id)
            .filter(|r| r.nonce == *nonce)
            .ok_or(RoomError::NoSuchRoom)?;
        if room.is_full() {
            return Err(RoomError::RoomFull);
        }
        let member = Member {
            id: you,
            name,
            is_creator: false,
        };
        room.broadcast(
            &ServerMessage::MemberJoined {
                member: member.clone(),
            },
            you,
        );
        room.occupants.push(Occupant { member, outbox });
        Ok(Entered {
            info: room.info.clone(),
            you,
            members: room.members(),
            nonce: room.nonce,
        })
    }

    /// Removes a member and tells the others. The last one out starts the
    /// grace timer after which the room closes.
    pub fn leave(self: &Arc<Self>, seat: &Seat) {
        let mut registry = lock(&self.registry);
        let Some(room) = registry
            .rooms
            .get_mut(&seat.room)
            .filter(|r| r.nonce == seat.nonce)
        else {
            return;
        };
        let before = room.occupants.len();
        room.occupants.retain(|o| o.member.id != seat.member);
        if room.occupants.len() == before {
            return;
        }
        room.broadcast(
            &ServerMessage::MemberLeft {
                member: seat.member,
            },
            seat.member,
        );
        if room.occupants.is_empty() {
            room.emptied += 1;
            let emptied = room.emptied;
            drop(registry);
            self.close_after_grace(seat.room.clone(), seat.nonce, emptied);
        }
    }

    fn close_after_grace(self: &Arc<Self>, room: RoomId, nonce: RoomNonce, emptied: u64) {
        // A weak handle: a timer must not keep a shut-down server's rooms alive.
        let rooms = Arc::downgrade(self);
        let grace = self.grace;
        // Members also leave while a runtime shuts down; then there is nothing to close.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            tokio::time::sleep(grace).await;
            if let Some(rooms) = rooms.upgrade() {
                rooms.close_if_still_empty(&room, &nonce, emptied);
            }
        });
    }

    fn close_if_still_empty(&self, room_id: &RoomId, nonce: &RoomNonce, emptied: u64) {
        let mut registry = lock(&self.registry);
        let Some(room) = registry.rooms.get(room_id) else {
            return;
        };
        if room.nonce != *nonce || !room.occupants.is_empty() || room.emptied != emptied {
            return;
        }
        let created = room.created;
        registry.rooms.remove(room_id);
        registry.featured.remove(&created);
    }

    /// Sends `message` to member `to` if they share the sender's room.
    pub fn relay(
        &self,
        seat: &Seat,
        to: MemberId,
        message: &ServerMessage,
    ) -> Result<(), RoomError> {
        if to == seat.member {
            return Err(RoomError::UnknownMember);
        }
        let registry = lock(&self.registry);
        let occupant = registry
            .rooms
            .get(&seat.room)
            .filter(|r| r.nonce == seat.nonce)
            .and_then(|r| r.occupants.iter().find(|o| o.member.id == to))
            .ok_or(RoomError::UnknownMember)?;
        occupant
            .outbox
            .deliver(&huddle_protocol::encode(message).into());
        Ok(())
    }

    /// Featured rooms that have someone in them, oldest first.
    pub fn featured(&self) -> Vec<FeaturedRoom> {
        let registry = lock(&self.registry);
        registry
            .featured
            .values()
            .filter_map(|id| registry.rooms.get(id))
            .filter_map(|room| {
                let host = room
                    .occupants
                    .iter()
                    .find(|o| o.member.is_creator)
                    .or_else(|| room.occupants.first())?;
                Some(FeaturedRoom {
                    id: room.info.id.clone(),
                    host: host.member.name.clone(),
                    members: u8::try_from(room.occupants.len()).unwrap_or(u8::MAX),
                    member_limit: room.info.member_limit,
                    has_password: room.info.has_password,
                })
            })
            .collect()
    }

    /// Number of live rooms (open or in their grace period).
    pub fn len(&self) -> usize {
        lock(&self.registry).rooms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A random 8-digit number not used by a live room. With at most millions of
/// rooms among 90 million numbers, a few tries always suffice.
fn unused_room_id(rooms: &HashMap<RoomId, Room>) -> RoomId {
    let mut rng = rand::rngs::OsRng;
    loop {
        let n: u64 = rng.gen_range(10_000_000..100_000_000);
        if let Ok(id) = RoomId::from_number(n) {
            if !rooms.contains_key(&id) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> DisplayName {
        match DisplayName::parse(n) {
            Ok(n) => n,
            Err(e) => panic!("bad test name: {e}"),
        }
    }

    fn open(limit: u8) -> NewRoom {
        NewRoom {
            member_limit: limit,
            password: None,
            featured: false,
        }
    }

    #[tokio::test]
    async fn members_keep_join_order_and_others_hear_of_joins() {
        let rooms = Rooms::new(Duration::from_secs(30));
        let (a, mut a_in) = Outbox::new();
        let created = rooms.create(open(3), name("Ann"), a);
        let id = created.info.id.clone();
        assert_eq!(id.as_str().len(), 8);
        let (b, _b_in) = Outbox::new();
        let Ok(joined) = rooms.join(&id, &created.nonce, name("Bob"), b) else {
            panic!("a room with free slots takes a joiner");
        };
        let names: Vec<_> = joined.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Ann", "Bob"]);
        assert!(joined.members[0].is_creator && !joined.members[1].is_creator);
        let Some(frame) = a_in.frames.recv().await else {
            panic!("Ann hears that Bob joined");
        };
        assert!(frame.contains("member_joined"));
    }

    #[tokio::test]
    async fn full_room_refuses_and_stale_nonce_is_no_such_room() {
        let rooms = Rooms::new(Duration::from_secs(30));
        let created = rooms.create(open(2), name("Ann"), Outbox::new().0);
        let id = created.info.id.clone();
        assert_eq!(
            rooms
                .join(&id, &[0; 16], name("Eve"), Outbox::new().0)
                .map(|_| ()),
            Err(RoomError::NoSuchRoom)
        );
        assert!(rooms
            .join(&id, &created.nonce, name("Bob"), Outbox::new().0)
            .is_ok());
        assert_eq!(rooms.gate(&id).map(|_| ()), Err(RoomError::RoomFull));
        assert_eq!(
            rooms
                .join(&id, &created.nonce, name("Cy"), Outbox::new().0)
                .map(|_| ()),
            Err(RoomError::RoomFull)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn empty_room_closes_after_grace_unless_rejoined() {
        let rooms = Rooms::new(Duration::from_secs(30));
        let created = rooms.create(open(4), name("Ann"), Outbox::new().0);
        let seat = Seat {
            room: created.info.id.clone(),
            member: created.you,
            nonce: created.nonce,
        };
        rooms.leave(&seat);
        tokio::time::sleep(Duration::from_secs(10)).await;
        // A rejoin within the grace period keeps the room.
        let Ok(back) = rooms.join(&seat.room, &seat.nonce, name("Ann"), Outbox::new().0) else {
            panic!("the room is still open during its grace period");
        };
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(rooms.len(), 1);
        rooms.leave(&Seat {
            member: back.you,
            ..seat.clone()
        });
        tokio::time::sleep(Duration::from_secs(31)).await;
        assert!(rooms.is_empty());
        assert_eq!(
            rooms.gate(&seat.room).map(|_| ()),
            Err(RoomError::NoSuchRoom)
        );
    }
}
