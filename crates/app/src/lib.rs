//! The Huddle browser app: Leptos pages over a signalling session and a WebRTC mesh.

mod app;
pub mod camera;
mod components;
pub mod compose;
pub mod edit;
pub mod invite_link;
pub mod js_text;
pub mod live;
mod pages;
pub mod rtc;
pub mod session;
pub mod signalling;
pub mod storage;
pub mod tryon;
pub mod vision;
pub mod webcodecs;
pub mod worker_scope;

pub use rtc::bench::{live_media_stats, measure_round_trips};

// Unit tests in this crate run in headless Chromium (wasm-bindgen-test-runner).
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app on `<body>` when the wasm module loads (the `mount` feature, used by trunk).
#[cfg(feature = "mount")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn on_load() {
    start();
}

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
