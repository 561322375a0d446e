//! The vision worker: a dedicated Web Worker that owns the models and runs every
//! inference, so the UI thread never does. Trunk builds it as its own wasm
//! (`data-type="worker"`) that the UI loads only when a page needs vision.
//!
//! Protocol: `huddle_app::vision::messages`. Frames are processed one at a time,
//! synchronously inside the message handler; the UI client keeps at most one
//! frame in flight and replaces the waiting one, so no queue builds up here.

mod bench;
mod models;
mod pipeline;
mod reply;

use std::cell::RefCell;

use huddle_app::compose::picture::Picture;
use huddle_app::vision::messages::{FromWorker, ToWorker};
use web_sys::MessageEvent;

use crate::pipeline::Pipeline;

thread_local! {
    static PIPELINE: RefCell<Pipeline> = RefCell::new(Pipeline::default());
}

fn main() {
    console_error_panic_hook::set_once();
    // The benchmark page imports this module in a window to reach `bench`; only a
    // worker listens for frames.
    if !huddle_app::worker_scope::listen(on_message) {
        return;
    }
    reply::post(&FromWorker::Started, None, None);
}

fn on_message(event: MessageEvent) {
    let data = event.data();
    let meta = js_sys::Reflect::get(&data, &"meta".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let msg: ToWorker = match serde_json::from_str(&meta) {
        Ok(msg) => msg,
        Err(e) => {
            web_sys::console::warn_1(&format!("vision worker: bad message: {e}").into());
            return;
        }
    };
    match msg {
        ToWorker::Load { base, models } => {
            wasm_bindgen_futures::spawn_local(async move {
                match models::load(&base, models).await {
                    Ok((loaded, report)) => {
                        PIPELINE.with(|p| p.borrow_mut().install(loaded));
                        reply::post(&FromWorker::Ready { models: report }, None, None);
                    }
                    Err(e) => reply::post(
                        &FromWorker::LoadFailed {
                            message: e.to_string(),
                        },
                        None,
                        None,
                    ),
                }
            });
        }
        ToWorker::Frame(req) => {
            let bitmap = js_sys::Reflect::get(&data, &"bitmap".into())
                .ok()
                .and_then(Picture::from_js);
            let Some(bitmap) = bitmap else {
                let message = "The frame had no picture.".to_string();
                reply::post(
                    &FromWorker::FrameFailed {
                        id: req.id,
                        message,
                    },
                    None,
                    None,
                );
                return;
            };
            let outcome = PIPELINE.with(|p| p.borrow_mut().process(&req, &bitmap));
            bitmap.close();
            match outcome {
                Ok(out) => reply::post(&FromWorker::Frame(out.result), out.image, out.landmarks),
                Err(e) => reply::post(
                    &FromWorker::FrameFailed {
                        id: req.id,
                        message: e.to_string(),
                    },
                    None,
                    None,
                ),
            }
        }
    }
}
