//! Per-pixel compositing of a frame with its person mask, done in place on the
//! RGBA buffer so a video loop allocates nothing.

use crate::error::{Result, VisionError};

fn check(rgba: &[u8], mask: &[u8]) -> Result<()> {
    if rgba.len() != mask.len() * 4 {
        return Err(VisionError::BadImage(format!(
            "mask has {} pixels, frame has {}",
            mask.len(),
            rgba.len() / 4
        )));
    }
    Ok(())
}

/// Cut-out: the mask becomes the frame's alpha (255 = person, 0 = background).
pub fn cut_out(rgba: &mut [u8], mask: &[u8]) -> Result<()> {
    check(rgba, mask)?;
    for (px, &m) in rgba.chunks_exact_mut(4).zip(mask) {
        px[3] = m;
    }
    Ok(())
}

/// Overlay: blends `color` over the person by `strength × mask`, leaving the
/// background untouched and the frame opaque.
pub fn tint_person(rgba: &mut [u8], mask: &[u8], color: [u8; 3], strength: f32) -> Result<()> {
    check(rgba, mask)?;
    // Fixed-point weight (0..=256) so the loop stays integer and vectorisable.
    let s = (strength.clamp(0.0, 1.0) * 256.0) as u32;
    let [r, g, b] = color.map(u32::from);
    for (px, &m) in rgba.chunks_exact_mut(4).zip(mask) {
        let w = (u32::from(m) * s) >> 8; // 0..=256
        let keep = 256 - w;
        px[0] = ((u32::from(px[0]) * keep + r * w) >> 8) as u8;
        px[1] = ((u32::from(px[1]) * keep + g * w) >> 8) as u8;
        px[2] = ((u32::from(px[2]) * keep + b * w) >> 8) as u8;
        px[3] = 255;
    }
    Ok(())
}

/// Mask view: the mask as an opaque grey image.
pub fn mask_to_grey(rgba: &mut [u8], mask: &[u8]) -> Result<()> {
    check(rgba, mask)?;
    for (px, &m) in rgba.chunks_exact_mut(4).zip(mask) {
        px[0] = m;
        px[1] = m;
        px[2] = m;
        px[3] = 255;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_out_sets_alpha_from_mask() {
        let mut rgba = vec![10, 20, 30, 255, 40, 50, 60, 255];
        cut_out(&mut rgba, &[0, 200]).unwrap();
        assert_eq!(rgba, vec![10, 20, 30, 0, 40, 50, 60, 200]);
    }

    #[test]
    fn tint_changes_only_the_person() {
        let mut rgba = vec![100, 100, 100, 7, 100, 100, 100, 7];
        tint_person(&mut rgba, &[0, 255], [255, 0, 0], 0.5).unwrap();
        assert_eq!(&rgba[..4], &[100, 100, 100, 255]);
        // Half-way to red, within rounding.
        assert!((176..=178).contains(&rgba[4]), "{rgba:?}");
        assert!((49..=51).contains(&rgba[5]), "{rgba:?}");
        assert_eq!(rgba[7], 255);
    }

    #[test]
    fn grey_mask_view() {
        let mut rgba = vec![1; 8];
        mask_to_grey(&mut rgba, &[0, 128]).unwrap();
        assert_eq!(rgba, vec![0, 0, 0, 255, 128, 128, 128, 255]);
    }

    #[test]
    fn size_mismatch_is_an_error() {
        let mut rgba = vec![0; 8];
        assert!(cut_out(&mut rgba, &[0]).is_err());
    }
}
