use huddle_protocol::{DisplayName, MAX_MEMBER_LIMIT, MIN_MEMBER_LIMIT};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::alert::Alert;
use crate::components::name_field::NameField;
use crate::components::password_field::PasswordField;
use crate::session::Session;
use crate::storage::{remember_name, remembered_name};

#[component]
pub fn CreatePage() -> impl IntoView {
    let session = expect_context::<Session>();
    // A room from an earlier visit of this page would send us straight on: start clean.
    if session.room.get_untracked().is_some() {
        session.leave_room();
    }
    session.clear_refusal();
    let name = RwSignal::new(remembered_name().unwrap_or_default());
    let limit = RwSignal::new(4u8);
    let password = RwSignal::new(String::new());
    let featured = RwSignal::new(false);
    let local_error = RwSignal::new(None::<String>);
    let navigate = use_navigate();

    Effect::new(move |_| {
        if let Some(room) = session.room.get() {
            navigate(&format!("/room/{}", room.info.id), Default::default());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(display_name) = DisplayName::parse(&name.get_untracked()) else {
            local_error.set(Some("Enter your name (1 to 32 characters).".into()));
            return;
        };
        local_error.set(None);
        remember_name(display_name.as_str());
        let password = Some(password.get_untracked()).filter(|p| !p.is_empty());
        session.create_room(
            display_name,
            limit.get_untracked(),
            password,
            featured.get_untracked(),
        );
    };

    let message = Signal::derive(move || {
        local_error
            .get()
            .or_else(|| session.refusal.get().map(|r| r.message))
    });

    view! {
        <section class="card">
            <h1>"Create a room"</h1>
            <form class="stack" on:submit=submit>
                <NameField name=name />
                <label class="field">
                    <span>"Member limit"</span>
                    <select on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse() {
                            limit.set(n);
                        }
                    }>
                        {(MIN_MEMBER_LIMIT..=MAX_MEMBER_LIMIT).map(|n| view! {
                            <option value=n.to_string() selected=move || limit.get() == n>{n.to_string()}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
                <PasswordField password=password new_password=true />
                <label class="check">
                    <input type="checkbox" prop:checked=move || featured.get()
                        on:change=move |ev| featured.set(event_target_checked(&ev)) />
                    <span>"List this room publicly"</span>
                </label>
                <button type="submit" class="button primary" disabled=move || session.busy.get()>
                    "Create room"
                </button>
                <p class="status" aria-live="polite">
                    {move || session.busy.get().then_some("Creating the room…")}
                </p>
            </form>
            <Alert message=message />
        </section>
    }
}
