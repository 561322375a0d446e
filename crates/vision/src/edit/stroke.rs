//! Freehand strokes: centripetal Catmull-Rom smoothing, then anti-aliased
//! coverage from round-capped segments (so joins and caps are round for free).
//!
//! A stroke's coverage is built whole before it is painted: overlapping
//! segments take the max, so a half-transparent pen does not darken where the
//! line crosses itself, and eraser strokes can cut it before it is painted.

/// Consecutive points closer than this (canvas pixels) are one point: the
/// centripetal knots need distinct points, and nobody sees the difference.
pub(crate) const SAME_POINT: f32 = 0.05;

/// Centripetal Catmull-Rom through `points`, as a polyline whose pieces are at
/// most about `step` long (in the points' units). Ends are extended by
/// reflection so the curve reaches the first and last points.
pub(crate) fn smooth(points: &[[f32; 2]], step: f32, same: f32) -> Vec<[f32; 2]> {
    let mut p: Vec<[f32; 2]> = Vec::with_capacity(points.len());
    for &q in points {
        if p.last().is_none_or(|l| dist(*l, q) > same) {
            p.push(q);
        }
    }
    if p.len() < 3 {
        return p;
    }
    let n = p.len();
    let at = |i: isize| -> [f32; 2] {
        if i < 0 {
            lerp(p[1], p[0], 2.0)
        } else if i as usize >= n {
            lerp(p[n - 2], p[n - 1], 2.0)
        } else {
            p[i as usize]
        }
    };
    let step = step.max(1e-6);
    let mut out = Vec::with_capacity(n * 4);
    out.push(p[0]);
    for i in 0..n - 1 {
        let i = i as isize;
        let (p0, p1, p2, p3) = (at(i - 1), at(i), at(i + 1), at(i + 2));
        let pieces = (dist(p1, p2) / step).ceil().clamp(1.0, 64.0) as usize;
        for k in 1..=pieces {
            out.push(catmull_rom(p0, p1, p2, p3, k as f32 / pieces as f32));
        }
    }
    out
}

/// Drops points of the polyline that lie within `tol` of the chord that skips
/// them: fine smoothing steps make many short capsules, and each costs its
/// whole width in pixels however short it is.
pub(crate) fn simplify(p: &[[f32; 2]], tol: f32) -> Vec<[f32; 2]> {
    if p.len() < 3 {
        return p.to_vec();
    }
    let mut out = vec![p[0]];
    let mut from = 0;
    let mut j = 2;
    while j < p.len() {
        // Runs are capped so a long straight stroke stays linear-time.
        let ok = j - from <= 64 && (from + 1..j).all(|k| segment_dist(p[k], p[from], p[j]) <= tol);
        if ok {
            j += 1;
        } else {
            from = j - 1;
            out.push(p[from]);
            j = from + 2;
        }
    }
    out.push(p[p.len() - 1]);
    out
}

/// The point a share `s` of the way from `p1` to `p2` (Barry and Goldman's
/// pyramid, alpha = 0.5: no cusps or loops on uneven spacing).
fn catmull_rom(p0: [f32; 2], p1: [f32; 2], p2: [f32; 2], p3: [f32; 2], s: f32) -> [f32; 2] {
    let knot = |a: [f32; 2], b: [f32; 2]| dist(a, b).sqrt().max(1e-4);
    let t0 = 0.0;
    let t1 = t0 + knot(p0, p1);
    let t2 = t1 + knot(p1, p2);
    let t3 = t2 + knot(p2, p3);
    let t = t1 + (t2 - t1) * s;
    let mix = |a: [f32; 2], b: [f32; 2], ta: f32, tb: f32| lerp(a, b, (t - ta) / (tb - ta));
    let a1 = mix(p0, p1, t0, t1);
    let a2 = mix(p1, p2, t1, t2);
    let a3 = mix(p2, p3, t2, t3);
    let b1 = mix(a1, a2, t0, t2);
    let b2 = mix(a2, a3, t1, t3);
    let c = mix(b1, b2, t1, t2);
    if c[0].is_finite() && c[1].is_finite() {
        c
    } else {
        lerp(p1, p2, s)
    }
}

fn lerp(a: [f32; 2], b: [f32; 2], t: f32) -> [f32; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

pub(crate) fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Distance from `p` to the segment `a`–`b`.
pub(crate) fn segment_dist(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (pa, ba) = ([p[0] - a[0], p[1] - a[1]], [b[0] - a[0], b[1] - a[1]]);
    let len2 = ba[0] * ba[0] + ba[1] * ba[1];
    let h = if len2 > 0.0 {
        ((pa[0] * ba[0] + pa[1] * ba[1]) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (pa[0] - ba[0] * h).hypot(pa[1] - ba[1] * h)
}

/// Coverage (0..1) of one stroke over the canvas pixels it can touch.
pub(crate) struct Coverage {
    pub x0: usize,
    pub y0: usize,
    pub w: usize,
    pub h: usize,
    pub cov: Vec<f32>,
    /// Per row, the columns `lo..hi` (buffer-relative) that may be non-zero.
    pub spans: Vec<(usize, usize)>,
}

impl Coverage {
    /// Rasterises the polyline `pts` (canvas pixels) `width` pixels wide on a
    /// `cw`×`ch` canvas; `None` when nothing of it lands there.
    pub fn stroke(pts: &[[f32; 2]], width: f32, cw: u32, ch: u32) -> Option<Self> {
        if pts.is_empty() || width.is_nan() || width <= 0.0 {
            return None;
        }
        // Lines thinner than a pixel are drawn a pixel wide and fainter, so they
        // keep their weight instead of breaking into dots.
        let (r, gain) = if width < 1.0 {
            (0.5, width)
        } else {
            (width * 0.5, 1.0)
        };
        let reach = r + 0.5;
        let (lo, hi) = pts
            .iter()
            .fold(([f32::MAX; 2], [f32::MIN; 2]), |(lo, hi), p| {
                (
                    [lo[0].min(p[0]), lo[1].min(p[1])],
                    [hi[0].max(p[0]), hi[1].max(p[1])],
                )
            });
        let clampx = |v: f32| v.clamp(0.0, cw as f32) as usize;
        let clampy = |v: f32| v.clamp(0.0, ch as f32) as usize;
        let (x0, x1) = (
            clampx((lo[0] - reach).floor()),
            clampx((hi[0] + reach).ceil()),
        );
        let (y0, y1) = (
            clampy((lo[1] - reach).floor()),
            clampy((hi[1] + reach).ceil()),
        );
        if x1 <= x0 || y1 <= y0 {
            return None;
        }
        let (w, h) = (x1 - x0, y1 - y0);
        let mut c = Coverage {
            x0,
            y0,
            w,
            h,
            cov: vec![0.0; w * h],
            spans: vec![(w, 0); h],
        };
        // Long pieces are split so each capsule's rows stay short.
        let piece = (4.0 * r).max(8.0);
        if pts.len() == 1 {
            c.capsule(pts[0], pts[0], r, gain);
        }
        // Segments off the buffer cost nothing (a far-flung point from a peer
        // must not cost a frame).
        let (bx0, by0) = (x0 as f32 - reach, y0 as f32 - reach);
        let (bx1, by1) = (x1 as f32 + reach, y1 as f32 + reach);
        for s in pts.windows(2) {
            let (a, b) = (s[0], s[1]);
            if a[0].max(b[0]) < bx0
                || a[1].max(b[1]) < by0
                || a[0].min(b[0]) > bx1
                || a[1].min(b[1]) > by1
            {
                continue;
            }
            let n = (dist(s[0], s[1]) / piece).ceil().clamp(1.0, 4096.0) as usize;
            for k in 0..n {
                let a = lerp(s[0], s[1], k as f32 / n as f32);
                let b = lerp(s[0], s[1], (k + 1) as f32 / n as f32);
                c.capsule(a, b, r, gain);
            }
        }
        Some(c)
    }

    /// Max-combines a round-capped segment of radius `r` (canvas pixels).
    fn capsule(&mut self, a: [f32; 2], b: [f32; 2], r: f32, gain: f32) {
        // Buffer coordinates, pixel centres at integers.
        let a = [a[0] - self.x0 as f32 - 0.5, a[1] - self.y0 as f32 - 0.5];
        let b = [b[0] - self.x0 as f32 - 0.5, b[1] - self.y0 as f32 - 0.5];
        let reach = r + 0.5;
        let (inner2, outer2) = ((r - 0.5).max(0.0).powi(2), reach * reach);
        let ba = [b[0] - a[0], b[1] - a[1]];
        let len2 = ba[0] * ba[0] + ba[1] * ba[1];
        let inv = if len2 > 0.0 { 1.0 / len2 } else { 0.0 };
        if a[0].max(b[0]) + reach < 0.0 || a[0].min(b[0]) - reach > self.w as f32 {
            return;
        }
        let ylo = (a[1].min(b[1]) - reach).ceil().max(0.0) as usize;
        let yhi = ((a[1].max(b[1]) + reach).floor() + 1.0).clamp(0.0, self.h as f32) as usize;
        for y in ylo..yhi {
            let py = y as f32;
            // The part of the segment within `reach` of this row, widened by `reach`.
            let (ta, tb) = if ba[1].abs() > 1e-6 {
                let t1 = (py - reach - a[1]) / ba[1];
                let t2 = (py + reach - a[1]) / ba[1];
                (t1.min(t2).clamp(0.0, 1.0), t1.max(t2).clamp(0.0, 1.0))
            } else {
                (0.0, 1.0)
            };
            let (xa, xb) = (a[0] + ba[0] * ta, a[0] + ba[0] * tb);
            let xlo = (xa.min(xb) - reach).ceil().max(0.0) as usize;
            let xhi = ((xa.max(xb) + reach).floor() + 1.0).clamp(0.0, self.w as f32) as usize;
            if xhi <= xlo {
                continue;
            }
            let row = &mut self.cov[y * self.w..][..self.w];
            let pay = py - a[1];
            for (x, v) in row.iter_mut().enumerate().take(xhi).skip(xlo) {
                let pax = x as f32 - a[0];
                let t = ((pax * ba[0] + pay * ba[1]) * inv).clamp(0.0, 1.0);
                let (dx, dy) = (pax - ba[0] * t, pay - ba[1] * t);
                let d2 = dx * dx + dy * dy;
                let cover = if d2 <= inner2 {
                    gain
                } else if d2 >= outer2 {
                    continue;
                } else {
                    (reach - d2.sqrt()).min(1.0) * gain
                };
                if cover > *v {
                    *v = cover;
                }
            }
            let s = &mut self.spans[y];
            *s = (s.0.min(xlo), s.1.max(xhi));
        }
    }

    /// Coverage at canvas pixel (x, y); 0 off the buffer.
    fn at_row(&self, y: usize) -> Option<(&[f32], usize, usize)> {
        let r = y.checked_sub(self.y0).filter(|&r| r < self.h)?;
        let (lo, hi) = self.spans[r];
        (lo < hi).then(|| (&self.cov[r * self.w..][..self.w], lo, hi))
    }

    /// Removes what `eraser` covers from this stroke's ink.
    pub fn erase(&mut self, eraser: &Coverage) {
        for r in 0..self.h {
            let (lo, hi) = self.spans[r];
            if lo >= hi {
                continue;
            }
            let Some((erow, elo, ehi)) = eraser.at_row(self.y0 + r) else {
                continue;
            };
            // Both spans in canvas columns, then the overlap.
            let from = (self.x0 + lo).max(eraser.x0 + elo);
            let to = (self.x0 + hi).min(eraser.x0 + ehi);
            let row = &mut self.cov[r * self.w..][..self.w];
            for x in from..to {
                row[x - self.x0] *= 1.0 - erow[x - eraser.x0];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_passes_through_the_points() {
        let pts = [[0.0, 0.0], [10.0, 5.0], [20.0, 0.0], [30.0, 8.0]];
        let s = smooth(&pts, 1.0, 0.01);
        assert!(s.len() > 30);
        for p in pts {
            assert!(s.iter().any(|q| dist(*q, p) < 1e-3), "{p:?}");
        }
        assert!(s.iter().all(|q| q[0].is_finite() && q[1].is_finite()));
    }

    #[test]
    fn simplifying_keeps_corners_and_drops_straight_runs() {
        let line: Vec<[f32; 2]> = (0..=10).map(|i| [i as f32, 0.0]).collect();
        assert_eq!(simplify(&line, 0.1), vec![[0.0, 0.0], [10.0, 0.0]]);
        let corner = [
            [0.0, 0.0],
            [5.0, 0.0],
            [10.0, 0.0],
            [10.0, 5.0],
            [10.0, 10.0],
        ];
        assert_eq!(
            simplify(&corner, 0.1),
            vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]
        );
    }

    #[test]
    fn duplicates_do_not_break_the_knots() {
        let s = smooth(&[[1.0, 1.0]; 5], 1.0, 0.01);
        assert_eq!(s, vec![[1.0, 1.0]]);
        let s = smooth(
            &[[0.0, 0.0], [0.0, 0.0], [5.0, 0.0], [5.0, 0.0], [9.0, 3.0]],
            1.0,
            0.01,
        );
        assert!(s.iter().all(|q| q[0].is_finite() && q[1].is_finite()));
    }

    #[test]
    fn a_dot_is_round_and_solid() {
        let c = Coverage::stroke(&[[10.0, 10.0]], 8.0, 20, 20).unwrap();
        let at = |x: usize, y: usize| c.cov[(y - c.y0) * c.w + x - c.x0];
        assert_eq!(at(10, 10), 1.0);
        assert_eq!(at(7, 10), 1.0);
        assert!(at(5, 5) < 0.01, "corner of the box is outside the circle");
    }

    #[test]
    fn an_eraser_removes_ink_where_it_covers() {
        let mut line = Coverage::stroke(&[[2.0, 10.0], [38.0, 10.0]], 4.0, 40, 20).unwrap();
        let e = Coverage::stroke(&[[20.0, 0.0], [20.0, 20.0]], 6.0, 40, 20).unwrap();
        line.erase(&e);
        let at = |x: usize| line.cov[(10 - line.y0) * line.w + x - line.x0];
        assert_eq!(at(20), 0.0);
        assert_eq!(at(10), 1.0);
    }
}
