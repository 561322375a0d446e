//! A JavaScript exception as a sentence, for the messages people and logs see.

use wasm_bindgen::{JsCast, JsValue};

/// The error's message, the thrown string, or failing both the value's debug form.
pub fn js_text(e: impl AsRef<JsValue>) -> String {
    let e = e.as_ref();
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
