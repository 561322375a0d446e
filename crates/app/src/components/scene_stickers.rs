//! Scene stickers: add one from the set, pick one (in the list, or by touching
//! it on the preview), then move, scale, rotate or delete it. Stickers belong
//! to the room's settings, so everyone sees each change.

use std::f32::consts::TAU;

use huddle_protocol::{SceneState, StickerPose, MAX_STICKERS};
use huddle_vision::scene::stickers::STICKER_SIZE_RANGE;
use huddle_vision::scene::{render_sticker, Sticker};
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, ImageData};

use crate::session::Session;

/// A new sticker's height, as a share of the picture's.
const NEW_SIZE: f32 = 0.24;
/// One press moves by this share of the picture.
const STEP: f32 = 0.04;
/// One press scales by this factor.
const SCALE_STEP: f32 = 1.15;
/// One press turns by 15°.
const TURN: f32 = TAU / 24.0;
/// Palette icons, in CSS pixels (drawn at twice that for sharp screens).
const ICON_PX: u32 = 28;

/// Which sticker this member is working on; shared by the controls and the
/// preview (touching a sticker there selects it). Local: others do not see it.
#[derive(Clone, Copy)]
pub struct StickerSelection(pub RwSignal<Option<String>>);

impl StickerSelection {
    /// Makes a selection for the room page's components.
    pub fn provide() -> Self {
        let selection = Self(RwSignal::new(None));
        provide_context(selection);
        selection
    }
}

/// A change the buttons make to a sticker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StickerEdit {
    Move(f32, f32),
    MoveTo([f32; 2]),
    Scale(f32),
    Turn(f32),
}

impl StickerEdit {
    pub fn apply(self, pose: &StickerPose) -> StickerPose {
        let mut p = pose.clone();
        match self {
            StickerEdit::Move(dx, dy) => {
                p.center = [
                    (p.center[0] + dx).clamp(0.0, 1.0),
                    (p.center[1] + dy).clamp(0.0, 1.0),
                ];
            }
            StickerEdit::MoveTo(c) => p.center = [c[0].clamp(0.0, 1.0), c[1].clamp(0.0, 1.0)],
            StickerEdit::Scale(f) => {
                p.size = (p.size * f).clamp(STICKER_SIZE_RANGE.0, STICKER_SIZE_RANGE.1);
            }
            StickerEdit::Turn(a) => p.rotation = (p.rotation + a).rem_euclid(TAU),
        }
        p
    }
}

/// Applies `edit` to sticker `id` for the whole room; nothing when it is gone.
pub fn edit_sticker(session: Session, id: &str, edit: StickerEdit) {
    session.change_scene(|s, me| {
        let Some(pose) = s.stickers.get(id).and_then(|st| st.value.clone()) else {
            return;
        };
        let stamped = s.stamp(Some(edit.apply(&pose)), me);
        s.stickers.insert(id.to_owned(), stamped);
    });
}

/// Where the `n`th sticker goes: along the top, so it does not cover faces.
fn new_pose(sticker: Sticker, n: usize) -> StickerPose {
    const SPOTS: [f32; 5] = [0.5, 0.3, 0.7, 0.15, 0.85];
    StickerPose {
        kind: sticker.id().to_owned(),
        center: [SPOTS[n % SPOTS.len()], 0.18],
        size: NEW_SIZE,
        rotation: 0.0,
        placed: 0,
    }
}

/// The list's names: "Star", or "Star 2" for the second star.
fn labels(scene: &SceneState) -> Vec<(String, String)> {
    let stickers = scene.stickers();
    let mut out = Vec::with_capacity(stickers.len());
    for (i, (id, pose)) in stickers.iter().enumerate() {
        let name = Sticker::from_id(&pose.kind).map_or("Sticker", |k| k.name());
        let same = stickers[..i]
            .iter()
            .filter(|(_, p)| p.kind == pose.kind)
            .count();
        let label = if same == 0 {
            name.to_owned()
        } else {
            format!("{name} {}", same + 1)
        };
        out.push(((*id).to_owned(), label));
    }
    out
}

/// A sticker's picture for its palette button.
#[component]
fn StickerIcon(sticker: Sticker) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else {
            return;
        };
        let img = render_sticker(sticker, ICON_PX * 2);
        c.set_width(img.width);
        c.set_height(img.height);
        let ctx = c
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|x| x.dyn_into::<CanvasRenderingContext2d>().ok());
        let data =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&img.data), img.width, img.height);
        if let (Some(ctx), Ok(data)) = (ctx, data) {
            let _ = ctx.put_image_data(&data, 0.0, 0.0);
        }
    });
    let width = (ICON_PX as f32 * sticker.aspect()).round();
    view! {
        <canvas node_ref=canvas class="sticker-icon" aria-hidden="true"
            style=format!("width:{width}px;height:{ICON_PX}px")></canvas>
    }
}

#[component]
pub fn SceneStickers() -> impl IntoView {
    let session = expect_context::<Session>();
    let selection = expect_context::<StickerSelection>().0;
    let scene = session.scene;
    let full = move || scene.with(|s| s.stickers().len() >= MAX_STICKERS);
    // The selection, while that sticker is still on the picture.
    let selected = move || {
        let id = selection.get()?;
        scene.with(|s| s.stickers().iter().any(|(i, _)| *i == id).then_some(id))
    };

    let add = move |sticker: Sticker| {
        let mut added = None;
        session.change_scene(|s, me| {
            let pose = new_pose(sticker, s.stickers().len());
            added = s.add_sticker(pose, me);
        });
        if added.is_some() {
            selection.set(added);
        }
    };
    let edit = move |e: StickerEdit| {
        if let Some(id) = selected() {
            edit_sticker(session, &id, e);
        }
    };
    let delete = move || {
        let Some(id) = selected() else {
            return;
        };
        session.change_scene(|s, me| {
            let stamped = s.stamp(None, me);
            s.stickers.insert(id, stamped);
        });
        selection.set(None);
    };
    let button = move |label: &'static str, e: StickerEdit| {
        view! {
            <button type="button" class="button" on:click=move |_| edit(e)>{label}</button>
        }
    };

    view! {
        <fieldset class="stickers">
            <legend>"Stickers"</legend>
            <div class="sticker-palette" role="group" aria-label="Add a sticker">
                {Sticker::ALL.iter().map(|&k| view! {
                    <button type="button" class="sticker-add"
                        aria-label=format!("Add {}", k.name().to_lowercase())
                        title=k.name()
                        disabled=full
                        on:click=move |_| add(k)>
                        <StickerIcon sticker=k />
                    </button>
                }).collect::<Vec<_>>()}
            </div>
            <Show when=full>
                <p class="hint">{format!("The picture holds {MAX_STICKERS} stickers at most.")}</p>
            </Show>
            <div class="field">
                <label for="scene-sticker">"Selected sticker"</label>
                <select id="scene-sticker"
                    prop:value=move || selected().unwrap_or_default()
                    on:change=move |ev| {
                        let id = event_target_value(&ev);
                        selection.set((!id.is_empty()).then_some(id));
                    }>
                    <option value="">"None"</option>
                    {move || scene.with(labels).into_iter().map(|(id, label)| view! {
                        <option value=id>{label}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </div>
            <Show when=move || selected().is_some()>
                <div class="sticker-buttons" role="group" aria-label="Change the sticker">
                    {button("Move sticker left", StickerEdit::Move(-STEP, 0.0))}
                    {button("Move sticker right", StickerEdit::Move(STEP, 0.0))}
                    {button("Move sticker up", StickerEdit::Move(0.0, -STEP))}
                    {button("Move sticker down", StickerEdit::Move(0.0, STEP))}
                    {button("Shrink sticker", StickerEdit::Scale(1.0 / SCALE_STEP))}
                    {button("Enlarge sticker", StickerEdit::Scale(SCALE_STEP))}
                    {button("Rotate sticker left", StickerEdit::Turn(-TURN))}
                    {button("Rotate sticker right", StickerEdit::Turn(TURN))}
                    <button type="button" class="button danger" on:click=move |_| delete()>
                        "Delete sticker"
                    </button>
                </div>
            </Show>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use huddle_protocol::MemberId;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn edits_keep_stickers_on_the_picture_and_in_range() {
        let mut pose = new_pose(Sticker::Star, 0);
        for _ in 0..40 {
            pose = StickerEdit::Move(STEP, -STEP).apply(&pose);
            pose = StickerEdit::Scale(SCALE_STEP).apply(&pose);
        }
        assert_eq!(pose.center, [1.0, 0.0]);
        assert_eq!(pose.size, STICKER_SIZE_RANGE.1);
        for _ in 0..25 {
            pose = StickerEdit::Turn(-TURN).apply(&pose);
        }
        assert!((pose.rotation - (TAU - TURN)).abs() < 1e-4);
        let moved = StickerEdit::MoveTo([-3.0, 0.4]).apply(&pose);
        assert_eq!(moved.center, [0.0, 0.4]);
    }

    #[wasm_bindgen_test]
    fn the_list_numbers_repeated_stickers() {
        let mut s = SceneState::default();
        s.add_sticker(new_pose(Sticker::Star, 0), MemberId(1));
        s.add_sticker(new_pose(Sticker::Heart, 1), MemberId(2));
        s.add_sticker(new_pose(Sticker::Star, 2), MemberId(1));
        let names: Vec<String> = labels(&s).into_iter().map(|(_, l)| l).collect();
        assert_eq!(names, vec!["Star", "Heart", "Star 2"]);
    }
}
