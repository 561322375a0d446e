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
use web_sys::{ImageBitmap, OffscreenCanvasRenderingContext2d};

#[wasm_bindgen]
extern "C" {
    /// What the two kinds share; `VideoFrame` is not in web-sys's stable API.
    type Drawable;
    #[wasm_bindgen(method, catch)]
    fn close(this: &Drawable) -> Result<(), JsValue>;

    /// A 2D context seen only for `drawImage` of any source, scaled: web-sys's
    /// typed overloads have no `VideoFrame`.
    type AnySourceContext;
    #[wasm_bindgen(method, catch, js_name = drawImage)]
    fn draw_scaled(
        this: &AnySourceContext,
        image: &JsValue,
        dx: f64,
        dy: f64,
        dw: f64,
        dh: f64,
    ) -> Result<(), JsValue>;
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

    /// Draws it at the top left of `ctx`, scaled to `width × height`.
    pub fn draw_on(
        &self,
        ctx: &OffscreenCanvasRenderingContext2d,
        width: u32,
        height: u32,
    ) -> Result<(), JsValue> {
        ctx.unchecked_ref::<AnySourceContext>().draw_scaled(
            &self.0,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
    }

    /// A second handle on the same pixels, when it is a `VideoFrame` (a bitmap
    /// has no such thing: copy it instead).
    pub fn try_clone(&self) -> Option<Self> {
        let clone = js_sys::Reflect::get(&self.0, &"clone".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        clone.call0(&self.0).ok().and_then(Self::from_js)
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
