//! The room's live picture: my camera cut out and sent to everyone, every
//! member's cut-out composed into one picture, names over their places.

use std::collections::BTreeSet;

use huddle_protocol::MemberId;
use leptos::html::Canvas;
use leptos::prelude::*;

use crate::components::model_progress::{LoadState, ModelProgress};
use crate::live::preview::{LivePreview, PreviewStatus, RoomPicture, PREVIEW_SIZE};
use crate::live::sender::{CutoutSender, SenderEvent};
use crate::session::Session;

#[component]
pub fn LiveStage() -> impl IntoView {
    let session = expect_context::<Session>();
    let canvas = NodeRef::<Canvas>::new();
    let status = RwSignal::new(PreviewStatus::default());
    let load = RwSignal::new(LoadState::default());
    let sender = StoredValue::new_local(None::<CutoutSender>);
    let preview = StoredValue::new_local(None::<LivePreview>);

    // My cut-out: starts when the camera does, and is what the mesh sends.
    Effect::new(move |_| {
        let camera = session.local_stream.get();
        sender.set_value(None);
        session.send_stream(None);
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
        match CutoutSender::start(&camera, on_event) {
            Ok(s) => {
                session.send_stream(Some(s.stream().clone()));
                sender.set_value(Some(s));
            }
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
            let (me, members) = session.room.with_untracked(|r| {
                r.as_ref()
                    .map(|r| (r.me, r.members.iter().map(|m| m.id).collect::<Vec<_>>()))
            })?;
            let eyes = session
                .heads()
                .into_iter()
                .filter_map(|(id, h)| Some((id, h.eyes?)))
                .collect();
            Some(RoomPicture {
                me,
                members,
                scene: session.scene.get_untracked(),
                eyes,
            })
        };
        let mine = move || {
            sender
                .try_with_value(|s| {
                    s.as_ref()
                        .filter(|s| s.has_picture())
                        .map(|s| s.canvas().clone())
                })
                .flatten()
        };
        match LivePreview::start(canvas, room, mine, move |s| status.set(s)) {
            Ok(p) => preview.set_value(Some(p)),
            Err(e) => status.set(PreviewStatus {
                problem: Some(format!("The live preview could not start: {e:?}")),
                ..PreviewStatus::default()
            }),
        }
    });

    // Members' packed streams feed the preview.
    Effect::new(move |_| {
        let streams = session.remote_streams.get();
        let present: BTreeSet<MemberId> = session
            .room
            .with(|r| r.as_ref().map(|r| r.members.iter().map(|m| m.id).collect()))
            .unwrap_or_default();
        preview.with_value(|p| {
            let Some(p) = p else {
                return;
            };
            for id in &present {
                p.set_feed(*id, streams.get(id));
            }
        });
    });

    on_cleanup(move || {
        preview.set_value(None);
        sender.set_value(None);
    });

    let labels = move || {
        let names = session.room.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.members
                        .iter()
                        .map(|m| (m.id, m.name.to_string()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        let (w, h) = (PREVIEW_SIZE.0 as f32, PREVIEW_SIZE.1 as f32);
        status.with(|s| {
            s.members
                .iter()
                .filter_map(|m| {
                    let name = names.iter().find(|(id, _)| *id == m.id)?.1.clone();
                    let [x, y, rw, rh] = m.region;
                    // The name sits at the bottom centre of the member's place.
                    let style = format!(
                        "left:{:.2}%;top:{:.2}%;width:{:.2}%",
                        x / w * 100.0,
                        ((y + rh) / h * 100.0).min(100.0),
                        rw / w * 100.0
                    );
                    let note = m.drawn.is_none().then_some(" (no picture yet)");
                    Some(view! { <span class="stage-name" style=style>{name}{note}</span> })
                })
                .collect::<Vec<_>>()
        })
    };
    let placed = move || status.with(|s| serde_json::to_string(&s.members).unwrap_or_default());

    view! {
        <section class="stage" aria-label="Group picture">
            // Progress while my cut-out gets ready; out of the way once it is.
            <Show when=move || !load.with(|l| l.is_ready())>
                <ModelProgress state=load />
            </Show>
            {move || status.with(|s| s.problem.clone()).map(|text| view! {
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
                    data-members=placed
                ></canvas>
                <div class="stage-names" aria-hidden="true">{labels}</div>
            </div>
        </section>
    }
}
