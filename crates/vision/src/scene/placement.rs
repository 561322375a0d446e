//! Where a member's cut-out lands on the canvas: a scale, an optional left-right
//! flip and a translation (no rotation, so composition can map whole rows).
//!
//! Fit rule: the cut-out's height fills the region's height (people fill their
//! place top to bottom; wider frames spill sideways, which is harmless because a
//! cut-out is transparent around the person), and its bottom centre sits on the
//! region's bottom centre (a person cut at the shoulders stays on the bottom edge).
//! Grid cells clip their member. In same-screen mode nothing is clipped, but the
//! frame is shrunk when it would be more than [`MAX_SPILL`] region widths wide,
//! so with many members people stand shoulder to shoulder instead of on top of
//! each other. Auto-arrange multiplies the scale and moves the anchor to the
//! person's box.

use super::arrange::Arrangement;
use super::layout::LayoutMode;
use super::region::Region;
use super::transform::MemberTransform;

/// Widest a same-screen cut-out may be, in region widths.
pub const MAX_SPILL: f32 = 2.0;

/// Affine map from a cut-out's pixels to the canvas:
/// `canvas = (tx + sx·x, ty + scale·y)` with `sx = ±scale` (negative when mirrored),
/// drawn only inside `clip`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub src_w: u32,
    pub src_h: u32,
    pub scale: f32,
    pub mirror: bool,
    pub tx: f32,
    pub ty: f32,
    pub clip: Region,
}

impl Placement {
    fn sx(&self) -> f32 {
        if self.mirror {
            -self.scale
        } else {
            self.scale
        }
    }

    /// Whether the numbers can be drawn (finite, positive scale, non-empty source).
    pub fn is_drawable(&self) -> bool {
        self.src_w > 0
            && self.src_h > 0
            && self.scale.is_finite()
            && self.scale > 1e-6
            && self.tx.is_finite()
            && self.ty.is_finite()
    }

    /// A frame point (pixels) on the canvas.
    pub fn map(&self, p: [f32; 2]) -> [f32; 2] {
        [self.tx + self.sx() * p[0], self.ty + self.scale * p[1]]
    }

    /// A canvas point back in the frame.
    pub fn unmap(&self, c: [f32; 2]) -> [f32; 2] {
        [(c[0] - self.tx) / self.sx(), (c[1] - self.ty) / self.scale]
    }

    /// The whole cut-out's rectangle on the canvas, before clipping.
    pub fn bounds(&self) -> Region {
        let a = self.map([0.0, 0.0]);
        let b = self.map([self.src_w as f32, self.src_h as f32]);
        Region::new(
            a[0].min(b[0]),
            a[1].min(b[1]),
            (b[0] - a[0]).abs(),
            (b[1] - a[1]).abs(),
        )
    }
}

/// Canvas pixels per frame pixel for a `fw × fh` cut-out in `region`, before
/// auto-arrange (see the module docs).
pub fn fit_scale(mode: LayoutMode, region: &Region, fw: u32, fh: u32) -> f32 {
    if fw == 0 || fh == 0 {
        return 0.0;
    }
    let fill = region.h / fh as f32;
    match mode {
        LayoutMode::Grid => fill,
        LayoutMode::SameScreen => fill.min(MAX_SPILL * region.w / fw as f32),
    }
}

/// Placement of a `fw × fh` cut-out for a member whose layout region is `region`
/// on a `width × height` canvas. The user transform's drag and scale apply in
/// same-screen mode only (grid cells stay put); the mirror applies in both.
/// `None` when the numbers cannot be drawn (empty frame, non-finite input).
pub fn place(
    mode: LayoutMode,
    region: &Region,
    canvas: (u32, u32),
    frame: (u32, u32),
    transform: &MemberTransform,
    auto: Option<&Arrangement>,
) -> Option<Placement> {
    let (fw, fh) = frame;
    let t = transform.sanitized();
    let (r, clip) = match mode {
        LayoutMode::Grid => (*region, *region),
        LayoutMode::SameScreen => (
            t.apply(region, canvas.0, canvas.1),
            Region::canvas(canvas.0, canvas.1),
        ),
    };
    let (k, anchor) = match auto {
        Some(a) if a.scale.is_finite() && a.anchor.iter().all(|v| v.is_finite()) => {
            (a.scale, a.anchor)
        }
        _ => (1.0, [fw as f32 * 0.5, fh as f32]),
    };
    let scale = fit_scale(mode, &r, fw, fh) * k;
    let sx = if t.mirror { -scale } else { scale };
    let p = Placement {
        src_w: fw,
        src_h: fh,
        scale,
        mirror: t.mirror,
        tx: r.x + r.w * 0.5 - sx * anchor[0],
        ty: r.bottom() - scale * anchor[1],
        clip,
    };
    p.is_drawable().then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_and_unmap_are_inverse_also_mirrored() {
        for mirror in [false, true] {
            let p = Placement {
                src_w: 10,
                src_h: 10,
                scale: 2.5,
                mirror,
                tx: 7.0,
                ty: -3.0,
                clip: Region::canvas(100, 100),
            };
            let q = p.unmap(p.map([3.0, 4.0]));
            assert!((q[0] - 3.0).abs() < 1e-5 && (q[1] - 4.0).abs() < 1e-5);
        }
    }

    #[test]
    fn fills_height_on_the_bottom_centre() {
        let r = Region::new(0.0, 0.0, 320.0, 480.0);
        let p = place(
            LayoutMode::Grid,
            &r,
            (640, 480),
            (640, 480),
            &MemberTransform::IDENTITY,
            None,
        )
        .unwrap();
        assert_eq!(p.scale, 1.0);
        assert_eq!(p.map([320.0, 480.0]), [160.0, 480.0]);
        assert_eq!(p.clip, r);
    }

    #[test]
    fn same_screen_caps_the_spill() {
        let r = Region::new(0.0, 0.0, 100.0, 480.0);
        assert_eq!(fit_scale(LayoutMode::Grid, &r, 640, 480), 1.0);
        assert!((fit_scale(LayoutMode::SameScreen, &r, 640, 480) - 200.0 / 640.0).abs() < 1e-6);
    }

    #[test]
    fn unusable_numbers_give_none() {
        let r = Region::new(0.0, 0.0, 100.0, 100.0);
        let id = MemberTransform::IDENTITY;
        assert!(place(LayoutMode::Grid, &r, (100, 100), (0, 10), &id, None).is_none());
        let bad = Region::new(f32::NAN, 0.0, 100.0, 100.0);
        assert!(place(LayoutMode::Grid, &bad, (100, 100), (10, 10), &id, None).is_none());
    }
}
