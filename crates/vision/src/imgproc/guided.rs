//! Fast guided filter (He & Sun 2015): the coarse model mask is refined so its
//! soft edge follows luminance edges of the full-resolution frame (hair, collar)
//! instead of the blocky 256×256 model grid. The linear coefficients are solved on
//! the low-resolution grid and only `q = a·I + b` runs per frame pixel.

use super::box_filter::box_mean;
use super::resize::Resizer;

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
        let r = params.radius;
        self.down.resize(guide, w, h, &mut self.guide_lo, lw, lh);
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
        // Smooth the coefficients (mean_a, mean_b), then bring them to full size.
        box_mean(&var, lw, lh, r, &mut self.tmp, &mut self.mean_i);
        box_mean(&self.b, lw, lh, r, &mut self.tmp, &mut self.mean_p);
        self.a = var;
        self.up.resize(&self.mean_i, lw, lh, &mut self.a_hi, w, h);
        self.up.resize(&self.mean_p, lw, lh, &mut self.b_hi, w, h);
        for (((o, a), b), i) in out.iter_mut().zip(&self.a_hi).zip(&self.b_hi).zip(guide) {
            *o = (a * i + b).clamp(0.0, 1.0);
        }
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
