//! The room's photos being edited together: the open editor, and a button for
//! each other edited photo (also those kept from before a reload, which are
//! no longer in the album).

use leptos::prelude::*;

use super::photo_editor::PhotoEditor;
use crate::edit::room_edits::RoomEdits;

#[component]
pub fn EditedPhotos() -> impl IntoView {
    let Some(edits) = use_context::<RoomEdits>() else {
        return ().into_any();
    };
    let others = move || {
        let open = edits.open_shot();
        edits
            .list()
            .into_iter()
            .filter(|s| Some(s.shot) != open)
            .enumerate()
            .map(|(i, s)| {
                let label = format!("Open edited photo {}", i + 1);
                view! {
                    <button type="button" class="button" on:click=move |_| edits.open(s.shot, None)>
                        {label}
                    </button>
                }
            })
            .collect::<Vec<_>>()
    };
    view! {
        {move || edits.open_shot().map(|shot| view! { <PhotoEditor shot=shot /> })}
        <Show when=move || !others().is_empty()>
            <section class="edited-list" aria-label="Photos being edited">
                <h2>"Photos being edited"</h2>
                <div class="editor-row">{others}</div>
            </section>
        </Show>
    }
    .into_any()
}
