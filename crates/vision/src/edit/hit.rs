//! Selection: an element's outline for the selection box, and which element
//! is under a pointer. Both work in photo heights (isotropic), like drawing.

use super::geom::{sticker_box, stroke_geom, OBox, Pose};
use super::stroke::{segment_dist, smooth};
use super::text::text_geom;
use super::{Element, ElementKind, Fonts};

/// Smoothing step for hit tests, photo heights: finer than any pointer.
const HIT_STEP: f32 = 0.004;

fn aspect(photo_w: u32, photo_h: u32) -> f32 {
    photo_w.max(1) as f32 / photo_h.max(1) as f32
}

/// The element's box in photo heights, `None` when it cannot be drawn.
fn element_box(e: &Element, aspect: f32, fonts: &Fonts) -> Option<(Pose, OBox)> {
    let pose = Pose::new(&e.placement, aspect)?;
    let b = match &e.kind {
        ElementKind::Sticker { preset, size } => sticker_box(*preset, *size, &pose)?,
        ElementKind::Stroke { points, width, .. } => stroke_geom(points, *width, &pose)?.bounds,
        ElementKind::Text {
            content,
            font,
            size,
            outline,
            ..
        } => text_geom(fonts, *font, content, *size, outline.is_some(), &pose)?.bounds,
    };
    Some((pose, b))
}

/// The element's outline as 4 corners in photo shares (for a selection box), given the photo's pixel size:
/// top-left, top-right, bottom-right, bottom-left of the unturned element. An element that cannot be
/// drawn collapses to its centre.
pub fn element_corners(e: &Element, photo_w: u32, photo_h: u32, fonts: &Fonts) -> [[f32; 2]; 4] {
    let aspect = aspect(photo_w, photo_h);
    match element_box(e, aspect, fonts) {
        Some((_, b)) => b.corners().map(|[u, v]| [u / aspect, v]),
        None => {
            let c = |v: f32| if v.is_finite() { v } else { 0.5 };
            [[c(e.placement.x), c(e.placement.y)]; 4]
        }
    }
}

/// Index of the topmost element under p (photo shares), if any; strokes hit within half their width
/// (+ slop, in photo heights), stickers/text within their rotated box (+ slop). Eraser strokes are
/// never hit.
pub fn hit_test(
    elements: &[Element],
    photo_w: u32,
    photo_h: u32,
    fonts: &Fonts,
    p: [f32; 2],
    slop: f32,
) -> Option<usize> {
    if !(p[0].is_finite() && p[1].is_finite()) {
        return None;
    }
    let slop = if slop.is_finite() {
        slop.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let aspect = aspect(photo_w, photo_h);
    let q = [p[0] * aspect, p[1]];
    elements.iter().enumerate().rev().find_map(|(i, e)| {
        let hit = match &e.kind {
            ElementKind::Stroke { eraser: true, .. } => false,
            ElementKind::Stroke { points, width, .. } => Pose::new(&e.placement, aspect)
                .and_then(|pose| stroke_geom(points, *width, &pose))
                .is_some_and(|g| {
                    let reach = g.width * 0.5 + slop;
                    g.bounds.contains(q, slop) && {
                        let line = smooth(&g.points, HIT_STEP, 1e-6);
                        match line.as_slice() {
                            [only] => super::stroke::dist(*only, q) <= reach,
                            _ => line
                                .windows(2)
                                .any(|s| segment_dist(q, s[0], s[1]) <= reach),
                        }
                    }
                }),
            _ => element_box(e, aspect, fonts).is_some_and(|(_, b)| b.contains(q, slop)),
        };
        hit.then_some(i)
    })
}
