//! Errors of the scene: the app matches on them to tell a programming mistake
//! (bad canvas, bad buffer) from stale input it should just drop (an unknown id).

use thiserror::Error;

use crate::error::VisionError;

use super::MemberKey;

/// Everything the scene refuses. Nothing in `scene` panics on caller input.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SceneError {
    /// A room holds 1 to [`super::MAX_MEMBERS`] members.
    #[error("a scene has 1 to {max} members, got {got}")]
    MemberCount { got: usize, max: usize },
    /// The same member was listed twice in the join order.
    #[error("member {0:?} is listed twice")]
    DuplicateMember(MemberKey),
    /// A zero-sized (or absurdly large) output picture.
    #[error("bad canvas size {width}x{height}")]
    BadCanvas { width: u32, height: u32 },
    /// A pixel buffer whose length does not match its size.
    #[error("bad image: {0}")]
    BadImage(String),
    /// A preset id that this version does not know (e.g. sent by a newer peer).
    #[error("unknown {kind} `{id}`")]
    UnknownId { kind: &'static str, id: String },
}

impl From<VisionError> for SceneError {
    fn from(e: VisionError) -> Self {
        match e {
            VisionError::BadImage(m) => SceneError::BadImage(m),
            other => SceneError::BadImage(other.to_string()),
        }
    }
}

/// Shorthand for the scene module.
pub type SceneResult<T> = std::result::Result<T, SceneError>;

/// The preset in `all` whose stable id is `id` (what peers send), or `UnknownId`.
pub(crate) fn by_id<T: Copy>(
    all: &[T],
    id: &str,
    kind: &'static str,
    id_of: impl Fn(T) -> &'static str,
) -> SceneResult<T> {
    all.iter()
        .copied()
        .find(|&item| id_of(item) == id)
        .ok_or_else(|| SceneError::UnknownId {
            kind,
            id: id.to_owned(),
        })
}
