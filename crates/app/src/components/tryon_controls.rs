//! The product's own controls on the try-on page: shades (or hat colours) as one
//! tap each, and for lipstick the finish and the intensity.

use huddle_protocol::posts::{Item, ItemKind, Variant};
use leptos::prelude::*;

use crate::tryon::hat_gl::rgb;

/// What the person picked.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub variants: Vec<Variant>,
    pub chosen: usize,
    pub gloss: bool,
    /// 0..=1.
    pub intensity: f32,
}

impl Settings {
    pub fn for_item(item: &Item) -> Self {
        Self {
            variants: item.variants.clone(),
            chosen: 0,
            gloss: false,
            intensity: 0.8,
        }
    }

    /// `#rrggbb` of the chosen shade or colour.
    pub fn color(&self) -> &str {
        self.variants
            .get(self.chosen)
            .map_or("#b0122b", |v| v.color.as_str())
    }

    pub fn shade_rgb(&self) -> [u8; 3] {
        let [r, g, b] = rgb(self.color());
        [r, g, b].map(|c| (c * 255.0).round() as u8)
    }
}

#[component]
pub fn ItemControls(item: Item, settings: RwSignal<Settings>) -> impl IntoView {
    let is_lipstick = item.kind == ItemKind::Lipstick;
    let legend = if is_lipstick { "Shade" } else { "Colour" };
    let swatches = item
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let name = v.name.clone();
            let style = format!("--swatch: {}", v.color);
            view! {
                <button type="button" class="swatch" style=style aria-label=name.clone() title=name
                    aria-pressed=move || settings.with(|s| (s.chosen == i).to_string())
                    on:click=move |_| settings.update(|s| s.chosen = i)></button>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <fieldset class="swatches">
            <legend>
                {legend}": "
                <span class="chosen">{move || settings.with(|s| s.variants.get(s.chosen).map(|v| v.name.clone()).unwrap_or_default())}</span>
            </legend>
            <div class="swatch-row">{swatches}</div>
        </fieldset>
        <Show when=move || is_lipstick>
            <div class="tryon-row">
                <div class="segmented" role="group" aria-label="Finish">
                    <button type="button" class="button" aria-pressed=move || settings.with(|s| (!s.gloss).to_string())
                        on:click=move |_| settings.update(|s| s.gloss = false)>"Matte"</button>
                    <button type="button" class="button" aria-pressed=move || settings.with(|s| s.gloss.to_string())
                        on:click=move |_| settings.update(|s| s.gloss = true)>"Gloss"</button>
                </div>
                <label class="field slider">
                    <span>"Intensity"</span>
                    <input type="range" min="0" max="100" step="5"
                        prop:value=move || settings.with(|s| (s.intensity * 100.0).round().to_string())
                        on:input=move |ev| {
                            let v: f32 = event_target_value(&ev).parse().unwrap_or(80.0);
                            settings.update(|s| s.intensity = (v / 100.0).clamp(0.0, 1.0));
                        } />
                </label>
            </div>
        </Show>
    }
}
