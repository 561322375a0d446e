//! Scene stickers: pictures anyone in the room places on the group picture,
//! then moves, scales, rotates or deletes. Positions are shares of the picture
//! so the preview and the full-resolution shot agree; the sprites are drawn by
//! the same vector rasteriser as the head effects.

use std::f32::consts::TAU;

use super::effects::raster::{Paint, Pt, Shape, Sprite};
use super::effects::EffectPlacement;
use super::error::{by_id, SceneResult};
use crate::image::Rgba8Image;

/// The built-in stickers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sticker {
    Star,
    Heart,
    Sun,
    Flower,
    Balloon,
    Cloud,
}

/// Sizes a sticker keeps to, as a share of the picture's height.
pub const STICKER_SIZE_RANGE: (f32, f32) = (0.06, 0.9);

impl Sticker {
    pub const ALL: [Sticker; 6] = [
        Sticker::Star,
        Sticker::Heart,
        Sticker::Sun,
        Sticker::Flower,
        Sticker::Balloon,
        Sticker::Cloud,
    ];

    /// Stable id for messages.
    pub fn id(self) -> &'static str {
        match self {
            Sticker::Star => "star",
            Sticker::Heart => "heart",
            Sticker::Sun => "sun",
            Sticker::Flower => "flower",
            Sticker::Balloon => "balloon",
            Sticker::Cloud => "cloud",
        }
    }

    /// Name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            Sticker::Star => "Star",
            Sticker::Heart => "Heart",
            Sticker::Sun => "Sun",
            Sticker::Flower => "Flower",
            Sticker::Balloon => "Balloon",
            Sticker::Cloud => "Cloud",
        }
    }

    pub fn from_id(id: &str) -> SceneResult<Self> {
        by_id(&Self::ALL, id, "sticker", Self::id)
    }

    /// Width over height.
    pub fn aspect(self) -> f32 {
        match self {
            Sticker::Balloon => 0.6,
            Sticker::Cloud => 1.6,
            _ => 1.0,
        }
    }
}

/// Where a sticker lands on a `width`×`height` picture: `center` and `size`
/// (its height) are shares of the picture, `rotation` clockwise radians.
/// `None` for numbers that cannot be drawn (off a confused peer).
pub fn place_sticker(
    sticker: Sticker,
    center: [f32; 2],
    size: f32,
    rotation: f32,
    width: u32,
    height: u32,
) -> Option<EffectPlacement> {
    if ![center[0], center[1], size, rotation]
        .iter()
        .all(|v| v.is_finite())
    {
        return None;
    }
    let h = size.clamp(STICKER_SIZE_RANGE.0, STICKER_SIZE_RANGE.1) * height as f32;
    Some(EffectPlacement {
        center: [
            center[0].clamp(0.0, 1.0) * width as f32,
            center[1].clamp(0.0, 1.0) * height as f32,
        ],
        width: h * sticker.aspect(),
        height: h,
        rotation: rotation.rem_euclid(TAU),
    })
}

/// Whether the picture point `p` (pixels) falls on the sticker's rotated box.
pub fn sticker_contains(at: &EffectPlacement, p: [f32; 2]) -> bool {
    let (s, c) = at.rotation.sin_cos();
    let (dx, dy) = (p[0] - at.center[0], p[1] - at.center[1]);
    let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
    u.abs() <= at.width * 0.5 && v.abs() <= at.height * 0.5
}

/// Draws `sticker` `height` pixels tall (width from [`Sticker::aspect`]).
pub fn render_sticker(sticker: Sticker, height: u32) -> Rgba8Image {
    let h = height.clamp(8, 4096) as f32;
    let w = (h * sticker.aspect()).round().max(1.0);
    let mut s = Sprite::new(w as usize, h as usize);
    // Unit box: x 0..aspect, y 0..1, both in sprite heights.
    let p = |x: f32, y: f32| -> Pt { [x * h, y * h] };
    let line = |t: f32| t * h;
    match sticker {
        Sticker::Star => {
            let star = Shape::star(p(0.5, 0.54), 0.46 * h, 0.45, 5, 0.0);
            s.fill(
                &star,
                Paint::Vertical([255, 236, 110, 255], [255, 170, 30, 255]),
            );
            s.stroke(&star, line(0.03), [190, 100, 10, 255]);
            s.fill(
                &Shape::circle(p(0.42, 0.42), line(0.05)),
                Paint::Solid([255, 252, 220, 220]),
            );
        }
        Sticker::Heart => {
            let heart = Shape::Heart {
                c: p(0.5, 0.52),
                width: 0.92 * h,
            };
            s.fill(
                &heart,
                Paint::Vertical([255, 104, 140, 255], [210, 24, 70, 255]),
            );
            s.stroke(&heart, line(0.03), [130, 12, 44, 255]);
            let glint = Shape::Ellipse {
                c: p(0.3, 0.34),
                r: [0.1 * h, 0.06 * h],
                angle: -0.6,
            };
            s.fill(&glint, Paint::Solid([255, 255, 255, 170]));
        }
        Sticker::Sun => {
            for i in 0..12 {
                let t = i as f32 * TAU / 12.0;
                let ray = Shape::Capsule {
                    a: p(0.5 + 0.3 * t.sin(), 0.5 - 0.3 * t.cos()),
                    b: p(0.5 + 0.45 * t.sin(), 0.5 - 0.45 * t.cos()),
                    r: line(0.035),
                };
                s.fill(&ray, Paint::Solid([255, 190, 40, 255]));
            }
            let disc = Shape::circle(p(0.5, 0.5), 0.26 * h);
            s.fill(
                &disc,
                Paint::Vertical([255, 232, 90, 255], [255, 160, 20, 255]),
            );
            s.stroke(&disc, line(0.025), [200, 110, 10, 255]);
        }
        Sticker::Flower => {
            for i in 0..6 {
                let t = i as f32 * TAU / 6.0;
                let petal = Shape::Ellipse {
                    c: p(0.5 + 0.24 * t.sin(), 0.5 - 0.24 * t.cos()),
                    r: [0.13 * h, 0.2 * h],
                    angle: t,
                };
                s.fill(
                    &petal,
                    Paint::Vertical([255, 170, 210, 255], [236, 90, 160, 255]),
                );
                s.stroke(&petal, line(0.015), [160, 40, 100, 255]);
            }
            let heart = Shape::circle(p(0.5, 0.5), 0.12 * h);
            s.fill(
                &heart,
                Paint::Vertical([255, 226, 80, 255], [240, 170, 20, 255]),
            );
            s.stroke(&heart, line(0.015), [170, 100, 10, 255]);
        }
        Sticker::Balloon => {
            let ax = 0.3;
            let string = Shape::Capsule {
                a: p(ax, 0.7),
                b: p(ax + 0.04, 0.98),
                r: line(0.008),
            };
            s.fill(&string, Paint::Solid([90, 90, 100, 255]));
            let knot = Shape::Polygon(vec![p(ax - 0.04, 0.72), p(ax + 0.04, 0.72), p(ax, 0.66)]);
            s.fill(&knot, Paint::Solid([200, 30, 40, 255]));
            let body = Shape::Ellipse {
                c: p(ax, 0.36),
                r: [0.27 * h, 0.33 * h],
                angle: 0.0,
            };
            s.fill(
                &body,
                Paint::Vertical([255, 90, 90, 255], [200, 20, 40, 255]),
            );
            s.stroke(&body, line(0.02), [130, 10, 24, 255]);
            let glint = Shape::Ellipse {
                c: p(ax - 0.1, 0.22),
                r: [0.05 * h, 0.09 * h],
                angle: 0.4,
            };
            s.fill(&glint, Paint::Solid([255, 255, 255, 170]));
        }
        Sticker::Cloud => {
            let puffs = [
                (0.42, 0.6, 0.26),
                (0.75, 0.42, 0.3),
                (1.1, 0.55, 0.26),
                (1.3, 0.68, 0.2),
                (0.28, 0.7, 0.2),
            ];
            let base = Shape::Capsule {
                a: p(0.3, 0.74),
                b: p(1.3, 0.74),
                r: 0.16 * h,
            };
            for (x, y, r) in puffs {
                s.stroke(
                    &Shape::circle(p(x, y), r * h),
                    line(0.03),
                    [150, 170, 200, 255],
                );
            }
            s.stroke(&base, line(0.03), [150, 170, 200, 255]);
            for (x, y, r) in puffs {
                s.fill(
                    &Shape::circle(p(x, y), r * h),
                    Paint::Vertical([255, 255, 255, 255], [226, 236, 250, 255]),
                );
            }
            s.fill(
                &base,
                Paint::Vertical([246, 250, 255, 255], [226, 236, 250, 255]),
            );
        }
    }
    s.into_image()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::draw_sprite;

    #[test]
    fn ids_round_trip() {
        for k in Sticker::ALL {
            assert_eq!(Sticker::from_id(k.id()), Ok(k));
            assert!(!k.name().is_empty());
        }
        assert!(Sticker::from_id("unicorn").is_err());
    }

    #[test]
    fn every_sticker_has_ink_inside_and_a_clear_corner() {
        for k in Sticker::ALL {
            let img = render_sticker(k, 64);
            assert_eq!(img.height, 64);
            assert_eq!(img.width, (64.0 * k.aspect()).round() as u32);
            let opaque = img.data.chunks(4).filter(|p| p[3] > 200).count();
            let share = opaque as f32 / (img.width * img.height) as f32;
            assert!((0.15..0.9).contains(&share), "{k:?} covers {share}");
            assert_eq!(img.data[3], 0, "{k:?} top-left corner is clear");
        }
    }

    #[test]
    fn placement_is_in_shares_of_the_picture_and_clamped() {
        let at = place_sticker(Sticker::Cloud, [0.25, 0.5], 0.2, -0.5, 1920, 1080).unwrap();
        assert_eq!(at.center, [480.0, 540.0]);
        assert!((at.height - 216.0).abs() < 1e-3);
        assert!((at.width - 216.0 * 1.6).abs() < 1e-3);
        assert!((at.rotation - (TAU - 0.5)).abs() < 1e-5);
        let big = place_sticker(Sticker::Star, [2.0, -1.0], 50.0, 0.0, 800, 450).unwrap();
        assert_eq!(big.center, [800.0, 0.0]);
        assert!((big.height - STICKER_SIZE_RANGE.1 * 450.0).abs() < 1e-3);
        assert!(place_sticker(Sticker::Star, [f32::NAN, 0.5], 0.2, 0.0, 800, 450).is_none());
    }

    #[test]
    fn hits_follow_the_rotation() {
        // A box 200 wide and 100 tall at (400, 200), turned a quarter: now tall.
        let at = EffectPlacement {
            center: [400.0, 200.0],
            width: 200.0,
            height: 100.0,
            rotation: TAU / 4.0,
        };
        assert!(sticker_contains(&at, [400.0, 290.0]));
        assert!(!sticker_contains(&at, [490.0, 200.0]));
        let flat = EffectPlacement {
            rotation: 0.0,
            ..at
        };
        assert!(sticker_contains(&flat, [490.0, 200.0]));
        assert!(!sticker_contains(&flat, [400.0, 290.0]));
    }

    #[test]
    fn a_drawn_star_lands_where_it_was_placed() {
        let mut pic = Rgba8Image::new(400, 200, vec![40; 400 * 200 * 4]).unwrap();
        let at = place_sticker(Sticker::Star, [0.75, 0.5], 0.4, 0.0, 400, 200).unwrap();
        let sprite = render_sticker(Sticker::Star, at.height.ceil() as u32);
        draw_sprite(&mut pic, &sprite, &at).unwrap();
        let yellow = |x: usize, y: usize| {
            let p = &pic.data[(y * 400 + x) * 4..][..3];
            p[0] > 200 && p[1] > 150 && p[2] < 120
        };
        assert!(yellow(300, 100), "the star's middle");
        assert!(!yellow(100, 100), "nothing on the left half");
        let count = (0..200)
            .flat_map(|y| (0..400).map(move |x| (x, y)))
            .filter(|&(x, y)| yellow(x, y))
            .count();
        assert!(count > 1000 && count < 6400, "{count} yellow pixels");
    }
}
