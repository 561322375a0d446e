//! Drawing a vision result on canvases: the returned picture, and the face points,
//! lips and person box on a transparent layer above it.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::client::FrameOutput;

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2D context"))?
        .dyn_into()
        .map_err(|_| JsValue::from_str("not a 2D context"))
}

fn fit(canvas: &HtmlCanvasElement, width: u32, height: u32) {
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
}

/// Puts the returned pixels on `canvas` (sized to the frame).
pub fn draw_picture(canvas: &HtmlCanvasElement, out: &FrameOutput) -> Result<(), JsValue> {
    let Some(pixels) = &out.image else {
        return Ok(());
    };
    let (w, h) = (out.result.width, out.result.height);
    fit(canvas, w, h);
    let data = ImageData::new_with_js_u8_clamped_array_and_sh(pixels, w, h)?;
    context(canvas)?.put_image_data(&data, 0.0, 0.0)
}

/// Draws the person box, every landmark and the lip contours.
pub fn draw_points(canvas: &HtmlCanvasElement, out: &FrameOutput) -> Result<(), JsValue> {
    let (w, h) = (out.result.width, out.result.height);
    fit(canvas, w, h);
    let ctx = context(canvas)?;
    ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
    // Sizes scale with the frame so points stay visible on large photos.
    let unit = (f64::from(w.max(h)) / 640.0).max(1.0);

    if let Some([x0, y0, x1, y1]) = out.result.person {
        ctx.set_stroke_style_str("rgba(255, 255, 255, 0.85)");
        ctx.set_line_width(2.0 * unit);
        let dash = js_sys::Array::of2(&(6.0 * unit).into(), &(4.0 * unit).into());
        ctx.set_line_dash(&dash)?;
        ctx.stroke_rect(
            f64::from(x0),
            f64::from(y0),
            f64::from(x1 - x0),
            f64::from(y1 - y0),
        );
        ctx.set_line_dash(&js_sys::Array::new())?;
    }

    ctx.set_fill_style_str("rgba(120, 255, 210, 0.9)");
    let r = 1.2 * unit;
    for p in out.landmarks.chunks_exact(3) {
        ctx.fill_rect(f64::from(p[0]) - r, f64::from(p[1]) - r, 2.0 * r, 2.0 * r);
    }

    ctx.set_stroke_style_str("rgba(255, 77, 109, 0.95)");
    ctx.set_line_width(1.5 * unit);
    for face in &out.result.faces {
        for contour in [&face.lips_outer, &face.lips_inner] {
            ctx.begin_path();
            for (i, [x, y]) in contour.iter().enumerate() {
                if i == 0 {
                    ctx.move_to(f64::from(*x), f64::from(*y));
                } else {
                    ctx.line_to(f64::from(*x), f64::from(*y));
                }
            }
            ctx.close_path();
            ctx.stroke();
        }
    }
    Ok(())
}
