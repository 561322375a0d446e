//! Crop and quarter turns: the export's size, the mapping between the rendered
//! view and the photo, and the two pixel passes that apply them (resampling
//! the cropped photo, turning the finished picture).

use super::PhotoFrame;
use crate::image::Rgba8Image;

/// The smallest crop side, as a share of the photo: a crop from a confused peer
/// must still leave something to draw and to map points through.
const MIN_CROP: f32 = 0.01;

/// Longest side and most pixels the renderer will allocate, so a bad
/// `out_width` or a sliver of a crop cannot ask for gigabytes.
pub(crate) const MAX_SIDE: u32 = 16_384;
const MAX_PIXELS: f32 = 48e6;

/// A crop that can be trusted: inside the photo, at least [`MIN_CROP`] a side.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Frame {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    pub turns: u8,
}

impl Frame {
    pub fn new(f: &PhotoFrame) -> Self {
        let (x0, x1) = axis(f.crop[0], f.crop[2]);
        let (y0, y1) = axis(f.crop[1], f.crop[3]);
        Self {
            x0,
            y0,
            x1,
            y1,
            turns: f.quarter_turns % 4,
        }
    }

    fn sideways(&self) -> bool {
        self.turns % 2 == 1
    }
}

fn axis(a: f32, b: f32) -> (f32, f32) {
    if !(a.is_finite() && b.is_finite()) || b <= a {
        return (0.0, 1.0);
    }
    let (a, b) = (a.clamp(0.0, 1.0), b.clamp(0.0, 1.0));
    if b - a >= MIN_CROP {
        return (a, b);
    }
    let c = ((a + b) * 0.5).clamp(MIN_CROP * 0.5, 1.0 - MIN_CROP * 0.5);
    (c - MIN_CROP * 0.5, c + MIN_CROP * 0.5)
}

/// Size of the full-resolution export (the cropped, rotated photo) for a photo of photo_w × photo_h.
pub fn export_size(photo_w: u32, photo_h: u32, frame: &PhotoFrame) -> (u32, u32) {
    let f = Frame::new(frame);
    let side = |share: f32, n: u32| ((share * n.max(1) as f32).round() as u32).clamp(1, MAX_SIDE);
    let (w, h) = (side(f.x1 - f.x0, photo_w), side(f.y1 - f.y0, photo_h));
    if f.sideways() {
        (h, w)
    } else {
        (w, h)
    }
}

/// View shares → shares of the cropped, unturned picture.
fn unturn(turns: u8, p: [f32; 2]) -> [f32; 2] {
    match turns {
        1 => [p[1], 1.0 - p[0]],
        2 => [1.0 - p[0], 1.0 - p[1]],
        3 => [1.0 - p[1], p[0]],
        _ => p,
    }
}

/// Shares of the cropped, unturned picture → view shares.
fn returned(turns: u8, p: [f32; 2]) -> [f32; 2] {
    match turns {
        1 => [1.0 - p[1], p[0]],
        2 => [1.0 - p[0], 1.0 - p[1]],
        3 => [p[1], 1.0 - p[0]],
        _ => p,
    }
}

/// Maps a point in the rendered view (shares 0..1 of the view's width/height) to photo shares.
pub fn view_to_photo(frame: &PhotoFrame, p: [f32; 2]) -> [f32; 2] {
    let f = Frame::new(frame);
    let [u, v] = unturn(f.turns, p);
    [f.x0 + u * (f.x1 - f.x0), f.y0 + v * (f.y1 - f.y0)]
}

/// Maps a point in photo shares to the rendered view's shares (outside 0..1 when cropped away).
pub fn photo_to_view(frame: &PhotoFrame, p: [f32; 2]) -> [f32; 2] {
    let f = Frame::new(frame);
    let u = (p[0] - f.x0) / (f.x1 - f.x0);
    let v = (p[1] - f.y0) / (f.y1 - f.y0);
    returned(f.turns, [u, v])
}

/// The picture being drawn before it is turned: the crop of the photo at the
/// output's scale, and how photo coordinates land on it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Canvas {
    pub w: u32,
    pub h: u32,
    /// Canvas pixels per photo pixel, across and down (equal but for rounding).
    kx: f32,
    ky: f32,
    /// The crop's top-left corner in photo pixels.
    ox: f32,
    oy: f32,
    photo_w: f32,
    photo_h: f32,
}

impl Canvas {
    /// The canvas for an output `out_width` wide (after turning).
    pub fn new(photo_w: u32, photo_h: u32, f: &Frame, out_width: u32) -> Self {
        let (pw, ph) = (photo_w.max(1) as f32, photo_h.max(1) as f32);
        let (cw_px, ch_px) = ((f.x1 - f.x0) * pw, (f.y1 - f.y0) * ph);
        let (ew, eh) = if f.sideways() {
            (ch_px, cw_px)
        } else {
            (cw_px, ch_px)
        };
        let mut ow = out_width.clamp(1, MAX_SIDE) as f32;
        let mut oh = (ow * eh / ew).round().clamp(1.0, MAX_SIDE as f32);
        if ow * oh > MAX_PIXELS {
            let k = (MAX_PIXELS / (ow * oh)).sqrt();
            (ow, oh) = ((ow * k).floor().max(1.0), (oh * k).floor().max(1.0));
        }
        let (ow, oh) = (ow as u32, oh as u32);
        let (w, h) = if f.sideways() { (oh, ow) } else { (ow, oh) };
        Self {
            w,
            h,
            kx: w as f32 / cw_px,
            ky: h as f32 / ch_px,
            ox: f.x0 * pw,
            oy: f.y0 * ph,
            photo_w: pw,
            photo_h: ph,
        }
    }

    /// Canvas pixels per photo height: the unit element sizes are given in.
    pub fn px_per_height(&self) -> f32 {
        self.photo_h * (self.kx + self.ky) * 0.5
    }

    /// Width over height of the photo, to go between shares and photo heights.
    pub fn photo_aspect(&self) -> f32 {
        self.photo_w / self.photo_h
    }

    /// A point in photo heights from the photo's top-left corner → canvas pixels.
    pub fn heights_to_px(&self, p: [f32; 2]) -> [f32; 2] {
        [
            (p[0] * self.photo_h - self.ox) * self.kx,
            (p[1] * self.photo_h - self.oy) * self.ky,
        ]
    }

    /// The cropped photo at canvas size, bilinear (clamped at the photo's edges).
    pub fn sample(&self, photo: &Rgba8Image) -> Rgba8Image {
        let (w, h) = (self.w as usize, self.h as usize);
        let (sw, sh) = (photo.width as usize, photo.height as usize);
        // At full size (the export) copy whole pixels: crisp, and no filtering cost.
        if (self.kx - 1.0).abs() < 1e-3 && (self.ky - 1.0).abs() < 1e-3 {
            let x0 = (self.ox.round() as usize).min(sw.saturating_sub(w));
            let y0 = (self.oy.round() as usize).min(sh.saturating_sub(h));
            if x0 + w <= sw && y0 + h <= sh {
                let mut data = Vec::with_capacity(w * h * 4);
                for y in y0..y0 + h {
                    data.extend_from_slice(&photo.data[(y * sw + x0) * 4..][..w * 4]);
                }
                return Rgba8Image {
                    width: self.w,
                    height: self.h,
                    data,
                };
            }
        }
        // Source index pairs and 8-bit weights per column and per row, shared by all rows.
        let taps = |n: usize, k: f32, o: f32, len: usize| -> Vec<(usize, usize, u32)> {
            (0..n)
                .map(|i| {
                    let s = (o + (i as f32 + 0.5) / k - 0.5).clamp(0.0, (len - 1) as f32);
                    let i0 = s.floor() as usize;
                    let wt = ((s - i0 as f32) * 256.0).round() as u32;
                    (i0, (i0 + 1).min(len - 1), wt)
                })
                .collect()
        };
        let cols = taps(w, self.kx, self.ox, sw);
        let rows = taps(h, self.ky, self.oy, sh);
        let mut data = vec![0u8; w * h * 4];
        let src = &photo.data;
        for (out_row, &(r0, r1, wy)) in data.chunks_exact_mut(w * 4).zip(&rows) {
            let (a, b) = (&src[r0 * sw * 4..][..sw * 4], &src[r1 * sw * 4..][..sw * 4]);
            for (o, &(c0, c1, wx)) in out_row.chunks_exact_mut(4).zip(&cols) {
                for k in 0..4 {
                    let top = u32::from(a[c0 * 4 + k]) * (256 - wx) + u32::from(a[c1 * 4 + k]) * wx;
                    let bot = u32::from(b[c0 * 4 + k]) * (256 - wx) + u32::from(b[c1 * 4 + k]) * wx;
                    o[k] = ((top * (256 - wy) + bot * wy + (1 << 15)) >> 16) as u8;
                }
            }
        }
        Rgba8Image {
            width: self.w,
            height: self.h,
            data,
        }
    }
}

/// Turns the finished canvas `turns` quarters clockwise.
pub(crate) fn turn(img: Rgba8Image, turns: u8) -> Rgba8Image {
    let (w, h) = (img.width as usize, img.height as usize);
    if turns.is_multiple_of(4) {
        return img;
    }
    let src = &img.data;
    let (ow, oh) = if turns % 2 == 1 { (h, w) } else { (w, h) };
    let mut data = vec![0u8; w * h * 4];
    for (yo, row) in data.chunks_exact_mut(ow * 4).enumerate() {
        for (xo, o) in row.chunks_exact_mut(4).enumerate() {
            let (x, y) = match turns % 4 {
                1 => (yo, h - 1 - xo),
                2 => (w - 1 - xo, h - 1 - yo),
                _ => (w - 1 - yo, xo),
            };
            o.copy_from_slice(&src[(y * w + x) * 4..][..4]);
        }
    }
    Rgba8Image {
        width: ow as u32,
        height: oh as u32,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_crops_become_usable() {
        let f = Frame::new(&PhotoFrame {
            crop: [0.8, 0.2, 0.3, f32::NAN],
            quarter_turns: 7,
        });
        assert_eq!((f.x0, f.x1, f.y0, f.y1, f.turns), (0.0, 1.0, 0.0, 1.0, 3));
        let f = Frame::new(&PhotoFrame {
            crop: [0.999, 0.5, 1.5, 0.5001],
            quarter_turns: 0,
        });
        assert!(f.x1 <= 1.0 && f.x1 - f.x0 >= MIN_CROP - 1e-6);
        assert!(f.y1 - f.y0 >= MIN_CROP - 1e-6);
    }

    #[test]
    fn turning_moves_corners_clockwise() {
        // 2×1: red on the left, blue on the right.
        let img = Rgba8Image {
            width: 2,
            height: 1,
            data: vec![255, 0, 0, 255, 0, 0, 255, 255],
        };
        let q = turn(img.clone(), 1);
        assert_eq!((q.width, q.height), (1, 2));
        assert_eq!(&q.data[..4], &[255, 0, 0, 255], "left goes to the top");
        let q = turn(img.clone(), 3);
        assert_eq!(&q.data[..4], &[0, 0, 255, 255], "right goes to the top");
        let q = turn(img, 2);
        assert_eq!(&q.data[..4], &[0, 0, 255, 255]);
    }

    #[test]
    fn view_and_photo_round_trip() {
        for turns in 0..4 {
            let frame = PhotoFrame {
                crop: [0.1, 0.2, 0.7, 0.9],
                quarter_turns: turns,
            };
            for p in [[0.0, 0.0], [0.3, 0.8], [1.0, 0.5]] {
                let q = photo_to_view(&frame, view_to_photo(&frame, p));
                assert!((q[0] - p[0]).abs() < 1e-5 && (q[1] - p[1]).abs() < 1e-5);
            }
        }
    }
}
