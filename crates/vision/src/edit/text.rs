//! Text: lines laid out in em units (so the box is the same at any output
//! size), rasterised with ab_glyph at the size drawn, outlined by dilating the
//! glyph coverage, and put on the canvas turned about its centre.

use ab_glyph::{point, Font, FontArc, GlyphId, PxScale};

use super::frame::Canvas;
use super::geom::{OBox, Pose};
use super::render::blend;
use super::{FontFace, Fonts};

/// Outline width as a share of the em size.
const OUTLINE: f32 = 0.08;
/// Characters beyond this are dropped: text is a caption, not a document.
const MAX_CHARS: usize = 2000;
/// Em sizes (photo heights, after scale) worth drawing.
const EM_RANGE: (f32, f32) = (1e-3, 4.0);
/// The scale ink bounds are measured at (pixels per em).
const MEASURE_EM: f32 = 64.0;
/// The largest em (pixels) glyphs are rasterised at.
const MAX_RASTER_EM: f32 = 1024.0;

/// Glyphs placed in em units: x from the block's left, y of the baseline from its top.
pub(crate) struct Layout {
    glyphs: Vec<(GlyphId, [f32; 2])>,
    /// The block's advance box (em).
    w: f32,
    h: f32,
    /// Where ink can be, with room for the outline: [x0, y0, x1, y1] in em.
    ink: [f32; 4],
    /// Font pixel scale per em (ab_glyph scales by ascent − descent, not the em).
    px_per_em: f32,
}

fn layout(font: &FontArc, content: &str, outline: bool) -> Layout {
    let upem = font.units_per_em().filter(|u| *u > 0.0).unwrap_or(1000.0);
    let px_per_em = font.height_unscaled() / upem;
    let em = |v: f32| v / upem;
    let (ascent, descent, gap) = (
        em(font.ascent_unscaled()),
        em(font.descent_unscaled()),
        em(font.line_gap_unscaled()),
    );
    let line_h = ascent - descent + gap;
    let mut lines: Vec<(Vec<(GlyphId, f32)>, f32)> = Vec::new();
    for text in content.split('\n') {
        let mut glyphs = Vec::new();
        let mut x = 0.0;
        let mut prev: Option<GlyphId> = None;
        for ch in text.chars() {
            let ch = if ch == '\t' { ' ' } else { ch };
            if ch.is_control() {
                continue;
            }
            let id = font.glyph_id(ch);
            if let Some(p) = prev {
                x += em(font.kern_unscaled(p, id));
            }
            glyphs.push((id, x));
            x += em(font.h_advance_unscaled(id));
            prev = Some(id);
        }
        lines.push((glyphs, x));
    }
    let w = lines.iter().map(|l| l.1).fold(0.0, f32::max);
    let h = lines.len() as f32 * line_h - gap;
    let mut glyphs = Vec::new();
    for (i, (line, lw)) in lines.into_iter().enumerate() {
        let left = (w - lw) * 0.5;
        let base = i as f32 * line_h + ascent;
        glyphs.extend(line.into_iter().map(|(id, x)| (id, [left + x, base])));
    }
    // Ink can poke out of the advance box (accents, descenders of wide glyphs).
    let scale = PxScale::from(MEASURE_EM * px_per_em);
    let mut ink = [0.0, 0.0, w, h];
    for &(id, [x, y]) in &glyphs {
        let g = id.with_scale_and_position(scale, point(x * MEASURE_EM, y * MEASURE_EM));
        if let Some(o) = font.outline_glyph(g) {
            let b = o.px_bounds();
            ink = [
                ink[0].min(b.min.x / MEASURE_EM),
                ink[1].min(b.min.y / MEASURE_EM),
                ink[2].max(b.max.x / MEASURE_EM),
                ink[3].max(b.max.y / MEASURE_EM),
            ];
        }
    }
    let pad = if outline { OUTLINE } else { 0.0 } + 0.02;
    Layout {
        glyphs,
        w,
        h,
        ink: [ink[0] - pad, ink[1] - pad, ink[2] + pad, ink[3] + pad],
        px_per_em,
    }
}

/// A text element ready to measure or draw.
pub(crate) struct TextGeom<'f> {
    font: &'f FontArc,
    layout: Layout,
    /// Em size in photo heights.
    em: f32,
    pub bounds: OBox,
}

pub(crate) fn text_geom<'f>(
    fonts: &'f Fonts,
    face: FontFace,
    content: &str,
    size: f32,
    outline: bool,
    pose: &Pose,
) -> Option<TextGeom<'f>> {
    if !(size.is_finite() && size > 0.0) {
        return None;
    }
    let em = (size * pose.scale).clamp(EM_RANGE.0, EM_RANGE.1);
    let font = fonts.face(face);
    let content = match content.char_indices().nth(MAX_CHARS) {
        Some((i, _)) => &content[..i],
        None => content,
    };
    let layout = layout(font, content, outline);
    // The box is the ink's, turned about the block's centre.
    let ink = layout.ink;
    let off = [
        ((ink[0] + ink[2]) * 0.5 - layout.w * 0.5) * em,
        ((ink[1] + ink[3]) * 0.5 - layout.h * 0.5) * em,
    ];
    let d = pose.rotate(off);
    let bounds = OBox::new(
        pose,
        [pose.centre[0] + d[0], pose.centre[1] + d[1]],
        [(ink[2] - ink[0]) * 0.5 * em, (ink[3] - ink[1]) * 0.5 * em],
    );
    Some(TextGeom {
        font,
        layout,
        em,
        bounds,
    })
}

/// A rectangle of pixels in the text's own (unturned) frame.
struct Window {
    x0: i64,
    y0: i64,
    w: usize,
    h: usize,
}

/// Draws the text on the canvas: outline (if any) under the fill.
pub(crate) fn draw(
    canvas: &mut crate::image::Rgba8Image,
    map: &Canvas,
    g: &TextGeom<'_>,
    pose: &Pose,
    colour: [u8; 4],
    outline: Option<[u8; 4]>,
) {
    let (cw, ch) = (canvas.width as f32, canvas.height as f32);
    let em_px = g.em * map.px_per_height();
    if em_px.is_nan() || em_px < 0.5 || g.layout.glyphs.is_empty() {
        return;
    }
    // Glyphs are rasterised whole (ab_glyph allocates each glyph's full box),
    // so giant text is rasterised smaller and scaled up when drawn: softer
    // edges, same geometry. `k`: text pixels per canvas pixel.
    let k = (MAX_RASTER_EM / em_px).min(1.0);
    let em_local = em_px * k;
    let l = &g.layout;
    let centre = map.heights_to_px(pose.centre);
    // Local pixels: the block's top-left at the origin, plus a sub-pixel shift
    // that puts local pixel centres on canvas pixel centres when unturned, so
    // straight text is not blurred by resampling.
    let lc = [l.w * 0.5 * em_local, l.h * 0.5 * em_local];
    let shift = if k < 1.0 {
        [0.0, 0.0]
    } else {
        [
            (centre[0] - lc[0]).rem_euclid(1.0),
            (centre[1] - lc[1]).rem_euclid(1.0),
        ]
    };
    let lc = [lc[0] + shift[0], lc[1] + shift[1]];
    let (s, c) = (pose.rotation.sin(), pose.rotation.cos());
    let to_local = |p: [f32; 2]| {
        let (dx, dy) = (p[0] - centre[0], p[1] - centre[1]);
        [
            lc[0] + (c * dx + s * dy) * k,
            lc[1] + (-s * dx + c * dy) * k,
        ]
    };
    let to_canvas = |q: [f32; 2]| {
        let (dx, dy) = ((q[0] - lc[0]) / k, (q[1] - lc[1]) / k);
        [centre[0] + c * dx - s * dy, centre[1] + s * dx + c * dy]
    };
    let o_px = outline.map_or(0.0, |_| OUTLINE * em_local);
    // What of the text can show: its ink box ∩ the canvas seen from the text,
    // widened by the outline so outlines of glyphs just off-canvas still show.
    let vis = bbox(&[[0.0, 0.0], [cw, 0.0], [cw, ch], [0.0, ch]].map(to_local));
    let margin = o_px + 2.0;
    let ink = l.ink.map(|v| v * em_local);
    let x0 = (ink[0] + shift[0]).max(vis[0] - margin).floor();
    let y0 = (ink[1] + shift[1]).max(vis[1] - margin).floor();
    let x1 = (ink[2] + shift[0]).min(vis[2] + margin).ceil();
    let y1 = (ink[3] + shift[1]).min(vis[3] + margin).ceil();
    if !(x1 > x0 && y1 > y0) {
        return;
    }
    let win = Window {
        x0: x0 as i64,
        y0: y0 as i64,
        w: (x1 - x0) as usize,
        h: (y1 - y0) as usize,
    };
    let fill = rasterise(g.font, l, em_local, shift, &win);
    let ring = (o_px > 0.0).then(|| dilate(&fill, win.w, win.h, o_px));
    // Canvas pixels the window can land on.
    let (wx0, wy0) = (win.x0 as f32, win.y0 as f32);
    let (wx1, wy1) = (wx0 + win.w as f32, wy0 + win.h as f32);
    let cb = bbox(&[[wx0, wy0], [wx1, wy0], [wx1, wy1], [wx0, wy1]].map(to_canvas));
    let px0 = cb[0].floor().clamp(0.0, cw) as usize;
    let px1 = cb[2].ceil().clamp(0.0, cw) as usize;
    let py0 = cb[1].floor().clamp(0.0, ch) as usize;
    let py1 = cb[3].ceil().clamp(0.0, ch) as usize;
    let cwu = canvas.width as usize;
    let fa = f32::from(colour[3]) / 255.0;
    let oa = outline.map_or(0.0, |o| f32::from(o[3]) / 255.0);
    for y in py0..py1 {
        for x in px0..px1 {
            let q = to_local([x as f32 + 0.5, y as f32 + 0.5]);
            let (u, v) = (q[0] - wx0 - 0.5, q[1] - wy0 - 0.5);
            if u <= -1.0 || v <= -1.0 || u >= win.w as f32 || v >= win.h as f32 {
                continue;
            }
            let d = &mut canvas.data[(y * cwu + x) * 4..][..4];
            if let (Some(ring), Some(oc)) = (&ring, outline) {
                let a = bilinear(ring, win.w, win.h, u, v) * oa;
                if a > 0.0 {
                    blend(d, oc, a);
                }
            }
            let a = bilinear(&fill, win.w, win.h, u, v) * fa;
            if a > 0.0 {
                blend(d, colour, a);
            }
        }
    }
}

fn bbox(p: &[[f32; 2]; 4]) -> [f32; 4] {
    p.iter()
        .fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |b, q| {
            [
                b[0].min(q[0]),
                b[1].min(q[1]),
                b[2].max(q[0]),
                b[3].max(q[1]),
            ]
        })
}

/// Glyph coverage over the window, in the text's own pixels.
fn rasterise(font: &FontArc, l: &Layout, em_px: f32, shift: [f32; 2], win: &Window) -> Vec<f32> {
    let mut buf = vec![0.0f32; win.w * win.h];
    let scale = PxScale::from(em_px * l.px_per_em);
    let (ww, wh) = (win.w as i64, win.h as i64);
    for &(id, [x, y]) in &l.glyphs {
        let pos = point(
            x * em_px + shift[0] - win.x0 as f32,
            y * em_px + shift[1] - win.y0 as f32,
        );
        let Some(o) = font.outline_glyph(id.with_scale_and_position(scale, pos)) else {
            continue;
        };
        let b = o.px_bounds();
        let (bx, by) = (b.min.x as i64, b.min.y as i64);
        if bx >= ww || by >= wh || b.max.x < 0.0 || b.max.y < 0.0 {
            continue;
        }
        o.draw(|gx, gy, cov| {
            let (x, y) = (bx + i64::from(gx), by + i64::from(gy));
            if (0..ww).contains(&x) && (0..wh).contains(&y) {
                let v = &mut buf[(y * ww + x) as usize];
                // Neighbouring glyphs can share an edge pixel: add, not max.
                *v = (*v + cov).min(1.0);
            }
        });
    }
    buf
}

/// Grey-scale dilation by an anti-aliased disc of radius `r`: every pixel takes
/// the max of its neighbours' coverage weighted by how much of it the disc
/// covers. Rows of the disc are flat runs (a running max, any length at the
/// same cost) plus a soft pixel or two at each end.
fn dilate(src: &[f32], w: usize, h: usize, r: f32) -> Vec<f32> {
    let reach = (r + 0.5).ceil().max(0.0) as usize;
    // Rows padded with `reach` zeros each side, so the taps need no bounds checks
    // and the loops vectorise; rows without ink are skipped altogether.
    let pw = w + 2 * reach;
    let mut pad = vec![0.0f32; pw * h];
    let mut inked = vec![false; h];
    for y in 0..h {
        let row = &src[y * w..][..w];
        inked[y] = row.iter().any(|&v| v > 0.0);
        if inked[y] {
            pad[y * pw + reach..][..w].copy_from_slice(row);
        }
    }
    let mut out = src.to_vec();
    let mut runs: Vec<Option<Vec<f32>>> = vec![None; reach + 2];
    let reach_i = reach as i64;
    for dy in -reach_i..=reach_i {
        let dyf = dy as f32;
        let weight = |dx: usize| (r + 0.5 - (dx as f32).hypot(dyf)).clamp(0.0, 1.0);
        // The flat core: |dx| <= core all weigh 1.
        let core = (0..=reach).take_while(|&dx| weight(dx) >= 1.0).last();
        let first_soft = core.map_or(0, |c| c + 1);
        let soft: Vec<(usize, f32)> = (first_soft..=reach)
            .map(|dx| (dx, weight(dx)))
            .filter(|&(_, wt)| wt > 0.0)
            .collect();
        if core.is_none() && soft.is_empty() {
            continue;
        }
        let run = core.map(|c| {
            runs[c]
                .get_or_insert_with(|| running_max(src, w, h, c, &inked))
                .as_slice()
        });
        for y in 0..h {
            let sy = y as i64 + dy;
            if sy < 0 || sy >= h as i64 || !inked[sy as usize] {
                continue;
            }
            let sy = sy as usize;
            let prow = &pad[sy * pw..][..pw];
            let orow = &mut out[y * w..][..w];
            if let Some(run) = run {
                for (o, &v) in orow.iter_mut().zip(&run[sy * w..][..w]) {
                    *o = o.max(v);
                }
            }
            for &(dx, wt) in &soft {
                let (l, r) = (&prow[reach - dx..][..w], &prow[reach + dx..][..w]);
                for ((o, &a), &b) in orow.iter_mut().zip(l).zip(r) {
                    *o = o.max(a.max(b) * wt);
                }
            }
        }
    }
    out
}

/// Max over `x - c ..= x + c` along each row (van Herk / Gil-Werman: block
/// prefix and suffix maxima, three comparisons a pixel whatever `c`). Rows
/// not `inked` stay zero.
fn running_max(src: &[f32], w: usize, h: usize, c: usize, inked: &[bool]) -> Vec<f32> {
    if c == 0 {
        return src.to_vec();
    }
    let k = 2 * c + 1;
    let n = w + 2 * c;
    let mut out = vec![0.0; w * h];
    let (mut pad, mut pre, mut suf) = (vec![0.0f32; n], vec![0.0f32; n], vec![0.0f32; n]);
    for y in (0..h).filter(|&y| inked[y]) {
        pad[c..c + w].copy_from_slice(&src[y * w..][..w]);
        for i in 0..n {
            pre[i] = if i % k == 0 {
                pad[i]
            } else {
                pre[i - 1].max(pad[i])
            };
        }
        for i in (0..n).rev() {
            suf[i] = if i == n - 1 || (i + 1) % k == 0 {
                pad[i]
            } else {
                suf[i + 1].max(pad[i])
            };
        }
        for (x, o) in out[y * w..][..w].iter_mut().enumerate() {
            *o = suf[x].max(pre[x + 2 * c]);
        }
    }
    out
}

/// Bilinear sample at texel coordinates (texel centres at integers), 0 outside.
fn bilinear(buf: &[f32], w: usize, h: usize, u: f32, v: f32) -> f32 {
    let (i, j) = (u.floor(), v.floor());
    let (fu, fv) = (u - i, v - j);
    let (i, j) = (i as i64, j as i64);
    let at = |x: i64, y: i64| {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            0.0
        } else {
            buf[y as usize * w + x as usize]
        }
    };
    let top = at(i, j) + (at(i + 1, j) - at(i, j)) * fu;
    let bot = at(i, j + 1) + (at(i + 1, j + 1) - at(i, j + 1)) * fu;
    top + (bot - top) * fv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_max_matches_the_naive_one() {
        let (w, h) = (23, 3);
        let src: Vec<f32> = (0..w * h).map(|i| ((i * 37) % 17) as f32).collect();
        for c in 0..6 {
            let fast = running_max(&src, w, h, c, &[true; 3]);
            for y in 0..h {
                for x in 0..w {
                    let lo = x.saturating_sub(c);
                    let hi = (x + c).min(w - 1);
                    let m = src[y * w + lo..=y * w + hi]
                        .iter()
                        .cloned()
                        .fold(0.0, f32::max);
                    assert_eq!(fast[y * w + x], m, "c {c} at {x},{y}");
                }
            }
        }
    }

    #[test]
    fn dilation_grows_a_dot_into_a_disc() {
        let (w, h) = (21, 21);
        let mut src = vec![0.0; w * h];
        src[10 * w + 10] = 1.0;
        let out = dilate(&src, w, h, 5.0);
        assert_eq!(out[10 * w + 14], 1.0);
        assert!(
            (out[10 * w + 15] - 0.5).abs() < 1e-6,
            "half-covered at the radius"
        );
        assert_eq!(out[10 * w + 10], 1.0);
        assert_eq!(out[(10 + 3) * w + 10 + 3], 1.0, "inside the disc");
        assert_eq!(
            out[(10 + 5) * w + 10 + 5],
            0.0,
            "the square's corner is outside"
        );
        assert_eq!(out[10 * w + 17], 0.0);
    }
}
