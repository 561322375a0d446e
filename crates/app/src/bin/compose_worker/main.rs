//! The compose worker: a dedicated Web Worker that paints the room's group
//! picture from every member's packed cut-out, so the UI thread only shows it.
//! Trunk builds it as its own wasm (`data-type="worker"`), without the models:
//! it paints, it does not infer.
//!
//! Protocol: `huddle_app::compose::messages`. Frames are painted one at a time,
//! synchronously inside the message handler; the UI client sends a frame only
//! when the previous one has come back, so no queue builds up here. Pictures are
//! also encoded to files here (`encode`), off the UI thread.

mod canvas;
mod effects;
mod encode;
mod error;
mod painter;
mod reply;

use std::cell::RefCell;

use huddle_app::compose::messages::{FromCompose, ToCompose};
use huddle_app::compose::picture::Picture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

use crate::painter::Painter;

thread_local! {
    static PAINTER: RefCell<Painter> = RefCell::new(Painter::default());
}

fn main() {
    console_error_panic_hook::set_once();
    if !huddle_app::worker_scope::listen(on_message) {
        return;
    }
    reply::post(&FromCompose::Started, None);
}

fn field(data: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(data, &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The message's pictures (bitmaps or video frames), by index; anything that is
/// not an object is `None`.
fn bitmaps(data: &JsValue) -> Vec<Option<Picture>> {
    field(data, "bitmaps")
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
        .map(|list| list.iter().map(Picture::from_js).collect())
        .unwrap_or_default()
}

fn on_message(event: MessageEvent) {
    let data = event.data();
    let meta = field(&data, "meta")
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let msg: ToCompose = match serde_json::from_str(&meta) {
        Ok(msg) => msg,
        Err(e) => {
            // Without an id there is no frame to fail; close what came with it.
            for b in bitmaps(&data).into_iter().flatten() {
                b.close();
            }
            web_sys::console::warn_1(&format!("compose worker: bad message: {e}").into());
            return;
        }
    };
    match msg {
        ToCompose::Frame(req) => {
            let bitmaps = bitmaps(&data);
            let outcome = PAINTER.with(|p| p.borrow_mut().frame(&req, &bitmaps));
            match outcome {
                Ok(painted) => reply::post(
                    &FromCompose::Frame {
                        id: req.id,
                        members: painted.members,
                        timings: painted.timings,
                    },
                    Some(painted.bitmap),
                ),
                Err(e) => reply::post(
                    &FromCompose::Failed {
                        id: req.id,
                        message: e.to_string(),
                    },
                    None,
                ),
            }
        }
        ToCompose::CustomBackground { width, height } => {
            let pixels = field(&data, "pixels")
                .and_then(|v| v.dyn_into::<js_sys::Uint8ClampedArray>().ok())
                .map(|a| a.to_vec())
                .unwrap_or_default();
            let set = PAINTER.with(|p| p.borrow_mut().set_custom_background(width, height, pixels));
            if let Err(e) = set {
                // Not tied to a frame: the picture keeps its preset background.
                web_sys::console::warn_1(&format!("compose worker: {e}").into());
            }
        }
        ToCompose::Prepare {
            width,
            height,
            scene,
        } => {
            let prepared = PAINTER.with(|p| p.borrow_mut().prepare(width, height, &scene));
            if let Err(e) = prepared {
                // The frame that needs it renders it then.
                web_sys::console::warn_1(&format!("compose worker: {e}").into());
            }
        }
        ToCompose::Encode { id, files } => {
            let mut pictures = bitmaps(&data).into_iter();
            let first = pictures
                .next()
                .flatten()
                .and_then(|p| p.into_bitmap().map_err(|other| other.close()).ok());
            pictures.flatten().for_each(|p| p.close());
            encode::encode(id, first, files);
        }
    }
}
