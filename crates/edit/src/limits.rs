//! Caps and clamps applied to everything written into the document and to everything read
//! back out of it. Reads are sanitised too because a peer's update is untrusted: a buggy or
//! hostile member must not be able to make the UI render NaN geometry or a million points.

use std::f32::consts::TAU;

use crate::types::{Frame, Placement, TextStyle};

/// Most elements a replica will add. Adding more is a no-op (see [`crate::EditDoc::is_full`]);
/// snapshots also show at most this many, the bottom-most in z order.
pub const MAX_ELEMENTS: usize = 2000;
/// Most points in one stroke; further points passed to `extend_stroke` are dropped.
pub const MAX_STROKE_POINTS: usize = 4096;
/// Longest text element, in chars (not bytes); longer text is cut.
pub const MAX_TEXT_CHARS: usize = 500;
/// Longest sticker preset id, in chars.
pub const MAX_PRESET_CHARS: usize = 64;
/// Biggest sync payload `handle_sync` accepts (a late joiner's SyncStep2 of a full document is
/// far below this; see the benchmark).
pub const MAX_PAYLOAD_BYTES: usize = 32 * 1024 * 1024;

/// Placement x/y are shares of the photo; elements may hang off the edges, but not fly away.
pub const COORD_MIN: f32 = -1.0;
pub const COORD_MAX: f32 = 2.0;
/// Stroke point coordinates are clamped to ±this. Points may be absolute shares or offsets
/// from the stroke's placement (the app uses offsets with x scaled by the photo's aspect), so
/// the bound is loose: it only keeps them finite and small enough to render.
pub const POINT_LIMIT: f32 = 16.0;
/// Placement scale factor range.
pub const SCALE_MIN: f32 = 0.01;
pub const SCALE_MAX: f32 = 100.0;
/// Range for sizes and widths (sticker size, stroke width, font size), in the app's units.
pub const SIZE_MIN: f32 = 0.0;
pub const SIZE_MAX: f32 = 1000.0;
/// Smallest crop side, as a share of the photo, so a crop never collapses to nothing.
pub const MIN_CROP: f32 = 0.02;
/// Fonts a text element may use; anything else reads as the first.
pub const FONTS: [&str; 3] = ["sans", "serif", "mono"];

pub(crate) fn coord(v: f32) -> Option<f32> {
    v.is_finite().then(|| v.clamp(COORD_MIN, COORD_MAX))
}

pub(crate) fn point(v: f32) -> Option<f32> {
    v.is_finite().then(|| v.clamp(-POINT_LIMIT, POINT_LIMIT))
}

fn finite_or(v: f32, default: f32) -> f32 {
    if v.is_finite() {
        v
    } else {
        default
    }
}

pub(crate) fn size(v: f32, default: f32) -> f32 {
    finite_or(v, default).clamp(SIZE_MIN, SIZE_MAX)
}

/// NaN/inf fall back to the photo centre, unit scale and no rotation; finite values are clamped.
/// `%` (fmod) is exact, so sanitising an already sane placement changes nothing.
pub(crate) fn placement(p: Placement) -> Placement {
    Placement {
        x: coord(p.x).unwrap_or(0.5),
        y: coord(p.y).unwrap_or(0.5),
        scale: finite_or(p.scale, 1.0).clamp(SCALE_MIN, SCALE_MAX),
        rotation: finite_or(p.rotation, 0.0) % TAU,
    }
}

pub(crate) fn text(s: &str) -> String {
    s.chars().take(MAX_TEXT_CHARS).collect()
}

pub(crate) fn preset(s: &str) -> String {
    s.chars().take(MAX_PRESET_CHARS).collect()
}

pub(crate) fn font(s: &str) -> &'static str {
    FONTS.iter().copied().find(|f| *f == s).unwrap_or(FONTS[0])
}

pub(crate) fn style(s: &TextStyle) -> TextStyle {
    TextStyle {
        font: font(&s.font).to_string(),
        size: size(s.size, 0.05),
        colour: s.colour,
        outline: s.outline,
    }
}

/// Crop is `[left, top, right, bottom]` as shares of the photo. Edges are clamped into the photo,
/// swapped if reversed, and widened to [`MIN_CROP`]; NaN gives the full photo.
pub(crate) fn frame(f: Frame) -> Frame {
    let quarter_turns = f.quarter_turns % 4;
    if f.crop.iter().any(|v| !v.is_finite()) {
        return Frame {
            quarter_turns,
            ..Frame::default()
        };
    }
    let axis = |a: f32, b: f32| {
        let (lo, hi) = (a.min(b).clamp(0.0, 1.0), a.max(b).clamp(0.0, 1.0));
        // The tolerance keeps this idempotent: `lo + MIN_CROP - lo` may round below MIN_CROP.
        if hi - lo >= MIN_CROP - 1e-6 {
            (lo, hi)
        } else {
            // Grow around the middle, kept inside the photo.
            let lo = (((lo + hi) / 2.0) - MIN_CROP / 2.0).clamp(0.0, 1.0 - MIN_CROP);
            (lo, lo + MIN_CROP)
        }
    };
    let (l, r) = axis(f.crop[0], f.crop[2]);
    let (t, b) = axis(f.crop[1], f.crop[3]);
    Frame {
        crop: [l, t, r, b],
        quarter_turns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_rejects_non_finite() {
        let p = placement(Placement {
            x: f32::NAN,
            y: f32::INFINITY,
            scale: f32::NEG_INFINITY,
            rotation: f32::NAN,
        });
        assert_eq!(
            p,
            Placement {
                x: 0.5,
                y: 0.5,
                scale: 1.0,
                rotation: 0.0
            }
        );
        let q = placement(Placement {
            x: 7.0,
            y: -9.0,
            scale: 1e9,
            rotation: 7.0,
        });
        assert_eq!((q.x, q.y, q.scale), (COORD_MAX, COORD_MIN, SCALE_MAX));
        assert!(q.rotation.abs() < TAU);
        assert_eq!(placement(q), q, "idempotent");
    }

    #[test]
    fn frame_is_ordered_and_non_empty() {
        let f = frame(Frame {
            crop: [0.9, 0.5, 0.1, 0.5],
            quarter_turns: 7,
        });
        assert_eq!(f.quarter_turns, 3);
        assert_eq!([f.crop[0], f.crop[2]], [0.1, 0.9]);
        assert!(f.crop[3] - f.crop[1] >= MIN_CROP - 1e-6);
        assert_eq!(frame(f), f);
        assert_eq!(
            frame(Frame {
                crop: [f32::NAN, 0.0, 1.0, 1.0],
                quarter_turns: 1
            })
            .crop,
            Frame::default().crop
        );
    }

    #[test]
    fn text_is_cut_by_chars() {
        let long: String = "é".repeat(MAX_TEXT_CHARS + 10);
        assert_eq!(text(&long).chars().count(), MAX_TEXT_CHARS);
        assert_eq!(font("comic"), "sans");
    }
}
