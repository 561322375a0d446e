//! For a member without a camera: "Use a photo instead" puts their photo in the
//! room's picture (cut out like a camera frame) instead of a placeholder.

use leptos::prelude::*;

use crate::live::dom::take_chosen_file;
use crate::live::photo_camera::PhotoCamera;
use crate::session::{CameraStatus, Session};

#[component]
pub fn PhotoInstead() -> impl IntoView {
    let session = expect_context::<Session>();
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let shown = move || {
        matches!(
            session.camera.get(),
            CameraStatus::Unavailable(_) | CameraStatus::Photo
        )
    };
    let on_file = move |ev: web_sys::Event| {
        let Some(file) = take_chosen_file(&ev) else {
            return;
        };
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            match PhotoCamera::from_file(&file).await {
                Ok(photo) => session.use_photo_instead(photo),
                Err(why) => problem.set(Some(why)),
            }
            busy.set(false);
        });
    };
    let label = move || {
        if session.camera.get() == CameraStatus::Photo {
            "Use another photo"
        } else {
            "Use a photo instead"
        }
    };

    view! {
        <Show when=shown>
            <div class="photo-instead">
                <label class="button">
                    {label}
                    <input type="file" accept="image/*" class="visually-hidden" on:change=on_file
                        disabled=move || busy.get() />
                </label>
                <span class="muted">
                    {move || if session.camera.get() == CameraStatus::Photo {
                        "Your photo stands in for your camera."
                    } else {
                        "Or the others see a placeholder with your name."
                    }}
                </span>
            </div>
            {move || problem.get().map(|text| view! { <p class="alert" role="alert">{text}</p> })}
        </Show>
    }
}
