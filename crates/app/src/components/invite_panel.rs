use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::invite_link::{invite_url, page_origin, qr_data_url};
use crate::session::Session;

/// The invite link, a button to copy it and its QR code.
#[component]
pub fn InvitePanel() -> impl IntoView {
    let session = expect_context::<Session>();
    let copied = RwSignal::new(None::<&'static str>);
    let link = Memo::new(move |_| {
        session
            .room
            .with(|r| {
                r.as_ref()
                    .map(|r| invite_url(&page_origin(), &r.info.id, &r.invite.token))
            })
            .unwrap_or_default()
    });
    let qr = Memo::new(move |_| qr_data_url(&link.get()));
    let expires = move || {
        session.room.with(|r| {
            r.as_ref().map(|r| {
                let date = js_sys::Date::new(&((r.invite.expires_at as f64) * 1000.0).into());
                format!(
                    "The link works until {}.",
                    date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
                )
            })
        })
    };
    let copy = move |_| {
        let text = link.get_untracked();
        leptos::task::spawn_local(async move {
            let done = match web_sys::window().map(|w| w.navigator().clipboard()) {
                Some(clipboard) => JsFuture::from(clipboard.write_text(&text)).await.is_ok(),
                None => false,
            };
            copied.set(Some(if done {
                "Invite link copied."
            } else {
                "Could not copy: select the link and copy it yourself."
            }));
        });
    };
    view! {
        <section class="card invite">
            <h2>"Invite"</h2>
            <label class="field">
                <span>"Invite link"</span>
                <input type="url" readonly prop:value=move || link.get() on:focus=|ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                } />
            </label>
            <button type="button" class="button" on:click=copy>"Copy invite link"</button>
            <p class="status" aria-live="polite">{move || copied.get()}</p>
            <p class="muted">{expires}</p>
            {move || qr.get().map(|src| view! {
                <img class="qr" src=src alt="QR code for the invite link" width="200" height="200" />
            })}
        </section>
    }
}
