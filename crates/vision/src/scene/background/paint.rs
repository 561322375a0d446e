//! Small painting helpers for the procedural backgrounds. Everything is a function
//! of normalised position, so a background looks the same at any size.

/// Linear RGB-ish colour in 0..255 floats (sRGB values, blended directly: the
/// look is what matters here, not physical light).
pub type Col = [f32; 3];

pub fn rgb(r: u8, g: u8, b: u8) -> Col {
    [f32::from(r), f32::from(g), f32::from(b)]
}

pub fn mix(a: Col, b: Col, t: f32) -> Col {
    let t = t.clamp(0.0, 1.0);
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

pub fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Piecewise-linear ramp through `stops` (position, colour), positions ascending.
pub fn ramp(stops: &[(f32, Col)], t: f32) -> Col {
    let Some(first) = stops.first() else {
        return [0.0; 3];
    };
    if t <= first.0 {
        return first.1;
    }
    for w in stops.windows(2) {
        let ((p0, c0), (p1, c1)) = (w[0], w[1]);
        if t <= p1 {
            return mix(c0, c1, (t - p0) / (p1 - p0).max(1e-6));
        }
    }
    stops[stops.len() - 1].1
}

/// Deterministic pseudo-random numbers (SplitMix64), the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform in [0, 1).
    pub fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 40) as f32 / (1u64 << 24) as f32
    }

    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next_f32()
    }
}

/// 4×4 ordered dither in ±0.5 levels: gradients in 8 bits band visibly without it.
const BAYER: [[f32; 4]; 4] = [
    [0.0, 8.0, 2.0, 10.0],
    [12.0, 4.0, 14.0, 6.0],
    [3.0, 11.0, 1.0, 9.0],
    [15.0, 7.0, 13.0, 5.0],
];

/// A float canvas the backgrounds paint into before quantising.
pub struct FloatCanvas {
    pub width: usize,
    pub height: usize,
    pub px: Vec<Col>,
}

impl FloatCanvas {
    /// Filled by `f(u, v)` with `u = x/W`, `v = y/H` at pixel centres.
    pub fn from_fn(width: usize, height: usize, f: impl Fn(f32, f32) -> Col) -> Self {
        let mut px = Vec::with_capacity(width * height);
        for y in 0..height {
            let v = (y as f32 + 0.5) / height as f32;
            for x in 0..width {
                px.push(f((x as f32 + 0.5) / width as f32, v));
            }
        }
        Self { width, height, px }
    }

    /// Blends a soft disc: centre in normalised (u, v), radius as a fraction of the
    /// canvas height (so it stays round), `soft` the fraction of the radius that
    /// fades out, `core` the opacity at the centre.
    pub fn disc(&mut self, c: [f32; 2], radius: f32, soft: f32, colour: Col, core: f32) {
        self.ellipse(c, [radius, radius], soft, colour, core);
    }

    /// Like [`Self::disc`] with separate horizontal and vertical radii.
    pub fn ellipse(&mut self, c: [f32; 2], radii: [f32; 2], soft: f32, colour: Col, core: f32) {
        self.ellipse_above(c, radii, soft, colour, core, 1.0);
    }

    /// Like [`Self::ellipse`], painting only rows above `v_max` (a horizon).
    pub fn ellipse_above(
        &mut self,
        c: [f32; 2],
        radii: [f32; 2],
        soft: f32,
        colour: Col,
        core: f32,
        v_max: f32,
    ) {
        let (w, h) = (self.width as f32, self.height as f32);
        let (cx, cy) = (c[0] * w, c[1] * h);
        let (rx, ry) = (radii[0] * h, radii[1] * h);
        if !(rx > 0.0 && ry > 0.0) {
            return;
        }
        let x0 = (cx - rx).floor().clamp(0.0, w) as usize;
        let x1 = (cx + rx).ceil().clamp(0.0, w) as usize;
        let y0 = (cy - ry).floor().clamp(0.0, h) as usize;
        let y1 = (cy + ry).ceil().min(v_max * h).clamp(0.0, h) as usize;
        let inner = (1.0 - soft).clamp(0.0, 1.0);
        for y in y0..y1 {
            let dy = (y as f32 + 0.5 - cy) / ry;
            for x in x0..x1 {
                let dx = (x as f32 + 0.5 - cx) / rx;
                let d = (dx * dx + dy * dy).sqrt();
                // One pixel of anti-aliasing even when the edge is hard.
                let aa = (1.0 / rx.min(ry)).max(1e-4);
                let a = core * (1.0 - smoothstep(inner - aa, 1.0, d));
                if a > 0.0 {
                    let p = &mut self.px[y * self.width + x];
                    *p = mix(*p, colour, a);
                }
            }
        }
    }

    /// Multiplies by a vignette: 1 in the middle, `1 - strength` in the corners.
    pub fn vignette(&mut self, strength: f32) {
        let (w, h) = (self.width as f32, self.height as f32);
        let aspect = w / h;
        for y in 0..self.height {
            let dy = (y as f32 + 0.5) / h - 0.5;
            for x in 0..self.width {
                let dx = ((x as f32 + 0.5) / w - 0.5) * aspect;
                let d2 = (dx * dx + dy * dy) / (0.25 * aspect * aspect + 0.25);
                let k = 1.0 - strength * d2 * d2.sqrt();
                let p = &mut self.px[y * self.width + x];
                *p = p.map(|c| c * k);
            }
        }
    }

    /// Quantises (dithered) into RGBA8, alpha 255.
    pub fn write_rgba(&self, out: &mut [u8]) {
        for (i, (o, p)) in out.chunks_exact_mut(4).zip(&self.px).enumerate() {
            let (x, y) = (i % self.width, i / self.width);
            let d = (BAYER[y & 3][x & 3] + 0.5) / 16.0;
            o[0] = (p[0] + d) as u8;
            o[1] = (p[1] + d) as u8;
            o[2] = (p[2] + d) as u8;
            o[3] = 255;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_and_mix() {
        let stops = [(0.0, rgb(0, 0, 0)), (1.0, rgb(200, 100, 0))];
        assert_eq!(ramp(&stops, 0.5), [100.0, 50.0, 0.0]);
        assert_eq!(ramp(&stops, -1.0), [0.0; 3]);
        assert_eq!(ramp(&stops, 2.0), [200.0, 100.0, 0.0]);
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1000 {
            let v = a.next_f32();
            assert_eq!(v, b.next_f32());
            assert!((0.0..1.0).contains(&v));
        }
    }
}
