//! The photo editor's tools: what the pointer does, the pen, stickers, text,
//! the selected element's actions, undo/redo and the photo's crop and rotation.

use huddle_edit::{DocSnapshot, ElementId, ElementKind, Frame, Placement, Reorder, TextStyle};
use huddle_vision::edit::{sticker_icon, Fonts, StickerPreset};
use leptos::html::Canvas;
use leptos::prelude::*;
use std::rc::Rc;

use super::photo_editor::{nudge, reorder};
use crate::edit::room_edits::RoomEdits;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Select,
    Draw,
    Eraser,
    Sticker,
    Text,
}

impl Tool {
    const ALL: [Tool; 5] = [
        Tool::Select,
        Tool::Draw,
        Tool::Eraser,
        Tool::Sticker,
        Tool::Text,
    ];

    fn name(self) -> &'static str {
        match self {
            Tool::Select => "Select",
            Tool::Draw => "Draw",
            Tool::Eraser => "Eraser",
            Tool::Sticker => "Sticker",
            Tool::Text => "Text",
        }
    }
}

/// Sticker height when added, as a share of the photo's height.
const STICKER_SIZE: f32 = 0.22;
const CROPS: [(&str, &str, Option<f32>); 5] = [
    ("original", "Whole photo", None),
    ("square", "Square", Some(1.0)),
    ("4:3", "4:3", Some(4.0 / 3.0)),
    ("3:4", "3:4", Some(3.0 / 4.0)),
    ("16:9", "16:9", Some(16.0 / 9.0)),
];

/// The tools' settings, shared by the canvas and the controls.
#[derive(Clone, Copy)]
pub struct ToolState {
    pub tool: RwSignal<Tool>,
    /// Pen colour, `#rrggbb`.
    pub colour: RwSignal<String>,
    /// Line width in photo heights.
    pub width: RwSignal<f32>,
    pub preset: RwSignal<StickerPreset>,
    pub selected: RwSignal<Option<ElementId>>,
    pub text: RwSignal<String>,
    pub font: RwSignal<String>,
    /// Text size in photo heights.
    pub text_size: RwSignal<f32>,
    pub text_colour: RwSignal<String>,
    pub outline: RwSignal<bool>,
}

impl ToolState {
    pub fn new() -> Self {
        Self {
            tool: RwSignal::new(Tool::Draw),
            colour: RwSignal::new("#e0245e".into()),
            width: RwSignal::new(0.012),
            preset: RwSignal::new(StickerPreset::Star),
            selected: RwSignal::new(None),
            text: RwSignal::new("Hello!".into()),
            font: RwSignal::new("sans".into()),
            text_size: RwSignal::new(0.1),
            text_colour: RwSignal::new("#ffffff".into()),
            outline: RwSignal::new(true),
        }
    }

    pub fn colour_rgba(&self) -> [u8; 4] {
        parse_hex(&self.colour.get_untracked())
    }

    fn text_style(&self) -> TextStyle {
        TextStyle {
            font: self.font.get_untracked(),
            size: self.text_size.get_untracked(),
            colour: parse_hex(&self.text_colour.get_untracked()),
            outline: self.outline.get_untracked().then_some([20, 20, 20, 255]),
        }
    }

    /// Selects `id`; a text element's settings show in the text controls.
    pub fn select(&self, id: Option<ElementId>, doc: &DocSnapshot) {
        let element = id
            .as_ref()
            .and_then(|id| doc.elements.iter().find(|e| &e.id == id));
        if let Some(ElementKind::Text { content, style }) = element.map(|e| &e.kind) {
            self.text.set(content.clone());
            self.font.set(style.font.clone());
            self.text_size.set(style.size);
            self.text_colour.set(to_hex(style.colour));
            self.outline.set(style.outline.is_some());
        }
        self.selected.set(id);
    }
}

impl Default for ToolState {
    fn default() -> Self {
        Self::new()
    }
}

fn parse_hex(text: &str) -> [u8; 4] {
    let hex = text.trim_start_matches('#');
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    [byte(0), byte(2), byte(4), 255]
}

fn to_hex(c: [u8; 4]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The crop rectangle (photo shares) of aspect `ratio`, centred, for a `w`×`h` photo.
fn centred_crop(ratio: Option<f32>, w: u32, h: u32) -> [f32; 4] {
    let Some(r) = ratio else {
        return [0.0, 0.0, 1.0, 1.0];
    };
    let a = w as f32 / h.max(1) as f32;
    if a > r {
        let share = r / a;
        [(1.0 - share) / 2.0, 0.0, (1.0 + share) / 2.0, 1.0]
    } else {
        let share = a / r;
        [0.0, (1.0 - share) / 2.0, 1.0, (1.0 + share) / 2.0]
    }
}

#[component]
pub fn EditorTools(
    shot: u64,
    tools: ToolState,
    fonts: RwSignal<Option<Rc<Fonts>>, LocalStorage>,
) -> impl IntoView {
    let edits = expect_context::<RoomEdits>();
    let doc = move || {
        edits.version();
        edits.snapshot(shot).unwrap_or_default()
    };
    // The selection disappears when someone deletes the element (or undo removes it).
    Effect::new(move |_| {
        let snap = doc();
        if let Some(id) = tools.selected.get_untracked() {
            if !snap.elements.iter().any(|e| e.id == id) {
                tools.selected.set(None);
            }
        }
    });
    let selected_text = move || {
        let id = tools.selected.get()?;
        doc()
            .elements
            .iter()
            .any(|e| e.id == id && matches!(e.kind, ElementKind::Text { .. }))
            .then_some(())
    };
    let none_selected = move || tools.selected.get().is_none();
    let can_undo = move || {
        edits.version();
        edits.read(shot, |d| d.can_undo()).unwrap_or(false)
    };
    let can_redo = move || {
        edits.version();
        edits.read(shot, |d| d.can_redo()).unwrap_or(false)
    };

    let centre = move || -> Placement {
        let f = crate::edit::elements::frame(&doc().frame);
        let [x, y] = huddle_vision::edit::view_to_photo(&f, [0.5, 0.5]);
        Placement {
            x,
            y,
            scale: 1.0,
            rotation: 0.0,
        }
    };
    let add_sticker = move |preset: StickerPreset| {
        tools.preset.set(preset);
        let id = edits.edit(shot, |d| d.add_sticker(preset.id(), STICKER_SIZE, centre()));
        tools.selected.set(id);
    };
    let add_text = move |_| {
        let content = tools.text.get_untracked();
        if content.trim().is_empty() {
            return;
        }
        let style = tools.text_style();
        let id = edits.edit(shot, |d| d.add_text(&content, style, centre()));
        tools.selected.set(id);
    };
    // Editing the text fields changes the selected text at once.
    let restyle = move || {
        let Some(id) = tools.selected.get_untracked() else {
            return;
        };
        let is_text = doc()
            .elements
            .iter()
            .any(|e| e.id == id && matches!(e.kind, ElementKind::Text { .. }));
        if is_text {
            let content = tools.text.get_untracked();
            let style = tools.text_style();
            edits.edit(shot, |d| d.set_text(&id, &content, style));
        }
    };
    let act = move |f: fn(RoomEdits, u64, &ElementId)| {
        if let Some(id) = tools.selected.get_untracked() {
            f(edits, shot, &id);
        }
    };
    let delete = move |_| {
        act(|e, s, id| {
            e.edit(s, |d| d.delete(id));
        });
        tools.selected.set(None);
    };
    let set_frame = move |change: &dyn Fn(Frame) -> Frame| {
        let f = change(doc().frame);
        edits.edit(shot, |d| d.set_frame(f));
    };
    let rotate_photo = move |_| {
        set_frame(&|f| Frame {
            quarter_turns: (f.quarter_turns + 1) % 4,
            ..f
        })
    };
    let crop_value = move || {
        let crop = doc().frame.crop;
        let (w, h) = edits
            .photo(shot)
            .map(|p| (p.pixels.width, p.pixels.height))
            .unwrap_or((16, 9));
        CROPS
            .iter()
            .find(|(_, _, r)| {
                let c = centred_crop(*r, w, h);
                c.iter().zip(crop).all(|(a, b)| (a - b).abs() < 1e-3)
            })
            .map_or("custom", |(id, _, _)| id)
            .to_string()
    };
    let crop = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let Some((_, _, ratio)) = CROPS.iter().find(|(id, _, _)| *id == value) else {
            return;
        };
        let (w, h) = edits
            .photo(shot)
            .map(|p| (p.pixels.width, p.pixels.height))
            .unwrap_or((16, 9));
        let c = centred_crop(*ratio, w, h);
        set_frame(&|f| Frame { crop: c, ..f });
    };

    let tool_buttons = Tool::ALL
        .into_iter()
        .map(|t| {
            view! {
                <button type="button" class="segment-button"
                    aria-pressed=move || (tools.tool.get() == t).to_string()
                    on:click=move |_| tools.tool.set(t)>{t.name()}</button>
            }
        })
        .collect::<Vec<_>>();
    let presets = move || {
        StickerPreset::ALL
        .into_iter()
        .map(|p| {
            view! {
                <button type="button" class="sticker-add" on:click=move |_| add_sticker(p)
                    aria-label=format!("Add {}", p.name().to_lowercase())
                    aria-pressed=move || (tools.tool.get() == Tool::Sticker && tools.preset.get() == p).to_string()>
                    <PresetIcon preset=p />
                    <span>{p.name()}</span>
                </button>
            }
        })
        .collect::<Vec<_>>()
    };
    let crop_options = CROPS
        .iter()
        .map(|(id, name, _)| view! { <option value=*id>{*name}</option> })
        .collect::<Vec<_>>();
    let show_pen = move || matches!(tools.tool.get(), Tool::Draw | Tool::Eraser);
    let show_text = move || tools.tool.get() == Tool::Text || selected_text().is_some();
    let width_px = move || (tools.width.get() * 1080.0).round().to_string();

    view! {
        <div class="editor-tools stack">
            <div class="segmented" role="toolbar" aria-label="Editing tools">{tool_buttons}</div>
            <div class="editor-row" role="group" aria-label="History">
                <button type="button" class="button" disabled=move || !can_undo()
                    on:click=move |_| { edits.edit(shot, |d| d.undo()); }>"Undo"</button>
                <button type="button" class="button" disabled=move || !can_redo()
                    on:click=move |_| { edits.edit(shot, |d| d.redo()); }>"Redo"</button>
            </div>
            <Show when=show_pen>
                <div class="editor-row">
                    <label class="field inline">"Colour"
                        <input type="color" prop:value=move || tools.colour.get()
                            on:input=move |ev| tools.colour.set(event_target_value(&ev)) />
                    </label>
                    <label class="field inline">"Line width"
                        <input type="range" min="2" max="60" step="1" prop:value=width_px
                            on:input=move |ev| {
                                let px: f32 = event_target_value(&ev).parse().unwrap_or(12.0);
                                tools.width.set(px / 1080.0);
                            } />
                    </label>
                </div>
            </Show>
            <Show when=move || tools.tool.get() == Tool::Sticker>
                <div class="sticker-buttons" role="group" aria-label="Sticker presets">{presets}</div>
                <p class="hint">"Tap the photo to place the chosen sticker there."</p>
            </Show>
            <Show when=show_text>
                <div class="editor-row">
                    <label class="field inline">"Text content"
                        <input type="text" maxlength="200" prop:value=move || tools.text.get()
                            on:input=move |ev| { tools.text.set(event_target_value(&ev)); restyle(); } />
                    </label>
                    <label class="field inline">"Font"
                        <select prop:value=move || tools.font.get()
                            on:change=move |ev| { tools.font.set(event_target_value(&ev)); restyle(); }>
                            <option value="sans">"Sans"</option>
                            <option value="serif">"Serif"</option>
                            <option value="mono">"Mono"</option>
                        </select>
                    </label>
                    <label class="field inline">"Text size"
                        <input type="range" min="20" max="300" step="5"
                            prop:value=move || (tools.text_size.get() * 1000.0).round().to_string()
                            on:input=move |ev| {
                                let v: f32 = event_target_value(&ev).parse().unwrap_or(100.0);
                                tools.text_size.set(v / 1000.0);
                                restyle();
                            } />
                    </label>
                    <label class="field inline">"Text colour"
                        <input type="color" prop:value=move || tools.text_colour.get()
                            on:input=move |ev| { tools.text_colour.set(event_target_value(&ev)); restyle(); } />
                    </label>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || tools.outline.get()
                            on:change=move |ev| { tools.outline.set(event_target_checked(&ev)); restyle(); } />
                        "Outline"
                    </label>
                    <button type="button" class="button" on:click=add_text>"Add text"</button>
                </div>
            </Show>
            <div class="editor-row" role="group" aria-label="Selected element">
                <button type="button" class="button danger" disabled=none_selected on:click=delete>"Delete"</button>
                <button type="button" class="button" disabled=none_selected
                    on:click=move |_| act(|e, s, id| reorder(e, s, id, Reorder::Forward))>"Bring forward"</button>
                <button type="button" class="button" disabled=none_selected
                    on:click=move |_| act(|e, s, id| reorder(e, s, id, Reorder::Backward))>"Send backward"</button>
                <button type="button" class="button" disabled=none_selected
                    on:click=move |_| act(|e, s, id| nudge(e, s, id, |p| Placement { scale: (p.scale * 1.25).min(8.0), ..p }))>"Enlarge"</button>
                <button type="button" class="button" disabled=none_selected
                    on:click=move |_| act(|e, s, id| nudge(e, s, id, |p| Placement { scale: (p.scale / 1.25).max(0.1), ..p }))>"Shrink"</button>
                <button type="button" class="button" disabled=none_selected
                    on:click=move |_| act(|e, s, id| nudge(e, s, id, |p| Placement { rotation: p.rotation - std::f32::consts::FRAC_PI_8, ..p }))>"Rotate left"</button>
                <button type="button" class="button" disabled=none_selected
                    on:click=move |_| act(|e, s, id| nudge(e, s, id, |p| Placement { rotation: p.rotation + std::f32::consts::FRAC_PI_8, ..p }))>"Rotate right"</button>
            </div>
            <div class="editor-row" role="group" aria-label="Photo">
                <button type="button" class="button" on:click=rotate_photo>"Rotate photo"</button>
                <label class="field inline">"Crop"
                    <select prop:value=crop_value on:change=crop>
                        {crop_options}
                        <option value="custom" disabled=true>"Custom"</option>
                    </select>
                </label>
            </div>
            {move || fonts.get().is_none().then(|| view! { <p class="hint">"Loading fonts…"</p> })}
        </div>
    }
}

/// A preset's picture for its button, drawn by the same code as on the photo.
#[component]
fn PresetIcon(preset: StickerPreset) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            let _ = crate::edit::pixels::paint(&c, &sticker_icon(preset, 64));
        }
    });
    view! { <canvas node_ref=canvas class="sticker-icon" aria-hidden="true"></canvas> }
}
