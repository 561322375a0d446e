//! `/tryon/:item`: the product from a video's anchor, on my own face, live.
//! Lipstick is painted by the vision worker (with the landmarks it tracked on the
//! same frame); a hat is drawn with WebGL from those landmarks. Photos download
//! and stay in this tab's album; a recording goes on to the post page.

use huddle_protocol::posts::{Item, ItemKind};
use leptos::html::{Canvas, Video};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use wasm_bindgen::JsCast;
use web_sys::{ImageBitmap, MediaStream};

use crate::camera::{start_camera_into, stop_stream, FrameGrabber};
use crate::components::model_progress::{LoadState, ModelProgress};
use crate::components::tryon_controls::{ItemControls, Settings};
use crate::live::dom::{animation_loop, now, take_chosen_file};
use crate::live::image_codec::canvas_blob;
use crate::live::recorder::Recorder;
use crate::tryon::api;
use crate::tryon::before_frames::BeforeFrames;
use crate::tryon::draft::{Album, AlbumPhoto, Draft, Drafts};
use crate::tryon::hat_gl::rgb;
use crate::tryon::view::{Before, HatChoice, Look, Painter};
use crate::vision::client::{VisionClient, VisionEvent, MODELS_URL, WORKER_URL};
use crate::vision::messages::{FrameRequest, FrameView, LandmarkModel, Makeup, ModelChoice};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Camera,
    Photo,
}

/// Loop state that is not rendered.
#[derive(Default)]
struct Loop {
    /// When each frame of the last second was made up, and the worker's time on it (ms).
    done_at: std::collections::VecDeque<(f64, f64)>,
    /// Where the product was last seen (0..1 of the picture): the anchor's spot.
    near_item: Option<(f32, f32)>,
}

#[component]
pub fn TryOnPage() -> impl IntoView {
    let params = use_params_map();
    let item_id = move || params.with(|p| p.get("item").unwrap_or_default());
    let item = LocalResource::new(move || {
        let id = item_id();
        async move {
            api::items()
                .await
                .map(|items| items.into_iter().find(|i| i.id.as_str() == id))
        }
    });
    view! {
        <section class="tryon">
            <p class="back"><a href="/feed">"← Feed"</a></p>
            <Suspense fallback=|| view! { <p class="muted" role="status">"Opening the try-on…"</p> }>
                {move || item.get().map(|found| match found {
                    Ok(Some(item)) => view! { <TryOn item /> }.into_any(),
                    Ok(None) => view! {
                        <p class="alert" role="alert">"That product is not available any more."</p>
                    }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TryOn(item: Item) -> impl IntoView {
    let opened_at = now();
    let drafts = use_context::<Drafts>().unwrap_or_default();
    let navigate = use_navigate();
    let kind = item.kind;
    let settings = RwSignal::new(Settings::for_item(&item));
    let load = RwSignal::new(LoadState::default());
    let notice = RwSignal::new(None::<String>);
    let source = RwSignal::new(Source::Camera);
    let compare = RwSignal::new(false);
    let divider = RwSignal::new(50.0f64);
    let look = RwSignal::new(Look::Natural);
    let fps = RwSignal::new(0.0f64);
    // The worker's median time per frame over the last second: the headroom below the camera's rate.
    let worker_ms = RwSignal::new(0.0f64);
    let first_frame_ms = RwSignal::new(None::<f64>);
    let faces = RwSignal::new(0usize);
    // The first face's box and its lips' box, in picture pixels (for people
    // checking what is tracked, and for the end-to-end test's pixel checks).
    let face_box = RwSignal::new(None::<[f32; 4]>);
    let lips_box = RwSignal::new(None::<[f32; 4]>);
    let recording = RwSignal::new(None::<f64>);
    let recorded = RwSignal::new(None::<Draft>);
    let shots = use_context::<Album>().unwrap_or_default().0;
    let elapsed = RwSignal::new(0.0f64);

    let canvas = NodeRef::<Canvas>::new();
    let video = NodeRef::<Video>::new();
    let client = StoredValue::new_local(None::<VisionClient>);
    let stream = StoredValue::new_local(None::<MediaStream>);
    let photo = StoredValue::new_local(None::<web_sys::Blob>);
    let before_photo = StoredValue::new_local(None::<ImageBitmap>);
    let painter = StoredValue::new_local(Painter::new().ok());
    let recorder = StoredValue::new_local(None::<Recorder>);
    let state = StoredValue::new_local(Loop::default());
    let alive = StoredValue::new(true);
    let first_wanted = FirstWanted(StoredValue::new(0));
    let grabber = FrameGrabber::default();
    let before_frames = StoredValue::new_local(BeforeFrames::default());

    let before = move || -> Option<Before> {
        match source.get_untracked() {
            Source::Camera => before_frames
                .with_value(|b| b.current().cloned())
                .map(Before::Frame)
                .or_else(|| video.get_untracked().map(Before::Video)),
            Source::Photo => before_photo.get_value().map(Before::Photo),
        }
    };

    // Draws the current picture on the visible canvas (and into a recording).
    let repaint = move || {
        let Some(view) = canvas.get_untracked() else {
            return;
        };
        let before = before();
        let cmp = compare
            .get_untracked()
            .then(|| divider.get_untracked() / 100.0);
        painter.with_value(|p| {
            if let Some(p) = p {
                let c = cmp.and_then(|at| before.as_ref().map(|b| (at, b)));
                let _ = p.paint(&view, look.get_untracked(), c);
            }
        });
        recorder.with_value(|r| {
            if let Some(r) = r {
                r.frame_painted();
            }
        });
    };

    let on_event = move |ev: VisionEvent| match ev {
        VisionEvent::Progress {
            file,
            loaded,
            total,
        } => load.update(|l| l.progress(file, loaded, total)),
        VisionEvent::Ready(models) => {
            load.update(|l| l.ready(models));
            if source.get_untracked() == Source::Photo {
                process_photo(photo, client, settings, kind, notice, first_wanted);
            }
        }
        VisionEvent::LoadFailed(m) | VisionEvent::Crashed(m) => load.update(|l| l.failed(m)),
        VisionEvent::FrameFailed { message, .. } => notice.set(Some(message)),
        VisionEvent::Frame(out) if out.result.id < first_wanted.0.get_value() => {}
        VisionEvent::Frame(out) => {
            let hat = (kind == ItemKind::Hat).then(|| HatChoice {
                color: rgb(&settings.with_untracked(|s| s.color().to_string())),
            });
            let found = out.result.faces.len();
            faces.set(found);
            face_box.set(out.result.faces.first().map(|f| f.bbox));
            lips_box.set(out.result.faces.first().map(|f| {
                f.lips_outer
                    .iter()
                    .fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |b, p| {
                        [
                            b[0].min(p[0]),
                            b[1].min(p[1]),
                            b[2].max(p[0]),
                            b[3].max(p[1]),
                        ]
                    })
            }));
            before_frames.update_value(|b| b.showing(out.result.id));
            painter.update_value(|p| {
                if let Some(p) = p {
                    if let Err(e) = p.take_frame(&out, hat) {
                        notice.set(Some(format!("The hat cannot be drawn here: {e:?}")));
                    }
                }
            });
            let (w, h) = (out.result.width as f32, out.result.height as f32);
            let near = match kind {
                ItemKind::Lipstick => out.result.faces.first().map(|f| {
                    let n = f.lips_outer.len().max(1) as f32;
                    let (sx, sy) = f
                        .lips_outer
                        .iter()
                        .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
                    // Beside the mouth, towards the picture's middle.
                    let (cx, cy) = (sx / n / w, sy / n / h);
                    (
                        (cx + if cx > 0.5 { -0.18 } else { 0.18 }).clamp(0.08, 0.92),
                        cy,
                    )
                }),
                ItemKind::Hat => painter.with_value(|p| {
                    p.as_ref().and_then(|p| p.last_hat).map(|hat| {
                        (
                            hat.centre[0] / w,
                            (hat.centre[1] / h + 0.12).clamp(0.05, 0.95),
                        )
                    })
                }),
            };
            let t = now();
            let rate = state
                .try_update_value(|s| {
                    if near.is_some() {
                        s.near_item = near;
                    }
                    s.done_at.push_back((t, out.result.timings.total));
                    while s.done_at.front().is_some_and(|&(t0, _)| t - t0 > 1000.0) {
                        s.done_at.pop_front();
                    }
                    let mut ms: Vec<f64> = s.done_at.iter().map(|&(_, ms)| ms).collect();
                    ms.sort_by(f64::total_cmp);
                    (s.done_at.len() as f64, ms[ms.len() / 2])
                })
                .unwrap_or((0.0, 0.0));
            fps.set(rate.0);
            worker_ms.set(rate.1);
            if found > 0 && first_frame_ms.get_untracked().is_none() {
                first_frame_ms.set(Some(t - opened_at));
            }
            repaint();
        }
    };

    match VisionClient::spawn(WORKER_URL, on_event) {
        Ok(c) => {
            c.load(
                MODELS_URL,
                ModelChoice {
                    segmentation: None,
                    // Lips must be exact for lipstick; a hat needs only the head.
                    landmarks: Some(match kind {
                        ItemKind::Lipstick => LandmarkModel::Attention,
                        ItemKind::Hat => LandmarkModel::Fast,
                    }),
                },
            );
            client.set_value(Some(c));
        }
        Err(e) => load.update(|l| l.failed(e.to_string())),
    }

    // A still photo is made up again whenever a setting changes.
    Effect::new(move |_| {
        settings.track();
        if source.get() == Source::Photo && load.with(|l| l.is_ready()) {
            process_photo(photo, client, settings, kind, notice, first_wanted);
        }
    });
    // The comparison and the look change the picture without a new frame.
    Effect::new(move |_| {
        compare.track();
        divider.track();
        look.track();
        repaint();
    });

    // Camera frames go to the worker whenever it is free; while recording a
    // still photo, the picture is repainted every frame so the video has frames.
    animation_loop(move || {
        if !alive.get_value() {
            return false;
        }
        if let Some(started) = recording.get_untracked() {
            elapsed.set((now() - started) / 1000.0);
            if source.get_untracked() == Source::Photo {
                repaint();
            }
        }
        if let (Source::Camera, Some(v)) = (source.get_untracked(), video.get_untracked()) {
            // Captured while the worker finishes the frame before: it waits, ready.
            let wanted = client.with_value(|c| c.as_ref().is_some_and(|c| c.wants_frame()))
                && load.with_untracked(|l| l.is_ready());
            grabber.grab(&v, wanted, move |bitmap| {
                if source.get_untracked() == Source::Camera {
                    // Comparing: keep the frame for the "before" side.
                    let copy = compare
                        .get_untracked()
                        .then(|| before_frames.try_update_value(|b| b.copy(&bitmap)))
                        .flatten()
                        .flatten();
                    let id = submit(client, request(settings, kind, false), bitmap);
                    if let (Some(id), Some(copy)) = (id, copy) {
                        before_frames.update_value(|b| b.sent(id, copy));
                    }
                } else {
                    bitmap.close();
                }
            });
        }
        true
    });

    let start_camera = move || {
        source.set(Source::Camera);
        notice.set(None);
        start_camera_into(video, stream, alive, move |e| {
            notice.set(Some(format!("{e} You can still try it on a photo.")))
        });
    };
    start_camera();

    on_cleanup(move || {
        alive.set_value(false);
        if let Some(s) = stream.try_update_value(|s| s.take()).flatten() {
            stop_stream(&s);
        }
        recorder.set_value(None);
        client.set_value(None);
    });

    let on_file = move |ev: web_sys::Event| {
        let Some(file) = take_chosen_file(&ev) else {
            return;
        };
        let blob: web_sys::Blob = file.into();
        photo.set_value(Some(blob.clone()));
        source.set(Source::Photo);
        if let Some(s) = stream.try_update_value(|s| s.take()).flatten() {
            stop_stream(&s);
        }
        leptos::task::spawn_local(async move {
            match crate::live::image_codec::decode_blob(&blob).await {
                Some(bitmap) => {
                    before_photo.set_value(Some(bitmap));
                    notice.set(None);
                    process_photo(photo, client, settings, kind, notice, first_wanted);
                }
                None => notice.set(Some(
                    "That file is not a picture this browser can open. Try a JPEG or PNG.".into(),
                )),
            }
        });
    };

    let take_photo = move |_| {
        let Some(view) = canvas.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let Some(blob) = canvas_blob(&view, "image/png", None).await else {
                notice.set(Some("The photo could not be saved. Try again.".into()));
                return;
            };
            let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
                return;
            };
            let n = shots.with_untracked(|s| s.len()) + 1;
            download(&url, &format!("huddle-try-on-{n}.png"));
            shots.update(|s| s.push(AlbumPhoto { n, url }));
        });
    };

    let item_for_draft = item.clone();
    let start_recording = move |_| {
        let Some(view) = canvas.get_untracked() else {
            return;
        };
        if !painter.with_value(|p| p.as_ref().is_some_and(|p| p.has_picture())) {
            notice.set(Some("Wait for the picture to appear, then record.".into()));
            return;
        }
        let item = item_for_draft.clone();
        let started = now();
        let done = move |blob: Option<web_sys::Blob>| {
            recorder.set_value(None);
            let Some(video) = blob else {
                notice.set(Some("Nothing was recorded. Try again.".into()));
                return;
            };
            let Ok(url) = web_sys::Url::create_object_url_with_blob(&video) else {
                return;
            };
            let near = state.with_value(|s| s.near_item).unwrap_or((0.5, 0.5));
            recorded.set(Some(Draft {
                video,
                url,
                seconds: elapsed.get_untracked(),
                item: item.id.clone(),
                label: item.label.clone(),
                near_item: near,
            }));
        };
        match Recorder::start(&view, done) {
            Ok(r) => {
                recorder.set_value(Some(r));
                recorded.set(None);
                elapsed.set(0.0);
                recording.set(Some(started));
                repaint();
            }
            Err(e) => notice.set(Some(format!("This browser cannot record video: {e:?}"))),
        }
    };
    let stop_recording = move |_| {
        recording.set(None);
        recorder.with_value(|r| {
            if let Some(r) = r {
                r.stop();
            }
        });
    };
    let go_post = move |_| {
        if let Some(d) = recorded.get_untracked() {
            drafts.set(d);
            navigate("/post", Default::default());
        }
    };

    view! {
        <div class="tryon-head">
            <h1>{item.name.clone()}</h1>
            <p class="muted">{match kind {
                ItemKind::Lipstick => "Pick a shade and see it on your lips.",
                ItemKind::Hat => "Pick a colour and see the hat on your head.",
            }}</p>
        </div>
        <ModelProgress state=load />
        {move || notice.get().map(|t| view! { <p class="alert" role="alert">{t}</p> })}
        <div
            class="tryon-stage"
            data-fps=move || format!("{:.1}", fps.get())
            data-worker-ms=move || format!("{:.1}", worker_ms.get())
            data-faces=move || faces.get().to_string()
            data-face=move || face_box.get().map(|b| format!("{:.0},{:.0},{:.0},{:.0}", b[0], b[1], b[2], b[3]))
            data-lips=move || lips_box.get().map(|b| format!("{:.0},{:.0},{:.0},{:.0}", b[0], b[1], b[2], b[3]))
            data-first-frame-ms=move || first_frame_ms.get().map(|t| format!("{t:.0}"))
            data-source=move || if source.get() == Source::Camera { "camera" } else { "photo" }
        >
            <video node_ref=video class="tryon-video" autoplay=true playsinline=true prop:muted=true muted=true></video>
            <canvas node_ref=canvas class="tryon-canvas" role="img" aria-label="Try-on view"></canvas>
            {move || (faces.get() == 0 && load.with(|l| l.is_ready())).then(|| view! {
                <p class="tryon-hint" role="status">"Looking for your face… face the camera in good light."</p>
            })}
        </div>
        <div class="tryon-controls card">
            <ItemControls item=item.clone() settings />
            <div class="tryon-row">
                <button type="button" class="button" aria-pressed=move || compare.get().to_string()
                    on:click=move |_| compare.update(|c| *c = !*c)>"Compare"</button>
                <Show when=move || compare.get()>
                    <label class="field slider">
                        <span>"Before and after divider"</span>
                        <input type="range" min="0" max="100" step="1"
                            prop:value=move || divider.get().to_string()
                            on:input=move |ev| divider.set(event_target_value(&ev).parse().unwrap_or(50.0)) />
                    </label>
                </Show>
                <label class="field">
                    <span>"Look"</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        look.set(Look::ALL.into_iter().find(|l| l.label() == v).unwrap_or(Look::Natural));
                    }>
                        {Look::ALL.into_iter().map(|l| view! { <option value=l.label()>{l.label()}</option> }).collect::<Vec<_>>()}
                    </select>
                </label>
            </div>
            <div class="tryon-row">
                <label class="button">
                    "Use a photo"
                    <input type="file" accept="image/*" class="visually-hidden" on:change=on_file />
                </label>
                <button type="button" class="button" disabled=move || source.get() == Source::Camera
                    on:click=move |_| start_camera()>"Use the camera"</button>
            </div>
            <div class="tryon-row actions">
                <button type="button" class="button primary" on:click=take_photo>"Take photo"</button>
                {move || match recording.get() {
                    None => view! {
                        <button type="button" class="button" on:click=start_recording.clone()>"Record video"</button>
                    }.into_any(),
                    Some(_) => view! {
                        <button type="button" class="button danger" on:click=stop_recording>"Stop recording"</button>
                        <span class="recording" role="status">{move || format!("Recording {:.0} s", elapsed.get())}</span>
                    }.into_any(),
                }}
            </div>
        </div>
        {move || recorded.get().map(|d| view! {
            <div class="tryon-recorded card">
                <h2>"Your video"</h2>
                <video class="tryon-recorded-video" src=d.url.clone() controls=true playsinline=true loop=true aria-label="Recorded try-on video"></video>
                <div class="tryon-row">
                    <a class="button" href=d.url.clone() download="huddle-try-on.webm">"Download video"</a>
                    <button type="button" class="button primary" on:click=go_post.clone()>"Post"</button>
                </div>
            </div>
        })}
        <Show when=move || shots.with(|s| !s.is_empty())>
            <div class="tryon-album card">
                <h2>"Your try-on photos"</h2>
                <ul class="tryon-shots">
                    {move || shots.get().into_iter().map(|s| view! {
                        <li><a href=s.url.clone() download=format!("huddle-try-on-{}.png", s.n)>
                            <img src=s.url.clone() alt=format!("Try-on photo {}", s.n) />
                        </a></li>
                    }).collect::<Vec<_>>()}
                </ul>
            </div>
        </Show>
    }
}

fn request(settings: RwSignal<Settings>, kind: ItemKind, still: bool) -> FrameRequest {
    let makeup = (kind == ItemKind::Lipstick).then(|| {
        settings.with_untracked(|s| Makeup {
            shade: s.shade_rgb(),
            gloss: s.gloss,
            intensity: s.intensity,
        })
    });
    FrameRequest {
        id: 0,
        segment: false,
        faces: true,
        view: FrameView::Frame,
        still,
        makeup,
        read_size: None,
    }
}

/// Sends a frame to the worker; its id, or `None` (and the bitmap closed) without one.
fn submit(
    client: StoredValue<Option<VisionClient>, LocalStorage>,
    req: FrameRequest,
    bitmap: ImageBitmap,
) -> Option<u64> {
    let sent = client.with_value(|c| c.as_ref().map(|c| c.submit(req, bitmap.clone())));
    if sent.is_none() {
        bitmap.close();
    }
    sent
}

/// The first frame id the picture may show: a camera frame still in the worker when a
/// photo was chosen must not replace the photo's picture when it comes back.
#[derive(Clone, Copy)]
struct FirstWanted(StoredValue<u64>);

fn process_photo(
    photo: StoredValue<Option<web_sys::Blob>, LocalStorage>,
    client: StoredValue<Option<VisionClient>, LocalStorage>,
    settings: RwSignal<Settings>,
    kind: ItemKind,
    notice: RwSignal<Option<String>>,
    first_wanted: FirstWanted,
) {
    let Some(blob) = photo.get_value() else {
        return;
    };
    leptos::task::spawn_local(async move {
        match crate::live::image_codec::decode_blob(&blob).await {
            Some(bitmap) => {
                if let Some(id) = submit(client, request(settings, kind, true), bitmap) {
                    first_wanted.0.set_value(id);
                }
            }
            None => notice.set(Some(
                "That file is not a picture this browser can open. Try a JPEG or PNG.".into(),
            )),
        }
    });
}

/// Saves `url` under `name` through a temporary link.
fn download(url: &str, name: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(url);
        a.set_download(name);
        a.click();
    }
}
