//! What can go wrong: a peer's bytes we cannot read, or an edit aimed at an element that is
//! not there (any more) or is of the wrong kind.

use crate::types::ElementId;

/// Errors of [`crate::EditDoc`]. Remote data never panics; it ends up here.
#[derive(thiserror::Error, Debug)]
pub enum EditError {
    /// A sync payload or saved state could not be decoded (truncated, wrong tag, bad varint, ...).
    #[error("malformed message: {0}")]
    Malformed(#[from] yrs::encoding::read::Error),

    /// The update decoded but could not be integrated into the document.
    #[error("update rejected: {0}")]
    Update(#[from] yrs::error::UpdateError),

    /// A sync payload larger than [`crate::limits::MAX_PAYLOAD_BYTES`]: refused before decoding.
    #[error("payload of {len} bytes exceeds the {max} byte limit")]
    PayloadTooLarge { len: usize, max: usize },

    /// No element with this id (never existed, deleted, or not synced yet).
    #[error("unknown element {0}")]
    UnknownElement(ElementId),

    /// The element exists but is not of the kind the edit needs (e.g. `extend_stroke` on a sticker).
    #[error("element {id} is not a {expected}")]
    WrongKind {
        id: ElementId,
        expected: &'static str,
    },
}
