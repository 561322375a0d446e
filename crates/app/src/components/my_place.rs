//! "My place" in same-screen mode: move, scale and mirror my own cut-out. The
//! pose is part of the room's settings, so everyone sees me where I put myself.

use huddle_protocol::scene::{MemberPose, LAYOUT_SAME_SCREEN};
use leptos::prelude::*;

use crate::session::Session;

/// One press moves by this share of the picture.
const STEP: f32 = 0.05;
/// One press scales by this factor.
const SCALE_STEP: f32 = 1.1;
/// The range the buttons keep to (the compositor accepts more, but past this a
/// person is a speck or all head).
const SCALE_RANGE: (f32, f32) = (0.5, 2.0);

/// A change the buttons make to a pose.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Nudge {
    Move(f32, f32),
    Scale(f32),
    Mirror,
    Reset,
}

impl Nudge {
    fn apply(self, pose: MemberPose) -> MemberPose {
        match self {
            Nudge::Move(dx, dy) => MemberPose {
                offset: [
                    (pose.offset[0] + dx).clamp(-1.0, 1.0),
                    (pose.offset[1] + dy).clamp(-1.0, 1.0),
                ],
                ..pose
            },
            Nudge::Scale(f) => MemberPose {
                scale: (pose.scale * f).clamp(SCALE_RANGE.0, SCALE_RANGE.1),
                ..pose
            },
            Nudge::Mirror => MemberPose {
                mirror: !pose.mirror,
                ..pose
            },
            Nudge::Reset => MemberPose::default(),
        }
    }
}

#[component]
pub fn MyPlace() -> impl IntoView {
    let session = expect_context::<Session>();
    let scene = session.scene;
    let same_screen = move || scene.with(|s| s.layout.value == LAYOUT_SAME_SCREEN);
    let my_pose = move || {
        let me = session.me_untracked();
        scene.with(|s| me.map(|m| s.pose(m)).unwrap_or_default())
    };
    let nudge = move |n: Nudge| {
        session.change_scene(|s, me| {
            let pose = n.apply(s.pose(me));
            let stamped = s.stamp(pose, me);
            s.poses.insert(me, stamped);
        });
    };
    let button = move |label: &'static str, n: Nudge| {
        view! {
            <button type="button" class="button" on:click=move |_| nudge(n)>{label}</button>
        }
    };

    view! {
        <Show when=same_screen>
            <fieldset class="my-place">
                <legend>"My place"</legend>
                <div class="my-place-buttons">
                    {button("Move left", Nudge::Move(-STEP, 0.0))}
                    {button("Move right", Nudge::Move(STEP, 0.0))}
                    {button("Move up", Nudge::Move(0.0, -STEP))}
                    {button("Move down", Nudge::Move(0.0, STEP))}
                    {button("Smaller", Nudge::Scale(1.0 / SCALE_STEP))}
                    {button("Bigger", Nudge::Scale(SCALE_STEP))}
                    <button type="button" class="button"
                        aria-pressed=move || my_pose().mirror.to_string()
                        on:click=move |_| nudge(Nudge::Mirror)>"Mirror"</button>
                    {button("Reset", Nudge::Reset)}
                </div>
            </fieldset>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn nudges_stay_in_range_and_reset() {
        let mut pose = MemberPose::default();
        for _ in 0..30 {
            pose = Nudge::Move(STEP, -STEP).apply(pose);
            pose = Nudge::Scale(SCALE_STEP).apply(pose);
        }
        assert_eq!(pose.offset, [1.0, -1.0]);
        assert_eq!(pose.scale, SCALE_RANGE.1);
        let mirrored = Nudge::Mirror.apply(pose);
        assert!(mirrored.mirror && mirrored.scale == pose.scale);
        assert!(!Nudge::Mirror.apply(mirrored).mirror);
        assert_eq!(Nudge::Reset.apply(mirrored), MemberPose::default());
    }
}
