//! Posting to the UI thread, the picture transferred, not copied.

use huddle_app::compose::messages::FromCompose;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, ImageBitmap};

pub fn post(msg: &FromCompose, bitmap: Option<ImageBitmap>) {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let obj = js_sys::Object::new();
    let transfer = js_sys::Array::new();
    // Serialising these plain types cannot fail (no maps with non-string keys).
    let meta = serde_json::to_string(msg).unwrap_or_default();
    let _ = js_sys::Reflect::set(&obj, &"meta".into(), &meta.into());
    if let Some(bitmap) = &bitmap {
        let _ = js_sys::Reflect::set(&obj, &"bitmap".into(), bitmap);
        transfer.push(bitmap);
    }
    if let Err(e) = scope.post_message_with_transfer(&obj, &transfer) {
        web_sys::console::error_2(&"compose worker: post failed".into(), &e);
        if let Some(bitmap) = bitmap {
            bitmap.close();
        }
    }
}

/// Milliseconds from the worker's clock.
pub fn now() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|s| s.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}
