//! Face detection and landmarks, ported from MediaPipe's Face Mesh graphs:
//! short-range BlazeFace detector → rotated ROI → 468-point mesh (optionally the
//! attention model's refined lips/eyes/irises) → ROI for the next frame.

#[cfg(feature = "models")]
pub mod anchors;
#[cfg(feature = "models")]
pub mod detector;
#[cfg(feature = "models")]
pub mod landmarks;
pub mod metrics;
#[cfg(feature = "models")]
pub mod roi;
pub mod topology;
#[cfg(feature = "models")]
pub mod tracker;

#[cfg(feature = "models")]
pub use detector::{Detection, FaceDetector};
#[cfg(feature = "models")]
pub use landmarks::{FaceLandmarker, LandmarkModelKind};
pub use metrics::HeadPose;
#[cfg(feature = "models")]
pub use roi::NormRect;
#[cfg(feature = "models")]
pub use tracker::{Face, FaceTracker, FaceTrackerOptions};
