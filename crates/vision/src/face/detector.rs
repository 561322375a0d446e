//! Short-range BlazeFace: letterboxed 128×128 input, SSD decoding and MediaPipe's
//! weighted non-maximum suppression (`face_detection_short_range.pbtxt`).

use super::anchors::short_range_anchors;
use crate::engine::{load_model, Model};
use crate::error::{Result, VisionError};
use crate::image::RgbaView;
use crate::imgproc::warp::{rgb8_to_tensor, warp_roi_rgb8, Border, RotatedRect};

const INPUT: usize = 128;
/// Regressor units: the model predicts offsets in 128-px input units.
const SCALE: f32 = 128.0;
const NMS_IOU: f32 = 0.3;

/// One detected face, in normalised frame coordinates (0..1 of width/height).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub score: f32,
    /// `[xmin, ymin, xmax, ymax]`.
    pub bbox: [f32; 4],
    /// Right eye, left eye, nose tip, mouth centre, right ear, left ear (the
    /// subject's sides: keypoint 0 is on the image left in an unmirrored frame).
    pub keypoints: [[f32; 2]; 6],
}

/// The face detector and its scratch buffers.
pub struct FaceDetector {
    model: Box<dyn Model>,
    anchors: Vec<[f32; 2]>,
    reg_idx: usize,
    cls_idx: usize,
    min_score: f32,
    rgb: Vec<u8>,
    input: Vec<f32>,
    outputs: Vec<Vec<f32>>,
}

impl std::fmt::Debug for FaceDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceDetector")
            .field("model", &self.model.name())
            .field("min_score", &self.min_score)
            .finish()
    }
}

impl FaceDetector {
    /// Loads `face_detection_short_range.onnx` from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::with_model(load_model("face_detection_short_range", bytes)?)
    }

    /// Uses an already loaded model.
    pub fn with_model(model: Box<dyn Model>) -> Result<Self> {
        let mismatch = |reason: String| VisionError::ModelMismatch {
            model: model.name().to_string(),
            reason,
        };
        if model.input_shape() != [1, INPUT, INPUT, 3] {
            return Err(mismatch(format!(
                "expected input [1,128,128,3], found {:?}",
                model.input_shape()
            )));
        }
        let reg_idx = model.output_index("regressors").unwrap_or(0);
        let cls_idx = model.output_index("classificators").unwrap_or(1);
        if model.output_names().len() < 2 || reg_idx == cls_idx {
            return Err(mismatch(format!(
                "expected regressors and classificators, found {:?}",
                model.output_names()
            )));
        }
        Ok(Self {
            model,
            anchors: short_range_anchors(),
            reg_idx,
            cls_idx,
            min_score: 0.5,
            rgb: Vec::new(),
            input: Vec::new(),
            outputs: Vec::new(),
        })
    }

    /// Minimum detection score (MediaPipe `min_detection_confidence`, 0.5).
    pub fn set_min_score(&mut self, score: f32) {
        self.min_score = score;
    }

    /// Detects faces, highest score first.
    pub fn detect(&mut self, frame: RgbaView<'_>) -> Result<Vec<Detection>> {
        let (w, h) = (frame.width as f32, frame.height as f32);
        // Letterbox: grow the whole-frame ROI to a square around its centre; the
        // padding (zero border) is a fraction of the square on each side.
        let side = w.max(h);
        let roi = RotatedRect {
            cx: w / 2.0,
            cy: h / 2.0,
            w: side,
            h: side,
            rotation: 0.0,
        };
        let pad_x = (1.0 - w / side) / 2.0;
        let pad_y = (1.0 - h / side) / 2.0;
        warp_roi_rgb8(
            frame.data,
            frame.width,
            frame.height,
            &roi,
            INPUT,
            INPUT,
            Border::Zero,
            &mut self.rgb,
        );
        rgb8_to_tensor(&self.rgb, 1.0 / 127.5, -1.0, &mut self.input);
        self.model.run(&self.input, &mut self.outputs)?;
        let dets = self.decode_outputs()?;
        let mut dets = weighted_nms(dets, NMS_IOU);
        for d in &mut dets {
            unletterbox(d, pad_x, pad_y);
        }
        Ok(dets)
    }

    fn decode_outputs(&self) -> Result<Vec<Detection>> {
        let n = self.anchors.len();
        let reg = self
            .outputs
            .get(self.reg_idx)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let cls = self
            .outputs
            .get(self.cls_idx)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if reg.len() != n * 16 || cls.len() != n {
            return Err(VisionError::ModelMismatch {
                model: self.model.name().to_string(),
                reason: format!(
                    "outputs have {} and {} values, expected {} and {n}",
                    reg.len(),
                    cls.len(),
                    n * 16
                ),
            });
        }
        Ok(decode(reg, cls, &self.anchors, self.min_score))
    }
}

/// `TensorsToDetectionsCalculator`: boxes and keypoints relative to the anchor
/// centres, score = sigmoid(clamped logit). Coordinates in 0..1 of the input.
pub fn decode(
    regressors: &[f32],
    logits: &[f32],
    anchors: &[[f32; 2]],
    min_score: f32,
) -> Vec<Detection> {
    let mut out = Vec::new();
    for (i, (&logit, a)) in logits.iter().zip(anchors).enumerate() {
        let score = 1.0 / (1.0 + (-logit.clamp(-100.0, 100.0)).exp());
        if score < min_score {
            continue;
        }
        let Some(r) = regressors.get(i * 16..i * 16 + 16) else {
            break;
        };
        let cx = r[0] / SCALE + a[0];
        let cy = r[1] / SCALE + a[1];
        let bw = r[2] / SCALE;
        let bh = r[3] / SCALE;
        let mut keypoints = [[0.0; 2]; 6];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = [r[4 + 2 * k] / SCALE + a[0], r[5 + 2 * k] / SCALE + a[1]];
        }
        out.push(Detection {
            score,
            bbox: [cx - bw / 2.0, cy - bh / 2.0, cx + bw / 2.0, cy + bh / 2.0],
            keypoints,
        });
    }
    out
}

/// Intersection over union of two `[xmin, ymin, xmax, ymax]` boxes.
pub fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// MediaPipe's WEIGHTED non-maximum suppression: each cluster (IoU > `threshold`
/// with the best remaining box) becomes one detection whose box and keypoints are
/// the score-weighted mean of the cluster and whose score is the best one. This
/// averaging is what makes the detector steady enough to seed landmarks.
pub fn weighted_nms(mut dets: Vec<Detection>, threshold: f32) -> Vec<Detection> {
    // Stable sort so ties keep anchor order, as the reference does.
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    let mut remaining = dets;
    let mut rest = Vec::with_capacity(remaining.len());
    while let Some(top) = remaining.first().copied() {
        let (mut wsum, mut bbox, mut kps) = (0.0f32, [0.0f32; 4], [[0.0f32; 2]; 6]);
        rest.clear();
        for d in &remaining {
            if iou(&top.bbox, &d.bbox) > threshold {
                wsum += d.score;
                for (acc, v) in bbox.iter_mut().zip(d.bbox) {
                    *acc += v * d.score;
                }
                for (acc, v) in kps.iter_mut().zip(d.keypoints) {
                    acc[0] += v[0] * d.score;
                    acc[1] += v[1] * d.score;
                }
            } else {
                rest.push(*d);
            }
        }
        if wsum > 0.0 {
            bbox.iter_mut().for_each(|v| *v /= wsum);
            kps.iter_mut().for_each(|k| {
                k[0] /= wsum;
                k[1] /= wsum;
            });
            out.push(Detection {
                score: top.score,
                bbox,
                keypoints: kps,
            });
        } else {
            // Degenerate (zero-area) top box: IoU with itself is 0. Keep it as is.
            out.push(top);
            // `top` has IoU 0 with itself, so it is the first entry of `rest`.
            rest.remove(0);
        }
        std::mem::swap(&mut remaining, &mut rest);
    }
    out
}

/// Letterboxed input coordinates → frame coordinates.
fn unletterbox(d: &mut Detection, pad_x: f32, pad_y: f32) {
    let sx = 1.0 - 2.0 * pad_x;
    let sy = 1.0 - 2.0 * pad_y;
    d.bbox[0] = (d.bbox[0] - pad_x) / sx;
    d.bbox[2] = (d.bbox[2] - pad_x) / sx;
    d.bbox[1] = (d.bbox[1] - pad_y) / sy;
    d.bbox[3] = (d.bbox[3] - pad_y) / sy;
    for k in &mut d.keypoints {
        k[0] = (k[0] - pad_x) / sx;
        k[1] = (k[1] - pad_y) / sy;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f32, x: f32) -> Detection {
        Detection {
            score,
            bbox: [x, 0.0, x + 1.0, 1.0],
            keypoints: [[x, 0.0]; 6],
        }
    }

    #[test]
    fn nms_averages_clusters_and_keeps_top_score() {
        let out = weighted_nms(vec![det(0.6, 0.1), det(0.9, 0.0), det(0.8, 5.0)], 0.3);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        let expect = 0.1 * 0.6 / 1.5;
        assert!((out[0].bbox[0] - expect).abs() < 1e-6);
        assert_eq!(out[1].bbox[0], 5.0);
    }

    #[test]
    fn degenerate_boxes_terminate() {
        let d = Detection {
            score: 0.9,
            bbox: [0.0; 4],
            keypoints: [[0.0; 2]; 6],
        };
        assert_eq!(weighted_nms(vec![d, d], 0.3).len(), 2);
    }
}
