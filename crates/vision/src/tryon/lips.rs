//! The lip region as a soft mask, from MediaPipe face-mesh landmarks.
//!
//! Lipstick goes on the ring between the outer and the inner lip contour, never
//! inside the mouth: an open mouth shows teeth and tongue, and colouring them is
//! the most visible way for a try-on to look fake. The polygon fill is
//! anti-aliased (exact horizontal coverage on a few sub-scanlines) because lip
//! outlines are small — at webcam sizes a lip is 10–20 px tall and a hard
//! stair-stepped edge shows. The feather then blurs the edge by about
//! `feather_px` so the colour fades into the skin like real make-up rather than
//! ending at a drawn line.
//!
//! Landmarks come from a model and may be missing or broken: fewer than 468 points
//! gives an empty mask, and non-finite points are skipped rather than trusted.
//! All work happens inside the lips' bounding box (plus the feather), because the
//! mask is rebuilt every frame while the lips cover well under 1 % of it.

use crate::face::topology::{LIPS_INNER, LIPS_OUTER, MESH_POINTS, MOUTH_LEFT, MOUTH_RIGHT};
use crate::image::Mask;
use crate::imgproc::box_filter::box_mean;

/// Sub-scanlines per pixel row for the anti-aliased fill (coverage is exact
/// along x, sampled along y).
const SUBROWS: usize = 4;

/// Soft coverage (0..=255) of the lips, outer contour minus inner contour, at
/// frame size. Landmarks are in pixels with pixel `(x, y)` covering
/// `[x, x+1) × [y, y+1)`; 468 or 478 points (only the mesh points are used).
/// `feather_px` is roughly the width of the soft edge (0 = anti-aliasing only;
/// [`default_feather`] scales it to the face).
pub fn lip_mask(landmarks: &[[f32; 2]], width: u32, height: u32, feather_px: f32) -> Mask {
    let (w, h) = (width as usize, height as usize);
    let mut mask = Mask {
        width,
        height,
        data: vec![0; w.saturating_mul(h)],
    };
    if landmarks.len() < MESH_POINTS || w == 0 || h == 0 {
        return mask;
    }
    let outer = contour(landmarks, &LIPS_OUTER);
    if outer.len() < 3 {
        return mask;
    }
    let inner = contour(landmarks, &LIPS_INNER);

    // Blur: two box passes of radius r, about `feather_px` wide in total.
    let feather = if feather_px.is_finite() {
        feather_px.clamp(0.0, 64.0)
    } else {
        0.0
    };
    let r = (feather * 0.5).round() as usize;
    let margin = 2 * r + 2;

    let (mut bx0, mut by0, mut bx1, mut by1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in &outer {
        bx0 = bx0.min(p[0]);
        by0 = by0.min(p[1]);
        bx1 = bx1.max(p[0]);
        by1 = by1.max(p[1]);
    }
    let clamp_to = |v: f32, hi: usize| v.floor().clamp(0.0, hi as f32) as usize;
    let x0 = clamp_to(bx0 - margin as f32, w);
    let y0 = clamp_to(by0 - margin as f32, h);
    let x1 = clamp_to(bx1 + margin as f32 + 1.0, w);
    let y1 = clamp_to(by1 + margin as f32 + 1.0, h);
    if x1 <= x0 || y1 <= y0 {
        return mask;
    }
    let (rw, rh) = (x1 - x0, y1 - y0);

    let mut cov_outer = vec![0.0f32; rw * rh];
    fill_even_odd(&outer, x0, y0, rw, rh, &mut cov_outer);
    let mut cov = cov_outer;
    if inner.len() >= 3 {
        let mut cov_inner = vec![0.0f32; rw * rh];
        fill_even_odd(&inner, x0, y0, rw, rh, &mut cov_inner);
        for (c, i) in cov.iter_mut().zip(&cov_inner) {
            *c = (*c - i).max(0.0);
        }
    }
    if r > 0 {
        let (mut tmp, mut a) = (Vec::new(), Vec::new());
        box_mean(&cov, rw, rh, r, &mut tmp, &mut a);
        box_mean(&a, rw, rh, r, &mut tmp, &mut cov);
    }
    for (row, src) in cov.chunks_exact(rw).enumerate() {
        let start = (y0 + row) * w + x0;
        for (d, &v) in mask.data[start..start + rw].iter_mut().zip(src) {
            *d = (v * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
        }
    }
    mask
}

/// A feather that looks the same at any face size: 2 % of the mouth's width
/// (corner to corner), at least half a pixel. A fixed pixel feather would eat
/// the thin lip corners of a small face and look hard on a close-up. Returns 0
/// when the mouth corners are missing or not finite.
pub fn default_feather(landmarks: &[[f32; 2]]) -> f32 {
    let (Some(a), Some(b)) = (landmarks.get(MOUTH_LEFT), landmarks.get(MOUTH_RIGHT)) else {
        return 0.0;
    };
    let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    if d.is_finite() {
        (0.02 * d).clamp(0.5, 16.0)
    } else {
        0.0
    }
}

/// The contour's points, skipping any that are not finite.
fn contour(landmarks: &[[f32; 2]], idx: &[usize]) -> Vec<[f32; 2]> {
    idx.iter()
        .filter_map(|&i| landmarks.get(i))
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .copied()
        .collect()
}

/// Adds the even-odd coverage (0..1) of `poly` to `out`, a `rw × rh` region whose
/// top-left pixel is `(x0, y0)`.
fn fill_even_odd(poly: &[[f32; 2]], x0: usize, y0: usize, rw: usize, rh: usize, out: &mut [f32]) {
    let n = poly.len();
    let weight = 1.0 / SUBROWS as f32;
    let mut xs: Vec<f32> = Vec::with_capacity(n);
    let (left, right) = (x0 as f32, (x0 + rw) as f32);
    for row in 0..rh {
        let line = &mut out[row * rw..(row + 1) * rw];
        for s in 0..SUBROWS {
            let sy = (y0 + row) as f32 + (s as f32 + 0.5) * weight;
            xs.clear();
            for i in 0..n {
                let (a, b) = (poly[i], poly[(i + n - 1) % n]);
                if (a[1] > sy) != (b[1] > sy) {
                    let x = a[0] + (sy - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                    // Far-off points can overflow to inf/NaN; such a crossing
                    // still pairs up, so keep it at the frame's side.
                    xs.push(if x.is_nan() { right } else { x });
                }
            }
            xs.sort_unstable_by(f32::total_cmp);
            for span in xs.chunks_exact(2) {
                let (sa, sb) = (span[0].clamp(left, right), span[1].clamp(left, right));
                if sb <= sa {
                    continue;
                }
                let (ia, ib) = (sa.floor() as usize, sb.floor() as usize);
                if ia == ib {
                    line[ia - x0] += (sb - sa) * weight;
                    continue;
                }
                line[ia - x0] += ((ia + 1) as f32 - sa) * weight;
                for v in &mut line[ia + 1 - x0..ib - x0] {
                    *v += weight;
                }
                if ib < x0 + rw {
                    line[ib - x0] += (sb - ib as f32) * weight;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A face mesh with only the lip contours set: an ellipse-ish outer ring and a
    /// smaller inner one (an open mouth), everything else at the centre.
    fn synthetic(open: f32) -> Vec<[f32; 2]> {
        let mut lm = vec![[50.0, 40.0]; 478];
        for (k, &i) in LIPS_OUTER.iter().enumerate() {
            let t = k as f32 / 20.0 * std::f32::consts::TAU;
            lm[i] = [50.0 - 30.0 * t.cos(), 40.0 - 15.0 * t.sin()];
        }
        for (k, &i) in LIPS_INNER.iter().enumerate() {
            let t = k as f32 / 20.0 * std::f32::consts::TAU;
            lm[i] = [50.0 - 20.0 * t.cos(), 40.0 - open * t.sin()];
        }
        lm
    }

    #[test]
    fn too_few_points_is_an_empty_mask() {
        let m = lip_mask(&[[1.0, 2.0]; 100], 64, 48, 2.0);
        assert_eq!((m.width, m.height, m.data.len()), (64, 48, 64 * 48));
        assert!(m.data.iter().all(|&v| v == 0));
        let m = lip_mask(&[], 0, 0, 2.0);
        assert!(m.data.is_empty());
    }

    #[test]
    fn open_mouth_stays_bare_and_ring_is_full() {
        let m = lip_mask(&synthetic(8.0), 100, 80, 2.0);
        let at = |x: usize, y: usize| m.data[y * 100 + x];
        assert_eq!(at(50, 40), 0, "mouth centre");
        assert_eq!(at(50, 29), 255, "upper lip");
        assert_eq!(at(50, 51), 255, "lower lip");
        assert_eq!(at(5, 5), 0, "far away");
        // Soft edge: some pixels strictly between 0 and 255.
        assert!(m.data.iter().any(|&v| v > 0 && v < 255));
    }

    #[test]
    fn nan_and_far_points_do_not_panic() {
        let mut lm = synthetic(4.0);
        lm[LIPS_OUTER[3]] = [f32::NAN, 1.0];
        lm[LIPS_INNER[5]] = [f32::INFINITY, f32::NEG_INFINITY];
        lm[LIPS_OUTER[7]] = [1e30, -1e30];
        let m = lip_mask(&lm, 100, 80, f32::NAN);
        assert_eq!(m.data.len(), 8000);
        let all_nan = vec![[f32::NAN, f32::NAN]; 468];
        assert!(lip_mask(&all_nan, 10, 10, 3.0).data.iter().all(|&v| v == 0));
        // Lips entirely off-frame.
        let off: Vec<[f32; 2]> = synthetic(4.0)
            .iter()
            .map(|p| [p[0] + 500.0, p[1]])
            .collect();
        assert!(lip_mask(&off, 100, 80, 2.0).data.iter().all(|&v| v == 0));
    }

    #[test]
    fn area_matches_the_polygon() {
        // A closed mouth (inner ring collapsed): area ≈ the outer polygon's area.
        let lm = synthetic(0.0);
        let m = lip_mask(&lm, 100, 80, 0.0);
        let sum: f32 = m.data.iter().map(|&v| v as f32 / 255.0).sum();
        let poly: Vec<[f32; 2]> = LIPS_OUTER.iter().map(|&i| lm[i]).collect();
        let mut area = 0.0;
        for i in 0..poly.len() {
            let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
            area += a[0] * b[1] - b[0] * a[1];
        }
        let area = (area * 0.5).abs();
        assert!((sum - area).abs() / area < 0.01, "{sum} vs {area}");
    }
}
