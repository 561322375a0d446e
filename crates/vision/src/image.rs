//! Plain image and mask buffers. They are deliberately dumb (no colour-space or
//! stride options) so the app can hand over a canvas `ImageData` buffer as-is.

use crate::error::{Result, VisionError};

/// An RGBA8 frame, rows top to bottom, no padding between rows (canvas `ImageData` layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rgba8Image {
    pub width: u32,
    pub height: u32,
    /// `width * height * 4` bytes.
    pub data: Vec<u8>,
}

impl Rgba8Image {
    /// Wraps a buffer after checking its length.
    pub fn new(width: u32, height: u32, data: Vec<u8>) -> Result<Self> {
        let img = Self {
            width,
            height,
            data,
        };
        img.validate()?;
        Ok(img)
    }

    /// Checks the invariants every pipeline relies on: non-empty, and the buffer
    /// length matches the size. Called at every public entry point because the
    /// fields are public.
    pub fn validate(&self) -> Result<()> {
        view(self.width, self.height, &self.data).map(|_| ())
    }

    /// Borrowed view of this image.
    pub fn as_view(&self) -> Result<RgbaView<'_>> {
        view(self.width, self.height, &self.data)
    }
}

/// A borrowed RGBA8 frame, so callers that already own a buffer (a canvas read-back,
/// a decoded image) need not copy it into an [`Rgba8Image`].
#[derive(Clone, Copy, Debug)]
pub struct RgbaView<'a> {
    pub width: usize,
    pub height: usize,
    pub data: &'a [u8],
}

impl<'a> RgbaView<'a> {
    /// Checks the buffer length against the size.
    pub fn new(width: u32, height: u32, data: &'a [u8]) -> Result<Self> {
        view(width, height, data)
    }
}

fn view(width: u32, height: u32, data: &[u8]) -> Result<RgbaView<'_>> {
    if width == 0 || height == 0 {
        return Err(VisionError::BadImage(format!(
            "empty image {width}x{height}"
        )));
    }
    let expected = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(4))
        .ok_or_else(|| VisionError::BadImage(format!("image too large: {width}x{height}")))?;
    if data.len() != expected {
        return Err(VisionError::BadImage(format!(
            "{width}x{height} RGBA needs {expected} bytes, got {}",
            data.len()
        )));
    }
    Ok(RgbaView {
        width: width as usize,
        height: height as usize,
        data,
    })
}

/// An alpha mask at frame size: 0 = background, 255 = person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mask {
    pub width: u32,
    pub height: u32,
    /// `width * height` bytes.
    pub data: Vec<u8>,
}

impl Mask {
    /// Fraction of pixels at or above `threshold` (0..=255).
    pub fn fraction_at_least(&self, threshold: u8) -> f32 {
        if self.data.is_empty() {
            return 0.0;
        }
        let n = self.data.iter().filter(|&&v| v >= threshold).count();
        n as f32 / self.data.len() as f32
    }
}

/// Axis-aligned box in frame pixels, `x0 <= x1`, `y0 <= y1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl BBox {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
}
