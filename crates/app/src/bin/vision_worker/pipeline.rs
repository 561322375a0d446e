//! One frame through the models: read the bitmap's pixels, segment, track faces,
//! compose the picture the UI asked for.

use huddle_app::compose::picture::Picture;
use huddle_app::js_text::js_text;
use huddle_app::vision::messages::{
    FaceSummary, FrameRequest, FrameResult, FrameView, Makeup, StageTimings,
};
use huddle_vision::composite::{cut_out, mask_to_grey, tint_person};
use huddle_vision::scene::packed::pack;
use huddle_vision::tryon::{apply_lipstick, default_feather, lip_mask, Finish};
use huddle_vision::Rgba8Image;
use huddle_vision::{FaceTracker, FaceTrackerOptions, RgbaView, Segmenter, VisionError};
use wasm_bindgen::JsCast;
use web_sys::{OffscreenCanvas, OffscreenCanvasRenderingContext2d};

use crate::models::Loaded;
use crate::reply::now;

/// The tint of the overlay view: Huddle's accent.
const OVERLAY_TINT: [u8; 3] = [64, 120, 255];
const VIDEO_REDETECT_EVERY: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("The models are not loaded yet.")]
    NotLoaded,
    #[error("Could not read the picture: {0}")]
    Read(String),
    #[error(transparent)]
    Vision(#[from] VisionError),
}

pub struct FrameOutput {
    pub result: FrameResult,
    pub image: Option<js_sys::Uint8ClampedArray>,
    pub landmarks: Option<js_sys::Float32Array>,
}

#[derive(Default)]
pub struct Pipeline {
    loaded: bool,
    segmenter: Option<Segmenter>,
    tracker: Option<FaceTracker>,
    canvas: Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>,
    mask: Vec<u8>,
}

impl Pipeline {
    /// Replaces the models (a later `Load` may ask for different ones).
    pub fn install(&mut self, loaded: Loaded) {
        self.segmenter = loaded.segmenter;
        self.tracker = loaded.tracker;
        self.loaded = true;
    }

    /// The picture's pixels, scaled to `size` when given.
    fn read_pixels(
        &mut self,
        picture: &Picture,
        size: Option<(u32, u32)>,
    ) -> Result<(u32, u32, Vec<u8>), FrameError> {
        let (w, h) = size.unwrap_or_else(|| picture.size());
        if w == 0 || h == 0 {
            return Err(FrameError::Read("the picture is empty".into()));
        }
        let ctx = match &self.canvas {
            Some((canvas, ctx)) if canvas.width() == w && canvas.height() == h => ctx.clone(),
            _ => {
                let canvas =
                    OffscreenCanvas::new(w, h).map_err(|e| FrameError::Read(js_text(e)))?;
                let opts = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&opts, &"willReadFrequently".into(), &true.into());
                let ctx: OffscreenCanvasRenderingContext2d = canvas
                    .get_context_with_context_options("2d", &opts)
                    .map_err(|e| FrameError::Read(js_text(e)))?
                    .ok_or_else(|| FrameError::Read("no 2D canvas in this worker".into()))?
                    .unchecked_into();
                self.canvas = Some((canvas, ctx.clone()));
                ctx
            }
        };
        picture
            .draw_on(&ctx, w, h)
            .map_err(|e| FrameError::Read(js_text(e)))?;
        let data = ctx
            .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
            .map_err(|e| FrameError::Read(js_text(e)))?
            .data();
        Ok((w, h, data.0))
    }

    pub fn process(
        &mut self,
        req: &FrameRequest,
        bitmap: &Picture,
    ) -> Result<FrameOutput, FrameError> {
        if !self.loaded {
            return Err(FrameError::NotLoaded);
        }
        let t0 = now();
        let (w, h, mut rgba) = self.read_pixels(bitmap, req.read_size)?;
        let t_read = now();

        let mut person = None;
        let mut coverage = 0.0;
        let mut have_mask = false;
        let mut brightness = None;
        if let (true, Some(seg)) = (req.segment, self.segmenter.as_mut()) {
            if req.still {
                seg.reset();
            }
            let view = RgbaView::new(w, h, &rgba)?;
            person = seg
                .segment_into(view, &mut self.mask)?
                .map(|b| [b.x0, b.y0, b.x1, b.y1]);
            let on = self.mask.iter().filter(|&&m| m >= 128).count();
            coverage = on as f32 / self.mask.len().max(1) as f32;
            brightness = person_brightness(&rgba, &self.mask);
            have_mask = true;
        }
        let t_seg = now();

        let mut faces = Vec::new();
        let mut landmarks = None;
        let mut lips: Vec<Vec<[f32; 2]>> = Vec::new();
        if let (true, Some(tracker)) = (req.faces, self.tracker.as_mut()) {
            // Video: follow faces from their landmarks and look for new ones every
            // 10th frame (a third of a second at 30 fps) instead of every frame.
            let options = FaceTrackerOptions {
                tracking: !req.still,
                redetect_every: if req.still { 1 } else { VIDEO_REDETECT_EVERY },
                ..tracker.options()
            };
            if options != tracker.options() {
                tracker.set_options(options);
            }
            if req.still {
                tracker.reset();
            }
            let found = tracker.process_view(RgbaView::new(w, h, &rgba)?)?;
            let mut flat = Vec::with_capacity(found.len() * 468 * 3);
            for f in &found {
                flat.extend(f.landmarks.iter().flatten());
                if req.makeup.is_some() {
                    lips.push(f.landmarks.iter().map(|p| [p[0], p[1]]).collect());
                }
                faces.push(FaceSummary {
                    bbox: [f.bbox.x0, f.bbox.y0, f.bbox.x1, f.bbox.y1],
                    lips_outer: f.lips_outer.clone(),
                    lips_inner: f.lips_inner.clone(),
                    yaw: f.pose.yaw,
                    pitch: f.pose.pitch,
                    roll: f.pose.roll,
                    smile: f.smile,
                    eye_openness: f.eye_openness,
                    mouth_openness: f.mouth_openness,
                });
            }
            landmarks = Some(js_sys::Float32Array::from(&flat[..]));
        }
        let t_faces = now();

        if let Some(makeup) = req.makeup {
            rgba = paint_lips(rgba, w, h, &lips, makeup)?;
        }

        let image = match (req.view, have_mask) {
            (FrameView::None, _) => None,
            (FrameView::Frame, _) => Some(rgba),
            (FrameView::CutOut, true) => {
                cut_out(&mut rgba, &self.mask)?;
                Some(rgba)
            }
            (FrameView::Overlay, true) => {
                tint_person(&mut rgba, &self.mask, OVERLAY_TINT, 0.45)?;
                Some(rgba)
            }
            (FrameView::Mask, true) => {
                mask_to_grey(&mut rgba, &self.mask)?;
                Some(rgba)
            }
            (FrameView::Packed, true) => {
                let mut packed = Vec::new();
                pack(w, h, &rgba, &self.mask, &mut packed)
                    .map_err(|e| FrameError::Read(e.to_string()))?;
                Some(packed)
            }
            // Nothing segmented: the frame as it came.
            (_, false) => Some(rgba),
        }
        .map(|px| js_sys::Uint8ClampedArray::from(&px[..]));
        let t_end = now();

        Ok(FrameOutput {
            result: FrameResult {
                id: req.id,
                width: w,
                height: h,
                person,
                coverage,
                brightness,
                faces,
                timings: StageTimings {
                    read: t_read - t0,
                    segment: t_seg - t_read,
                    faces: t_faces - t_seg,
                    compose: t_end - t_faces,
                    total: t_end - t0,
                },
            },
            image,
            landmarks,
        })
    }
}

/// Lipstick on every face's lips (the lips of each face in `lips`, in pixels).
fn paint_lips(
    rgba: Vec<u8>,
    w: u32,
    h: u32,
    lips: &[Vec<[f32; 2]>],
    makeup: Makeup,
) -> Result<Vec<u8>, FrameError> {
    let mut frame = Rgba8Image {
        width: w,
        height: h,
        data: rgba,
    };
    let finish = if makeup.gloss {
        Finish::Gloss
    } else {
        Finish::Matte
    };
    for face in lips {
        let mask = lip_mask(face, w, h, default_feather(face));
        apply_lipstick(&mut frame, &mask, makeup.shade, finish, makeup.intensity)?;
    }
    Ok(frame.data)
}

/// Mean luminance (Rec. 601, 0..1) of the pixels at least half person, sampling
/// every 4th pixel (plenty for a hint, and cheap).
fn person_brightness(rgba: &[u8], mask: &[u8]) -> Option<f32> {
    let (mut sum, mut n) = (0u64, 0u64);
    for (px, &m) in rgba.chunks_exact(4).zip(mask).step_by(4) {
        if m >= 128 {
            sum +=
                (299 * u64::from(px[0]) + 587 * u64::from(px[1]) + 114 * u64::from(px[2])) / 1000;
            n += 1;
        }
    }
    (n > 0).then(|| sum as f32 / n as f32 / 255.0)
}
