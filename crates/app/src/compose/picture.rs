//! A picture handed to the compose worker: an `ImageBitmap` (a shot's part, a
//! try-on frame) or a WebCodecs `VideoFrame` (a member's decoded live video, or a
//! snapshot of my packed canvas). Both are transferable, both hold memory until
//! closed, and a 2D canvas draws either, so the worker does not care which.
//!
//! Live video goes as `VideoFrame`s because turning each into a bitmap on the UI
//! thread (`createImageBitmap` of a playing `<video>`) was a quarter of a busy
//! page's main-thread time in a 4-member room (docs/benchmarks.md).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::ImageBitmap;

#[wasm_bindgen]
extern "C" {
    /// What the two kinds share; `VideoFrame` is not in web-sys's stable API.
    type Drawable;
    #[wasm_bindgen(method, catch)]
    fn close(this: &Drawable) -> Result<(), JsValue>;
}

#[derive(Clone, Debug)]
pub struct Picture(JsValue);

impl Picture {
    /// A `VideoFrame` (or anything else a 2D canvas draws and that has `close`).
    pub fn from_js(value: JsValue) -> Option<Self> {
        value.is_object().then_some(Self(value))
    }

    /// Its width and height in pixels as drawn (a video frame's display size).
    pub fn size(&self) -> (u32, u32) {
        let dim = |names: [&str; 2]| {
            names
                .iter()
                .filter_map(|n| js_sys::Reflect::get(&self.0, &(*n).into()).ok())
                .find_map(|v| v.as_f64())
                .map_or(0, |v| v.max(0.0) as u32)
        };
        (
            dim(["displayWidth", "width"]),
            dim(["displayHeight", "height"]),
        )
    }

    /// Frees its pixels; drawing it afterwards fails.
    pub fn close(&self) {
        let _ = self.0.unchecked_ref::<Drawable>().close();
    }

    pub fn as_js(&self) -> &JsValue {
        &self.0
    }

    /// The bitmap, when it is one (encoding takes bitmaps only).
    pub fn into_bitmap(self) -> Result<ImageBitmap, Self> {
        self.0.dyn_into::<ImageBitmap>().map_err(Self)
    }
}

impl From<ImageBitmap> for Picture {
    fn from(b: ImageBitmap) -> Self {
        Self(b.into())
    }
}

/// Closes every picture.
pub fn close_all(pictures: &[Picture]) {
    pictures.iter().for_each(Picture::close);
}
