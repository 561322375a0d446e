//! The stand-in for a member without a picture (no camera, or not arrived yet):
//! a soft head-and-shoulders silhouette in their place, so the group photo still
//! shows that someone belongs there. The app writes the name over it.

use super::region::Region;
use crate::image::Rgba8Image;

/// The silhouette's colour and opacity over the background.
const TINT: [f32; 3] = [255.0, 255.0, 255.0];
const OPACITY: f32 = 0.5;

/// Paints the silhouette standing on the bottom of `region` (clipped to `out`).
pub fn draw_placeholder(out: &mut Rgba8Image, region: &Region) {
    let (w, h) = (region.w, region.h);
    if w < 2.0 || h < 2.0 {
        return;
    }
    let size = w.min(h * 0.75);
    let cx = region.x + w * 0.5;
    // Head: a circle; shoulders: the top of an ellipse whose centre is on the floor.
    let head_r = size * 0.17;
    let head_cy = region.bottom() - h * 0.62;
    let (sh_rx, sh_ry) = (size * 0.42, h * 0.36);
    let x0 = region.x.max(0.0).floor() as u32;
    let y0 = region.y.max(0.0).floor() as u32;
    let x1 = (region.right().ceil().max(0.0) as u32).min(out.width);
    let y1 = (region.bottom().ceil().max(0.0) as u32).min(out.height);
    for y in y0..y1 {
        let py = y as f32 + 0.5;
        for x in x0..x1 {
            let px = x as f32 + 0.5;
            let head = head_r - ((px - cx).powi(2) + (py - head_cy).powi(2)).sqrt();
            let (ex, ey) = ((px - cx) / sh_rx, (py - region.bottom()) / sh_ry);
            // Signed distance to the ellipse, roughly, in pixels.
            let shoulders = (1.0 - (ex * ex + ey * ey).sqrt()) * sh_rx.min(sh_ry);
            // One pixel of soft edge.
            let cover = (head.max(shoulders) + 0.5).clamp(0.0, 1.0) * OPACITY;
            if cover <= 0.0 {
                continue;
            }
            let i = ((y * out.width + x) * 4) as usize;
            for (px, tint) in out.data[i..i + 3].iter_mut().zip(TINT) {
                let v = *px as f32;
                *px = (v + (tint - v) * cover).round() as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(w: u32, h: u32) -> Rgba8Image {
        Rgba8Image {
            width: w,
            height: h,
            data: [100, 100, 100, 255].repeat((w * h) as usize),
        }
    }

    fn at(img: &Rgba8Image, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * img.width + x) * 4) as usize;
        img.data[i..i + 4].try_into().unwrap()
    }

    #[test]
    fn head_and_shoulders_inside_the_region_only() {
        let mut img = grey(200, 100);
        let region = Region::new(100.0, 0.0, 100.0, 100.0);
        draw_placeholder(&mut img, &region);
        let lit = [178, 178, 178, 255];
        // Head centre and the middle of the shoulders are lightened halfway to white.
        assert_eq!(at(&img, 150, 38), lit);
        assert_eq!(at(&img, 150, 95), lit);
        // Beside the head, above the shoulders: background.
        assert_eq!(at(&img, 105, 20), [100, 100, 100, 255]);
        // The other half of the canvas is untouched.
        assert!(img.data[..]
            .chunks(4)
            .enumerate()
            .filter(|(i, _)| (*i as u32 % 200) < 100)
            .all(|(_, p)| p == [100, 100, 100, 255]));
    }

    #[test]
    fn regions_off_the_canvas_are_clipped() {
        let mut img = grey(50, 50);
        draw_placeholder(&mut img, &Region::new(-40.0, 10.0, 120.0, 80.0));
        draw_placeholder(&mut img, &Region::new(10.0, 10.0, 1.0, 1.0));
        assert_eq!(img.data.len(), 50 * 50 * 4);
    }
}
