//! Colour conversion.

/// RGBA8 → luminance in 0..1 (BT.601 weights in 8-bit fixed point, the same
/// weights the guided filter was tuned with). `dst` is resized to the pixel count.
pub fn rgba_to_luma(rgba: &[u8], dst: &mut Vec<f32>) {
    let n = rgba.len() / 4;
    dst.resize(n, 0.0);
    for (d, px) in dst.iter_mut().zip(rgba.chunks_exact(4)) {
        *d = luma_of(px[0], px[1], px[2]);
    }
}

/// One pixel's luminance, as [`rgba_to_luma`] computes it.
#[inline(always)]
pub fn luma_of(r: u8, g: u8, b: u8) -> f32 {
    const INV: f32 = 1.0 / (255.0 * 256.0);
    (77 * r as u32 + 150 * g as u32 + 29 * b as u32) as f32 * INV
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_is_one_black_is_zero() {
        let mut out = Vec::new();
        rgba_to_luma(&[255, 255, 255, 255, 0, 0, 0, 255], &mut out);
        assert!((out[0] - 1.0).abs() < 1e-6);
        assert_eq!(out[1], 0.0);
    }
}
