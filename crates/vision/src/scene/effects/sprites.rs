//! The effect sprites, drawn in a unit box (x 0..1 across the width, y down in
//! the same unit) and rasterised at the size asked for.

use super::raster::{Paint, Pt, Shape, Sprite};
use super::Effect;
use crate::image::Rgba8Image;

const GOLD_TOP: [u8; 4] = [255, 226, 96, 255];
const GOLD_BOTTOM: [u8; 4] = [220, 150, 30, 255];
const GOLD_LINE: [u8; 4] = [128, 78, 12, 255];

/// Draws `effect` `width` pixels wide (height from [`Effect::aspect`]).
pub fn render(effect: Effect, width: u32) -> Rgba8Image {
    let w = width.clamp(8, 4096) as f32;
    let h = (w * effect.aspect()).round().max(1.0);
    let mut s = Sprite::new(w as usize, h as usize);
    let p = |x: f32, y: f32| -> Pt { [x * w, y * w] };
    let line = |t: f32| t * w;
    match effect {
        Effect::Crown => crown(&mut s, &p, &line),
        Effect::Halo => {
            let ring = Shape::Ellipse {
                c: p(0.5, 0.175),
                r: [0.42 * w, 0.11 * w],
                angle: 0.0,
            };
            s.stroke(&ring, line(0.12), [255, 236, 150, 70]);
            s.stroke(&ring, line(0.05), [255, 212, 80, 255]);
            s.stroke(&ring, line(0.016), [255, 250, 224, 255]);
        }
        Effect::CatEars => {
            for flip in [false, true] {
                let f = |x: f32, y: f32| if flip { p(1.0 - x, y) } else { p(x, y) };
                let outer = Shape::Polygon(vec![f(0.06, 0.44), f(0.15, 0.02), f(0.4, 0.34)]);
                s.fill(
                    &outer,
                    Paint::Vertical([70, 58, 62, 255], [40, 32, 36, 255]),
                );
                s.stroke(&outer, line(0.02), [24, 18, 20, 255]);
                let inner = Shape::Polygon(vec![f(0.13, 0.37), f(0.17, 0.12), f(0.32, 0.32)]);
                s.fill(
                    &inner,
                    Paint::Vertical([250, 170, 190, 255], [230, 120, 150, 255]),
                );
            }
        }
        Effect::BunnyEars => {
            for (x, angle) in [(0.33, -0.2), (0.67, 0.2)] {
                let outer = Shape::Ellipse {
                    c: p(x, 0.52),
                    r: [0.12 * w, 0.46 * w],
                    angle,
                };
                s.fill(&outer, Paint::Solid([250, 248, 248, 255]));
                s.stroke(&outer, line(0.02), [150, 138, 145, 255]);
                let inner = Shape::Ellipse {
                    c: p(x, 0.56),
                    r: [0.055 * w, 0.34 * w],
                    angle,
                };
                s.fill(
                    &inner,
                    Paint::Vertical([252, 196, 210, 255], [240, 150, 176, 255]),
                );
            }
        }
        Effect::Glasses => {
            for x in [0.28, 0.72] {
                let lens = Shape::circle(p(x, 0.21), 0.17 * w);
                s.fill(&lens, Paint::Solid([200, 228, 255, 46]));
                s.stroke(&lens, line(0.035), [28, 28, 34, 255]);
                let glint = Shape::Capsule {
                    a: p(x - 0.09, 0.16),
                    b: p(x - 0.04, 0.1),
                    r: 0.012 * w,
                };
                s.fill(&glint, Paint::Solid([255, 255, 255, 150]));
            }
            bridge_and_temples(&mut s, &p, w, [28, 28, 34, 255]);
        }
        Effect::Sunglasses => {
            for x in [0.28, 0.72] {
                let lens = Shape::Ellipse {
                    c: p(x, 0.2),
                    r: [0.19 * w, 0.15 * w],
                    angle: 0.0,
                };
                s.fill(
                    &lens,
                    Paint::Vertical([30, 30, 40, 240], [96, 62, 120, 235]),
                );
                s.stroke(&lens, line(0.03), [14, 14, 18, 255]);
                let glint = Shape::Capsule {
                    a: p(x - 0.11, 0.16),
                    b: p(x - 0.05, 0.1),
                    r: 0.014 * w,
                };
                s.fill(&glint, Paint::Solid([255, 255, 255, 140]));
            }
            let bar = Shape::Capsule {
                a: p(0.1, 0.07),
                b: p(0.9, 0.07),
                r: 0.022 * w,
            };
            s.fill(&bar, Paint::Solid([14, 14, 18, 255]));
            bridge_and_temples(&mut s, &p, w, [14, 14, 18, 255]);
        }
        Effect::Stars => {
            for (i, &(x, y, r)) in ARC.iter().enumerate() {
                let star = Shape::star(p(x, y), r * w, 0.45, 5, (i as f32 - 2.0) * 0.2);
                s.fill(
                    &star,
                    Paint::Vertical([255, 240, 120, 255], [255, 176, 40, 255]),
                );
                s.stroke(&star, line(0.008), [196, 104, 16, 255]);
            }
            for (x, y) in [(0.18, 0.1), (0.39, 0.05), (0.62, 0.06), (0.82, 0.12)] {
                s.fill(
                    &Shape::circle(p(x, y), 0.012 * w),
                    Paint::Solid([255, 250, 210, 230]),
                );
            }
        }
        Effect::Hearts => {
            for &(x, y, r) in ARC.iter() {
                let heart = Shape::Heart {
                    c: p(x, y),
                    width: 2.1 * r * w,
                };
                s.fill(
                    &heart,
                    Paint::Vertical([255, 96, 130, 255], [214, 30, 76, 255]),
                );
                s.stroke(&heart, line(0.008), [140, 16, 50, 255]);
                let glint = Shape::Ellipse {
                    c: p(x - 0.45 * r, y - 0.35 * r),
                    r: [0.22 * r * w, 0.14 * r * w],
                    angle: -0.6,
                };
                s.fill(&glint, Paint::Solid([255, 255, 255, 160]));
            }
        }
    }
    s.into_image()
}

/// Five items on an arc over the head: (x, y, radius) in the unit box.
const ARC: [(f32, f32, f32); 5] = [
    (0.09, 0.36, 0.065),
    (0.27, 0.17, 0.08),
    (0.5, 0.1, 0.1),
    (0.73, 0.17, 0.08),
    (0.91, 0.36, 0.065),
];

fn crown(s: &mut Sprite, p: &impl Fn(f32, f32) -> Pt, line: &impl Fn(f32) -> f32) {
    let tips = [
        (0.08, 0.14),
        (0.29, 0.08),
        (0.5, 0.03),
        (0.71, 0.08),
        (0.92, 0.14),
    ];
    let valleys = [(0.185, 0.34), (0.395, 0.3), (0.605, 0.3), (0.815, 0.34)];
    let mut body = vec![p(0.12, 0.56)];
    for (i, t) in tips.iter().enumerate() {
        body.push(p(t.0, t.1));
        if let Some(v) = valleys.get(i) {
            body.push(p(v.0, v.1));
        }
    }
    body.push(p(0.88, 0.56));
    let body = Shape::Polygon(body);
    s.fill(&body, Paint::Vertical(GOLD_TOP, GOLD_BOTTOM));
    s.stroke(&body, line(0.018), GOLD_LINE);
    let band = Shape::Polygon(vec![
        p(0.12, 0.44),
        p(0.88, 0.44),
        p(0.88, 0.56),
        p(0.12, 0.56),
    ]);
    s.fill(
        &band,
        Paint::Vertical([238, 178, 48, 255], [200, 128, 20, 255]),
    );
    s.stroke(&band, line(0.014), GOLD_LINE);
    for t in tips {
        let ball = Shape::circle(p(t.0, t.1), line(0.032));
        s.fill(&ball, Paint::Solid([255, 244, 170, 255]));
        s.stroke(&ball, line(0.012), GOLD_LINE);
    }
    for (x, c) in [
        (0.3, [214, 36, 60, 255]),
        (0.5, [40, 110, 230, 255]),
        (0.7, [36, 170, 90, 255]),
    ] {
        let gem = Shape::circle(p(x, 0.5), line(0.04));
        s.fill(&gem, Paint::Solid(c));
        s.stroke(&gem, line(0.01), GOLD_LINE);
        s.fill(
            &Shape::circle(p(x - 0.012, 0.488), line(0.011)),
            Paint::Solid([255, 255, 255, 200]),
        );
    }
}

fn bridge_and_temples(s: &mut Sprite, p: &impl Fn(f32, f32) -> Pt, w: f32, colour: [u8; 4]) {
    let r = 0.016 * w;
    for (a, b) in [
        ((0.44, 0.19), (0.56, 0.19)),
        ((0.11, 0.17), (0.02, 0.13)),
        ((0.89, 0.17), (0.98, 0.13)),
    ] {
        let seg = Shape::Capsule {
            a: p(a.0, a.1),
            b: p(b.0, b.1),
            r,
        };
        s.fill(&seg, Paint::Solid(colour));
    }
}
