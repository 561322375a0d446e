//! Person segmentation with MediaPipe Selfie Segmentation (square 256×256 or
//! landscape 256×144 model): frame → model input → probability → temporal
//! smoothing → edge refinement → alpha mask at frame size.

mod smoothing;

pub use smoothing::smooth_with_previous;

use crate::engine::{load_model, Model};
use crate::error::{Result, VisionError};
use crate::image::{BBox, Mask, Rgba8Image, RgbaView};
use crate::imgproc::guided::{FastGuidedFilter, GuidedParams};
use crate::imgproc::resize::{to_u8, Resizer};
use crate::imgproc::warp::{rgb8_to_tensor, warp_roi_rgb8, Border, RotatedRect};

/// Post-processing options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmenterOptions {
    /// MediaPipe's `combine_with_previous_ratio`: 0 disables temporal smoothing.
    pub temporal_smoothing: f32,
    /// Edge refinement with a fast guided filter on the frame's luminance; `None`
    /// gives MediaPipe's plain bilinear upsampling.
    pub refine: Option<GuidedParams>,
}

impl Default for SegmenterOptions {
    fn default() -> Self {
        Self {
            temporal_smoothing: 0.7,
            refine: Some(GuidedParams::default()),
        }
    }
}

/// Result of one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Segmentation {
    /// Alpha at frame size, 255 = person.
    pub mask: Mask,
    /// Bounding box of the pixels with probability ≥ 0.5, in frame pixels; `None`
    /// when nobody is in the frame.
    pub bbox: Option<BBox>,
}

/// Segments people in RGBA frames. Holds the model and the previous frame's
/// probabilities (for temporal smoothing), so use one per video stream.
pub struct Segmenter {
    model: Box<dyn Model>,
    in_w: usize,
    in_h: usize,
    options: SegmenterOptions,
    rgb: Vec<u8>,
    input: Vec<f32>,
    outputs: Vec<Vec<f32>>,
    prob: Vec<f32>,
    prev: Vec<f32>,
    prev_frame: (usize, usize),
    full: Vec<f32>,
    resizer: Resizer,
    guided: FastGuidedFilter,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("model", &self.model.name())
            .field("input", &(self.in_w, self.in_h))
            .field("options", &self.options)
            .finish()
    }
}

impl Segmenter {
    /// Loads `selfie_segmentation.onnx` or `selfie_segmentation_landscape.onnx`
    /// from its bytes with the default engine.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::with_model(load_model("selfie_segmentation", bytes)?)
    }

    /// Uses an already loaded model (any engine). The model's input size decides
    /// whether it is the square or the landscape variant.
    pub fn with_model(model: Box<dyn Model>) -> Result<Self> {
        let [_, in_h, in_w, ch] = model.input_shape();
        if ch != 3 || model.output_names().is_empty() {
            return Err(VisionError::ModelMismatch {
                model: model.name().to_string(),
                reason: format!(
                    "expected an RGB input and a mask output, input {:?}",
                    model.input_shape()
                ),
            });
        }
        Ok(Self {
            model,
            in_w,
            in_h,
            options: SegmenterOptions::default(),
            rgb: Vec::new(),
            input: Vec::new(),
            outputs: Vec::new(),
            prob: Vec::new(),
            prev: Vec::new(),
            prev_frame: (0, 0),
            full: Vec::new(),
            resizer: Resizer::default(),
            guided: FastGuidedFilter::default(),
        })
    }

    /// Replaces the post-processing options (keeps the temporal state).
    pub fn set_options(&mut self, options: SegmenterOptions) {
        self.options = options;
    }

    pub fn options(&self) -> SegmenterOptions {
        self.options
    }

    /// Model input size `(width, height)`: (256, 256) or (256, 144).
    pub fn model_size(&self) -> (usize, usize) {
        (self.in_w, self.in_h)
    }

    /// Forgets the previous frame (call on a camera switch or scene cut).
    pub fn reset(&mut self) {
        self.prev.clear();
    }

    /// The last frame's smoothed probabilities at model resolution (row-major,
    /// `model_size()`), before upsampling and refinement.
    pub fn probabilities(&self) -> &[f32] {
        &self.prob
    }

    /// Segments one frame.
    pub fn segment(&mut self, frame: &Rgba8Image) -> Result<Segmentation> {
        let view = frame.as_view()?;
        self.segment_view(view)
    }

    /// Segments a borrowed frame.
    pub fn segment_view(&mut self, frame: RgbaView<'_>) -> Result<Segmentation> {
        let mut mask = Mask {
            width: frame.width as u32,
            height: frame.height as u32,
            data: Vec::new(),
        };
        let bbox = self.segment_into(frame, &mut mask.data)?;
        Ok(Segmentation { mask, bbox })
    }

    /// Segments a frame into a caller-owned mask buffer (`width*height` bytes,
    /// resized), so a video loop allocates nothing per frame. Returns the bbox.
    pub fn segment_into(
        &mut self,
        frame: RgbaView<'_>,
        mask: &mut Vec<u8>,
    ) -> Result<Option<BBox>> {
        RgbaView::new(frame.width as u32, frame.height as u32, frame.data)?;
        let (w, h) = (frame.width, frame.height);
        self.run_model(frame)?;

        // Temporal smoothing on the small grid (cheap), only across frames of the
        // same size: a resized stream is a new scene.
        if self.prev_frame == (w, h) && self.prev.len() == self.prob.len() {
            smooth_with_previous(&mut self.prob, &self.prev, self.options.temporal_smoothing);
        }
        self.prev.clear();
        self.prev.extend_from_slice(&self.prob);
        self.prev_frame = (w, h);

        match self.options.refine {
            Some(params) => self.guided.apply_rgba(
                frame.data, w, h, &self.prob, self.in_w, self.in_h, params, mask,
            ),
            None => {
                self.resizer
                    .resize(&self.prob, self.in_w, self.in_h, &mut self.full, w, h);
                to_u8(&self.full, mask);
            }
        }
        Ok(self.bbox(w, h))
    }

    /// Input warp (whole frame stretched, no letterbox, 0..1) and inference.
    fn run_model(&mut self, frame: RgbaView<'_>) -> Result<()> {
        let (w, h) = (frame.width as f32, frame.height as f32);
        let roi = RotatedRect {
            cx: w / 2.0,
            cy: h / 2.0,
            w,
            h,
            rotation: 0.0,
        };
        warp_roi_rgb8(
            frame.data,
            frame.width,
            frame.height,
            &roi,
            self.in_w,
            self.in_h,
            Border::Zero,
            &mut self.rgb,
        );
        rgb8_to_tensor(&self.rgb, 1.0 / 255.0, 0.0, &mut self.input);
        self.model.run(&self.input, &mut self.outputs)?;
        let out = self.outputs.first().map(Vec::as_slice).unwrap_or(&[]);
        if out.len() != self.in_w * self.in_h {
            return Err(VisionError::ModelMismatch {
                model: self.model.name().to_string(),
                reason: format!(
                    "mask output has {} values, expected {}",
                    out.len(),
                    self.in_w * self.in_h
                ),
            });
        }
        self.prob.clear();
        self.prob.extend_from_slice(out);
        Ok(())
    }

    /// Bounding box of the model-grid cells with p ≥ 0.5, mapped to frame pixels.
    fn bbox(&self, w: usize, h: usize) -> Option<BBox> {
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        for (y, row) in self.prob.chunks_exact(self.in_w).enumerate() {
            let first = row.iter().position(|&p| p >= 0.5);
            if let Some(first) = first {
                let last = row.iter().rposition(|&p| p >= 0.5).unwrap_or(first);
                x0 = x0.min(first);
                x1 = x1.max(last);
                y0 = y0.min(y);
                y1 = y;
            }
        }
        if x0 == usize::MAX {
            return None;
        }
        let sx = w as f32 / self.in_w as f32;
        let sy = h as f32 / self.in_h as f32;
        Some(BBox {
            x0: x0 as f32 * sx,
            y0: y0 as f32 * sy,
            x1: (x1 + 1) as f32 * sx,
            y1: (y1 + 1) as f32 * sy,
        })
    }
}
