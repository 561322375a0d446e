//! The live preview: take the newest packed picture of every member (mine from my
//! cut-out sender, the others' from their video decoders, all as `VideoFrame`s
//! handed over without a copy on this thread), have the compose worker paint the
//! group picture, and show it. A member with nothing new since the last frame is
//! sent as "same" (the worker keeps what it read), a frame with nothing new at all
//! is not painted, and the next frame goes out as soon as the worker hands one back.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use huddle_protocol::{MemberId, SceneState};
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::dom::{animation_loop, context_2d, now};
use super::hold::LiveHold;
use super::room_background::RoomPhoto;
use crate::compose::client::{ComposeClient, ComposeEvent, ComposedFrame};
use crate::compose::feed::LiveFeed;
use crate::compose::messages::{ComposeMember, ComposeRequest, MemberPicture, PlacedMember};
use crate::rtc::media::{note_rendered, note_shown};

/// Size of the live picture (16:9, like the full-resolution shot).
pub const PREVIEW_SIZE: (u32, u32) = (800, 450);

/// What the preview needs to know about the room each frame.
pub struct RoomPicture {
    pub me: MemberId,
    /// Join order, creator first.
    pub members: Vec<MemberId>,
    pub scene: SceneState,
    /// Eye centres as fractions of each member's frame.
    pub eyes: BTreeMap<MemberId, [[f32; 2]; 2]>,
}

/// What the page shows about the preview.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PreviewStatus {
    pub frames: u64,
    /// Pictures shown in the last second.
    pub fps: f64,
    pub members: Vec<PlacedMember>,
    /// The compose worker's time for the last picture: reading the members' pictures,
    /// and painting (ms).
    pub read_ms: f64,
    pub paint_ms: f64,
    /// The worker could not start or failed; the sentence is for the person.
    pub problem: Option<String>,
}

struct Shared {
    alive: Cell<bool>,
    next_id: Cell<u64>,
    feeds: RefCell<BTreeMap<MemberId, LiveFeed>>,
    /// Each member's picture size as the worker last read it, for the eyes of a
    /// member with nothing new.
    sizes: RefCell<BTreeMap<MemberId, (u32, u32)>>,
    /// The scene and members of the last frame sent: one with nothing new and the
    /// same of both is not painted again.
    last: RefCell<Option<(SceneState, Vec<ComposeMember>)>>,
    shown_at: RefCell<Vec<f64>>,
    frames: Cell<u64>,
    /// When the camera took the other members' new pictures in the frame being
    /// painted (wall ms): the camera → remote preview measure.
    painting_taken: RefCell<Vec<f64>>,
    /// The same for the frames drawn since the page last rendered.
    drawn_taken: RefCell<Vec<f64>>,
}

pub struct LivePreview {
    shared: Rc<Shared>,
    client: Rc<ComposeClient>,
    /// Sends the next frame; members' feeds call it (weakly) as pictures arrive.
    pump: Pump,
}

/// Sends the next frame when the worker is free and there is something new.
type Pump = Rc<dyn Fn()>;

impl LivePreview {
    /// Starts painting on `canvas`. `room` is read each frame; `mine` is my own
    /// packed pictures once there is a sender. The picture stands still while
    /// `hold` is held.
    pub fn start(
        canvas: HtmlCanvasElement,
        hold: LiveHold,
        room: impl Fn() -> Option<RoomPicture> + 'static,
        mine: impl Fn() -> Option<LiveFeed> + 'static,
        on_status: impl Fn(PreviewStatus) + 'static,
    ) -> Result<Self, JsValue> {
        canvas.set_width(PREVIEW_SIZE.0);
        canvas.set_height(PREVIEW_SIZE.1);
        let ctx = context_2d(&canvas)?;
        let shared = Rc::new(Shared {
            alive: Cell::new(true),
            next_id: Cell::new(1),
            feeds: RefCell::new(BTreeMap::new()),
            sizes: RefCell::new(BTreeMap::new()),
            last: RefCell::new(None),
            shown_at: RefCell::new(Vec::new()),
            frames: Cell::new(0),
            painting_taken: RefCell::new(Vec::new()),
            drawn_taken: RefCell::new(Vec::new()),
        });
        // Set once the client exists: the worker's reply sends the next frame at
        // once, rather than on the next animation frame.
        let pump_slot: Rc<RefCell<Option<Pump>>> = Rc::default();
        let on_status: Rc<dyn Fn(PreviewStatus)> = Rc::new(on_status);
        let show = {
            let shared = shared.clone();
            let on_status = on_status.clone();
            let pump_slot = pump_slot.clone();
            move |frame: ComposedFrame| {
                if !shared.alive.get() {
                    frame.bitmap.close();
                    return;
                }
                let _ = ctx.draw_image_with_image_bitmap(&frame.bitmap, 0.0, 0.0);
                frame.bitmap.close();
                let taken = shared.painting_taken.take();
                taken.iter().copied().for_each(note_shown);
                // The canvas goes to the screen with the page's next rendering.
                shared.drawn_taken.borrow_mut().extend(taken);
                let t = now();
                let fps = {
                    let mut shown = shared.shown_at.borrow_mut();
                    shown.push(t);
                    shown.retain(|&t0| t - t0 <= 1000.0);
                    shown.len() as f64
                };
                shared.frames.set(shared.frames.get() + 1);
                on_status(PreviewStatus {
                    frames: shared.frames.get(),
                    fps,
                    members: frame.members,
                    read_ms: frame.timings.read,
                    paint_ms: frame.timings.paint,
                    problem: None,
                });
                let pump = pump_slot.borrow().clone();
                if let Some(pump) = pump {
                    pump();
                }
            }
        };
        let client = ComposeClient::spawn({
            let on_status = on_status.clone();
            move |ev| match ev {
                ComposeEvent::Frame(frame) => show(frame),
                // One bad frame: the next one is already coming.
                ComposeEvent::Failed { message, .. } => {
                    web_sys::console::warn_1(&format!("preview: {message}").into())
                }
                ComposeEvent::Crashed(message) => on_status(PreviewStatus {
                    problem: Some(format!("The live preview stopped: {message}")),
                    ..PreviewStatus::default()
                }),
            }
        })
        .map_err(|e| JsValue::from_str(&e.to_string()))?;

        let pump: Pump = {
            let shared = shared.clone();
            let client = Rc::downgrade(&client);
            let hold = hold.clone();
            Rc::new(move || {
                let Some(client) = client.upgrade() else {
                    return;
                };
                if !shared.alive.get() || hold.is_held() || !client.is_idle() {
                    return;
                }
                if let Some(picture) = room() {
                    send_frame(&shared, &client, picture, mine().as_ref());
                }
            })
        };
        pump_slot.replace(Some(pump.clone()));
        let tick_shared = shared.clone();
        let tick_pump = pump.clone();
        animation_loop(move || {
            if !tick_shared.alive.get() {
                return false;
            }
            tick_shared
                .drawn_taken
                .take()
                .into_iter()
                .for_each(note_rendered);
            tick_pump();
            true
        });
        Ok(Self {
            shared,
            client,
            pump,
        })
    }

    /// The room's background photo, for when the room picks it.
    pub fn set_custom_background(&self, photo: &RoomPhoto) {
        self.client
            .set_custom_background(photo.width, photo.height, photo.pixels.clone());
    }

    /// Shows `feed` (packed frames) as `member`'s picture, or forgets it.
    pub fn set_feed(&self, member: MemberId, feed: Option<&LiveFeed>) {
        let mut feeds = self.shared.feeds.borrow_mut();
        match feed {
            Some(feed) => {
                if !feeds.get(&member).is_some_and(|f| f.same_as(feed)) {
                    // A picture arriving while the worker is free is painted at once,
                    // not on the next animation frame.
                    let pump = Rc::downgrade(&self.pump);
                    feed.on_put(move || {
                        if let Some(pump) = pump.upgrade() {
                            pump();
                        }
                    });
                    feeds.insert(member, feed.clone());
                }
            }
            None => {
                feeds.remove(&member);
            }
        }
    }
}

impl Drop for LivePreview {
    fn drop(&mut self) {
        self.shared.alive.set(false);
    }
}

/// Takes every member's newest packed picture (my own is made at the size the
/// others get, so everyone composes the same pixels) and sends the frame to the
/// worker, unless nothing changed.
fn send_frame(
    shared: &Shared,
    client: &ComposeClient,
    picture: RoomPicture,
    mine: Option<&LiveFeed>,
) {
    let mut pictures = Vec::new();
    let mut taken_remote = Vec::new();
    let mut members = Vec::with_capacity(picture.members.len());
    {
        let feeds = shared.feeds.borrow();
        let mut sizes = shared.sizes.borrow_mut();
        for &id in &picture.members {
            let feed = if id == picture.me {
                mine
            } else {
                feeds.get(&id)
            };
            let picture_of = match feed {
                None => {
                    sizes.remove(&id);
                    MemberPicture::None
                }
                Some(feed) => match feed.take_timed() {
                    Some((p, taken)) => {
                        if id != picture.me {
                            taken_remote.push(taken);
                        }
                        sizes.insert(id, p.size());
                        pictures.push(p);
                        MemberPicture::at(pictures.len() - 1)
                    }
                    None => MemberPicture::Same,
                },
            };
            // Eyes in the packed picture's left half, as the worker reads it; only
            // where the picture follows the head, so a head that moved does not
            // repaint a picture it does not change.
            let (fw, fh) = sizes
                .get(&id)
                .map_or((0.0, 0.0), |&(w, h)| ((w / 2) as f32, h as f32));
            let eyes = picture
                .eyes
                .get(&id)
                .filter(|_| picture.scene.follows_head_of(id))
                .map(|e| e.map(|[x, y]| [x * fw, y * fh]));
            members.push(ComposeMember {
                id,
                picture: picture_of,
                eyes,
            });
        }
    }
    let unchanged = pictures.is_empty()
        && shared
            .last
            .borrow()
            .as_ref()
            .is_some_and(|(scene, last)| *scene == picture.scene && *last == members);
    if unchanged {
        return;
    }
    shared
        .last
        .replace(Some((picture.scene.clone(), members.clone())));
    shared.painting_taken.replace(taken_remote);
    let id = shared.next_id.get();
    shared.next_id.set(id + 1);
    client.submit(
        ComposeRequest {
            id,
            width: PREVIEW_SIZE.0,
            height: PREVIEW_SIZE.1,
            scene: picture.scene,
            members,
        },
        pictures,
    );
}
