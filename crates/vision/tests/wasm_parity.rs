//! Browser parity: the same pipelines, built for wasm32-unknown-unknown (+simd128)
//! and run in headless Chromium, must give the native results. Fixtures are
//! embedded because there is no file system in the browser.
//!
//! Run: `cargo test -p huddle-vision --no-default-features --target wasm32-unknown-unknown --test wasm_parity`
//! (needs `wasm-bindgen-test-runner` = the Cargo.lock wasm-bindgen version, and
//! chromedriver; `webdriver.json` in this crate sets Chromium's flags).
#![cfg(target_arch = "wasm32")]

use huddle_vision::{FaceTracker, FaceTrackerOptions, Rgba8Image, Segmenter, SegmenterOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const LANDSCAPE: &[u8] =
    include_bytes!("../../../public/models/selfie_segmentation_landscape.onnx");
const DETECTOR: &[u8] = include_bytes!("../../../public/models/face_detection_short_range.onnx");
const PLAIN: &[u8] = include_bytes!("../../../public/models/face_landmark.onnx");
const ASTRONAUT: &[u8] = include_bytes!("data/astronaut.png");
const MASK: &[u8] =
    include_bytes!("data/astronaut.mediapipe.selfie_segmentation_landscape.mask.png");
const PROBS: &[u8] =
    include_bytes!("data/astronaut.selfie_segmentation_landscape.segment_back.f32");
const MEDIAPIPE: &str = include_str!("data/astronaut.mediapipe.json");

fn astronaut() -> Rgba8Image {
    let img = image::load_from_memory(ASTRONAUT).expect("png").to_rgba8();
    let (w, h) = img.dimensions();
    Rgba8Image::new(w, h, img.into_raw()).expect("frame")
}

#[wasm_bindgen_test]
fn segmentation_matches_reference_in_browser() {
    let frame = astronaut();
    let mut seg = Segmenter::from_bytes(LANDSCAPE).expect("model loads in wasm");
    seg.set_options(SegmenterOptions {
        temporal_smoothing: 0.0,
        refine: None,
    });
    let out = seg.segment(&frame).expect("segment");
    // Model output vs onnxruntime's on the same input.
    let want: Vec<f32> = PROBS
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let max_diff = seg
        .probabilities()
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    // Mask vs MediaPipe's.
    let reference = image::load_from_memory(MASK)
        .expect("mask png")
        .to_luma8()
        .into_raw();
    let (mut inter, mut union) = (0usize, 0usize);
    for (&a, &b) in out.mask.data.iter().zip(&reference) {
        inter += (a >= 128 && b >= 128) as usize;
        union += (a >= 128 || b >= 128) as usize;
    }
    let iou = inter as f32 / union.max(1) as f32;
    web_sys_log(&format!(
        "wasm segmentation: max |p - onnxruntime| = {max_diff:.2e}, mask IoU {iou:.4}"
    ));
    assert!(max_diff < 1e-3, "{max_diff}");
    assert!(iou >= 0.99, "{iou}");
}

#[wasm_bindgen_test]
fn landmarks_match_reference_in_browser() {
    let frame = astronaut();
    let mut tracker = FaceTracker::from_bytes(DETECTOR, PLAIN).expect("models load in wasm");
    tracker.set_options(FaceTrackerOptions {
        tracking: false,
        ..Default::default()
    });
    let faces = tracker.process(&frame).expect("process");
    assert_eq!(faces.len(), 1);
    let doc: serde_json::Value = serde_json::from_str(MEDIAPIPE).expect("json");
    let reference: Vec<[f32; 2]> = doc["face_mesh"][0]
        .as_array()
        .expect("mesh")
        .iter()
        .map(|p| {
            [
                p[0].as_f64().unwrap_or(0.0) as f32 * 512.0,
                p[1].as_f64().unwrap_or(0.0) as f32 * 512.0,
            ]
        })
        .collect();
    let err = faces[0]
        .landmarks
        .iter()
        .zip(&reference)
        .map(|(a, b)| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt())
        .sum::<f32>()
        / 468.0;
    web_sys_log(&format!("wasm landmarks: mean error {err:.4} px"));
    assert!(err < 0.5, "{err}");
}

/// Prints through wasm-bindgen-test's console capture.
fn web_sys_log(msg: &str) {
    wasm_bindgen_test::console_log!("{}", msg);
}
