use leptos::prelude::*;

use crate::rtc::peer::LinkState;
use crate::session::Session;

/// The members in join order, the creator first and marked.
#[component]
pub fn MemberList() -> impl IntoView {
    let session = expect_context::<Session>();
    let rows = move || {
        let Some(room) = session.room.get() else {
            return Vec::new();
        };
        let peers = session.peers.get();
        room.members
            .into_iter()
            .map(|member| {
                let is_me = member.id == room.me;
                let state = if is_me {
                    None
                } else {
                    Some(match peers.get(&member.id).map(|p| p.link) {
                        Some(LinkState::Connected) => "connected",
                        Some(LinkState::Reconnecting) => "reconnecting…",
                        _ => "connecting…",
                    })
                };
                view! {
                    <li class="member">
                        <span class="member-name">{member.name.to_string()}</span>
                        {is_me.then(|| view! { <span class="muted">" (you)"</span> })}
                        {member.is_creator.then(|| view! { <span class="badge">"Creator"</span> })}
                        {state.map(|s| view! { <span class="link-state">{s}</span> })}
                    </li>
                }
            })
            .collect::<Vec<_>>()
    };
    view! {
        <section class="card">
            <h2 id="members-heading">"Members"</h2>
            <ol class="members" aria-label="Members">{rows}</ol>
        </section>
    }
}
