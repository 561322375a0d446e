//! The cut-out as it travels between browsers: one opaque picture twice as wide
//! as the camera frame, colour on the left half and the person mask as grey on
//! the right half. Video codecs carry neither alpha nor a second plane, but they
//! do carry this, and colour and mask of a frame can never arrive out of step.

use super::error::{SceneError, SceneResult};
use crate::image::{BBox, Rgba8Image};

/// Mask values at or below this (after the codec's noise) count as background,
/// so a compressed black half does not leave a faint veil of the room.
const MASK_FLOOR: u8 = 16;
/// Mask values at or above this count as fully person.
const MASK_CEIL: u8 = 239;

/// Packs an RGBA frame (`width × height`) and its mask into `out`
/// (`2·width × height`, opaque), reusing `out`'s buffer.
pub fn pack(
    width: u32,
    height: u32,
    rgba: &[u8],
    mask: &[u8],
    out: &mut Vec<u8>,
) -> SceneResult<()> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || rgba.len() != w * h * 4 || mask.len() != w * h {
        return Err(SceneError::BadImage(format!(
            "pack: {width}x{height} frame with {} colour bytes and {} mask bytes",
            rgba.len(),
            mask.len()
        )));
    }
    out.clear();
    out.resize(w * h * 8, 255);
    for ((row_out, row_in), row_mask) in out
        .chunks_exact_mut(w * 8)
        .zip(rgba.chunks_exact(w * 4))
        .zip(mask.chunks_exact(w))
    {
        let (colour, grey) = row_out.split_at_mut(w * 4);
        for (dst, src) in colour.chunks_exact_mut(4).zip(row_in.chunks_exact(4)) {
            dst[..3].copy_from_slice(&src[..3]);
        }
        for (dst, &m) in grey.chunks_exact_mut(4).zip(row_mask) {
            dst[..3].fill(m);
        }
    }
    Ok(())
}

/// Unpacks a packed picture (`packed_width × height`, RGBA) into a straight-alpha
/// cut-out of half its width, and returns the person's bounding box (pixels of
/// the cut-out with alpha ≥ 50 %), `None` when nobody is there.
pub fn unpack(
    packed_width: u32,
    height: u32,
    packed: &[u8],
    out: &mut Rgba8Image,
) -> SceneResult<Option<BBox>> {
    let (pw, h) = (packed_width as usize, height as usize);
    if pw < 2 || pw % 2 != 0 || h == 0 || packed.len() != pw * h * 4 {
        return Err(SceneError::BadImage(format!(
            "unpack: {packed_width}x{height} picture with {} bytes",
            packed.len()
        )));
    }
    let w = pw / 2;
    out.width = w as u32;
    out.height = height;
    out.data.clear();
    out.data.resize(w * h * 4, 0);
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for (y, (row_out, row_in)) in out
        .data
        .chunks_exact_mut(w * 4)
        .zip(packed.chunks_exact(pw * 4))
        .enumerate()
    {
        let (colour, grey) = row_in.split_at(w * 4);
        let mut row_has_person = false;
        for (x, ((dst, src), g)) in row_out
            .chunks_exact_mut(4)
            .zip(colour.chunks_exact(4))
            .zip(grey.chunks_exact(4))
            .enumerate()
        {
            dst[..3].copy_from_slice(&src[..3]);
            // The green channel holds most of the luma a codec keeps.
            let a = alpha_of(g[1]);
            dst[3] = a;
            if a >= 128 {
                row_has_person = true;
                x0 = x0.min(x);
                x1 = x1.max(x + 1);
            }
        }
        if row_has_person {
            y0 = y0.min(y);
            y1 = y + 1;
        }
    }
    Ok((x1 > 0).then_some(BBox {
        x0: x0 as f32,
        y0: y0 as f32,
        x1: x1 as f32,
        y1: y1 as f32,
    }))
}

/// Codec noise around 0 and 255 snapped away; the soft edge in between kept.
fn alpha_of(grey: u8) -> u8 {
    if grey <= MASK_FLOOR {
        0
    } else if grey >= MASK_CEIL {
        255
    } else {
        let t = u32::from(grey - MASK_FLOOR) * 255 / u32::from(MASK_CEIL - MASK_FLOOR);
        t as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_then_unpack_gives_the_cut_out_back() {
        let (w, h) = (4u32, 2u32);
        let rgba: Vec<u8> = (0..w * h * 4).map(|i| (i * 7 % 251) as u8).collect();
        let mask = vec![0, 255, 255, 0, 0, 0, 255, 0];
        let mut packed = Vec::new();
        pack(w, h, &rgba, &mask, &mut packed).unwrap();
        assert_eq!(packed.len(), (w * h * 8) as usize);
        assert!(
            packed.chunks_exact(4).all(|p| p[3] == 255),
            "packed is opaque"
        );
        let mut out = Rgba8Image {
            width: 0,
            height: 0,
            data: Vec::new(),
        };
        let bbox = unpack(2 * w, h, &packed, &mut out).unwrap().unwrap();
        assert_eq!((out.width, out.height), (w, h));
        for (i, (o, src)) in out
            .data
            .chunks_exact(4)
            .zip(rgba.chunks_exact(4))
            .enumerate()
        {
            assert_eq!(&o[..3], &src[..3]);
            assert_eq!(o[3], mask[i]);
        }
        assert_eq!([bbox.x0, bbox.y0, bbox.x1, bbox.y1], [1.0, 0.0, 3.0, 2.0]);
    }

    #[test]
    fn codec_noise_near_black_and_white_is_snapped() {
        assert_eq!(alpha_of(9), 0);
        assert_eq!(alpha_of(247), 255);
        let mid = alpha_of(128);
        assert!((120..=136).contains(&mid), "{mid}");
    }

    #[test]
    fn nobody_there_has_no_box() {
        let packed = vec![0u8; 4 * 2 * 4];
        let mut out = Rgba8Image {
            width: 0,
            height: 0,
            data: Vec::new(),
        };
        assert_eq!(unpack(4, 2, &packed, &mut out).unwrap(), None);
        assert!(unpack(3, 2, &packed[..24], &mut out).is_err());
    }
}
