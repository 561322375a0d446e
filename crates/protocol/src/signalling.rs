//! Messages on the `/ws` signalling websocket.

use serde::{Deserialize, Serialize};

use crate::{DisplayName, ErrorCode, InviteToken, MemberId, RoomId};

/// Browser → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message on every connection.
    Hello { version: u16 },
    /// Create a room and enter it as its creator.
    CreateRoom {
        name: DisplayName,
        member_limit: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password: Option<String>,
        #[serde(default)]
        featured: bool,
    },
    /// Enter an existing room.
    JoinRoom {
        room: RoomId,
        name: DisplayName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        credential: Option<Credential>,
    },
    /// Leave the current room (closing the socket does the same).
    LeaveRoom,
    /// Ask for a fresh invite link to the current room.
    CreateInvite,
    /// Ask for the public room list.
    ListFeatured,
    /// Relay WebRTC negotiation to another member of the same room.
    Signal { to: MemberId, signal: PeerSignal },
}

/// How a joiner proves they may enter a password room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Credential {
    Password(String),
    Invite(InviteToken),
}

/// WebRTC negotiation, relayed verbatim between two members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PeerSignal {
    /// An SDP offer or answer (`sdp_type` is "offer", "answer", "pranswer" or "rollback").
    Description { sdp_type: String, sdp: String },
    /// A trickled ICE candidate.
    Candidate {
        candidate: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_mid: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_m_line_index: Option<u16>,
    },
    /// The sender gave up on the current connection (ICE restart did not recover it)
    /// and starts a fresh one; the receiver drops its side and starts fresh too.
    Reset,
}

/// One entry of the RTCPeerConnection `iceServers` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// A member as every other member sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub name: DisplayName,
    /// The member who created the room.
    pub is_creator: bool,
}

/// What a member knows about the room they are in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomInfo {
    pub id: RoomId,
    pub member_limit: u8,
    pub has_password: bool,
    pub featured: bool,
}

/// A time-limited invite link's token and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub token: InviteToken,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
}

/// A room in the public list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeaturedRoom {
    pub id: RoomId,
    /// The creator's name, or the first member's if the creator has left.
    pub host: DisplayName,
    pub members: u8,
    pub member_limit: u8,
    pub has_password: bool,
}

/// Server → browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Answer to [`ClientMessage::Hello`].
    Welcome {
        version: u16,
        ice_servers: Vec<IceServer>,
    },
    /// You are in a room. `members` is in join order and includes you.
    Joined {
        room: RoomInfo,
        you: MemberId,
        members: Vec<Member>,
        /// A fresh invite link any member may share.
        invite: Invite,
    },
    MemberJoined {
        member: Member,
    },
    MemberLeft {
        member: MemberId,
    },
    /// You left the room (answer to [`ClientMessage::LeaveRoom`]).
    Left,
    InviteCreated {
        invite: Invite,
    },
    Featured {
        rooms: Vec<FeaturedRoom>,
    },
    Signal {
        from: MemberId,
        signal: PeerSignal,
    },
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_secs: Option<u32>,
    },
}

impl ServerMessage {
    /// An error frame with the standard sentence for `code`.
    pub fn error(code: ErrorCode, retry_after_secs: Option<u32>) -> Self {
        Self::Error {
            code,
            message: code.explain(retry_after_secs),
            retry_after_secs,
        }
    }
}
