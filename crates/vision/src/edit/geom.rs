//! Where elements sit, in "photo heights": x and y both measured in units of
//! the photo's height from its top-left corner, so rotations and round
//! brushes stay round whatever the photo's aspect. Everything here sanitises
//! numbers that came over the network: non-finite values drop the element,
//! huge ones are clamped.

use std::f32::consts::TAU;

use super::{Placement, StickerPreset};

/// How far off the photo (in shares) an element's centre may be dragged.
const CENTRE_RANGE: (f32, f32) = (-2.0, 3.0);
const SCALE_RANGE: (f32, f32) = (1e-3, 100.0);
/// Stroke points farther than this (photo heights) from their anchor are clamped.
const POINT_RANGE: f32 = 10.0;
/// Sticker heights (photo heights, after scale) worth drawing.
pub(crate) const STICKER_HEIGHT_RANGE: (f32, f32) = (0.002, 4.0);
/// Stroke widths (photo heights, after scale).
pub(crate) const STROKE_WIDTH_MAX: f32 = 2.0;

/// A placement in photo heights, with its rotation ready to use.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pose {
    pub centre: [f32; 2],
    pub scale: f32,
    pub rotation: f32,
    sin: f32,
    cos: f32,
}

impl Pose {
    /// `None` when the placement cannot be drawn. `aspect` is the photo's width over height.
    pub fn new(p: &Placement, aspect: f32) -> Option<Self> {
        if ![p.x, p.y, p.scale, p.rotation]
            .iter()
            .all(|v| v.is_finite())
            || p.scale <= 0.0
        {
            return None;
        }
        let rotation = p.rotation.rem_euclid(TAU);
        let (sin, cos) = rotation.sin_cos();
        Some(Self {
            centre: [
                p.x.clamp(CENTRE_RANGE.0, CENTRE_RANGE.1) * aspect,
                p.y.clamp(CENTRE_RANGE.0, CENTRE_RANGE.1),
            ],
            scale: p.scale.clamp(SCALE_RANGE.0, SCALE_RANGE.1),
            rotation,
            sin,
            cos,
        })
    }

    /// Turns an offset clockwise on screen (y down) by the pose's rotation.
    pub fn rotate(&self, d: [f32; 2]) -> [f32; 2] {
        [
            d[0] * self.cos - d[1] * self.sin,
            d[0] * self.sin + d[1] * self.cos,
        ]
    }
}

/// A rotated rectangle in photo heights.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OBox {
    pub centre: [f32; 2],
    pub half: [f32; 2],
    pub sin: f32,
    pub cos: f32,
}

impl OBox {
    pub fn new(pose: &Pose, centre: [f32; 2], half: [f32; 2]) -> Self {
        Self {
            centre,
            half,
            sin: pose.sin,
            cos: pose.cos,
        }
    }

    /// Top-left, top-right, bottom-right, bottom-left (before rotation).
    pub fn corners(&self) -> [[f32; 2]; 4] {
        [[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]].map(|[sx, sy]| {
            let (dx, dy) = (sx * self.half[0], sy * self.half[1]);
            [
                self.centre[0] + dx * self.cos - dy * self.sin,
                self.centre[1] + dx * self.sin + dy * self.cos,
            ]
        })
    }

    /// Whether `p` lies within `slop` of the box.
    pub fn contains(&self, p: [f32; 2], slop: f32) -> bool {
        let (dx, dy) = (p[0] - self.centre[0], p[1] - self.centre[1]);
        let u = self.cos * dx + self.sin * dy;
        let v = -self.sin * dx + self.cos * dy;
        u.abs() <= self.half[0] + slop && v.abs() <= self.half[1] + slop
    }
}

/// A stroke's points where they are drawn (photo heights), finite ones only.
pub(crate) struct StrokeGeom {
    pub points: Vec<[f32; 2]>,
    /// Line width after scale, photo heights.
    pub width: f32,
    pub bounds: OBox,
}

pub(crate) fn stroke_geom(points: &[[f32; 2]], width: f32, pose: &Pose) -> Option<StrokeGeom> {
    if !(width.is_finite() && width > 0.0) {
        return None;
    }
    let raw: Vec<[f32; 2]> = points
        .iter()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .map(|p| p.map(|v| v.clamp(-POINT_RANGE, POINT_RANGE)))
        .collect();
    let (lo, hi) = raw
        .iter()
        .fold(([f32::MAX; 2], [f32::MIN; 2]), |(lo, hi), p| {
            (
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            )
        });
    if raw.is_empty() {
        return None;
    }
    let mid = [(lo[0] + hi[0]) * 0.5, (lo[1] + hi[1]) * 0.5];
    let at = [pose.centre[0] + mid[0], pose.centre[1] + mid[1]];
    let s = pose.scale;
    let points = raw
        .iter()
        .map(|p| {
            let d = pose.rotate([(p[0] - mid[0]) * s, (p[1] - mid[1]) * s]);
            [at[0] + d[0], at[1] + d[1]]
        })
        .collect();
    let width = (width * s).min(STROKE_WIDTH_MAX);
    let r = width * 0.5;
    let half = [(hi[0] - lo[0]) * 0.5 * s + r, (hi[1] - lo[1]) * 0.5 * s + r];
    Some(StrokeGeom {
        points,
        width,
        bounds: OBox::new(pose, at, half),
    })
}

/// A sticker's box in photo heights; `None` for sizes that cannot be drawn.
pub(crate) fn sticker_box(preset: StickerPreset, size: f32, pose: &Pose) -> Option<OBox> {
    if !(size.is_finite() && size > 0.0) {
        return None;
    }
    let h = (size * pose.scale).clamp(STICKER_HEIGHT_RANGE.0, STICKER_HEIGHT_RANGE.1);
    Some(OBox::new(
        pose,
        pose.centre,
        [h * preset.aspect() * 0.5, h * 0.5],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_turn_about_their_middle() {
        let place = Placement {
            x: 0.5,
            y: 0.5,
            scale: 2.0,
            rotation: TAU / 4.0,
        };
        let pose = Pose::new(&place, 2.0).unwrap();
        let g = stroke_geom(&[[0.0, 0.0], [0.2, 0.0]], 0.01, &pose).unwrap();
        // Anchor (1.0, 0.5) in heights, middle 0.1 to the right; a quarter turn
        // makes the 0.4-long (scaled) line vertical through (1.1, 0.5).
        let [a, b] = [g.points[0], g.points[1]];
        assert!(
            (a[0] - 1.1).abs() < 1e-5 && (a[1] - 0.3).abs() < 1e-5,
            "{a:?}"
        );
        assert!(
            (b[0] - 1.1).abs() < 1e-5 && (b[1] - 0.7).abs() < 1e-5,
            "{b:?}"
        );
        assert!((g.width - 0.02).abs() < 1e-6);
    }

    #[test]
    fn nonsense_is_dropped_or_clamped() {
        let bad = Placement {
            x: f32::NAN,
            ..Placement::default()
        };
        assert!(Pose::new(&bad, 1.0).is_none());
        let pose = Pose::new(&Placement::default(), 1.0).unwrap();
        assert!(stroke_geom(&[[f32::NAN, 0.0]], 0.01, &pose).is_none());
        assert!(stroke_geom(&[[0.0, 0.0]], f32::INFINITY, &pose).is_none());
        let g = stroke_geom(&[[1e30, 0.0], [f32::NAN, 1.0], [0.0, 0.0]], 0.01, &pose).unwrap();
        assert_eq!(g.points.len(), 2);
        assert!(g.points.iter().all(|p| p[0].abs() <= 2.0 * POINT_RANGE));
    }
}
