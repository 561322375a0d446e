use leptos::prelude::*;

/// The "Your name" input, used on every page that joins or creates a room.
#[component]
pub fn NameField(name: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="field">
            <span>"Your name"</span>
            <input
                type="text"
                name="name"
                autocomplete="nickname"
                maxlength="32"
                required
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
        </label>
    }
}
