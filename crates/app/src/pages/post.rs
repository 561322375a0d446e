//! `/post`: the recorded try-on video with a caption and its anchor, then the
//! upload with real progress. The anchor goes next to the product by default,
//! in a free corner of the background, or wherever it is dragged (arrow keys
//! move it too).

use huddle_protocol::posts::{Anchor, NewPost, MAX_CAPTION_CHARS};
use leptos::html::Div;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::storage;
use crate::tryon::api;
use crate::tryon::draft::{Draft, Drafts};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placing {
    NearItem,
    Background,
    Dragged,
}

/// Where the anchor sits in the background: the top-left corner, clear of a
/// face in the middle of a selfie.
const BACKGROUND_SPOT: (f32, f32) = (0.2, 0.1);
/// How far an arrow key moves the anchor (share of the video).
const KEY_STEP: f32 = 0.02;

#[derive(Clone, Debug, PartialEq)]
enum Upload {
    Idle,
    Sending(f64),
    Failed(String),
}

#[component]
pub fn PostPage() -> impl IntoView {
    let drafts = use_context::<Drafts>().unwrap_or_default();
    match drafts.get() {
        Some(draft) => view! { <PostForm draft drafts /> }.into_any(),
        None => view! {
            <section class="post">
                <h1>"Post"</h1>
                <p class="alert" role="alert">
                    "There is no recorded video to post (a reload clears it). Record one in a try-on first."
                </p>
                <p><a class="button" href="/feed">"Go to the feed"</a></p>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn PostForm(draft: Draft, drafts: Drafts) -> impl IntoView {
    let navigate = use_navigate();
    let caption = RwSignal::new(String::new());
    let author = RwSignal::new(storage::remembered_name().unwrap_or_default());
    let placing = RwSignal::new(Placing::NearItem);
    let dragged = RwSignal::new(draft.near_item);
    let upload = RwSignal::new(Upload::Idle);
    let stage = NodeRef::<Div>::new();

    let near = draft.near_item;
    let spot = move || match placing.get() {
        Placing::NearItem => near,
        Placing::Background => BACKGROUND_SPOT,
        Placing::Dragged => dragged.get(),
    };

    let move_to_pointer = move |ev: &web_sys::PointerEvent| {
        let Some(stage) = stage.get_untracked() else {
            return;
        };
        let r = stage.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return;
        }
        let x = ((f64::from(ev.client_x()) - r.left()) / r.width()).clamp(0.02, 0.98);
        let y = ((f64::from(ev.client_y()) - r.top()) / r.height()).clamp(0.02, 0.98);
        placing.set(Placing::Dragged);
        dragged.set((x as f32, y as f32));
    };
    let dragging = StoredValue::new(false);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let (dx, dy) = match ev.key().as_str() {
            "ArrowLeft" => (-KEY_STEP, 0.0),
            "ArrowRight" => (KEY_STEP, 0.0),
            "ArrowUp" => (0.0, -KEY_STEP),
            "ArrowDown" => (0.0, KEY_STEP),
            _ => return,
        };
        ev.prevent_default();
        let (x, y) = spot();
        placing.set(Placing::Dragged);
        dragged.set(((x + dx).clamp(0.02, 0.98), (y + dy).clamp(0.02, 0.98)));
    };

    let video = draft.video.clone();
    let (item, label, seconds) = (draft.item.clone(), draft.label.clone(), draft.seconds);
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if matches!(upload.get_untracked(), Upload::Sending(_)) {
            return;
        }
        let name = author.get_untracked().trim().to_string();
        if name.is_empty() {
            upload.set(Upload::Failed(
                "Add your name so people know who posted.".into(),
            ));
            return;
        }
        let (x, y) = spot();
        let duration = seconds.max(0.1) as f32;
        let details = NewPost {
            author: name.clone(),
            caption: caption.get_untracked().trim().to_string(),
            anchors: vec![Anchor {
                item: item.clone(),
                label: label.clone(),
                x,
                y,
                start_s: 0.0,
                end_s: duration.max(0.5),
            }],
            duration_s: duration,
            bytes: video.size() as u64,
        };
        storage::remember_name(&name);
        let (video, drafts, navigate) = (video.clone(), drafts, navigate.clone());
        upload.set(Upload::Sending(0.0));
        leptos::task::spawn_local(async move {
            match api::upload(&video, &details, move |f| upload.set(Upload::Sending(f))).await {
                Ok(post) => {
                    drafts.clear();
                    navigate(
                        &format!("/feed?post={}", post.id.as_str()),
                        Default::default(),
                    );
                }
                Err(e) => upload.set(Upload::Failed(e.to_string())),
            }
        });
    };

    let placing_choice = move |value: Placing, text: &'static str| {
        view! {
            <label class="segment">
                <input type="radio" name="anchor-place" prop:checked=move || placing.get() == value
                    on:change=move |_| placing.set(value) />
                <span>{text}</span>
            </label>
        }
    };

    view! {
        <section class="post">
            <h1>"Post your try-on"</h1>
            <Show when=move || !matches!(upload.get(), Upload::Sending(_))
                fallback=move || view! {
                    <div class="posting card" aria-live="polite">
                        <h2>"Posting…"</h2>
                        <progress aria-label="Upload" max="1"
                            value=move || match upload.get() { Upload::Sending(f) => f.to_string(), _ => "0".into() }></progress>
                        <p class="muted">{move || match upload.get() {
                            Upload::Sending(f) => format!("{:.0} % sent", f * 100.0),
                            _ => String::new(),
                        }}</p>
                    </div>
                }>
                <form class="post-form card" on:submit=send.clone()>
                    <div class="post-stage" node_ref=stage
                        on:pointerdown=move |ev| { dragging.set_value(true); move_to_pointer(&ev); }
                        on:pointermove=move |ev| if dragging.get_value() { move_to_pointer(&ev) }
                        on:pointerup=move |_| dragging.set_value(false)
                        on:pointerleave=move |_| dragging.set_value(false)>
                        <video src=draft.url.clone() autoplay=true muted=true prop:muted=true loop=true playsinline=true
                            aria-label="Your try-on video"></video>
                        <button type="button" class="anchor-chip" aria-label=format!("Anchor position: {}. Arrow keys move it.", draft.label)
                            style=move || { let (x, y) = spot(); format!("left: {:.2}%; top: {:.2}%", x * 100.0, y * 100.0) }
                            on:keydown=on_key>
                            <span class="anchor-dot" aria-hidden="true"></span>{draft.label.clone()}
                        </button>
                    </div>
                    <fieldset class="segmented">
                        <legend>"Anchor position"</legend>
                        {placing_choice(Placing::NearItem, "Next to the product")}
                        {placing_choice(Placing::Background, "In the background")}
                        {placing_choice(Placing::Dragged, "Where I drag it")}
                    </fieldset>
                    <label class="field">
                        <span>"Your name"</span>
                        <input type="text" maxlength="40" required=true prop:value=move || author.get()
                            on:input=move |ev| author.set(event_target_value(&ev)) />
                    </label>
                    <label class="field">
                        <span>"Caption"</span>
                        <textarea maxlength=MAX_CAPTION_CHARS.to_string() rows="2"
                            prop:value=move || caption.get()
                            on:input=move |ev| caption.set(event_target_value(&ev))></textarea>
                    </label>
                    {move || match upload.get() {
                        Upload::Failed(e) => Some(view! { <p class="alert" role="alert">{e}</p> }),
                        _ => None,
                    }}
                    <button type="submit" class="button primary">"Post"</button>
                </form>
            </Show>
        </section>
    }
}
