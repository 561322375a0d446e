use leptos::html::Video;
use leptos::prelude::*;
use web_sys::MediaStream;

/// One member's live camera, labelled with their name. `playsinline` and `muted` let
/// Safari on iPhone autoplay it inline.
#[component]
pub fn VideoTile(
    #[prop(into)] name: String,
    #[prop(into)] stream: Signal<Option<MediaStream>, LocalStorage>,
    /// Shown over the tile when there is no picture, e.g. why the camera is off.
    #[prop(into)]
    note: Signal<Option<String>>,
    #[prop(optional)] mirrored: bool,
    /// The stream is a packed cut-out (frame | mask): only its left half is shown.
    #[prop(optional)]
    packed: bool,
) -> impl IntoView {
    let video = NodeRef::<Video>::new();
    Effect::new(move |_| {
        let stream = stream.get();
        if let Some(video) = video.get() {
            video.set_src_object(stream.as_ref());
            if stream.is_some() {
                // Autoplay may be refused until the person interacts; `muted` avoids that.
                let _ = video.play();
            }
        }
    });
    let label = name.clone();
    view! {
        <figure class="tile" role="group" aria-label=label>
            <video
                node_ref=video
                class:mirrored=mirrored
                class:packed=packed
                autoplay=true
                playsinline=true
                prop:muted=true
                muted=true
            ></video>
            {move || note.get().map(|text| view! { <p class="tile-note">{text}</p> })}
            <figcaption>{name}</figcaption>
        </figure>
    }
}
