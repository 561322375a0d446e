//! The face-mesh models on a rotated 192×192 crop: plain `face_landmark` (468
//! points) or `face_landmark_with_attention` (468 points with refined lips and
//! eyes, plus 10 iris points). Outputs are projected back to normalised frame
//! coordinates (`TensorsToLandmarks` + `LandmarkProjectionCalculator`).

use super::roi::NormRect;
use super::topology::{
    ATTN_LEFT_EYE, ATTN_LIPS, ATTN_RIGHT_EYE, EYE_CONTOUR_LEN, MESH_POINTS, MESH_WITH_IRIS_POINTS,
};
use crate::engine::{load_model, Model};
use crate::error::{Result, VisionError};
use crate::image::RgbaView;
use crate::imgproc::warp::{rgb8_to_tensor, warp_roi_rgb8, Border};

const INPUT: usize = 192;

/// Which landmark model is loaded (found from its output names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandmarkModelKind {
    /// `face_landmark.onnx`: 468 points.
    Plain,
    /// `face_landmark_with_attention.onnx`: refined lips/eyes and irises.
    Attention,
}

/// Output indices of the heads this pipeline reads.
#[derive(Clone, Copy, Debug)]
enum Heads {
    Plain {
        mesh: usize,
        flag: usize,
    },
    Attention {
        mesh: usize,
        flag: usize,
        lips: usize,
        left_eye: usize,
        right_eye: usize,
        left_iris: usize,
        right_iris: usize,
    },
}

/// Landmarks of one face crop.
#[derive(Clone, Debug, PartialEq)]
pub struct RawFace {
    /// 468 (plain) or 478 (attention) points: x, y normalised to the frame, z in
    /// the same units as x (MediaPipe's relative depth).
    pub landmarks: Vec<[f32; 3]>,
    /// Face presence probability (sigmoid of the face flag).
    pub presence: f32,
}

/// A landmark model and its scratch buffers.
pub struct FaceLandmarker {
    model: Box<dyn Model>,
    heads: Heads,
    rgb: Vec<u8>,
    input: Vec<f32>,
    outputs: Vec<Vec<f32>>,
    crop: Vec<[f32; 3]>,
}

impl std::fmt::Debug for FaceLandmarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceLandmarker")
            .field("model", &self.model.name())
            .field("kind", &self.kind())
            .finish()
    }
}

impl FaceLandmarker {
    /// Loads either landmark model from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::with_model(load_model("face_landmark", bytes)?)
    }

    /// Uses an already loaded model.
    pub fn with_model(model: Box<dyn Model>) -> Result<Self> {
        let name = model.name().to_string();
        if model.input_shape() != [1, INPUT, INPUT, 3] {
            return Err(VisionError::ModelMismatch {
                model: name,
                reason: format!(
                    "expected input [1,192,192,3], found {:?}",
                    model.input_shape()
                ),
            });
        }
        let find = |n: &str| {
            model
                .output_index(n)
                .ok_or_else(|| VisionError::ModelMismatch {
                    model: name.clone(),
                    reason: format!("no output `{n}` among {:?}", model.output_names()),
                })
        };
        let heads = if model.output_index("output_mesh_identity").is_some() {
            Heads::Attention {
                mesh: find("output_mesh_identity")?,
                flag: find("conv_faceflag")?,
                lips: find("output_lips")?,
                left_eye: find("output_left_eye")?,
                right_eye: find("output_right_eye")?,
                left_iris: find("output_left_iris")?,
                right_iris: find("output_right_iris")?,
            }
        } else {
            Heads::Plain {
                mesh: find("conv2d_21")?,
                flag: find("conv2d_31")?,
            }
        };
        Ok(Self {
            model,
            heads,
            rgb: Vec::new(),
            input: Vec::new(),
            outputs: Vec::new(),
            crop: Vec::new(),
        })
    }

    pub fn kind(&self) -> LandmarkModelKind {
        match self.heads {
            Heads::Plain { .. } => LandmarkModelKind::Plain,
            Heads::Attention { .. } => LandmarkModelKind::Attention,
        }
    }

    /// The last model input (192×192 RGB8), for debugging and parity tests.
    pub fn last_input(&self) -> &[u8] {
        &self.rgb
    }

    /// Runs the model on `roi` of `frame`.
    pub fn run(&mut self, frame: RgbaView<'_>, roi: &NormRect) -> Result<RawFace> {
        let px = roi.to_pixels(frame.width, frame.height);
        warp_roi_rgb8(
            frame.data,
            frame.width,
            frame.height,
            &px,
            INPUT,
            INPUT,
            Border::Replicate,
            &mut self.rgb,
        );
        rgb8_to_tensor(&self.rgb, 1.0 / 255.0, 0.0, &mut self.input);
        self.model.run(&self.input, &mut self.outputs)?;
        let presence = self.crop_landmarks()?;
        let landmarks = self.crop.iter().map(|p| project(p, roi)).collect();
        Ok(RawFace {
            landmarks,
            presence,
        })
    }

    /// Fills `self.crop` with landmarks in 0..1 crop coordinates (z also /192) and
    /// returns the presence probability.
    fn crop_landmarks(&mut self) -> Result<f32> {
        let name = self.model.name().to_string();
        let outs = &self.outputs;
        let head = |i: usize, len: usize| -> Result<&[f32]> {
            match outs.get(i) {
                Some(v) if v.len() == len => Ok(v.as_slice()),
                other => Err(VisionError::ModelMismatch {
                    model: name.clone(),
                    reason: format!(
                        "output {i} has {} values, expected {len}",
                        other.map_or(0, |v| v.len())
                    ),
                }),
            }
        };
        let (mesh, flag) = match self.heads {
            Heads::Plain { mesh, flag } | Heads::Attention { mesh, flag, .. } => (mesh, flag),
        };
        let logit = head(flag, 1)?[0];
        self.crop.clear();
        self.crop.extend(
            head(mesh, MESH_POINTS * 3)?
                .chunks_exact(3)
                .map(|c| [c[0], c[1], c[2]]),
        );
        if let Heads::Attention {
            lips,
            left_eye,
            right_eye,
            left_iris,
            right_iris,
            ..
        } = self.heads
        {
            // LandmarksRefinementCalculator: overwrite x, y of the refined regions.
            let overwrite = |crop: &mut Vec<[f32; 3]>, idx: &[usize], xy: &[f32]| {
                for (&i, p) in idx.iter().zip(xy.chunks_exact(2)) {
                    crop[i][0] = p[0];
                    crop[i][1] = p[1];
                }
            };
            overwrite(&mut self.crop, &ATTN_LIPS, head(lips, 160)?);
            overwrite(&mut self.crop, &ATTN_LEFT_EYE, head(left_eye, 142)?);
            overwrite(&mut self.crop, &ATTN_RIGHT_EYE, head(right_eye, 142)?);
            // Irises take the mean depth of their eye's contour.
            let mean_z = |crop: &[[f32; 3]], idx: &[usize]| {
                idx[..EYE_CONTOUR_LEN]
                    .iter()
                    .map(|&i| crop[i][2])
                    .sum::<f32>()
                    / EYE_CONTOUR_LEN as f32
            };
            let lz = mean_z(&self.crop, &ATTN_LEFT_EYE);
            let rz = mean_z(&self.crop, &ATTN_RIGHT_EYE);
            let li: Vec<[f32; 3]> = head(left_iris, 10)?
                .chunks_exact(2)
                .map(|p| [p[0], p[1], lz])
                .collect();
            let ri: Vec<[f32; 3]> = head(right_iris, 10)?
                .chunks_exact(2)
                .map(|p| [p[0], p[1], rz])
                .collect();
            self.crop.extend(li);
            self.crop.extend(ri);
            debug_assert_eq!(self.crop.len(), MESH_WITH_IRIS_POINTS);
        }
        let inv = 1.0 / INPUT as f32;
        for p in &mut self.crop {
            p.iter_mut().for_each(|v| *v *= inv);
        }
        Ok(1.0 / (1.0 + (-logit).exp()))
    }
}

/// Crop coordinates (0..1) → normalised frame coordinates through the rotated ROI.
pub fn project(p: &[f32; 3], roi: &NormRect) -> [f32; 3] {
    let (s, c) = roi.rotation.sin_cos();
    let x = p[0] - 0.5;
    let y = p[1] - 0.5;
    let nx = c * x - s * y;
    let ny = s * x + c * y;
    [nx * roi.w + roi.cx, ny * roi.h + roi.cy, p[2] * roi.w]
}
