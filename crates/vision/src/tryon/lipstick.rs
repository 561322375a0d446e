//! Laying a lipstick shade on the lips.
//!
//! Painting the shade's flat colour over the mask looks like a sticker: real
//! lipstick is a thin tinted film, so the lips' creases, shading and highlights
//! still show through it. We therefore work in luma/chroma (BT.601 YCbCr):
//!
//! * luma keeps the lips' own variation around their mean, only moved to the
//!   shade's lightness (and its contrast scaled a little toward the shade's, so a
//!   dark shade on pale lips does not look embossed);
//! * chroma is the shade's, scaled with the new luma so dark creases are dark
//!   red rather than a saturated glow — this is what makes the hue read as the
//!   shade's;
//! * the result is blended by mask × intensity, so the feathered edge fades into
//!   the skin and intensity 0.3 is a tint.
//!
//! Gloss is matte plus a specular sheen where the lips already catch the light
//! (their brightest few percent, softened), so it follows the real lighting and
//! is never a flat white patch stuck on the mouth. Pixels where the mask is 0
//! are never written, so the rest of the frame stays bit-identical.

use crate::error::{Result, VisionError};
use crate::image::{Mask, Rgba8Image};
use crate::imgproc::box_filter::box_mean;

/// A lipstick colour offered in the try-on picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shade {
    /// Stable id for settings and URLs.
    pub id: &'static str,
    /// Name shown to the user.
    pub name: &'static str,
    /// sRGB colour of the lipstick itself.
    pub rgb: [u8; 3],
}

/// The built-in shades, spread over hue (red, pink, orange, purple) and
/// lightness so neighbours stay distinguishable on camera.
pub const SHADES: [Shade; 8] = [
    Shade {
        id: "classic-red",
        name: "Classic red",
        rgb: [190, 20, 40],
    },
    Shade {
        id: "rose",
        name: "Rose",
        rgb: [200, 90, 120],
    },
    Shade {
        id: "coral",
        name: "Coral",
        rgb: [235, 100, 75],
    },
    Shade {
        id: "berry",
        name: "Berry",
        rgb: [140, 25, 80],
    },
    Shade {
        id: "nude",
        name: "Nude",
        rgb: [190, 125, 110],
    },
    Shade {
        id: "plum",
        name: "Plum",
        rgb: [105, 35, 75],
    },
    Shade {
        id: "fuchsia",
        name: "Fuchsia",
        rgb: [205, 35, 130],
    },
    Shade {
        id: "brick",
        name: "Brick",
        rgb: [150, 55, 40],
    },
];

/// How the lipstick reflects light.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// Colour only.
    Matte,
    /// Colour plus a specular sheen on the lips' own highlights.
    Gloss,
}

/// Luma/chroma (full-range BT.601), all in 0..1 (chroma centred on 0).
#[inline]
fn ycc(r: f32, g: f32, b: f32) -> [f32; 3] {
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    [y, (b - y) * (0.5 / 0.886), (r - y) * (0.5 / 0.701)]
}

#[inline]
fn rgb_of(y: f32, cb: f32, cr: f32) -> [f32; 3] {
    [
        y + 1.402 * cr,
        y - 0.344_136 * cb - 0.714_136 * cr,
        y + 1.772 * cb,
    ]
}

#[inline]
fn to_u8(v: f32) -> u8 {
    (v * 255.0 + 0.5).clamp(0.0, 255.0) as u8
}

#[inline]
fn smoothstep(lo: f32, hi: f32, x: f32) -> f32 {
    let t = ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Paints `shade` onto `frame` where `mask` (a [`super::lip_mask`]) is non-zero,
/// with `intensity` 0..1 (0 = untouched, 1 = full coverage). The alpha channel
/// and every pixel with mask 0 are left exactly as they were. Errors only when
/// the frame is malformed or the mask's size differs from the frame's.
pub fn apply_lipstick(
    frame: &mut Rgba8Image,
    mask: &Mask,
    shade: [u8; 3],
    finish: Finish,
    intensity: f32,
) -> Result<()> {
    frame.validate()?;
    if mask.width != frame.width
        || mask.height != frame.height
        || mask.data.len() != (mask.width as usize) * (mask.height as usize)
    {
        return Err(VisionError::BadImage(format!(
            "lip mask {}x{} ({} bytes) does not fit the {}x{} frame",
            mask.width,
            mask.height,
            mask.data.len(),
            frame.width,
            frame.height
        )));
    }
    let intensity = if intensity.is_finite() {
        intensity.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if intensity == 0.0 {
        return Ok(());
    }
    let w = frame.width as usize;
    let Some((x0, y0, x1, y1)) = nonzero_box(&mask.data, w) else {
        return Ok(());
    };
    let (bw, bh) = (x1 - x0, y1 - y0);

    // Luma of the box, and the lips' statistics (mean, and the histogram for
    // the gloss threshold) over the solid part of the mask.
    let mut luma = vec![0.0f32; bw * bh];
    let mut hist = [0u32; 256];
    let (mut sum, mut wsum) = (0.0f64, 0.0f64);
    for y in 0..bh {
        let row = (y0 + y) * w;
        for x in 0..bw {
            let i = row + x0 + x;
            let px = &frame.data[i * 4..i * 4 + 3];
            let l = ycc(
                px[0] as f32 / 255.0,
                px[1] as f32 / 255.0,
                px[2] as f32 / 255.0,
            )[0];
            luma[y * bw + x] = l;
            let m = mask.data[i];
            if m > 0 {
                let mf = m as f64 / 255.0;
                sum += mf * l as f64;
                wsum += mf;
            }
            if m >= 128 {
                hist[to_u8(l) as usize] += 1;
            }
        }
    }
    if wsum <= 0.0 {
        return Ok(());
    }
    let mean = (sum / wsum) as f32;

    let s = ycc(
        shade[0] as f32 / 255.0,
        shade[1] as f32 / 255.0,
        shade[2] as f32 / 255.0,
    );
    // Contrast moves partly toward the shade's lightness, within limits: the
    // lips' texture must stay visible on dark shades and not blow up on light ones.
    let gain = (s[0] / mean.max(1e-3)).sqrt().clamp(0.6, 1.15);

    let sheen = match finish {
        Finish::Matte => None,
        Finish::Gloss => Some(highlight(&luma, &mask.data, (x0, y0, bw, bh), w, &hist)),
    };

    for y in 0..bh {
        let row = (y0 + y) * w;
        for x in 0..bw {
            let i = row + x0 + x;
            let m = mask.data[i];
            if m == 0 {
                continue;
            }
            let a = m as f32 / 255.0 * intensity;
            let px = &mut frame.data[i * 4..i * 4 + 3];
            let src = ycc(
                px[0] as f32 / 255.0,
                px[1] as f32 / 255.0,
                px[2] as f32 / 255.0,
            );
            let mut ty = (s[0] + gain * (src[0] - mean)).clamp(0.0, 1.0);
            let cs = (ty / s[0].max(0.02)).clamp(0.3, 1.3);
            let (mut tcb, mut tcr) = (s[1] * cs, s[2] * cs);
            if let Some(h) = &sheen {
                let hl = h[y * bw + x];
                // The sheen steepens the lips' own contrast above their mean rather
                // than adding a fixed amount: it brightens what is already bright.
                ty = (ty + hl * 1.5 * gain * (src[0] - mean).max(0.0)).min(1.0);
                let keep = 1.0 - 0.6 * hl;
                tcb *= keep;
                tcr *= keep;
            }
            let out = rgb_of(
                src[0] + a * (ty - src[0]),
                src[1] + a * (tcb - src[1]),
                src[2] + a * (tcr - src[2]),
            );
            px[0] = to_u8(out[0]);
            px[1] = to_u8(out[1]);
            px[2] = to_u8(out[2]);
        }
    }
    Ok(())
}

/// Smallest box `(x0, y0, x1, y1)` (exclusive ends) holding every non-zero value.
fn nonzero_box(data: &[u8], w: usize) -> Option<(usize, usize, usize, usize)> {
    if w == 0 {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for (y, row) in data.chunks_exact(w).enumerate() {
        let Some(first) = row.iter().position(|&v| v != 0) else {
            continue;
        };
        let last = row.iter().rposition(|&v| v != 0).unwrap_or(first);
        x0 = x0.min(first);
        x1 = x1.max(last + 1);
        y0 = y0.min(y);
        y1 = y + 1;
    }
    (x0 < x1).then_some((x0, y0, x1, y1))
}

/// Specular strength 0..1 per box pixel: where the lips are already brightest
/// (their top few percent of luma, from `hist`). It is a smooth ramp of the
/// lightly blurred luma itself, so the sheen has soft edges yet stays a monotone
/// function of the lips' own lighting — their texture shows through it, and it
/// can never become a flat patch.
fn highlight(
    luma: &[f32],
    mask: &[u8],
    (x0, y0, bw, bh): (usize, usize, usize, usize),
    w: usize,
    hist: &[u32; 256],
) -> Vec<f32> {
    let total: u32 = hist.iter().sum();
    let pct = |q: f32| -> f32 {
        let target = ((total as f32 * q).ceil() as u32).max(1);
        let mut acc = 0;
        for (v, &c) in hist.iter().enumerate() {
            acc += c;
            if acc >= target {
                return v as f32 / 255.0;
            }
        }
        1.0
    };
    let lo = pct(0.88);
    let hi = pct(0.995).max(lo + 6.0 / 255.0);
    let (mut tmp, mut soft) = (Vec::new(), Vec::new());
    box_mean(luma, bw, bh, (bh / 40).max(1), &mut tmp, &mut soft);
    let mut h = soft;
    for y in 0..bh {
        for x in 0..bw {
            let m = mask[(y0 + y) * w + x0 + x] as f32 / 255.0;
            let v = &mut h[y * bw + x];
            *v = m * smoothstep(lo, hi, *v);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(w: u32, h: u32) -> Rgba8Image {
        let data = (0..w * h)
            .flat_map(|i| [(150 + i % 40) as u8, 90, (80 + i % 13) as u8, 200])
            .collect();
        Rgba8Image::new(w, h, data).expect("frame")
    }

    #[test]
    fn shades_are_unique_and_enough() {
        assert!(SHADES.len() >= 6);
        for (i, a) in SHADES.iter().enumerate() {
            for b in &SHADES[i + 1..] {
                assert_ne!(a.id, b.id);
                assert_ne!(a.rgb, b.rgb);
            }
        }
    }

    #[test]
    fn only_masked_pixels_change_and_alpha_is_kept() {
        let mut f = frame(20, 10);
        let before = f.clone();
        let mut mask = Mask {
            width: 20,
            height: 10,
            data: vec![0; 200],
        };
        for y in 3..7 {
            for x in 5..15 {
                mask.data[y * 20 + x] = 255;
            }
        }
        apply_lipstick(&mut f, &mask, SHADES[0].rgb, Finish::Gloss, 1.0).expect("apply");
        for i in 0..200 {
            let (a, b) = (&f.data[i * 4..i * 4 + 4], &before.data[i * 4..i * 4 + 4]);
            if mask.data[i] == 0 {
                assert_eq!(a, b, "pixel {i}");
            } else {
                assert_eq!(a[3], b[3]);
                assert!(a[1] < b[1], "green drops toward red at {i}");
            }
        }
    }

    #[test]
    fn bad_mask_is_an_error_and_zero_intensity_is_a_no_op() {
        let mut f = frame(8, 8);
        let before = f.clone();
        let small = Mask {
            width: 4,
            height: 4,
            data: vec![255; 16],
        };
        assert!(apply_lipstick(&mut f, &small, [200, 0, 0], Finish::Matte, 1.0).is_err());
        let full = Mask {
            width: 8,
            height: 8,
            data: vec![255; 64],
        };
        apply_lipstick(&mut f, &full, [200, 0, 0], Finish::Matte, 0.0).expect("ok");
        apply_lipstick(&mut f, &full, [200, 0, 0], Finish::Matte, f32::NAN).expect("ok");
        assert_eq!(f, before);
    }
}
