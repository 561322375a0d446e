//! Box mean with a running sum: O(1) per pixel whatever the radius, which is what
//! makes the guided filter cheap.

/// Mean over the `(2r+1)²` window around each pixel, clipped at the borders (the
/// mean is over the pixels inside the image only, so edges are not darkened).
/// `tmp` and `dst` are resized to `w*h`.
pub fn box_mean(src: &[f32], w: usize, h: usize, r: usize, tmp: &mut Vec<f32>, dst: &mut Vec<f32>) {
    let n = w * h;
    tmp.resize(n, 0.0);
    dst.resize(n, 0.0);
    if n == 0 || src.len() < n {
        return;
    }
    // Horizontal pass: running sum along each row.
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let out = &mut tmp[y * w..(y + 1) * w];
        let mut sum = 0.0f32;
        let first_end = r.min(w - 1);
        for v in &row[..=first_end] {
            sum += v;
        }
        for (x, o) in out.iter_mut().enumerate() {
            let lo = x.saturating_sub(r);
            let hi = (x + r).min(w - 1);
            *o = sum / (hi - lo + 1) as f32;
            if x + r + 1 < w {
                sum += row[x + r + 1];
            }
            if x >= r {
                sum -= row[x - r];
            }
        }
    }
    // Vertical pass: running sums of whole rows, so the inner loop is over x
    // (contiguous) and vectorises.
    let mut acc = vec![0.0f32; w];
    for row in tmp.chunks_exact(w).take(r.min(h - 1) + 1) {
        for (a, v) in acc.iter_mut().zip(row) {
            *a += v;
        }
    }
    for y in 0..h {
        let lo = y.saturating_sub(r);
        let hi = (y + r).min(h - 1);
        let inv = 1.0 / (hi - lo + 1) as f32;
        for (d, a) in dst[y * w..(y + 1) * w].iter_mut().zip(&acc) {
            *d = a * inv;
        }
        if y + r + 1 < h {
            let add = &tmp[(y + r + 1) * w..(y + r + 2) * w];
            for (a, v) in acc.iter_mut().zip(add) {
                *a += v;
            }
        }
        if y >= r {
            let sub = &tmp[(y - r) * w..(y - r + 1) * w];
            for (a, v) in acc.iter_mut().zip(sub) {
                *a -= v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_brute_force() {
        let (w, h, r) = (7, 5, 2);
        let src: Vec<f32> = (0..w * h).map(|i| ((i * 37) % 11) as f32).collect();
        let (mut t, mut d) = (Vec::new(), Vec::new());
        box_mean(&src, w, h, r, &mut t, &mut d);
        for y in 0..h {
            for x in 0..w {
                let (mut s, mut c) = (0.0, 0.0);
                for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
                    for xx in x.saturating_sub(r)..=(x + r).min(w - 1) {
                        s += src[yy * w + xx];
                        c += 1.0;
                    }
                }
                assert!((d[y * w + x] - s / c).abs() < 1e-4, "at {x},{y}");
            }
        }
    }
}
