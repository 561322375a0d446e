//! Temporal smoothing of the person probability, ported from MediaPipe's
//! `SegmentationSmoothingCalculator`: each pixel mixes in the previous frame in
//! proportion to how *uncertain* the new value is (near 0.5). Confident pixels
//! follow motion at once; the flickery edge band is damped.

/// Blends `current` towards `previous` in place. `ratio` is MediaPipe's
/// `combine_with_previous_ratio` (0 = off, 0.7 in MediaPipe's graphs).
pub fn smooth_with_previous(current: &mut [f32], previous: &[f32], ratio: f32) {
    if ratio <= 0.0 || previous.len() != current.len() {
        return;
    }
    // Polynomial fit of (1 − H(p))², with H the binary entropy, from MediaPipe.
    const C1: f32 = 5.68842;
    const C2: f32 = -0.748699;
    const C3: f32 = -57.8051;
    const C4: f32 = 291.309;
    const C5: f32 = -624.717;
    for (cur, &prev) in current.iter_mut().zip(previous) {
        let p = *cur;
        let t = p - 0.5;
        let x = t * t;
        let certainty = (x * (C1 + x * (C2 + x * (C3 + x * (C4 + x * C5))))).min(1.0);
        let uncertainty = 1.0 - certainty;
        *cur = p + (prev - p) * (uncertainty * ratio);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confident_pixels_are_kept_uncertain_ones_blend() {
        let mut cur = [1.0, 0.0, 0.5];
        smooth_with_previous(&mut cur, &[0.0, 1.0, 0.0], 0.7);
        assert!(cur[0] > 0.99 && cur[1] < 0.01);
        assert!((cur[2] - 0.15).abs() < 1e-3, "{}", cur[2]);
    }
}
