//! What the UI thread and the compose worker say to each other.
//!
//! Like the vision worker's messages: a JS object `{ meta, bitmaps? }` where
//! `meta` is JSON and the pictures ride alongside as transferables.

use huddle_protocol::{MemberId, SceneState};
use serde::{Deserialize, Serialize};

/// One member's input to a frame of the group picture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComposeMember {
    pub id: MemberId,
    pub picture: MemberPicture,
    /// Eye centres in the member's camera frame (left half) pixels.
    pub eyes: Option<[[f32; 2]; 2]>,
}

/// A member's packed cut-out in a frame: a picture twice as wide as the camera
/// frame, colour on the left half and the person mask as grey on the right half.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberPicture {
    /// No picture (yet): the worker leaves the region empty and the UI labels it.
    None,
    /// A new picture: the message's `bitmaps[index]`, read at its own size.
    New { index: usize },
    /// Nothing new since the last frame: the worker paints the picture it read
    /// then (none, if it has none).
    Same,
}

impl MemberPicture {
    /// A new picture: the message's `bitmaps[index]`.
    pub fn at(index: usize) -> Self {
        Self::New { index }
    }
}

/// One frame of the group picture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComposeRequest {
    pub id: u64,
    pub width: u32,
    pub height: u32,
    pub scene: SceneState,
    /// Join order, creator first.
    pub members: Vec<ComposeMember>,
}

/// UI → worker.
// Built, sent and matched once per frame, never stored: boxing the frame would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToCompose {
    Frame(ComposeRequest),
    /// A custom background photo (RGBA in the message's `pixels`), used while the
    /// scene's background id is [`CUSTOM_BACKGROUND`].
    CustomBackground {
        width: u32,
        height: u32,
    },
    /// Renders the scene's background at `width × height` now, so a frame of that
    /// size (a shot) does not wait for it: a 1920×1080 preset took a shot's
    /// painter 25–50 ms. Nothing comes back.
    Prepare {
        width: u32,
        height: u32,
        scene: SceneState,
    },
    /// The message's one bitmap as picture files, in `files` order. Encoding
    /// on the UI thread waits for the page to be idle (Chromium's `toBlob` is an
    /// idle task: a second and more while the live preview runs); here it does not.
    Encode {
        id: u64,
        files: Vec<FileType>,
    },
}

/// A picture file to make: its MIME type, and quality (0..1) for lossy ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileType {
    pub mime: String,
    pub quality: Option<f64>,
}

impl FileType {
    pub fn png() -> Self {
        Self {
            mime: "image/png".into(),
            quality: None,
        }
    }

    pub fn jpeg(quality: f64) -> Self {
        Self {
            mime: "image/jpeg".into(),
            quality: Some(quality),
        }
    }
}

/// Background id of an uploaded photo.
pub const CUSTOM_BACKGROUND: &str = "custom";

/// Where a member ended up, in picture pixels, for labels and hit-testing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacedMember {
    pub id: MemberId,
    /// The member's layout region `[x, y, w, h]`.
    pub region: [f32; 4],
    /// Where the cut-out's frame was drawn `[x, y, w, h]`, clipped to what shows;
    /// `None` without a picture.
    pub drawn: Option<[f32; 4]>,
    /// The whole frame's rectangle before clipping `[x, y, w, h]`, and whether it
    /// is mirrored: maps a point of the member's camera frame into the picture.
    pub frame: Option<[f32; 4]>,
    pub mirror: bool,
    /// Stacking: 0 is on top.
    pub z: usize,
}

/// Time spent on one frame in the worker, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ComposeTimings {
    /// Reading the members' pictures.
    pub read: f64,
    /// Background, members, filter, beauty and effects.
    pub paint: f64,
    pub total: f64,
}

/// Worker → UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromCompose {
    Started,
    /// The picture is the message's `bitmap` (an ImageBitmap, `width × height`).
    Frame {
        id: u64,
        members: Vec<PlacedMember>,
        timings: ComposeTimings,
    },
    Failed {
        id: u64,
        message: String,
    },
    /// The files of an [`ToCompose::Encode`] are the message's `blobs`.
    Encoded {
        id: u64,
    },
    EncodeFailed {
        id: u64,
        message: String,
    },
}
