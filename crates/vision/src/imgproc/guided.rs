//! Fast guided filter (He & Sun 2015): the coarse model mask is refined so its
//! soft edge follows luminance edges of the full-resolution frame (hair, collar)
//! instead of the blocky 256×256 model grid. The linear coefficients are solved on
//! the low-resolution grid and only `q = a·I + b` runs per frame pixel.
//!
//! [`FastGuidedFilter::apply_rgba`] is the per-frame path: it reads the RGBA frame
//! directly and fuses luminance, the upsampling of `a` and `b`, the combination and
//! the conversion to bytes into one pass over the frame, because at 640×480 the
//! separate full-size passes cost more than the whole low-resolution solve.

use super::box_filter::box_mean;
use super::color::luma_of;
use super::resize::{AxisMap, Resizer};

/// Tuning for [`FastGuidedFilter`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GuidedParams {
    /// Window radius on the low-resolution grid.
    pub radius: usize,
    /// Regularisation: larger keeps the mask smoother and less edge-following.
    pub eps: f32,
}

impl Default for GuidedParams {
    fn default() -> Self {
        // Chosen on the reference photos: follows hair/shoulder edges while keeping
        // the thresholded mask within the IoU target of MediaPipe's own mask.
        Self {
            radius: 3,
            eps: 0.01,
        }
    }
}

/// Scratch buffers for the filter, reused across frames.
#[derive(Clone, Debug, Default)]
pub struct FastGuidedFilter {
    guide_lo: Vec<f32>,
    mean_i: Vec<f32>,
    mean_p: Vec<f32>,
    corr: Vec<f32>,
    tmp: Vec<f32>,
    prod: Vec<f32>,
    a: Vec<f32>,
    b: Vec<f32>,
    a_hi: Vec<f32>,
    b_hi: Vec<f32>,
    down: Resizer,
    up: Resizer,
    /// Axis maps and row buffers of the fused RGBA path.
    maps_key: (usize, usize, usize, usize),
    xs_down: AxisMap,
    ys_down: AxisMap,
    xs_up: AxisMap,
    ys_up: AxisMap,
    luma_row0: Vec<f32>,
    luma_row1: Vec<f32>,
    row0: Vec<f32>,
    row1: Vec<f32>,
    row2: Vec<f32>,
    row3: Vec<f32>,
}

impl FastGuidedFilter {
    /// Refines `mask_lo` (`lw×lh`, 0..1) with `guide` (full-res luminance `w×h`,
    /// 0..1), writing a full-resolution mask into `out` (resized, clamped to 0..1).
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &mut self,
        guide: &[f32],
        w: usize,
        h: usize,
        mask_lo: &[f32],
        lw: usize,
        lh: usize,
        params: GuidedParams,
        out: &mut Vec<f32>,
    ) {
        let n = lw * lh;
        out.resize(w * h, 0.0);
        if n == 0 || w * h == 0 || mask_lo.len() < n || guide.len() < w * h {
            return;
        }
        self.down.resize(guide, w, h, &mut self.guide_lo, lw, lh);
        self.solve(mask_lo, lw, lh, params);
        self.up.resize(&self.mean_i, lw, lh, &mut self.a_hi, w, h);
        self.up.resize(&self.mean_p, lw, lh, &mut self.b_hi, w, h);
        for (((o, a), b), i) in out.iter_mut().zip(&self.a_hi).zip(&self.b_hi).zip(guide) {
            *o = (a * i + b).clamp(0.0, 1.0);
        }
    }

    /// [`FastGuidedFilter::apply`] on an RGBA frame (`w×h`), its luminance as the
    /// guide, straight to an 8-bit mask (`out`, resized; `round(q·255)`). Gives the
    /// same bytes as `rgba_to_luma` + `apply` + `to_u8`, without their full-size
    /// intermediate planes.
    #[allow(clippy::too_many_arguments)]
    pub fn apply_rgba(
        &mut self,
        rgba: &[u8],
        w: usize,
        h: usize,
        mask_lo: &[f32],
        lw: usize,
        lh: usize,
        params: GuidedParams,
        out: &mut Vec<u8>,
    ) {
        let n = lw * lh;
        out.resize(w * h, 0);
        if n == 0 || w * h == 0 || mask_lo.len() < n || rgba.len() < w * h * 4 {
            out.fill(0);
            return;
        }
        if self.maps_key != (w, h, lw, lh) {
            self.xs_down.rebuild(w, lw);
            self.ys_down.rebuild(h, lh);
            self.xs_up.rebuild(lw, w);
            self.ys_up.rebuild(lh, h);
            self.maps_key = (w, h, lw, lh);
        }
        self.downsample_luma(rgba, w, lw, lh);
        self.solve(mask_lo, lw, lh, params);

        // q = a·I + b per frame pixel, with a and b bilinearly upsampled row by row
        // (horizontally interpolated low-res rows cached, as in `Resizer`).
        self.row0.resize(w, 0.0);
        self.row1.resize(w, 0.0);
        self.row2.resize(w, 0.0);
        self.row3.resize(w, 0.0);
        let mut cached = (usize::MAX, usize::MAX);
        for y in 0..h {
            let (y0, y1) = (self.ys_up.i0[y] as usize, self.ys_up.i1[y] as usize);
            let wy = self.ys_up.w1[y];
            if cached != (y0, y1) {
                horizontal(
                    &self.mean_i[y0 * lw..(y0 + 1) * lw],
                    &self.xs_up,
                    &mut self.row0,
                );
                horizontal(
                    &self.mean_i[y1 * lw..(y1 + 1) * lw],
                    &self.xs_up,
                    &mut self.row1,
                );
                horizontal(
                    &self.mean_p[y0 * lw..(y0 + 1) * lw],
                    &self.xs_up,
                    &mut self.row2,
                );
                horizontal(
                    &self.mean_p[y1 * lw..(y1 + 1) * lw],
                    &self.xs_up,
                    &mut self.row3,
                );
                cached = (y0, y1);
            }
            let px = &rgba[y * w * 4..(y + 1) * w * 4];
            let dst = &mut out[y * w..(y + 1) * w];
            let rows = self
                .row0
                .iter()
                .zip(&self.row1)
                .zip(self.row2.iter().zip(&self.row3));
            for ((d, p), ((a0, a1), (b0, b1))) in dst.iter_mut().zip(px.chunks_exact(4)).zip(rows) {
                let a = a0 + (a1 - a0) * wy;
                let b = b0 + (b1 - b0) * wy;
                let q = (a * luma_of(p[0], p[1], p[2]) + b).clamp(0.0, 1.0);
                *d = (q * 255.0 + 0.5) as u8;
            }
        }
    }

    /// The frame's luminance bilinearly downsampled to `lw×lh` into `guide_lo`,
    /// computing luminance only for the source rows the sampling touches.
    fn downsample_luma(&mut self, rgba: &[u8], w: usize, lw: usize, lh: usize) {
        self.guide_lo.resize(lw * lh, 0.0);
        self.luma_row0.resize(w, 0.0);
        self.luma_row1.resize(w, 0.0);
        self.row0.resize(lw, 0.0);
        self.row1.resize(lw, 0.0);
        let luma_row = |y: usize, dst: &mut [f32]| {
            for (d, p) in dst
                .iter_mut()
                .zip(rgba[y * w * 4..(y + 1) * w * 4].chunks_exact(4))
            {
                *d = luma_of(p[0], p[1], p[2]);
            }
        };
        for y in 0..lh {
            let (y0, y1) = (self.ys_down.i0[y] as usize, self.ys_down.i1[y] as usize);
            let wy = self.ys_down.w1[y];
            luma_row(y0, &mut self.luma_row0);
            luma_row(y1, &mut self.luma_row1);
            horizontal(&self.luma_row0, &self.xs_down, &mut self.row0[..lw]);
            horizontal(&self.luma_row1, &self.xs_down, &mut self.row1[..lw]);
            let out = &mut self.guide_lo[y * lw..(y + 1) * lw];
            for ((o, a), b) in out.iter_mut().zip(&self.row0).zip(&self.row1) {
                *o = a + (b - a) * wy;
            }
        }
    }

    /// Solves for the smoothed coefficients on the low-resolution grid from
    /// `self.guide_lo` and `mask_lo`: `mean_a` ends in `self.mean_i`, `mean_b` in
    /// `self.mean_p`.
    fn solve(&mut self, mask_lo: &[f32], lw: usize, lh: usize, params: GuidedParams) {
        let n = lw * lh;
        let r = params.radius;
        box_mean(&self.guide_lo, lw, lh, r, &mut self.tmp, &mut self.mean_i);
        box_mean(mask_lo, lw, lh, r, &mut self.tmp, &mut self.mean_p);
        // cov(I, p) → corr buffer; var(I) → prod buffer.
        self.prod.resize(n, 0.0);
        for ((d, i), p) in self.prod.iter_mut().zip(&self.guide_lo).zip(mask_lo) {
            *d = i * p;
        }
        box_mean(&self.prod, lw, lh, r, &mut self.tmp, &mut self.corr);
        for (d, i) in self.prod.iter_mut().zip(&self.guide_lo) {
            *d = i * i;
        }
        let mut var = std::mem::take(&mut self.a);
        box_mean(&self.prod, lw, lh, r, &mut self.tmp, &mut var);
        // a = cov / (var + eps), b = mean_p − a·mean_I, computed in place.
        self.b.resize(n, 0.0);
        let stats = self.mean_i.iter().zip(&self.mean_p).zip(&self.corr);
        for ((va, b), ((&mi, &mp), &corr)) in var.iter_mut().zip(self.b.iter_mut()).zip(stats) {
            let cov = corr - mi * mp;
            let v = *va - mi * mi;
            let a = cov / (v + params.eps);
            *va = a;
            *b = mp - a * mi;
        }
        // Smooth the coefficients (mean_a, mean_b).
        box_mean(&var, lw, lh, r, &mut self.tmp, &mut self.mean_i);
        box_mean(&self.b, lw, lh, r, &mut self.tmp, &mut self.mean_p);
        self.a = var;
    }
}

/// One row of bilinear interpolation along x (same maths as `Resizer`).
fn horizontal(row: &[f32], xs: &AxisMap, out: &mut [f32]) {
    for (((o, &i0), &i1), &w) in out.iter_mut().zip(&xs.i0).zip(&xs.i1).zip(&xs.w1) {
        let a = row[i0 as usize];
        let b = row[i1 as usize];
        *o = a + (b - a) * w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_guide_gives_smoothed_mask() {
        let (w, h, lw, lh) = (32, 32, 8, 8);
        let guide = vec![0.5f32; w * h];
        let mask = vec![0.7f32; lw * lh];
        let mut out = Vec::new();
        FastGuidedFilter::default().apply(
            &guide,
            w,
            h,
            &mask,
            lw,
            lh,
            GuidedParams::default(),
            &mut out,
        );
        assert_eq!(out.len(), w * h);
        assert!(out.iter().all(|v| (v - 0.7).abs() < 1e-4));
    }

    #[test]
    fn rgba_path_gives_the_same_bytes_as_the_separate_passes() {
        use crate::imgproc::color::rgba_to_luma;
        use crate::imgproc::resize::to_u8;
        // An odd-sized frame with texture and a coarse mask with an edge, so every
        // interpolation weight and the clamping are exercised.
        let (w, h, lw, lh) = (67, 45, 16, 9);
        let rgba: Vec<u8> = (0..w * h * 4)
            .map(|i| ((i * 37 + (i / (w * 4)) * 11) % 256) as u8)
            .collect();
        let mask: Vec<f32> = (0..lw * lh)
            .map(|i| if i % lw < 7 { 0.95 } else { 0.02 })
            .collect();
        let p = GuidedParams::default();
        let mut luma = Vec::new();
        rgba_to_luma(&rgba, &mut luma);
        let (mut f, mut want, mut got) = (Vec::new(), Vec::new(), Vec::new());
        FastGuidedFilter::default().apply(&luma, w, h, &mask, lw, lh, p, &mut f);
        to_u8(&f, &mut want);
        let mut gf = FastGuidedFilter::default();
        gf.apply_rgba(&rgba, w, h, &mask, lw, lh, p, &mut got);
        assert_eq!(got, want);
        // Again with the scratch state of another size in between.
        gf.apply_rgba(&rgba[..8 * 8 * 4], 8, 8, &mask, lw, lh, p, &mut got);
        gf.apply_rgba(&rgba, w, h, &mask, lw, lh, p, &mut got);
        assert_eq!(got, want);
    }

    #[test]
    fn follows_guide_edge() {
        // Guide has a sharp vertical edge at x = 16; the coarse mask a ramp around it.
        let (w, h, lw, lh) = (32, 8, 8, 2);
        let guide: Vec<f32> = (0..w * h)
            .map(|i| if i % w < 16 { 1.0 } else { 0.0 })
            .collect();
        let mask: Vec<f32> = (0..lw * lh)
            .map(|i| if i % lw < 4 { 1.0 } else { 0.0 })
            .collect();
        let mut out = Vec::new();
        let p = GuidedParams {
            radius: 1,
            eps: 1e-4,
        };
        FastGuidedFilter::default().apply(&guide, w, h, &mask, lw, lh, p, &mut out);
        // Sharp where the guide is sharp: a one-pixel step from above to below 0.5.
        assert!(
            out[15] > 0.8 && out[16] < 0.2 && out[13] > 0.99 && out[18] < 0.01,
            "{:?}",
            &out[..w]
        );
    }
}
