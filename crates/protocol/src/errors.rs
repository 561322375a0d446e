use serde::{Deserialize, Serialize};

/// Why the server refused a request. Each has a sentence a person understands
/// ([`ErrorCode::explain`]); the app shows it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NoSuchRoom,
    PasswordRequired,
    WrongPassword,
    RoomFull,
    InviteExpired,
    InviteInvalid,
    TooManyAttempts,
    AlreadyInRoom,
    NotInRoom,
    UnknownMember,
    InvalidName,
    InvalidRoomSettings,
    MalformedMessage,
    MessageTooLarge,
    UnsupportedVersion,
    ServerBusy,
}

impl ErrorCode {
    /// The sentence shown to the person. `retry_after_secs` fills in the wait for
    /// [`ErrorCode::TooManyAttempts`].
    pub fn explain(self, retry_after_secs: Option<u32>) -> String {
        match self {
            Self::NoSuchRoom => {
                "There is no room with that number. Check the number and try again.".into()
            }
            Self::PasswordRequired => "This room has a password. Enter it to join.".into(),
            Self::WrongPassword => "That password is not right for this room.".into(),
            Self::RoomFull => "This room is full.".into(),
            Self::InviteExpired => "This invite link has expired. Ask for a new one.".into(),
            Self::InviteInvalid => "This invite link is not valid. Ask for a new one.".into(),
            Self::TooManyAttempts => match retry_after_secs {
                Some(s) => format!("Too many attempts. Try again in {s} s."),
                None => "Too many attempts. Try again in a moment.".into(),
            },
            Self::AlreadyInRoom => "You are already in a room.".into(),
            Self::NotInRoom => "You are not in a room.".into(),
            Self::UnknownMember => "That member is no longer in the room.".into(),
            Self::InvalidName => "Names are 1 to 32 characters.".into(),
            Self::InvalidRoomSettings => {
                "Rooms hold 2 to 8 members, and passwords are at most 64 characters.".into()
            }
            Self::MalformedMessage => {
                "The app sent something the server did not understand. Reload the page.".into()
            }
            Self::MessageTooLarge => "The app sent a message that was too large.".into(),
            Self::UnsupportedVersion => {
                "This page is out of date. Reload it to get the new version.".into()
            }
            Self::ServerBusy => "The server is busy. Try again in a moment.".into(),
        }
    }
}

/// Errors from parsing wire values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("a room number is 8 digits")]
    InvalidRoomId,
    #[error("names are 1 to 32 characters, without control characters")]
    InvalidName,
    #[error("malformed message: {0}")]
    Malformed(String),
}
