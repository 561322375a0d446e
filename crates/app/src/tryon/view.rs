//! Paints the try-on picture: the made-up frame from the worker, the hat over it,
//! a look filter, and (while comparing) the untouched source on the divider's left.
//! Everything lands on one 2-D canvas, the one people see, photograph and record.

use huddle_vision::tryon::hat::{head_frame, HatPlacement};
use wasm_bindgen::JsValue;
use web_sys::{HtmlCanvasElement, HtmlVideoElement, ImageBitmap, ImageData};

use super::hat_gl::HatRenderer;
use crate::live::dom::{context_2d, create};
use crate::vision::client::FrameOutput;

/// A look applied to the whole picture (canvas filter syntax).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    Natural,
    Warm,
    Mono,
    Vivid,
}

impl Look {
    pub const ALL: [Look; 4] = [Look::Natural, Look::Warm, Look::Mono, Look::Vivid];

    pub fn label(self) -> &'static str {
        match self {
            Look::Natural => "Natural",
            Look::Warm => "Warm",
            Look::Mono => "Mono",
            Look::Vivid => "Vivid",
        }
    }

    fn filter(self) -> &'static str {
        match self {
            Look::Natural => "none",
            Look::Warm => "sepia(0.25) saturate(1.15) brightness(1.03)",
            Look::Mono => "grayscale(1) contrast(1.1)",
            Look::Vivid => "saturate(1.45) contrast(1.08)",
        }
    }
}

/// What the picture was made from, for the "before" side of the comparison.
#[derive(Clone)]
pub enum Before {
    Video(HtmlVideoElement),
    /// A copy of the camera frame that was made up (see `before_frames`).
    Frame(HtmlCanvasElement),
    Photo(ImageBitmap),
}

/// The hat to draw, if the item is a hat.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HatChoice {
    pub color: [f32; 3],
}

pub struct Painter {
    /// The made-up frame at its own size, before the look and the comparison.
    after: HtmlCanvasElement,
    hat: Option<HatRenderer>,
    /// Where the last hat went (for placing a post's anchor near it).
    pub last_hat: Option<HatPlacement>,
}

impl Painter {
    pub fn new() -> Result<Self, JsValue> {
        Ok(Self {
            after: create("canvas")?,
            hat: None,
            last_hat: None,
        })
    }

    /// Puts a new worker frame (and the hat on its first face) into the picture.
    pub fn take_frame(&mut self, out: &FrameOutput, hat: Option<HatChoice>) -> Result<(), JsValue> {
        let Some(pixels) = &out.image else {
            return Ok(());
        };
        let (w, h) = (out.result.width, out.result.height);
        if self.after.width() != w || self.after.height() != h {
            self.after.set_width(w);
            self.after.set_height(h);
        }
        let ctx = context_2d(&self.after)?;
        ctx.put_image_data(
            &ImageData::new_with_js_u8_clamped_array_and_sh(pixels, w, h)?,
            0.0,
            0.0,
        )?;
        self.last_hat = None;
        if let Some(choice) = hat {
            let face: Vec<[f32; 3]> = out
                .landmarks
                .chunks_exact(3)
                .take(468)
                .map(|p| [p[0], p[1], p[2]])
                .collect();
            let placement = head_frame(&face).map(|f| f.hat());
            if self.hat.is_none() {
                self.hat = Some(HatRenderer::new()?);
            }
            if let Some(renderer) = &self.hat {
                renderer.render(w, h, placement.as_ref(), choice.color);
                ctx.draw_image_with_html_canvas_element(renderer.canvas(), 0.0, 0.0)?;
            }
            self.last_hat = placement;
        }
        Ok(())
    }

    pub fn has_picture(&self) -> bool {
        self.after.width() > 0 && self.after.height() > 0
    }

    pub fn size(&self) -> (u32, u32) {
        (self.after.width(), self.after.height())
    }

    /// Draws the picture on `view`; `compare` is the divider's place (0..1) when
    /// comparing, with `before` on its left.
    pub fn paint(
        &self,
        view: &HtmlCanvasElement,
        look: Look,
        compare: Option<(f64, &Before)>,
    ) -> Result<(), JsValue> {
        let (w, h) = (self.after.width(), self.after.height());
        if w == 0 || h == 0 {
            return Ok(());
        }
        if view.width() != w || view.height() != h {
            view.set_width(w);
            view.set_height(h);
        }
        let (wf, hf) = (f64::from(w), f64::from(h));
        let ctx = context_2d(view)?;
        ctx.set_filter(look.filter());
        ctx.draw_image_with_html_canvas_element(&self.after, 0.0, 0.0)?;
        if let Some((at, before)) = compare {
            let x = (at.clamp(0.0, 1.0) * wf).round();
            ctx.save();
            ctx.begin_path();
            ctx.rect(0.0, 0.0, x, hf);
            ctx.clip();
            match before {
                Before::Video(v) => {
                    ctx.draw_image_with_html_video_element_and_dw_and_dh(v, 0.0, 0.0, wf, hf)?
                }
                Before::Frame(c) => {
                    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(c, 0.0, 0.0, wf, hf)?
                }
                Before::Photo(b) => {
                    ctx.draw_image_with_image_bitmap_and_dw_and_dh(b, 0.0, 0.0, wf, hf)?
                }
            }
            ctx.restore();
            ctx.set_filter("none");
            ctx.set_fill_style_str("rgba(255,255,255,0.95)");
            ctx.fill_rect(x - 1.5, 0.0, 3.0, hf);
        }
        ctx.set_filter("none");
        Ok(())
    }
}
