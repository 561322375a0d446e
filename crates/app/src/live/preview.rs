//! The live preview: take the newest packed frame of every member (mine from my
//! canvas, the others' from their video streams), have the compose worker paint the
//! group picture, and show it. The next set of frames is gathered while the worker
//! paints, so it goes to the worker on the first animation frame after the picture
//! is back rather than only starting then.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use futures::future::join_all;
use huddle_protocol::{MemberId, SceneState};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlCanvasElement, HtmlVideoElement, ImageBitmap, ImageBitmapOptions, MediaStream};

use super::dom::{animation_loop, context_2d, create, now};
use super::hold::LiveHold;
use super::room_background::RoomPhoto;
use crate::compose::client::{ComposeClient, ComposeEvent, ComposedFrame};
use crate::compose::messages::{ComposeMember, ComposeRequest, PlacedMember};
use crate::rtc::video_scale::{scale_for_room, scaled_size};

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
    gathering: Cell<bool>,
    /// Frames gathered while the worker was busy, sent when it is free.
    ready: RefCell<Option<(ComposeRequest, Vec<ImageBitmap>)>>,
    next_id: Cell<u64>,
    feeds: RefCell<BTreeMap<MemberId, HtmlVideoElement>>,
    shown_at: RefCell<Vec<f64>>,
    frames: Cell<u64>,
}

pub struct LivePreview {
    shared: Rc<Shared>,
    client: Rc<ComposeClient>,
}

impl LivePreview {
    /// Starts painting on `canvas`. `room` is read each frame; `mine` is my packed
    /// canvas once it has a picture. The picture stands still while `hold` is held.
    pub fn start(
        canvas: HtmlCanvasElement,
        hold: LiveHold,
        room: impl Fn() -> Option<RoomPicture> + 'static,
        mine: impl Fn() -> Option<HtmlCanvasElement> + 'static,
        on_status: impl Fn(PreviewStatus) + 'static,
    ) -> Result<Self, JsValue> {
        canvas.set_width(PREVIEW_SIZE.0);
        canvas.set_height(PREVIEW_SIZE.1);
        let ctx = context_2d(&canvas)?;
        let shared = Rc::new(Shared {
            alive: Cell::new(true),
            gathering: Cell::new(false),
            ready: RefCell::new(None),
            next_id: Cell::new(1),
            feeds: RefCell::new(BTreeMap::new()),
            shown_at: RefCell::new(Vec::new()),
            frames: Cell::new(0),
        });
        let on_status: Rc<dyn Fn(PreviewStatus)> = Rc::new(on_status);
        let show = {
            let shared = shared.clone();
            let on_status = on_status.clone();
            move |frame: ComposedFrame| {
                if !shared.alive.get() {
                    frame.bitmap.close();
                    return;
                }
                let _ = ctx.draw_image_with_image_bitmap(&frame.bitmap, 0.0, 0.0);
                frame.bitmap.close();
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

        let tick_shared = shared.clone();
        let tick_client = client.clone();
        let room = Rc::new(room);
        let mine = Rc::new(mine);
        animation_loop(move || {
            if !tick_shared.alive.get() {
                return false;
            }
            if hold.is_held() {
                // The picture stands still: nothing gathered before the shot goes out.
                drop_ready(&tick_shared);
                return true;
            }
            if tick_client.is_idle() {
                if let Some((request, bitmaps)) = tick_shared.ready.take() {
                    tick_client.submit(request, bitmaps);
                }
            }
            if !tick_shared.gathering.get() && tick_shared.ready.borrow().is_none() {
                if let Some(picture) = room() {
                    gather(&tick_shared, &tick_client, picture, mine());
                }
            }
            true
        });
        Ok(Self { shared, client })
    }

    /// The room's background photo, for when the room picks it.
    pub fn set_custom_background(&self, photo: &RoomPhoto) {
        self.client
            .set_custom_background(photo.width, photo.height, photo.pixels.clone());
    }

    /// Shows `stream` (packed frames) as `member`'s picture, or forgets it.
    pub fn set_feed(&self, member: MemberId, stream: Option<&MediaStream>) {
        let mut feeds = self.shared.feeds.borrow_mut();
        match stream {
            Some(stream) => {
                let same = feeds
                    .get(&member)
                    .and_then(|v| v.src_object())
                    .is_some_and(|s| s.id() == stream.id());
                if same {
                    return;
                }
                let Ok(video) = create::<HtmlVideoElement>("video") else {
                    return;
                };
                video.set_muted(true);
                video.set_autoplay(true);
                let _ = video.set_attribute("playsinline", "");
                video.set_src_object(Some(stream));
                let _ = video.play();
                feeds.insert(member, video);
            }
            None => {
                if let Some(video) = feeds.remove(&member) {
                    video.set_src_object(None);
                }
            }
        }
    }
}

impl Drop for LivePreview {
    fn drop(&mut self) {
        self.shared.alive.set(false);
        drop_ready(&self.shared);
        for video in self.shared.feeds.borrow().values() {
            video.set_src_object(None);
        }
    }
}

/// Captures every member's newest packed frame, then sends the set to the worker.
fn gather(
    shared: &Rc<Shared>,
    client: &Rc<ComposeClient>,
    picture: RoomPicture,
    mine: Option<HtmlCanvasElement>,
) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let mut promises = Vec::new();
    let mut members = Vec::with_capacity(picture.members.len());
    // Mine as the others get it: the same pixels everywhere, and a quarter of the
    // reading and unpacking in a 4-member room.
    let my_scale = scale_for_room(picture.members.len());
    {
        let feeds = shared.feeds.borrow();
        for &id in &picture.members {
            // The packed picture's size as it is here (the video may arrive scaled).
            let mut size = (0u32, 0u32);
            let promise = if id == picture.me {
                mine.as_ref().and_then(|c| {
                    size = scaled_size(c.width(), c.height(), my_scale);
                    let options = ImageBitmapOptions::new();
                    options.set_resize_width(size.0);
                    options.set_resize_height(size.1);
                    window
                        .create_image_bitmap_with_html_canvas_element_and_image_bitmap_options(
                            c, &options,
                        )
                        .ok()
                })
            } else {
                feeds
                    .get(&id)
                    .filter(|v| v.ready_state() >= 2 && v.video_width() > 0)
                    .and_then(|v| {
                        size = (v.video_width(), v.video_height());
                        window.create_image_bitmap_with_html_video_element(v).ok()
                    })
            };
            let (fw, fh) = ((size.0 / 2) as f32, size.1 as f32);
            let eyes = picture
                .eyes
                .get(&id)
                .map(|e| e.map(|[x, y]| [x * fw, y * fh]));
            let bitmap = promise.map(|p| {
                promises.push(JsFuture::from(p));
                promises.len() - 1
            });
            members.push(ComposeMember { id, bitmap, eyes });
        }
    }
    let id = shared.next_id.get();
    shared.next_id.set(id + 1);
    shared.gathering.set(true);
    let shared = shared.clone();
    let client = client.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let results = join_all(promises).await;
        shared.gathering.set(false);
        let mut bitmaps = Vec::with_capacity(results.len());
        let mut failed = Vec::new();
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(b) => bitmaps.push(b.unchecked_into::<ImageBitmap>()),
                Err(_) => failed.push(i),
            }
        }
        // A capture that failed (a stream just ended) leaves that member empty; the
        // other bitmaps keep their order.
        let mut index = 0;
        for m in &mut members {
            m.bitmap = match m.bitmap {
                Some(i) if failed.contains(&i) => None,
                Some(_) => {
                    index += 1;
                    Some(index - 1)
                }
                None => None,
            };
        }
        if !shared.alive.get() {
            bitmaps.iter().for_each(ImageBitmap::close);
            return;
        }
        let request = ComposeRequest {
            id,
            width: PREVIEW_SIZE.0,
            height: PREVIEW_SIZE.1,
            scene: picture.scene,
            members,
        };
        if client.is_idle() {
            client.submit(request, bitmaps);
        } else {
            // Each holds a decoded video frame: only the newest set is kept.
            if let Some((_, old)) = shared.ready.replace(Some((request, bitmaps))) {
                old.iter().for_each(ImageBitmap::close);
            }
        }
    });
}

/// Forgets the frames gathered and not yet sent.
fn drop_ready(shared: &Shared) {
    if let Some((_, bitmaps)) = shared.ready.take() {
        bitmaps.iter().for_each(ImageBitmap::close);
    }
}
