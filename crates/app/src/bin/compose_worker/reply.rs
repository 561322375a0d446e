//! Posting to the UI thread, the picture transferred, not copied.

use huddle_app::compose::messages::FromCompose;
pub use huddle_app::worker_scope::now;
use huddle_app::worker_scope::post as post_to_ui;
use wasm_bindgen::JsValue;
use web_sys::ImageBitmap;

/// `msg` with more fields that are copied (blobs are handles: copying them is cheap).
pub fn post_with(msg: &FromCompose, fields: &[(&str, &JsValue)]) {
    let meta = serde_json::to_string(msg).unwrap_or_default();
    if let Err(e) = post_to_ui(meta, fields, &js_sys::Array::new()) {
        web_sys::console::error_2(&"compose worker: post failed".into(), &e);
    }
}

pub fn post(msg: &FromCompose, bitmap: Option<ImageBitmap>) {
    let transfer = js_sys::Array::new();
    // Serialising these plain types cannot fail (no maps with non-string keys).
    let meta = serde_json::to_string(msg).unwrap_or_default();
    let mut fields = Vec::new();
    if let Some(bitmap) = &bitmap {
        fields.push(("bitmap", bitmap.as_ref()));
        transfer.push(bitmap);
    }
    if let Err(e) = post_to_ui(meta, &fields, &transfer) {
        web_sys::console::error_2(&"compose worker: post failed".into(), &e);
        if let Some(bitmap) = bitmap {
            bitmap.close();
        }
    }
}
