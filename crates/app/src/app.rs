use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::pages::{
    create::CreatePage, home::HomePage, lab::LabPage, not_found::NotFoundPage, room::RoomPage,
};
use crate::session::Session;

#[component]
pub fn App() -> impl IntoView {
    provide_context(Session::start());
    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Huddle"</A>
            </header>
            <main class="page">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/new") view=CreatePage />
                    <Route path=path!("/lab") view=LabPage />
                    <Route path=path!("/room/:id") view=RoomPage />
                </Routes>
            </main>
        </Router>
    }
}
