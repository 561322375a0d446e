//! Pictures to and from bytes in the browser: a canvas encoded as JPEG or PNG,
//! and JPEG bytes decoded to a bitmap. Shared by the shots and the room's
//! background photo, which both travel as JPEG.

use std::cell::RefCell;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlCanvasElement, ImageBitmap};

/// The canvas encoded as `mime`, with `quality` (0..1) for lossy formats.
pub async fn canvas_blob(
    canvas: &HtmlCanvasElement,
    mime: &str,
    quality: Option<f64>,
) -> Option<Blob> {
    let (tx, rx) = oneshot::channel::<Option<Blob>>();
    let tx = RefCell::new(Some(tx));
    let done = Closure::once(move |blob: JsValue| {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(blob.dyn_into::<Blob>().ok());
        }
    });
    match quality {
        Some(q) => canvas.to_blob_with_type_and_encoder_options(
            done.as_ref().unchecked_ref(),
            mime,
            &JsValue::from_f64(q),
        ),
        None => canvas.to_blob_with_type(done.as_ref().unchecked_ref(), mime),
    }
    .ok()?;
    let blob = rx.await.ok()?;
    drop(done);
    blob
}

/// The canvas as JPEG bytes.
pub async fn canvas_jpeg(canvas: &HtmlCanvasElement, quality: f64) -> Option<Vec<u8>> {
    let blob = canvas_blob(canvas, "image/jpeg", Some(quality)).await?;
    blob_bytes(&blob).await
}

/// A blob's bytes.
pub async fn blob_bytes(blob: &Blob) -> Option<Vec<u8>> {
    let buffer = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Any picture file the browser can open, as a bitmap.
pub async fn decode_blob(blob: &Blob) -> Option<ImageBitmap> {
    let promise = web_sys::window()?
        .create_image_bitmap_with_blob(blob)
        .ok()?;
    JsFuture::from(promise)
        .await
        .ok()
        .map(JsCast::unchecked_into)
}

/// JPEG bytes as a bitmap; `None` when they are not a picture.
pub async fn decode_jpeg(bytes: &[u8]) -> Option<ImageBitmap> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type("image/jpeg");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    decode_blob(&blob).await
}
