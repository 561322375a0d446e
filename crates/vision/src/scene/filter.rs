//! Whole-picture looks: an optional 3×3 colour matrix (cross-channel: mono,
//! saturation, sepia) followed by one tone curve per channel. Both are baked
//! into tables when a filter is chosen, so a frame costs table look-ups only.

use super::error::{by_id, SceneResult};
use crate::image::Rgba8Image;

/// The built-in looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FilterPreset {
    #[default]
    None,
    Warm,
    Cool,
    Mono,
    Noir,
    Vintage,
    Vivid,
    Fade,
    Film,
}

impl FilterPreset {
    pub const ALL: [FilterPreset; 9] = [
        FilterPreset::None,
        FilterPreset::Warm,
        FilterPreset::Cool,
        FilterPreset::Mono,
        FilterPreset::Noir,
        FilterPreset::Vintage,
        FilterPreset::Vivid,
        FilterPreset::Fade,
        FilterPreset::Film,
    ];

    /// Stable id for messages and settings.
    pub fn id(self) -> &'static str {
        match self {
            FilterPreset::None => "none",
            FilterPreset::Warm => "warm",
            FilterPreset::Cool => "cool",
            FilterPreset::Mono => "mono",
            FilterPreset::Noir => "noir",
            FilterPreset::Vintage => "vintage",
            FilterPreset::Vivid => "vivid",
            FilterPreset::Fade => "fade",
            FilterPreset::Film => "film",
        }
    }

    /// Name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            FilterPreset::None => "Original",
            FilterPreset::Warm => "Warm",
            FilterPreset::Cool => "Cool",
            FilterPreset::Mono => "Black & white",
            FilterPreset::Noir => "Noir",
            FilterPreset::Vintage => "Vintage",
            FilterPreset::Vivid => "Vivid",
            FilterPreset::Fade => "Faded",
            FilterPreset::Film => "Film",
        }
    }

    pub fn from_id(id: &str) -> SceneResult<Self> {
        by_id(&Self::ALL, id, "filter", Self::id)
    }
}

type Matrix = [[f32; 3]; 3];
type Curves = [fn(f32) -> f32; 3];

const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// `s = 0` grey, `1` unchanged, `> 1` more saturated.
fn saturation(s: f32) -> Matrix {
    let mut m = [[0.0; 3]; 3];
    for (o, row) in m.iter_mut().enumerate() {
        for (i, v) in row.iter_mut().enumerate() {
            *v = (1.0 - s) * LUMA[i] + if o == i { s } else { 0.0 };
        }
    }
    m
}

fn blend(a: Matrix, b: Matrix, t: f32) -> Matrix {
    let mut m = a;
    for (o, row) in m.iter_mut().enumerate() {
        for (i, v) in row.iter_mut().enumerate() {
            *v += (b[o][i] - a[o][i]) * t;
        }
    }
    m
}

const IDENTITY: Matrix = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
const SEPIA: Matrix = [
    [0.393, 0.769, 0.189],
    [0.349, 0.686, 0.168],
    [0.272, 0.534, 0.131],
];

/// Contrast S-curve on 0..1: `k = 0` identity, `1` smoothstep.
fn s_curve(x: f32, k: f32) -> f32 {
    x + (x * x * (3.0 - 2.0 * x) - x) * k
}

/// The preset's matrix (if any) and per-channel curve on 0..1.
fn spec(p: FilterPreset) -> (Option<Matrix>, Curves) {
    match p {
        FilterPreset::None => (None, [|x| x, |x| x, |x| x]),
        FilterPreset::Warm => (None, [|x| x.powf(0.88), |x| x.powf(0.97), |x| x.powf(1.15)]),
        FilterPreset::Cool => (None, [|x| x.powf(1.12), |x| x.powf(0.99), |x| x.powf(0.88)]),
        FilterPreset::Mono => {
            let c: fn(f32) -> f32 = |x| s_curve(x, 0.25);
            (Some(saturation(0.0)), [c, c, c])
        }
        FilterPreset::Noir => {
            let c: fn(f32) -> f32 = |x| s_curve(s_curve(x, 1.0), 0.5);
            (Some(saturation(0.0)), [c, c, c])
        }
        FilterPreset::Vintage => (
            Some(blend(IDENTITY, SEPIA, 0.55)),
            [
                |x| 0.08 + 0.86 * x.powf(0.95),
                |x| 0.06 + 0.84 * x,
                |x| 0.1 + 0.72 * x,
            ],
        ),
        FilterPreset::Vivid => {
            let c: fn(f32) -> f32 = |x| s_curve(x, 0.35);
            (Some(saturation(1.4)), [c, c, c])
        }
        FilterPreset::Fade => {
            let c: fn(f32) -> f32 = |x| 0.12 + 0.8 * x;
            (Some(saturation(0.8)), [c, c, c])
        }
        FilterPreset::Film => (
            Some(saturation(0.88)),
            [
                // Warm highlights, teal shadows, soft contrast, lifted blacks.
                |x| 0.03 + 0.95 * s_curve(x, 0.45) + 0.04 * x * x,
                |x| 0.035 + 0.94 * s_curve(x, 0.4),
                |x| 0.07 + 0.88 * s_curve(x, 0.35) - 0.03 * x * x,
            ],
        ),
    }
}

/// A filter baked into look-up tables.
#[derive(Clone, Debug)]
pub struct FilterLut {
    preset: FilterPreset,
    /// `matrix[out][in][v] = round(256 · m[out][in] · v)`.
    matrix: Option<Box<[[[i32; 256]; 3]; 3]>>,
    curves: [[u8; 256]; 3],
}

impl FilterLut {
    pub fn new(preset: FilterPreset) -> Self {
        let (m, curves) = spec(preset);
        let matrix = m.map(|m| {
            let mut t = Box::new([[[0i32; 256]; 3]; 3]);
            for (o, row) in t.iter_mut().enumerate() {
                for (i, tab) in row.iter_mut().enumerate() {
                    for (v, e) in tab.iter_mut().enumerate() {
                        *e = (m[o][i] * v as f32 * 256.0).round() as i32;
                    }
                }
            }
            t
        });
        let mut c = [[0u8; 256]; 3];
        for (tab, f) in c.iter_mut().zip(curves) {
            for (v, e) in tab.iter_mut().enumerate() {
                *e = (f(v as f32 / 255.0) * 255.0).round().clamp(0.0, 255.0) as u8;
            }
        }
        Self {
            preset,
            matrix,
            curves: c,
        }
    }

    pub fn preset(&self) -> FilterPreset {
        self.preset
    }

    /// Applies to an RGBA buffer in place (alpha untouched).
    pub fn apply(&self, rgba: &mut [u8]) {
        if self.preset == FilterPreset::None {
            return;
        }
        let [cr, cg, cb] = &self.curves;
        match &self.matrix {
            None => {
                for px in rgba.chunks_exact_mut(4) {
                    px[0] = cr[px[0] as usize];
                    px[1] = cg[px[1] as usize];
                    px[2] = cb[px[2] as usize];
                }
            }
            Some(t) => {
                let mix = |o: usize, r: usize, g: usize, b: usize| {
                    let s = t[o][0][r] + t[o][1][g] + t[o][2][b];
                    ((s + 128) >> 8).clamp(0, 255) as usize
                };
                for px in rgba.chunks_exact_mut(4) {
                    let (r, g, b) = (px[0] as usize, px[1] as usize, px[2] as usize);
                    px[0] = cr[mix(0, r, g, b)];
                    px[1] = cg[mix(1, r, g, b)];
                    px[2] = cb[mix(2, r, g, b)];
                }
            }
        }
    }

    /// Applies to a whole picture.
    pub fn apply_image(&self, img: &mut Rgba8Image) -> SceneResult<()> {
        img.validate()?;
        self.apply(&mut img.data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp_image() -> Vec<u8> {
        // Every 8th level of each channel combined, plus extremes.
        let mut v = Vec::new();
        for r in (0..=255).step_by(17) {
            for g in (0..=255).step_by(51) {
                for b in (0..=255).step_by(85) {
                    v.extend_from_slice(&[r as u8, g as u8, b as u8, 200]);
                }
            }
        }
        v
    }

    #[test]
    fn ids_round_trip() {
        for p in FilterPreset::ALL {
            assert_eq!(FilterPreset::from_id(p.id()), Ok(p));
        }
        assert!(FilterPreset::from_id("sparkle").is_err());
    }

    #[test]
    fn every_filter_keeps_alpha_and_fixes_grey_extremes_reasonably() {
        for p in FilterPreset::ALL {
            let lut = FilterLut::new(p);
            let mut img = ramp_image();
            lut.apply(&mut img);
            assert!(img.chunks_exact(4).all(|px| px[3] == 200), "{p:?}");
            // Black stays darker than white.
            let mut bw = vec![0, 0, 0, 255, 255, 255, 255, 255];
            lut.apply(&mut bw);
            for c in 0..3 {
                assert!(bw[c] + 100 < bw[4 + c], "{p:?} {bw:?}");
            }
        }
    }
}
