//! Wire types shared by the Huddle app and server.
//!
//! Every message on the signalling websocket is one JSON text frame holding a
//! [`ClientMessage`] (browser → server) or a [`ServerMessage`] (server → browser),
//! tagged by `"type"`. Messages between browsers on a data channel are
//! [`PeerMessage`]s. The try-on feed's HTTP API uses the types in [`posts`].
//! [`webm`] reads recorded videos' structure: the server checks uploads with it,
//! the app trims recordings. [`media`] frames the live cut-out video between browsers.
//! `docs/protocol.md` describes each one.

pub mod chunks;
mod errors;
mod ids;
mod limits;
pub mod media;
mod peer;
pub mod posts;
pub mod scene;
mod signalling;
pub mod webm;
pub mod webm_mux;

pub use errors::{ErrorCode, ProtocolError};
pub use ids::{DisplayName, InviteToken, MemberId, RoomId};
pub use limits::*;
pub use peer::{PeerMessage, SMILES_WANTED_FOR_MS};
pub use posts::{
    Anchor, Item, ItemId, ItemKind, NewPost, Post, PostError, PostErrorCode, PostId, PostRefusal,
    Variant, MAX_POST_BYTES, MAX_POST_SECONDS, NEW_POST_HEADER,
};
pub use scene::{EffectTarget, MemberPose, SceneState, Stamped, StickerPose, MAX_STICKERS};
pub use signalling::*;

/// Bumped on every incompatible change of the wire format. The client sends it in
/// [`ClientMessage::Hello`]; the server refuses other versions with
/// [`ErrorCode::UnsupportedVersion`].
pub const PROTOCOL_VERSION: u16 = 1;

/// Encodes a message as the JSON text sent in one websocket frame.
pub fn encode<T: serde::Serialize>(message: &T) -> String {
    // Serialising these types cannot fail: they hold only strings, numbers and
    // enums with string keys.
    serde_json::to_string(message).unwrap_or_default()
}

/// Decodes one websocket frame, with an error that says what was wrong.
pub fn decode<'a, T: serde::Deserialize<'a>>(text: &'a str) -> Result<T, ProtocolError> {
    serde_json::from_str(text).map_err(|e| ProtocolError::Malformed(e.to_string()))
}
