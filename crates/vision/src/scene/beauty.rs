//! Skin smoothing for a cut-out, before it is sent or composed.
//!
//! A guided filter on brightness (guide = input = luma) flattens small texture
//! (pores, noise, blemishes: low local variance against `eps`) and keeps edges
//! (eyes, lips, the face outline: high variance). Its window means are
//! alpha-weighted, so the transparent background of the cut-out neither bleeds
//! into the person's edge nor gets smoothed itself. The brightness change is
//! added to all three channels (colour kept), scaled by strength × alpha × a soft
//! skin-colour weight so hair, eyes and clothes stay crisp.
//!
//! Cost: the filter's coefficients are computed at half resolution and
//! interpolated back ("fast guided filter", He & Sun 2015): five box means on a
//! quarter of the pixels, O(1) per pixel whatever the radius; only the first and
//! last passes touch every pixel.

use super::error::SceneResult;
use crate::image::Rgba8Image;
use crate::imgproc::box_filter::box_mean;

/// Reusable planes for [`smooth_skin`]; grows to the largest frame seen.
#[derive(Clone, Debug, Default)]
pub struct BeautyScratch {
    /// Full resolution.
    luma: Vec<f32>,
    /// Low resolution: alpha, alpha·luma, alpha·luma² (block means), then the
    /// filter's `a` and `b` in the last two.
    p0: Vec<f32>,
    p1: Vec<f32>,
    p2: Vec<f32>,
    m0: Vec<f32>,
    m1: Vec<f32>,
    m2: Vec<f32>,
    tmp: Vec<f32>,
    /// Horizontal interpolation taps from full to low resolution.
    xtaps: Vec<(usize, usize, f32)>,
}

/// Smooths the skin of a cut-out (straight alpha) in place; `strength` 0..1
/// (0 leaves the image untouched).
pub fn smooth_skin(img: &mut Rgba8Image, strength: f32, s: &mut BeautyScratch) -> SceneResult<()> {
    img.validate()?;
    let k = if strength.is_finite() {
        strength.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if k == 0.0 {
        return Ok(());
    }
    let (w, h) = (img.width as usize, img.height as usize);
    // Window about a tenth of a face at webcam distance.
    let r = (w.min(h) / 100).max(1);
    let eps = (10.0 + 15.0 * k) * (10.0 + 15.0 * k);
    // Subsampling by 2 keeps the window; tiny images are filtered as they are.
    let f = if w.min(h) >= 64 { 2 } else { 1 };
    let (lw, lh) = (w.div_ceil(f), h.div_ceil(f));
    let rl = (r / f).max(1);

    s.luma.resize(w * h, 0.0);
    for v in [&mut s.p0, &mut s.p1, &mut s.p2] {
        v.clear();
        v.resize(lw * lh, 0.0);
    }
    let shift = f.trailing_zeros();
    for (y, row) in img.data.chunks_exact(w * 4).enumerate() {
        let lrow = (y >> shift) * lw;
        let luma = &mut s.luma[y * w..][..w];
        for (x, (px, l)) in row.chunks_exact(4).zip(luma).enumerate() {
            // Transparent pixels are neither measured nor changed.
            if px[3] == 0 {
                continue;
            }
            let v = 0.299 * f32::from(px[0]) + 0.587 * f32::from(px[1]) + 0.114 * f32::from(px[2]);
            *l = v;
            let a = f32::from(px[3]) / 255.0;
            let j = lrow + (x >> shift);
            s.p0[j] += a;
            s.p1[j] += a * v;
            s.p2[j] += a * v * v;
        }
    }
    // Block sums to means (edge blocks may be smaller).
    for (j, ((p0, p1), p2)) in s.p0.iter_mut().zip(&mut s.p1).zip(&mut s.p2).enumerate() {
        let bw = (w - (j % lw) * f).min(f);
        let bh = (h - (j / lw) * f).min(f);
        let inv = 1.0 / (bw * bh) as f32;
        *p0 *= inv;
        *p1 *= inv;
        *p2 *= inv;
    }
    box_mean(&s.p0, lw, lh, rl, &mut s.tmp, &mut s.m0);
    box_mean(&s.p1, lw, lh, rl, &mut s.tmp, &mut s.m1);
    box_mean(&s.p2, lw, lh, rl, &mut s.tmp, &mut s.m2);
    for j in 0..lw * lh {
        let wsum = s.m0[j];
        let (a, b) = if wsum > 1e-3 {
            let mean = s.m1[j] / wsum;
            let var = (s.m2[j] / wsum - mean * mean).max(0.0);
            let a = var / (var + eps);
            (a, mean * (1.0 - a))
        } else {
            (1.0, 0.0)
        };
        s.p1[j] = a;
        s.p2[j] = b;
    }
    box_mean(&s.p1, lw, lh, rl, &mut s.tmp, &mut s.m1);
    box_mean(&s.p2, lw, lh, rl, &mut s.tmp, &mut s.m2);

    // Back at full resolution: interpolate a and b, apply where there is skin.
    let skin = SkinTables::new();
    let taps = |x: usize, n: usize| {
        let q = ((x as f32 + 0.5) / f as f32 - 0.5).clamp(0.0, (n - 1) as f32);
        let i0 = q as usize;
        (i0, (i0 + 1).min(n - 1), q - i0 as f32)
    };
    s.xtaps.clear();
    s.xtaps.extend((0..w).map(|x| taps(x, lw)));
    for (y, row) in img.data.chunks_exact_mut(w * 4).enumerate() {
        let (j0, j1, wy) = taps(y, lh);
        let (ra0, ra1) = (&s.m1[j0 * lw..][..lw], &s.m1[j1 * lw..][..lw]);
        let (rb0, rb1) = (&s.m2[j0 * lw..][..lw], &s.m2[j1 * lw..][..lw]);
        let luma = &s.luma[y * w..][..w];
        for ((px, &(i0, i1, wx)), &l) in row.chunks_exact_mut(4).zip(&s.xtaps).zip(luma) {
            if px[3] == 0 {
                continue;
            }
            // Never all the way: a little texture keeps skin from looking plastic.
            let wgt = 0.85 * k * f32::from(px[3]) / 255.0 * skin.weight(px);
            if wgt <= 0.0 {
                continue;
            }
            let lerp2 = |r0: &[f32], r1: &[f32]| {
                let top = r0[i0] + (r0[i1] - r0[i0]) * wx;
                let bot = r1[i0] + (r1[i1] - r1[i0]) * wx;
                top + (bot - top) * wy
            };
            let (a, b) = (lerp2(ra0, ra1), lerp2(rb0, rb1));
            let delta = wgt * (a * l + b - l);
            for c in &mut px[..3] {
                *c = (f32::from(*c) + delta + 0.5).clamp(0.0, 255.0) as u8;
            }
        }
    }
    Ok(())
}

/// Soft skin likelihood from the classic YCbCr box (Cb 85..135, Cr 135..180),
/// widened by ramps so the weight does not flicker on the boundary; dark pixels
/// (hair, shadows) are left out. Integer YCbCr and one table per component,
/// since it runs on every opaque pixel.
struct SkinTables {
    y: [f32; 256],
    cb: [f32; 256],
    cr: [f32; 256],
}

impl SkinTables {
    fn new() -> Self {
        let band = |v: f32, lo: f32, hi: f32| {
            const RAMP: f32 = 10.0;
            ((v - lo + RAMP) / RAMP).clamp(0.0, 1.0) * ((hi + RAMP - v) / RAMP).clamp(0.0, 1.0)
        };
        let mut t = Self {
            y: [0.0; 256],
            cb: [0.0; 256],
            cr: [0.0; 256],
        };
        for v in 0..256 {
            let f = v as f32;
            t.y[v] = ((f - 30.0) / 30.0).clamp(0.0, 1.0);
            t.cb[v] = band(f, 85.0, 135.0);
            t.cr[v] = band(f, 135.0, 180.0);
        }
        t
    }

    fn weight(&self, px: &[u8]) -> f32 {
        let (r, g, b) = (i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
        // BT.601 full range in 1/256.
        let y = (77 * r + 150 * g + 29 * b + 128) >> 8;
        let cb = (32768 - 43 * r - 85 * g + 128 * b + 128) >> 8;
        let cr = (32768 + 128 * r - 107 * g - 21 * b + 128) >> 8;
        let at = |t: &[f32; 256], v: i32| t[v.clamp(0, 255) as usize];
        at(&self.y, y) * at(&self.cb, cb) * at(&self.cr, cr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKIN: [u8; 3] = [224, 172, 140];

    fn noisy_skin(w: u32, h: u32, alpha: impl Fn(u32, u32) -> u8) -> Rgba8Image {
        let mut d = Vec::new();
        for y in 0..h {
            for x in 0..w {
                // ±12 levels of checker noise on skin colour.
                let n: i16 = if (x + y) % 2 == 0 { 12 } else { -12 };
                for c in SKIN {
                    d.push((i16::from(c) + n) as u8);
                }
                d.push(alpha(x, y));
            }
        }
        Rgba8Image::new(w, h, d).unwrap()
    }

    fn roughness(img: &Rgba8Image, x0: u32, x1: u32) -> f32 {
        let w = img.width;
        let mut s = 0.0;
        for y in 0..img.height {
            for x in x0..x1 - 1 {
                let i = ((y * w + x) * 4) as usize;
                s += (f32::from(img.data[i]) - f32::from(img.data[i + 4])).abs();
            }
        }
        s
    }

    #[test]
    fn smooths_skin_only_where_opaque() {
        // 128×64 is filtered at half resolution, 48×24 at full.
        for (w, h) in [(128, 64), (48, 24)] {
            let mut img = noisy_skin(w, h, |x, _| if x < w / 2 { 255 } else { 0 });
            let before = img.clone();
            smooth_skin(&mut img, 1.0, &mut BeautyScratch::default()).unwrap();
            let left = w / 2 - 2;
            assert!(roughness(&img, 0, left) < 0.4 * roughness(&before, 0, left));
            // Transparent half untouched; alpha untouched everywhere.
            assert_eq!(
                roughness(&img, w / 2 + 2, w),
                roughness(&before, w / 2 + 2, w)
            );
            for (a, b) in img.data.chunks_exact(4).zip(before.data.chunks_exact(4)) {
                assert_eq!(a[3], b[3]);
            }
        }
    }

    #[test]
    fn zero_strength_and_strong_edges_are_kept() {
        let mut img = noisy_skin(32, 32, |_, _| 255);
        let before = img.clone();
        let mut s = BeautyScratch::default();
        smooth_skin(&mut img, 0.0, &mut s).unwrap();
        assert_eq!(img, before);
        // A hard black/skin edge survives full strength.
        let mut d = Vec::new();
        for _ in 0..32 {
            for x in 0..32 {
                d.extend_from_slice(&if x < 16 {
                    [20, 20, 20, 255]
                } else {
                    [224, 172, 140, 255]
                });
            }
        }
        let mut img = Rgba8Image::new(32, 32, d).unwrap();
        smooth_skin(&mut img, 1.0, &mut s).unwrap();
        let px = |x: usize| img.data[(16 * 32 + x) * 4];
        assert!(px(15) < 40 && px(16) > 200, "{} {}", px(15), px(16));
    }
}
