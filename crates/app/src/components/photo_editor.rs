//! The shared photo editor: one canvas showing the shot with everyone's
//! stickers, doodles and text, the tools, and the others' name tags. Every
//! change goes into the shot's editing document ([`RoomEdits`]); the canvas is
//! re-rendered from the document by the same code that renders the saved file.

use std::rc::Rc;

use huddle_edit::{ElementId, Placement, Reorder};
use huddle_vision::edit::{
    element_corners, hit_test, photo_to_view, render_edit, view_to_photo, Fonts, PhotoFrame,
};
use huddle_vision::Rgba8Image;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::editor_tools::{EditorTools, Tool, ToolState};
use crate::edit::elements::{digest, drawable, frame};
use crate::edit::export::export;
use crate::edit::fonts::fonts;
use crate::edit::room_edits::RoomEdits;
use crate::live::dom::{animation_loop, now};
use crate::session::Session;

/// Width of the editor's picture in canvas pixels (CSS scales it to the screen).
const VIEW_WIDTH: u32 = 960;
/// Presence goes out at most this often (ms).
const PRESENCE_EVERY_MS: f64 = 50.0;
/// How far (photo heights) a tap may miss a thin stroke and still pick it.
const HIT_SLOP: f32 = 0.012;

/// What the pointer is doing on the canvas.
#[derive(Clone)]
enum Gesture {
    Move {
        id: ElementId,
        from: [f32; 2],
        start: Placement,
    },
    Stroke {
        id: ElementId,
        origin: [f32; 2],
        aspect: f32,
    },
}

#[component]
pub fn PhotoEditor(shot: u64) -> impl IntoView {
    let edits = expect_context::<RoomEdits>();
    let session = expect_context::<Session>();
    let canvas = NodeRef::<Canvas>::new();
    let section = NodeRef::<leptos::html::Section>::new();
    let tools = ToolState::new();
    let loaded_fonts = RwSignal::new_local(None::<Rc<Fonts>>);
    let font_problem = RwSignal::new(None::<String>);
    let gesture = StoredValue::new(None::<Gesture>);
    let last_presence = StoredValue::new(0.0f64);
    let last_cursor = StoredValue::new(None::<[f32; 2]>);
    let dirty = StoredValue::new(true);
    let view_cache: ViewPhoto = StoredValue::new_local(None);
    let alive = StoredValue::new(true);
    let busy_saving = RwSignal::new(false);
    let saved_note = RwSignal::new(None::<String>);

    spawn_local(async move {
        match fonts().await {
            Ok(f) => loaded_fonts.set(Some(f)),
            Err(e) => font_problem.set(Some(format!(
                "The fonts did not load ({e}). Close the editor and open it again to retry."
            ))),
        }
    });

    // The document changed (mine or theirs): repaint on the next frame, once.
    Effect::new(move |_| {
        edits.version();
        loaded_fonts.track();
        dirty.set_value(true);
    });
    animation_loop(move || {
        if !alive.try_get_value().unwrap_or(false) {
            return false;
        }
        if dirty.get_value() {
            dirty.set_value(false);
            paint(edits, shot, canvas, loaded_fonts, view_cache);
        }
        true
    });
    on_cleanup(move || {
        alive.set_value(false);
    });
    // Opening the editor from the album far below brings it into view.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(s) = section.get() else {
            return false;
        };
        s.scroll_into_view();
        true
    });

    let snapshot = move || {
        edits.version();
        edits.snapshot(shot).unwrap_or_default()
    };
    let photo_size = move || edits.photo(shot).map(|p| (p.pixels.width, p.pixels.height));
    let has_photo = move || {
        edits.version();
        photo_size().is_some()
    };

    // Pointer position as photo shares.
    let to_photo = move |ev: &web_sys::PointerEvent| -> Option<[f32; 2]> {
        let c = canvas.get_untracked()?;
        let r = c.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return None;
        }
        let u = ((f64::from(ev.client_x()) - r.left()) / r.width()) as f32;
        let v = ((f64::from(ev.client_y()) - r.top()) / r.height()) as f32;
        let f = frame(&edits.snapshot(shot)?.frame);
        Some(view_to_photo(&f, [u, v]))
    };
    let share_presence = move |cursor: Option<[f32; 2]>, force: bool| {
        if cursor.is_some() {
            last_cursor.set_value(cursor);
        }
        let cursor = cursor.or(last_cursor.get_value());
        let t = now();
        if !force && t - last_presence.get_value() < PRESENCE_EVERY_MS {
            return;
        }
        last_presence.set_value(t);
        let selected = tools.selected.get_untracked().map(|id| id.0);
        edits.share_presence(shot, cursor, selected);
    };
    Effect::new(move |_| {
        tools.selected.track();
        share_presence(None, true);
    });

    let on_down = move |ev: web_sys::PointerEvent| {
        let Some(p) = to_photo(&ev) else {
            return;
        };
        let Some((pw, ph)) = photo_size() else {
            return;
        };
        if let Some(c) = canvas.get_untracked() {
            let _ = c.set_pointer_capture(ev.pointer_id());
            let _ = c.focus();
        }
        ev.prevent_default();
        let aspect = pw as f32 / ph as f32;
        match tools.tool.get_untracked() {
            Tool::Draw | Tool::Eraser => {
                let eraser = tools.tool.get_untracked() == Tool::Eraser;
                let colour = tools.colour_rgba();
                let width = tools.width.get_untracked();
                let at = placed_at(p);
                let id = edits.edit(shot, |d| {
                    let id = d.begin_stroke(colour, width, eraser, at);
                    let _ = d.extend_stroke(&id, &[[0.0, 0.0]]);
                    id
                });
                if let Some(id) = id {
                    gesture.set_value(Some(Gesture::Stroke {
                        id,
                        origin: p,
                        aspect,
                    }));
                }
            }
            Tool::Sticker => {
                let preset = tools.preset.get_untracked();
                let at = placed_at(p);
                let id = edits.edit(shot, |d| d.add_sticker(preset.id(), 0.22, at));
                tools.selected.set(id);
            }
            Tool::Select | Tool::Text => {
                let Some(fonts) = loaded_fonts.get_untracked() else {
                    return;
                };
                let snap = edits.snapshot(shot).unwrap_or_default();
                let (ids, elements) = drawable(&snap);
                let hit = hit_test(&elements, pw, ph, &fonts, p, HIT_SLOP)
                    .and_then(|i| ids.get(i).cloned())
                    .map(ElementId);
                let start = hit.as_ref().and_then(|id| {
                    snap.elements
                        .iter()
                        .find(|e| &e.id == id)
                        .map(|e| e.placement)
                });
                tools.select(hit.clone(), &snap);
                if let (Some(id), Some(start)) = (hit, start) {
                    gesture.set_value(Some(Gesture::Move { id, from: p, start }));
                }
            }
        }
        share_presence(Some(p), true);
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let Some(p) = to_photo(&ev) else {
            return;
        };
        match gesture.get_value() {
            Some(Gesture::Stroke { id, origin, aspect }) => {
                // Offsets in photo heights on both axes, as the document keeps them.
                let local = [(p[0] - origin[0]) * aspect, p[1] - origin[1]];
                edits.edit(shot, |d| d.extend_stroke(&id, &[local]));
            }
            Some(Gesture::Move { id, from, start }) => {
                let at = Placement {
                    x: (start.x + p[0] - from[0]).clamp(0.0, 1.0),
                    y: (start.y + p[1] - from[1]).clamp(0.0, 1.0),
                    ..start
                };
                edits.edit(shot, |d| d.set_placement(&id, at));
            }
            None => {}
        }
        share_presence(Some(p), false);
    };
    let on_up = move |_ev: web_sys::PointerEvent| match gesture.get_value() {
        Some(Gesture::Stroke { id, .. }) => {
            gesture.set_value(None);
            edits.edit(shot, |d| d.end_stroke(&id));
        }
        Some(Gesture::Move { .. }) => {
            gesture.set_value(None);
            edits.edit(shot, |d| d.end_action());
        }
        None => {}
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(id) = tools.selected.get_untracked() else {
            return;
        };
        let step = if ev.shift_key() { 0.05 } else { 0.01 };
        let (dx, dy) = match ev.key().as_str() {
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            "Delete" | "Backspace" => {
                ev.prevent_default();
                edits.edit(shot, |d| d.delete(&id));
                tools.selected.set(None);
                return;
            }
            "Escape" => {
                tools.selected.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        nudge(edits, shot, &id, |p| Placement {
            x: (p.x + dx).clamp(0.0, 1.0),
            y: (p.y + dy).clamp(0.0, 1.0),
            ..p
        });
    };
    let on_undo_keys = move |ev: web_sys::KeyboardEvent| {
        if !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        let redo = match ev.key().as_str() {
            "z" => false,
            "Z" | "y" => true,
            _ => return,
        };
        ev.prevent_default();
        edits.edit(shot, |d| if redo { d.redo() } else { d.undo() });
    };

    let save = move |jpeg: bool| {
        if busy_saving.get_untracked() {
            return;
        }
        busy_saving.set(true);
        saved_note.set(None);
        spawn_local(async move {
            let note = export(edits, shot, loaded_fonts.get_untracked(), jpeg).await;
            saved_note.set(Some(note));
            busy_saving.set(false);
        });
    };

    let names = move || session.member_names();
    let overlay = move || {
        let snap = snapshot();
        let Some((pw, ph)) = photo_size() else {
            return Vec::new();
        };
        let Some(fonts) = loaded_fonts.get() else {
            return Vec::new();
        };
        let f = frame(&snap.frame);
        let (ids, elements) = drawable(&snap);
        let outline = |id: &str| -> Option<String> {
            let i = ids.iter().position(|x| x == id)?;
            let corners = element_corners(&elements[i], pw, ph, &fonts);
            Some(
                corners
                    .iter()
                    .map(|&c| {
                        let v = photo_to_view(&f, c);
                        format!("{:.4},{:.4}", v[0], v[1])
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        };
        let names = names();
        let mut out = Vec::new();
        if let Some(points) = tools.selected.get().and_then(|id| outline(&id.0)) {
            out.push(view! { <polygon class="mine" points=points /> }.into_any());
        }
        for p in edits.presence(shot) {
            let name = names
                .iter()
                .find(|(m, _)| *m == p.member)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            if let Some(points) = p.selected.as_deref().and_then(outline) {
                out.push(
                    view! { <polygon class="theirs" points=points><title>{name}</title></polygon> }
                        .into_any(),
                );
            }
        }
        out
    };
    let tags = move || {
        let snap = snapshot();
        let f = frame(&snap.frame);
        let names = names();
        edits
            .presence(shot)
            .into_iter()
            .filter_map(|p| {
                let c = p.cursor?;
                let v = photo_to_view(&f, c);
                let name = names
                    .iter()
                    .find(|(m, _)| *m == p.member)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                let style = format!("left:{:.2}%;top:{:.2}%", v[0] * 100.0, v[1] * 100.0);
                Some(view! { <span class="edit-tag" style=style>{name}</span> })
            })
            .collect::<Vec<_>>()
    };
    let aspect_style = move || {
        let snap = snapshot();
        let (w, h) = photo_size().unwrap_or((16, 9));
        let (ew, eh) = huddle_vision::edit::export_size(w, h, &frame(&snap.frame));
        // Tall pictures keep to most of the screen's height.
        format!("aspect-ratio:{ew}/{eh};width:min(100%, calc(72vh * {ew} / {eh}))")
    };
    let doc_digest = move || digest(&snapshot());
    let element_count = move || snapshot().elements.len().to_string();
    let close = move |_| edits.close();

    view! {
        <section node_ref=section class="editor card" aria-label="Photo editor" on:keydown=on_undo_keys
            data-doc=doc_digest data-elements=element_count>
            <div class="editor-head">
                <h2>"Edit together"</h2>
                <button type="button" class="button" on:click=close>"Close editor"</button>
            </div>
            <Show when=has_photo fallback=|| view! {
                <p class="status" role="status">"Getting the photo from the others…"</p>
            }>
                <div class="editor-frame" style=aspect_style>
                    <canvas node_ref=canvas class="editor-canvas" tabindex="0"
                        role="img" aria-label="Editor canvas"
                        aria-describedby="editor-help"
                        on:pointerdown=on_down on:pointermove=on_move
                        on:pointerup=on_up on:pointercancel=on_up on:keydown=on_key></canvas>
                    <svg class="editor-marks" viewBox="0 0 1 1" preserveAspectRatio="none"
                        aria-hidden="true">{overlay}</svg>
                    <div class="editor-tags" aria-hidden="true">{tags}</div>
                </div>
            </Show>
            <p id="editor-help" class="hint">
                "Pick a tool, then draw or tap on the photo. With an element selected, arrow keys move it \
                 and Delete removes it; Ctrl+Z undoes your own changes."
            </p>
            <EditorTools shot=shot tools=tools fonts=loaded_fonts />
            <div class="editor-save">
                <button type="button" class="button primary" on:click=move |_| save(false)
                    disabled=move || busy_saving.get() || !has_photo()>"Save edited photo"</button>
                <button type="button" class="button" on:click=move |_| save(true)
                    disabled=move || busy_saving.get() || !has_photo()>"Save as JPEG"</button>
            </div>
            <p class="status" role="status" aria-live="polite">
                {move || busy_saving.get().then_some("Saving the photo at full size…")}
                {move || saved_note.get()}
            </p>
            {move || font_problem.get().or_else(|| edits.problem()).map(|text| view! {
                <p class="alert" role="alert">{text}</p>
            })}
        </section>
    }
}

/// A new element's placement at photo point `p`: its own size, upright.
fn placed_at(p: [f32; 2]) -> Placement {
    Placement {
        x: p[0],
        y: p[1],
        scale: 1.0,
        rotation: 0.0,
    }
}

/// Changes the placement of element `id` (one undo step).
pub fn nudge(
    edits: RoomEdits,
    shot: u64,
    id: &ElementId,
    change: impl FnOnce(Placement) -> Placement,
) {
    edits.edit(shot, |d| {
        if let Some(e) = d.element(id) {
            let _ = d.set_placement(id, change(e.placement));
            d.end_action();
        }
    });
}

/// Moves element `id` in the stacking order.
pub fn reorder(edits: RoomEdits, shot: u64, id: &ElementId, how: Reorder) {
    edits.edit(shot, |d| d.reorder(id, how));
}

/// The shot's photo scaled once to the editor's size, by the photo it was made from:
/// the view then copies it instead of filtering 2 megapixels on every change.
type ViewPhoto = StoredValue<Option<(*const Rgba8Image, Rc<Rgba8Image>)>, LocalStorage>;

fn view_photo(cache: ViewPhoto, full: &Rc<Rgba8Image>, fonts: &Fonts) -> Rc<Rgba8Image> {
    if let Some((from, scaled)) = cache.get_value() {
        if std::ptr::eq(from, Rc::as_ptr(full)) {
            return scaled;
        }
    }
    let width = VIEW_WIDTH.min(full.width);
    let scaled = Rc::new(render_edit(full, &PhotoFrame::default(), &[], fonts, width));
    cache.set_value(Some((Rc::as_ptr(full), scaled.clone())));
    scaled
}

fn paint(
    edits: RoomEdits,
    shot: u64,
    canvas: NodeRef<Canvas>,
    loaded_fonts: RwSignal<Option<Rc<Fonts>>, LocalStorage>,
    cache: ViewPhoto,
) {
    let started = now();
    let (Some(c), Some(photo), Some(snap)) = (
        canvas.get_untracked(),
        edits.photo(shot),
        edits.snapshot(shot),
    ) else {
        return;
    };
    // The fonts arrive within moments of opening; the picture waits for them rather
    // than showing a document without its text.
    let Some(fonts) = loaded_fonts.get_untracked() else {
        return;
    };
    let (_, elements) = drawable(&snap);
    let f = frame(&snap.frame);
    let (ew, eh) = huddle_vision::edit::export_size(photo.pixels.width, photo.pixels.height, &f);
    // The longer side gets VIEW_WIDTH pixels, so a turned photo costs no more to draw.
    let scale = (VIEW_WIDTH as f32 / ew.max(eh).max(1) as f32).min(1.0);
    let width = ((ew as f32 * scale).round() as u32).max(1);
    let base = view_photo(cache, &photo.pixels, &fonts);
    let img = render_edit(&base, &f, &elements, &fonts, width);
    let _ = crate::edit::pixels::paint(&c, &img);
    // How long the picture took, for the edit benchmark.
    let _ = c.set_attribute("data-render-ms", &format!("{:.1}", now() - started));
}
