//! The live cut-out between two browsers: each member encodes its packed picture
//! once (VP8, WebCodecs) and sends the same frames to every peer on the pair's
//! second data channel, `media`. One encoder for the whole room instead of one per
//! peer connection, and no jitter buffer between a decoded frame and the preview:
//! the picture is live, not a film (docs/protocol.md, "The live cut-out").
//!
//! Every message on `media` is one of:
//! - a frame: `b'F'`, flags (u8, bit 0 = key frame), width and height (u16 LE
//!   each), the camera frame's wall-clock time in ms (f64 LE), then the VP8 data;
//! - a key-frame request: `b'K'` alone, from a receiver that cannot decode what
//!   follows (it joined, reconnected, or its decoder failed);
//! - a part of a bigger message ([`parts`]).

use thiserror::Error;

pub mod parts;

const FRAME: u8 = b'F';
const KEY_WANTED: u8 = b'K';
const KEY_FLAG: u8 = 1;
/// Kind, flags, width, height, camera time.
pub const FRAME_HEADER_LEN: usize = 1 + 1 + 2 + 2 + 8;

/// One encoded frame of a member's packed picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MediaFrame<'a> {
    pub key: bool,
    /// The encoded picture's size (colour and mask side by side).
    pub width: u16,
    pub height: u16,
    /// When the camera took the frame (ms since the Unix epoch, the sender's clock).
    pub captured_ms: f64,
    /// VP8 data.
    pub data: &'a [u8],
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MediaMessage<'a> {
    Frame(MediaFrame<'a>),
    KeyFrameWanted,
}

#[derive(Debug, Error, PartialEq)]
pub enum MediaError {
    #[error("an empty media message")]
    Empty,
    #[error("unknown media message kind {0:#04x}")]
    UnknownKind(u8),
    #[error("a media frame of {0} bytes is shorter than its header")]
    Truncated(usize),
    #[error("a media frame of {0}x{1} pixels")]
    NoPixels(u16, u16),
    #[error("a media frame without data")]
    NoData,
    #[error("a media message of {0} bytes is too large to send")]
    TooLarge(usize),
    #[error("part {index} of {count} of a media message")]
    BadPart { index: u8, count: u8 },
    #[error("a part of a media message went missing")]
    PartMissing,
}

impl MediaFrame<'_> {
    /// The message carrying this frame.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FRAME_HEADER_LEN + self.data.len());
        out.push(FRAME);
        out.push(if self.key { KEY_FLAG } else { 0 });
        out.extend_from_slice(&self.width.to_le_bytes());
        out.extend_from_slice(&self.height.to_le_bytes());
        out.extend_from_slice(&self.captured_ms.to_le_bytes());
        out.extend_from_slice(self.data);
        out
    }
}

/// The key-frame request message.
pub fn key_frame_wanted() -> Vec<u8> {
    vec![KEY_WANTED]
}

impl<'a> MediaMessage<'a> {
    /// Reads one message from `media`, borrowing the frame's data.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, MediaError> {
        match bytes.first() {
            None => Err(MediaError::Empty),
            Some(&KEY_WANTED) => Ok(Self::KeyFrameWanted),
            Some(&FRAME) => {
                if bytes.len() < FRAME_HEADER_LEN {
                    return Err(MediaError::Truncated(bytes.len()));
                }
                let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
                let (width, height) = (u16_at(2), u16_at(4));
                if width == 0 || height == 0 {
                    return Err(MediaError::NoPixels(width, height));
                }
                let mut time = [0u8; 8];
                time.copy_from_slice(&bytes[6..FRAME_HEADER_LEN]);
                let data = &bytes[FRAME_HEADER_LEN..];
                if data.is_empty() {
                    return Err(MediaError::NoData);
                }
                Ok(Self::Frame(MediaFrame {
                    key: bytes[1] & KEY_FLAG != 0,
                    width,
                    height,
                    captured_ms: f64::from_le_bytes(time),
                    data,
                }))
            }
            Some(&other) => Err(MediaError::UnknownKind(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(key: bool, data: &[u8]) -> MediaFrame<'_> {
        MediaFrame {
            key,
            width: 640,
            height: 240,
            captured_ms: 1_795_000_123_456.25,
            data,
        }
    }

    #[test]
    fn frames_survive_the_trip() {
        for key in [true, false] {
            let data = [9u8, 8, 7, 6, 5];
            let bytes = frame(key, &data).to_bytes();
            assert_eq!(bytes.len(), FRAME_HEADER_LEN + data.len());
            assert_eq!(
                MediaMessage::parse(&bytes),
                Ok(MediaMessage::Frame(frame(key, &data)))
            );
        }
    }

    #[test]
    fn the_key_request_is_one_byte() {
        assert_eq!(key_frame_wanted(), b"K");
        assert_eq!(
            MediaMessage::parse(&key_frame_wanted()),
            Ok(MediaMessage::KeyFrameWanted)
        );
    }

    #[test]
    fn broken_messages_are_refused_not_read_past_their_end() {
        let good = frame(true, &[1, 2, 3]).to_bytes();
        assert_eq!(MediaMessage::parse(&[]), Err(MediaError::Empty));
        assert_eq!(
            MediaMessage::parse(b"HC1"),
            Err(MediaError::UnknownKind(b'H'))
        );
        for cut in 1..FRAME_HEADER_LEN {
            assert_eq!(
                MediaMessage::parse(&good[..cut]),
                Err(MediaError::Truncated(cut))
            );
        }
        assert_eq!(
            MediaMessage::parse(&good[..FRAME_HEADER_LEN]),
            Err(MediaError::NoData)
        );
        let mut empty = good.clone();
        empty[2..4].copy_from_slice(&0u16.to_le_bytes());
        assert_eq!(
            MediaMessage::parse(&empty),
            Err(MediaError::NoPixels(0, 240))
        );
    }
}
