//! The document's elements as the renderer draws them. The edit crate keeps
//! preset and font ids as text (the wire must not depend on the renderer);
//! an id this version does not know is skipped rather than guessed.

use huddle_edit::{DocSnapshot, ElementKind, ElementSnapshot, Frame};
use huddle_vision::edit::{self as draw, FontFace, PhotoFrame, StickerPreset};

pub fn frame(f: &Frame) -> PhotoFrame {
    PhotoFrame {
        crop: f.crop,
        quarter_turns: f.quarter_turns % 4,
    }
}

pub fn placement(p: &huddle_edit::Placement) -> draw::Placement {
    draw::Placement {
        x: p.x,
        y: p.y,
        scale: p.scale,
        rotation: p.rotation,
    }
}

fn element(e: &ElementSnapshot) -> Option<draw::Element> {
    let kind = match &e.kind {
        ElementKind::Sticker { preset, size } => draw::ElementKind::Sticker {
            preset: StickerPreset::from_id(preset)?,
            size: *size,
        },
        ElementKind::Stroke {
            points,
            colour,
            width,
            eraser,
        } => draw::ElementKind::Stroke {
            points: points.clone(),
            colour: *colour,
            width: *width,
            eraser: *eraser,
        },
        ElementKind::Text { content, style } => draw::ElementKind::Text {
            content: content.clone(),
            font: FontFace::from_id(&style.font).unwrap_or(FontFace::Sans),
            size: style.size,
            colour: style.colour,
            outline: style.outline,
        },
    };
    Some(draw::Element {
        kind,
        placement: placement(&e.placement),
    })
}

/// The elements to draw, bottom first, with the document id of each.
pub fn drawable(doc: &DocSnapshot) -> (Vec<String>, Vec<draw::Element>) {
    doc.elements
        .iter()
        .filter_map(|e| Some((e.id.0.clone(), element(e)?)))
        .unzip()
}

/// A short fingerprint of the document, the same on every member holding the
/// same state: the page shows it (`data-doc`) so tests can compare members.
pub fn digest(doc: &DocSnapshot) -> String {
    let text = serde_json::to_string(doc).unwrap_or_default();
    // FNV-1a: a fingerprint for comparing, not a security hash.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
