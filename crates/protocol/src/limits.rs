//! Limits both sides agree on, so the app can validate before the server refuses.

/// Fewest members a room may be created for.
pub const MIN_MEMBER_LIMIT: u8 = 2;
/// Most members a room may be created for (a full mesh grows as n²).
pub const MAX_MEMBER_LIMIT: u8 = 8;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 32;
/// Longest room password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 64;
/// Largest signalling frame the server accepts, in bytes. SDP with many
/// candidates stays well under this.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Digits in a room number.
pub const ROOM_ID_DIGITS: usize = 8;
