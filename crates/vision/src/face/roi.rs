//! Face regions of interest: from a detection (`FaceDetectionFrontDetectionToRoi`)
//! and from the previous frame's landmarks (`face_landmark_landmarks_to_roi`).
//! Both: rotation so the eyes are level, scale 1.5, square on the long side.

use super::detector::Detection;
use super::topology::{LEFT_EYE_INNER, LEFT_EYE_OUTER};
use crate::imgproc::warp::RotatedRect;

const ROI_SCALE: f32 = 1.5;

/// A rotated rectangle in normalised frame coordinates (MediaPipe `NormalizedRect`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormRect {
    pub cx: f32,
    pub cy: f32,
    pub w: f32,
    pub h: f32,
    /// Radians, in [−π, π).
    pub rotation: f32,
}

impl NormRect {
    /// The same rectangle in frame pixels, for the warp.
    pub fn to_pixels(&self, width: usize, height: usize) -> RotatedRect {
        let (w, h) = (width as f32, height as f32);
        RotatedRect {
            cx: self.cx * w,
            cy: self.cy * h,
            w: self.w * w,
            h: self.h * h,
            rotation: self.rotation,
        }
    }

    /// Axis-aligned `[xmin, ymin, xmax, ymax]` ignoring rotation (as MediaPipe's
    /// ROI association does).
    pub fn aabb(&self) -> [f32; 4] {
        [
            self.cx - self.w / 2.0,
            self.cy - self.h / 2.0,
            self.cx + self.w / 2.0,
            self.cy + self.h / 2.0,
        ]
    }
}

/// Wraps an angle into [−π, π).
pub fn normalize_radians(a: f32) -> f32 {
    use std::f32::consts::PI;
    a - 2.0 * PI * ((a + PI) / (2.0 * PI)).floor()
}

/// Rotation that makes the vector p0→p1 horizontal (target angle 0), measured in
/// pixels so non-square frames are not skewed.
fn rotation(p0: [f32; 2], p1: [f32; 2], width: f32, height: f32) -> f32 {
    normalize_radians(-(-(p1[1] - p0[1]) * height).atan2((p1[0] - p0[0]) * width))
}

/// Square-long scaling: side = longest side in pixels × 1.5, expressed back in
/// normalised units per axis.
fn square_long(cx: f32, cy: f32, w: f32, h: f32, rot: f32, width: f32, height: f32) -> NormRect {
    let long = (w * width).max(h * height) * ROI_SCALE;
    NormRect {
        cx,
        cy,
        w: long / width,
        h: long / height,
        rotation: rot,
    }
}

/// ROI for the landmark model from a face detection (rotation from keypoint 0,
/// right eye, to keypoint 1, left eye).
pub fn roi_from_detection(det: &Detection, width: usize, height: usize) -> NormRect {
    let (wf, hf) = (width as f32, height as f32);
    let b = det.bbox;
    let rot = rotation(det.keypoints[0], det.keypoints[1], wf, hf);
    square_long(
        (b[0] + b[2]) / 2.0,
        (b[1] + b[3]) / 2.0,
        b[2] - b[0],
        b[3] - b[1],
        rot,
        wf,
        hf,
    )
}

/// ROI for the next frame from this frame's landmarks (normalised x, y): the
/// landmarks' bounding box, rotation from landmark 33 to 133.
pub fn roi_from_landmarks(landmarks: &[[f32; 3]], width: usize, height: usize) -> Option<NormRect> {
    let (wf, hf) = (width as f32, height as f32);
    let p0 = landmarks.get(LEFT_EYE_OUTER)?;
    let p1 = landmarks.get(LEFT_EYE_INNER)?;
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in landmarks {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    let rot = rotation([p0[0], p0[1]], [p1[0], p1[1]], wf, hf);
    Some(square_long(
        (x0 + x1) / 2.0,
        (y0 + y1) / 2.0,
        x1 - x0,
        y1 - y0,
        rot,
        wf,
        hf,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // Values copied verbatim from reference/index.json.
    #[allow(clippy::excessive_precision)]
    fn matches_reference_roi() {
        // astronaut.png (512×512), decoded detection and ROI from reference/index.json.
        let det = Detection {
            score: 0.92,
            bbox: [
                0.34680741590554154,
                0.16185773493734015,
                0.5330262722608393,
                0.34807700329780794,
            ],
            keypoints: [
                [0.3935457255032861, 0.20487955649879436],
                [0.48016730125305646, 0.21308001715684563],
                [0.0; 2],
                [0.0; 2],
                [0.0; 2],
                [0.0; 2],
            ],
        };
        let r = roi_from_detection(&det, 512, 512);
        let want = [
            0.43991684408319043,
            0.25496736911757406,
            0.2793289025407017,
            0.2793289025407017,
            0.09438864261876512,
        ];
        let got = [r.cx, r.cy, r.w, r.h, r.rotation];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w as f32).abs() < 1e-5, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn radians_wrap() {
        use std::f32::consts::PI;
        assert!((normalize_radians(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-5);
        assert!((normalize_radians(0.3) - 0.3).abs() < 1e-6);
    }
}
