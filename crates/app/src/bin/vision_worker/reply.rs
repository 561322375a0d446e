//! Posting to the UI thread with pixel buffers transferred, not copied.

use huddle_app::vision::messages::{encode, FromWorker};
pub use huddle_app::worker_scope::now;
use huddle_app::worker_scope::post as post_to_ui;

pub fn post(
    msg: &FromWorker,
    image: Option<js_sys::Uint8ClampedArray>,
    landmarks: Option<js_sys::Float32Array>,
) {
    let transfer = js_sys::Array::new();
    let mut fields = Vec::new();
    if let Some(image) = &image {
        transfer.push(&image.buffer());
        fields.push(("image", image.as_ref()));
    }
    if let Some(landmarks) = &landmarks {
        transfer.push(&landmarks.buffer());
        fields.push(("landmarks", landmarks.as_ref()));
    }
    if let Err(e) = post_to_ui(encode(msg), &fields, &transfer) {
        web_sys::console::error_2(&"vision worker: post failed".into(), &e);
    }
}
