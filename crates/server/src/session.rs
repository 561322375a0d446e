//! One client's conversation with the server: the protocol state machine
//! behind a websocket, independent of framing, heartbeats and flooding
//! (see `ws.rs`).

use std::net::IpAddr;

use huddle_protocol::{
    ClientMessage, Credential, DisplayName, ErrorCode, MemberId, PeerSignal, ProtocolError, RoomId,
    ServerMessage, MAX_MEMBER_LIMIT, MAX_PASSWORD_CHARS, MIN_MEMBER_LIMIT, PROTOCOL_VERSION,
};

use crate::invite::InviteError;
use crate::password;
use crate::rate_limit::RetryAfter;
use crate::rooms::{Entered, NewRoom, Outbox, RoomError, Seat};
use crate::state::AppState;

/// What to do after handling one message.
#[derive(Debug, PartialEq)]
pub enum Reply {
    /// Nothing to answer (a relayed signal).
    Nothing,
    Send(ServerMessage),
    /// Answer, then close the connection.
    SendAndClose(ServerMessage),
}

impl From<ErrorCode> for Reply {
    fn from(code: ErrorCode) -> Self {
        Reply::Send(ServerMessage::error(code, None))
    }
}

impl From<RoomError> for Reply {
    fn from(e: RoomError) -> Self {
        ErrorCode::from(e).into()
    }
}

fn too_many_attempts(retry: RetryAfter) -> Reply {
    Reply::Send(ServerMessage::error(
        ErrorCode::TooManyAttempts,
        Some(retry.secs()),
    ))
}

/// Per-connection protocol state.
#[derive(Debug)]
pub struct Session {
    state: AppState,
    ip: IpAddr,
    outbox: Outbox,
    greeted: bool,
    seat: Option<Seat>,
}

impl Session {
    pub fn new(state: AppState, ip: IpAddr, outbox: Outbox) -> Self {
        Self {
            state,
            ip,
            outbox,
            greeted: false,
            seat: None,
        }
    }

    /// Whether the client has said hello with the right version.
    pub fn greeted(&self) -> bool {
        self.greeted
    }

    /// Handles one text frame.
    pub async fn handle_text(&mut self, text: &str) -> Reply {
        match huddle_protocol::decode::<ClientMessage>(text) {
            Ok(message) => self.handle(message).await,
            Err(error) => decode_error_code(&error).into(),
        }
    }

    pub async fn handle(&mut self, message: ClientMessage) -> Reply {
        if let ClientMessage::Hello { version } = message {
            return self.hello(version);
        }
        if !self.greeted {
            // Without a version handshake the server cannot know the client
            // speaks its language.
            return ErrorCode::MalformedMessage.into();
        }
        match message {
            ClientMessage::Hello { .. } => Reply::Nothing,
            ClientMessage::CreateRoom {
                name,
                member_limit,
                password,
                featured,
            } => {
                self.create_room(name, member_limit, password, featured)
                    .await
            }
            ClientMessage::JoinRoom {
                room,
                name,
                credential,
            } => self.join_room(room, name, credential).await,
            ClientMessage::LeaveRoom => match self.leave() {
                true => Reply::Send(ServerMessage::Left),
                false => ErrorCode::NotInRoom.into(),
            },
            ClientMessage::CreateInvite => match &self.seat {
                Some(seat) => Reply::Send(ServerMessage::InviteCreated {
                    invite: self.state.invites.issue(&seat.room, &seat.nonce),
                }),
                None => ErrorCode::NotInRoom.into(),
            },
            ClientMessage::ListFeatured => Reply::Send(ServerMessage::Featured {
                rooms: self.state.rooms.featured(),
            }),
            ClientMessage::Signal { to, signal } => self.signal(to, signal),
        }
    }

    fn hello(&mut self, version: u16) -> Reply {
        if version != PROTOCOL_VERSION {
            return Reply::SendAndClose(ServerMessage::error(ErrorCode::UnsupportedVersion, None));
        }
        self.greeted = true;
        Reply::Send(ServerMessage::Welcome {
            version: PROTOCOL_VERSION,
            ice_servers: self.state.config.ice_servers.clone(),
        })
    }

    async fn create_room(
        &mut self,
        name: DisplayName,
        member_limit: u8,
        password: Option<String>,
        featured: bool,
    ) -> Reply {
        if self.seat.is_some() {
            return ErrorCode::AlreadyInRoom.into();
        }
        if !(MIN_MEMBER_LIMIT..=MAX_MEMBER_LIMIT).contains(&member_limit) {
            return ErrorCode::InvalidRoomSettings.into();
        }
        // An empty password field means "no password".
        let password = password.filter(|p| !p.is_empty());
        let digest = match password {
            Some(p) if p.chars().count() > MAX_PASSWORD_CHARS => {
                return ErrorCode::InvalidRoomSettings.into()
            }
            Some(p) => match password::hash_async(p).await {
                Ok(digest) => Some(digest),
                Err(error) => {
                    tracing::error!(%error, "could not hash a room password");
                    return ErrorCode::ServerBusy.into();
                }
            },
            None => None,
        };
        let settings = NewRoom {
            member_limit,
            password: digest,
            featured,
        };
        let entered = self.state.rooms.create(settings, name, self.outbox.clone());
        self.enter(entered)
    }

    async fn join_room(
        &mut self,
        room: RoomId,
        name: DisplayName,
        credential: Option<Credential>,
    ) -> Reply {
        if self.seat.is_some() {
            return ErrorCode::AlreadyInRoom.into();
        }
        // Look at both budgets first; only a failure below spends them.
        if let Err(retry) = self.state.ip_failures.check(&self.ip) {
            return too_many_attempts(retry);
        }
        if let Err(retry) = self.state.room_failures.check(&room) {
            return too_many_attempts(retry);
        }
        let gate = match self.state.rooms.gate(&room) {
            Ok(gate) => gate,
            Err(RoomError::NoSuchRoom) => {
                // Guessing room numbers is what the address budget is for.
                self.state.ip_failures.record_failure(&self.ip);
                return RoomError::NoSuchRoom.into();
            }
            Err(error) => return error.into(),
        };
        let proof = match (credential, gate.password) {
            // An invite is checked even for a room without a password, so an
            // old link never lands someone in a stranger's room that reuses the number.
            (Some(Credential::Invite(token)), _) => {
                match self.state.invites.verify(&token, &room, &gate.nonce) {
                    Ok(()) => Ok(()),
                    Err(InviteError::Expired) => Err(ErrorCode::InviteExpired),
                    Err(InviteError::Invalid) => Err(ErrorCode::InviteInvalid),
                }
            }
            (_, None) => Ok(()),
            // Not a failure: the app asks for the password and tries again.
            (None, Some(_)) => return ErrorCode::PasswordRequired.into(),
            (Some(Credential::Password(given)), Some(digest)) => {
                if given.chars().count() > MAX_PASSWORD_CHARS {
                    Err(ErrorCode::WrongPassword)
                } else {
                    match password::verify_async(given, digest).await {
                        Ok(true) => Ok(()),
                        Ok(false) => Err(ErrorCode::WrongPassword),
                        Err(error) => {
                            tracing::error!(%error, "could not check a room password");
                            return ErrorCode::ServerBusy.into();
                        }
                    }
                }
            }
        };
        if let Err(code) = proof {
            self.state.ip_failures.record_failure(&self.ip);
            self.state.room_failures.record_failure(&room);
            return code.into();
        }
        // The slot is taken only now, after the slow check, under the rooms
        // lock: of two joins racing for the last slot exactly one gets it.
        match self
            .state
            .rooms
            .join(&room, &gate.nonce, name, self.outbox.clone())
        {
            Ok(entered) => self.enter(entered),
            Err(error) => error.into(),
        }
    }

    fn enter(&mut self, entered: Entered) -> Reply {
        let invite = self.state.invites.issue(&entered.info.id, &entered.nonce);
        self.seat = Some(Seat {
            room: entered.info.id.clone(),
            member: entered.you,
            nonce: entered.nonce,
        });
        Reply::Send(ServerMessage::Joined {
            room: entered.info,
            you: entered.you,
            members: entered.members,
            invite,
        })
    }

    fn signal(&self, to: MemberId, signal: PeerSignal) -> Reply {
        let Some(seat) = &self.seat else {
            return ErrorCode::NotInRoom.into();
        };
        let relayed = ServerMessage::Signal {
            from: seat.member,
            signal,
        };
        match self.state.rooms.relay(seat, to, &relayed) {
            Ok(()) => Reply::Nothing,
            Err(error) => error.into(),
        }
    }

    /// Leaves the current room, if any; true if there was one. Also called
    /// when the connection ends, however it ends.
    pub fn leave(&mut self) -> bool {
        match self.seat.take() {
            Some(seat) => {
                self.state.rooms.leave(&seat);
                true
            }
            None => false,
        }
    }
}

impl Drop for Session {
    // Whatever ends the connection task (close, error, heartbeat timeout, a
    // panic elsewhere), the member leaves and the others are told.
    fn drop(&mut self) {
        self.leave();
    }
}

/// Which error code answers a frame that did not decode. Names and room
/// numbers are validated while decoding, so their errors get their own codes.
fn decode_error_code(error: &ProtocolError) -> ErrorCode {
    let ProtocolError::Malformed(detail) = error else {
        return ErrorCode::MalformedMessage;
    };
    if detail.contains(&ProtocolError::InvalidName.to_string()) {
        ErrorCode::InvalidName
    } else if detail.contains(&ProtocolError::InvalidRoomId.to_string()) {
        // A number that cannot be a room is answered like one that is not.
        ErrorCode::NoSuchRoom
    } else {
        ErrorCode::MalformedMessage
    }
}
