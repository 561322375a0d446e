//! A tiny vector rasteriser for the effect sprites: shapes are signed distance
//! functions (negative inside, in pixels), so anti-aliasing and outlines come
//! from the same number: coverage = clamp(0.5 - d), outline = band around d = 0.

use crate::image::Rgba8Image;

pub type Pt = [f32; 2];

/// A filled region, in sprite pixels (y down).
pub enum Shape {
    /// Ellipse with radii `r`, rotated by `angle` radians (clockwise on screen).
    Ellipse { c: Pt, r: Pt, angle: f32 },
    /// A segment with round ends, `r` thick on each side.
    Capsule { a: Pt, b: Pt, r: f32 },
    /// Any simple polygon (even-odd).
    Polygon(Vec<Pt>),
    /// A heart `width` wide centred on `c`.
    Heart { c: Pt, width: f32 },
}

impl Shape {
    pub fn circle(c: Pt, r: f32) -> Self {
        Shape::Ellipse {
            c,
            r: [r, r],
            angle: 0.0,
        }
    }

    /// A `points`-pointed star, outer radius `r`, inner `r·inner`.
    pub fn star(c: Pt, r: f32, inner: f32, points: usize, angle: f32) -> Self {
        let n = points.max(2) * 2;
        let v = (0..n)
            .map(|i| {
                let t = angle + i as f32 * std::f32::consts::TAU / n as f32;
                let rr = if i % 2 == 0 { r } else { r * inner };
                // Point 0 straight up.
                [c[0] + rr * t.sin(), c[1] - rr * t.cos()]
            })
            .collect();
        Shape::Polygon(v)
    }

    fn sdf(&self, p: Pt) -> f32 {
        match self {
            Shape::Ellipse { c, r, angle } => {
                let (s, co) = angle.sin_cos();
                let (dx, dy) = (p[0] - c[0], p[1] - c[1]);
                let q = [co * dx + s * dy, -s * dx + co * dy];
                // Approximate ellipse distance (exact on the axes, good near the edge).
                let k0 = ((q[0] / r[0]).powi(2) + (q[1] / r[1]).powi(2)).sqrt();
                let k1 = ((q[0] / (r[0] * r[0])).powi(2) + (q[1] / (r[1] * r[1])).powi(2)).sqrt();
                if k1 > 1e-9 {
                    k0 * (k0 - 1.0) / k1
                } else {
                    -r[0].min(r[1])
                }
            }
            Shape::Capsule { a, b, r } => {
                let (pa, ba) = ([p[0] - a[0], p[1] - a[1]], [b[0] - a[0], b[1] - a[1]]);
                let len2 = ba[0] * ba[0] + ba[1] * ba[1];
                let h = if len2 > 0.0 {
                    ((pa[0] * ba[0] + pa[1] * ba[1]) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                (pa[0] - ba[0] * h).hypot(pa[1] - ba[1] * h) - r
            }
            Shape::Polygon(v) => polygon_sdf(v, p),
            Shape::Heart { c, width } => {
                // The unit heart spans 1.21 wide, 1.1 tall, tip at the origin, y up.
                let k = width / 1.21;
                let x = ((p[0] - c[0]) / k).abs();
                let y = (c[1] + 0.55 * k - p[1]) / k;
                heart_sdf(x, y) * k
            }
        }
    }

    fn bounds(&self) -> [f32; 4] {
        match self {
            Shape::Ellipse { c, r, .. } => {
                let m = r[0].max(r[1]);
                [c[0] - m, c[1] - m, c[0] + m, c[1] + m]
            }
            Shape::Capsule { a, b, r } => [
                a[0].min(b[0]) - r,
                a[1].min(b[1]) - r,
                a[0].max(b[0]) + r,
                a[1].max(b[1]) + r,
            ],
            Shape::Polygon(v) => v
                .iter()
                .fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |b, p| {
                    [
                        b[0].min(p[0]),
                        b[1].min(p[1]),
                        b[2].max(p[0]),
                        b[3].max(p[1]),
                    ]
                }),
            Shape::Heart { c, width } => {
                let h = width * 0.6;
                [c[0] - h, c[1] - h, c[0] + h, c[1] + h]
            }
        }
    }
}

/// Exact signed distance to a polygon (after Inigo Quilez).
fn polygon_sdf(v: &[Pt], p: Pt) -> f32 {
    let Some(first) = v.first() else {
        return f32::MAX;
    };
    let mut d = (p[0] - first[0]).powi(2) + (p[1] - first[1]).powi(2);
    let mut s = 1.0;
    let mut j = v.len() - 1;
    for i in 0..v.len() {
        let e = [v[j][0] - v[i][0], v[j][1] - v[i][1]];
        let w = [p[0] - v[i][0], p[1] - v[i][1]];
        let ee = e[0] * e[0] + e[1] * e[1];
        let t = if ee > 0.0 {
            ((w[0] * e[0] + w[1] * e[1]) / ee).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let b = [w[0] - e[0] * t, w[1] - e[1] * t];
        d = d.min(b[0] * b[0] + b[1] * b[1]);
        let c = [p[1] >= v[i][1], p[1] < v[j][1], e[0] * w[1] > e[1] * w[0]];
        if c.iter().all(|&x| x) || c.iter().all(|&x| !x) {
            s = -s;
        }
        j = i;
    }
    s * d.sqrt()
}

/// Signed distance to the unit heart, `x >= 0` (after Inigo Quilez).
fn heart_sdf(x: f32, y: f32) -> f32 {
    if x + y > 1.0 {
        return (x - 0.25).hypot(y - 0.75) - std::f32::consts::SQRT_2 / 4.0;
    }
    let a = x * x + (y - 1.0) * (y - 1.0);
    let m = 0.5 * (x + y).max(0.0);
    let b = (x - m).powi(2) + (y - m).powi(2);
    a.min(b).sqrt() * (x - y).signum()
}

/// How a shape is filled.
#[derive(Clone, Copy)]
pub enum Paint {
    Solid([u8; 4]),
    /// Top to bottom of the shape's bounds.
    Vertical([u8; 4], [u8; 4]),
}

/// Premultiplied float RGBA canvas.
pub struct Sprite {
    w: usize,
    h: usize,
    px: Vec<[f32; 4]>,
}

impl Sprite {
    pub fn new(w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            px: vec![[0.0; 4]; w * h],
        }
    }

    pub fn fill(&mut self, shape: &Shape, paint: Paint) {
        let b = shape.bounds();
        self.paint(&b, paint, |p| (0.5 - shape.sdf(p)).clamp(0.0, 1.0));
    }

    /// An outline `width` pixels wide centred on the shape's edge.
    pub fn stroke(&mut self, shape: &Shape, width: f32, colour: [u8; 4]) {
        let g = width * 0.5 + 1.0;
        let b = shape.bounds();
        let b = [b[0] - g, b[1] - g, b[2] + g, b[3] + g];
        let half = width * 0.5;
        self.paint(&b, Paint::Solid(colour), |p| {
            (half + 0.5 - shape.sdf(p).abs()).clamp(0.0, 1.0)
        });
    }

    fn paint(&mut self, b: &[f32; 4], paint: Paint, cover: impl Fn(Pt) -> f32) {
        let x0 = (b[0] - 1.0).floor().clamp(0.0, self.w as f32) as usize;
        let x1 = (b[2] + 1.0).ceil().clamp(0.0, self.w as f32) as usize;
        let y0 = (b[1] - 1.0).floor().clamp(0.0, self.h as f32) as usize;
        let y1 = (b[3] + 1.0).ceil().clamp(0.0, self.h as f32) as usize;
        let span = (b[3] - b[1]).max(1e-3);
        for y in y0..y1 {
            let py = y as f32 + 0.5;
            let c = match paint {
                Paint::Solid(c) => c.map(f32::from),
                Paint::Vertical(t, btm) => {
                    let k = ((py - b[1]) / span).clamp(0.0, 1.0);
                    [0, 1, 2, 3]
                        .map(|i| f32::from(t[i]) + (f32::from(btm[i]) - f32::from(t[i])) * k)
                }
            };
            let a0 = c[3] / 255.0;
            for x in x0..x1 {
                let a = cover([x as f32 + 0.5, py]) * a0;
                if a <= 0.0 {
                    continue;
                }
                let d = &mut self.px[y * self.w + x];
                for i in 0..3 {
                    d[i] = c[i] / 255.0 * a + d[i] * (1.0 - a);
                }
                d[3] = a + d[3] * (1.0 - a);
            }
        }
    }

    /// Straight-alpha RGBA8.
    pub fn into_image(self) -> Rgba8Image {
        let mut data = Vec::with_capacity(self.px.len() * 4);
        for p in &self.px {
            let a = p[3];
            let un = |v: f32| {
                if a > 0.0 {
                    (v / a * 255.0 + 0.5).clamp(0.0, 255.0) as u8
                } else {
                    0
                }
            };
            data.extend_from_slice(&[un(p[0]), un(p[1]), un(p[2]), (a * 255.0 + 0.5) as u8]);
        }
        Rgba8Image {
            width: self.w as u32,
            height: self.h as u32,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_have_the_right_sign() {
        let sq = Shape::Polygon(vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]);
        assert!((sq.sdf([5.0, 5.0]) + 5.0).abs() < 1e-5);
        assert!((sq.sdf([15.0, 5.0]) - 5.0).abs() < 1e-5);
        let c = Shape::circle([0.0, 0.0], 4.0);
        assert!((c.sdf([6.0, 0.0]) - 2.0).abs() < 1e-4);
        assert!(c.sdf([0.0, 0.0]) < 0.0);
        let h = Shape::Heart {
            c: [0.0, 0.0],
            width: 10.0,
        };
        assert!(h.sdf([0.0, 0.0]) < 0.0);
        assert!(
            h.sdf([0.0, -4.0]) > 0.0,
            "the notch between the lobes is outside"
        );
        assert!(h.sdf([-2.5, -2.0]) < 0.0, "a lobe is inside");
        let cap = Shape::Capsule {
            a: [0.0, 0.0],
            b: [10.0, 0.0],
            r: 1.0,
        };
        assert!((cap.sdf([5.0, 3.0]) - 2.0).abs() < 1e-5);
        let star = Shape::star([0.0, 0.0], 10.0, 0.4, 5, 0.0);
        assert!(star.sdf([0.0, -9.0]) < 0.0 && star.sdf([0.0, 9.0]) > 0.0);
    }

    #[test]
    fn fill_is_antialiased_and_opaque_inside() {
        let mut s = Sprite::new(10, 10);
        s.fill(
            &Shape::circle([5.0, 5.0], 3.0),
            Paint::Solid([255, 0, 0, 255]),
        );
        let img = s.into_image();
        let at = |x: usize, y: usize| &img.data[(y * 10 + x) * 4..][..4];
        assert_eq!(at(5, 5), [255, 0, 0, 255]);
        assert_eq!(at(0, 0)[3], 0);
        let edge = at(7, 5)[3];
        assert!(edge > 0, "{edge}");
    }
}
