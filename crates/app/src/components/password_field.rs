use leptos::prelude::*;

/// The "Password" input. `new_password` picks the browser's autofill behaviour: suggest a new
/// password when creating a room, offer saved ones when joining.
#[component]
pub fn PasswordField(
    password: RwSignal<String>,
    #[prop(optional)] new_password: bool,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>"Password"</span>
            <input
                type="password"
                autocomplete=if new_password { "new-password" } else { "current-password" }
                maxlength="64"
                placeholder=new_password.then_some("Optional")
                prop:value=move || password.get()
                on:input=move |ev| password.set(event_target_value(&ev))
            />
        </label>
    }
}
