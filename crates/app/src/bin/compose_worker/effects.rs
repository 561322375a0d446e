//! Head effects and scene stickers over the painted picture: each member's
//! effect ids from the room's settings, placed on its eyes through its
//! placement, then the room's stickers on top, all drawn from sprites rendered
//! once per size step (rasterising the vector shapes costs far more than
//! drawing a ready sprite).

use std::collections::HashMap;

use huddle_protocol::{MemberId, SceneState};
use huddle_vision::scene::{
    draw_sprite, place_effect, place_sticker, render_sprite, render_sticker, Effect, HeadGeometry,
    Placement, SceneResult, Sticker,
};
use huddle_vision::Rgba8Image;

/// Sprite widths step by an eighth of an octave (9 %): drawn from the next step
/// up, a sprite is only ever slightly downscaled, which bilinear sampling does well.
const STEPS_PER_OCTAVE: f32 = 8.0;
/// Enough for eight members with a few effects at a couple of sizes each; when
/// full, the cache starts over rather than tracking use.
const MAX_SPRITES: usize = 64;

/// What a cached sprite shows.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Art {
    Effect(Effect),
    Sticker(Sticker),
}

impl Art {
    /// Effects are sized by width, stickers by height.
    fn render(self, size: u32) -> Rgba8Image {
        match self {
            Art::Effect(e) => render_sprite(e, size),
            Art::Sticker(s) => render_sticker(s, size),
        }
    }
}

#[derive(Default)]
pub struct EffectPainter {
    sprites: HashMap<(Art, u32), Rgba8Image>,
}

/// The rendered size for a sprite drawn `width` pixels wide (or tall).
fn step_width(width: f32) -> u32 {
    let step = (width.max(8.0).log2() * STEPS_PER_OCTAVE).ceil();
    (step / STEPS_PER_OCTAVE).exp2().ceil() as u32
}

impl EffectPainter {
    /// Draws `member`'s effects for a head at `eyes` (frame pixels) placed by `placement`.
    pub fn draw(
        &mut self,
        out: &mut Rgba8Image,
        scene: &SceneState,
        member: MemberId,
        eyes: [[f32; 2]; 2],
        placement: &Placement,
    ) -> SceneResult<()> {
        let head = HeadGeometry::from_eyes(eyes[0], eyes[1]);
        for id in scene.effects_on(member) {
            // An effect this version does not know is skipped, not an error.
            let Ok(effect) = Effect::from_id(id) else {
                continue;
            };
            let Some(at) = place_effect(effect, &head, placement) else {
                continue;
            };
            let sprite = self.sprite(Art::Effect(effect), at.width);
            draw_sprite(out, sprite, &at)?;
        }
        Ok(())
    }

    /// Draws the room's stickers over the whole picture, bottom first.
    pub fn draw_stickers(&mut self, out: &mut Rgba8Image, scene: &SceneState) -> SceneResult<()> {
        for (_, pose) in scene.stickers() {
            // A sticker this version does not know is skipped, not an error.
            let Ok(sticker) = Sticker::from_id(&pose.kind) else {
                continue;
            };
            let Some(at) = place_sticker(
                sticker,
                pose.center,
                pose.size,
                pose.rotation,
                out.width,
                out.height,
            ) else {
                continue;
            };
            let sprite = self.sprite(Art::Sticker(sticker), at.height);
            draw_sprite(out, sprite, &at)?;
        }
        Ok(())
    }

    fn sprite(&mut self, art: Art, size: f32) -> &Rgba8Image {
        let size = step_width(size);
        if self.sprites.len() >= MAX_SPRITES && !self.sprites.contains_key(&(art, size)) {
            self.sprites.clear();
        }
        self.sprites
            .entry((art, size))
            .or_insert_with(|| art.render(size))
    }
}
