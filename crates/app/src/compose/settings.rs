//! From the room's shared settings ([`SceneState`], strings and numbers off the
//! wire) to what the painter takes. Peers on other versions may send ids this
//! build does not know and numbers out of range: those fall back to defaults,
//! because a stale setting must never cost the room its picture.

use huddle_protocol::scene::LAYOUT_SAME_SCREEN;
use huddle_protocol::{MemberId, SceneState};
use huddle_vision::scene::{
    BackgroundPreset, FilterPreset, LayoutMode, MemberKey, MemberTransform, SceneSettings,
};

use super::messages::CUSTOM_BACKGROUND;

/// The painter's key for a room member.
pub fn member_key(member: MemberId) -> MemberKey {
    MemberKey(member.0)
}

/// The layout for a layout id. The protocol spells same-screen with an
/// underscore and the scene crate with a dash; both are accepted.
pub fn layout_mode(id: &str) -> LayoutMode {
    if id == LAYOUT_SAME_SCREEN {
        return LayoutMode::SameScreen;
    }
    LayoutMode::from_id(id).unwrap_or_default()
}

/// The painter's settings for the room's `state`, with `members` in join order
/// (creator first), which is also the order of places and stacking.
pub fn scene_settings(state: &SceneState, members: &[MemberId]) -> SceneSettings {
    SceneSettings {
        mode: layout_mode(&state.layout.value),
        filter: FilterPreset::from_id(&state.filter.value).unwrap_or_default(),
        auto_arrange: state.auto_arrange.value,
        harmonize: state.harmonize.value,
        order: members.iter().copied().map(member_key).collect(),
        ..SceneSettings::default()
    }
}

/// `member`'s drag, scale and mirror, made safe to draw (see
/// [`MemberTransform::sanitized`]); identity when never set.
pub fn transform_of(state: &SceneState, member: MemberId) -> MemberTransform {
    let pose = state.pose(member);
    MemberTransform {
        offset: pose.offset,
        scale: pose.scale,
        mirror: pose.mirror,
    }
    .sanitized()
}

/// The preset background, `None` for the room's own photo ([`CUSTOM_BACKGROUND`]).
/// An unknown id gives the default preset.
pub fn background_preset(state: &SceneState) -> Option<BackgroundPreset> {
    let id = state.background.value.as_str();
    (id != CUSTOM_BACKGROUND).then(|| BackgroundPreset::from_id(id).unwrap_or_default())
}

/// Skin smoothing strength, 0 (off) to 1; 0 for anything that is not a number.
pub fn beauty_strength(state: &SceneState) -> f32 {
    let v = state.beauty.value;
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use huddle_protocol::MemberPose;
    use huddle_vision::scene::transform::USER_SCALE_RANGE;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn state() -> SceneState {
        SceneState::default()
    }

    #[wasm_bindgen_test]
    fn defaults_map_to_the_painters_defaults() {
        let s = scene_settings(&state(), &[MemberId(4), MemberId(2)]);
        assert_eq!(s.mode, LayoutMode::Grid);
        assert_eq!(s.filter, FilterPreset::None);
        assert!(!s.auto_arrange && !s.harmonize);
        assert_eq!(s.order, vec![MemberKey(4), MemberKey(2)]);
        assert_eq!(background_preset(&state()), Some(BackgroundPreset::Studio));
        assert_eq!(
            transform_of(&state(), MemberId(1)),
            MemberTransform::IDENTITY
        );
        assert_eq!(beauty_strength(&state()), 0.0);
    }

    #[wasm_bindgen_test]
    fn known_ids_are_mapped() {
        let mut st = state();
        let by = MemberId(1);
        st.layout = st.stamp(LAYOUT_SAME_SCREEN.to_owned(), by);
        st.filter = st.stamp("noir".to_owned(), by);
        st.background = st.stamp("beach".to_owned(), by);
        st.auto_arrange = st.stamp(true, by);
        st.harmonize = st.stamp(true, by);
        st.beauty = st.stamp(0.6, by);
        let s = scene_settings(&st, &[by]);
        assert_eq!(s.mode, LayoutMode::SameScreen);
        assert_eq!(s.filter, FilterPreset::Noir);
        assert!(s.auto_arrange && s.harmonize);
        assert_eq!(background_preset(&st), Some(BackgroundPreset::Beach));
        assert_eq!(beauty_strength(&st), 0.6);
        assert_eq!(layout_mode("same-screen"), LayoutMode::SameScreen);
        st.background = st.stamp(CUSTOM_BACKGROUND.to_owned(), by);
        assert_eq!(background_preset(&st), None);
    }

    #[wasm_bindgen_test]
    fn unknown_ids_and_bad_numbers_fall_back_to_defaults() {
        let mut st = state();
        let by = MemberId(9);
        st.layout = st.stamp("mosaic".to_owned(), by);
        st.filter = st.stamp("sparkle".to_owned(), by);
        st.background = st.stamp("moon".to_owned(), by);
        st.beauty = st.stamp(f32::NAN, by);
        let s = scene_settings(&st, &[]);
        assert_eq!(s.mode, LayoutMode::Grid);
        assert_eq!(s.filter, FilterPreset::None);
        assert!(s.order.is_empty());
        assert_eq!(background_preset(&st), Some(BackgroundPreset::Studio));
        assert_eq!(beauty_strength(&st), 0.0);
        st.beauty = st.stamp(7.0, by);
        assert_eq!(beauty_strength(&st), 1.0);
    }

    #[wasm_bindgen_test]
    fn poses_become_sanitized_transforms() {
        let mut st = state();
        let pose = MemberPose {
            offset: [0.25, f32::NAN],
            scale: 50.0,
            mirror: true,
        };
        st.poses.insert(MemberId(3), st.stamp(pose, MemberId(3)));
        let t = transform_of(&st, MemberId(3));
        assert_eq!(t.offset, [0.25, 0.0]);
        assert_eq!(t.scale, USER_SCALE_RANGE.1);
        assert!(t.mirror);
        assert_eq!(transform_of(&st, MemberId(4)), MemberTransform::IDENTITY);
    }
}
