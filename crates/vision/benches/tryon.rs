//! Per-frame cost of the lipstick try-on (crates/vision/src/tryon) at webcam size,
//! single thread: the committed portrait scaled to 640×480 with its reference
//! landmarks scaled the same way.
//! Run: `CARGO_TARGET_DIR=/tmp/target-vision cargo bench -p huddle-vision --bench tryon`
//! (`BENCH_RUNS=N` changes the number of timed runs, default 200 after 3 warm-ups).

mod common;

use std::path::Path;

use huddle_vision::tryon::{apply_lipstick, default_feather, lip_mask, Finish, SHADES};
use huddle_vision::Rgba8Image;

fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let img = image::open(dir.join("portrait_man_upper_body_suit.jpg"))
        .expect("portrait")
        .to_rgba8();
    let (w0, h0) = img.dimensions();
    let (w, h) = (640u32, 480u32);
    let small = image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
    let frame = Rgba8Image::new(w, h, small.into_raw()).expect("frame");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("portrait_man_upper_body_suit.landmarks.json"))
            .expect("landmarks"),
    )
    .expect("json");
    let (sx, sy) = (w as f32 / w0 as f32, h as f32 / h0 as f32);
    let landmarks: Vec<[f32; 2]> = json["faces"][0]["landmarks_478"]
        .as_array()
        .expect("landmarks_478")
        .iter()
        .map(|p| {
            let c = |i: usize| p[i].as_f64().unwrap_or(f64::NAN) as f32;
            [c(0) * sx, c(1) * sy]
        })
        .collect();
    let feather = default_feather(&landmarks);

    println!("lipstick try-on, {w}x{h}, feather {feather:.2} px:");
    common::time("lip_mask", 3, runs(), || {
        std::hint::black_box(lip_mask(&landmarks, w, h, feather));
    });
    let mask = lip_mask(&landmarks, w, h, feather);
    for finish in [Finish::Matte, Finish::Gloss] {
        let mut out = frame.clone();
        common::time(&format!("apply_lipstick ({finish:?})"), 3, runs(), || {
            out.data.copy_from_slice(&frame.data);
            apply_lipstick(&mut out, &mask, SHADES[0].rgb, finish, 1.0).expect("apply");
        });
        let mut out = frame.clone();
        common::time(
            &format!("lip_mask + apply_lipstick ({finish:?})"),
            3,
            runs(),
            || {
                out.data.copy_from_slice(&frame.data);
                let m = lip_mask(&landmarks, w, h, feather);
                apply_lipstick(&mut out, &m, SHADES[0].rgb, finish, 1.0).expect("apply");
            },
        );
    }
}
