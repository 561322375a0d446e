//! Posting to the UI thread with pixel buffers transferred, not copied.

use huddle_app::vision::messages::{encode, FromWorker};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::DedicatedWorkerGlobalScope;

pub fn post(
    msg: &FromWorker,
    image: Option<js_sys::Uint8ClampedArray>,
    landmarks: Option<js_sys::Float32Array>,
) {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let obj = js_sys::Object::new();
    let transfer = js_sys::Array::new();
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&obj, &k.into(), v);
    };
    set("meta", &encode(msg).into());
    if let Some(image) = image {
        transfer.push(&image.buffer());
        set("image", &image);
    }
    if let Some(landmarks) = landmarks {
        transfer.push(&landmarks.buffer());
        set("landmarks", &landmarks);
    }
    if let Err(e) = scope.post_message_with_transfer(&obj, &transfer) {
        web_sys::console::error_2(&"vision worker: post failed".into(), &e);
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
