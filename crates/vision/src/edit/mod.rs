//! Photo editing: a photo plus stickers, freehand strokes and text, then a crop
//! and a quarter-turn rotation, rendered by one function for both the live
//! editor view (small, every change) and the full-resolution export, so what
//! people see is what they save.
//!
//! Everything an element says about where it sits is in shares of the photo
//! (positions) or photo heights (sizes), never pixels, so the same list of
//! elements renders the same picture at any output size.

mod frame;
mod geom;
mod hit;
mod render;
mod stickers;
mod stroke;
mod text;

use ab_glyph::FontArc;

pub use frame::{export_size, photo_to_view, view_to_photo};
pub use hit::{element_corners, hit_test};
pub use render::render_edit;
pub use stickers::sticker_icon;

/// The stickers people can put on a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StickerPreset {
    Star,
    Heart,
    Sun,
    Flower,
    Balloon,
    Cloud,
    Crown,
    Sparkles,
}

impl StickerPreset {
    pub const ALL: [StickerPreset; 8] = [
        StickerPreset::Star,
        StickerPreset::Heart,
        StickerPreset::Sun,
        StickerPreset::Flower,
        StickerPreset::Balloon,
        StickerPreset::Cloud,
        StickerPreset::Crown,
        StickerPreset::Sparkles,
    ];

    /// Stable id for messages.
    pub fn id(self) -> &'static str {
        match self {
            StickerPreset::Star => "star",
            StickerPreset::Heart => "heart",
            StickerPreset::Sun => "sun",
            StickerPreset::Flower => "flower",
            StickerPreset::Balloon => "balloon",
            StickerPreset::Cloud => "cloud",
            StickerPreset::Crown => "crown",
            StickerPreset::Sparkles => "sparkles",
        }
    }

    /// Name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            StickerPreset::Star => "Star",
            StickerPreset::Heart => "Heart",
            StickerPreset::Sun => "Sun",
            StickerPreset::Flower => "Flower",
            StickerPreset::Balloon => "Balloon",
            StickerPreset::Cloud => "Cloud",
            StickerPreset::Crown => "Crown",
            StickerPreset::Sparkles => "Sparkles",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// Width over height.
    pub fn aspect(self) -> f32 {
        stickers::aspect(self)
    }
}

/// The typefaces text can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FontFace {
    Sans,
    Serif,
    Mono,
}

impl FontFace {
    pub const ALL: [FontFace; 3] = [FontFace::Sans, FontFace::Serif, FontFace::Mono];

    /// Stable id for messages.
    pub fn id(self) -> &'static str {
        match self {
            FontFace::Sans => "sans",
            FontFace::Serif => "serif",
            FontFace::Mono => "mono",
        }
    }

    /// Name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            FontFace::Sans => "Sans",
            FontFace::Serif => "Serif",
            FontFace::Mono => "Mono",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == id)
    }
}

/// Where an element sits. x, y: the element's centre, shares of the photo's width and height (0..1).
/// scale: multiplies the element's own size; rotation: radians, clockwise on screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub x: f32,
    pub y: f32,
    pub scale: f32,
    pub rotation: f32,
}

impl Default for Placement {
    fn default() -> Self {
        Self {
            x: 0.5,
            y: 0.5,
            scale: 1.0,
            rotation: 0.0,
        }
    }
}

/// What an element is.
#[derive(Clone, Debug, PartialEq)]
pub enum ElementKind {
    /// size: the sticker's height at scale 1, as a share of the photo's height.
    Sticker { preset: StickerPreset, size: f32 },
    /// points: offsets from (x, y) in units of the photo's HEIGHT on both axes (so rotation is not distorted);
    /// width: line width in photo heights. Drawn smoothed (centripetal Catmull-Rom), round caps and joins,
    /// anti-aliased. scale/rotation apply about the centre of the points' bounding box; (x, y) moves it.
    /// eraser: true = this stroke erases the ink of strokes below it in z order (not the photo, stickers or
    /// text, nor strokes drawn above it). A single point draws a dot.
    Stroke {
        points: Vec<[f32; 2]>,
        colour: [u8; 4],
        width: f32,
        eraser: bool,
    },
    /// Centred on (x, y). size: the font's em size as a share of the photo's height. '\n' makes lines (centred).
    /// outline: drawn around the glyphs (8 % of size wide) under the fill.
    Text {
        content: String,
        font: FontFace,
        size: f32,
        colour: [u8; 4],
        outline: Option<[u8; 4]>,
    },
}

/// One thing drawn on the photo.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub kind: ElementKind,
    pub placement: Placement,
}

/// Crop and rotation of the photo. crop: [x0, y0, x1, y1] in shares of the (unrotated) photo; quarter_turns 0..=3
/// clockwise. Elements live in photo space: they are drawn on the photo, then the result is cropped, then rotated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhotoFrame {
    pub crop: [f32; 4],
    pub quarter_turns: u8,
}

impl Default for PhotoFrame {
    fn default() -> Self {
        Self {
            crop: [0.0, 0.0, 1.0, 1.0],
            quarter_turns: 0,
        }
    }
}

/// Parsed fonts for text elements. Cloning shares the parsed data.
#[derive(Clone, Debug)]
pub struct Fonts {
    sans: FontArc,
    serif: FontArc,
    mono: FontArc,
}

impl Fonts {
    /// Parses the three bundled faces (TrueType/OpenType bytes).
    pub fn from_bytes(
        sans: Vec<u8>,
        serif: Vec<u8>,
        mono: Vec<u8>,
    ) -> Result<Fonts, EditRenderError> {
        let parse = |face: FontFace, bytes: Vec<u8>| {
            FontArc::try_from_vec(bytes).map_err(|e| EditRenderError::BadFont {
                face: face.id(),
                reason: e.to_string(),
            })
        };
        Ok(Fonts {
            sans: parse(FontFace::Sans, sans)?,
            serif: parse(FontFace::Serif, serif)?,
            mono: parse(FontFace::Mono, mono)?,
        })
    }

    pub(crate) fn face(&self, face: FontFace) -> &FontArc {
        match face {
            FontFace::Sans => &self.sans,
            FontFace::Serif => &self.serif,
            FontFace::Mono => &self.mono,
        }
    }
}

/// What can go wrong preparing to render an edit (rendering itself never fails:
/// elements that cannot be drawn are skipped).
#[derive(thiserror::Error, Debug)]
pub enum EditRenderError {
    #[error("the {face} font could not be read: {reason}")]
    BadFont { face: &'static str, reason: String },
}
