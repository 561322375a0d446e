//! Huddle's vision engine: person segmentation and face landmarks in pure Rust
//! (no DOM), for native tools and the browser (wasm32).
//!
//! * [`Segmenter`]: RGBA frame → soft person mask at frame size (+ bounding box),
//!   with temporal smoothing and guided-filter edge refinement.
//! * [`FaceTracker`]: up to N faces per frame, 468 landmarks each, lips, head pose,
//!   smile and eye openness.
//! * [`edit`]: an edited photo (stickers, freehand strokes, text, crop and
//!   quarter turns), one renderer for the live editor view and the export.
//! * [`tryon`]: lipstick on the lips from face landmarks (no models needed).
//!
//! Models (MediaPipe, converted to ONNX; see `public/models/PROVENANCE.md`) are
//! passed in as bytes so the app can fetch them; inference goes through the
//! [`engine::Model`] trait (tract-onnx by default).

pub mod composite;
pub mod edit;
#[cfg(feature = "models")]
pub mod engine;
pub mod error;
pub mod face;
pub mod image;
pub mod imgproc;
pub mod scene;
#[cfg(feature = "models")]
pub mod segment;
pub mod tryon;

pub use error::{Result, VisionError};
#[cfg(feature = "models")]
pub use face::{
    Face, FaceDetector, FaceLandmarker, FaceTracker, FaceTrackerOptions, HeadPose,
    LandmarkModelKind,
};
pub use image::{BBox, Mask, Rgba8Image, RgbaView};
pub use imgproc::guided::GuidedParams;
#[cfg(feature = "models")]
pub use segment::{Segmentation, Segmenter, SegmenterOptions};
