use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::pages::{
    create::CreatePage, feed::FeedPage, home::HomePage, lab::LabPage, not_found::NotFoundPage,
    post::PostPage, room::RoomPage, tryon::TryOnPage,
};
use crate::session::Session;
use crate::tryon::draft::{Album, Drafts};

#[component]
pub fn App() -> impl IntoView {
    provide_context(Session::start());
    provide_context(Drafts::new());
    provide_context(Album::default());
    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Huddle"</A>
                <nav class="topnav" aria-label="Main">
                    <A href="/feed">"Feed"</A>
                </nav>
            </header>
            <main class="page">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/new") view=CreatePage />
                    <Route path=path!("/lab") view=LabPage />
                    <Route path=path!("/room/:id") view=RoomPage />
                    <Route path=path!("/feed") view=FeedPage />
                    <Route path=path!("/tryon/:item") view=TryOnPage />
                    <Route path=path!("/post") view=PostPage />
                </Routes>
            </main>
        </Router>
    }
}
