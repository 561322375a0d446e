//! What the UI thread and the vision worker say to each other.
//!
//! Each message is a JS object `{ meta, image?, landmarks?, bitmap? }`: `meta` is
//! one of these types as a JSON string (small, versionless: both ends ship in the
//! same build), and the pixel buffers ride alongside as transferables so a frame
//! is moved, never copied, between threads.

use serde::{Deserialize, Serialize};

/// Which person-segmentation model to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentationModel {
    /// 256×256 input: best for square or portrait frames.
    Square,
    /// 256×144 input: about twice as fast, made for landscape video.
    #[default]
    Landscape,
}

impl SegmentationModel {
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Square => "selfie_segmentation.onnx",
            Self::Landscape => "selfie_segmentation_landscape.onnx",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Square => "Person (square)",
            Self::Landscape => "Person (landscape)",
        }
    }
}

/// Which face-landmark model to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LandmarkModel {
    /// The plain 468-point mesh: fastest.
    #[default]
    Fast,
    /// The attention mesh: exact lips and irises (try-on), slower to load and run.
    Attention,
}

impl LandmarkModel {
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Fast => "face_landmark.onnx",
            Self::Attention => "face_landmark_with_attention.onnx",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Fast => "Face landmarks",
            Self::Attention => "Face landmarks (attention)",
        }
    }
}

/// File name of the face detector every landmark model needs.
pub const FACE_DETECTOR_FILE: &str = "face_detection_short_range.onnx";

/// The models a page wants. `None` skips that pipeline (and its download).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelChoice {
    pub segmentation: Option<SegmentationModel>,
    pub landmarks: Option<LandmarkModel>,
}

/// What the worker should hand back as pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameView {
    /// No pixels back (the mask and landmarks only in `meta`).
    None,
    /// The frame with the mask as its alpha.
    #[default]
    CutOut,
    /// The frame with the person tinted.
    Overlay,
    /// The mask as a grey image.
    Mask,
    /// Twice as wide: the frame on the left, the mask as grey on the right (the
    /// cut-out as it is sent to the room, see `huddle_vision::scene::packed`).
    Packed,
    /// The frame itself, with the make-up asked for (try-on).
    Frame,
}

/// Lipstick painted on every face found (try-on), by the worker that tracks the
/// faces, so the made-up frame comes back with the landmarks it was made from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Makeup {
    pub shade: [u8; 3],
    pub gloss: bool,
    /// 0 (none) ..= 1 (full).
    pub intensity: f32,
}

/// One frame to process; the pixels come as the message's `bitmap`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameRequest {
    pub id: u64,
    pub segment: bool,
    pub faces: bool,
    pub view: FrameView,
    /// A still photo: no temporal smoothing or tracking from earlier frames.
    pub still: bool,
    #[serde(default)]
    pub makeup: Option<Makeup>,
    /// Read the picture scaled to this size (the room's live picture is sent
    /// smaller than the camera, and segmenting and packing the smaller frame is a
    /// fraction of the work); `None`: at its own size. Results are in this size's pixels.
    #[serde(default)]
    pub read_size: Option<(u32, u32)>,
}

/// UI → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Download (with progress) and prepare the models; `base` is the URL of the
    /// models folder, ending in `/`.
    Load {
        base: String,
        models: ModelChoice,
    },
    Frame(FrameRequest),
}

/// Time spent per stage of one frame, in milliseconds, measured in the worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimings {
    /// Drawing the bitmap and reading its pixels.
    pub read: f64,
    pub segment: f64,
    pub faces: f64,
    /// Building the returned image.
    pub compose: f64,
    pub total: f64,
}

/// One face, in frame pixels. Its 468 landmarks travel in the message's
/// `landmarks` buffer (x, y, z per point, faces in this order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaceSummary {
    pub bbox: [f32; 4],
    pub lips_outer: Vec<[f32; 2]>,
    pub lips_inner: Vec<[f32; 2]>,
    pub yaw: f32,
    pub pitch: f32,
    pub roll: f32,
    pub smile: f32,
    pub eye_openness: [f32; 2],
    pub mouth_openness: f32,
}

/// The result of one frame; the pixels (if asked for) are the message's `image`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameResult {
    pub id: u64,
    pub width: u32,
    pub height: u32,
    /// Person bounding box `[x0, y0, x1, y1]` in pixels; `None` when nobody is there.
    pub person: Option<[f32; 4]>,
    /// Share of the frame covered by the person (mask ≥ 50 %).
    pub coverage: f32,
    /// Mean luminance (0..1) of the person's pixels, for the "too dark" hint;
    /// `None` without a mask or person.
    pub brightness: Option<f32>,
    pub faces: Vec<FaceSummary>,
    pub timings: StageTimings,
}

/// How long one model took to get ready.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelLoad {
    pub file: String,
    pub bytes: u64,
    pub download_ms: f64,
    /// Parse, optimise and plan.
    pub prepare_ms: f64,
}

/// Worker → UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's wasm is running and listening (messages sent earlier are lost).
    Started,
    /// Download progress of one model file; `total` is `None` when the server
    /// did not say.
    Progress {
        file: String,
        loaded: u64,
        total: Option<u64>,
    },
    Ready {
        models: Vec<ModelLoad>,
    },
    /// Loading failed; the sentence is meant for the user.
    LoadFailed {
        message: String,
    },
    Frame(FrameResult),
    FrameFailed {
        id: u64,
        message: String,
    },
}

/// Encodes a message's `meta` string.
pub fn encode<T: Serialize>(msg: &T) -> String {
    // Serialising these plain types cannot fail (no maps with non-string keys).
    serde_json::to_string(msg).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn messages_round_trip() {
        let load = ToWorker::Load {
            base: "/models/".into(),
            models: ModelChoice {
                segmentation: Some(SegmentationModel::Landscape),
                landmarks: Some(LandmarkModel::Attention),
            },
        };
        let back: ToWorker = serde_json::from_str(&encode(&load)).unwrap();
        assert_eq!(back, load);
        let ev = FromWorker::Progress {
            file: "a.onnx".into(),
            loaded: 3,
            total: None,
        };
        let back: FromWorker = serde_json::from_str(&encode(&ev)).unwrap();
        assert_eq!(back, ev);
    }
}
