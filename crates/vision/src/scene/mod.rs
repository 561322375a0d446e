//! The group picture of a room, without the DOM: every member sends its person
//! cut-out, and every browser composes the same picture from them.
//!
//! * [`Layout`]: one region per member, grid or same-screen, and the stacking.
//! * [`place`]: where a cut-out's pixels land (fit, user [`MemberTransform`],
//!   [`auto_arrange`]).
//! * [`Compositor`]: background ([`Background`]), members, filter ([`FilterPreset`]),
//!   with optional colour harmonisation ([`harmonize`]); [`smooth_skin`] for the
//!   cut-out before it is sent.
//! * [`effects`]: head effects, who gets them, where they sit, their sprites.
//! * [`stickers`]: scene stickers anyone places on the picture.
//!
//! Deterministic (no clock, no randomness beyond fixed seeds) and wasm-safe.

pub mod arrange;
pub mod background;
pub mod beauty;
pub mod compositor;
pub mod draw;
pub mod effects;
pub mod error;
pub mod filter;
pub mod harmonize;
pub mod layout;
pub mod packed;
pub mod placeholder;
pub mod placement;
pub mod region;
pub mod stickers;
pub mod transform;

pub use arrange::{auto_arrange, ArrangeInput, Arrangement};
pub use background::{Background, BackgroundPreset};
pub use beauty::{smooth_skin, BeautyScratch};
pub use compositor::{Compositor, MemberFrame, MemberPlan, ScenePlan, SceneSettings};
pub use draw::{draw_cutout, DrawScratch};
pub use effects::{
    applies_to, draw_sprite, place_effect, render_sprite, Effect, EffectPlacement, EffectRange,
    HeadGeometry,
};
pub use error::{SceneError, SceneResult};
pub use filter::{FilterLut, FilterPreset};
pub use layout::{Layout, LayoutMode, MemberSlot};
pub use placeholder::draw_placeholder;
pub use placement::{fit_scale, place, Placement};
pub use region::Region;
pub use stickers::{place_sticker, render_sticker, sticker_contains, Sticker};
pub use transform::MemberTransform;

/// Most members a room (and so a picture) holds.
pub const MAX_MEMBERS: usize = 8;

/// A member as the scene knows it: an opaque number the app maps its own member
/// id to, so this crate does not depend on the wire protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberKey(pub u64);
