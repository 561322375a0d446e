//! Between the browser's pictures and the renderer's pixels: a shot's JPEG
//! decoded to RGBA, and a rendered picture painted on a canvas or encoded to a file.

use huddle_vision::Rgba8Image;
use wasm_bindgen::{Clamped, JsValue};
use web_sys::{Blob, HtmlCanvasElement, ImageData};

use crate::live::dom::{context_2d, create};
use crate::live::image_codec::{canvas_blob, decode_jpeg};

/// The JPEG's pixels; `None` when the bytes are not a picture.
pub async fn decode_to_rgba(jpeg: &[u8]) -> Option<Rgba8Image> {
    let bitmap = decode_jpeg(jpeg).await?;
    let (w, h) = (bitmap.width(), bitmap.height());
    let canvas: HtmlCanvasElement = create("canvas").ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = context_2d(&canvas).ok()?;
    let drawn = ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0);
    bitmap.close();
    drawn.ok()?;
    let data = ctx
        .get_image_data(0.0, 0.0, w.into(), h.into())
        .ok()?
        .data();
    Rgba8Image::new(w, h, data.0).ok()
}

/// Paints `img` on `canvas`, resizing the canvas to it.
pub fn paint(canvas: &HtmlCanvasElement, img: &Rgba8Image) -> Result<(), JsValue> {
    if canvas.width() != img.width || canvas.height() != img.height {
        canvas.set_width(img.width);
        canvas.set_height(img.height);
    }
    let data =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&img.data), img.width, img.height)?;
    context_2d(canvas)?.put_image_data(&data, 0.0, 0.0)
}

/// `img` encoded as `mime` (PNG, or JPEG at `quality`).
pub async fn encode(img: &Rgba8Image, mime: &str, quality: Option<f64>) -> Option<Blob> {
    let canvas: HtmlCanvasElement = create("canvas").ok()?;
    paint(&canvas, img).ok()?;
    canvas_blob(&canvas, mime, quality).await
}
