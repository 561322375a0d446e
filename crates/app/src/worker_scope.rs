//! What both worker binaries (vision, compose) do with their global scope:
//! listen for the UI's messages, post back with buffers transferred, read the clock.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Sends every message to `on_message`. False outside a dedicated worker (e.g. a
/// benchmark page importing the worker's module in a window).
pub fn listen(on_message: fn(MessageEvent)) -> bool {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return false;
    };
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The worker lives as long as its handler.
    handler.forget();
    true
}

/// Posts `{ meta, ...fields }` to the UI with `transfer` moved, not copied.
pub fn post(
    meta: String,
    fields: &[(&str, &JsValue)],
    transfer: &js_sys::Array,
) -> Result<(), JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global()
        .dyn_into()
        .map_err(|_| JsValue::from_str("not in a dedicated worker"))?;
    let obj = js_sys::Object::new();
    js_sys::Reflect::set(&obj, &"meta".into(), &meta.into())?;
    for (name, value) in fields {
        js_sys::Reflect::set(&obj, &(*name).into(), value)?;
    }
    scope.post_message_with_transfer(&obj, transfer)
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
