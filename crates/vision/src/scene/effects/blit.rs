//! Drawing a sprite rotated and scaled onto the canvas (for the shot, and for
//! tests; the live view can let the browser's canvas do it).

use super::anchor::EffectPlacement;
use crate::image::Rgba8Image;
use crate::scene::error::{SceneError, SceneResult};

/// Draws `sprite` (straight alpha) at `at` with bilinear sampling and "over"
/// blending; pixels outside the sprite are transparent.
pub fn draw_sprite(
    dst: &mut Rgba8Image,
    sprite: &Rgba8Image,
    at: &EffectPlacement,
) -> SceneResult<()> {
    dst.validate()?;
    sprite.validate()?;
    let (sw, sh) = (sprite.width as usize, sprite.height as usize);
    let ok = [at.center[0], at.center[1], at.width, at.height, at.rotation]
        .iter()
        .all(|v| v.is_finite());
    if !ok || at.width <= 0.0 || at.height <= 0.0 {
        return Err(SceneError::BadImage(format!("bad effect placement {at:?}")));
    }
    let (s, c) = at.rotation.sin_cos();
    let (hw, hh) = (at.width * 0.5, at.height * 0.5);
    // Bounding box of the rotated rectangle.
    let ex = hw * c.abs() + hh * s.abs();
    let ey = hw * s.abs() + hh * c.abs();
    let (w, h) = (dst.width as f32, dst.height as f32);
    let x0 = (at.center[0] - ex).floor().clamp(0.0, w) as usize;
    let x1 = (at.center[0] + ex).ceil().clamp(0.0, w) as usize;
    let y0 = (at.center[1] - ey).floor().clamp(0.0, h) as usize;
    let y1 = (at.center[1] + ey).ceil().clamp(0.0, h) as usize;
    let (kx, ky) = (sw as f32 / at.width, sh as f32 / at.height);
    let texel = |x: isize, y: isize| -> [f32; 4] {
        if x < 0 || y < 0 || x >= sw as isize || y >= sh as isize {
            return [0.0; 4];
        }
        let p = &sprite.data[(y as usize * sw + x as usize) * 4..][..4];
        let a = f32::from(p[3]) / 255.0;
        [
            f32::from(p[0]) * a,
            f32::from(p[1]) * a,
            f32::from(p[2]) * a,
            a,
        ]
    };
    let dw = dst.width as usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let (dx, dy) = (x as f32 + 0.5 - at.center[0], y as f32 + 0.5 - at.center[1]);
            // Into the sprite's frame: rotate back, then scale to sprite pixels.
            let u = (c * dx + s * dy + hw) * kx - 0.5;
            let v = (-s * dx + c * dy + hh) * ky - 0.5;
            if u <= -1.0 || v <= -1.0 || u >= sw as f32 || v >= sh as f32 {
                continue;
            }
            let (i, j) = (u.floor() as isize, v.floor() as isize);
            let (fu, fv) = (u - i as f32, v - j as f32);
            let (t00, t10, t01, t11) = (
                texel(i, j),
                texel(i + 1, j),
                texel(i, j + 1),
                texel(i + 1, j + 1),
            );
            let mut p = [0.0; 4];
            for k in 0..4 {
                let top = t00[k] + (t10[k] - t00[k]) * fu;
                let bot = t01[k] + (t11[k] - t01[k]) * fu;
                p[k] = top + (bot - top) * fv;
            }
            if p[3] < 1.0 / 512.0 {
                continue;
            }
            let d = &mut dst.data[(y * dw + x) * 4..][..4];
            let keep = 1.0 - p[3];
            for k in 0..3 {
                d[k] = (p[k] + f32::from(d[k]) * keep + 0.5) as u8;
            }
            d[3] = ((p[3] + f32::from(d[3]) / 255.0 * keep) * 255.0 + 0.5) as u8;
        }
    }
    Ok(())
}
