//! Putting an effect on a head: the head's eye line, mapped through the member's
//! placement, gives the position, size and tilt on the canvas, so effects follow
//! the head as it moves, tilts, is scaled or mirrored.

use super::Effect;
#[cfg(feature = "models")]
use crate::face::topology::{LEFT_EYE_INNER, LEFT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_EYE_OUTER};
#[cfg(feature = "models")]
use crate::face::Face;
use crate::image::BBox;
use crate::scene::placement::Placement;

/// A head in its member's frame pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadGeometry {
    /// Eye centres, `eyes[0]` the one on the image's left in the unmirrored frame.
    pub eyes: [[f32; 2]; 2],
}

impl HeadGeometry {
    pub fn from_eyes(left: [f32; 2], right: [f32; 2]) -> Self {
        Self {
            eyes: [left, right],
        }
    }

    /// From a face box (the mesh's bounding box) and the roll in degrees
    /// (clockwise on screen), when there are no eye points: on the mesh box the
    /// eyes sit at about 40 % of the height and 0.42 widths apart.
    pub fn from_face_box(b: &BBox, roll_deg: f32) -> Self {
        let c = [(b.x0 + b.x1) * 0.5, b.y0 + 0.4 * b.height()];
        let half = 0.21 * b.width();
        let (s, co) = roll_deg.to_radians().sin_cos();
        Self {
            eyes: [
                [c[0] - half * co, c[1] - half * s],
                [c[0] + half * co, c[1] + half * s],
            ],
        }
    }

    /// Distance between the eye centres in frame pixels: the head size that
    /// auto-arrange ([`crate::scene::ArrangeInput::head_size`]) compares.
    pub fn eye_distance(&self) -> f32 {
        let [a, b] = self.eyes;
        (b[0] - a[0]).hypot(b[1] - a[1])
    }

    /// From a tracked face: eye centres from the mesh's eye corners.
    #[cfg(feature = "models")]
    pub fn from_face(face: &Face) -> Self {
        let lm = &face.landmarks;
        let idx = [
            LEFT_EYE_OUTER,
            LEFT_EYE_INNER,
            RIGHT_EYE_INNER,
            RIGHT_EYE_OUTER,
        ];
        if idx.iter().any(|&i| i >= lm.len()) {
            return Self::from_face_box(&face.bbox, face.pose.roll);
        }
        let mid = |a: usize, b: usize| [(lm[a][0] + lm[b][0]) * 0.5, (lm[a][1] + lm[b][1]) * 0.5];
        Self::from_eyes(
            mid(LEFT_EYE_OUTER, LEFT_EYE_INNER),
            mid(RIGHT_EYE_INNER, RIGHT_EYE_OUTER),
        )
    }
}

/// An effect sprite on the canvas: draw it `width × height` centred on `center`,
/// rotated by `rotation` radians (clockwise on screen, as canvas `rotate`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EffectPlacement {
    pub center: [f32; 2],
    pub width: f32,
    pub height: f32,
    pub rotation: f32,
}

/// Where `effect` goes for a head placed by `placement`; `None` for a degenerate
/// head (eyes on top of each other, non-finite numbers).
pub fn place_effect(
    effect: Effect,
    head: &HeadGeometry,
    placement: &Placement,
) -> Option<EffectPlacement> {
    let mut a = placement.map(head.eyes[0]);
    let mut b = placement.map(head.eyes[1]);
    // Mirroring swaps which eye is on the left; keep the eye line pointing right
    // so the sprite stays upright.
    if placement.mirror {
        std::mem::swap(&mut a, &mut b);
    }
    let v = [b[0] - a[0], b[1] - a[1]];
    let d = v[0].hypot(v[1]);
    if !(d.is_finite() && d > 1e-3) {
        return None;
    }
    let ex = [v[0] / d, v[1] / d];
    // Down the face: the eye line turned a quarter clockwise (y down).
    let ey = [-ex[1], ex[0]];
    let mid = [(a[0] + b[0]) * 0.5, (a[1] + b[1]) * 0.5];
    let anchor = effect.anchor();
    let [ox, oy] = anchor.offset.map(|o| o * d);
    let width = anchor.width * d;
    Some(EffectPlacement {
        center: [
            mid[0] + ox * ex[0] + oy * ey[0],
            mid[1] + ox * ex[1] + oy * ey[1],
        ],
        width,
        height: width * effect.aspect(),
        rotation: v[1].atan2(v[0]),
    })
}
