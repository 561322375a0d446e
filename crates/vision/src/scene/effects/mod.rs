//! Fun effects on members' heads: which members get them (the range), where
//! they sit on each head, and procedural sprites to draw.

mod anchor;
mod blit;
pub(crate) mod raster;
mod sprites;

use std::collections::BTreeSet;

use super::error::{by_id, SceneResult};
use super::MemberKey;

pub use anchor::{place_effect, EffectPlacement, HeadGeometry};
pub use blit::draw_sprite;
pub use sprites::render as render_sprite;

/// The built-in head effects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    Crown,
    Stars,
    Hearts,
    CatEars,
    BunnyEars,
    Glasses,
    Sunglasses,
    Halo,
}

/// Where an effect sits relative to the head, in eye distances (the distance
/// between the eye centres): `offset` from the mid-point of the eyes along the
/// eye line (x) and down the face (y, negative is above the eyes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EffectAnchor {
    pub offset: [f32; 2],
    /// Sprite width in eye distances.
    pub width: f32,
}

impl Effect {
    pub const ALL: [Effect; 8] = [
        Effect::Crown,
        Effect::Stars,
        Effect::Hearts,
        Effect::CatEars,
        Effect::BunnyEars,
        Effect::Glasses,
        Effect::Sunglasses,
        Effect::Halo,
    ];

    /// Stable id for messages and settings.
    pub fn id(self) -> &'static str {
        match self {
            Effect::Crown => "crown",
            Effect::Stars => "stars",
            Effect::Hearts => "hearts",
            Effect::CatEars => "cat-ears",
            Effect::BunnyEars => "bunny-ears",
            Effect::Glasses => "glasses",
            Effect::Sunglasses => "sunglasses",
            Effect::Halo => "halo",
        }
    }

    /// Name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            Effect::Crown => "Crown",
            Effect::Stars => "Stars",
            Effect::Hearts => "Hearts",
            Effect::CatEars => "Cat ears",
            Effect::BunnyEars => "Bunny ears",
            Effect::Glasses => "Glasses",
            Effect::Sunglasses => "Sunglasses",
            Effect::Halo => "Halo",
        }
    }

    pub fn from_id(id: &str) -> SceneResult<Self> {
        by_id(&Self::ALL, id, "effect", Self::id)
    }

    /// Sprite height over width.
    pub fn aspect(self) -> f32 {
        match self {
            Effect::Crown => 0.6,
            Effect::Stars | Effect::Hearts => 0.5,
            Effect::CatEars => 0.45,
            Effect::BunnyEars => 1.1,
            Effect::Glasses => 0.42,
            Effect::Sunglasses => 0.4,
            Effect::Halo => 0.35,
        }
    }

    /// Where the sprite's centre goes (see [`EffectAnchor`]). The top of the head
    /// is about 1.8 eye distances above the eyes.
    pub fn anchor(self) -> EffectAnchor {
        let (y, width) = match self {
            Effect::Crown => (-2.35, 2.2),
            Effect::Stars | Effect::Hearts => (-2.3, 4.0),
            Effect::CatEars => (-2.0, 3.4),
            Effect::BunnyEars => (-2.9, 2.6),
            // Lens centres are 0.44 sprite widths apart: one eye distance.
            Effect::Glasses | Effect::Sunglasses => (0.02, 2.27),
            Effect::Halo => (-2.7, 2.4),
        };
        EffectAnchor {
            offset: [0.0, y],
            width,
        }
    }
}

/// Which members an effect is shown on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EffectRange {
    AllMembers,
    Selected(BTreeSet<MemberKey>),
    OnlyMe(MemberKey),
}

/// Whether `range` includes `member`.
pub fn applies_to(range: &EffectRange, member: MemberKey) -> bool {
    match range {
        EffectRange::AllMembers => true,
        EffectRange::Selected(set) => set.contains(&member),
        EffectRange::OnlyMe(me) => *me == member,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for e in Effect::ALL {
            assert_eq!(Effect::from_id(e.id()), Ok(e));
            assert!(!e.name().is_empty());
        }
        assert!(Effect::from_id("moustache").is_err());
    }
}
