//! The room's live picture: my camera cut out and sent to everyone, every
//! member's cut-out composed into one picture, names over their places.

use std::collections::BTreeSet;

use futures::future::{FutureExt, LocalBoxFuture};
use huddle_protocol::scene::{MemberPose, LAYOUT_SAME_SCREEN};
use huddle_protocol::{MemberId, SceneState};
use huddle_vision::scene::{place_sticker, sticker_contains, Sticker};
use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::components::auto_shutter::AutoShutter;
use crate::components::model_progress::{LoadState, ModelProgress};
use crate::components::scene_stickers::{edit_sticker, StickerEdit, StickerSelection};
use crate::compose::messages::PlacedMember;
use crate::compose::picture::Picture;
use crate::edit::room_edits::RoomEdits;
use crate::live::dom::now;
use crate::live::hold::LiveHold;
use crate::live::preview::{LivePreview, PreviewStatus, RoomPicture, PREVIEW_SIZE};
use crate::live::recorder::Video;
use crate::live::room_background::{RoomBackground, RoomPhoto};
use crate::live::sender::{CutoutSender, HeadPace, SenderEvent};
use crate::live::shots::{Album, Photo, ShotStatus, Shots, BURST_SHOTS};
use crate::rtc::video_scale::RoomScale;
use crate::session::Session;

/// What a drag on the preview moves.
#[derive(Clone)]
enum DragTarget {
    /// My own cut-out (same-screen mode): its offset.
    Me,
    /// A scene sticker: its centre.
    Sticker(String),
}

/// A drag on the preview: a sticker, or my own cut-out in same-screen mode.
#[derive(Clone)]
struct Drag {
    target: DragTarget,
    /// Where the pointer went down (client pixels) and the offset or centre then.
    start: [f64; 2],
    offset: [f32; 2],
    /// The canvas's size on screen: offsets are fractions of the picture.
    size: [f64; 2],
    /// When the last change went out (the room hears at most 20 a second).
    sent_at: f64,
}

/// Drag changes sent per second at most while the pointer moves.
const DRAG_SEND_MS: f64 = 50.0;

/// The topmost sticker under the preview point `p` (preview pixels): its id and centre.
fn sticker_at(scene: &SceneState, p: [f32; 2]) -> Option<(String, [f32; 2])> {
    scene.stickers().iter().rev().find_map(|(id, pose)| {
        let kind = Sticker::from_id(&pose.kind).ok()?;
        let at = place_sticker(
            kind,
            pose.center,
            pose.size,
            pose.rotation,
            PREVIEW_SIZE.0,
            PREVIEW_SIZE.1,
        )?;
        sticker_contains(&at, p).then(|| ((*id).to_owned(), pose.center))
    })
}

#[component]
pub fn LiveStage() -> impl IntoView {
    let session = expect_context::<Session>();
    let canvas = NodeRef::<Canvas>::new();
    let status = RwSignal::new(PreviewStatus::default());
    // Where the members are in the picture, apart from the per-frame figures: it
    // seldom changes, and what shows it (the name labels, `data-members`) ran again
    // on every frame, 30–40 times a second, when it was read from `status`.
    let placed_members = RwSignal::new(Vec::<PlacedMember>::new());
    let load = RwSignal::new(LoadState::default());
    let sender = StoredValue::new_local(None::<CutoutSender>);
    let preview = StoredValue::new_local(None::<LivePreview>);
    let album = RwSignal::new(Vec::<Photo>::new());
    let videos = RwSignal::new(Vec::<Video>::new());
    let shot_status = RwSignal::new(ShotStatus::default());
    let countdown_s = RwSignal::new(0u8);
    // My full-resolution cut-out for a shot: a camera frame the sender packs at full size.
    let my_still = move || -> LocalBoxFuture<'static, Option<HtmlCanvasElement>> {
        match sender
            .try_with_value(|s| s.as_ref().map(CutoutSender::still))
            .flatten()
        {
            Some(still) => still.boxed_local(),
            None => std::future::ready(None).boxed_local(),
        }
    };
    let preview_canvas = move || canvas.get_untracked();
    let hold = LiveHold::default();
    let shots = StoredValue::new_local(Shots::start(
        session,
        my_still,
        preview_canvas,
        Album {
            photos: album,
            videos,
            status: shot_status,
            hold: hold.clone(),
        },
    ));

    // The room's background photo goes to both painters: the preview's and the shots'.
    let room_background = expect_context::<RoomBackground>();
    room_background.set_sink(Some(std::rc::Rc::new(move |photo: &RoomPhoto| {
        preview.try_with_value(|p| {
            if let Some(p) = p {
                p.set_custom_background(photo);
            }
        });
        shots.try_with_value(|s| s.set_custom_background(photo));
    })));
    on_cleanup(move || room_background.set_sink(None));

    // The shots' painter renders each background the room picks at the photo's size
    // at once, not when the shutter is pressed.
    Effect::new(move |last: Option<String>| {
        let scene = session.scene.get();
        let background = scene.background.value.clone();
        if last.as_ref() != Some(&background) {
            shots.with_value(|s| s.prepare(scene));
        }
        background
    });

    // Faces are tracked on every frame while the picture follows my head, and
    // otherwise only while a smile shot watches.
    let head_pace = HeadPace::new(session.smiles_wanted_until());
    Effect::new({
        let head_pace = head_pace.clone();
        move |_| {
            let scene = session.scene.get();
            let followed = session
                .me_untracked()
                .is_none_or(|me| scene.follows_head_of(me));
            head_pace.set_every_frame(followed);
        }
    });

    // My live picture is made at the room's scale: smaller as the room grows.
    let room_scale = RoomScale::default();
    Effect::new({
        let room_scale = room_scale.clone();
        move |_| room_scale.set_members(session.member_names().len())
    });

    // My cut-out: starts when the camera does, and is what the mesh sends.
    let sender_hold = hold.clone();
    Effect::new(move |_| {
        let camera = session.local_stream.get();
        sender.set_value(None);
        let Some(camera) = camera else {
            return;
        };
        let on_event = move |ev: SenderEvent| match ev {
            SenderEvent::Loading {
                file,
                loaded,
                total,
            } => load.update(|l| l.progress(file, loaded, total)),
            SenderEvent::Ready => load.update(|l| l.ready(Vec::new())),
            SenderEvent::Failed(message) => load.update(|l| l.failed(message)),
            SenderEvent::Head { eyes, smile } => session.share_head(eyes, smile),
        };
        let send = move |picture: &Picture, taken_ms: f64| session.send_packed(picture, taken_ms);
        match CutoutSender::start(
            &camera,
            head_pace.clone(),
            room_scale.clone(),
            sender_hold.clone(),
            on_event,
            send,
        ) {
            Ok(s) => sender.set_value(Some(s)),
            Err(e) => load.update(|l| l.failed(format!("Could not start your cut-out: {e:?}"))),
        }
    });

    // The preview starts once its canvas is on the page.
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else {
            return;
        };
        if preview.with_value(Option::is_some) {
            return;
        }
        let room = move || {
            let me = session.me_untracked()?;
            let members = session.member_ids_untracked();
            let eyes = session.eyes();
            Some(RoomPicture {
                me,
                members,
                scene: session.scene.get_untracked(),
                eyes,
            })
        };
        let on_status = move |s: PreviewStatus| {
            let painted = s.problem.is_none();
            if placed_members.with_untracked(|m| *m != s.members) {
                placed_members.set(s.members.clone());
            }
            status.set(s);
            if painted {
                shots.try_with_value(|s| s.frame_painted());
            }
        };
        let my_feed = move || {
            sender
                .try_with_value(|s| s.as_ref().map(|s| s.feed().clone()))
                .flatten()
        };
        match LivePreview::start(canvas, hold.clone(), room, my_feed, on_status) {
            Ok(p) => {
                if let Some(photo) = room_background.photo() {
                    p.set_custom_background(&photo);
                }
                preview.set_value(Some(p));
            }
            Err(e) => status.set(PreviewStatus {
                problem: Some(format!("The live preview could not start: {e:?}")),
                ..PreviewStatus::default()
            }),
        }
    });

    // Members' packed pictures feed the preview.
    Effect::new(move |_| {
        let videos = session.remote_videos.get();
        let present: BTreeSet<MemberId> = session
            .member_names()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        preview.with_value(|p| {
            let Some(p) = p else {
                return;
            };
            for id in &present {
                p.set_feed(*id, videos.get(id).map(|v| &v.feed));
            }
        });
    });

    on_cleanup(move || {
        shots.with_value(Shots::stop);
        for photo in album.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&photo.jpeg_url);
            if let Some(url) = &photo.png_url {
                let _ = web_sys::Url::revoke_object_url(url);
            }
        }
        for video in videos.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&video.url);
        }
        preview.set_value(None);
        sender.set_value(None);
    });
    let shoot = move |_| shots.with_value(|s| s.shoot(countdown_s.get_untracked()));
    let burst = move |_| shots.with_value(|s| s.burst(countdown_s.get_untracked()));
    let recording = move || shot_status.with(|s| s.recording.is_some());
    let record = move |_| {
        let on = !recording();
        shots.with_value(|s| s.record(on));
    };
    let room_edits = use_context::<RoomEdits>();
    let hands_free = Callback::new(move |()| shots.with_value(|s| s.shoot(0)));
    let photos = move || {
        album
            .get()
            .into_iter()
            .rev()
            .map(|p| {
                let name = format!("huddle-{}", p.shot);
                // The PNG is made just after the JPEG the photo shows.
                let png = match p.png_url.clone() {
                    Some(url) => view! {
                        <a class="button" href=url download=format!("{name}.png")>"Save photo"</a>
                    }
                    .into_any(),
                    None => view! {
                        <button type="button" class="button" disabled=true aria-busy="true"
                            title="Preparing the PNG…">"Save photo"</button>
                    }
                    .into_any(),
                };
                let shot = p.shot;
                let source = p.jpeg_url.clone();
                let edit = move |_| {
                    if let Some(edits) = room_edits {
                        edits.open(shot, Some(source.clone()));
                    }
                };
                view! {
                    <figure class="photo">
                        <img src=p.jpeg_url.clone() alt="Photo" width=p.width height=p.height
                            data-mine-ms=format!("{:.0}", p.timings.mine_ms)
                            data-mine-sent-ms=format!("{:.0}", p.timings.mine_sent_ms)
                            data-parts-ms=format!("{:.0}", p.timings.parts_ms)
                            data-composed-ms=format!("{:.0}", p.timings.composed_ms)
                            data-shown-ms=format!("{:.0}", p.timings.shown_ms)
                            data-read-ms=format!("{:.0}", p.timings.read_ms)
                            data-paint-ms=format!("{:.0}", p.timings.paint_ms)
                            data-part-sizes=part_sizes(&p.part_sizes) />
                        <div class="photo-actions">
                            {png}
                            <a class="button" href=p.jpeg_url.clone() download=format!("{name}.jpg")>"Save JPEG"</a>
                            <button type="button" class="button" on:click=edit>"Edit together"</button>
                        </div>
                    </figure>
                }
            })
            .collect::<Vec<_>>()
    };
    let clips = move || {
        videos
            .get()
            .into_iter()
            .rev()
            .map(|v| {
                let name = format!("huddle-{}.webm", v.id);
                let about = format!("{:.0} s, {:.1} MB", v.seconds, v.bytes / 1e6);
                view! {
                    <figure class="photo">
                        <video src=v.url.clone() aria-label="Video" controls playsinline
                            width=v.width height=v.height data-bytes=v.bytes.to_string()></video>
                        <figcaption>{about}</figcaption>
                        <div class="photo-actions">
                            <a class="button" href=v.url download=name>"Save video"</a>
                        </div>
                    </figure>
                }
            })
            .collect::<Vec<_>>()
    };
    let shot_note = move || {
        shot_status.with(|s| match (s.recording, s.receiving) {
            (Some(secs), _) => Some(format!(
                "Recording the room… {}:{:02}",
                secs / 60,
                secs % 60
            )),
            (None, Some((have, want))) => Some(format!(
                "Putting the photo together: {have} of {want} pictures in…"
            )),
            (None, None) if s.finishing > 0 => Some("Finishing the video…".to_owned()),
            (None, None) => None,
        })
    };

    // Only what the labels show: a cut-out moving inside its place changes nothing here.
    let label_places = Memo::new(move |_| {
        placed_members.with(|members| {
            members
                .iter()
                .map(|m| (m.id, m.region, m.drawn.is_some()))
                .collect::<Vec<_>>()
        })
    });
    let labels = move || {
        let names = session.member_names();
        let (w, h) = (PREVIEW_SIZE.0 as f32, PREVIEW_SIZE.1 as f32);
        label_places.with(|places| {
            places
                .iter()
                .filter_map(|&(member, region, has_picture)| {
                    let name = names.iter().find(|(id, _)| *id == member)?.1.clone();
                    let [x, y, rw, rh] = region;
                    // The name sits at the bottom centre of the member's place.
                    let style = format!(
                        "left:{:.2}%;top:{:.2}%;width:{:.2}%",
                        x / w * 100.0,
                        ((y + rh) / h * 100.0).min(100.0),
                        rw / w * 100.0
                    );
                    let note = (!has_picture).then_some(" (no picture yet)");
                    Some(view! { <span class="stage-name" style=style>{name}{note}</span> })
                })
                .collect::<Vec<_>>()
        })
    };
    let preview_problem = Memo::new(move |_| status.with(|s| s.problem.clone()));
    let placed = move || placed_members.with(|m| serde_json::to_string(m).unwrap_or_default());

    // Dragging myself around the same-screen picture.
    let same_screen = move || session.scene.with(|s| s.layout.value == LAYOUT_SAME_SCREEN);
    let has_stickers = move || session.scene.with(|s| !s.stickers().is_empty());
    let sticker_selection = expect_context::<StickerSelection>().0;
    let drag = StoredValue::new(None::<Drag>);
    let move_to = move |ev: &web_sys::PointerEvent, d: &Drag| {
        let offset = [
            d.offset[0] + ((f64::from(ev.client_x()) - d.start[0]) / d.size[0]) as f32,
            d.offset[1] + ((f64::from(ev.client_y()) - d.start[1]) / d.size[1]) as f32,
        ];
        if let DragTarget::Sticker(id) = &d.target {
            edit_sticker(session, id, StickerEdit::MoveTo(offset));
            return;
        }
        let offset = offset.map(|v| v.clamp(-1.0, 1.0));
        session.change_scene(|s, me| {
            let pose = MemberPose {
                offset,
                ..s.pose(me)
            };
            let stamped = s.stamp(pose, me);
            s.poses.insert(me, stamped);
        });
    };
    let on_pointer_down = move |ev: web_sys::PointerEvent| {
        let (Some(me), Some(c)) = (session.me_untracked(), canvas.get_untracked()) else {
            return;
        };
        let r = c.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return;
        }
        let x = (f64::from(ev.client_x()) - r.left()) / r.width() * f64::from(PREVIEW_SIZE.0);
        let y = (f64::from(ev.client_y()) - r.top()) / r.height() * f64::from(PREVIEW_SIZE.1);
        let (x, y) = (x as f32, y as f32);
        // Stickers lie on top of everyone, so they are hit first.
        let target = match session.scene.with_untracked(|s| sticker_at(s, [x, y])) {
            Some((id, center)) => {
                sticker_selection.set(Some(id.clone()));
                Some((DragTarget::Sticker(id), center))
            }
            None => {
                let same_screen = session
                    .scene
                    .with_untracked(|s| s.layout.value == LAYOUT_SAME_SCREEN);
                let mine = placed_members.with_untracked(|members| {
                    members.iter().find(|m| m.id == me).and_then(|m| m.drawn)
                });
                match mine {
                    Some([fx, fy, fw, fh])
                        if same_screen && x >= fx && x <= fx + fw && y >= fy && y <= fy + fh =>
                    {
                        Some((
                            DragTarget::Me,
                            session.scene.with_untracked(|s| s.pose(me).offset),
                        ))
                    }
                    _ => None,
                }
            }
        };
        let Some((target, offset)) = target else {
            return;
        };
        let _ = c.set_pointer_capture(ev.pointer_id());
        drag.set_value(Some(Drag {
            target,
            start: [f64::from(ev.client_x()), f64::from(ev.client_y())],
            offset,
            size: [r.width(), r.height()],
            sent_at: 0.0,
        }));
    };
    let on_pointer_move = move |ev: web_sys::PointerEvent| {
        let Some(d) = drag.get_value() else {
            return;
        };
        let t = now();
        if t - d.sent_at >= DRAG_SEND_MS {
            move_to(&ev, &d);
            drag.update_value(|d| {
                if let Some(d) = d {
                    d.sent_at = t;
                }
            });
        }
    };
    let on_pointer_up = move |ev: web_sys::PointerEvent| {
        if let Some(d) = drag.get_value() {
            move_to(&ev, &d);
            drag.set_value(None);
        }
    };

    view! {
        <section class="stage" aria-label="Group picture">
            // Progress while my cut-out gets ready; out of the way once it is, and
            // never shown without a camera (or a photo), where nothing is loading.
            <Show when=move || {
                session.local_stream.with(Option::is_some) && !load.with(|l| l.is_ready())
            }>
                <ModelProgress state=load />
            </Show>
            {move || preview_problem.get().map(|text| view! {
                <p class="alert" role="alert">{text}</p>
            })}
            <div class="stage-frame">
                <canvas
                    node_ref=canvas
                    class="stage-canvas"
                    role="img"
                    aria-label="Live preview"
                    width=PREVIEW_SIZE.0
                    height=PREVIEW_SIZE.1
                    data-frames=move || status.with(|s| s.frames.to_string())
                    data-fps=move || status.with(|s| format!("{:.0}", s.fps))
                    data-read-ms=move || status.with(|s| format!("{:.1}", s.read_ms))
                    data-paint-ms=move || status.with(|s| format!("{:.1}", s.paint_ms))
                    data-members=placed
                    class:draggable=move || same_screen() || has_stickers()
                    on:pointerdown=on_pointer_down
                    on:pointermove=on_pointer_move
                    on:pointerup=on_pointer_up
                    on:pointercancel=move |_| drag.set_value(None)
                ></canvas>
                <div class="stage-names" aria-hidden="true">{labels}</div>
                {move || shot_status.with(|s| s.countdown).map(|n| view! {
                    <div class="countdown" role="timer" aria-live="assertive">{n}</div>
                })}
            </div>
            <div class="shutter-bar">
                <div class="field">
                    <label for="shot-countdown">"Countdown"</label>
                    <select id="shot-countdown" on:change=move |ev| {
                        countdown_s.set(event_target_value(&ev).parse().unwrap_or(0))
                    }>
                        <option value="0">"Off"</option>
                        <option value="3">"3 s"</option>
                        <option value="5">"5 s"</option>
                        <option value="10">"10 s"</option>
                    </select>
                </div>
                <button type="button" class="button primary shutter" on:click=shoot
                    disabled=move || shot_status.with(|s| s.countdown.is_some())>"Shoot"</button>
                <button type="button" class="button" on:click=burst
                    title=format!("{BURST_SHOTS} photos in a row")
                    disabled=move || shot_status.with(|s| s.countdown.is_some())>"Burst"</button>
                <button type="button" class="button record" on:click=record
                    aria-pressed=move || recording().to_string()
                    title="Records the live preview for everyone until you press it again">
                    "Record video"
                </button>
            </div>
            <AutoShutter shoot=hands_free />
            <p class="status" role="status" aria-live="polite">{shot_note}</p>
            {move || shot_status.with(|s| s.problem.clone()).map(|text| view! {
                <p class="alert" role="alert">{text}</p>
            })}
            <section class="album" aria-label="Photos">{photos}{clips}</section>
        </section>
    }
}

/// The sizes of a photo's parts, for its `data-part-sizes` ("1280x480 1280x480").
fn part_sizes(sizes: &[(u32, u32)]) -> String {
    sizes
        .iter()
        .map(|(w, h)| format!("{w}x{h}"))
        .collect::<Vec<_>>()
        .join(" ")
}
