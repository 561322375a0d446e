//! Per-inference timings on one 640×480 frame, single thread.
//! Run: `CARGO_TARGET_DIR=/tmp/target-vision cargo bench -p huddle-vision --bench inference`
//! (`BENCH_RUNS=N` changes the number of timed runs, default 30 after 5 warm-ups).

mod common;

use std::path::Path;
use std::time::Instant;

use huddle_vision::engine::{load_model, Model, TractModel, TractOptions};
use huddle_vision::face::roi::roi_from_detection;
use huddle_vision::{FaceDetector, FaceLandmarker, FaceTracker, Rgba8Image, Segmenter};

fn models_dir() -> &'static Path {
    Box::leak(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../public/models")
            .into_boxed_path(),
    )
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(models_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The portrait fixture stretched to 640×480, a typical webcam frame size.
fn frame() -> Rgba8Image {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/portrait_man_upper_body_suit.jpg");
    let img = image::open(p).expect("fixture").to_rgba8();
    let img = image::imageops::resize(&img, 640, 480, image::imageops::FilterType::Triangle);
    Rgba8Image::new(640, 480, img.into_raw()).expect("frame")
}

/// Median and min in ms over `runs` calls after 5 warm-ups.
fn time(label: &str, runs: usize, f: impl FnMut()) {
    common::time(label, 5, runs, f);
}

fn model_only(file: &str, runs: usize) {
    // Plain tract (no load-time rewrites), for comparison with the engine's default below.
    let t0 = Instant::now();
    let mut plain =
        TractModel::from_bytes_with(file, &read(file), TractOptions::plain()).expect("load");
    let load = t0.elapsed().as_secs_f64() * 1e3;
    let n: usize = plain.input_shape().iter().product();
    let (input, mut out) = (vec![0.5f32; n], Vec::new());
    time(
        &format!("model only, plain tract: {file} (load {load:.0} ms)"),
        runs,
        || plain.run(&input, &mut out).expect("run"),
    );
    drop(plain);
    let t0 = Instant::now();
    let mut m: Box<dyn Model> = load_model(file, &read(file)).expect("load");
    let load = t0.elapsed().as_secs_f64() * 1e3;
    let n: usize = m.input_shape().iter().product();
    let input = vec![0.5f32; n];
    let mut out = Vec::new();
    time(
        &format!("model only: {file} (load {load:.0} ms)"),
        runs,
        || m.run(&input, &mut out).expect("run"),
    );
}

/// The pure-Rust pre/post-processing on their own.
fn image_helpers(frame: &Rgba8Image, runs: usize) {
    use huddle_vision::imgproc::{color, guided, resize, warp};
    let (w, h) = (frame.width as usize, frame.height as usize);
    let roi = warp::RotatedRect {
        cx: w as f32 / 2.0,
        cy: h as f32 / 2.0,
        w: w as f32,
        h: h as f32,
        rotation: 0.0,
    };
    let mut rgb = Vec::new();
    time("helpers: warp 640x480 -> 256x256 RGB8", runs, || {
        warp::warp_roi_rgb8(
            &frame.data,
            w,
            h,
            &roi,
            256,
            256,
            warp::Border::Zero,
            &mut rgb,
        )
    });
    let rot = warp::RotatedRect {
        rotation: 0.3,
        w: 200.0,
        h: 200.0,
        ..roi
    };
    time("helpers: warp rotated crop -> 192x192 RGB8", runs, || {
        warp::warp_roi_rgb8(
            &frame.data,
            w,
            h,
            &rot,
            192,
            192,
            warp::Border::Replicate,
            &mut rgb,
        )
    });
    let small: Vec<f32> = (0..256 * 256).map(|i| (i % 256) as f32 / 255.0).collect();
    let (mut big, mut luma, mut bytes) = (Vec::new(), Vec::new(), Vec::new());
    let mut rs = resize::Resizer::default();
    time("helpers: bilinear 256x256 -> 640x480 f32", runs, || {
        rs.resize(&small, 256, 256, &mut big, w, h)
    });
    time("helpers: f32 -> u8 640x480", runs, || {
        resize::to_u8(&big, &mut bytes)
    });
    time("helpers: RGBA -> luma 640x480", runs, || {
        color::rgba_to_luma(&frame.data, &mut luma)
    });
    let mut gf = guided::FastGuidedFilter::default();
    time(
        "helpers: fast guided filter 256x256 -> 640x480",
        runs,
        || {
            gf.apply(
                &luma,
                w,
                h,
                &small,
                256,
                256,
                guided::GuidedParams::default(),
                &mut big,
            )
        },
    );
}

fn main() {
    // `cargo bench` passes `--bench`; ignore any arguments.
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let frame = frame();
    let view = frame.as_view().unwrap();
    println!("huddle-vision bench: 640x480 frame, {runs} runs, single thread");

    image_helpers(&frame, runs);
    for f in [
        "selfie_segmentation.onnx",
        "selfie_segmentation_landscape.onnx",
        "face_detection_short_range.onnx",
        "face_landmark.onnx",
        "face_landmark_with_attention.onnx",
    ] {
        model_only(f, runs);
    }

    for f in [
        "selfie_segmentation.onnx",
        "selfie_segmentation_landscape.onnx",
    ] {
        let mut seg = Segmenter::from_bytes(&read(f)).unwrap();
        let mut mask = Vec::new();
        time(
            &format!("pipeline: segment 640x480 ({f}, refined)"),
            runs,
            || {
                seg.segment_into(view, &mut mask).unwrap();
            },
        );
        let mut o = seg.options();
        o.refine = None;
        seg.set_options(o);
        time(
            &format!("pipeline: segment 640x480 ({f}, no refine)"),
            runs,
            || {
                seg.segment_into(view, &mut mask).unwrap();
            },
        );
    }

    let mut det = FaceDetector::from_bytes(&read("face_detection_short_range.onnx")).unwrap();
    time("pipeline: detect faces 640x480", runs, || {
        det.detect(view).unwrap();
    });
    let d = det.detect(view).unwrap();
    let roi = roi_from_detection(d.first().expect("a face"), 640, 480);
    for f in ["face_landmark.onnx", "face_landmark_with_attention.onnx"] {
        let mut lm = FaceLandmarker::from_bytes(&read(f)).unwrap();
        time(
            &format!("pipeline: landmarks on one face ({f})"),
            runs,
            || {
                lm.run(view, &roi).unwrap();
            },
        );
    }

    for (sf, lf) in [
        ("selfie_segmentation.onnx", "face_landmark.onnx"),
        ("selfie_segmentation_landscape.onnx", "face_landmark.onnx"),
        (
            "selfie_segmentation_landscape.onnx",
            "face_landmark_with_attention.onnx",
        ),
    ] {
        let mut seg = Segmenter::from_bytes(&read(sf)).unwrap();
        let mut tracker =
            FaceTracker::from_bytes(&read("face_detection_short_range.onnx"), &read(lf)).unwrap();
        let mut mask = Vec::new();
        // Tracking mode, as in a call: with max_faces 1 the detector is skipped
        // once the face is tracked; with the default (4) it runs every frame.
        let mut o = tracker.options();
        o.max_faces = 1;
        tracker.set_options(o);
        time(
            &format!("frame: segment + landmarks, 1 tracked face ({sf} + {lf})"),
            runs,
            || {
                seg.segment_into(view, &mut mask).unwrap();
                tracker.process_view(view).unwrap();
            },
        );
        o.max_faces = 4;
        tracker.set_options(o);
        time(
            &format!("frame: segment + detect + landmarks, max 4 ({sf} + {lf})"),
            runs,
            || {
                seg.segment_into(view, &mut mask).unwrap();
                tracker.process_view(view).unwrap();
            },
        );
    }
}
