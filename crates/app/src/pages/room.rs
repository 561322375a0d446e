use huddle_protocol::{Credential, DisplayName, ErrorCode, InviteToken, MemberId, RoomId};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use web_sys::MediaStream;

use crate::components::alert::Alert;
use crate::components::edited_photos::EditedPhotos;
use crate::components::invite_panel::InvitePanel;
use crate::components::live_stage::LiveStage;
use crate::components::member_list::MemberList;
use crate::components::name_field::NameField;
use crate::components::password_field::PasswordField;
use crate::components::photo_instead::PhotoInstead;
use crate::components::scene_controls::SceneControls;
use crate::components::scene_stickers::StickerSelection;
use crate::components::video_tile::VideoTile;
use crate::edit::room_edits::RoomEdits;
use crate::live::room_background::RoomBackground;
use crate::session::{CameraStatus, ConnectionState, Session};
use crate::storage::{remember_name, remembered_name};

#[component]
pub fn RoomPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let params = use_params_map();
    let query = use_query_map();
    let room_id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| RoomId::parse(&id).ok())));
    let invite = Memo::new(move |_| query.with(|q| q.get("invite")).map(InviteToken));
    let in_this_room = Memo::new(move |_| {
        let wanted = room_id.get();
        session.room.with(|r| r.as_ref().map(|r| r.info.id.clone())) == wanted && wanted.is_some()
    });

    view! {
        {move || match room_id.get() {
            None => view! {
                <section class="card">
                    <h1>"No such room"</h1>
                    <p role="alert" class="alert">"A room number is 8 digits."</p>
                    <A href="/">"Back to Huddle"</A>
                </section>
            }.into_any(),
            Some(room) => if in_this_room.get() {
                view! { <InRoom /> }.into_any()
            } else {
                view! { <JoinForm room=room invite=invite /> }.into_any()
            },
        }}
    }
}

/// Shown until we are in the room: joins at once when the name is known, and asks for
/// the name or the password when needed.
#[component]
fn JoinForm(room: RoomId, invite: Memo<Option<InviteToken>>) -> impl IntoView {
    let session = expect_context::<Session>();
    if session.room.get_untracked().is_some() {
        session.leave_room();
    }
    session.clear_refusal();
    let name = RwSignal::new(remembered_name().unwrap_or_default());
    let password = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<String>);
    // A dead invite link is not retried; the person may still know the password.
    let invite_failed = RwSignal::new(false);
    let refused_with = move |codes: &[ErrorCode]| {
        session
            .refusal
            .with(|r| r.as_ref().is_some_and(|r| codes.contains(&r.code)))
    };
    Effect::new(move |_| {
        if refused_with(&[ErrorCode::InviteExpired, ErrorCode::InviteInvalid]) {
            invite_failed.set(true);
        }
    });
    let needs_password = Memo::new(move |_| {
        invite_failed.get()
            || refused_with(&[ErrorCode::PasswordRequired, ErrorCode::WrongPassword])
    });

    let attempt = {
        let room = room.clone();
        move |use_password: bool| {
            let Ok(display_name) = DisplayName::parse(&name.get_untracked()) else {
                local_error.set(Some("Enter your name (1 to 32 characters).".into()));
                return;
            };
            local_error.set(None);
            remember_name(display_name.as_str());
            let typed = password.get_untracked();
            let credential = if use_password && !typed.is_empty() {
                Some(Credential::Password(typed))
            } else if invite_failed.get_untracked() {
                None
            } else {
                invite.get_untracked().map(Credential::Invite)
            };
            session.join_room(room.clone(), display_name, credential);
        }
    };

    // With a remembered name, joining needs no click: links and featured rooms just open.
    // Not the room just left, though: its page shows for a moment while we go home.
    let just_left = session.left_room.get_untracked().as_ref() == Some(&room);
    if !just_left && DisplayName::parse(&name.get_untracked()).is_ok() {
        attempt(false);
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempt(true);
    };
    let message = Signal::derive(move || {
        local_error
            .get()
            .or_else(|| session.refusal.get().map(|r| r.message))
    });
    let title = format!("Join room {room}");

    view! {
        <section class="card">
            <h1>{title}</h1>
            <form class="stack" on:submit=submit>
                <NameField name=name />
                <Show when=move || needs_password.get()>
                    <PasswordField password=password />
                </Show>
                <button type="submit" class="button primary" disabled=move || session.busy.get()>
                    "Join room"
                </button>
                <p class="status" aria-live="polite">
                    {move || session.busy.get().then_some("Joining…")}
                </p>
            </form>
            <Alert message=message />
            <A href="/">"Back to Huddle"</A>
        </section>
    }
}

/// The room itself: the group picture and its settings, everyone's camera, the
/// member list and the invite.
#[component]
fn InRoom() -> impl IntoView {
    let session = expect_context::<Session>();
    StickerSelection::provide();
    let room_background = RoomBackground::start(session);
    provide_context(room_background);
    on_cleanup(move || room_background.stop());
    // InRoom only shows while the session is in a room, so the id is there.
    let room = session
        .room
        .with_untracked(|r| r.as_ref().map(|r| r.info.id.clone()));
    if let Some(room) = room {
        let edits = RoomEdits::start(session, room);
        provide_context(edits);
        on_cleanup(move || edits.stop());
    }
    let navigate = use_navigate();
    let leave = move |_| {
        session.leave_room();
        navigate("/", Default::default());
    };
    let room_number = move || {
        session
            .room
            .with(|r| r.as_ref().map(|r| r.info.id.to_string()))
    };
    let camera_note = Signal::derive(move || match session.camera.get() {
        CameraStatus::Starting => Some("Starting the camera…".to_string()),
        CameraStatus::Unavailable(error) => Some(format!("{error} You are still in the room.")),
        CameraStatus::On | CameraStatus::Photo | CameraStatus::Off => None,
    });
    let lost = Signal::derive(move || {
        (session.connection.get() == ConnectionState::Lost)
            .then(|| "Lost the connection to the server. Reconnecting…".to_string())
    });
    let camera_alert = Signal::derive(move || match session.camera.get() {
        CameraStatus::Unavailable(error) => Some(format!("{error} You are still in the room.")),
        _ => None,
    });

    let tiles = move || {
        let Some(room) = session.room.get() else {
            return Vec::new();
        };
        room.members
            .into_iter()
            .map(|member| {
                let id = member.id;
                let name = member.name.to_string();
                if id == room.me {
                    let stream: Signal<Option<MediaStream>, LocalStorage> =
                        Signal::derive_local(move || session.local_stream.get());
                    view! { <VideoTile name=name stream=stream note=camera_note mirrored=true /> }
                } else {
                    let stream: Signal<Option<MediaStream>, LocalStorage> =
                        Signal::derive_local(move || {
                            session.remote_videos.with(|s| s.get(&id).map(|v| v.stream.clone()))
                        });
                    view! { <VideoTile name=name stream=stream note=remote_note(session, id) packed=true /> }
                }
            })
            .collect::<Vec<_>>()
    };

    view! {
        <section class="room-head">
            <h1>"Room " <span class="room-number" aria-label="Room number">{room_number}</span></h1>
            <button type="button" class="button danger" on:click=leave>"Leave room"</button>
        </section>
        <Alert message=lost />
        <Alert message=camera_alert />
        <PhotoInstead />
        <EditedPhotos />
        <div class="room-main">
            <LiveStage />
            <SceneControls />
        </div>
        <section class="grid cameras" aria-label="Cameras">{tiles}</section>
        <div class="room-side">
            <MemberList />
            <InvitePanel />
        </div>
    }
}

/// Why another member's tile has no picture yet.
fn remote_note(session: Session, id: MemberId) -> Signal<Option<String>> {
    Signal::derive(move || {
        let has_stream = session.remote_videos.with(|s| s.contains_key(&id));
        let camera = session.peers.with(|p| p.get(&id).and_then(|p| p.camera));
        match (has_stream, camera) {
            (_, Some(false)) => Some("No camera".to_string()),
            (false, _) => Some("Connecting…".to_string()),
            (true, _) => None,
        }
    })
}
