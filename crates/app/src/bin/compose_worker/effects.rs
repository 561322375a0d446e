//! Head effects over the painted picture: each member's effect ids from the
//! room's settings, placed on its eyes through its placement, drawn from
//! sprites rendered once per size step (rasterising the vector shapes costs
//! far more than drawing a ready sprite).

use std::collections::HashMap;

use huddle_protocol::{MemberId, SceneState};
use huddle_vision::scene::{
    draw_sprite, place_effect, render_sprite, Effect, HeadGeometry, Placement, SceneResult,
};
use huddle_vision::Rgba8Image;

/// Sprite widths step by an eighth of an octave (9 %): drawn from the next step
/// up, a sprite is only ever slightly downscaled, which bilinear sampling does well.
const STEPS_PER_OCTAVE: f32 = 8.0;
/// Enough for eight members with a few effects at a couple of sizes each; when
/// full, the cache starts over rather than tracking use.
const MAX_SPRITES: usize = 64;

#[derive(Default)]
pub struct EffectPainter {
    sprites: HashMap<(Effect, u32), Rgba8Image>,
}

/// The rendered width for a sprite drawn `width` pixels wide.
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
            let width = step_width(at.width);
            if self.sprites.len() >= MAX_SPRITES && !self.sprites.contains_key(&(effect, width)) {
                self.sprites.clear();
            }
            let sprite = self
                .sprites
                .entry((effect, width))
                .or_insert_with(|| render_sprite(effect, width));
            draw_sprite(out, sprite, &at)?;
        }
        Ok(())
    }
}
