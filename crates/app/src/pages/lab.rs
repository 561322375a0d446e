//! `/lab`: the live camera (or a photo) through the vision worker, with the person
//! cut out or tinted, face points drawn, and the time each stage takes. People
//! check their light here; we debug here.

use std::collections::{HashMap, VecDeque};

use leptos::html::{Canvas, Video};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ImageBitmap, MediaStream};

use crate::camera::{start_camera_into, stop_stream, FrameGrabber};
use crate::components::lab_stats::{LabStats, Stats};
use crate::components::model_progress::{LoadState, ModelProgress};
use crate::live::dom::now;
use crate::vision::client::{FrameOutput, VisionEvent, MODELS_URL, WORKER_URL};
use crate::vision::draw::{draw_picture, draw_points};
use crate::vision::messages::{
    FrameRequest, FrameView, LandmarkModel, ModelChoice, SegmentationModel,
};
use crate::vision::pair::VisionPair;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Camera,
    Photo,
}

/// The animation-frame callback, which re-schedules itself.
type FrameLoop = std::rc::Rc<std::cell::RefCell<Option<Closure<dyn FnMut()>>>>;

/// Everything the page keeps that is not rendered directly.
#[derive(Default)]
struct Loop {
    sent_at: HashMap<u64, f64>,
    done_at: VecDeque<f64>,
    frames: u64,
}

#[component]
pub fn LabPage() -> impl IntoView {
    let seg_model = RwSignal::new(SegmentationModel::Landscape);
    let lm_model = RwSignal::new(LandmarkModel::Fast);
    let view_mode = RwSignal::new(FrameView::CutOut);
    let show_points = RwSignal::new(true);
    let load = RwSignal::new(LoadState::default());
    let stats = RwSignal::new(Stats::default());
    let notice = RwSignal::new(None::<String>);
    let source = RwSignal::new(Source::Camera);

    let image_canvas = NodeRef::<Canvas>::new();
    let points_canvas = NodeRef::<Canvas>::new();
    let video = NodeRef::<Video>::new();

    let client = StoredValue::new_local(None::<VisionPair>);
    let stream = StoredValue::new_local(None::<MediaStream>);
    let photo = StoredValue::new_local(None::<web_sys::Blob>);
    let state = StoredValue::new_local(Loop::default());
    let grabber = FrameGrabber::default();
    let alive = StoredValue::new(true);

    let on_frame = move |out: &FrameOutput| {
        let t = now();
        let (round_trip, fps) = state
            .try_update_value(|s| {
                s.frames += 1;
                let rt = s.sent_at.remove(&out.result.id).map(|t0| t - t0);
                s.done_at.push_back(t);
                while s.done_at.front().is_some_and(|&t0| t - t0 > 1000.0) {
                    s.done_at.pop_front();
                }
                (rt, s.done_at.len() as f64)
            })
            .unwrap_or((None, 0.0));
        if let Some(canvas) = image_canvas.get_untracked() {
            let _ = draw_picture(&canvas, out);
        }
        if let Some(canvas) = points_canvas.get_untracked() {
            let _ = draw_points(&canvas, out);
        }
        let dropped = client.with_value(|c| c.as_ref().map(|c| c.dropped()).unwrap_or(0));
        stats.update(|s| s.record(&out.result, round_trip, fps, dropped));
    };

    let on_event = move |ev: VisionEvent| match ev {
        VisionEvent::Progress {
            file,
            loaded,
            total,
        } => {
            load.update(|l| l.progress(file, loaded, total));
        }
        VisionEvent::Ready(models) => load.update(|l| l.ready(models)),
        VisionEvent::LoadFailed(message) | VisionEvent::Crashed(message) => {
            load.update(|l| l.failed(message))
        }
        VisionEvent::Frame(out) => on_frame(&out),
        VisionEvent::FrameFailed { message, .. } => notice.set(Some(message)),
    };

    // The workers (person mask, faces) start with the page and end with it.
    match VisionPair::spawn(WORKER_URL, on_event) {
        Ok(c) => client.set_value(Some(c)),
        Err(e) => load.update(|l| l.failed(e.to_string())),
    }

    // (Re)load whenever the model choice changes.
    Effect::new(move |_| {
        let models = ModelChoice {
            segmentation: Some(seg_model.get()),
            landmarks: Some(lm_model.get()),
        };
        load.set(LoadState::default());
        client.with_value(|c| {
            if let Some(c) = c {
                c.load(MODELS_URL, models);
            }
        });
    });

    let request = move |still: bool| FrameRequest {
        id: 0,
        segment: true,
        faces: true,
        view: view_mode.get_untracked(),
        still,
        makeup: None,
        read_size: None,
    };

    let submit = move |bitmap: ImageBitmap, still: bool| {
        let ready = load.with_untracked(|l| l.is_ready());
        let id = client.with_value(|c| match (c, ready) {
            (Some(c), true) => Some(c.submit(request(still), bitmap.clone())),
            _ => None,
        });
        match id {
            Some(id) => state.update_value(|s| {
                s.sent_at.insert(id, now());
            }),
            None => bitmap.close(),
        }
    };

    let process_photo = move || {
        let Some(blob) = photo.get_value() else {
            return;
        };
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(promise) = window.create_image_bitmap_with_blob(&blob) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match JsFuture::from(promise).await {
                Ok(bitmap) => {
                    notice.set(None);
                    submit(bitmap.unchecked_into(), true);
                }
                Err(_) => notice.set(Some(
                    "That file is not a picture this browser can open. Try a JPEG or PNG.".into(),
                )),
            }
        });
    };

    // Re-run the photo when the view or the models change.
    Effect::new(move |_| {
        view_mode.track();
        let ready = load.with(|l| l.is_ready());
        if ready && source.get() == Source::Photo {
            process_photo();
        }
    });

    // Camera frames: a new video frame is captured when the workers want one (see
    // `VisionPair::wants_frame`); the pair keeps only the newest one waiting.
    let tick: FrameLoop = Default::default();
    let tick_again = tick.clone();
    *tick.borrow_mut() = Some(Closure::new(move || {
        if !alive.get_value() {
            // Free the loop once this call has returned (not while it runs).
            let tick_again = tick_again.clone();
            leptos::task::spawn_local(async move {
                tick_again.borrow_mut().take();
            });
            return;
        }
        if let (Source::Camera, Some(v)) = (source.get_untracked(), video.get_untracked()) {
            // Capturing costs the UI thread: only when the workers will take the frame.
            let wanted = client.with_value(|c| c.as_ref().is_some_and(|c| c.wants_frame()))
                && load.with_untracked(|l| l.is_ready());
            grabber.grab(&v, wanted, move |bitmap| {
                if source.get_untracked() == Source::Camera {
                    submit(bitmap, false);
                }
            });
        }
        if let (Some(w), Some(cb)) = (web_sys::window(), tick_again.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    if let (Some(w), Some(cb)) = (web_sys::window(), tick.borrow().as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }

    let start_camera = move || {
        source.set(Source::Camera);
        notice.set(None);
        start_camera_into(video, stream, alive, move |e| {
            notice.set(Some(format!("{e} You can still try a photo.")))
        });
    };
    start_camera();

    on_cleanup(move || {
        alive.set_value(false);
        if let Some(s) = stream.try_update_value(|s| s.take()).flatten() {
            stop_stream(&s);
        }
        client.set_value(None);
    });

    let on_file = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        photo.set_value(Some(file.into()));
        source.set(Source::Photo);
        if let Some(s) = stream.try_update_value(|s| s.take()).flatten() {
            stop_stream(&s);
        }
        process_photo();
        // Choosing the same file again must fire `change` again.
        input.set_value("");
    };

    let view_choice = move |mode: FrameView, label: &'static str| {
        view! {
            <label class="segment">
                <input type="radio" name="lab-view" prop:checked=move || view_mode.get() == mode
                    on:change=move |_| view_mode.set(mode) />
                <span>{label}</span>
            </label>
        }
    };

    view! {
        <section class="lab">
            <div class="lab-head">
                <h1>"Camera check"</h1>
                <p class="muted">
                    "See what Huddle sees: you, cut out from your background, with the points it tracks on your face. "
                    "Good light from the front gives the cleanest edges."
                </p>
            </div>
            <ModelProgress state=load />
            {move || notice.get().map(|text| view! { <p class="alert" role="alert">{text}</p> })}
            {move || stats.with(|s| s.light_hint()).map(|hint| view! {
                <p class="hint" role="status">{hint}</p>
            })}
            <div
                class="lab-stage"
                class:mirrored=move || source.get() == Source::Camera
                class:checkerboard=move || view_mode.get() == FrameView::CutOut
                class:hide-points=move || !show_points.get()
                data-state=move || load.with(|l| l.phase())
                data-frames=move || stats.with(|s| s.frames.to_string())
                data-faces=move || stats.with(|s| s.faces.to_string())
                data-coverage=move || stats.with(|s| format!("{:.3}", s.coverage))
                role="img"
                aria-label=move || stats.with(|s| s.describe())
            >
                <video node_ref=video class="lab-video" autoplay=true playsinline=true prop:muted=true muted=true></video>
                <canvas node_ref=image_canvas class="lab-picture"></canvas>
                <canvas node_ref=points_canvas class="lab-points"></canvas>
            </div>
            <div class="lab-controls card">
                <fieldset class="segmented">
                    <legend>"Show"</legend>
                    {view_choice(FrameView::CutOut, "Cut-out")}
                    {view_choice(FrameView::Overlay, "Overlay")}
                    {view_choice(FrameView::Mask, "Mask")}
                </fieldset>
                <label class="check">
                    <input type="checkbox" prop:checked=move || show_points.get()
                        on:change=move |ev| show_points.set(event_target_checked(&ev)) />
                    <span>"Face points"</span>
                </label>
                <label class="field">
                    <span>"Person model"</span>
                    <select on:change=move |ev| seg_model.set(
                        if event_target_value(&ev) == "square" { SegmentationModel::Square } else { SegmentationModel::Landscape })>
                        <option value="landscape" selected=true>"Landscape (faster)"</option>
                        <option value="square">"Square"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Face model"</span>
                    <select on:change=move |ev| lm_model.set(
                        if event_target_value(&ev) == "attention" { LandmarkModel::Attention } else { LandmarkModel::Fast })>
                        <option value="fast" selected=true>"Fast"</option>
                        <option value="attention">"Precise lips and eyes"</option>
                    </select>
                </label>
                <div class="lab-source">
                    <label class="button">
                        "Use a photo"
                        <input type="file" accept="image/*" class="visually-hidden" on:change=on_file />
                    </label>
                    <button type="button" class="button" disabled=move || source.get() == Source::Camera
                        on:click=move |_| start_camera()>"Use the camera"</button>
                </div>
            </div>
            <LabStats stats=stats />
        </section>
    }
}
