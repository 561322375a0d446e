//! The per-member adjustments people make by hand in same-screen mode.

use super::region::Region;

/// Range of the hand-set scale: beyond it a member is a speck or a giant face.
pub const USER_SCALE_RANGE: (f32, f32) = (0.25, 4.0);

/// Drag, scale and mirror of one member, shared with the room so every browser
/// draws the same picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemberTransform {
    /// Drag as a fraction of the canvas width and height (+x right, +y down),
    /// so it means the same on a 640×480 preview and a 1920×1080 shot.
    pub offset: [f32; 2],
    /// Size factor about the region's bottom centre, so a member cut at the
    /// shoulders stays on the bottom edge when resized.
    pub scale: f32,
    /// Flip left-right about the member's own centre.
    pub mirror: bool,
}

impl Default for MemberTransform {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl MemberTransform {
    pub const IDENTITY: Self = Self {
        offset: [0.0, 0.0],
        scale: 1.0,
        mirror: false,
    };

    /// The same transform with values from the wire made safe: non-finite
    /// numbers become neutral, the scale is clamped to [`USER_SCALE_RANGE`] and
    /// the drag to one canvas either way.
    pub fn sanitized(&self) -> Self {
        let finite_or = |v: f32, d: f32| if v.is_finite() { v } else { d };
        Self {
            offset: self.offset.map(|o| finite_or(o, 0.0).clamp(-1.0, 1.0)),
            scale: finite_or(self.scale, 1.0).clamp(USER_SCALE_RANGE.0, USER_SCALE_RANGE.1),
            mirror: self.mirror,
        }
    }

    /// The region moved and resized by this transform on a `width × height` canvas.
    pub fn apply(&self, region: &Region, width: u32, height: u32) -> Region {
        let t = self.sanitized();
        let (w, h) = (region.w * t.scale, region.h * t.scale);
        let cx = region.x + region.w * 0.5 + t.offset[0] * width as f32;
        let bottom = region.bottom() + t.offset[1] * height as f32;
        Region::new(cx - w * 0.5, bottom - h, w, h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_keeps_the_region() {
        let r = Region::new(10.0, 0.0, 100.0, 200.0);
        assert_eq!(MemberTransform::IDENTITY.apply(&r, 400, 200), r);
    }

    #[test]
    fn scale_is_about_the_bottom_centre_and_drag_is_in_canvas_fractions() {
        let r = Region::new(100.0, 0.0, 100.0, 200.0);
        let t = MemberTransform {
            offset: [0.25, -0.1],
            scale: 0.5,
            mirror: false,
        };
        let got = t.apply(&r, 400, 200);
        assert_eq!(got, Region::new(250.0 - 25.0, 100.0 - 20.0, 50.0, 100.0));
    }

    #[test]
    fn wire_values_are_sanitized() {
        let t = MemberTransform {
            offset: [f32::NAN, 5.0],
            scale: f32::INFINITY,
            mirror: true,
        }
        .sanitized();
        assert_eq!(t.offset, [0.0, 1.0]);
        assert_eq!(t.scale, 1.0);
        let t = MemberTransform {
            scale: 100.0,
            ..MemberTransform::IDENTITY
        };
        assert_eq!(t.sanitized().scale, USER_SCALE_RANGE.1);
    }
}
