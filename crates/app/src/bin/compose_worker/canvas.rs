//! Pixels in and out of the browser: the members' pictures read back through an
//! OffscreenCanvas, the painted picture put into another and taken out as a
//! bitmap. Both canvases are kept between frames.

use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{ImageBitmap, ImageData, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

use huddle_app::compose::picture::Picture;
use huddle_app::js_text::js_text;

use crate::error::ComposeError;

/// A 2D canvas of at least `w × h` (grown, never shrunk: resizing clears it and
/// costs an allocation, and only the top-left corner is used).
fn context(
    slot: &mut Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>,
    w: u32,
    h: u32,
    read_back: bool,
) -> Result<OffscreenCanvasRenderingContext2d, JsValue> {
    if let Some((canvas, ctx)) = slot {
        if canvas.width() < w || canvas.height() < h {
            canvas.set_width(canvas.width().max(w));
            canvas.set_height(canvas.height().max(h));
        }
        return Ok(ctx.clone());
    }
    let canvas = OffscreenCanvas::new(w, h)?;
    let opts = js_sys::Object::new();
    // Read-back every frame: keep the pixels in memory, not on the GPU.
    js_sys::Reflect::set(&opts, &"willReadFrequently".into(), &read_back.into())?;
    let ctx: OffscreenCanvasRenderingContext2d = canvas
        .get_context_with_context_options("2d", &opts)?
        .ok_or_else(|| JsValue::from_str("no 2D canvas in this worker"))?
        .unchecked_into();
    *slot = Some((canvas, ctx.clone()));
    Ok(ctx)
}

/// Reads members' bitmaps.
#[derive(Default)]
pub struct Reader {
    canvas: Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>,
}

impl Reader {
    /// The picture's RGBA pixels and size. The width is rounded down to even: a
    /// packed picture is two halves, and a video scaled on the way may be odd.
    pub fn read(&mut self, picture: &Picture) -> Result<(u32, u32, Vec<u8>), ComposeError> {
        let (w, h) = picture.size();
        let (w, h) = (w & !1, h);
        if w == 0 || h == 0 {
            return Err(ComposeError::Read("the picture is empty".into()));
        }
        let read = |e| ComposeError::Read(js_text(e));
        let ctx = context(&mut self.canvas, w, h, true).map_err(read)?;
        // `copy` replaces what a previous, larger picture left there.
        ctx.set_global_composite_operation("copy").map_err(read)?;
        picture.draw_on(&ctx, w, h).map_err(read)?;
        let data = ctx
            .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
            .map_err(read)?
            .data();
        Ok((w, h, data.0))
    }
}

/// Turns painted pixels into a bitmap for the UI.
#[derive(Default)]
pub struct Writer {
    canvas: Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>,
}

impl Writer {
    pub fn write(
        &mut self,
        width: u32,
        height: u32,
        rgba: &[u8],
    ) -> Result<ImageBitmap, ComposeError> {
        let write = |e| ComposeError::Write(js_text(e));
        // The output must be exactly the picture's size: the bitmap is the canvas.
        if self
            .canvas
            .as_ref()
            .is_some_and(|(c, _)| c.width() != width || c.height() != height)
        {
            self.canvas = None;
        }
        let ctx = context(&mut self.canvas, width, height, false).map_err(write)?;
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
            .map_err(write)?;
        ctx.put_image_data(&image, 0.0, 0.0).map_err(write)?;
        let (canvas, _) = self
            .canvas
            .as_ref()
            .ok_or_else(|| ComposeError::Write("no canvas".into()))?;
        canvas.transfer_to_image_bitmap().map_err(write)
    }
}
