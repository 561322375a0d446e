//! Why a frame could not be painted (sent to the UI as `Failed`).

use huddle_vision::scene::SceneError;
use wasm_bindgen::{JsCast, JsValue};

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("Could not read a member's picture: {0}")]
    Read(String),
    #[error("Could not hand over the picture: {0}")]
    Write(String),
    #[error(transparent)]
    Scene(#[from] SceneError),
}

/// A JavaScript exception as a sentence.
pub fn js_text(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
