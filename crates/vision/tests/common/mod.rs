//! Shared helpers for the integration tests: fixture paths, image loading and the
//! comparison metrics (mask IoU, landmark error, lip-region IoU).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use huddle_vision::Rgba8Image;
use serde_json::Value;

pub fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Committed public-domain fixture.
pub fn data(name: &str) -> PathBuf {
    manifest().join("tests/data").join(name)
}

/// Photo from the shared media folder (not committable); `None` with a note when
/// the folder is absent (e.g. in CI without `../shared`).
pub fn shared_media(name: &str) -> Option<PathBuf> {
    let p = manifest().join("../../../shared/media").join(name);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} not found (../shared is absent); skipping this check",
            p.display()
        );
        None
    }
}

/// The committed portrait with faces and its reference landmarks, by name.
pub const PORTRAIT: &str = "portrait_man_upper_body_suit";

/// The shared photos with faces (`../shared/media/<name>.jpg` and `.landmarks.json`), used
/// when present.
pub const SHARED_FACE_PHOTOS: [&str; 5] = [
    "face_woman_surprised_mouth_open",
    "face_man_smiling_outdoor",
    "webcam_man_indoor_frame",
    "webcam_woman_laughing_frame",
    "group_five_people_outdoor",
];

pub fn model(name: &str) -> Vec<u8> {
    let p = manifest().join("../../public/models").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read model {}: {e}", p.display()))
}

pub fn load_rgba(path: &Path) -> Rgba8Image {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgba8();
    let (w, h) = img.dimensions();
    Rgba8Image::new(w, h, img.into_raw()).expect("valid image")
}

pub fn load_gray(path: &Path) -> (u32, u32, Vec<u8>) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_luma8();
    let (w, h) = img.dimensions();
    (w, h, img.into_raw())
}

pub fn load_rgb(path: &Path) -> Vec<u8> {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
        .into_raw()
}

pub fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("parse json")
}

/// IoU of two 8-bit masks thresholded at 0.5 (value ≥ 128).
pub fn mask_iou(a: &[u8], b: &[u8]) -> f32 {
    assert_eq!(a.len(), b.len());
    let (mut inter, mut union) = (0usize, 0usize);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x >= 128, y >= 128);
        inter += (x && y) as usize;
        union += (x || y) as usize;
    }
    if union == 0 {
        1.0
    } else {
        inter as f32 / union as f32
    }
}

/// `[[x,y,z], ...]` from JSON, optionally scaling normalised coordinates to pixels.
pub fn points(v: &Value, sx: f32, sy: f32) -> Vec<[f32; 3]> {
    v.as_array()
        .expect("array of points")
        .iter()
        .map(|p| {
            let p = p.as_array().expect("point");
            let f = |i: usize| p.get(i).and_then(Value::as_f64).unwrap_or(0.0) as f32;
            [f(0) * sx, f(1) * sy, f(2) * sx]
        })
        .collect()
}

/// Distance between the eye centres (mean of each eye's corners), in pixels.
pub fn inter_ocular(lm: &[[f32; 3]]) -> f32 {
    let c = |a: usize, b: usize| [(lm[a][0] + lm[b][0]) / 2.0, (lm[a][1] + lm[b][1]) / 2.0];
    let (l, r) = (c(33, 133), c(362, 263));
    ((l[0] - r[0]).powi(2) + (l[1] - r[1]).powi(2)).sqrt()
}

/// Mean 2-D error over the first `n` points, in pixels.
pub fn mean_error(a: &[[f32; 3]], b: &[[f32; 3]], n: usize) -> f32 {
    a.iter()
        .zip(b)
        .take(n)
        .map(|(p, q)| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt())
        .sum::<f32>()
        / n as f32
}

/// Point-in-polygon by even-odd rule (independent of the library's scanline fills).
pub fn inside(poly: &[[f32; 2]], x: f32, y: f32) -> bool {
    let mut c = false;
    let n = poly.len();
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + n - 1) % n]);
        if (a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0] {
            c = !c;
        }
    }
    c
}

/// IoU of the lip region (inside the outer contour, outside the inner one) of two
/// faces, rasterised on a 0.25-px grid over the lips' bounding box.
pub fn lip_region_iou(
    outer_a: &[[f32; 2]],
    inner_a: &[[f32; 2]],
    outer_b: &[[f32; 2]],
    inner_b: &[[f32; 2]],
) -> f32 {
    let all = outer_a.iter().chain(outer_b);
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in all {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    let step = 0.25;
    let (mut inter, mut union) = (0usize, 0usize);
    let mut y = y0;
    while y <= y1 {
        let mut x = x0;
        while x <= x1 {
            let a = inside(outer_a, x, y) && !inside(inner_a, x, y);
            let b = inside(outer_b, x, y) && !inside(inner_b, x, y);
            inter += (a && b) as usize;
            union += (a || b) as usize;
            x += step;
        }
        y += step;
    }
    if union == 0 {
        1.0
    } else {
        inter as f32 / union as f32
    }
}

pub fn contour(lm: &[[f32; 3]], idx: &[usize]) -> Vec<[f32; 2]> {
    idx.iter().map(|&i| [lm[i][0], lm[i][1]]).collect()
}

/// The bundled fonts (public/fonts), for text rendering tests.
pub fn bundled_fonts() -> huddle_vision::edit::Fonts {
    let dir = manifest().join("../../public/fonts");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("bundled font");
    huddle_vision::edit::Fonts::from_bytes(
        read("DejaVuSans-Bold.ttf"),
        read("DejaVuSerif-Bold.ttf"),
        read("DejaVuSansMono-Bold.ttf"),
    )
    .expect("fonts parse")
}
