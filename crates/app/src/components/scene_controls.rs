//! The room's picture settings: layout, background, filter, beauty, effects,
//! stickers.
//! Every control changes the room-wide state (`Session::change_scene`), so what
//! one member picks, everyone sees.

use huddle_protocol::scene::{LAYOUT_GRID, LAYOUT_SAME_SCREEN};
use huddle_protocol::{EffectTarget, MemberId};
use huddle_vision::scene::{BackgroundPreset, Effect, FilterPreset};
use leptos::prelude::*;

use crate::components::my_place::MyPlace;
use crate::components::scene_stickers::SceneStickers;
use crate::compose::messages::CUSTOM_BACKGROUND;
use crate::live::dom::take_chosen_file;
use crate::live::room_background::RoomBackground;
use crate::session::Session;

/// Who the effect being edited is on, as the radio buttons say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Range {
    Off,
    All,
    Selected,
    OnlyMe,
}

impl Range {
    /// As `me` sees it: someone else's "only me" is, to me, that one member selected.
    fn of(target: Option<&EffectTarget>, me: Option<MemberId>) -> Self {
        match target {
            None => Range::Off,
            Some(EffectTarget::AllMembers) => Range::All,
            Some(EffectTarget::SelectedMembers { .. }) => Range::Selected,
            Some(EffectTarget::OnlyMe { member }) if Some(*member) == me => Range::OnlyMe,
            Some(EffectTarget::OnlyMe { .. }) => Range::Selected,
        }
    }
}

/// The members a selected (or someone else's only-me) effect is on.
fn picked(target: Option<EffectTarget>, me: Option<MemberId>) -> Option<Vec<MemberId>> {
    match target {
        Some(EffectTarget::SelectedMembers { members }) => Some(members),
        Some(EffectTarget::OnlyMe { member }) if Some(member) != me => Some(vec![member]),
        _ => None,
    }
}

#[component]
pub fn SceneControls() -> impl IntoView {
    let session = expect_context::<Session>();
    let scene = session.scene;

    let layout_button = move |id: &'static str, label: &'static str| {
        let pressed = move || scene.with(|s| s.layout.value == id);
        view! {
            <button type="button" class="segment-button" aria-pressed=move || pressed().to_string()
                on:click=move |_| session.change_scene(|s, me| {
                    s.layout = s.stamp(id.to_owned(), me);
                })>
                {label}
            </button>
        }
    };

    let room_background = expect_context::<RoomBackground>();
    let background_status = room_background.status();
    let on_background_file = move |ev: web_sys::Event| {
        if let Some(file) = take_chosen_file(&ev) {
            room_background.upload(file.into());
        }
    };
    let background_note = move || {
        background_status.with(|s| {
            if s.sending {
                Some("Sending your photo to everyone…".to_owned())
            } else {
                s.receiving
                    .map(|p| format!("Receiving a background photo… {p} %"))
            }
        })
    };
    let on_background = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        session.change_scene(|s, me| s.background = s.stamp(id, me));
    };
    let on_filter = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        session.change_scene(|s, me| s.filter = s.stamp(id, me));
    };
    let on_beauty = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev).parse::<f32>().unwrap_or(0.0) / 100.0;
        session.change_scene(|s, me| s.beauty = s.stamp(v.clamp(0.0, 1.0), me));
    };
    let toggle = move |which: fn(&mut huddle_protocol::SceneState, bool, MemberId)| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            session.change_scene(|s, me| which(s, on, me));
        }
    };

    // The effect whose range the radios show.
    let editing = RwSignal::new(Effect::ALL[0].id());
    let current =
        move || scene.with(|s| s.effects.get(editing.get()).and_then(|e| e.value.clone()));
    let set_target = move |target: Option<EffectTarget>| {
        let id = editing.get_untracked().to_owned();
        session.change_scene(|s, me| {
            let stamped = s.stamp(target, me);
            s.effects.insert(id, stamped);
        });
    };
    let choose_range = move |range: Range| {
        let me = session.me_untracked();
        let Some(me) = me else {
            return;
        };
        let target = match range {
            Range::Off => None,
            Range::All => Some(EffectTarget::AllMembers),
            Range::OnlyMe => Some(EffectTarget::OnlyMe { member: me }),
            // Starts with me picked; the member boxes add the others.
            Range::Selected => Some(EffectTarget::SelectedMembers {
                members: picked(current(), Some(me)).unwrap_or_else(|| vec![me]),
            }),
        };
        set_target(target);
    };
    let range_choice = move |range: Range, label: &'static str| {
        view! {
            <label class="segment">
                <input type="radio" name="effect-range"
                    prop:checked=move || {
                        Range::of(current().as_ref(), session.me_untracked()) == range
                    }
                    on:change=move |_| choose_range(range) />
                <span>{label}</span>
            </label>
        }
    };
    let member_boxes = move || {
        let picked = picked(current(), session.me_untracked())?;
        let everyone = session.member_names();
        let boxes = everyone
            .into_iter()
            .map(|(id, name)| {
                let checked = picked.contains(&id);
                let picked = picked.clone();
                view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=checked on:change=move |ev| {
                            let mut members = picked.clone();
                            members.retain(|m| *m != id);
                            if event_target_checked(&ev) {
                                members.push(id);
                            }
                            set_target(Some(EffectTarget::SelectedMembers { members }));
                        } />
                        <span>{name}</span>
                    </label>
                }
            })
            .collect::<Vec<_>>();
        Some(view! {
            <fieldset class="member-picks">
                <legend>"Members wearing it"</legend>
                {boxes}
            </fieldset>
        })
    };

    view! {
        <section class="scene-controls card" aria-label="Picture settings">
            <div class="segmented" role="group" aria-label="Layout">
                {layout_button(LAYOUT_GRID, "Grid")}
                {layout_button(LAYOUT_SAME_SCREEN, "Same screen")}
            </div>
            <MyPlace />
            // Labels sit beside (not around) the selects, so a select's name is just
            // its label, not the label plus every option's text.
            <div class="field">
                <label for="scene-background">"Background"</label>
                <select id="scene-background" on:change=on_background prop:value=move || scene.with(|s| s.background.value.clone())>
                    {BackgroundPreset::ALL.iter().map(|b| view! {
                        <option value=b.id()>{b.name()}</option>
                    }).collect::<Vec<_>>()}
                    <Show when=move || background_status.with(|s| s.has_photo)>
                        <option value=CUSTOM_BACKGROUND>"Room photo"</option>
                    </Show>
                </select>
            </div>
            <div class="background-upload">
                <label class="button">
                    "Upload background"
                    <input type="file" accept="image/*" class="visually-hidden"
                        disabled=move || background_status.with(|s| s.sending)
                        on:change=on_background_file />
                </label>
                <span class="muted" aria-live="polite">{background_note}</span>
            </div>
            {move || background_status.with(|s| s.problem.clone()).map(|text| view! {
                <p class="alert" role="alert">{text}</p>
            })}
            <div class="field">
                <label for="scene-filter">"Filter"</label>
                <select id="scene-filter" on:change=on_filter prop:value=move || scene.with(|s| s.filter.value.clone())>
                    {FilterPreset::ALL.iter().map(|f| view! {
                        <option value=f.id()>{f.name()}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </div>
            <label class="field">
                <span>"Beauty"</span>
                <input type="range" min="0" max="100" step="5"
                    prop:value=move || scene.with(|s| (s.beauty.value * 100.0).round().to_string())
                    on:change=on_beauty />
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || scene.with(|s| s.auto_arrange.value)
                    on:change=toggle(|s, on, me| s.auto_arrange = s.stamp(on, me)) />
                <span>"Auto-arrange"</span>
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || scene.with(|s| s.harmonize.value)
                    on:change=toggle(|s, on, me| s.harmonize = s.stamp(on, me)) />
                <span>"Match lighting"</span>
            </label>
            <fieldset class="effects">
                <legend>"Effects"</legend>
                <div class="field">
                    <label for="scene-effect">"Effect"</label>
                    <select id="scene-effect" on:change=move |ev| {
                        let id = event_target_value(&ev);
                        if let Some(e) = Effect::ALL.iter().find(|e| e.id() == id) {
                            editing.set(e.id());
                        }
                    }>
                        {Effect::ALL.iter().map(|e| view! {
                            <option value=e.id()>{e.name()}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </div>
                <div class="segmented" role="radiogroup" aria-label="Who wears it">
                    {range_choice(Range::Off, "Off")}
                    {range_choice(Range::All, "All members")}
                    {range_choice(Range::Selected, "Selected members")}
                    {range_choice(Range::OnlyMe, "Only me")}
                </div>
                {member_boxes}
            </fieldset>
            <SceneStickers />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn someone_elses_only_me_reads_as_that_member_selected() {
        let (ann, grace) = (MemberId(1), MemberId(2));
        let ann_only = EffectTarget::OnlyMe { member: ann };
        assert_eq!(Range::of(Some(&ann_only), Some(ann)), Range::OnlyMe);
        assert_eq!(Range::of(Some(&ann_only), Some(grace)), Range::Selected);
        assert_eq!(picked(Some(ann_only.clone()), Some(grace)), Some(vec![ann]));
        assert_eq!(picked(Some(ann_only), Some(ann)), None);
        assert_eq!(Range::of(None, Some(ann)), Range::Off);
        assert_eq!(Range::of(Some(&EffectTarget::AllMembers), None), Range::All);
    }
}
