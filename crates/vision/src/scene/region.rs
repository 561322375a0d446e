//! Rectangles in canvas pixels. `f32` because same-screen regions fall between
//! pixels (a third of 640); grid cells are whole pixels so they tile exactly.

/// An axis-aligned rectangle on the canvas: `x..x+w` × `y..y+h`, in pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Region {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self { x, y, w, h }
    }

    /// The whole canvas.
    pub fn canvas(width: u32, height: u32) -> Self {
        Self::new(0.0, 0.0, width as f32, height as f32)
    }

    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    pub fn center(&self) -> [f32; 2] {
        [self.x + self.w * 0.5, self.y + self.h * 0.5]
    }

    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    /// The common part, or `None` when the two only touch or are apart.
    pub fn intersection(&self, other: &Region) -> Option<Region> {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = self.right().min(other.right());
        let y1 = self.bottom().min(other.bottom());
        (x1 > x0 && y1 > y0).then(|| Region::new(x0, y0, x1 - x0, y1 - y0))
    }

    /// Whether `other` lies inside this one (edges may touch), within `eps` pixels.
    pub fn contains_region(&self, other: &Region, eps: f32) -> bool {
        other.x >= self.x - eps
            && other.y >= self.y - eps
            && other.right() <= self.right() + eps
            && other.bottom() <= self.bottom() + eps
    }

    /// Whole-pixel span `[x0, x1) × [y0, y1)` of this region clipped to a
    /// `width × height` canvas (pixels whose centre lies inside).
    pub(crate) fn pixel_span(&self, width: u32, height: u32) -> [usize; 4] {
        let span = |lo: f32, hi: f32, max: u32| {
            // Pixel i is inside when its centre i + 0.5 lies in [lo, hi).
            let a = (lo - 0.5).ceil().clamp(0.0, max as f32) as usize;
            let b = (hi - 0.5).ceil().clamp(0.0, max as f32) as usize;
            (a, b.max(a))
        };
        if !(self.x.is_finite() && self.y.is_finite() && self.w.is_finite() && self.h.is_finite()) {
            return [0, 0, 0, 0];
        }
        let (x0, x1) = span(self.x, self.right(), width);
        let (y0, y1) = span(self.y, self.bottom(), height);
        [x0, y0, x1, y1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersection_and_containment() {
        let a = Region::new(0.0, 0.0, 10.0, 10.0);
        let b = Region::new(5.0, 5.0, 10.0, 10.0);
        assert_eq!(a.intersection(&b), Some(Region::new(5.0, 5.0, 5.0, 5.0)));
        assert_eq!(a.intersection(&Region::new(10.0, 0.0, 5.0, 5.0)), None);
        assert!(a.contains_region(&Region::new(1.0, 1.0, 9.0, 9.0), 0.0));
        assert!(!a.contains_region(&b, 0.0));
    }

    #[test]
    fn pixel_span_takes_pixels_whose_centre_is_inside() {
        assert_eq!(
            Region::new(0.0, 0.0, 4.0, 2.0).pixel_span(10, 10),
            [0, 0, 4, 2]
        );
        // 1.4..3.6: centres 1.5, 2.5, 3.5.
        assert_eq!(
            Region::new(1.4, 0.0, 2.2, 1.0).pixel_span(10, 10),
            [1, 0, 4, 1]
        );
        assert_eq!(
            Region::new(-5.0, -5.0, 100.0, 100.0).pixel_span(8, 6),
            [0, 0, 8, 6]
        );
        assert_eq!(
            Region::new(f32::NAN, 0.0, 1.0, 1.0).pixel_span(8, 6),
            [0, 0, 0, 0]
        );
    }
}
