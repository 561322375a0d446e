use leptos::prelude::*;

/// A message read out by screen readers as soon as it appears.
#[component]
pub fn Alert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|text| view! { <p class="alert" role="alert">{text}</p> })
    }
}
