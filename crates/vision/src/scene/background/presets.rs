//! The preset backgrounds, each a pure function of the canvas size.

use super::paint::{mix, ramp, rgb, smoothstep, Col, FloatCanvas, Rng};

pub fn solid(w: usize, h: usize, c: Col) -> FloatCanvas {
    FloatCanvas::from_fn(w, h, |_, _| c)
}

/// Diagonal gradient from the top-left to the bottom-right corner.
pub fn diagonal(w: usize, h: usize, a: Col, b: Col) -> FloatCanvas {
    FloatCanvas::from_fn(w, h, |u, v| mix(a, b, (u + v) * 0.5))
}

/// Vertical gradient, top to bottom.
pub fn vertical(w: usize, h: usize, top: Col, bottom: Col) -> FloatCanvas {
    FloatCanvas::from_fn(w, h, |_, v| mix(top, bottom, v))
}

/// Radial gradient centred a little above the middle (behind the heads).
pub fn spotlight(w: usize, h: usize) -> FloatCanvas {
    let aspect = w as f32 / h as f32;
    let (inner, outer) = (rgb(250, 236, 214), rgb(72, 52, 70));
    FloatCanvas::from_fn(w, h, |u, v| {
        let (dx, dy) = ((u - 0.5) * aspect, v - 0.42);
        let d = (dx * dx + dy * dy).sqrt() / (0.5 * aspect.max(1.0) + 0.2);
        mix(inner, outer, smoothstep(0.0, 1.0, d))
    })
}

/// A photo studio: a seamless paper sweep (wall curving into the floor), a soft
/// light behind the people and a vignette.
pub fn studio(w: usize, h: usize) -> FloatCanvas {
    let wall = [(0.0, rgb(88, 104, 124)), (1.0, rgb(132, 148, 166))];
    let floor = rgb(160, 172, 184);
    let mut c = FloatCanvas::from_fn(w, h, |u, v| {
        // The sweep: floor takes over below a curve that dips in the middle.
        let horizon = 0.74 + 0.05 * (1.0 - (2.0 * u - 1.0).powi(2));
        let t = smoothstep(horizon - 0.1, horizon + 0.08, v);
        mix(ramp(&wall, v / horizon.max(1e-3)), floor, t)
    });
    c.ellipse([0.5, 0.45], [0.75, 0.5], 1.0, rgb(200, 212, 222), 0.55);
    c.vignette(0.45);
    c
}

/// Sky at dusk, a sun half an hour above the sea, its glitter on the water.
pub fn sunset(w: usize, h: usize) -> FloatCanvas {
    const HORIZON: f32 = 0.66;
    let sky = [
        (0.0, rgb(44, 34, 92)),
        (0.35, rgb(142, 62, 120)),
        (0.65, rgb(244, 122, 84)),
        (1.0, rgb(255, 196, 120)),
    ];
    let sea = [(0.0, rgb(120, 62, 88)), (1.0, rgb(26, 24, 60))];
    let aspect = w as f32 / h as f32;
    let mut c = FloatCanvas::from_fn(w, h, |u, v| {
        if v < HORIZON {
            ramp(&sky, v / HORIZON)
        } else {
            let d = (v - HORIZON) / (1.0 - HORIZON);
            let base = ramp(&sea, d);
            // Glitter: a column under the sun broken into horizontal streaks.
            let dx = ((u - 0.5) * aspect).abs();
            let width = 0.05 + 0.25 * d;
            let column = 1.0 - smoothstep(0.0, width, dx);
            let streak = ((v * h as f32 * 0.9 / (1.0 + 6.0 * d)).fract() - 0.5).abs() * 2.0;
            mix(
                base,
                rgb(255, 190, 120),
                column * (1.0 - streak) * (1.0 - 0.6 * d),
            )
        }
    });
    // Glow, then the disc; both above the horizon only (the sun is setting).
    let sun = [0.5, HORIZON - 0.11];
    c.ellipse_above(sun, [0.42; 2], 1.0, rgb(255, 170, 100), 0.45, HORIZON);
    c.ellipse_above(sun, [0.1; 2], 0.15, rgb(255, 236, 180), 1.0, HORIZON);
    c
}

/// Blue sky with a few clouds, turquoise sea, a wavy waterline with foam, sand.
pub fn beach(w: usize, h: usize) -> FloatCanvas {
    const HORIZON: f32 = 0.5;
    let sky = [(0.0, rgb(70, 140, 214)), (1.0, rgb(176, 216, 240))];
    let sea = [(0.0, rgb(24, 112, 160)), (1.0, rgb(64, 196, 200))];
    let sand = [(0.0, rgb(236, 214, 170)), (1.0, rgb(214, 184, 136))];
    let mut c = FloatCanvas::from_fn(w, h, |u, v| {
        // A gentle two-frequency wave; cheap polynomial instead of sin per pixel.
        let wave = tri(u * 3.0) * 0.018 + tri(u * 7.3 + 0.4) * 0.008;
        let shore = 0.72 + wave;
        if v < HORIZON {
            ramp(&sky, v / HORIZON)
        } else if v < shore {
            let s = ramp(&sea, (v - HORIZON) / (shore - HORIZON));
            // Foam: a bright band just above the waterline.
            mix(
                s,
                rgb(244, 250, 250),
                smoothstep(shore - 0.025, shore, v) * 0.85,
            )
        } else {
            let wet = 1.0 - smoothstep(shore, shore + 0.05, v);
            mix(
                ramp(&sand, (v - shore) / (1.0 - shore)),
                rgb(186, 160, 118),
                wet * 0.6,
            )
        }
    });
    let aspect = w as f32 / h as f32;
    let mut rng = Rng::new(0xBEAC);
    for _ in 0..4 {
        let (cx, cy) = (rng.range(0.08, 0.92), rng.range(0.08, 0.28));
        for k in 0..4 {
            let dx = (k as f32 - 1.5) * 0.06 / aspect;
            let r = 0.05 + 0.02 * (1.5 - (k as f32 - 1.5).abs());
            c.ellipse([cx + dx, cy], [r * 1.4, r], 0.7, rgb(255, 255, 255), 0.8);
        }
    }
    c
}

/// Triangle wave in -1..1 with period 1, smoothed to look like a sine.
fn tri(x: f32) -> f32 {
    let t = (x - x.floor()) * 2.0 - 1.0;
    let s = 1.0 - 2.0 * t.abs();
    s * (1.5 - 0.5 * s * s)
}

/// Out-of-focus city lights: a dark gradient with soft warm and cool discs.
pub fn bokeh(w: usize, h: usize) -> FloatCanvas {
    let mut c = vertical(w, h, rgb(18, 16, 40), rgb(52, 28, 64));
    let palette = [
        rgb(255, 196, 110),
        rgb(255, 140, 120),
        rgb(140, 190, 255),
        rgb(255, 230, 170),
        rgb(210, 140, 255),
    ];
    let mut rng = Rng::new(0xB0CE);
    for i in 0..46 {
        let u = rng.next_f32();
        let v = rng.range(0.05, 0.95);
        let r = rng.range(0.03, 0.12) * (0.6 + 0.4 * (1.0 - v));
        let colour = palette[i % palette.len()];
        let strength = rng.range(0.25, 0.6);
        c.disc([u, v], r, 0.25, colour, strength);
    }
    c.vignette(0.35);
    c
}
