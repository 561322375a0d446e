//! Pictures to files in the worker: the bitmap is drawn on its own canvas and
//! every file asked for is started at once (`convertToBlob` takes its snapshot
//! when called), then the reply waits for all of them.

use futures::future::try_join_all;
use huddle_app::compose::messages::{FileType, FromCompose};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    ImageBitmap, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d,
};

use crate::reply;
use huddle_app::js_text::js_text;

/// Encodes `bitmap` (closed here) as `files` and replies `Encoded` or `EncodeFailed`.
pub fn encode(id: u64, bitmap: Option<ImageBitmap>, files: Vec<FileType>) {
    let started = bitmap
        .ok_or_else(|| "no picture came with the request".to_owned())
        .and_then(|bitmap| {
            let promises = start(&bitmap, &files).map_err(js_text);
            bitmap.close();
            promises
        });
    let promises = match started {
        Ok(p) => p,
        Err(message) => return reply::post(&FromCompose::EncodeFailed { id, message }, None),
    };
    spawn_local(async move {
        match try_join_all(promises.into_iter().map(JsFuture::from)).await {
            Ok(blobs) => {
                let list: js_sys::Array = blobs.iter().collect();
                reply::post_with(&FromCompose::Encoded { id }, &[("blobs", list.as_ref())]);
            }
            Err(e) => reply::post(
                &FromCompose::EncodeFailed {
                    id,
                    message: js_text(e),
                },
                None,
            ),
        }
    });
}

fn start(bitmap: &ImageBitmap, files: &[FileType]) -> Result<Vec<js_sys::Promise>, JsValue> {
    let (w, h) = (bitmap.width(), bitmap.height());
    if w == 0 || h == 0 {
        return Err(JsValue::from_str("the picture is empty"));
    }
    let canvas = OffscreenCanvas::new(w, h)?;
    let ctx: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2D canvas in this worker"))?
        .unchecked_into();
    ctx.draw_image_with_image_bitmap(bitmap, 0.0, 0.0)?;
    files
        .iter()
        .map(|f| {
            let options = ImageEncodeOptions::new();
            options.set_type(&f.mime);
            if let Some(q) = f.quality {
                options.set_quality(q);
            }
            canvas.convert_to_blob_with_options(&options)
        })
        .collect()
}
