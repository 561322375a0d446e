//! Face detection and landmarks, ported from MediaPipe's Face Mesh graphs:
//! short-range BlazeFace detector → rotated ROI → 468-point mesh (optionally the
//! attention model's refined lips/eyes/irises) → ROI for the next frame.

pub mod anchors;
pub mod detector;
pub mod landmarks;
pub mod metrics;
pub mod roi;
pub mod topology;
pub mod tracker;

pub use detector::{Detection, FaceDetector};
pub use landmarks::{FaceLandmarker, LandmarkModelKind};
pub use metrics::HeadPose;
pub use roi::NormRect;
pub use tracker::{Face, FaceTracker, FaceTrackerOptions};
