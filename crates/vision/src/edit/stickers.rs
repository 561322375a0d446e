//! Sticker pictures: the scene's six stickers, plus a crown and sparkles drawn
//! with the same vector rasteriser, and how a sticker is put on the canvas.

use std::cell::RefCell;
use std::rc::Rc;

use super::frame::Canvas;
use super::geom::OBox;
use super::StickerPreset;
use crate::image::Rgba8Image;
use crate::scene::effects::raster::{Paint, Pt, Shape, Sprite};
use crate::scene::{draw_sprite, render_sticker, EffectPlacement, Sticker};

/// Sprite heights worth rasterising; bigger stickers are scaled up when drawn,
/// so a sticker blown up past the picture does not cost seconds.
const SPRITE_HEIGHT: (u32, u32) = (8, 2048);

pub(crate) fn aspect(preset: StickerPreset) -> f32 {
    match scene_sticker(preset) {
        Some(s) => s.aspect(),
        None => match preset {
            StickerPreset::Crown => 1.25,
            _ => 1.0,
        },
    }
}

fn scene_sticker(preset: StickerPreset) -> Option<Sticker> {
    Some(match preset {
        StickerPreset::Star => Sticker::Star,
        StickerPreset::Heart => Sticker::Heart,
        StickerPreset::Sun => Sticker::Sun,
        StickerPreset::Flower => Sticker::Flower,
        StickerPreset::Balloon => Sticker::Balloon,
        StickerPreset::Cloud => Sticker::Cloud,
        StickerPreset::Crown | StickerPreset::Sparkles => return None,
    })
}

/// Draws `preset` `height` pixels tall (width from its aspect), straight alpha.
pub(crate) fn render_preset(preset: StickerPreset, height: u32) -> Rgba8Image {
    if let Some(s) = scene_sticker(preset) {
        return render_sticker(s, height);
    }
    let h = height.clamp(SPRITE_HEIGHT.0, 4096) as f32;
    let w = (h * aspect(preset)).round().max(1.0);
    let mut s = Sprite::new(w as usize, h as usize);
    // Unit box: x 0..aspect, y 0..1, both in sprite heights.
    let p = |x: f32, y: f32| -> Pt { [x * h, y * h] };
    let line = |t: f32| t * h;
    if preset == StickerPreset::Crown {
        crown(&mut s, &p, &line);
    } else {
        sparkles(&mut s, &p, &line);
    }
    s.into_image()
}

fn crown(s: &mut Sprite, p: &dyn Fn(f32, f32) -> Pt, line: &dyn Fn(f32) -> f32) {
    const GOLD: Paint = Paint::Vertical([255, 230, 100, 255], [230, 150, 20, 255]);
    const EDGE: [u8; 4] = [130, 76, 8, 255];
    let body = Shape::Polygon(vec![
        p(0.16, 0.86),
        p(0.08, 0.3),
        p(0.37, 0.56),
        p(0.625, 0.17),
        p(0.88, 0.56),
        p(1.17, 0.3),
        p(1.09, 0.86),
    ]);
    s.fill(&body, GOLD);
    s.stroke(&body, line(0.035), EDGE);
    let band = Shape::Polygon(vec![
        p(0.15, 0.72),
        p(1.1, 0.72),
        p(1.09, 0.9),
        p(0.16, 0.9),
    ]);
    s.fill(
        &band,
        Paint::Vertical([250, 200, 60, 255], [200, 120, 10, 255]),
    );
    s.stroke(&band, line(0.035), EDGE);
    for (x, y) in [(0.08, 0.27), (0.625, 0.13), (1.17, 0.27)] {
        let ball = Shape::circle(p(x, y), line(0.07));
        s.fill(
            &ball,
            Paint::Vertical([255, 250, 235, 255], [230, 210, 180, 255]),
        );
        s.stroke(&ball, line(0.025), EDGE);
    }
    let gems: [(f32, [u8; 4], [u8; 4]); 3] = [
        (0.36, [255, 90, 110, 255], [190, 20, 50, 255]),
        (0.625, [110, 180, 255, 255], [30, 80, 210, 255]),
        (0.89, [110, 230, 140, 255], [20, 150, 70, 255]),
    ];
    for (x, top, bottom) in gems {
        let gem = Shape::Ellipse {
            c: p(x, 0.81),
            r: [line(0.075), line(0.055)],
            angle: 0.0,
        };
        s.fill(&gem, Paint::Vertical(top, bottom));
        s.stroke(&gem, line(0.02), [80, 40, 20, 255]);
    }
    let glint = Shape::Ellipse {
        c: p(0.56, 0.43),
        r: [line(0.025), line(0.08)],
        angle: 0.3,
    };
    s.fill(&glint, Paint::Solid([255, 255, 240, 190]));
}

fn sparkles(s: &mut Sprite, p: &dyn Fn(f32, f32) -> Pt, line: &dyn Fn(f32) -> f32) {
    // Four-pointed glints, biggest first so the small ones sit on top:
    // centre, radius, gradient top and bottom, edge.
    type Glint = (Pt, f32, [u8; 4], [u8; 4], [u8; 4]);
    let glints: [Glint; 3] = [
        (
            [0.4, 0.58],
            0.4,
            [255, 245, 140, 255],
            [255, 170, 20, 255],
            [180, 100, 0, 255],
        ),
        (
            [0.78, 0.24],
            0.2,
            [150, 230, 255, 255],
            [50, 140, 250, 255],
            [20, 70, 170, 255],
        ),
        (
            [0.8, 0.78],
            0.14,
            [255, 180, 220, 255],
            [240, 80, 160, 255],
            [150, 30, 100, 255],
        ),
    ];
    for (c, r, top, bottom, edge) in glints {
        let star = Shape::star(p(c[0], c[1]), line(r), 0.3, 4, 0.0);
        s.fill(&star, Paint::Vertical(top, bottom));
        s.stroke(&star, line(0.025), edge);
        s.fill(
            &Shape::circle(p(c[0], c[1]), line(r * 0.14)),
            Paint::Solid([255, 255, 255, 230]),
        );
    }
    for (x, y, r) in [(0.16, 0.2, 0.04), (0.24, 0.92, 0.03), (0.93, 0.5, 0.03)] {
        let dot = Shape::circle(p(x, y), line(r));
        s.fill(&dot, Paint::Solid([255, 215, 60, 255]));
        s.stroke(&dot, line(0.015), [180, 100, 0, 255]);
    }
}

/// Bytes of sprites kept between renders.
const SPRITE_CACHE_BYTES: usize = 24 << 20;

type SpriteCache = Vec<((StickerPreset, u32), Rc<Rgba8Image>)>;

thread_local! {
    /// Recently drawn sprites, oldest first. A sprite is a pure function of
    /// (preset, height), so it can never be stale, and rasterising it costs far
    /// more than drawing it: the editor redraws the same stickers on every change.
    static SPRITES: RefCell<SpriteCache> = const { RefCell::new(Vec::new()) };
}

fn cached_sprite(preset: StickerPreset, height: u32) -> Rc<Rgba8Image> {
    SPRITES.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (preset, height);
        if let Some(i) = cache.iter().position(|(k, _)| *k == key) {
            let hit = cache.remove(i);
            let img = Rc::clone(&hit.1);
            cache.push(hit);
            return img;
        }
        let img = Rc::new(render_preset(preset, height));
        cache.push((key, Rc::clone(&img)));
        let mut bytes: usize = cache.iter().map(|(_, i)| i.data.len()).sum();
        while bytes > SPRITE_CACHE_BYTES && cache.len() > 1 {
            bytes -= cache.remove(0).1.data.len();
        }
        img
    })
}

/// Icon for a preset (e.g. a 48 px tall picture for toolbar buttons).
pub fn sticker_icon(preset: StickerPreset, height: u32) -> Rgba8Image {
    render_preset(preset, height)
}

/// Draws a sticker whose box (photo heights) is `b`, turned `rotation` radians.
pub(crate) fn draw(
    canvas: &mut Rgba8Image,
    map: &Canvas,
    preset: StickerPreset,
    b: &OBox,
    rotation: f32,
) {
    let k = map.px_per_height();
    let at = EffectPlacement {
        center: map.heights_to_px(b.centre),
        width: b.half[0] * 2.0 * k,
        height: b.half[1] * 2.0 * k,
        rotation,
    };
    // Off the canvas: skip before paying for the sprite.
    let reach = at.width.hypot(at.height) * 0.5;
    let (w, h) = (canvas.width as f32, canvas.height as f32);
    if at.center[0] + reach < 0.0
        || at.center[1] + reach < 0.0
        || at.center[0] - reach > w
        || at.center[1] - reach > h
    {
        return;
    }
    // Sprites are rasterised at the size they are drawn, so the small view and
    // the full export show the same picture, just sharper.
    let px = (at.height.ceil() as u32).clamp(SPRITE_HEIGHT.0, SPRITE_HEIGHT.1);
    let sprite = cached_sprite(preset, px);
    // Only fails on sizes the geometry already ruled out.
    let _ = draw_sprite(canvas, &sprite, &at);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_draws_something_with_clear_corners() {
        for preset in StickerPreset::ALL {
            let img = sticker_icon(preset, 48);
            assert_eq!(img.height, 48);
            assert_eq!(img.width, (48.0 * aspect(preset)).round() as u32);
            let opaque = img.data.chunks(4).filter(|p| p[3] > 200).count();
            let share = opaque as f32 / (img.width * img.height) as f32;
            assert!((0.12..0.9).contains(&share), "{preset:?} covers {share}");
            assert_eq!(img.data[3], 0, "{preset:?} top-left corner is clear");
        }
    }
}
