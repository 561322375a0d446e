//! A photo standing in for a camera: painted on a canvas whose stream looks like
//! a (very still) camera, so a member without one is cut out and sent like anyone.

use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap, MediaStream};

use super::dom::{context_2d, create};
use crate::camera::stop_stream;

/// The stand-in's longest side, like a camera's.
const MAX_SIDE: u32 = 1280;
/// Frames a second: the picture never changes, but the cut-out pipeline and the
/// video encoder want frames to keep flowing.
const FPS: u32 = 10;

/// Lives as long as the photo stands in.
pub struct PhotoCamera {
    stream: MediaStream,
    _bitmap: ImageBitmap,
    _repaint: Interval,
}

impl PhotoCamera {
    /// Decodes `file` and starts its stream; the error is a sentence for the person.
    pub async fn from_file(file: &Blob) -> Result<Self, String> {
        const NOT_A_PICTURE: &str =
            "That file is not a picture this browser can open. Try a JPEG or PNG.";
        let window = web_sys::window().ok_or("No window.")?;
        let promise = window
            .create_image_bitmap_with_blob(file)
            .map_err(|_| NOT_A_PICTURE)?;
        let bitmap: ImageBitmap = JsFuture::from(promise)
            .await
            .map_err(|_| NOT_A_PICTURE)?
            .unchecked_into();
        let (w, h) = fit(bitmap.width(), bitmap.height());
        let canvas: HtmlCanvasElement = create("canvas").map_err(|_| "No canvas.")?;
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx = context_2d(&canvas).map_err(|_| "No canvas.")?;
        paint(&ctx, &bitmap, w, h);
        let stream = canvas
            .capture_stream_with_frame_request_rate(f64::from(FPS))
            .map_err(|_| "This browser cannot use a photo as a camera.")?;
        let (b, c) = (bitmap.clone(), ctx.clone());
        let repaint = Interval::new(1000 / FPS, move || paint(&c, &b, w, h));
        Ok(Self {
            stream,
            _bitmap: bitmap,
            _repaint: repaint,
        })
    }

    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }
}

impl Drop for PhotoCamera {
    fn drop(&mut self) {
        stop_stream(&self.stream);
        self._bitmap.close();
    }
}

fn paint(ctx: &CanvasRenderingContext2d, bitmap: &ImageBitmap, w: u32, h: u32) {
    let _ = ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w.into(), h.into());
}

/// The photo's size scaled down (never up) to at most [`MAX_SIDE`], even sides
/// (video encoders want them).
fn fit(w: u32, h: u32) -> (u32, u32) {
    let (w, h) = (w.max(1), h.max(1));
    let scale = (MAX_SIDE as f32 / w.max(h) as f32).min(1.0);
    let even = |v: u32| ((v as f32 * scale).round() as u32 / 2 * 2).max(2);
    (even(w), even(h))
}

#[cfg(test)]
mod tests {
    use super::fit;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn fits_within_the_longest_side_with_even_sizes() {
        assert_eq!(fit(2560, 1440), (1280, 720));
        assert_eq!(fit(1000, 3000), (426, 1280));
        assert_eq!(fit(641, 481), (640, 480));
        assert_eq!(fit(0, 0), (2, 2));
    }
}
