use huddle_protocol::RoomId;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::alert::Alert;
use crate::components::name_field::NameField;
use crate::session::Session;
use crate::storage::{remember_name, remembered_name};

/// How often the featured list refreshes while home is open.
const FEATURED_REFRESH_MS: u64 = 5_000;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let name = RwSignal::new(remembered_name().unwrap_or_default());
    Effect::new(move |_| remember_name(&name.get()));
    let room_number = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();

    let join = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match RoomId::parse(&room_number.get_untracked()) {
            Ok(room) => navigate(&format!("/room/{room}"), Default::default()),
            Err(_) => error.set(Some("A room number is 8 digits.".into())),
        }
    };

    // Featured rooms: asked for when the socket is ready, then refreshed.
    Effect::new(move |_| {
        if session.connection.get() == crate::session::ConnectionState::Ready {
            session.list_featured();
        }
    });
    if let Ok(handle) = set_interval_with_handle(
        move || session.list_featured(),
        std::time::Duration::from_millis(FEATURED_REFRESH_MS),
    ) {
        on_cleanup(move || handle.clear());
    }

    let featured = move || {
        let rooms = session.featured.get();
        if rooms.is_empty() {
            return view! { <p class="muted">"No featured rooms right now."</p> }.into_any();
        }
        view! {
            <ul class="featured" aria-label="Featured rooms">
                {rooms.into_iter().map(|room| {
                    let href = format!("/room/{}", room.id);
                    let lock = if room.has_password { " · password" } else { "" };
                    let label = format!("{}'s room · {} of {}{lock}", room.host, room.members, room.member_limit);
                    view! { <li><A href=href>{label}</A></li> }
                }).collect::<Vec<_>>()}
            </ul>
        }
        .into_any()
    };

    view! {
        <section class="hero">
            <h1>"Take a photo together, from anywhere."</h1>
            <p class="muted">"Open a room, share the link, and everyone stands in one picture."</p>
        </section>
        <section class="card">
            <NameField name=name />
            <A href="/new" attr:class="button primary wide">"Create room"</A>
        </section>
        <section class="card">
            <h2>"Join a room"</h2>
            <form class="join" on:submit=join>
                <label class="field">
                    <span>"Room number"</span>
                    <input
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        placeholder="8 digits"
                        prop:value=move || room_number.get()
                        on:input=move |ev| {
                            error.set(None);
                            room_number.set(event_target_value(&ev));
                        }
                    />
                </label>
                <button type="submit" class="button">"Join room"</button>
            </form>
            <Alert message=error />
        </section>
        <section class="card">
            <h2>"Featured rooms"</h2>
            {featured}
        </section>
        <section class="card">
            <h2>"Camera check"</h2>
            <p class="muted">"See how Huddle cuts you out from your background before you join."</p>
            <A href="/lab" attr:class="button">"Check my camera"</A>
        </section>
    }
}
