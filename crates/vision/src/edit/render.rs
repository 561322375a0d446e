//! The one renderer behind the live view and the export: the cropped photo at
//! the output's scale, the elements bottom first, then the quarter turns.

use super::frame::{turn, Canvas, Frame};
use super::geom::{sticker_box, stroke_geom, Pose};
use super::stroke::{simplify, smooth, Coverage, SAME_POINT};
use super::{stickers, text, Element, ElementKind, Fonts, PhotoFrame};
use crate::image::Rgba8Image;

/// Smoothed stroke pieces are at most this long (canvas pixels): short enough
/// that the polyline reads as a curve.
const SMOOTH_STEP: f32 = 3.0;
/// How far (canvas pixels) the drawn polyline may stray from the smoothed curve.
const SIMPLIFY_TOL: f32 = 0.1;

/// Renders the edited photo at out_width pixels wide (height from export_size's aspect). Elements in the slice
/// are drawn in order (bottom first). The photo is scaled with bilinear filtering.
///
/// Elements that cannot be drawn (non-finite numbers, zero sizes) are skipped; a photo whose
/// buffer does not match its size renders as transparent.
pub fn render_edit(
    photo: &Rgba8Image,
    frame: &PhotoFrame,
    elements: &[Element],
    fonts: &Fonts,
    out_width: u32,
) -> Rgba8Image {
    let f = Frame::new(frame);
    let map = Canvas::new(photo.width, photo.height, &f, out_width);
    let mut canvas = if photo.validate().is_ok() {
        map.sample(photo)
    } else {
        Rgba8Image {
            width: map.w,
            height: map.h,
            data: vec![0; map.w as usize * map.h as usize * 4],
        }
    };
    draw_elements(&mut canvas, &map, elements, fonts);
    turn(canvas, f.turns)
}

fn draw_elements(canvas: &mut Rgba8Image, map: &Canvas, elements: &[Element], fonts: &Fonts) {
    let aspect = map.photo_aspect();
    // Eraser coverage, rasterised the first time a stroke below needs it.
    let mut erasers: Vec<Option<Option<Coverage>>> = Vec::new();
    erasers.resize_with(elements.len(), || None);
    for (i, e) in elements.iter().enumerate() {
        let Some(pose) = Pose::new(&e.placement, aspect) else {
            continue;
        };
        match &e.kind {
            ElementKind::Sticker { preset, size } => {
                if let Some(b) = sticker_box(*preset, *size, &pose) {
                    stickers::draw(canvas, map, *preset, &b, pose.rotation);
                }
            }
            ElementKind::Stroke { eraser: true, .. } => {}
            ElementKind::Stroke {
                points,
                colour,
                width,
                eraser: false,
            } => {
                let Some(mut ink) = stroke_coverage(map, points, *width, &pose, canvas) else {
                    continue;
                };
                for (j, above) in elements.iter().enumerate().skip(i + 1) {
                    let ElementKind::Stroke {
                        points,
                        width,
                        eraser: true,
                        ..
                    } = &above.kind
                    else {
                        continue;
                    };
                    let cached = erasers[j].get_or_insert_with(|| {
                        let pose = Pose::new(&above.placement, aspect)?;
                        stroke_coverage(map, points, *width, &pose, canvas)
                    });
                    if let Some(er) = cached {
                        ink.erase(er);
                    }
                }
                paint(canvas, &ink, *colour);
            }
            ElementKind::Text {
                content,
                font,
                size,
                colour,
                outline,
            } => {
                if let Some(g) =
                    text::text_geom(fonts, *font, content, *size, outline.is_some(), &pose)
                {
                    text::draw(canvas, map, &g, &pose, *colour, *outline);
                }
            }
        }
    }
}

fn stroke_coverage(
    map: &Canvas,
    points: &[[f32; 2]],
    width: f32,
    pose: &Pose,
    canvas: &Rgba8Image,
) -> Option<Coverage> {
    let g = stroke_geom(points, width, pose)?;
    let px: Vec<[f32; 2]> = g.points.iter().map(|&p| map.heights_to_px(p)).collect();
    let line = simplify(&smooth(&px, SMOOTH_STEP, SAME_POINT), SIMPLIFY_TOL);
    Coverage::stroke(
        &line,
        g.width * map.px_per_height(),
        canvas.width,
        canvas.height,
    )
}

/// Paints a stroke's coverage in `colour`.
fn paint(canvas: &mut Rgba8Image, ink: &Coverage, colour: [u8; 4]) {
    let a0 = f32::from(colour[3]) / 255.0;
    if a0 <= 0.0 {
        return;
    }
    let cw = canvas.width as usize;
    for (r, &(lo, hi)) in ink.spans.iter().enumerate() {
        let row = &ink.cov[r * ink.w..][..ink.w];
        let y = ink.y0 + r;
        for (x, &c) in row.iter().enumerate().take(hi).skip(lo) {
            if c > 0.0 {
                blend(
                    &mut canvas.data[(y * cw + ink.x0 + x) * 4..][..4],
                    colour,
                    c * a0,
                );
            }
        }
    }
}

/// Puts `colour` over the straight-alpha pixel `d` with opacity `a` (0..1,
/// colour's own alpha already folded in).
pub(crate) fn blend(d: &mut [u8], colour: [u8; 4], a: f32) {
    let a = a.min(1.0);
    if d[3] == 255 {
        for k in 0..3 {
            let v = f32::from(d[k]);
            d[k] = (v + (f32::from(colour[k]) - v) * a + 0.5) as u8;
        }
        return;
    }
    let da = f32::from(d[3]) / 255.0;
    let oa = a + da * (1.0 - a);
    if oa <= 0.0 {
        return;
    }
    for k in 0..3 {
        let v = (f32::from(colour[k]) * a + f32::from(d[k]) * da * (1.0 - a)) / oa;
        d[k] = (v + 0.5).min(255.0) as u8;
    }
    d[3] = (oa * 255.0 + 0.5) as u8;
}
