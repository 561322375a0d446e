//! The plain values the app works with: ids, placements, styles and snapshots. They are what
//! goes into Leptos signals, so they are `Send`, serde-able and free of yrs handles.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An element's key in the document: `"<client>-<counter>"`, minted by the replica that
/// creates the element. The client id makes it unique across replicas without coordination,
/// which is what allows each element to be its own nested map (see the crate docs).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct ElementId(pub String);

impl ElementId {
    pub fn new(client: u64, counter: u64) -> Self {
        ElementId(format!("{client}-{counter}"))
    }

    /// The client id of the replica that created the element, if the id is well formed.
    pub fn author(&self) -> Option<u64> {
        let (client, counter) = self.0.split_once('-')?;
        counter.parse::<u64>().ok()?;
        client.parse().ok()
    }
}

impl fmt::Display for ElementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an element sits: `x`, `y` are shares of the photo's width and height (0..1 on the
/// photo, a little outside allowed), `scale` a factor, `rotation` radians.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub x: f32,
    pub y: f32,
    pub scale: f32,
    pub rotation: f32,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            x: 0.5,
            y: 0.5,
            scale: 1.0,
            rotation: 0.0,
        }
    }
}

/// How a text element looks. `font` is one of [`crate::limits::FONTS`]; colours are RGBA.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextStyle {
    pub font: String,
    pub size: f32,
    pub colour: [u8; 4],
    pub outline: Option<[u8; 4]>,
}

/// What an element is, with the fields that only that kind has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ElementKind {
    Sticker {
        preset: String,
        size: f32,
    },
    /// `points` in drawing order, in the app's frame (photo shares, or offsets from the
    /// placement); `eraser` strokes erase the strokes below.
    Stroke {
        points: Vec<[f32; 2]>,
        colour: [u8; 4],
        width: f32,
        eraser: bool,
    },
    Text {
        content: String,
        style: TextStyle,
    },
}

impl ElementKind {
    /// The `kind` tag stored in the document.
    pub fn tag(&self) -> &'static str {
        match self {
            ElementKind::Sticker { .. } => "sticker",
            ElementKind::Stroke { .. } => "stroke",
            ElementKind::Text { .. } => "text",
        }
    }
}

/// One element as read from the document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElementSnapshot {
    pub id: ElementId,
    /// The client id that created it (from the id).
    pub author: u64,
    /// Stacking key; higher is nearer the viewer. Ties are broken by `id`.
    pub z: f64,
    pub placement: Placement,
    pub kind: ElementKind,
}

/// The photo's crop and rotation. `crop` is `[left, top, right, bottom]` as shares of the
/// uncropped, unrotated photo; the photo is turned clockwise by `quarter_turns` × 90° (0..=3).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub crop: [f32; 4],
    pub quarter_turns: u8,
}

impl Default for Frame {
    fn default() -> Self {
        Frame {
            crop: [0.0, 0.0, 1.0, 1.0],
            quarter_turns: 0,
        }
    }
}

/// The whole document as plain values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct DocSnapshot {
    pub frame: Frame,
    /// Bottom → top, sorted by `(z, id)`.
    pub elements: Vec<ElementSnapshot>,
}

/// A change of stacking order for [`crate::EditDoc::reorder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reorder {
    /// Above the next element up.
    Forward,
    /// Below the next element down.
    Backward,
    ToFront,
    ToBack,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_id_format_and_author() {
        let id = ElementId::new(42, 7);
        assert_eq!(id.to_string(), "42-7");
        assert_eq!(id.author(), Some(42));
        assert_eq!(ElementId("x-1".into()).author(), None);
        assert_eq!(ElementId("42".into()).author(), None);
    }
}
