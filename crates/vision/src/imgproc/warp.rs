//! MediaPipe's `ImageToTensorCalculator` (OpenCV path): a rotated ROI of the frame
//! is warped onto the model input with `warpPerspective(INTER_LINEAR)`. We port
//! OpenCV's fixed-point sampling (source coordinates rounded to 1/32 px, integer
//! bilinear weights, uint8 result) because the reference outputs were made that
//! way and the landmark models are sensitive to sub-pixel shifts of their input.

/// A rotated rectangle in frame pixels: centre, size, rotation (radians, clockwise
/// in image coordinates, as MediaPipe's `NormalizedRect.rotation`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RotatedRect {
    pub cx: f32,
    pub cy: f32,
    pub w: f32,
    pub h: f32,
    pub rotation: f32,
}

/// What to sample outside the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Border {
    /// Black (OpenCV `BORDER_CONSTANT` 0): detector letterbox and segmentation.
    Zero,
    /// Nearest edge pixel (`BORDER_REPLICATE`): landmark crops.
    Replicate,
}

/// Warps `roi` of an RGBA frame to an `out_w×out_h` RGB8 image (`dst`, resized).
/// The ROI's corners land on the output's corners (not pixel centres), exactly as
/// `cv2.boxPoints` + `getPerspectiveTransform` do.
#[allow(clippy::too_many_arguments)]
pub fn warp_roi_rgb8(
    rgba: &[u8],
    width: usize,
    height: usize,
    roi: &RotatedRect,
    out_w: usize,
    out_h: usize,
    border: Border,
    dst: &mut Vec<u8>,
) {
    dst.resize(out_w * out_h * 3, 0);
    if width == 0 || height == 0 || rgba.len() < width * height * 4 {
        dst.fill(0);
        return;
    }
    // dst (u, v) → src: c + R(θ)·((u/W − ½)·w, (v/H − ½)·h). Computed in f64 so the
    // incremental per-pixel steps do not drift before the 1/32 rounding.
    let (s, c) = (roi.rotation as f64).sin_cos();
    let sx = roi.w as f64 / out_w as f64;
    let sy = roi.h as f64 / out_h as f64;
    // Source position per unit step in u and in v.
    let (dxu, dyu) = (c * sx, s * sx);
    let (dxv, dyv) = (-s * sy, c * sy);
    let ox = roi.cx as f64 - 0.5 * (c * roi.w as f64) + 0.5 * (s * roi.h as f64);
    let oy = roi.cy as f64 - 0.5 * (s * roi.w as f64) - 0.5 * (c * roi.h as f64);
    let (wi, hi) = (width as i32, height as i32);
    for v in 0..out_h {
        let bx = ox + dxv * v as f64;
        let by = oy + dyv * v as f64;
        let row = &mut dst[v * out_w * 3..(v + 1) * out_w * 3];
        for (u, out) in row.chunks_exact_mut(3).enumerate() {
            let x = bx + dxu * u as f64;
            let y = by + dyu * u as f64;
            // OpenCV: X = saturate_cast<int>(x * INTER_TAB_SIZE), i.e. lrint
            // (round half to even); the cast saturates like OpenCV's.
            let xq = rint(x * 32.0) as i32;
            let yq = rint(y * 32.0) as i32;
            let (x0, y0) = (xq >> 5, yq >> 5);
            let (fx, fy) = (xq & 31, yq & 31);
            let w00 = (32 - fx) * (32 - fy);
            let w01 = fx * (32 - fy);
            let w10 = (32 - fx) * fy;
            let w11 = fx * fy;
            if x0 >= 0 && y0 >= 0 && x0 + 1 < wi && y0 + 1 < hi {
                // Fast path: all four neighbours inside.
                let i00 = (y0 as usize * width + x0 as usize) * 4;
                let i10 = i00 + width * 4;
                // Two 8-byte slices (pixel pairs) so the constant indices below
                // need no bounds checks.
                let (Some(top), Some(bot)) = (rgba.get(i00..i00 + 8), rgba.get(i10..i10 + 8))
                else {
                    continue;
                };
                for (ch, o) in out.iter_mut().enumerate() {
                    let acc = w00 * top[ch] as i32
                        + w01 * top[4 + ch] as i32
                        + w10 * bot[ch] as i32
                        + w11 * bot[4 + ch] as i32;
                    *o = ((acc + 512) >> 10) as u8;
                }
            } else {
                let fetch = |xx: i32, yy: i32, ch: usize| -> i32 {
                    match border {
                        Border::Zero => {
                            if xx < 0 || yy < 0 || xx >= wi || yy >= hi {
                                0
                            } else {
                                rgba[(yy as usize * width + xx as usize) * 4 + ch] as i32
                            }
                        }
                        Border::Replicate => {
                            let xx = xx.clamp(0, wi - 1) as usize;
                            let yy = yy.clamp(0, hi - 1) as usize;
                            rgba[(yy * width + xx) * 4 + ch] as i32
                        }
                    }
                };
                for (ch, o) in out.iter_mut().enumerate() {
                    let acc = w00 * fetch(x0, y0, ch)
                        + w01 * fetch(x0 + 1, y0, ch)
                        + w10 * fetch(x0, y0 + 1, ch)
                        + w11 * fetch(x0 + 1, y0 + 1, ch);
                    *o = ((acc + 512) >> 10).clamp(0, 255) as u8;
                }
            }
        }
    }
}

/// Round half to even without a libm call: on baseline x86-64 (SSE2 only)
/// `f64::round_ties_even` is a function call per pixel; adding and removing
/// 1.5·2⁵² makes the FPU round in its default (ties-to-even) mode. Exact for
/// |x| < 2⁵¹, far beyond any pixel coordinate; larger values only need to
/// saturate in the cast, which they still do.
#[inline(always)]
fn rint(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    if x.abs() < 2_251_799_813_685_248.0 {
        (x + MAGIC) - MAGIC
    } else {
        x
    }
}

/// RGB8 → float tensor `v * scale + offset` (e.g. 0..1 or −1..1 input ranges).
pub fn rgb8_to_tensor(rgb: &[u8], scale: f32, offset: f32, dst: &mut Vec<f32>) {
    dst.resize(rgb.len(), 0.0);
    for (d, &s) in dst.iter_mut().zip(rgb) {
        *d = s as f32 * scale + offset;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rint_rounds_half_to_even() {
        for (x, want) in [
            (0.5, 0.0),
            (1.5, 2.0),
            (2.5, 2.0),
            (-0.5, -0.0),
            (-1.5, -2.0),
            (3.2, 3.0),
            (-3.7, -4.0),
        ] {
            assert_eq!(rint(x), want, "{x}");
            assert_eq!(rint(x), f64::round_ties_even(x), "{x}");
        }
        assert_eq!(rint(1e300) as i32, i32::MAX);
    }

    #[test]
    fn identity_roi_copies_pixels() {
        // 4×2 frame, ROI = whole frame at the same size: dst(u,v) samples src(u,v).
        let rgba: Vec<u8> = (0..8u8)
            .flat_map(|i| [i * 10, i * 10 + 1, i * 10 + 2, 255])
            .collect();
        let roi = RotatedRect {
            cx: 2.0,
            cy: 1.0,
            w: 4.0,
            h: 2.0,
            rotation: 0.0,
        };
        let mut out = Vec::new();
        warp_roi_rgb8(&rgba, 4, 2, &roi, 4, 2, Border::Replicate, &mut out);
        for i in 0..8 {
            assert_eq!(&out[i * 3..i * 3 + 3], &rgba[i * 4..i * 4 + 3]);
        }
    }

    #[test]
    fn outside_is_black_with_zero_border() {
        let rgba = vec![200u8; 4 * 4 * 4];
        let roi = RotatedRect {
            cx: 100.0,
            cy: 100.0,
            w: 4.0,
            h: 4.0,
            rotation: 0.0,
        };
        let mut out = Vec::new();
        warp_roi_rgb8(&rgba, 4, 4, &roi, 2, 2, Border::Zero, &mut out);
        assert!(out.iter().all(|&v| v == 0));
        warp_roi_rgb8(&rgba, 4, 4, &roi, 2, 2, Border::Replicate, &mut out);
        assert!(out.iter().all(|&v| v == 200));
    }
}
