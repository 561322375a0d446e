//! `/feed`: product videos one after another (scroll or swipe; arrow keys move
//! one video). Each video's anchors sit where they were placed, while their time
//! range plays; tapping one opens that product's try-on.

use huddle_protocol::posts::{Anchor, Post};
use leptos::html::Div;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use wasm_bindgen::JsCast;

use crate::tryon::api;

#[component]
pub fn FeedPage() -> impl IntoView {
    let posts = LocalResource::new(api::posts);
    view! {
        <section class="feed" aria-label="Feed">
            <Suspense fallback=|| view! { <p class="muted" role="status">"Loading the feed…"</p> }>
                {move || posts.get().map(|r| match r {
                    Ok(posts) if posts.is_empty() => view! {
                        <p class="muted">"Nothing has been posted yet."</p>
                    }.into_any(),
                    Ok(posts) => view! { <Reel posts /> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Reel(posts: Vec<Post>) -> impl IntoView {
    let reel = NodeRef::<Div>::new();
    let current = RwSignal::new(0usize);
    let count = posts.len();
    // `?post=ID` (after posting) starts at that video.
    let query = use_query_map();
    if let Some(i) = query
        .with_untracked(|q| q.get("post"))
        .and_then(|id| posts.iter().position(|p| p.id.as_str() == id))
    {
        current.set(i);
    }

    // Play the current video, pause the rest, and bring it into view.
    Effect::new(move |_| {
        let i = current.get();
        let Some(reel) = reel.get() else {
            return;
        };
        let videos = reel.query_selector_all("video").ok();
        for k in 0..videos.as_ref().map_or(0, |v| v.length()) {
            let Some(v) = videos
                .as_ref()
                .and_then(|v| v.item(k))
                .and_then(|n| n.dyn_into::<web_sys::HtmlVideoElement>().ok())
            else {
                continue;
            };
            if k as usize == i {
                let _ = v.play();
                if let Some(article) = v.closest("article").ok().flatten() {
                    article.scroll_into_view();
                }
            } else {
                let _ = v.pause();
            }
        }
    });

    let on_key = move |ev: web_sys::KeyboardEvent| {
        let step: i64 = match ev.key().as_str() {
            "ArrowDown" | "PageDown" | "j" => 1,
            "ArrowUp" | "PageUp" | "k" => -1,
            _ => return,
        };
        ev.prevent_default();
        current.update(|c| *c = (*c as i64 + step).clamp(0, count as i64 - 1) as usize);
    };
    // Scrolling or swiping by hand picks the video most in view.
    let on_scroll = move |_| {
        if let Some(reel) = reel.get_untracked() {
            let h = f64::from(reel.client_height().max(1));
            let i = (f64::from(reel.scroll_top()) / h).round() as usize;
            if i != current.get_untracked() && i < count {
                current.set(i);
            }
        }
    };

    view! {
        <p class="feed-help muted">"Scroll, swipe or use the arrow keys for the next video. Tap an anchor to try the product on."</p>
        <div class="reel" node_ref=reel tabindex="0" role="region" aria-label="Videos"
            aria-roledescription="carousel" on:keydown=on_key on:scroll=on_scroll>
            {posts.into_iter().enumerate().map(|(i, post)| view! {
                <FeedItem post index=i count current />
            }).collect::<Vec<_>>()}
        </div>
    }
}

#[component]
fn FeedItem(post: Post, index: usize, count: usize, current: RwSignal<usize>) -> impl IntoView {
    let time = RwSignal::new(0.0f64);
    // The frame takes the video's own shape, so anchors land where they were placed.
    let shape = RwSignal::new((9u32, 16u32));
    let navigate = use_navigate();
    let anchors = post
        .anchors
        .iter()
        .map(|a| {
            let a: Anchor = a.clone();
            let href = format!("/tryon/{}?post={}", a.item.as_str(), post.id.as_str());
            let navigate = navigate.clone();
            let style = format!("left: {:.2}%; top: {:.2}%", a.x * 100.0, a.y * 100.0);
            let (start, end) = (f64::from(a.start_s), f64::from(a.end_s));
            view! {
                <button type="button" class="anchor-chip" style=style
                    data-item=a.item.as_str().to_string()
                    hidden=move || { let t = time.get(); t < start - 0.05 || t > end + 0.05 }
                    on:click=move |_| navigate(&href, Default::default())>
                    <span class="anchor-dot" aria-hidden="true"></span>
                    {a.label.clone()}
                </button>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <article class="feed-item" aria-label=format!("Video {} of {count}", index + 1)
            class:current=move || current.get() == index>
            <div class="feed-video">
                <div class="feed-frame" style=move || { let (w, h) = shape.get(); format!("aspect-ratio: {w} / {h}") }>
                <video src=post.media_url.clone() muted=true prop:muted=true loop=true playsinline=true
                    preload="auto" aria-label=format!("{} by {}", if post.caption.is_empty() { "Video" } else { post.caption.as_str() }, post.author)
                    on:loadedmetadata=move |ev| {
                        if let Some(v) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlVideoElement>().ok()) {
                            if v.video_width() > 0 && v.video_height() > 0 {
                                shape.set((v.video_width(), v.video_height()));
                            }
                        }
                    }
                    on:timeupdate=move |ev| {
                        if let Some(v) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlVideoElement>().ok()) {
                            time.set(v.current_time());
                        }
                    }></video>
                {anchors}
                </div>
            </div>
            <div class="feed-meta">
                <p class="feed-author">{post.author.clone()}</p>
                <p class="feed-caption">{post.caption.clone()}</p>
            </div>
        </article>
    }
}
