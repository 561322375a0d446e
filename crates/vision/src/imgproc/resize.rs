//! Bilinear resize of single-channel float planes with OpenCV's `INTER_LINEAR`
//! pixel-centre convention (`sx = (x + 0.5) * scale - 0.5`, clamped), which is
//! what MediaPipe uses to bring its masks to frame size.

/// Precomputed source index and weight for each output coordinate along one axis.
#[derive(Clone, Debug, Default)]
pub struct AxisMap {
    pub i0: Vec<u32>,
    pub i1: Vec<u32>,
    pub w1: Vec<f32>,
}

impl AxisMap {
    /// Map for `dst_len` outputs sampling `src_len` inputs.
    pub fn new(src_len: usize, dst_len: usize) -> Self {
        let mut m = Self::default();
        m.rebuild(src_len, dst_len);
        m
    }

    /// Recomputes in place (no allocation once sized).
    pub fn rebuild(&mut self, src_len: usize, dst_len: usize) {
        self.i0.clear();
        self.i1.clear();
        self.w1.clear();
        let scale = src_len as f32 / dst_len.max(1) as f32;
        let last = src_len.saturating_sub(1) as f32;
        for x in 0..dst_len {
            let s = ((x as f32 + 0.5) * scale - 0.5).clamp(0.0, last);
            let i0 = s.floor();
            let i1 = (i0 + 1.0).min(last);
            self.i0.push(i0 as u32);
            self.i1.push(i1 as u32);
            self.w1.push(s - i0);
        }
    }
}

/// Reusable maps and a row buffer for [`resize_bilinear`].
#[derive(Clone, Debug, Default)]
pub struct Resizer {
    key: (usize, usize, usize, usize),
    xs: AxisMap,
    ys: AxisMap,
    row0: Vec<f32>,
    row1: Vec<f32>,
}

impl Resizer {
    fn prepare(&mut self, sw: usize, sh: usize, dw: usize, dh: usize) {
        if self.key != (sw, sh, dw, dh) || self.xs.i0.len() != dw {
            self.xs.rebuild(sw, dw);
            self.ys.rebuild(sh, dh);
            self.key = (sw, sh, dw, dh);
        }
        self.row0.resize(dw, 0.0);
        self.row1.resize(dw, 0.0);
    }

    /// Resizes `src` (`sw×sh`) into `dst` (`dw×dh`, resized).
    pub fn resize(
        &mut self,
        src: &[f32],
        sw: usize,
        sh: usize,
        dst: &mut Vec<f32>,
        dw: usize,
        dh: usize,
    ) {
        dst.resize(dw * dh, 0.0);
        if sw == 0 || sh == 0 || dw == 0 || dh == 0 || src.len() < sw * sh {
            return;
        }
        self.prepare(sw, sh, dw, dh);
        let mut cached = (usize::MAX, usize::MAX);
        for y in 0..dh {
            let (y0, y1) = (self.ys.i0[y] as usize, self.ys.i1[y] as usize);
            let wy = self.ys.w1[y];
            // Horizontally interpolated source rows are cached: consecutive output
            // rows mostly share them when upsampling.
            if cached != (y0, y1) {
                horizontal(&src[y0 * sw..(y0 + 1) * sw], &self.xs, &mut self.row0);
                horizontal(&src[y1 * sw..(y1 + 1) * sw], &self.xs, &mut self.row1);
                cached = (y0, y1);
            }
            let out = &mut dst[y * dw..(y + 1) * dw];
            for ((o, a), b) in out.iter_mut().zip(&self.row0).zip(&self.row1) {
                *o = a + (b - a) * wy;
            }
        }
    }
}

fn horizontal(row: &[f32], xs: &AxisMap, out: &mut [f32]) {
    for (((o, &i0), &i1), &w) in out.iter_mut().zip(&xs.i0).zip(&xs.i1).zip(&xs.w1) {
        let a = row[i0 as usize];
        let b = row[i1 as usize];
        *o = a + (b - a) * w;
    }
}

/// One-shot convenience wrapper around [`Resizer::resize`].
pub fn resize_bilinear(
    src: &[f32],
    sw: usize,
    sh: usize,
    dst: &mut Vec<f32>,
    dw: usize,
    dh: usize,
) {
    Resizer::default().resize(src, sw, sh, dst, dw, dh);
}

/// Float 0..1 → u8 0..255 with rounding and clamping (`round(clip(p)*255)`, as the
/// reference masks were written).
pub fn to_u8(src: &[f32], dst: &mut Vec<u8>) {
    dst.resize(src.len(), 0);
    for (d, s) in dst.iter_mut().zip(src) {
        *d = (s.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_constant() {
        let src: Vec<f32> = (0..12).map(|i| i as f32).collect();
        let mut dst = Vec::new();
        resize_bilinear(&src, 4, 3, &mut dst, 4, 3);
        assert_eq!(src, dst);
        let c = vec![0.25f32; 9];
        resize_bilinear(&c, 3, 3, &mut dst, 10, 7);
        assert!(dst.iter().all(|v| (v - 0.25).abs() < 1e-6));
    }

    #[test]
    fn upsample_two_x_matches_opencv() {
        // cv2.resize([[0, 1]], (4, 1)) == [0, 0.25, 0.75, 1]
        let mut dst = Vec::new();
        resize_bilinear(&[0.0, 1.0], 2, 1, &mut dst, 4, 1);
        assert_eq!(dst, vec![0.0, 0.25, 0.75, 1.0]);
    }
}
