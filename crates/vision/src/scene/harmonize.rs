//! Colour harmonisation: each member's camera has its own exposure and white
//! balance, so side by side one looks orange and another blue. Each cut-out gets
//! per-channel gains that move its (alpha-weighted) mean colour part of the way to
//! a common target: the group's average, nudged toward the scene's light.
//!
//! The target's brightness is half the group's, half the background's (clamped,
//! so a night scene does not black people out); its tint is 70 % the group's
//! average tint, 30 % the background's. A gain moves a mean by `strength` of its
//! distance to the target, so it never overshoots, and gains stay within
//! [`GAIN_RANGE`].

use crate::image::RgbaView;

/// Strength used when the app has no setting of its own.
pub const DEFAULT_STRENGTH: f32 = 0.5;
/// Bounds on every gain, so a cut-out with a wrong mean cannot turn garish.
pub const GAIN_RANGE: (f32, f32) = (0.6, 1.7);
/// Background brightness the target may follow (0..255 luma).
const SCENE_LUMA_RANGE: (f32, f32) = (80.0, 190.0);
const SCENE_TINT_SHARE: f32 = 0.3;

const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

fn luma(c: [f32; 3]) -> f32 {
    LUMA[0] * c[0] + LUMA[1] * c[1] + LUMA[2] * c[2]
}

/// Alpha-weighted mean colour of a cut-out (every 2nd pixel each way), `None` when
/// it has (almost) no opaque pixels.
pub fn person_mean(img: RgbaView<'_>) -> Option<[f32; 3]> {
    if img.data.len() != img.width * img.height * 4 {
        return None;
    }
    let mut sum = [0u64; 3];
    let mut wsum = 0u64;
    for y in (0..img.height).step_by(2) {
        let row = &img.data[y * img.width * 4..][..img.width * 4];
        for px in row.chunks_exact(8) {
            let a = u64::from(px[3]);
            sum[0] += u64::from(px[0]) * a;
            sum[1] += u64::from(px[1]) * a;
            sum[2] += u64::from(px[2]) * a;
            wsum += a;
        }
    }
    // Fewer than ~16 opaque sampled pixels: a mean would be noise.
    (wsum >= 16 * 255).then(|| sum.map(|s| s as f32 / wsum as f32))
}

/// The colour every member is pulled toward (see the module docs).
/// `members` holds the mean of each member that has one; empty → the background alone.
pub fn target_colour(background: [f32; 3], members: &[[f32; 3]]) -> [f32; 3] {
    let tint = |c: [f32; 3]| {
        let y = luma(c).max(1.0);
        c.map(|v| v / y)
    };
    let bg_y = luma(background).clamp(SCENE_LUMA_RANGE.0, SCENE_LUMA_RANGE.1);
    let (group_y, group_tint) = if members.is_empty() {
        (bg_y, [1.0; 3])
    } else {
        let n = members.len() as f32;
        let y = members.iter().map(|m| luma(*m)).sum::<f32>() / n;
        let mut t = [0.0; 3];
        for m in members {
            for (a, b) in t.iter_mut().zip(tint(*m)) {
                *a += b / n;
            }
        }
        (y, t)
    };
    let y = 0.5 * (group_y + bg_y);
    let bg_tint = tint(background);
    let mut out = [0.0; 3];
    for c in 0..3 {
        let t = group_tint[c] + (bg_tint[c] - group_tint[c]) * SCENE_TINT_SHARE;
        out[c] = y * t;
    }
    out
}

/// Gains that move `mean` by `strength` (0..1) of the way to `target`.
pub fn gains(mean: [f32; 3], target: [f32; 3], strength: f32) -> [f32; 3] {
    let s = if strength.is_finite() {
        strength.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut g = [1.0; 3];
    for c in 0..3 {
        let (m, t) = (mean[c], target[c]);
        if m.is_finite() && t.is_finite() && m >= 1.0 && t >= 0.0 {
            g[c] = (1.0 + s * (t / m - 1.0)).clamp(GAIN_RANGE.0, GAIN_RANGE.1);
        }
    }
    g
}

/// Multiplies a cut-out's colours by `gains` in place (for callers that bake the
/// result, e.g. a still; the compositor applies gains while drawing instead).
pub fn apply_gains(rgba: &mut [u8], gains: [f32; 3]) {
    let tabs = gains.map(|g| {
        let mut t = [0u8; 256];
        for (v, e) in t.iter_mut().enumerate() {
            *e = (v as f32 * g + 0.5).clamp(0.0, 255.0) as u8;
        }
        t
    });
    for px in rgba.chunks_exact_mut(4) {
        for c in 0..3 {
            px[c] = tabs[c][px[c] as usize];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_is_alpha_weighted() {
        // 4×2: left half opaque red, right half transparent green.
        let mut d = Vec::new();
        for _ in 0..2 {
            d.extend_from_slice(&[200, 0, 0, 255, 200, 0, 0, 255, 0, 255, 0, 0, 0, 255, 0, 0]);
        }
        let view = RgbaView::new(4, 2, &d).unwrap();
        // Only 2 samples: too few for a mean.
        assert_eq!(person_mean(view), None);
        let d: Vec<u8> = (0..64 * 64).flat_map(|_| [200, 100, 50, 255]).collect();
        let m = person_mean(RgbaView::new(64, 64, &d).unwrap()).unwrap();
        assert_eq!(m, [200.0, 100.0, 50.0]);
    }

    #[test]
    fn gains_never_overshoot() {
        let g = gains([100.0, 100.0, 100.0], [120.0, 80.0, 100.0], 0.5);
        assert_eq!(g, [1.1, 0.9, 1.0]);
        let g = gains([100.0; 3], [120.0, 80.0, 100.0], 1.0);
        assert_eq!(g, [1.2, 0.8, 1.0]);
        assert_eq!(gains([100.0; 3], [500.0; 3], 1.0), [GAIN_RANGE.1; 3]);
        assert_eq!(gains([0.0; 3], [100.0; 3], 1.0), [1.0; 3]);
        assert_eq!(gains([50.0; 3], [100.0; 3], f32::NAN), [1.0; 3]);
    }
}
